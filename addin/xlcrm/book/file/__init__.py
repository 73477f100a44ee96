"""The file back-end: a .xlsx/.xlsm on disk, read fast (calamine), written as a patch of its package.

Writing never loses what the team made: xlcrm's edits are carried out part by part
(book/file/patch.py), so every part of the workbook that xlcrm does not own is copied as it is
stored. The result goes to a temporary file beside the workbook (xlcrm/files.py) and is compared part by
part with the original (book/file/part_inventory.py) as a safety net; only if nothing was lost does it
replace the workbook (keeping one backup); otherwise the result goes to a new file and the
user is told what would have been lost.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

import python_calamine
from lxml import etree

from xlcrm import files
from xlcrm.book import Grid, SaveResult
from xlcrm.book.file.allocator import give_large_blocks_back
from xlcrm.book.file.file_kinds import SUFFIXES, WRONG_TYPE, file_kind, kind_error
from xlcrm.book.file.on_disk import (as_given, backup_path, elsewhere_path, fingerprint, lock_file, read_only,
                                     replacing)
from xlcrm.book.file.package import Package
from xlcrm.book.file.read_ahead import ReadAhead
from xlcrm.book.file.sheet_xml import SheetXmlError
from xlcrm.core.edits import Edit, PutSheet
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

NOT_FOUND = Msg("Workbook not found: {path}", "找不到工作簿:{path}")
UNREADABLE = Msg("{path} cannot be read as an Excel workbook ({why}): it seems damaged or incomplete (e.g. copied "
                 "before it was fully saved). Nothing was changed. Open it in Excel, which offers to repair it, and save "
                 "it again; or use an earlier copy (xlcrm keeps the previous version as NAME.backup.xlsx beside it).",
                 "无法读取工作簿 {path}({why}):文件似乎已损坏或不完整(例如在保存完成前被复制)。原文件未做任何改动。"
                 "请用 Excel 打开(Excel 会提示修复)后重新保存;或使用较早的副本(xlcrm 会在旁边保留上一版 文件名.backup.xlsx)。")
LOCKED = Msg("{path} is open in {app} ({lock} exists). Close it there and run again; nothing was written. "
             "If {app} is not running (it closed unexpectedly), the lock file is left over: delete {lock} "
             "(a hidden file in the same folder) and run again.",
             "{path} 正在 {app} 中打开(存在 {lock})。请先关闭再运行;本次未写入任何内容。"
             "如果 {app} 并未运行(例如之前异常退出),说明这是残留的锁文件:删除同一文件夹中的隐藏文件 {lock} 后再运行。")
NO_SHEET = Msg("{path} has no sheet named '{sheet}'.", "{path} 中没有名为“{sheet}”的工作表。")
STRICT = Msg("{path} is saved as 'Strict Open XML Spreadsheet'; save it in Excel as 'Excel Workbook (.xlsx)' first.",
              "{path} 是“Strict Open XML 电子表格”格式;请先在 Excel 中另存为“Excel 工作簿(.xlsx)”。")
CANNOT_WRITE = Msg("Cannot write {path}: {why}. The workbook is unchanged. Check that its folder is writable and "
                   "the disk has free space.",
                   "无法写入 {path}:{why}。工作簿未做任何改动。请检查所在文件夹是否可写、磁盘是否还有空间。")
NO_PERMISSION = Msg("Cannot write {path}: {why}. The workbook is unchanged. It may be open in another program (Excel, "
                    "WPS, a sync client such as OneDrive), or its folder may be read-only: close it there, or copy the "
                    "workbook to a folder you can write to, and run again.",
                    "无法写入 {path}:{why}。工作簿未做任何改动。它可能正被其他程序占用(Excel、WPS、OneDrive 等同步盘),"
                    "或所在文件夹是只读的:请先在那里关闭它,或把工作簿复制到可写的文件夹,再运行。")
READ_ONLY = Msg("{path} is read-only, so xlcrm does not change it. Clear 'Read-only' in the file's properties "
                "(or work on a copy) and run again; nothing was written.",
                "{path} 是只读文件,xlcrm 不会修改它。请在文件属性中取消“只读”(或另存一份副本)后再运行;本次未写入任何内容。")
CHANGED = Msg("{path} was changed by someone else (another xlcrm run, or a save in Excel) while xlcrm was working on "
              "it. Nothing was written, so their change is kept; run xlcrm again.",
              "xlcrm 处理期间,{path} 被其他程序修改了(另一个 xlcrm 运行,或在 Excel 中保存)。为保留对方的修改,本次未写入"
              "任何内容;请再运行一次 xlcrm。")
NOT_A_FILE = Msg("{path} is a folder, not a workbook: give the path of the .xlsx file inside it.",
                 "{path} 是文件夹,不是工作簿:请给出其中 .xlsx 文件的路径。")
LOCK_FILE = Msg("{path} is the lock file Excel or LibreOffice keeps while {book} is open, not a workbook: run xlcrm on "
                "{book} (closed first).", "{path} 是 Excel 或 LibreOffice 在打开 {book} 时生成的锁文件,不是工作簿:请先关闭 "
                "{book},再对它运行 xlcrm。")
NO_WORKBOOK_PART = Msg("{path} is a ZIP file without the workbook part ({part}): not an Excel workbook, or a damaged "
                       "one. Nothing was changed. Open it in Excel, which offers to repair it, and save it again; or "
                       "use an earlier copy.",
                       "{path} 是 ZIP 文件,但缺少工作簿部件({part}):不是 Excel 工作簿,或已损坏。原文件未做任何改动。"
                       "请用 Excel 打开(Excel 会提示修复)后重新保存;或使用较早的副本。")
BAD_SHEET = Msg("Sheet '{sheet}' in {path} cannot be read ({why}): the file seems damaged. Nothing was changed. "
                "Open it in Excel, which offers to repair it, and save it again; or use an earlier copy.",
                "无法读取 {path} 的工作表“{sheet}”({why}):文件似乎已损坏。原文件未做任何改动。请用 Excel 打开(Excel 会"
                "提示修复)后重新保存;或使用较早的副本。")
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, etree.XMLSyntaxError, ElementTree.ParseError,
               SheetXmlError, EOFError, NotImplementedError)  # what zipfile and the XML readers raise


def replaced_sheets(edits: Sequence[Edit]) -> set[str]:
    """The sheets xlcrm writes whole (its own): what they held before is not the team's."""
    return {name for edit in edits if isinstance(edit, PutSheet) for name in (edit.name, *edit.aliases)}


LARGE_SHEET_ROWS = 200_000  # a sheet this long makes the run's memory worth handing back as it goes
KEPT_ROWS = 1_000  # a sheet read whole is kept for the run up to this long; of a longer one, these first rows
READ_AHEAD_BYTES = 16 << 20  # a larger workbook is read sheet by sheet as asked: every sheet at once costs memory


class FileBook:
    def __init__(self, path: str | os.PathLike):
        self.path = as_given(path).resolve()
        if self.path.name.startswith(("~$", ".~lock.")):
            raise XlcrmError(LOCK_FILE(path=self.path.name, book=self.path.name.removeprefix("~$").removeprefix(
                ".~lock.").rstrip("#")))
        if not self.path.exists():
            raise XlcrmError(NOT_FOUND(path=str(path)))
        if self.path.is_dir():
            raise XlcrmError(NOT_A_FILE(path=str(path)))
        try:
            kind = file_kind(self.path)
        except OSError as error:
            raise XlcrmError(UNREADABLE(path=self.path.name, why=error.strerror or str(error))) from error
        if kind:
            raise kind_error(self.path, kind)
        self._seen: tuple | None = None  # the file as xlcrm read it: a write over someone else's change is refused
        self._reader: Any = None
        self._sheets: dict[str, Any] = {}  # parsed once per run: actions read a sheet's head, then all of it
        self._parts: dict[str, str] = {}  # sheet name -> its part, for the bounds checked before calamine reads it
        self._grids: dict[str, list[list[Any]]] = {}  # small sheets whole; of a long one only its head (below)
        self._long: set[str] = set()  # sheets read whole whose grid was not kept: the caller holds the only copy
        self._ahead: ReadAhead | None = None
        self._ahead_grids: dict[str, list[list[Any]]] = {}  # read ahead whole, not yet asked for whole
        self._date1904: bool | None = None  # known once the package is checked
        self._formula_cells: dict[tuple[str, int], dict[int, str | None]] = {}  # (sheet, column) -> _uncalculated
        self._total_rows: dict[str, frozenset[int]] = {}  # sheet -> its Tables' total rows, with the date system

    def read_ahead(self) -> None:
        """Start reading every sheet in a second thread, while the caller loads its libraries
        (book/file/read_ahead.py); a workbook past READ_AHEAD_BYTES is read sheet by sheet as asked. Returns once
        the longest sheet's bounds are checked, as the caller's imports would slow that check as much as it slows
        them."""
        if self._ahead is None and self.path.stat().st_size <= READ_AHEAD_BYTES:
            self._ahead = ReadAhead(self.path, self._ahead_grids, self._workbook,
                                    lambda name, checked: self._read(name, None, checked), self._check_sheet,
                                    lambda: self._parts, _grid)
            self._ahead.wait_for_the_longest_check()

    @property
    def reading_ahead(self) -> bool:
        return self._ahead is not None and self._ahead.alive

    def _wait_for_read_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.finish()
            self._ahead = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def folder(self) -> Path:
        return self.path.parent

    def _workbook(self):
        if self._reader is None:
            self._seen = fingerprint(self.path)
            self._parts = self._within_bounds()
            try:
                self._reader = python_calamine.CalamineWorkbook.from_path(str(self.path))
            except Exception as error:  # calamine raises several unrelated types for a bad file
                raise XlcrmError(UNREADABLE(path=self.path.name, why=str(error).splitlines()[0])) from error
        return self._reader

    def _within_bounds(self) -> dict[str, str]:
        """The package checked against the ceilings before calamine unpacks it; its sheets' parts."""
        from xlcrm.book.file import bounds, table_totals  # here: opening a workbook to read stays light

        try:
            with zipfile.ZipFile(self.path) as archive:
                bounds.check_package(archive)
                package = Package(self.path, archive)
                if package.workbook not in package.names:
                    raise XlcrmError(NO_WORKBOOK_PART(path=self.path.name, part=package.workbook))
                for part in package.names & {"xl/sharedStrings.xml", "xl/styles.xml", package.workbook}:
                    bounds.drain(archive, part)  # calamine reads these whole when it opens the workbook
                self._date1904, sheets = package.date1904, package.sheets()
                self._total_rows = {entry.name: table_totals.total_rows(package, entry.part) for entry in sheets}
                return {entry.name: entry.part for entry in sheets}
        except bounds.OutOfBounds as error:
            raise XlcrmError(error.msg(path=self.path.name)) from error
        except READ_ERRORS as error:
            raise XlcrmError(UNREADABLE(path=self.path.name, why=_why(error))) from error

    def _check_sheet(self, name: str) -> None:
        from xlcrm.book.file import bounds

        part = self._parts.get(name)
        if not part:
            return
        try:
            with zipfile.ZipFile(self.path) as archive:
                if part in archive.NameToInfo:
                    bounds.check_extent(bounds.extent(archive, part))
        except bounds.OutOfBounds as error:
            raise XlcrmError(error.msg(path=self.path.name, sheet=name)) from error
        except READ_ERRORS as error:
            raise XlcrmError(BAD_SHEET(path=self.path.name, sheet=name, why=_why(error))) from error

    def sheet_names(self) -> list[str]:
        if self._ahead is not None and self._ahead.names is not None:  # known while the sheets are still read
            return list(self._ahead.names)
        self._wait_for_read_ahead()
        return list(self._workbook().sheet_names)

    @property
    def date1904(self) -> bool:
        if self._date1904 is None:  # the package not checked yet (reading ahead checks it before read_ahead returns)
            self._workbook()
        return bool(self._date1904)

    def read_sheet(self, name: str, max_rows: int | None = None) -> Grid:
        grid = Grid(self._rows(name, max_rows))  # a new list of the same rows, not a copy of them
        grid.date1904, grid.uncalculated = self.date1904, lambda column: self._uncalculated(name, column)
        grid.total_rows = self._total_rows.get(name, frozenset())
        return grid

    def _rows(self, name: str, max_rows: int | None) -> list[list[Any]]:
        if self._ahead is not None and not self._ahead.take(name):  # being read, or not to be read ahead
            self._wait_for_read_ahead()
        if name in self._ahead_grids:
            if max_rows is not None:
                return self._ahead_grids[name][:max_rows]
            return self._keep(name, self._ahead_grids.pop(name))
        if name in self._grids and (name not in self._long or max_rows is not None and max_rows <= KEPT_ROWS):
            return self._grids[name][:max_rows] if max_rows is not None else self._grids[name]
        if name not in self.sheet_names():
            raise XlcrmError(NO_SHEET(path=self.path.name, sheet=name))
        grid = self._read(name, max_rows)
        return grid if max_rows is not None else self._keep(name, grid)

    def _uncalculated(self, name: str, column: int) -> dict[int, str | None]:
        from xlcrm.book.file import bounds  # the sheet read again: only when asked, once per column

        if (name, column) not in self._formula_cells:
            try:
                part = self._parts.get(name)
                self._formula_cells[name, column] = bounds.uncalculated(self.path, part, column) if part else {}
            except READ_ERRORS as error:
                raise XlcrmError(BAD_SHEET(path=self.path.name, sheet=name, why=_why(error))) from error
        return self._formula_cells[name, column]

    def _read(self, name: str, max_rows: int | None, checked: bool = False) -> list[list[Any]]:
        """The sheet's rows (its bounds checked first, unless `checked` says they were)."""
        try:
            if name not in self._sheets:
                if not checked:
                    self._check_sheet(name)
                self._sheets[name] = self._workbook().get_sheet_by_name(name)
            rows = _grid(self._sheets[name], max_rows)
        except XlcrmError:
            raise
        except Exception as error:  # calamine's XmlError and the like: a damaged sheet
            raise XlcrmError(BAD_SHEET(path=self.path.name, sheet=name, why=_why(error))) from error
        if max_rows is None:
            del self._sheets[name]  # calamine's copy of the cells: as large again as the grid, not needed any more
        return rows

    def _keep(self, name: str, grid: list[list[Any]]) -> list[list[Any]]:
        """A sheet read whole, kept for the run's later reads (of a long one only its head)."""
        self._grids[name] = grid if len(grid) <= KEPT_ROWS else grid[:KEPT_ROWS]
        if len(grid) > KEPT_ROWS:  # a million orders' rows would stay alive beside the table made of them
            self._long.add(name)
        if len(grid) > LARGE_SHEET_ROWS:  # not for smaller ones: a page fault per new block costs ~5% of a run
            give_large_blocks_back()
        return grid

    def apply(self, edits: Sequence[Edit]) -> SaveResult:
        from xlcrm.book.file.part_inventory import inventory, lost_parts, stored_alike  # the writing half
        from xlcrm.book.file.patch import MissingSheet, patch_workbook
        from xlcrm.book.file.workbook_patch import StrictWorkbook

        self._wait_for_read_ahead()
        locked = lock_file(self.path)
        if locked:
            raise XlcrmError(LOCKED(path=self.path.name, app=locked[1], lock=locked[0].name))
        if read_only(self.path):
            raise XlcrmError(READ_ONLY(path=self.path.name))
        files.remove_stale(self.path.parent)
        try:
            with files.beside(self.path) as temporary:
                self._refuse_if_changed()
                patch_workbook(self.path, temporary, edits)
                alike = stored_alike(self.path, temporary)
                lost = lost_parts(inventory(self.path, alike), inventory(temporary, alike), replaced_sheets(edits))
                target = elsewhere_path(self.path) if lost else self.path
                backup = None if lost else backup_path(self.path)
                with replacing(self.path):  # two runs on this machine never both pass the check below
                    self._refuse_if_changed()
                    if backup:
                        files.copy(self.path, backup)  # a full disk never leaves half a backup
                    files.replace(temporary, target, mode_of=self.path)  # keeps who may read and write it
                    self._seen = fingerprint(self.path)
        except MissingSheet as error:
            raise XlcrmError(NO_SHEET(path=self.path.name, sheet=error.sheet)) from error
        except StrictWorkbook as error:
            raise XlcrmError(STRICT(path=self.path.name)) from error
        except READ_ERRORS as error:
            self._refuse_if_changed()  # replaced while being read: say so, not that it is damaged
            raise XlcrmError(UNREADABLE(path=self.path.name, why=_why(error))) from error
        except OSError as error:
            why = error.strerror or str(error)
            message = NO_PERMISSION if isinstance(error, PermissionError) else CANNOT_WRITE
            raise XlcrmError(message(path=self.path.name, why=why)) from error
        self._reader, self._sheets, self._grids, self._long, self._ahead_grids, self._formula_cells = None, {}, {}, set(), {}, {}
        return SaveResult(str(target), str(backup) if backup else None, bool(lost), lost)

    def _refuse_if_changed(self) -> None:
        if self._seen and fingerprint(self.path) != self._seen:
            raise XlcrmError(CHANGED(path=self.path.name))


NOT_A_FOLDER = Msg("Cannot write {path}: {folder} is a file, not a folder. Nothing was written; give a path in a "
                   "folder (or a new folder's name).",
                   "无法写入 {path}:{folder} 是文件而不是文件夹。未写入任何内容;请给出位于文件夹中的路径(或新文件夹的名称)。")


def make_folder(folder: Path, target: Path | None = None) -> None:
    """folder and its parents, or a message naming what is in the way (a file with that name)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise XlcrmError(NOT_A_FOLDER(path=(target or folder).name, folder=blocking)) from error
    except OSError as error:
        raise XlcrmError(CANNOT_WRITE(path=(target or folder).name, why=error.strerror or str(error))) from error


def _grid(sheet: Any, max_rows: int | None = None) -> list[list[Any]]:
    """A calamine sheet's rows, an empty cell as None, and a value merged down a column (an owner over their
    customers, an order's date over its lines) in every row it covers, as the team sees it."""
    rows = [[None if v == "" else v for v in row] if "" in row else row  # most rows are full
            for row in sheet.to_python(skip_empty_area=False, nrows=max_rows)]
    for (top, column), (bottom, right) in getattr(sheet, "merged_cell_ranges", None) or ():
        if right == column and bottom > top and top < len(rows) and column < len(rows[top]):
            value = rows[top][column]
            for row in rows[top + 1:bottom + 1] if value is not None else ():
                if column < len(row) and row[column] is None:
                    row[column] = value
    return rows


def _why(error: Exception) -> str:
    return (str(error).splitlines() or [""])[0] or type(error).__name__


def create(path: str | os.PathLike, edits: Sequence[Edit]) -> Path:
    """A new workbook made of the given sheets (the sample workbook, a report book)."""
    import openpyxl

    from xlcrm.book.file.openpyxl_edits import apply_edits

    target = as_given(path).resolve()
    if target.suffix.lower() not in SUFFIXES:
        raise XlcrmError(WRONG_TYPE(path=target.name))
    make_folder(target.parent, target)
    book = openpyxl.Workbook()
    default = book.worksheets[0]  # the one sheet of a new workbook
    apply_edits(book, edits)
    if len(book.sheetnames) > 1:
        book.remove(default)
    book.active = 0
    try:
        with files.writing(target) as temporary:
            book.save(temporary)
    except OSError as error:
        raise XlcrmError(CANNOT_WRITE(path=target.name, why=error.strerror or str(error))) from error
    return target
