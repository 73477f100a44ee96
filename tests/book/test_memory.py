"""Memory a run over a large workbook frees goes back to the system: at a million orders it would otherwise keep
every large block it ever freed, and each later step (scoring, the save) would peak that much higher (1 GiB)."""

import platform
import subprocess
import sys

import openpyxl
import pytest

PROBE = """
import os, sys
import numpy as np

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

if sys.argv[1] != "plain":  # read a sheet of 30 rows, with "large" set to 10 rows or left as it is
    import xlcrm.book.file as file_book
    if sys.argv[1] == "large":
        file_book.LARGE_SHEET_ROWS = 10
    file_book.FileBook(sys.argv[2]).read_sheet("订单")
big = np.ones(16 * 2**20 // 8)
del big  # glibc raises its threshold past a freed block this size, and keeps later large blocks in its heap
base = rss()
blocks, kept = [], []
for _ in range(200):  # 200 MB in 1 MB blocks, small lasting ones between them, as a run's columns and indexes are
    blocks.append(np.ones(2**20 // 8))
    kept.append(np.ones(4096))  # 32 KB: past the holes a read leaves in the heap, so they sit between the blocks
del blocks
print(round(rss() - base))
"""


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="glibc's allocator is the one that keeps freed large blocks; others give them back")
def test_after_a_large_sheet_freed_blocks_are_given_back(tmp_path):
    """Once a sheet of a large workbook is read; a small one keeps glibc's habit, which is quicker (a page fault
    for every new large block costs about 5% of a run at 10,000 customers)."""
    path = tmp_path / "orders.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "订单"
    for i in range(30):
        book.active.append([f"SO{i}", i * 1.5])
    book.save(path)

    def kept_mb(how: str) -> int:
        return int(subprocess.run([sys.executable, "-c", PROBE, how, str(path)], capture_output=True, text=True,
                                  check=True).stdout)

    assert kept_mb("plain") > 150  # the allocator's own habit: what the test is about
    assert kept_mb("small") > 150
    assert kept_mb("large") < 20
