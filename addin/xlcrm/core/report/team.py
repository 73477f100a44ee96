"""The team report as a Report (one section: per salesperson across every workbook of the team store, a totals
row and a column chart), from the store's plain activity rows; the HTML page renders it as any report."""

from __future__ import annotations

import pandas as pd

from xlcrm.core.edits import INT, TEXT
from xlcrm.core.i18n import Msg
from xlcrm.core.period import Period
from xlcrm.core.report.sections import ChartSpec, Column, Report, Section, Table

TEAM = Msg("the team", "团队")
STORE_BOOKS = Msg("team store ({count} workbooks)", "团队数据库({count} 个工作簿)")
SECTION = Msg("Salespeople across the team store", "团队数据库中的业务员")
TOTAL = Msg("Team total", "团队合计")
CHART = Msg("Contacts and messages sent per salesperson", "各业务员的联系次数与发送邮件数")
NOTE = Msg("Customers and workbooks as the store holds them now; contacts and messages sent within the period. "
           "The total counts each workbook once.",
           "客户数和工作簿数为数据库当前所记;联系次数和发送邮件数为报告期内。合计中每个工作簿只计一次。")
NO_ONE = Msg("No salesperson in the team store yet: sync a workbook first (xlcrm team sync BOOK).",
             "团队数据库中还没有业务员:请先同步一个工作簿(xlcrm team sync BOOK)。")
COLUMNS = (
    Column("owner", Msg("Salesperson", "业务员"), TEXT),
    Column("workbooks", Msg("Workbooks", "工作簿"), INT),
    Column("customers", Msg("Customers", "客户"), INT),
    Column("contacts", Msg("Contacts", "联系次数"), INT),
    Column("sent", Msg("Messages sent", "发送邮件"), INT),
)
FIGURES = tuple(c.id for c in COLUMNS[1:])


def team_report(rows: list[dict], workbooks: int, period: Period, lang: str) -> Report:
    """rows: one dict per salesperson (owner, workbooks, customers, contacts, sent); workbooks: the store's count,
    for the totals row (one workbook may hold several salespeople's customers)."""
    people = pd.DataFrame([{c.id: row.get(c.id, 0) for c in COLUMNS} for row in rows],
                          columns=[c.id for c in COLUMNS])
    totals = {"owner": TOTAL.text(lang), "workbooks": workbooks,
              **{c: int(people[c].sum()) for c in FIGURES[1:]}}
    shown = pd.concat([people, pd.DataFrame([totals])], ignore_index=True)
    section = Section("team", SECTION, [Table(COLUMNS, shown)], notes=[NOTE],
                      chart=ChartSpec("column", CHART, "owner", ("contacts", "sent"), rows=len(people)),
                      missing=None if len(people) else NO_ONE)
    return Report(period, period.end, TEAM.text(lang), STORE_BOOKS(count=workbooks).text(lang), lang, [section])


def page_name(report: Report) -> str:
    """team-<week|month>-<day>.html: one page per period and day."""
    return f"team-{report.period.kind}-{report.today:%Y-%m-%d}.html"


__all__ = ["team_report", "page_name", "TOTAL"]
