"""The CRM report as plain data: sections of titled tables with a chart each, in one language.

The same report feeds the HTML page (xlcrm.reports) and the report sheet inside the workbook
(core/report_sheet.py), so both always show the same figures. A section that cannot be made
(no orders sheet, no contact log, nothing sent yet) says why instead of showing a table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from xlcrm.core.edits import DATE, INT, MONEY, PERCENT, TEXT
from xlcrm.core.i18n import Msg
from xlcrm.core.period import Period
from xlcrm.core.settings import KV_COLUMNS, Block, Settings, kv

NUMBER = "number"  # an amount or a count: shown as it is, without a fixed number of decimals
KINDS = (TEXT, INT, MONEY, PERCENT, DATE, NUMBER)

REPORT_BLOCK = Block(
    "report", Msg("Report", "报告"), KV_COLUMNS,
    lambda: [
        kv("dormant_days", 180, Msg("Dormant after (days without a purchase)", "沉睡客户:未购买天数"),
           Msg("Customers who bought before but not for this many days are listed as dormant.",
               "曾经购买、但已超过这么多天未再购买的客户列为沉睡客户。")),
        kv("top_customers", 10, Msg("Top customers compared year on year", "同比对比的大客户数"),
           Msg("Last year's biggest customers by revenue, and whether they still order this year.",
               "去年收入最高的客户数,看他们今年是否仍在下单。")),
        kv("listed_rows", 25, Msg("Rows listed at most per list", "每个清单最多列出行数"),
           Msg("Longer lists (stuck deals, churn risk, dormant, overdue) show the first rows and say how many more.",
               "停滞商机、流失风险、沉睡客户、逾期跟进等清单超出时只列出前几行,并注明另有多少。")),
    ],
)


@dataclass(frozen=True)
class ReportRules:
    dormant_days: int = 180
    top_customers: int = 10
    listed_rows: int = 25

    @classmethod
    def from_settings(cls, settings: Settings) -> "ReportRules":
        def whole(key: str, default: int, low: int, high: int) -> int:
            number = settings.number(key, REPORT_BLOCK.id)
            return int(number) if number is not None and low <= number <= high else default

        return cls(whole("dormant_days", 180, 1, 3650), whole("top_customers", 10, 1, 100),
                   whole("listed_rows", 25, 1, 500))


@dataclass(frozen=True)
class Column:
    id: str
    title: Msg
    kind: str = TEXT  # one of KINDS


@dataclass
class Table:
    """Rows of values (str, numbers, Timestamps, None) under typed columns; total counts rows before a cut."""

    columns: tuple[Column, ...]
    rows: pd.DataFrame
    title: Msg | None = None
    total: int | None = None
    limit: int | None = None  # a list cut to this many rows
    row_kinds: dict[int, str] = field(default_factory=dict)  # row -> the kind of its NUMBER cells (e.g. MONEY)

    @property
    def cut(self) -> int:
        return (self.total or 0) - len(self.rows)

    def column(self, column_id: str) -> Column:
        return next(c for c in self.columns if c.id == column_id)


@dataclass(frozen=True)
class ChartSpec:
    """A chart of one table: categories from one column, one series per value column."""

    kind: str  # bar (horizontal) | column | pie | line
    title: Msg
    category: str
    series: tuple[str, ...]
    table: int = 0
    rows: int | None = None  # the first rows only (a totals row below them stays out of the chart)


@dataclass
class Section:
    id: str
    title: Msg
    tables: list[Table] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)
    chart: ChartSpec | None = None
    missing: Msg | None = None  # why the section cannot be shown


@dataclass
class Report:
    period: Period
    today: dt.date
    owner: str | None
    book: str
    lang: str
    sections: list[Section]
    headline: list[Msg] = field(default_factory=list)

    @property
    def title(self) -> Msg:
        return TITLE(kind=KIND_TITLES[self.period.kind], owner=FOR_OWNER(owner=self.owner) if self.owner else "")

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


TITLE = Msg("CRM {kind} report{owner}", "CRM{kind}{owner}")
KIND_TITLES = {"week": Msg("weekly", "周报"), "month": Msg("monthly", "月报")}
FOR_OWNER = Msg(" for {owner}", "({owner})")
SUBTITLE = Msg("{period} · as of {today} · workbook {book}", "{period} · 截至 {today} · 工作簿 {book}")
LISTED_ALL = Msg("{count} listed.", "共 {count} 行。")
LISTED_SOME = Msg("The first {shown} of {count} listed.", "共 {count} 行,列出前 {shown} 行。")
NOTHING = Msg("(none)", "(无)")


def listed_note(table: "Table") -> Msg:
    return LISTED_SOME(shown=len(table.rows), count=table.total) if table.cut > 0 else LISTED_ALL(count=table.total)


def table(columns: tuple[Column, ...], rows: pd.DataFrame, limit: int | None = None, title: Msg | None = None) -> Table:
    """A table of the given columns, cut to `limit` rows (the total is kept to say how many more)."""
    shown = rows.loc[:, [c.id for c in columns]]
    total = len(shown)
    if limit is not None:
        shown = shown.head(limit)
    return Table(columns, shown.reset_index(drop=True), title, total, limit)


def share(part: pd.Series, whole: float) -> pd.Series:
    """part / whole, 0 when there is nothing to share."""
    return (part / whole) if whole else part * 0.0


def change(now: float | None, before: float | None) -> float | None:
    """The relative change from before to now; None where before is nothing to compare with."""
    if now is None or before is None or pd.isna(now) or pd.isna(before) or before == 0:
        return None
    return (now - before) / abs(before)
