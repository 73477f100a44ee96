"""SetCells and SetHighlights carried out on one of the team's sheets, as a stream over its XML.

Rows xlcrm writes into get their cells inserted (in column order) or replaced; rows it
needs that do not exist are created in order; every other row is copied as it is. The
<dimension> grows to cover what was written. xlcrm's conditional format rules (tagged) are
replaced; the team's stay, and the new block goes where the worksheet schema wants it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import zip_longest
from typing import IO, Callable, Iterator

from lxml import etree

from xlcrm.book.file.cell_xml import PLAIN_TYPES, CellWriter, column_letter, date_kind, split_ref, style_attribute
from xlcrm.book.file.openpyxl_edits import HEADER_FILL
from xlcrm.book.file.package import local, namespace, q
from xlcrm.book.file.row_cells import RowCells
from xlcrm.book.file.sheet_xml import Buffered, SheetStream, mask
from xlcrm.book.file.styles_patch import Styles
from xlcrm.core.edits import FORMATS, Edit, SetCells, SetHighlights, holds_formula, is_tagged, tagged

CLEAR = ""
_AHEAD = 2048  # rows whose new cells are made at once
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")
_SPANS = re.compile(rb"\sspans\s*=\s*[\"']([^\"']*)[\"']")
_CELL_STYLE = re.compile(rb"\ss\s*=\s*[\"'](\d+)[\"']")
# Elements a <conditionalFormatting> block follows in a worksheet (schema order).
_BEFORE_RULES = {"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                 "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                 "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting"}


class _Block:
    """One SetCells: its rectangle, and the style of each of its cells."""

    def __init__(self, edit: SetCells, styles: Styles):
        self.edit = edit
        edit.formulas_kept.clear()  # what this write leaves, not an earlier one
        self.first, self.last = edit.row, edit.row + len(edit.values) - 1
        self.width = max((len(row) for row in edit.values), default=0)
        align = edit.align.get
        self.headers = [styles.cell_style(bold=True, fill=HEADER_FILL.fgColor.rgb[-6:], align=align(c))
                        for c in range(self.width)] if edit.header else []
        self.formats = {c: styles.cell_style(FORMATS.get(edit.formats.get(c, "")), align=align(c))
                        for c in range(self.width) if edit.formats.get(c) in FORMATS or align(c)}
        kinds: set[tuple[str | None, str | None]] = set()
        for c, column in enumerate(zip_longest(*edit.values[1 if edit.header else 0:])):
            rare = set(map(type, column)) - PLAIN_TYPES  # text and numbers have no date kind
            if rare and c not in edit.formats:
                kinds.update((date_kind(v), align(c)) for v in column if type(v) in rare)
        self.dates = {(kind, how): styles.cell_style(kind, align=how) for kind, how in kinds if kind}
        self.formulas = holds_formula(edit.values)
        self.letters = [column_letter(edit.col + offset) for offset in range(self.width)]
        # The style attribute of each column's cells below the header; None: it depends on the value (dates).
        self.attributes = [style_attribute(self.formats[c]) if c in self.formats else None for c in range(self.width)]
        self.date_attributes = {key: style_attribute(style) for key, style in self.dates.items()}
        self.header_attributes = [style_attribute(style) for style in self.headers]
        self._ahead_first, self._ahead = 0, list[dict[int, str]]()  # the rows from _ahead_first on, made in advance

    def cells(self, writer: CellWriter, number: int) -> dict[int, str]:
        """Column -> cell XML (CLEAR: no value) for one of the block's rows."""
        if self.edit.header and number == self.first:
            return self._header_cells(writer)
        if not self._ahead_first <= number < self._ahead_first + len(self._ahead):
            self._write_ahead(writer, number)
        return self._ahead[number - self._ahead_first]

    def _write_ahead(self, writer: CellWriter, number: int) -> None:
        """The cells of the rows from `number` on, a chunk at a time and column by column (the column's style
        and templates looked up once, not per cell)."""
        numbers = range(number, min(number + _AHEAD, self.last + 1))
        rows = self.edit.values[number - self.first:numbers.stop - self.first]
        columns, full = [], all(len(row) == self.width for row in rows)
        for offset, values in enumerate(zip(*rows) if full else self._padded(rows)):
            letters = self.letters[offset]
            dated = None if offset in self.edit.formats else self._date_style(offset)
            columns.append(writer.column(letters, numbers, values, self.attributes[offset] or "", dated))
        placed = range(self.edit.col, self.edit.col + self.width)
        by_row = zip(*columns) if columns else [()] * len(numbers)  # a block of empty rows has no columns
        self._ahead_first, self._ahead = number, [dict(zip(placed, cells)) for cells in by_row]

    def _padded(self, rows: list[list]) -> list[list]:
        """The rows' values column by column, None past the end of a short row."""
        return [[row[offset] if offset < len(row) else None for row in rows] for offset in range(self.width)]

    def _date_style(self, offset: int) -> Callable[[object], str]:
        """The style attribute of a value in a column without a named format: a date still shows as a date."""
        plain, how = self.attributes[offset] or "", self.edit.align.get(offset)
        return lambda value: self.date_attributes[(kind, how)] if (kind := date_kind(value)) else plain

    def _header_cells(self, writer: CellWriter) -> dict[int, str]:
        found = {}
        for offset, letters in enumerate(self.letters):
            value = self.edit.values[0][offset] if offset < len(self.edit.values[0]) else None
            xml = writer.styled(f"{letters}{self.first}", value, self.header_attributes[offset])
            found[self.edit.col + offset] = xml or CLEAR
        return found

    def styles(self) -> set[int]:
        return {*self.headers, *self.formats.values(), *self.dates.values()}


class SheetPatch:
    """Everything the edits want on one sheet, written in one pass over its XML."""

    def __init__(self, edits: Sequence[Edit], styles: Styles, date1904: bool = False):
        self.blocks = [_Block(e, styles) for e in edits if isinstance(e, SetCells) and e.values]
        self.highlights = [(e, [styles.highlight(r.fill, r.font) for r in e.rules])
                           for e in edits if isinstance(e, SetHighlights)]
        self.date1904 = date1904
        self.own_styles = {0}.union(*(b.styles() for b in self.blocks))
        self.headers = {style for b in self.blocks for style in b.headers if style}
        self.styles = styles
        self.formulas = any(b.formulas for b in self.blocks)
        self.keeps_formulas = any(b.edit.keep_formulas for b in self.blocks)
        self.date_columns: dict[int, int] = {}  # column -> the team's date style of it (<col style>), new cells take it
        self.prefix = b""
        self._cells = RowCells(b"")

    def write(self, source: IO[bytes], out: IO[bytes]) -> None:
        sheet = SheetStream(source)
        self.prefix = sheet.prefix
        self._cells = RowCells(sheet.prefix)
        self.cells = CellWriter(sheet.prefix, self.date1904)
        buffered = Buffered(out)
        buffered.write(sheet.edited_head(self._edit_head) if self.blocks else sheet.head)
        for piece in self._rows(sheet):
            buffered.write(piece)
        tail = sheet.tail()
        buffered.write(sheet.edited_tail(tail, self._replace_rules) if self.highlights else tail)
        buffered.flush()

    # -- rows -------------------------------------------------------------------------------

    def _rows(self, sheet: SheetStream) -> Iterator[bytes]:
        wanted = self._wanted_rows()
        upcoming = next(wanted, None)
        number = 0
        for is_row, piece in sheet.rows():
            if not is_row:
                yield piece
                continue
            found = _ROW_NUMBER.search(piece, 0, piece.find(b">"))
            number = int(found.group(1)) if found else number + 1
            while upcoming is not None and upcoming <= number:
                if upcoming < number and (created := self._new_row(upcoming)):
                    yield created
                upcoming = next(wanted, None)
            yield self._patched(piece, number) if self._touches(number) else piece
        while upcoming is not None:
            if created := self._new_row(upcoming):
                yield created
            upcoming = next(wanted, None)

    def _wanted_rows(self) -> Iterator[int]:
        """The rows xlcrm writes into, ascending, each once."""
        ranges = sorted((b.first, b.last) for b in self.blocks)
        done = 0
        for first, last in ranges:
            yield from range(max(first, done + 1), last + 1)
            done = max(done, last)

    def _touches(self, number: int) -> bool:
        return any(b.first <= number <= b.last or (b.edit.clear_below and number > b.last) for b in self.blocks)

    def _changes(self, number: int) -> dict[int, str]:
        """Column -> the new cell's XML (CLEAR: no value) for one row; later edits win."""
        changes: dict[int, str] = {}
        for block in self.blocks:
            if block.first <= number <= block.last:
                changes.update(block.cells(self.cells, number))
            elif block.edit.clear_below and number > block.last:
                changes.update(dict.fromkeys(range(block.edit.col, block.edit.col + block.width), CLEAR))
        return changes

    def _guarded(self, number: int) -> dict[int, _Block]:
        """Column -> the block that leaves a formula there as it is, for one row (later edits win)."""
        guard: dict[int, _Block] = {}
        for block in self.blocks:
            if block.first <= number <= block.last or (block.edit.clear_below and number > block.last):
                columns = range(block.edit.col, block.edit.col + block.width)
                if block.edit.keep_formulas:
                    guard.update(dict.fromkeys(columns, block))
                else:
                    for column in columns:
                        guard.pop(column, None)
        return guard

    def _new_row(self, number: int) -> bytes | None:
        changes = self._changes(number)
        if self.date_columns:
            changes = {column: self._in_column_style(xml, column) for column, xml in changes.items()}
        cells = "".join(xml for _, xml in sorted(changes.items()))
        if not cells:
            return None
        p = self.prefix.decode()
        return f'<{p}row r="{number}">{cells}</{p}row>'.encode()

    def _patched(self, row: bytes, number: int) -> bytes:
        changes = self._changes(number)
        new = sorted([item for item in changes.items() if item[1]])  # (column, cell XML) of the cells written
        guard = self._guarded(number) if self.keeps_formulas else {}
        searchable = mask(row) if b"<!" in row or b"<?" in row else row
        start_end = searchable.find(b">")
        closed = searchable[start_end - 1:start_end] == b"/"
        start = row[:start_end - 1].rstrip() + b">" if closed else row[:start_end + 1]
        end_tag = b"</" + self.prefix + b"row>"
        body_end = len(row) if closed else len(row) - len(end_tag)
        content = self._merge(row[start_end + 1:body_end], searchable[start_end + 1:body_end], number, changes, new,
                              guard)
        if closed and not content:
            return row
        return self._spans(start, new) + content + end_tag

    def _merge(self, content: bytes, searchable: bytes, number: int, changes: dict[int, str],
               new: list[tuple[int, str]], guard: dict[int, _Block]) -> bytes:
        """The row's cells with xlcrm's inserted, replaced or cleared, in column order."""
        cells, start = self._cells.locate(searchable, min(changes), max(changes), number)
        if self.date_columns:
            present = {column for column, *_ in cells}
            new = [(c, xml if c in present else self._in_column_style(xml, c)) for c, xml in new]
        if not cells:  # none of the row's cells from xlcrm's first column on: the new ones go after the others
            return content[:start] + "".join([xml for _, xml in new]).encode() + content[start:]
        pieces: list[bytes] = [content[:start]]
        pos, after_cells, taken, count = start, 1, 0, len(new)
        for column, begin, end, has_ref in cells:
            if pos < begin:
                pieces.append(content[pos:begin])
            while taken < count and new[taken][0] < column:
                pieces.append(new[taken][1].encode())
                taken += 1
            cell = content[begin:end]
            if column in guard and self._formula(cell):  # the team's formula stays, as the edit asked
                guard[column].edit.formulas_kept.append((number, column))
                pieces.append(cell if has_ref else _with_ref(cell, self.prefix, column, number))
                taken += taken < count and new[taken][0] == column
            elif column in changes:
                if taken < count and new[taken][0] == column:
                    pieces.append(self._keeping_team_style(new[taken][1], cell))
                    taken += 1
                elif not changes[column]:
                    pieces.append(self._cleared(cell, column, number))
                # else: a second cell for a column already written (a damaged row) is left out
            else:
                pieces.append(cell if has_ref else _with_ref(cell, self.prefix, column, number))
            pos = end
            after_cells = len(pieces)
        pieces[after_cells:after_cells] = ["".join([xml for _, xml in new[taken:]]).encode()]
        pieces.append(content[pos:])
        return b"".join(pieces)

    def _formula(self, cell: bytes) -> bool:
        """Whether a cell holds a formula (its own, or its share of a shared or array one)."""
        return re.search(b"<" + re.escape(self.prefix) + rb"f[\s/>]", cell) is not None

    def _in_column_style(self, cell: str, column: int) -> str:
        """A new date cell in a column the team formats as dates: the column's format, as Excel gives a typed one."""
        style = self.date_columns.get(column)
        if style is None or not cell:
            return cell
        return self._keeping_team_style(cell, b'<c s="%d">' % style, dates_only=True).decode()

    def _keeping_team_style(self, cell: str, old: bytes, dates_only: bool = False) -> bytes:
        """The new cell, in the style the team gave the old one (with xlcrm's number format); headers stay ours."""
        team = _CELL_STYLE.search(old, 0, old.find(b">"))
        new = cell.encode()
        if team is None or int(team.group(1)) in self.own_styles:
            return new
        ours = _CELL_STYLE.search(new, 0, new.find(b">"))
        ours_index = int(ours.group(1)) if ours else 0
        if ours_index in self.headers or dates_only and not self.styles.shows_date(ours_index):
            return new
        style = f' s="{self.styles.team_style_with(int(team.group(1)), ours_index)}"'.encode()
        if ours:
            return new[:ours.start()] + style + new[ours.end():]
        at = new.find(b" r=")
        at = new.find(b'"', new.find(b'"', at) + 1) + 1  # after the r="..." attribute
        return new[:at] + style + new[at:]

    def _cleared(self, cell: bytes, column: int, number: int) -> bytes:
        """A cell in xlcrm's columns that no longer holds a value: gone, unless the team formatted it."""
        style = _CELL_STYLE.search(cell, 0, cell.find(b">"))
        if style is None or int(style.group(1)) in self.own_styles:
            return b""
        ref = f"{column_letter(column)}{number}"
        return b"<" + self.prefix + b'c r="' + ref.encode() + b'" s="' + style.group(1) + b'"/>'

    def _spans(self, start: bytes, new: list[tuple[int, str]]) -> bytes:
        """The row's spans hint, widened to the columns written."""
        found = _SPANS.search(start) if new else None
        if not found:
            return start
        bounds = [int(n) for n in re.findall(rb"\d+", found.group(1))] + [new[0][0], new[-1][0]]
        return start[:found.start()] + b' spans="%d:%d"' % (min(bounds), max(bounds)) + start[found.end():]

    # -- head and tail ----------------------------------------------------------------------

    def _edit_head(self, root: etree._Element) -> None:
        self._find_date_columns(root)
        self._grow_dimension(root)
        wanted = {b.edit.col + c: w for b in self.blocks for c, w in b.edit.widths.items()}
        if wanted:
            widen_columns(root, wanted)

    def _find_date_columns(self, root: etree._Element) -> None:
        """xlcrm's columns the team formatted as dates as a whole (a <col style>)."""
        cols = next((c for c in root if local(c.tag) == "cols"), None)
        written = {b.edit.col + c for b in self.blocks for c in range(b.width)}
        for col in cols if cols is not None else ():
            style = col.get("style", "")
            if local(col.tag) != "col" or not style.isdigit() or not self.styles.shows_date(int(style)):
                continue
            low, high = int(col.get("min", "0")), int(col.get("max", "0"))
            self.date_columns.update(dict.fromkeys((c for c in written if low <= c <= high), int(style)))

    def _grow_dimension(self, root: etree._Element) -> None:
        dimension = next((c for c in root if local(c.tag) == "dimension"), None)
        if dimension is None or not (ref := dimension.get("ref")):
            return
        corners = [split_ref(r) for r in ref.split(":")]
        for block in self.blocks:
            corners += [(block.first, block.edit.col), (block.last, block.edit.col + max(block.width, 1) - 1)]
        top, bottom = min(r for r, _ in corners), max(r for r, _ in corners)
        left, right = min(c for _, c in corners), max(c for _, c in corners)
        dimension.set("ref", f"{column_letter(left)}{top}:{column_letter(right)}{bottom}")

    def _replace_rules(self, root: etree._Element) -> None:
        for edit, dxfs in self.highlights:
            _drop_own_rules(root)
            if edit.rules:
                _insert_rules(root, edit, dxfs)


def widen_columns(root: etree._Element, wanted: dict[int, float]) -> None:
    """Columns (1-based) at least this wide, so dates show instead of ###; never narrower than the team made them."""
    ns = etree.QName(root).namespace
    tag = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    cols = next((c for c in root if local(c.tag) == "cols"), None)
    if cols is None:
        cols = etree.Element(tag("cols"))
        next(c for c in root if local(c.tag) == "sheetData").addprevious(cols)
    for column, width in sorted(wanted.items()):
        covering = next((c for c in cols if local(c.tag) == "col" and
                         int(c.get("min", 0)) <= column <= int(c.get("max", 0))), None)
        if covering is not None and float(covering.get("width") or 0) >= width:
            continue
        if covering is not None:  # a range of columns: split off this one, the others keep their width
            low, high = int(covering.get("min", "")), int(covering.get("max", ""))
            for first, last in ((low, column - 1), (column + 1, high)):
                if first <= last:
                    piece = etree.fromstring(etree.tostring(covering))
                    piece.set("min", str(first))
                    piece.set("max", str(last))
                    (covering.addprevious if last < column else covering.addnext)(piece)
            covering.set("min", str(column))
            covering.set("max", str(column))
        else:
            covering = etree.Element(tag("col"), min=str(column), max=str(column))
            later = next((c for c in cols if local(c.tag) == "col" and int(c.get("min", 0)) > column), None)
            (later.addprevious if later is not None else cols.append)(covering)
        covering.set("width", f"{width:g}")
        covering.set("customWidth", "1")


def _drop_own_rules(root: etree._Element) -> None:
    for block in [c for c in root if local(c.tag) == "conditionalFormatting"]:
        for rule in [r for r in block if local(r.tag) == "cfRule"]:
            if any(is_tagged(f.text or "") for f in rule if local(f.tag) == "formula"):
                block.remove(rule)
        if not any(local(r.tag) == "cfRule" for r in block):
            root.remove(block)


def _insert_rules(root: etree._Element, edit: SetHighlights, dxfs: list[int]) -> None:
    ns = namespace(root)
    priorities = [int(r.get("priority", "")) for r in root.iter() if local(r.tag) == "cfRule"
                  and (r.get("priority") or "").isdigit()]
    block = etree.Element(q(ns, "conditionalFormatting"), sqref=edit.cells)
    for n, (rule, dxf) in enumerate(zip(edit.rules, dxfs), start=max(priorities, default=0) + 1):
        element = etree.SubElement(block, q(ns, "cfRule"), type="expression", dxfId=str(dxf), priority=str(n),
                                   stopIfTrue="1")
        etree.SubElement(element, q(ns, "formula")).text = tagged(rule.formula)
    anchor = [c for c in root if local(c.tag) in _BEFORE_RULES][-1]
    anchor.addnext(block)


def _with_ref(cell: bytes, prefix: bytes, column: int, number: int) -> bytes:
    """A cell that relied on its position gets its reference written (cells may be inserted before it)."""
    head = len(prefix) + 2
    return cell[:head] + b' r="' + f"{column_letter(column)}{number}".encode() + b'"' + cell[head:]
