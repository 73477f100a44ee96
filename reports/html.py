"""The report as one self-contained HTML page: CSS inline, charts as inline SVG, every value escaped.

Nothing in the page is fetched from anywhere (no fonts, scripts, images or style sheets from the
network), so it opens the same offline, as a mail attachment, and in print.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from xlcrm import __version__
from xlcrm.core.edits import DATE, INT, MONEY, PERCENT
from xlcrm.core.i18n import Msg
from xlcrm.core.report.sections import NOTHING, NUMBER, SUBTITLE, Report, Section, Table, listed_note
from xlcrm.reports.charts import chart_svg

FOLDER = Path(__file__).resolve().parent
PAGE_BREAKS = {"funnel", "contacts"}  # printed sections that start a new page
FOOTER = Msg("Made by xlcrm {version} from {book} on {made}. Figures as of {today}; the period is {period}.",
             "由 xlcrm {version} 根据 {book} 于 {made} 生成。数据截至 {today};报告期 {period}。")
CONTENTS = Msg("Contents", "目录")


def environment() -> Environment:
    """Templates from this folder; autoescape on for everything, so customer text is always text."""
    return Environment(loader=FileSystemLoader(str(FOLDER)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report, made: dt.datetime) -> str:
    lang = report.lang
    context = {
        "lang": "zh-CN" if lang == "zh" else "en",
        "title": report.title.text(lang),
        "subtitle": SUBTITLE(period=report.period.label(), today=f"{report.today:%Y-%m-%d}",
                             book=report.book).text(lang),
        "headline": [line.text(lang) for line in report.headline[1:]],
        "contents": CONTENTS.text(lang),
        "sections": [_section(s, lang) for s in report.sections],
        "footer": FOOTER(version=__version__, book=report.book, made=f"{made:%Y-%m-%d %H:%M}",
                         today=f"{report.today:%Y-%m-%d}", period=report.period.label()).text(lang),
        "css": Markup((FOLDER / "report.css").read_text(encoding="utf-8")),
    }
    return environment().get_template("report.html.j2").render(context)


def _section(section: Section, lang: str) -> dict[str, Any]:
    chart = None
    if section.chart and not section.missing:
        table = section.tables[section.chart.table]
        names = {c.id: c.title.text(lang) for c in table.columns}
        svg = chart_svg(section.chart, table, names, section.id)
        if svg:
            chart = {"svg": Markup(svg), "title": section.chart.title.text(lang)}
    return {
        "id": section.id, "title": section.title.text(lang), "page_break": section.id in PAGE_BREAKS,
        "missing": section.missing.text(lang) if section.missing else None,
        "tables": [_table(t, lang) for t in section.tables], "notes": [n.text(lang) for n in section.notes],
        "chart": chart,
    }


def _table(table: Table, lang: str) -> dict[str, Any]:
    kinds = [c.kind for c in table.columns]
    rows = [[{"text": shown(v, table.row_kinds.get(i, k) if k == NUMBER else k), "kind": k, "negative": _negative(v)}
             for v, k in zip(values, kinds)] for i, values in enumerate(table.rows.itertuples(index=False, name=None))]
    return {"title": table.title.text(lang) if table.title else None,
            "columns": [{"text": c.title.text(lang), "kind": c.kind} for c in table.columns], "rows": rows,
            "empty": NOTHING.text(lang), "listed": listed_note(table).text(lang) if table.limit is not None else None}


def shown(value: Any, kind: str) -> str:
    """A value as the report shows it: 1,234 / 1,234.50 / 12.5% / 2026-11-23 / text; empty as nothing."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if kind == INT and isinstance(value, (int, float)):
        return f"{round(value):,}"
    if kind == MONEY and isinstance(value, (int, float)):
        return f"{value:,.2f}"
    if kind == PERCENT and isinstance(value, (int, float)):
        return f"{value:.1%}"
    if kind == NUMBER and isinstance(value, (int, float)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if kind == DATE:
        return str(value)
    return str(value)


def _negative(value: Any) -> bool:
    return bool(isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and value < 0)
