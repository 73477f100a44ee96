"""Limits checked before calamine reads a workbook, so that a hostile or broken file is refused in seconds.

calamine unpacks a part whole and sizes a sheet's grid from its farthest cells: one value at XFD1048576
asks for 17 billion cells (hundreds of GiB; the process aborts), a stray value in A1048576 makes 60
customers a million rows, and a small file can unpack to gigabytes. So the package's declared sizes are
held to a ceiling (and zipfile holds each part to its declared size while reading), and each sheet's cell
references are scanned, streamed, before calamine reads it: a sheet whose values lie far apart, or whose
used range is too large, is refused with where its values are.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import unescape

from xlcrm.core.i18n import Msg

MAX_PART = 512 * 2**20  # bytes one part may unpack to: a 500,000-row sheet of 30 columns takes about half
MAX_TOTAL = 1024 * 2**20  # bytes the whole package may unpack to
MAX_CELLS = 30_000_000  # rows x columns of a sheet's used range (each a Python object once read)
ROW_GAP = 10_000  # empty rows between values that no table has: what lies past them is a stray value
COLUMN_GAP = 1_000
CHUNK = 2**20

_ROW_TAG = re.compile(rb'row [^>]*?\br="([0-9]{1,7})"')  # a literal start is fast; matches <x:row too
_WIDE_REF = re.compile(rb' r="([A-Z]{2,3})[0-9]')  # columns AA and beyond
# A cell with a value: <c ... r="B7" ...> with something inside (<c r="B7" s="1"/> or <c ...></c> is only a format)
_VALUE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>'
                         rb'(?!</(?:[A-Za-z_][\w.-]*:)?c>)')

TOO_LARGE = Msg("{path}: its part {part} unpacks to {size} MB, more than the {limit} MB xlcrm reads (a small file "
                "that unpacks to gigabytes is a 'zip bomb', or the file is damaged). Nothing was changed. If it is "
                "your workbook, open it in Excel, delete what is not needed and save it again.",
                "{path}:其中的部件 {part} 解压后有 {size} MB,超过 xlcrm 可读取的 {limit} MB(小文件解压出数 GB "
                "是“压缩炸弹”,或文件已损坏)。原文件未做任何改动。如果这是您的工作簿,请在 Excel 中打开,删除不需要"
                "的内容后重新保存。")
FAR_VALUE = Msg("Sheet '{sheet}' in {path} has a value in {far}, {gap} empty {unit} away from the rest of the sheet "
                "(which ends at {near}): most likely typed there by accident. Nothing was changed. In Excel, "
                "Ctrl+End jumps to it: delete it (or move it next to the table), save, and run again.",
                "{path} 的工作表“{sheet}”在{far}有内容,与表中其余内容(止于{near})之间隔着 {gap} 个空{unit}:"
                "多半是误输入。原文件未做任何改动。在 Excel 中按 Ctrl+End 可跳到该处:删除它(或移到表格旁),"
                "保存后再运行。")
TOO_MANY_CELLS = Msg("Sheet '{sheet}' in {path} spans {rows} rows by {columns} columns, more than the {limit} "
                     "cells xlcrm reads in one sheet. Nothing was changed. Delete what lies far from the table "
                     "(Ctrl+End in Excel shows the last cell) or split the sheet, save, and run again.",
                     "{path} 的工作表“{sheet}”占用 {rows} 行 × {columns} 列,超过 xlcrm 单个工作表可读取的 "
                     "{limit} 个单元格。原文件未做任何改动。请删除远离表格的内容(在 Excel 中按 Ctrl+End 可看到最后"
                     "一个单元格)或拆分工作表,保存后再运行。")


ROWS, COLUMNS = Msg("rows", "行"), Msg("columns", "列")
ROW, COLUMN = Msg("row {name}", "第 {name} 行"), Msg("column {name}", "第 {name} 列")


class OutOfBounds(Exception):
    """The file is past a limit; msg says which (its {path} and {sheet} are filled in by the caller)."""

    def __init__(self, msg: Msg):
        super().__init__(msg.en)
        self.msg = msg


@dataclass
class Extent:
    rows: list[int]  # rows holding a value, distinct and ascending (1-based)
    columns: list[int]  # columns holding a value, distinct and ascending (1-based)


def check_package(archive: zipfile.ZipFile) -> None:
    """Every part, and the whole, unpacks to no more than the ceiling (as declared; zipfile holds parts to it)."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > MAX_PART or total > MAX_TOTAL:
            part = info.filename if info.file_size > MAX_PART else "(all parts)"
            size = info.file_size if info.file_size > MAX_PART else total
            limit = MAX_PART if info.file_size > MAX_PART else MAX_TOTAL
            raise OutOfBounds(TOO_LARGE(part=part, size=size // 2**20, limit=limit // 2**20))


def drain(archive: zipfile.ZipFile, part: str) -> None:
    """Unpack a part and throw it away: a part larger than it says fails here (zipfile stops at the declared
    size and the checksum then differs), before calamine unpacks it without a limit."""
    with archive.open(part) as stream:
        while stream.read(CHUNK):
            pass


def extent(archive: zipfile.ZipFile, part: str) -> Extent:
    """The rows and columns of a worksheet part that hold values, from its cell references (streamed).

    A first pass looks at row tags and wide column letters only (a fraction of calamine's time); only a sheet
    it finds spread out is read again cell by cell, to tell values from formatted empty cells."""
    quick = _scan(archive, part, _quick)
    try:
        check_extent(quick)
    except OutOfBounds:
        return _scan(archive, part, _values)
    return quick


def _quick(text: bytes, rows: list[bytes], columns: set[bytes]) -> None:
    rows += _ROW_TAG.findall(text)  # rows with a height only, too: a gap they make is checked cell by cell
    if b' r="' in text:
        columns.add(b"Z")  # one-letter columns are not told apart: A-Z, the fewest a gap can start from
    columns.update(_WIDE_REF.findall(text))


def _values(text: bytes, rows: list[bytes], columns: set[bytes]) -> None:
    found = _VALUE_CELL.findall(text)
    columns.update(column for column, _ in found)
    rows += {row for _, row in found}


def _scan(archive: zipfile.ZipFile, part: str, collect) -> Extent:
    rows: list[bytes] = []  # as found (a row per tag): made distinct and sorted at once at the end
    columns: set[bytes] = set()
    for text in _texts(archive, part, b"<"):  # a tag cut by the chunk's end is read whole with the next chunk
        collect(text, rows, columns)
    # no numpy here: a file read ahead would wait for it to load in the other thread before it could start
    return Extent(sorted(set(map(int, rows))), sorted(_column_number(c) for c in columns))


def _texts(archive: zipfile.ZipFile, part: str, cut_before: bytes, cut_after: bytes = b"") -> Iterator[bytes]:
    """A part's XML, streamed a chunk at a time, each chunk cut where the next is to start: after its last
    `cut_after` if given and found, else before its last `cut_before`."""
    carry = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            text = carry + chunk
            after = text.rfind(cut_after) if cut_after else -1
            cut = after + len(cut_after) if after >= 0 else text.rfind(cut_before)
            text, carry = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
            yield text
    yield carry


# Whether a chunk may hold a formula (never wrong when it says no: <f>, </f>, <x:f>, <f t="shared" si="0"/>), a
# regular expression for its fast literal search (several times quicker than `in` for each)
_MAY_HOLD_FORMULA = re.compile(rb"f[ >]")
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"


def uncalculated(path: Path, part: str, column: int) -> dict[int, str | None]:
    """Excel row -> formula (None for a shared formula's later cells) of the column's cells that hold a formula
    and no calculated value: no <v>, or an empty one (openpyxl's) that is not a formula's empty text (t="str",
    Excel's). Such a cell reads as empty; a workbook written by a program is calculated when Excel or
    LibreOffice opens and saves it. Reads the sheet again (about as long as extent): asked only about a needed
    cell found empty, never on the way every sheet is read."""
    letters, number = b"", column + 1  # A, Z, AA as in the cells' references
    while number:
        number, rest = divmod(number - 1, 26)
        letters = bytes([65 + rest]) + letters
    # from the cell's reference (a literal start, found fast; Excel and openpyxl write it first) to its end
    cell = re.compile(rb" r=\"" + letters + rb"([0-9]{1,7})\"([^>]*)>\s*"
                      rb"(?:<" + _NS + rb"f\b[^>]*/>|<" + _NS + rb"f\b[^>]*>([^<]*)</" + _NS + rb"f>)\s*"
                      rb"(<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>)?\s*</" + _NS + rb"c>")
    found: dict[int, str | None] = {}
    with zipfile.ZipFile(path) as archive:
        if part not in archive.NameToInfo:
            return found
        for text in _texts(archive, part, b"<", b"row>"):  # a row (so a cell) whole in one chunk, where it fits
            if not _MAY_HOLD_FORMULA.search(text):
                continue
            for row, attributes, formula, empty in cell.findall(text):
                if empty and b't="str"' in attributes:  # calculated: a formula's empty text ("")
                    continue
                found[int(row)] = "=" + unescape(formula.decode("utf-8", "replace"), _ENTITIES) if formula else None
    return found


_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def check_extent(found: Extent) -> None:
    """Refuse a sheet whose values lie far apart, or whose used range calamine would build too large."""
    row, column = (lambda n: ROW(name=f"{n:,}")), (lambda n: COLUMN(name=_letters(n)))
    for numbers, gap_limit, unit, place in ((found.rows, ROW_GAP, ROWS, row),
                                            (found.columns, COLUMN_GAP, COLUMNS, column)):
        gap = next(((before, after) for before, after in pairwise(numbers) if after - before - 1 > gap_limit), None)
        if gap:
            before, after = gap
            raise OutOfBounds(FAR_VALUE(far=place(after), near=place(before), gap=f"{after - before - 1:,}",
                                        unit=unit))
    rows, columns = (n[-1] if n else 0 for n in (found.rows, found.columns))
    if rows * columns > MAX_CELLS:
        raise OutOfBounds(TOO_MANY_CELLS(rows=f"{rows:,}", columns=f"{columns:,}", limit=f"{MAX_CELLS:,}"))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _letters(number: int) -> str:
    from xlcrm.core.table import column_letter  # here: a file read ahead must not wait for pandas to load

    return column_letter(number - 1)
