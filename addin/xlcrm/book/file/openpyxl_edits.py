"""Carrying out core.edits on an openpyxl workbook (used for files on disk)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, Callable

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook import Workbook
from openpyxl.worksheet.header_footer import _HeaderFooterPart
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from xlcrm.core.edits import FORMATS, Chart, Edit, Formula, PutSheet, SetCells, SetHighlights, is_tagged, tagged

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAPPED = Alignment(wrap_text=True, vertical="top")
ROW_STYLES = {
    "title": (Font(bold=True, size=13), None),
    "section": (Font(bold=True, color="1F4E79"), None),
    "header": (Font(bold=True), HEADER_FILL),
    "muted": (Font(color="808080"), None),
}


def write_value(cell, value: Any) -> None:
    """A value into a cell; text stays text even when it looks like a formula (=, +, -, @) or an error (#N/A)."""
    if isinstance(value, Formula):
        cell.value = "=" + value.text.lstrip("=")
        return
    cell.value = None if isinstance(value, str) and not value else value  # empty text reads back as an empty cell
    if isinstance(value, str) and value:
        cell.data_type = "s"


def set_cells(book: Workbook, edit: SetCells) -> None:
    sheet = book[edit.sheet]
    for r, row in enumerate(edit.values):
        for c, value in enumerate(row):
            cell = sheet.cell(edit.row + r, edit.col + c)
            write_value(cell, value)
            if edit.header and r == 0:
                cell.font, cell.fill = Font(bold=True), HEADER_FILL
            elif c in edit.formats:
                cell.number_format = FORMATS[edit.formats[c]]
    align = Aligner(book)
    for c, how in edit.align.items():
        for r in range(len(edit.values)):
            align(sheet.cell(edit.row + r, edit.col + c), how)
    for c, wanted in edit.widths.items():  # widen so dates show, never narrow the team's columns
        dimension = sheet.column_dimensions[get_column_letter(edit.col + c)]
        if not dimension.width or dimension.width < wanted:
            dimension.width = wanted
    if edit.clear_below:
        width = max((len(r) for r in edit.values), default=0)
        for below in range(edit.row + len(edit.values), sheet.max_row + 1):
            for col in range(edit.col, edit.col + width):
                sheet.cell(below, col).value = None


class Aligner:
    """Sets a cell's horizontal alignment, keeping its wrapping (an openpyxl Alignment is replaced whole).

    openpyxl hashes and compares a new Alignment against its list for every cell it is set on; here each
    (alignment the cell has, horizontal wanted) is looked up in the workbook's list once and the cell's style
    array gets the index, as openpyxl's own descriptor sets it."""

    def __init__(self, book: Workbook):
        self.alignments = book._alignments  # type: ignore[attr-defined]  # openpyxl's list of distinct alignments
        self.made: dict[tuple[int, str | None], int] = {}

    def __call__(self, cell, how: str) -> None:
        style = _style_array(cell)
        key = (style.alignmentId, how)
        made = self.made.get(key)
        if made is None:
            now = self.alignments[style.alignmentId]
            made = self.made[key] = self.alignments.add(Alignment(
                horizontal=how, vertical=now.vertical, wrap_text=now.wrap_text, indent=now.indent,
                shrink_to_fit=now.shrink_to_fit, text_rotation=now.text_rotation))
        style.alignmentId = made

    def wrap(self, cell) -> None:
        """Line breaks show as lines, text from the top of the cell (WRAPPED, whatever the cell had)."""
        made = self.made.get((-1, None))
        if made is None:
            made = self.made[(-1, None)] = self.alignments.add(WRAPPED)
        _style_array(cell).alignmentId = made


def _style_array(cell) -> StyleArray:
    """The cell's style indexes, made as openpyxl's style descriptors make them for a cell without any."""
    if not cell._style:
        cell._style = StyleArray()
    return cell._style


def put_sheet(book: Workbook, edit: PutSheet, plain: Collection[int] = ()) -> None:
    """edit drawn as a new sheet; plain: Excel rows left to plain_rows.PlainXml, which aligns and wraps their cells."""
    existing = next((n for n in (edit.name, *edit.aliases) if n in book.sheetnames), None)
    active = book.active.title if book.worksheets and book.active else None
    if existing:
        index = book.sheetnames.index(existing)
        book.remove(book[existing])
    else:
        index = 0 if edit.first else len(book.sheetnames)
    sheet = book.create_sheet(edit.name, index)
    header_seen = False
    for r, row in enumerate(edit.rows, start=1):
        style = edit.row_styles.get(r - 1)
        header_seen = header_seen or style == "header"
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(r, c)
            write_value(cell, value)
            if style in ROW_STYLES:
                cell.font, fill = ROW_STYLES[style]
                if fill:
                    cell.fill = fill
            elif header_seen and (c - 1) in edit.formats:
                cell.number_format = FORMATS[edit.formats[c - 1]]
    for column, width in edit.widths.items():
        sheet.column_dimensions[get_column_letter(column + 1)].width = width
    first = next((i for i, s in sorted(edit.row_styles.items()) if s == "header"), len(edit.rows))
    align = Aligner(book)
    for column, how in edit.align.items():  # from the first header down, as the live back-end does
        for number in range(first + 1, len(edit.rows) + 1):
            if number not in plain:
                align(sheet.cell(number, column + 1), how)
    for wrapped in edit.wrap:
        for number in range(1, len(edit.rows) + 1):
            if number not in plain:
                align.wrap(sheet.cell(number, wrapped + 1))
    for number, height in edit.heights.items():
        sheet.row_dimensions[number + 1].height = height
    print_setup(sheet, next((i for i, s in sorted(edit.row_styles.items()) if s == "header"), None))
    for cells, name in edit.range_formats:
        left, top, right, bottom = range_boundaries(cells)
        for row in sheet.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right):
            for cell in row:
                cell.number_format = FORMATS[name]
    for cells, how in edit.range_align:
        left, top, right, bottom = range_boundaries(cells)
        for row in sheet.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right):
            for cell in row:
                align(cell, how)
    for merged in edit.merges:
        sheet.merge_cells(merged)
    if edit.freeze:
        sheet.freeze_panes = edit.freeze
    for chart in edit.charts:
        sheet.add_chart(_chart(sheet, chart), chart.anchor)
    sheet.sheet_state = "hidden" if edit.hidden else "visible"
    if active and active in book.sheetnames:
        book.active = book.sheetnames.index(active)
    elif active == existing and edit.name in book.sheetnames:
        book.active = book.sheetnames.index(edit.name)


def print_setup(sheet: Worksheet, header: int | None) -> None:
    """Landscape, as wide as the page, the header row on every page, the sheet's name above and pages below."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if sheet.sheet_properties.pageSetUpPr is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties()
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header is not None:
        sheet.print_title_rows = f"{header + 1}:{header + 1}"
    for item, text in ((sheet.oddHeader, "&A"), (sheet.oddFooter, "&P / &N")):
        assert item is not None  # every openpyxl worksheet has both
        if item.center is None:
            item.center = _HeaderFooterPart()
        item.center.text = text


def _chart(sheet: Worksheet, spec: Chart):
    kinds = {"bar": BarChart, "column": BarChart, "pie": PieChart, "line": LineChart}
    chart = kinds[spec.kind]()
    if spec.kind == "bar":
        chart.type = "bar"
    elif spec.kind == "column":
        chart.type = "col"
    chart.title = spec.title
    chart.width, chart.height = spec.width_cm, spec.height_cm
    for column, header_row, last_row in spec.series:
        data = Reference(sheet, min_col=column, min_row=header_row, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
    column, first, last = spec.categories
    chart.set_categories(Reference(sheet, min_col=column, min_row=first, max_row=last))
    if spec.kind != "pie":
        chart.x_axis.delete = chart.y_axis.delete = False  # an axis without <c:delete val="0"/> is hidden by Excel
    if spec.kind == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # first category on top, in the order of the table
        chart.y_axis.crosses = "max"  # and the value axis stays at the bottom
    if not spec.legend:
        chart.legend = None
    if spec.data_labels:
        chart.dataLabels = DataLabelList(showVal=spec.data_labels == "value", showPercent=spec.data_labels == "percent",
                                         showCatName=False, showSerName=False, showLegendKey=False)
    return chart


def set_highlights(book: Workbook, edit: SetHighlights) -> None:
    """Replace xlcrm's own conditional format rules on a sheet; the team's rules stay."""
    formats = book[edit.sheet].conditional_formatting
    rules = formats._cf_rules  # type: ignore[attr-defined]  # openpyxl has no public way to drop a rule
    for target in list(rules):
        kept = [rule for rule in rules[target] if not any(is_tagged(f) for f in rule.formula)]
        if kept:
            rules[target] = kept
        else:
            del rules[target]
    for rule in edit.rules:
        fill = PatternFill("solid", start_color=rule.fill, end_color=rule.fill, bgColor=rule.fill)
        font = Font(color=rule.font) if rule.font else None
        formats.add(edit.cells, FormulaRule(formula=[tagged(rule.formula)], fill=fill, font=font, stopIfTrue=True))


APPLY: dict[type, Callable[[Workbook, Any], None]] = {SetCells: set_cells, PutSheet: put_sheet, SetHighlights: set_highlights}


def apply_edits(book: Workbook, edits: Iterable[Edit]) -> None:
    for edit in edits:
        APPLY[type(edit)](book, edit)
