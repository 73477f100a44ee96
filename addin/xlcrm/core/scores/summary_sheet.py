"""The summary sheet (CRM概览 / CRM Summary): customers and revenue per segment, class and churn risk,
with native charts.

Its figures are those of the refresh that wrote it, counted by core.customer_figures as the report
and the command line count them (a customer listed twice counts once), so the sheet, the report and
the CLI agree; the charts draw from these cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlcrm.core.customer_figures import mix
from xlcrm.core.edits import INT, MONEY, PERCENT, Chart
from xlcrm.core.i18n import Msg
from xlcrm.core.scores.buying_rhythm import RISKS
from xlcrm.core.scores.customer_classes import CLASSES, MEANINGS
from xlcrm.core.scores.segments import Segment

TITLE = Msg("CRM summary as of {day}", "CRM概览(截至 {day})")
EXPLAIN = Msg("Customers of '{sheet}' as of the last refresh, a customer listed twice counted once; revenue is each "
              "customer's net amount spent to date. Run refresh again after new orders or edits.",
              "“{sheet}”中的客户(截至上次刷新,重复列出的客户计一次);消费金额为每个客户至今的净消费金额。"
              "有新订单或修改后请重新刷新。")
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


@dataclass
class Layout:
    rows: list[list[Any]]
    styles: dict[int, str]
    charts: list[Chart]


def summary_sheet(customers: pd.DataFrame, sheet: str, segments: list[Segment], today: dt.date, lang: str) -> Layout:
    """customers: one row per customer (customer_figures.one_per_customer) with segment, class and churn_risk
    as the sheet shows them (names in lang) and monetary."""
    layout = Layout([[TITLE(day=today.isoformat()).text(lang)], [EXPLAIN(sheet=sheet).text(lang)], []],
                    {0: "title", 1: "muted"}, [])
    names = list(dict.fromkeys(s.name(lang) for s in segments))
    actions: dict[str, str] = {}
    for s in segments:
        actions.setdefault(s.name(lang), s.action(lang))
    first = _table(layout, SEGMENTS, HEAD_SEGMENT, lang, customers, "segment",
                   [(name, actions[name]) for name in names], revenue=True)
    layout.charts.append(Chart("bar", CHART_SEGMENTS.text(lang), f"H{first - 2}", (1, first, first + len(names) - 1),
                               ((2, first - 1, first + len(names) - 1),), width_cm=16, height_cm=10, legend=False,
                               data_labels="value"))
    first = _table(layout, CLASSES_TITLE, HEAD_CLASS, lang, customers, "class",
                   [(c, MEANINGS[c].text(lang)) for c in CLASSES], revenue=True)
    anchor = max(first - 2, layout.charts[0].categories[1] + SEGMENT_CHART_ROWS)
    layout.charts.append(Chart("pie", CHART_CLASSES.text(lang), f"H{anchor}", (1, first, first + len(CLASSES) - 1),
                               ((4, first - 1, first + len(CLASSES) - 1),), width_cm=12, height_cm=8,
                               data_labels="percent"))
    _table(layout, CHURN, HEAD_CHURN, lang, customers, "churn_risk", [(m.text(lang), None) for m in RISKS.values()],
           revenue=False)
    return layout


def _table(layout: Layout, title: Msg, head: tuple[Msg, ...], lang: str, customers: pd.DataFrame, column_id: str,
           items: list[tuple[str, str | None]], revenue: bool) -> int:
    """A titled table of customers (and revenue) per value of one column; returns its first data row (1-based)."""
    rows = layout.rows
    layout.styles[len(rows)] = "section"
    rows.append([title.text(lang)])
    layout.styles[len(rows)] = "header"
    rows.append([m.text(lang) for m in (head if revenue else head[:3])])
    first = len(rows) + 1
    counted = mix(customers, column_id, [label for label, _ in items])
    for (label, detail), row in zip(items, counted.itertuples(index=False)):
        cells = [label, int(row.customers), float(row.customer_share)]
        if revenue:
            cells += [round(float(row.revenue), 2), float(row.revenue_share), detail]
        rows.append(cells)
    totals = [TOTAL.text(lang), int(counted["customers"].sum()), float(counted["customer_share"].sum())]
    if revenue:
        totals += [round(float(counted["revenue"].sum()), 2), float(counted["revenue_share"].sum())]
    rows.append(totals)
    rows.append([])
    return first


FORMATS = {1: INT, 2: PERCENT, 3: MONEY, 4: PERCENT}
WIDTHS = {0: 22, 1: 10, 2: 12, 3: 14, 4: 12, 5: 60}
