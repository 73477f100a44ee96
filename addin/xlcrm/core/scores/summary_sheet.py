"""The summary sheet (CRM概览 / CRM Summary): customers and revenue per segment, class and churn risk,
with native charts.

Its figures are formulas over the columns xlcrm wrote beside the team's table, so they follow
the team's edits in Excel (a class typed over the computed one moves at once), and the charts
draw from those cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xlcrm.core.scores.customer_classes import CLASSES, MEANINGS
from xlcrm.core.edits import MONEY, PERCENT, Chart, Formula
from xlcrm.core.i18n import Msg
from xlcrm.core.scores.buying_rhythm import RISKS
from xlcrm.core.scores.segments import Segment
from xlcrm.core.table import column_letter

TITLE = Msg("CRM summary as of {day}", "CRM概览(截至 {day})")
EXPLAIN = Msg("The figures are formulas over the columns xlcrm added to '{sheet}': they follow your edits there. "
              "Run refresh again to rescore after new orders.",
              "以下数字是对“{sheet}”中 xlcrm 所加各列的公式,会随您的修改自动更新;有新订单后请重新刷新评分。")
SEGMENTS = Msg("Segments", "客户分群")
CLASSES_TITLE = Msg("Classes", "客户等级")
CHURN = Msg("Churn risk", "流失风险")
HEAD_SEGMENT = (Msg("Segment", "分群"), Msg("Customers", "客户数"), Msg("Share of customers", "客户占比"),
                Msg("Revenue", "消费金额"), Msg("Share of revenue", "收入占比"), Msg("Suggested action", "建议行动"))
HEAD_CLASS = (Msg("Class", "等级"), Msg("Customers", "客户数"), Msg("Share of customers", "客户占比"),
              Msg("Revenue", "消费金额"), Msg("Share of revenue", "收入占比"), Msg("Meaning", "含义"))
HEAD_CHURN = (Msg("Churn risk", "流失风险"), Msg("Customers", "客户数"), Msg("Share of customers", "客户占比"))
TOTAL = Msg("Total", "合计")
CHART_SEGMENTS = Msg("Customers per segment", "各分群客户数")
CHART_CLASSES = Msg("Revenue by class", "各等级收入占比")
SEGMENT_CHART_ROWS = 22  # rows a 10 cm chart covers at the default row height, and a gap


@dataclass(frozen=True)
class Source:
    """Where the scored columns are: the customer sheet, its data rows, and 0-based columns by id."""

    sheet: str
    first_row: int
    last_row: int
    columns: dict[str, int]

    def range(self, column_id: str) -> str:
        letter = column_letter(self.columns[column_id])
        sheet = self.sheet.replace("'", "''")
        return f"'{sheet}'!${letter}${self.first_row}:${letter}${max(self.last_row, self.first_row)}"


@dataclass
class Layout:
    rows: list[list[Any]]
    styles: dict[int, str]
    charts: list[Chart]


def summary_sheet(source: Source, segments: list[Segment], today: dt.date, lang: str) -> Layout:
    layout = Layout([[TITLE(day=today.isoformat()).text(lang)], [EXPLAIN(sheet=source.sheet).text(lang)], []],
                    {0: "title", 1: "muted"}, [])
    names = list(dict.fromkeys(s.name(lang) for s in segments))
    actions = {}
    for s in segments:
        actions.setdefault(s.name(lang), s.action(lang))
    first = _table(layout, SEGMENTS, HEAD_SEGMENT, lang, source, "segment",
                   [(name, actions[name]) for name in names], revenue=True)
    layout.charts.append(Chart("bar", CHART_SEGMENTS.text(lang), f"H{first - 2}", (1, first, first + len(names) - 1),
                               ((2, first - 1, first + len(names) - 1),), width_cm=16, height_cm=10, legend=False,
                               data_labels="value"))
    first = _table(layout, CLASSES_TITLE, HEAD_CLASS, lang, source, "class",
                   [(c, MEANINGS[c].text(lang)) for c in CLASSES], revenue=True)
    anchor = max(first - 2, layout.charts[0].categories[1] + SEGMENT_CHART_ROWS)
    layout.charts.append(Chart("pie", CHART_CLASSES.text(lang), f"H{anchor}", (1, first, first + len(CLASSES) - 1),
                               ((4, first - 1, first + len(CLASSES) - 1),), width_cm=12, height_cm=8,
                               data_labels="percent"))
    _table(layout, CHURN, HEAD_CHURN, lang, source, "churn_risk", [(m.text(lang), None) for m in RISKS.values()],
           revenue=False)
    return layout


def _table(layout: Layout, title: Msg, head: tuple[Msg, ...], lang: str, source: Source, column_id: str,
           items: list[tuple[str, str | None]], revenue: bool) -> int:
    """A titled table of counts (and revenue) per value of one column; returns its first data row (1-based)."""
    rows = layout.rows
    layout.styles[len(rows)] = "section"
    rows.append([title.text(lang)])
    layout.styles[len(rows)] = "header"
    rows.append([m.text(lang) for m in (head if revenue else head[:3])])
    first = len(rows) + 1
    last = first + len(items) - 1
    total = last + 1
    values, money = source.range(column_id), source.range("monetary")
    for offset, (label, detail) in enumerate(items):
        row = first + offset
        cells = [label, Formula(f'COUNTIF({values},A{row})'), Formula(f"IF(B${total}=0,0,B{row}/B${total})")]
        if revenue:
            cells += [Formula(f"SUMIF({values},A{row},{money})"), Formula(f"IF(D${total}=0,0,D{row}/D${total})"),
                      detail]
        rows.append(cells)
    totals = [TOTAL.text(lang), Formula(f"SUM(B{first}:B{last})"), Formula(f"SUM(C{first}:C{last})")]
    if revenue:
        totals += [Formula(f"SUM(D{first}:D{last})"), Formula(f"SUM(E{first}:E{last})")]
    rows.append(totals)
    rows.append([])
    return first


FORMATS = {2: PERCENT, 3: MONEY, 4: PERCENT}
WIDTHS = {0: 22, 1: 10, 2: 12, 3: 14, 4: 12, 5: 60}
