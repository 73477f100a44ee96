"""Run the xlcrm command line, stopping it at one named point of a workbook save until a test sends it a real
signal (Ctrl-C is SIGINT): where a signal lands is then chosen by the test, not by the machine's speed.

    python tests/helpers/pause_at.py POINT MARKER xlcrm-arguments...

At POINT the process writes POINT into the file MARKER and sleeps; a signal raises there as it would anywhere.
The points are found by the standard-library calls a save makes (xlcrm's own modules are not patched, so the
save runs as the user's does):

- writing:  the new workbook beside the old, all its parts written but not its ZIP directory (a half file)
- backup:   the copy of the old workbook made whole under a temporary name, not yet named NAME.backup.xlsx
- replacing: the backup kept, the new workbook complete, the old one not yet replaced
- replaced: the workbook replaced by the new one; the command has not finished
"""

from __future__ import annotations

import os
import runpy
import shutil
import sys
import time
import zipfile
from pathlib import Path

POINTS = ("writing", "backup", "replacing", "replaced")
TEMPORARY = ".~xlcrm-"  # the prefix of the files a save writes before naming them


def _stop_here(point: str, marker: Path) -> None:
    marker.write_text(point)
    time.sleep(300)  # a signal ends the wait; a test that sends none fails on its own timeout first


def install(point: str, marker: Path, book: Path) -> None:
    """Make the save stop at point (the first time it is reached)."""
    reached = False

    def at(name: str) -> bool:
        nonlocal reached
        if name != point or reached:
            return False
        reached = True
        return True

    close, copyfile, replace = zipfile.ZipFile.close, shutil.copyfile, os.replace

    def closing(self: zipfile.ZipFile) -> None:
        if self.mode == "w" and Path(str(self.filename)).name.startswith(TEMPORARY) and at("writing"):
            _stop_here(point, marker)
        close(self)

    def copying(source, target, *args, **kwargs):
        result = copyfile(source, target, *args, **kwargs)
        if Path(target).name.startswith(TEMPORARY) and Path(source).resolve() == book and at("backup"):
            _stop_here(point, marker)
        return result

    def replacing(source, target, *args, **kwargs):
        onto_book = Path(target).resolve() == book
        if onto_book and at("replacing"):
            _stop_here(point, marker)
        replace(source, target, *args, **kwargs)
        if onto_book and at("replaced"):
            _stop_here(point, marker)

    zipfile.ZipFile.close = closing  # type: ignore[method-assign]
    shutil.copyfile = copying
    os.replace = replacing


if __name__ == "__main__":
    point, marker, *arguments = sys.argv[1:]
    assert point in POINTS, f"no point {point!r}: {POINTS}"
    books = [Path(a).resolve() for a in arguments if a.endswith((".xlsx", ".xlsm"))]
    install(point, Path(marker), books[0])
    sys.argv = ["xlcrm", *arguments]
    runpy.run_module("xlcrm.cli", run_name="__main__", alter_sys=True)
