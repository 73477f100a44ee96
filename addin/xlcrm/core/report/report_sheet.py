"""The report sheet inside the workbook (CRM报告 / CRM Report): the report's sections one below the other,
each with its native chart above its table (as the HTML page shows them), drawing from the table's cells.

The figures are values (a snapshot of the report's day), formatted by their kind. Every list always
ends with a line saying how many rows it has, so the sheet has the same shape whatever the data size.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.edits import DATE, INT, MONEY, PERCENT, RIGHT, Chart
from xlcrm.core.i18n import Msg
from xlcrm.core.report.sections import NOTHING, NUMBER, SUBTITLE, Report, Section, Table, listed_note
from xlcrm.core.table import column_letter

EXPLAIN = Msg("A snapshot of {today}: build the report again (xlcrm report, or the Build report button) to update it. "
              "The HTML report of the same day: {html}",
              "此表为 {today} 的快照;重新生成报告(xlcrm report 或“生成报告”按钮)即可更新。同日的 HTML 报告:{html}")
ROW_CM = 0.53  # the default row height (15 points)
WIDTHS = {0: 30, 1: 14, 2: 14, 3: 16, 4: 14, 5: 14, 6: 14, 7: 16, 8: 12}
FIGURES = (INT, MONEY, PERCENT, DATE, NUMBER)  # shown right-aligned, so their header is too


@dataclass
class Layout:
    rows: list[list[Any]] = field(default_factory=list)
    styles: dict[int, str] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    formats: list[tuple[str, str]] = field(default_factory=list)
    align: list[tuple[str, str]] = field(default_factory=list)  # (A1 range, alignment): a column of one table

    def add(self, cells: list[Any], style: str | None = None) -> int:
        """Append a row; returns its 1-based row number."""
        if style:
            self.styles[len(self.rows)] = style
        self.rows.append(cells)
        return len(self.rows)


def report_sheet(report: Report, html_name: str) -> Layout:
    lang = report.lang
    layout = Layout()
    layout.add([report.title.text(lang)], "title")
    layout.add([SUBTITLE(period=report.period.label(), today=f"{report.today:%Y-%m-%d}", book=report.book).text(lang)],
               "muted")
    layout.add([EXPLAIN(today=f"{report.today:%Y-%m-%d}", html=html_name).text(lang)], "muted")
    for section in report.sections:
        layout.add([])
        _section(layout, section, lang)
    return layout


def _section(layout: Layout, section: Section, lang: str) -> None:
    """The title, the chart (in rows kept free for it, as the page shows it above the table), the tables."""
    layout.add([section.title.text(lang)], "section")
    if section.missing:
        layout.add([section.missing.text(lang)], "muted")
        return
    chart = section.chart if section.chart and section.tables[section.chart.table].rows.size else None
    chart_row = len(layout.rows) + 1
    height = _height(chart, len(section.tables[chart.table].rows)) if chart else 0
    for _ in range(math.ceil(height / ROW_CM) + 1 if chart else 0):
        layout.add([])
    placed = [_table(layout, table, lang) for table in section.tables]
    for note in section.notes:
        layout.add([note.text(lang)], "muted")
    if chart:
        header, first, last = placed[chart.table]
        ids = [c.id for c in section.tables[chart.table].columns]
        series = tuple((ids.index(s) + 1, header, last) for s in chart.series)
        layout.charts.append(Chart(chart.kind, chart.title.text(lang), f"A{chart_row}",
                                   (ids.index(chart.category) + 1, first, last), series, width_cm=16, height_cm=height,
                                   legend=len(series) > 1 or chart.kind == "pie",
                                   data_labels="percent" if chart.kind == "pie" else None))


def _height(chart, count: int) -> float:
    """cm: 7.5, and taller for horizontal bars when there are many (each label stays readable)."""
    return max(7.5, 0.6 * count + 1.5) if chart.kind == "bar" else 7.5


def _table(layout: Layout, table: Table, lang: str) -> tuple[int, int, int]:
    """Write one table; returns (header row, first data row, last data row), 1-based."""
    if table.title:
        layout.add([table.title.text(lang)], "muted")
    header = layout.add([c.title.text(lang) for c in table.columns], "header")
    kinds = [c.kind for c in table.columns]
    for values in table.rows.itertuples(index=False, name=None):
        layout.add([_value(v, k) for v, k in zip(values, kinds)])
    if not len(table.rows):
        layout.add([NOTHING.text(lang)])
    first, last = header + 1, len(layout.rows)
    for index, kind in enumerate(kinds):
        letter = column_letter(index)
        if kind in FIGURES and len(table.rows):  # the header over its numbers: the sheet's columns mix tables
            layout.align.append((f"{letter}{header}:{letter}{last}", RIGHT))
        if kind in (INT, MONEY, PERCENT, DATE):
            layout.formats.append((f"{letter}{first}:{letter}{last}", kind))
        elif kind == NUMBER:
            layout.formats += [(f"{letter}{first + row}:{letter}{first + row}", shown)
                               for row, shown in sorted(table.row_kinds.items())]
    if table.limit is not None:
        layout.add([listed_note(table).text(lang)], "muted")
    return header, first, last


def _value(value: Any, kind: str) -> Any:
    """A report value as a cell: numbers as numbers, dates as dates, empty as empty."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if kind == INT and isinstance(value, (int, float)):
        return int(round(value))
    if kind == MONEY and isinstance(value, (int, float)):
        return round(float(value), 2)
    return value

