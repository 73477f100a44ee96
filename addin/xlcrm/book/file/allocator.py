"""The C allocator set for a run over a large workbook (glibc only; elsewhere nothing to do)."""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h


def give_large_blocks_back() -> None:
    """Large blocks (a column of a million orders, calamine's copy of a sheet) from their own pages, handed back to
    the system when freed. glibc otherwise raises that threshold as big blocks are freed and keeps later ones in
    its heap for the rest of the run: at a million orders every later step peaked 100-180 MB higher."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (Windows, macOS): nothing to set
        return
    mallopt(M_MMAP_THRESHOLD, 128 * 1024)  # glibc's starting value, held fixed
