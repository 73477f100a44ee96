"""Memory a run frees goes back to the system: at a million orders a run would otherwise keep every large block
it ever freed, and each later step (scoring, the save) would peak that much higher (issue 17: 1 GiB)."""

import platform
import subprocess
import sys

import pytest

PROBE = """
import os, sys
import numpy as np

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

if sys.argv[1] == "book":
    from xlcrm.book.file import FileBook
    try:
        FileBook(sys.argv[2])
    except Exception:
        pass  # the file need not exist: opening it is what sets the allocator up
big = np.ones(16 * 2**20 // 8)
del big  # glibc raises its threshold past a freed block this size, and keeps later large blocks in its heap
base = rss()
blocks, kept = [], []
for _ in range(200):  # 200 MB in 1 MB blocks, small lasting ones between them, as a run's columns and indexes are
    blocks.append(np.ones(2**20 // 8))
    kept.append(np.ones(64))
del blocks
print(round(rss() - base))
"""


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="glibc's allocator is the one that keeps freed large blocks; others give them back")
def test_large_blocks_freed_during_a_run_are_given_back(tmp_path):
    def kept_mb(*how: str) -> int:
        return int(subprocess.run([sys.executable, "-c", PROBE, *how], capture_output=True, text=True,
                                  check=True).stdout)

    assert kept_mb("plain") > 150  # the allocator's own habit: what the test is about
    assert kept_mb("book", str(tmp_path / "none.xlsx")) < 20
