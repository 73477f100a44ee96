"""xlcrm's own sheets, made by openpyxl in a scratch workbook and moved into the team's package.

put_sheet (book/file/openpyxl_edits.py) draws a PutSheet (merges, widths, row styles, formats, freeze,
charts...) in an empty openpyxl workbook. Its sheet is then carried over part by part:
shared strings become inline strings, style indexes are re-pointed into the team's
styles.xml (appended there when new), and its drawing and chart parts get names not yet
used in the team's package. Nothing of the team's workbook ever passes through openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from lxml import etree
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from xlcrm.book.file.openpyxl_edits import apply_edits, put_sheet
from xlcrm.book.file.plain_rows import PlainRows, PlainXml, dimension, learn_styles, split
from xlcrm.book.file.package import MAIN, Package, free_name, local, numbered, parse, rels_name, relative
from xlcrm.book.file.sheet_xml import SheetStream, cell_pattern
from xlcrm.book.file.styles_patch import Styles
from xlcrm.core.edits import Edit, PutSheet

_ATTRIBUTE = re.compile(rb'([\w:.-]+)="([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')  # openpyxl numbers every row
_REDUNDANT_NS = f' xmlns="{MAIN}"'.encode()


@dataclass
class Transplanted:
    """The parts one xlcrm sheet brings into the team's package: name -> bytes, and their content types."""

    parts: dict[str, bytes] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)


class Scratch:
    """The scratch workbook openpyxl wrote, open for reading."""

    def __init__(self, edits: list[Edit], date1904: bool = False):
        book = openpyxl.Workbook()  # its default sheet stays the active one: xlcrm's sheets are never selected
        if date1904:  # the team's date system: openpyxl writes a date as its serial counted from the epoch
            book.epoch = CALENDAR_MAC_1904
        self.date1904 = date1904
        self.plain: dict[str, PlainRows | None] = {}  # a long sheet's plain rows, written apart
        for edit in edits:
            if isinstance(edit, PutSheet) and not any(getattr(e, "sheet", None) in (edit.name, *edit.aliases)
                                                      for e in edits):
                edit, plain = split(edit)
                self.plain[edit.name] = plain
                put_sheet(book, edit, {number for number, _ in plain.rows} if plain else ())
            else:
                if isinstance(edit, PutSheet):
                    self.plain[edit.name] = None
                apply_edits(book, [edit])
        for plain in self.plain.values():
            if plain:
                learn_styles(book, plain)
        data = io.BytesIO()
        book.save(data)
        self.package = Package(Path("scratch.xlsx"), zipfile.ZipFile(data))
        styles_part = next(r.target for r in self.package.relationships(self.package.workbook)
                           if r.type.endswith("/styles"))
        self.styles = Styles(self.package.read(styles_part))
        self.strings = self._strings()

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.package.sheets()]

    def _strings(self) -> list[bytes]:
        part = next((r.target for r in self.package.relationships(self.package.workbook)
                     if r.type.endswith("/sharedStrings")), None)
        if part is None:
            return []
        root = parse(self.package.read(part))
        return [b"".join(etree.tostring(c).replace(_REDUNDANT_NS, b"") for c in si) for si in root]

    def transplant(self, name: str, styles: Styles, part: str, taken: set[str], selected: bool) -> Transplanted:
        """Sheet `name` as the team's part `part`, with the parts it uses under free names."""
        source = next(s.part for s in self.package.sheets() if s.name == name)
        moved = Transplanted()
        moved.parts[part] = _SheetCopy(self, styles, selected, self.plain.get(name)).copy(source)
        moved.types[part] = self.package.types.of(source)
        self._move_related(source, part, taken, moved)
        return moved

    def _move_related(self, source: str, target: str, taken: set[str], moved: Transplanted) -> None:
        rels = self.package.relationships(source)
        for rel in rels.root:
            if rel.get("TargetMode") == "External":
                continue
            old = next(r.target for r in rels if r.id == rel.get("Id"))
            new = free_name(taken, *numbered(old))
            rel.set("Target", relative(target, new))
            moved.parts[new] = self.package.read(old)
            moved.types[new] = self.package.types.of(old)
            self._move_related(old, new, taken, moved)
        if len(rels.root):
            moved.parts[rels_name(target)] = rels.to_bytes()


class _SheetCopy:
    """One scratch sheet's XML rewritten for the team's package."""

    def __init__(self, scratch: Scratch, styles: Styles, selected: bool, plain: PlainRows | None = None):
        self.scratch, self.styles, self.selected, self.plain = scratch, styles, selected, plain
        self.style_map: dict[int, int] = {}

    def copy(self, part: str) -> bytes:
        out = io.BytesIO()
        with self.scratch.package.open(part) as source:
            sheet = SheetStream(source)
            out.write(sheet.edited_head(self._head))
            cells = cell_pattern(sheet.prefix)
            plain = self.plain and PlainXml(self.plain, sheet.prefix, lambda i: self.style(i) if i else 0,
                                            self.scratch.date1904)
            for is_row, piece in sheet.rows():
                if is_row and plain:
                    number = _ROW_NUMBER.search(piece)
                    assert number, "openpyxl numbers every row"
                    out.writelines(plain.before(int(number.group(1))))
                out.write(cells.sub(self._cell, self._row_style(piece)) if is_row else piece)
            if plain:
                out.writelines(plain.before(None))
            out.write(sheet.edited_tail(sheet.tail(), self._tail))
        return out.getvalue()

    def style(self, index: int) -> int:
        if index not in self.style_map:
            self.style_map[index] = self.styles.import_xf(self.scratch.styles, index)
        return self.style_map[index]

    def _head(self, root: etree._Element) -> None:
        for element in root.iter():
            if local(element.tag) == "col" and (style := element.get("style")):
                element.set("style", str(self.style(int(style))))
            elif local(element.tag) == "dimension" and self.plain:
                element.set("ref", dimension(element.get("ref", "A1"), self.plain))
            elif local(element.tag) == "sheetView":
                if self.selected:
                    element.set("tabSelected", "1")
                elif "tabSelected" in element.attrib:
                    del element.attrib["tabSelected"]

    def _tail(self, root: etree._Element) -> None:
        for rule in root.iter():
            if local(rule.tag) == "cfRule" and (dxf := rule.get("dxfId")):
                rule.set("dxfId", str(self.styles.import_dxf(self.scratch.styles, int(dxf))))

    def _row_style(self, row: bytes) -> bytes:
        end = row.find(b">")
        return re.sub(rb'\ss="(\d+)"', lambda m: b' s="%d"' % self.style(int(m.group(1))), row[:end]) + row[end:]

    def _cell(self, found: re.Match) -> bytes:
        cell = found.group(0)
        end = cell.find(b">")
        closed = cell[end - 1:end] == b"/"
        attributes = dict(_ATTRIBUTE.findall(cell[:end]))
        content = b"" if closed else cell[end + 1:cell.rfind(b"</")]
        if b"s" in attributes:
            attributes[b"s"] = str(self.style(int(attributes[b"s"]))).encode()
            if attributes[b"s"] == b"0":
                del attributes[b"s"]
        if attributes.get(b"t") == b"s":
            index = _VALUE.search(content)
            assert index is not None, "a shared-string cell holds its string's number"
            attributes[b"t"] = b"inlineStr"
            content = b"<is>" + self.scratch.strings[int(index.group(1))] + b"</is>"
        start = b"<c" + b"".join(b' %s="%s"' % item for item in attributes.items())
        return start + b"/>" if closed and not content else start + b">" + content + b"</c>"

