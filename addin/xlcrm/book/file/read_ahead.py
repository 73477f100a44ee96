"""Reading every sheet of a workbook in a second thread, while the command line loads its libraries.

calamine lets go of the GIL while it parses, so on two cores the reading hides the imports. The second
thread takes the sheets the longest first; once the command asks for a sheet that thread has not begun, the
command's own thread reads it (with a calamine reader of its own, as one reader is not to be used by two
threads at once), so that both parse at once while the longest sheet is still being read, instead of one
thread waiting on the other. It only fills a cache: whatever goes wrong in it (a damaged sheet, a hostile
file) is met again, and said, when the command reads the same sheet itself.

The longest sheet's bounds are checked before the command's thread goes on to its imports: the check is regular
expressions over the sheet's XML, which hold the GIL as the imports do, so run side by side each would wait on
the other, and the parse after the check (which lets go of the GIL) would start later.
"""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path
from typing import Any, Callable

import python_calamine

Grid = list[list[Any]]


class ReadAhead:
    """The second thread and what it read. workbook() opens the book's reader (its sheet parts known after),
    read(name, checked) reads a sheet whole with it (its bounds checked first unless `checked`), check(name)
    checks a sheet's bounds, parts() gives the sheets' parts, grid(sheet) makes a calamine sheet the book's rows;
    grids is the book's cache of sheets read whole, filled from both threads."""

    def __init__(self, path: Path, grids: dict[str, Grid], workbook: Callable[[], Any],
                 read: Callable[[str, bool], Grid], check: Callable[[str], None], parts: Callable[[], dict[str, str]],
                 grid: Callable[[Any], Grid]):
        self.path, self.grids = path, grids
        self._workbook, self._read, self._check, self._parts, self._grid = workbook, read, check, parts, grid
        self.names: list[str] | None = None  # the book's sheets, once the second thread has opened it
        self._unread: list[str] = []  # sheets not begun by either thread, the longest first
        self._lock = threading.Lock()
        self._own_reader: Any = None  # the command's thread's reader
        self._longest_checked = threading.Event()  # set once the longest sheet's bounds are checked (or failed)
        self._thread = threading.Thread(target=self._read_every_sheet, name="xlcrm-read-ahead")
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait_for_the_longest_check(self) -> None:
        """Return once the longest sheet's bounds are checked (at once if checking failed: said when it is read)."""
        self._longest_checked.wait()

    def _read_every_sheet(self) -> None:
        try:
            names = list(self._workbook().sheet_names)
            with zipfile.ZipFile(self.path) as archive:  # the longest first: its parse overlaps the imports most
                sizes = {name: archive.getinfo(part).file_size for name, part in self._parts().items()
                         if part in archive.NameToInfo}
            with self._lock:
                self.names, self._unread = names, sorted(names, key=lambda name: -sizes.get(name, 0))
            longest = self._next_unread()
            if longest:
                self._check(longest)
                self._longest_checked.set()
                self.grids[longest] = self._read(longest, True)
            while name := self._next_unread():
                self.grids[name] = self._read(name, False)
        except Exception:  # noqa: BLE001 - the command's own read meets it and says it
            pass
        finally:
            self._longest_checked.set()

    def _next_unread(self, wanted: str | None = None) -> str | None:
        """The next sheet not begun (or `wanted`, if not begun), now taken by the asking thread."""
        with self._lock:
            if wanted is None:
                return self._unread.pop(0) if self._unread else None
            if wanted in self._unread:
                self._unread.remove(wanted)
                return wanted
            return None

    def take(self, name: str) -> bool:
        """Read `name` in the command's thread if the second thread has not begun it; whether it is in grids."""
        return name in self.grids or (self._next_unread(name) is not None and self._read_here(name))

    def finish(self) -> None:
        """Read what is left here, wait for the second thread, and let go of this thread's reader."""
        while (name := self._next_unread()) and self._read_here(name):
            pass
        self._thread.join()
        self._own_reader = None

    def _read_here(self, name: str) -> bool:
        try:
            self._check(name)
            if self._own_reader is None:
                self._own_reader = python_calamine.CalamineWorkbook.from_path(str(self.path))
            self.grids[name] = self._grid(self._own_reader.get_sheet_by_name(name))
            return True
        except Exception:  # noqa: BLE001 - the command's own read meets it and says it
            return False
