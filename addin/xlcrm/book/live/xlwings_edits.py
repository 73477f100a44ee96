"""Carrying out core.edits on a workbook open in Excel (xlwings), mirroring book/file/openpyxl_edits.py.

Each block of values goes in with one call; styles and formats go on whole rows and
columns, so the number of calls does not grow with the number of rows.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from collections.abc import Iterable
from typing import Any, Callable

from xlcrm.core.edits import (DATE, FORMATS, Chart, Edit, Formula, PutSheet, SetCells, SetHighlights, is_tagged,
                               shows_date, tagged)
from xlcrm.core.fit import widen_area
from xlcrm.book.live.extent import last_value_row

HEADER_FILL = "#DDEBF7"
ROW_STYLES: dict[str, tuple[dict[str, object], str | None]] = {  # font properties, fill
    "title": ({"bold": True, "size": 13}, None),
    "section": ({"bold": True, "color": "#1F4E79"}, None),
    "header": ({"bold": True}, HEADER_FILL),
    "muted": ({"color": "#808080"}, None),
}
CHART_TYPES = {"bar": "bar_clustered", "column": "column_clustered", "pie": "pie", "line": "line"}
POINTS_PER_CM = 72 / 2.54
# What Excel would turn into something else when a string is assigned to a cell: a formula
# (= + - @), an error (#N/A), a number, date or time (any digit), a boolean, or text that
# itself starts with the apostrophe Excel would swallow. Such strings get that apostrophe.
_CONVERTED = re.compile(r"^[=+\-@#']|\d|^\s*(true|false)\s*$", re.IGNORECASE)


def excel_value(value: Any) -> Any:
    """A value as assigned to a cell: text stays text, a Formula becomes a formula."""
    if isinstance(value, Formula):
        return "=" + value.text.lstrip("=")
    if isinstance(value, str) and _CONVERTED.search(value):
        return "'" + value
    return value


def _grid(rows: list[list[Any]]) -> list[list[Any]]:
    """A rectangle of cell values (short rows padded with empty cells)."""
    width = max((len(r) for r in rows), default=0)
    return [[excel_value(v) for v in row] + [None] * (width - len(row)) for row in rows]


def set_cells(book, edit: SetCells) -> None:
    sheet = book.sheets[edit.sheet]
    grid = _grid(edit.values)
    height, width = len(grid), len(grid[0]) if grid else 0
    edit.formulas_kept.clear()
    kept = _formula_cells(sheet, edit, height, width) if edit.keep_formulas else set()
    edit.formulas_kept.extend(sorted(kept))
    if width:
        if kept:  # around the team's formulas: cell by cell (a contact's one cell, never a whole column)
            for r, row in enumerate(grid):
                for c, value in enumerate(row):
                    if (edit.row + r, edit.col + c) not in kept:
                        sheet.range((edit.row + r, edit.col + c)).value = value
        else:
            sheet.range((edit.row, edit.col)).value = grid
        if edit.header:
            _style(sheet.range((edit.row, edit.col), (edit.row, edit.col + width - 1)), "header")
        first = edit.row + (1 if edit.header else 0)
        last = edit.row + height - 1
        for column, name in edit.formats.items():
            for top, bottom in _runs([r for r in range(first, last + 1) if (r, edit.col + column) not in kept]):
                cells = sheet.range((top, edit.col + column), (bottom, edit.col + column))
                if name != DATE or not shows_date(_read(lambda: cells.number_format)):
                    cells.number_format = FORMATS[name]  # a date the team formats its own way keeps that way
        for column, how in edit.align.items():  # one call per column, header and values
            _align(sheet.range((edit.row, edit.col + column), (last, edit.col + column)), how)
    for column, wanted in edit.widths.items():  # one call per column: widen, never narrow the team's
        cells = sheet.range((edit.row, edit.col + column))
        current = _read(lambda: cells.column_width)
        if current is None or current < wanted:
            cells.column_width = wanted
    if edit.clear_below and width:
        bottom = last_value_row(sheet)  # not the used range: formatted down to row 1,048,576 is no data
        if bottom >= edit.row + height:
            sheet.range((edit.row + height, edit.col), (bottom, edit.col + width - 1)).clear_contents()
    if edit.print_with_team and width:
        _extend_print_area(sheet, edit.col + width - 1)
        _join_table(sheet, edit.row, edit.col, edit.col + len(edit.values[0]) - 1)


def _join_table(sheet, header_row: int, first: int, last: int) -> None:
    """xlcrm's columns, headed on an Excel Table's header row inside it or right after its last column, join it (as
    Excel grows a table when one types beside it): sorting the table then moves them with their customers. The
    table's rows stay; Excel names the new columns after their headers. A few calls per table, none per row."""
    tables = [(table, table.range) for table in _read(lambda: list(sheet.tables)) or []]
    spans = [(whole.row, whole.column, whole.last_cell.row, whole.last_cell.column) for _, whole in tables]
    for index, (table, _) in enumerate(tables):
        top, left, bottom, right = spans[index]
        header = table.header_row_range
        if header is None or header.row != header_row or not left <= first <= right + 1 or last <= right:
            continue
        if any(i != index and above <= bottom and top <= below and start <= last and right < end
               for i, (above, start, below, end) in enumerate(spans)):
            continue  # Excel's tables never overlap
        table.resize(sheet.range((top, left), (bottom, last)))


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) of each unbroken run: one call per run, not per row."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _formula_cells(sheet, edit: SetCells, height: int, width: int) -> set[tuple[int, int]]:
    """(row, column) of the block's cells that hold a formula, asked in one or two calls: Range.HasFormula (Windows)
    says all, none or some; then, or where there is no such call, the cells' formulas say which. None where the
    engine can tell neither (xlwings Server)."""
    if not width:
        return set()
    cells = sheet.range((edit.row, edit.col), (edit.row + height - 1, edit.col + width - 1))
    every = {(edit.row + r, edit.col + c) for r in range(height) for c in range(width)}
    whole = _has_formula(cells)
    if whole is not None:
        return every if whole else set()
    formulas = _read(lambda: cells.formula)
    if formulas is None:
        return set()
    rows: list[list[Any]]
    if isinstance(formulas, str):  # one cell
        rows = [[formulas]]
    elif all(isinstance(row, str) for row in formulas):  # one row or one column, as a flat list
        rows = [list(formulas)] if height == 1 else [[text] for text in formulas]
    else:
        rows = [list(row) for row in formulas]
    return {(edit.row + r, edit.col + c) for r, row in enumerate(rows) for c, text in enumerate(row)
            if isinstance(text, str) and text.startswith("=")}


def _has_formula(cells) -> bool | None:
    """COM's Range.HasFormula: True or False for all the cells, None when some hold one, or where there is no COM."""
    try:
        answer = cells.api.HasFormula
    except Exception:  # noqa: BLE001 - not Windows (appscript, xlwings Server): the formulas are asked instead
        return None
    return answer if isinstance(answer, bool) else None


def _extend_print_area(sheet, right: int) -> None:
    """The team's print area, if they set one, takes xlcrm's columns in; without one everything prints."""
    area = _read(lambda: sheet.page_setup.print_area)
    if area:
        widened = widen_area(area, right)
        if widened != area:
            sheet.page_setup.print_area = widened


def _align(cells, how: str) -> None:
    """Horizontal alignment; engines that cannot set it (xlwings Server's non-Office.js clients) keep Excel's
    default (numbers right, text left)."""
    try:
        cells.horizontal_alignment = how
    except NotImplementedError:
        pass


def _read(getter) -> Any:
    """A setting some engines cannot read back (xlwings Server): None then."""
    try:
        return getter()
    except NotImplementedError:
        return None


def _style(cells, style: str) -> None:
    font, fill = ROW_STYLES[style]
    for attribute, value in font.items():
        setattr(cells.font, attribute, value)
    if fill:
        cells.color = fill


def put_sheet(book, edit: PutSheet) -> None:
    names = [s.name for s in book.sheets]
    existing = next((n for n in (edit.name, *edit.aliases) if n in names), None)
    active = book.sheets.active.name
    if existing:
        sheet = book.sheets[existing]
        sheet.visible = not edit.hidden  # first: a sheet to be hidden is never activated while it is written
        _empty(sheet)  # emptied in place: the team's formulas that point at it keep working
        if existing != edit.name:
            sheet.name = edit.name
        active = edit.name if active == existing else active
    else:
        sheet = book.sheets.add(edit.name, before=book.sheets[0]) if edit.first else \
            book.sheets.add(edit.name, after=book.sheets[len(names) - 1])
        sheet.visible = not edit.hidden
    _fill(sheet, edit)
    if shown(book.sheets[active]):  # a hidden sheet cannot be activated (it was the active one and is hidden now)
        book.sheets[active].activate()


def shown(sheet) -> bool:
    """Whether the sheet is visible. Windows gives COM's Visible as it is (-1 visible, 0 hidden, 2 very hidden:
    truthy, yet hidden); the Mac and xlwings Server give a bool."""
    visible = sheet.visible
    return visible is True or visible == -1


def _empty(sheet) -> None:
    for chart in reversed(list(sheet.charts)):  # from the last: positions of the others stay put
        chart.delete()
    sheet.cells.unmerge()
    sheet.clear()
    freeze(sheet, None)


def _fill(sheet, edit: PutSheet) -> None:
    grid = _grid(edit.rows)
    if grid and grid[0]:
        sheet.range("A1").value = grid
    for index, style in sorted(edit.row_styles.items()):
        if style in ROW_STYLES and index < len(edit.rows) and edit.rows[index]:
            _style(sheet.range((index + 1, 1), (index + 1, len(edit.rows[index]))), style)
    header = next((i for i, s in sorted(edit.row_styles.items()) if s == "header"), None)
    if header is not None and len(grid) > header + 1:
        for column, name in edit.formats.items():
            sheet.range((header + 2, column + 1), (len(grid), column + 1)).number_format = FORMATS[name]
    for column, width in edit.widths.items():
        sheet.range((1, column + 1)).column_width = width
    if header is not None and len(grid) > header:
        for column, how in edit.align.items():  # one call per column, from the first header down
            _align(sheet.range((header + 1, column + 1), (len(grid), column + 1)), how)
    for column in edit.wrap:
        sheet.range((1, column + 1), (max(len(grid), 1), column + 1)).wrap_text = True
    if edit.wrap and len(grid) > 1:  # Excel sizes the rows to their wrapped lines: one call for all of them
        sheet.range((1, 1), (len(grid), max(len(grid[0]), 1))).rows.autofit()
    for cells, name in edit.range_formats:
        sheet.range(cells).number_format = FORMATS[name]
    for cells, how in edit.range_align:  # one call per block (a table's column), not per row
        _align(sheet.range(cells), how)
    for merged in edit.merges:
        sheet.range(merged).merge()
    if edit.freeze:
        freeze(sheet, edit.freeze)
    for chart in edit.charts:
        _chart(sheet, chart)
    header = next((i for i, s in sorted(edit.row_styles.items()) if s == "header"), None)
    if sys.platform.startswith("win") and sheet.book.app.engine.name == "excel":
        _print_setup(sheet, header)
    # elsewhere (macOS, xlwings Server) xlwings reaches no page setup: the sheet prints with Excel's defaults


def _print_setup(sheet, header: int | None) -> None:
    """Landscape, one page wide, the header row on every page, the sheet's name above, the pages below (COM)."""
    setup = sheet.api.PageSetup
    setup.Orientation = 2  # xlLandscape
    setup.Zoom = False
    setup.FitToPagesWide, setup.FitToPagesTall = 1, False
    if header is not None:
        setup.PrintTitleRows = f"${header + 1}:${header + 1}"
    setup.CenterHeader, setup.CenterFooter = "&A", "&P / &N"


def _chart(sheet, spec: Chart) -> None:
    """A native chart; its series are the columns from the first to the last series column."""
    columns = [column for column, _, _ in spec.series]
    top = min(header for _, header, _ in spec.series)
    bottom = max(last for _, _, last in spec.series)
    chart = sheet.charts.add(width=spec.width_cm * POINTS_PER_CM, height=spec.height_cm * POINTS_PER_CM,
                             chart_type=CHART_TYPES[spec.kind], anchor=sheet.range(spec.anchor),
                             source=sheet.range((top, min(columns)), (bottom, max(columns))), plot_by="columns")
    chart.title = spec.title
    column, first, last = spec.categories
    chart.set_x_axis_values(sheet.range((first, column), (last, column)))


def freeze(sheet, cell: str | None) -> None:
    """Freeze the rows above and the columns left of cell (None: unfreeze)."""
    try:
        panes = sheet.freeze_panes
        panes.freeze_at(cell) if cell else panes.unfreeze()
    except (AttributeError, NotImplementedError):  # the desktop engines have no freeze API: the window has
        if sys.platform.startswith("win") and shown(sheet):
            _freeze_window(sheet, cell)
        # a hidden sheet: no window shows it, and activating it fails (COM error 1004); nobody sees its panes.
        # macOS: xlwings reaches no window setting there; the sheet works the same unfrozen


def _freeze_window(sheet, cell: str | None) -> None:
    sheet.activate()  # the window shows the active sheet: this one from here on
    window = sheet.book.app.api.ActiveWindow  # COM
    window.FreezePanes = False
    if cell:
        row, column = sheet.range(cell).row, sheet.range(cell).column
        window.ScrollRow, window.ScrollColumn = 1, 1
        window.SplitRow, window.SplitColumn = row - 1, column - 1
        window.FreezePanes = True


def set_highlights(book, edit: SetHighlights) -> None:
    """Replace xlcrm's own conditional format rules on a sheet; the team's rules stay."""
    sheet = book.sheets[edit.sheet]
    for rule in _rules(sheet):
        if rule.type == "custom" and is_tagged(rule.formula or ""):
            rule.delete()
    cells = sheet.range(edit.cells)
    with _anchored(book, cells):
        for rule in reversed(edit.rules):  # each new rule goes on top: the first ends highest
            formula = in_excels_language(sheet, "=" + tagged(rule.formula))
            cells.conditional_formats.add_custom(formula, fill_color="#" + rule.fill,
                                                 font_color="#" + rule.font if rule.font else None,
                                                 stop_if_true=True)


def in_excels_language(sheet, formula: str) -> str:
    """Desktop Excel's FormatConditions.Add reads a formula in its UI language (UND, HEUTE and ';' in German):
    the English formula as a blank cell below the table reads it back there (Formula in, FormulaLocal out).
    Other engines (Office.js, xlwings Server) take English formulas as they are."""
    if sheet.book.app.engine.name != "excel":
        return formula
    # blank: below every value (the used range may end at row 1,048,576), a row apart from a table above it
    scratch = sheet.range((min(last_value_row(sheet) + 2, 1_048_576), 1))
    scratch.formula = formula
    try:
        return scratch.api.formula_local.get() if sys.platform == "darwin" else scratch.api.FormulaLocal
    finally:
        scratch.clear_contents()


def _rules(sheet) -> list:
    """Every conditional format rule on the sheet. xlwings Server cannot list them without a round trip."""
    try:
        return list(sheet.cells.conditional_formats)
    except NotImplementedError:
        return []


@contextmanager
def _anchored(book, cells):
    """Desktop Excel reads relative references in a rule from the active cell: make it the range's first cell."""
    selection = book.app.selection
    cells.sheet.activate()
    cells[0, 0].select()
    try:
        yield
    finally:
        if selection is not None:
            selection.sheet.activate()
            selection.select()


APPLY: dict[type, Callable[[Any, Any], None]] = {SetCells: set_cells, PutSheet: put_sheet, SetHighlights: set_highlights}


def apply_edits(book, edits: Iterable[Edit]) -> None:
    for edit in edits:
        APPLY[type(edit)](book, edit)
