"""The file back-end: a .xlsx/.xlsm on disk, read fast (calamine), written as a patch of its package.

Writing never loses what the team made: xlcrm's edits are carried out part by part
(book/patch.py), so every part of the workbook that xlcrm does not own is copied as it is
stored. The result goes to a temporary file beside the workbook and is compared part by
part with the original (book/parts.py) as a safety net; only if nothing was lost does it
replace the workbook (keeping one backup); otherwise the result goes to a new file and the
user is told what would have been lost.
"""

from __future__ import annotations

import os
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine
from lxml import etree

from xlcrm.book import SaveResult
from xlcrm.book.parts import inventory, lost_parts
from xlcrm.book.patch import MissingSheet, patch_workbook
from xlcrm.book.sheet_xml import SheetXmlError
from xlcrm.book.workbook_patch import StrictWorkbook
from xlcrm.book.xlsx_edits import apply_edits
from xlcrm.core.edits import Edit, PutSheet
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

SUFFIXES = {".xlsx", ".xlsm"}

NOT_FOUND = Msg("Workbook not found: {path}", "找不到工作簿:{path}")
WRONG_TYPE = Msg("{path}: xlcrm works on .xlsx and .xlsm workbooks; save this file as .xlsx in Excel first.",
                 "{path}:xlcrm 只处理 .xlsx 和 .xlsm 工作簿;请先在 Excel 中另存为 .xlsx。")
UNREADABLE = Msg("{path} cannot be read as an Excel workbook ({why}). Is it password-protected or damaged?",
                 "无法读取工作簿 {path}({why})。文件是否设置了密码或已损坏?")
LOCKED = Msg("{path} is open in {app} ({lock} exists). Close it there and run again; nothing was written.",
             "{path} 正在 {app} 中打开(存在 {lock})。请先关闭再运行;本次未写入任何内容。")
NO_SHEET = Msg("{path} has no sheet named '{sheet}'.", "{path} 中没有名为“{sheet}”的工作表。")
STRICT = Msg("{path} is saved as 'Strict Open XML Spreadsheet'; save it in Excel as 'Excel Workbook (.xlsx)' first.",
              "{path} 是“Strict Open XML 电子表格”格式;请先在 Excel 中另存为“Excel 工作簿(.xlsx)”。")
CANNOT_WRITE = Msg("Cannot write {path}: {why}", "无法写入 {path}:{why}")


def lock_file(path: Path) -> tuple[Path, str] | None:
    """The lock file Excel or LibreOffice keeps beside a workbook they have open."""
    candidates = [(path.with_name("~$" + path.name), "Excel"), (path.with_name("~$" + path.name[2:]), "Excel"),
                  (path.with_name(f".~lock.{path.name}#"), "LibreOffice")]
    return next(((lock, app) for lock, app in candidates if lock.exists()), None)


def replaced_sheets(edits: list[Edit]) -> set[str]:
    """The sheets xlcrm writes whole (its own): what they held before is not the team's."""
    return {name for edit in edits if isinstance(edit, PutSheet) for name in (edit.name, *edit.aliases)}


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.backup{path.suffix}")


def elsewhere_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.xlcrm{path.suffix}")


class FileBook:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path).expanduser().resolve()
        if not self.path.exists():
            raise XlcrmError(NOT_FOUND(path=str(path)))
        if self.path.suffix.lower() not in SUFFIXES:
            raise XlcrmError(WRONG_TYPE(path=self.path.name))
        self._reader: Any = None
        self._sheets: dict[str, Any] = {}  # parsed once per run: actions read a sheet's head, then all of it
        self._grids: dict[str, list[list[Any]]] = {}

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def folder(self) -> Path:
        return self.path.parent

    def _workbook(self):
        if self._reader is None:
            try:
                self._reader = python_calamine.CalamineWorkbook.from_path(str(self.path))
            except Exception as error:  # calamine raises several unrelated types for a bad file
                raise XlcrmError(UNREADABLE(path=self.path.name, why=str(error).splitlines()[0])) from error
        return self._reader

    def sheet_names(self) -> list[str]:
        return list(self._workbook().sheet_names)

    def read_sheet(self, name: str, max_rows: int | None = None) -> list[list[Any]]:
        if name in self._grids:
            return self._grids[name][:max_rows] if max_rows is not None else self._grids[name]
        if name not in self.sheet_names():
            raise XlcrmError(NO_SHEET(path=self.path.name, sheet=name))
        if name not in self._sheets:
            self._sheets[name] = self._workbook().get_sheet_by_name(name)
        rows = self._sheets[name].to_python(skip_empty_area=False, nrows=max_rows)
        grid = [[None if v == "" else v for v in row] for row in rows]
        if max_rows is None:
            self._grids[name] = grid
        return grid

    def apply(self, edits: list[Edit]) -> SaveResult:
        locked = lock_file(self.path)
        if locked:
            raise XlcrmError(LOCKED(path=self.path.name, app=locked[1], lock=locked[0].name))
        temporary = self.path.with_name(f".~xlcrm-{uuid.uuid4().hex[:8]}{self.path.suffix}")
        try:
            outlines: dict = {}
            before = inventory(self.path, outlines)
            patch_workbook(self.path, temporary, edits)
            lost = lost_parts(before, inventory(temporary, outlines), replaced_sheets(edits))
            target = elsewhere_path(self.path) if lost else self.path
            backup = None if lost else backup_path(self.path)
            if backup:
                shutil.copy2(self.path, backup)
            os.replace(temporary, target)
        except MissingSheet as error:
            raise XlcrmError(NO_SHEET(path=self.path.name, sheet=error.sheet)) from error
        except StrictWorkbook as error:
            raise XlcrmError(STRICT(path=self.path.name)) from error
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, SheetXmlError) as error:
            raise XlcrmError(UNREADABLE(path=self.path.name, why=str(error) or type(error).__name__)) from error
        except OSError as error:
            raise XlcrmError(CANNOT_WRITE(path=self.path.name, why=error.strerror or str(error))) from error
        finally:
            temporary.unlink(missing_ok=True)
        self._reader, self._sheets, self._grids = None, {}, {}
        return SaveResult(str(target), str(backup) if backup else None, bool(lost), lost)


def create(path: str | os.PathLike, edits: list[Edit]) -> Path:
    """A new workbook made of the given sheets (the sample workbook, a report book)."""
    target = Path(path).expanduser().resolve()
    if target.suffix.lower() not in SUFFIXES:
        raise XlcrmError(WRONG_TYPE(path=target.name))
    target.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    default = book.active
    apply_edits(book, edits)
    if len(book.sheetnames) > 1:
        book.remove(default)
    book.active = 0
    temporary = target.with_name(f".~xlcrm-{uuid.uuid4().hex[:8]}{target.suffix}")
    try:
        book.save(temporary)
        os.replace(temporary, target)
    except OSError as error:
        raise XlcrmError(CANNOT_WRITE(path=target.name, why=error.strerror or str(error))) from error
    finally:
        temporary.unlink(missing_ok=True)
    return target
