"""`xlcrm report --team` writes the dated team page: one table per salesperson across every workbook of the store,
its figures those of the store, self-contained, in Chinese and in English."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pytest

from conftest import TODAY, make_book
from helpers.cli import run
from xlcrm import bootstrap
from xlcrm.actions.contact_log import log_contact
from xlcrm.actions.team import status, sync, team_report
from xlcrm.book.file import FileBook


@pytest.fixture
def team(tmp_path, monkeypatch):
    """Two salespeople's synced workbooks sharing 20 customers, one call logged today; the SQLite store's URL."""
    url = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv("XLCRM_STORE", url)
    (tmp_path / "ann").mkdir()
    (tmp_path / "bob").mkdir()
    first = make_book(tmp_path / "ann", customers=20)
    second = tmp_path / "bob" / first.name
    shutil.copy(first, second)
    connect = bootstrap.store_connector()
    for book in (first, second):
        sync(FileBook(book), connect)
    customer = str(sync(FileBook(first), connect).session.customers.records["customer"].dropna().iloc[0])
    log_contact(FileBook(first), customer, "phone", "报价已确认", TODAY, team=connect)
    return url


def page_table(path: Path) -> list[list[str]]:
    cells = lxml.html.parse(str(path)).getroot().cssselect('table[data-table="team-0"] tr')
    return [[c.text_content().strip() for c in row.cssselect("th, td")] for row in cells]


def test_the_team_page_holds_the_store_figures(team, tmp_path):
    connect = bootstrap.store_connector()
    result = team_report(connect, "week", TODAY, out_dir=tmp_path / "out", lang="zh")
    assert result.html == (tmp_path / "out" / "team-week-2026-11-23.html").resolve() and result.html.exists()
    assert result.lines("zh")[-1] == f"HTML 报告:{result.html}"
    head, *people, total = page_table(result.html)
    assert head == ["业务员", "工作簿", "客户", "联系次数", "发送邮件"]
    store = status(connect, team).status
    assert {row[0]: int(row[2]) for row in people} == store.owners  # customers per salesperson, as team status
    assert {row[1] for row in people} == {"2"}  # both workbooks hold every salesperson's customers
    assert total == ["团队合计", str(len(store.workbooks)), str(sum(store.owners.values())),
                     str(sum(r["contacts"] for r in result.rows)), str(sum(r["sent"] for r in result.rows))]
    assert [[r["owner"], str(r["contacts"]), str(r["sent"])] for r in result.rows] == [[p[0], p[3], p[4]]
                                                                                       for p in people]
    assert int(total[3]) >= 1  # the call logged today
    page = result.html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "CRM周报(团队)" in page and "2026-11-17 – 2026-11-23" in page
    chart = page.split("<svg")[1].split("</svg>")[0]
    assert page.count("<svg") == 1 and "团队合计" not in chart  # the chart leaves the totals row out
    assert not re.search(r"""\b(src|href|srcset|action|data)\s*=\s*["'](?!#)""", page, re.I)
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(?!#)", page)


def test_the_command_writes_the_english_page_into_reports_here(team, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printed = run("report", "--team", "--period", "month", "--today", "2026-11-23", lang="en")
    assert printed.exit_code == 0, printed.output
    page = tmp_path / "reports" / "team-month-2026-11-23.html"
    assert printed.output.splitlines()[-1] == f"HTML report: {page.resolve()}"
    head, *people, total = page_table(page)
    assert head == ["Salesperson", "Workbooks", "Customers", "Contacts", "Messages sent"] and total[0] == "Team total"
    lines = printed.output.splitlines()[1:-1]
    assert [f"  {p[0]}: {p[2]} customers, {p[3]} contacts, {p[4]} messages sent" for p in people] == lines
    text = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "CRM monthly report for the team" in text and "2026-10-24 – 2026-11-23" in text
