"""The live back-end: the workbook open in Excel, through xlwings (what the ribbon buttons use).

Bulk transfers only: a sheet is read with one call, as far as its last value (extent.py: Excel's
used range also counts cells that only carry a format), and each edit writes its block of
values with one call, so the number of calls into Excel follows the edits, never the
number of rows. Screen updating and calculation are paused while writing and put back
as they were, even when a write fails; a write Excel refuses is said in the user's words
(refused.py). Excel keeps everything the team made, so there is nothing to check for loss
here; saving stays the user's decision, as in any macro.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath
from collections.abc import Sequence
from typing import Any

from xlcrm.book import Grid, SaveResult
from xlcrm.book.live.cache_folders import IN_CACHE, cache_folder
from xlcrm.book.live.extent import extent
from xlcrm.book.live.refused import refuse_protected, refused, target
from xlcrm.book.live.xlwings_edits import apply_edits
from xlcrm.core.edits import Edit
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

NO_SHEET = Msg("{book} has no sheet named '{sheet}'.", "{book} 中没有名为“{sheet}”的工作表。")
SAVE_FIRST = Msg("Save {book} to a folder on this computer first: xlcrm keeps its outbox and journal beside it. "
                 "A workbook opened from OneDrive or SharePoint that is not synced to this computer has no folder "
                 "here: sync it (or save a copy to a local folder) and open it from there.",
                 "请先把 {book} 保存到本机的文件夹中:xlcrm 会把发件箱和日志放在它旁边。"
                 "从 OneDrive 或 SharePoint 打开、但未同步到本机的工作簿在这里没有文件夹:"
                 "请先同步它(或另存一份到本机文件夹),再从那里打开。")


class LiveBook:
    """A workbook open in Excel. folder overrides where files beside the workbook go."""

    def __init__(self, book: Any, folder: str | Path | None = None):
        self._book = book
        self._folder = Path(folder) if folder else None
        self._date1904: bool | None = None

    @property
    def xw_book(self) -> Any:
        return self._book

    @property
    def name(self) -> str:
        return self._book.name

    @property
    def folder(self) -> Path:
        if self._folder:
            return self._folder
        import xlwings  # loaded already: the book is one of its objects

        try:
            fullname = local_name(self._book)
        except xlwings.XlwingsError as error:  # an https:// workbook that no synced folder holds
            raise XlcrmError(SAVE_FIRST(book=self.name)) from error
        if not (PureWindowsPath(fullname).is_absolute() or PurePosixPath(fullname).is_absolute()):
            raise XlcrmError(SAVE_FIRST(book=self.name))  # never saved, or a cloud address
        if where := cache_folder(fullname):  # opened from an e-mail or a .zip: a folder that empties itself
            raise XlcrmError(IN_CACHE(book=self.name, where=where))
        return Path(fullname).parent

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self._book.sheets]

    @property
    def date1904(self) -> bool:
        """Workbook.Date1904 (Windows), `date 1904` (macOS); False where the engine cannot say (xlwings Server)."""
        if self._date1904 is None:
            self._date1904 = _date1904(self._book)
        return self._date1904

    def read_sheet(self, name: str, max_rows: int | None = None) -> Grid:
        """Excel calculates the formulas, so none is left without a value (Grid.uncalculated is None)."""
        if name not in self.sheet_names():
            raise XlcrmError(NO_SHEET(book=self.name, sheet=name))
        sheet = self._book.sheets[name]
        rows, columns = extent(sheet, self.name)
        rows = rows if max_rows is None else min(rows, max_rows)
        values = sheet.range((1, 1), (rows, columns)).options(ndim=2).value if rows and columns else []
        day_zero = DAY_ZERO_1904 if self.date1904 else DAY_ZERO
        grid = Grid(_trimmed([[_cell(v, day_zero) for v in row] for row in values]))
        grid.date1904, grid.total_rows = self.date1904, _total_rows(sheet)
        return grid

    def apply(self, edits: Sequence[Edit]) -> SaveResult:
        """A protected sheet is refused before anything is written; anything else Excel raises while writing is an
        XlcrmError naming the sheet (an action can then say what it had done: Send reminders, the mails sent)."""
        refuse_protected(self._book, edits, self.name)
        sheet = None
        try:
            with paused(self._book.app):
                for edit in edits:
                    sheet = next(iter(target(edit)), None)
                    apply_edits(self._book, [edit])
        except XlcrmError:
            raise
        except Exception as error:  # pywintypes.com_error, appscript's CommandError, ...
            raise refused(self.name, sheet, error) from error
        return SaveResult(self.name)


def local_name(book: Any) -> str:
    """The workbook's full name on this computer. Excel names a workbook opened from OneDrive or SharePoint by its
    https:// address, which xlwings maps to the synced file by the user's settings (~/.xlwings/xlwings.conf) and
    environment (OneDrive, OneDriveCommercial), never by an xlwings.conf sheet of the workbook itself, which
    xlwings' Book.fullname reads first: a workbook received from outside does not choose where xlcrm's outbox
    and journal go."""
    import xlwings.utils

    address = _address(book)
    return xlwings.utils.fullname_url_to_local_path(address) if "://" in address else address


def _address(book: Any) -> str:
    """What Excel calls the workbook (a path, or an https:// address), asked of Excel itself; xlwings Server's
    engine, which maps no address, gives the name its client sent."""
    failed: Exception | None = None
    for ask in (lambda: book.api.FullName, lambda: book.api.full_name.get()):  # pywin32 (Windows), appscript (macOS)
        try:
            answer = ask()
        except Exception as error:  # noqa: BLE001 - not this platform's api, or an engine without one
            failed = error
            continue
        if isinstance(answer, str):
            return answer
    if book.app.engine.type == "remote":
        return book.fullname
    raise failed or TypeError("Excel gave no full name for the workbook")


# Excel's day 0, on which it hands over a time of day (14:30 is 0.604...): 1899-12-30 as a Windows VT_DATE; in a
# workbook counting from 1904, that system's day 0 too
DAY_ZERO = frozenset({dt.date(1899, 12, 30)})
DAY_ZERO_1904 = DAY_ZERO | {dt.date(1904, 1, 1)}
MIDNIGHT = dt.time()


def _cell(value: Any, day_zero: frozenset[dt.date] = DAY_ZERO) -> Any:
    """As the file back-end reads it: empty is None, a date without a time is a date, a time of day (a datetime on
    Excel's day 0) a time."""
    if value == "":
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        if value.date() in day_zero:
            return value.time()
        if value.time() == MIDNIGHT:
            return value.date()
    return value


def _date1904(book: Any) -> bool:
    """Whether the workbook counts its days from 1904; asked once, as one call into Excel."""
    for ask in (lambda: book.api.Date1904, lambda: book.api.date_1904.get()):  # pywin32 (Windows), appscript (macOS)
        try:
            answer = ask()
        except Exception:  # noqa: BLE001 - not this platform's api, or an engine without one (xlwings Server)
            continue
        if isinstance(answer, (bool, int)):  # a stand-in object (a test's, a remote book's) is no answer
            return bool(answer)
    return False


def _total_rows(sheet: Any) -> frozenset[int]:
    """Rows of the Total Rows the sheet's Excel Tables show: a few calls per table, none per row."""
    rows = set()
    for table in sheet.tables:
        if table.show_totals and (total := table.totals_row_range) is not None:
            rows.add(total.row)
    return frozenset(rows)


def _trimmed(grid: list[list[Any]]) -> list[list[Any]]:
    """Excel's used range can reach past the last value (formatted cells); the data ends at the last value."""
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    width = max((max((i + 1 for i, v in enumerate(row) if v is not None), default=0) for row in grid), default=0)
    return [row[:width] for row in grid]


def _read(getter) -> Any:
    """A setting some engines cannot read back (xlwings Server): None then."""
    try:
        return getter()
    except NotImplementedError:
        return None


@contextmanager
def paused(app: Any):
    """Screen updating and calculation off while writing; back as they were afterwards, even on error."""
    screen = _read(lambda: app.screen_updating)
    calculation = _read(lambda: app.calculation)
    app.screen_updating = False
    if calculation:
        app.calculation = "manual"
    try:
        yield
    finally:
        try:
            if calculation:
                app.calculation = calculation
        finally:
            app.screen_updating = True if screen is None else screen
