"""xlwings' own remote-interpreter Book (xlwings Server) standing in for a workbook open in Excel.

`remote_book(path)` builds the Book from the JSON an Excel client sends (every sheet's
values from A1 to its used range), read here from a real workbook file. Every call the
live back-end makes into Excel is recorded by xlwings as an action; `replay(book, path)`
then carries the recorded actions out on that workbook file the way Excel does when a
macro assigns them (a string that looks like a formula, number, date or boolean is
converted unless it starts with an apostrophe), so the file and live back-ends can be
checked with the same readers. The remote engine asks for a license key: tests set
XLWINGS_LICENSE_KEY=noncommercial (tests/conftest.py); the product never needs one.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import xlwings as xw
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import TableColumn

ERRORS = {"#N/A", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}


def _json_value(value: Any) -> Any:
    """A cell value as an Excel client puts it in the JSON: numbers are doubles, dates ISO strings."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}T00:00:00.000Z"
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return str(value)


def payload(path: Path, selection: str = "A1", active: int | None = None) -> dict:
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for sheet in book.worksheets:
        rows = [[_json_value(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        charts = [{"name": f"Chart {i + 1}", "chart_type": "ColumnClustered", "left": 0, "top": 0, "width": 300,
                   "height": 200} for i in range(len(sheet._charts))]
        sheets.append({"name": sheet.title, "values": rows or [[]], "pictures": [], "tables": _tables(sheet),
                       "charts": charts, "shapes": [], "notes": [],
                       "visibility": "Visible" if sheet.sheet_state == "visible" else "Hidden"})
    index = book.index(book.active) if active is None else active
    return {"client": "Office.js", "version": xw.__version__, "names": [], "sheets": sheets,
            "book": {"name": path.name, "active_sheet_index": index, "selection": selection,
                     "calculation": "Automatic"}}


def _tables(sheet) -> list[dict]:
    """The sheet's Excel Tables as an Excel client describes them."""
    described = []
    for table in sheet.tables.values():
        left, top, right, bottom = range_boundaries(table.ref)
        totals, headers = table.totalsRowCount or 0, table.headerRowCount if table.headerRowCount is not None else 1

        def address(first: int, last: int) -> str | None:
            return f"{get_column_letter(left)}{first}:{get_column_letter(right)}{last}" if first <= last else None

        described.append({"name": table.displayName, "range_address": table.ref,
                          "header_row_range_address": address(top, top) if headers else None,
                          "data_body_range_address": address(top + headers, bottom - totals),
                          "total_row_range_address": address(bottom, bottom) if totals else None,
                          "show_headers": bool(headers), "show_totals": bool(totals), "row_count": bottom - top + 1,
                          "column_count": right - left + 1, "table_style": "", "show_autofilter": True})
    return described


def remote_book(path: Path, selection: str = "A1", active: int | None = None):
    return xw.Book(json=payload(path, selection, active))


def actions(book) -> list[dict]:
    return book.json()["actions"]


# --- replay: what Excel does with the actions ---------------------------------------------

@dataclass
class Excel:
    """What the replay saw besides cell changes: app settings over time and message boxes."""

    settings: list[tuple[str, Any]] = field(default_factory=list)
    alerts: list[list[Any]] = field(default_factory=list)
    selections: list[str] = field(default_factory=list)


def typed(value: Any) -> tuple[Any, str | None]:
    """(value, data type) after Excel reads a value assigned to a cell from a macro."""
    if not isinstance(value, str):
        return value, None
    if value.startswith("'"):
        return value[1:], "s"
    if value == "":
        return None, None
    if value in ERRORS:
        return value, "e"
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE", None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?", value):  # how xlwings sends dates
        return dt.datetime.fromisoformat(value), None
    number = value.replace(",", "").strip()
    if re.fullmatch(r"[+-]?\d+(\.\d+)?%?", number):
        return (float(number[:-1]) / 100 if number.endswith("%") else float(number)), None
    if re.fullmatch(r"\d{4}[/.]\d{1,2}[/.]\d{1,2}", value):
        return dt.datetime(*map(int, re.split(r"[/.]", value))), None
    if value[0] in "=+-@":
        return "=" + value.lstrip("="), "f"
    return value, "s"


def _cells(sheet, action):
    top, left = action["start_row"] + 1, action["start_column"] + 1
    for r in range(top, top + action["row_count"]):
        for c in range(left, left + action["column_count"]):
            yield sheet.cell(r, c)


def _set_values(book, action, excel):
    sheet = book.worksheets[action["sheet_position"]]
    top, left = action["start_row"] + 1, action["start_column"] + 1
    for r, row in enumerate(action["values"]):
        for c, raw in enumerate(row):
            cell = sheet.cell(top + r, left + c)
            value, kind = typed(raw)
            cell.value = value
            if kind == "s" and isinstance(value, str):
                cell.data_type = "s"


def _font(book, action, excel):
    name, value = action["args"]
    for cell in _cells(book.worksheets[action["sheet_position"]], action):
        font = copy.copy(cell.font)
        if name == "color":
            value_ = value.lstrip("#").upper()
            cell.font = Font(name=font.name, size=font.size, bold=font.bold, italic=font.italic, color=value_)
        else:
            cell.font = Font(name=font.name, size=font.size if name != "size" else value,
                             bold=font.bold if name != "bold" else value, italic=font.italic, color=font.color)


def _color(book, action, excel):
    color = action["args"][0].lstrip("#").upper()
    for cell in _cells(book.worksheets[action["sheet_position"]], action):
        cell.fill = PatternFill("solid", fgColor=color)


def _number_format(book, action, excel):
    for cell in _cells(book.worksheets[action["sheet_position"]], action):
        cell.number_format = action["args"][0]


def _clear_contents(book, action, excel):
    for cell in _cells(book.worksheets[action["sheet_position"]], action):
        cell.value = None


def _width(book, action, excel):
    sheet = book.worksheets[action["sheet_position"]]
    for c in range(action["start_column"] + 1, action["start_column"] + action["column_count"] + 1):
        sheet.column_dimensions[get_column_letter(c)].width = action["args"][0]


def _wrap(book, action, excel):
    for cell in _cells(book.worksheets[action["sheet_position"]], action):
        cell.alignment = Alignment(wrap_text=bool(action["args"][0]), vertical="top", horizontal=cell.alignment.horizontal)


def _horizontal(book, action, excel):
    for cell in _cells(book.worksheets[action["sheet_position"]], action):
        now = cell.alignment
        cell.alignment = Alignment(horizontal=action["args"][0].lower(), vertical=now.vertical, wrap_text=now.wrap_text)


def _autofit(book, action, excel):
    """Excel sizes rows to their wrapped lines: the replay leaves the heights to the reader (LibreOffice does the
    same for rows without a set height)."""
    excel.settings.append(("autofit", action["args"][0] if action["args"] else None))


def _print_area(book, action, excel):
    book.worksheets[action["sheet_position"]].print_area = action["args"][0]


def _address(action) -> str:
    top, left = action["start_row"] + 1, action["start_column"] + 1
    bottom, right = top + action["row_count"] - 1, left + action["column_count"] - 1
    return f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"


def _merge(book, action, excel):
    book.worksheets[action["sheet_position"]].merge_cells(_address(action))


def _unmerge(book, action, excel):
    sheet = book.worksheets[action["sheet_position"]]
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(merged))


def _freeze(book, action, excel):
    book.worksheets[action["sheet_position"]].freeze_panes = action["args"][0]


def _unfreeze(book, action, excel):
    book.worksheets[action["sheet_position"]].freeze_panes = None


def _add_sheet(book, action, excel):
    index, name = action["args"]
    book.create_sheet(name, index)
    book.active = index


def _rename(book, action, excel):
    book.worksheets[action["sheet_position"]].title = action["args"][0]


def _visibility(book, action, excel):
    book.worksheets[action["sheet_position"]].sheet_state = "visible" if action["args"][0] == "Visible" else "hidden"


def _activate(book, action, excel):
    book.active = action["args"][0]


def _clear(book, action, excel):
    """Cells.Clear: values, formats and conditional formats go; widths, panes and charts stay."""
    sheet = book.worksheets[action["sheet_position"]]
    for row in sheet.iter_rows():
        for cell in row:
            cell.value = None
            cell.style = "Normal"
    sheet.conditional_formatting = ConditionalFormattingList()


def _resize_table(book, action, excel):
    """ListObject.Resize: the table spans the new range; a new column is named after its header cell, with a number
    when another column has that name (Excel's way), and the header cell says the same."""
    sheet = book.worksheets[action["sheet_position"]]
    index, address = action["args"]
    table = list(sheet.tables.values())[index]
    left, top, right, bottom = range_boundaries(address.replace("$", ""))
    table.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    if table.autoFilter is not None and table.autoFilter.ref:
        last = bottom - (table.totalsRowCount or 0)
        table.autoFilter.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{last}"
    columns = list(table.tableColumns)
    for column in range(left + len(columns), right + 1):
        taken = {c.name.casefold() for c in columns}
        header = sheet.cell(top, column).value
        name = str(header) if header not in (None, "") else f"Column{column - left + 1}"
        name = next(n for n in [name] + [f"{name}{i}" for i in range(2, len(taken) + 3)] if n.casefold() not in taken)
        sheet.cell(top, column).value = name
        columns.append(TableColumn(id=max((c.id for c in columns), default=0) + 1, name=name))
    table.tableColumns = columns


CHART_KINDS = {"BarClustered": (BarChart, "bar"), "ColumnClustered": (BarChart, "col"), "Pie": (PieChart, None),
               "Line": (LineChart, None)}


def _charts(sheet) -> list[dict]:
    if not hasattr(sheet, "_replayed_charts"):
        sheet._replayed_charts = [{"existing": chart} for chart in sheet._charts]
    return sheet._replayed_charts


def _add_chart(book, action, excel):
    name, kind, sheet_name, source, left, top, width, height, plot_by, anchor, style = action["args"]
    _charts(book[sheet_name]).append({"kind": kind, "source": source, "anchor": anchor, "title": None,
                                      "categories": None, "width": width, "height": height})


def _chart_setting(key):
    def apply(book, action, excel):
        index, *args = action["args"]
        chart = _charts(book.worksheets[action["sheet_position"]])[index]
        chart[key] = args[0] if key != "categories" else args[1]
    return apply


def _delete_chart(book, action, excel):
    _charts(book.worksheets[action["sheet_position"]]).pop(action["args"][0])


def _add_rule(book, action, excel):
    rule = action["args"][0]
    assert rule["type"] == "Custom", rule
    sheet = book.worksheets[action["sheet_position"]]
    fill = rule["fill_color"].lstrip("#").upper()
    font = Font(color=rule["font_color"].lstrip("#").upper()) if rule.get("font_color") else None
    added = FormulaRule(formula=[rule["formula"].lstrip("=")], fill=PatternFill("solid", start_color=fill,
                        end_color=fill, bgColor=fill), font=font, stopIfTrue=rule["stop_if_true"])
    sheet.__dict__.setdefault("_replayed_rules", []).insert(0, (_address(action), added))  # new rules go on top


def _setting(name):
    def apply(book, action, excel):
        excel.settings.append((name, action["args"][0]))
    return apply


def _alert(book, action, excel):
    excel.alerts.append(action["args"])


def _select(book, action, excel):
    excel.selections.append(f"{book.worksheets[action['sheet_position']].title}!{_address(action)}")


REPLAY = {
    "setValues": _set_values, "setFontProperty": _font, "setRangeColor": _color, "setNumberFormat": _number_format,
    "rangeClearContents": _clear_contents, "setColumnWidth": _width, "rangeMerge": _merge,
    "rangeUnmerge": _unmerge, "freezePaneAtRange": _freeze, "freezePaneUnfreeze": _unfreeze,
    "addSheet": _add_sheet, "setSheetName": _rename, "setSheetVisibility": _visibility,
    "activateSheet": _activate, "sheetClear": _clear, "addChart": _add_chart,
    "setChartType": _chart_setting("kind"), "setChartTitle": _chart_setting("title"),
    "setChartXAxisValues": _chart_setting("categories"), "deleteChart": _delete_chart,
    "addConditionalFormat": _add_rule, "setCalculation": _setting("calculation"),
    "setScreenUpdating": _setting("screen_updating"), "alert": _alert, "rangeSelect": _select,
    "setWrapText": _wrap, "setHorizontalAlignment": _horizontal, "setAutofit": _autofit, "setPrintArea": _print_area,
    "resizeTable": _resize_table,
}


def _materialise(book) -> None:
    """Charts and rules collected during the replay, written the way openpyxl stores them."""
    for sheet in book.worksheets:
        if hasattr(sheet, "_replayed_charts"):
            sheet._charts = [c["existing"] if "existing" in c else _chart(sheet, c) for c in sheet._replayed_charts]
        for address, rule in sheet.__dict__.get("_replayed_rules", []):
            sheet.conditional_formatting.add(address, rule)


def _chart(sheet, spec: dict):
    cls, bar_dir = CHART_KINDS[spec["kind"]]
    chart = cls()
    if bar_dir:
        chart.type = bar_dir
    chart.title = spec["title"]
    min_col, min_row, max_col, max_row = range_boundaries(spec["source"].replace("$", ""))
    chart.add_data(Reference(sheet, min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row),
                   titles_from_data=True)
    if spec["categories"]:
        c1, r1, c2, r2 = range_boundaries(spec["categories"].replace("$", ""))
        chart.set_categories(Reference(sheet, min_col=c1, min_row=r1, max_col=c2, max_row=r2))
    chart.anchor = (spec["anchor"] or "A1").replace("$", "").split(":")[0]
    return chart


def replay(book, path: Path) -> Excel:
    """Carry out the book's recorded actions on the workbook file at path, as Excel would."""
    workbook = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    excel = Excel()
    for action in actions(book):
        if action["func"] not in REPLAY:
            raise AssertionError(f"the replay does not know what Excel does for {action['func']}: add it")
        REPLAY[action["func"]](workbook, action, excel)
    _materialise(workbook)
    workbook.save(path)
    return excel


def click(path: Path, entry: str, *args: Any, selection: str = "A1", active: int | None = None) -> Excel:
    """The ribbon's `entry` clicked with the workbook at path as Excel's caller (xlwings' remote Book): what Excel
    showed and did, replayed onto the file."""
    from xlcrm import ribbon

    book = remote_book(path, selection, active)
    book.set_mock_caller()
    try:
        getattr(ribbon, entry)(*args)
    finally:
        del xw.Book._mock_caller
    return replay(book, path)
