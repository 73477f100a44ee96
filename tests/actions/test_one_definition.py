"""One number, one definition: the summary sheet (CRM概览), the report's HTML page and the lines refresh, followups
and report print show the same customers, revenue and follow-ups, counted as the test counts them from the
customer sheet (a customer listed twice counts once), in both languages."""

from __future__ import annotations

import re

import openpyxl
import pytest

from conftest import TODAY, make_book
from helpers.chromium import tables
from helpers.reportbook import customer_sheet
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook

SUMMARY = {"zh": "CRM概览", "en": "CRM Summary"}
DUE = {"zh": "待跟进", "en": "Due follow-ups"}
TOTAL = {"zh": "合计", "en": "Total"}
CUSTOMER_SHEET = {"zh": "客户跟踪表", "en": "Customers"}
CUSTOMERS = {"zh": "客户:{customers} 个(有购买 {bought} 个", "en": "Customers: {customers} ({bought} with purchases"}
OWNER_LINE = re.compile(r"^\s*■?\s*(.+?)[::]\s*\D*?(\d+)\D+?(\d+)\D+?(\d+)(?:\D+?(\d+))?(?:\D+?(\d+))?")


@pytest.fixture(scope="module", params=["zh", "en"])
def runs(request, tmp_path_factory):
    lang = request.param
    path = make_book(tmp_path_factory.mktemp(f"one-{lang}"), lang)
    refreshed = refresh(FileBook(path), TODAY)
    followed = followups(FileBook(path), TODAY)
    reported = report(FileBook(path), today=TODAY)
    return lang, path, refreshed.lines(lang), followed.lines(lang), reported


def summary_tables(path, lang) -> list[list[list]]:
    """The summary sheet's tables: rows from a header to its total row."""
    rows = [list(r) for r in openpyxl.load_workbook(path, data_only=True)[SUMMARY[lang]].iter_rows(values_only=True)]
    found, current = [], None
    for row in rows:
        if current is None and row[1] is not None and isinstance(row[1], str):
            current = []
        elif current is not None:
            current.append(row)
            if row[0] == TOTAL[lang]:
                found.append(current)
                current = None
    return found


def test_customers_and_revenue_agree_in_the_sheet_the_page_and_the_lines(runs):
    lang, path, refreshed, _, reported = runs
    sheet = customer_sheet(path, lang)  # one row per customer, a repeated name once
    customers, revenue = len(sheet), round(float(sheet["monetary"].sum()), 2)
    listed = [r for r in openpyxl.load_workbook(path)[CUSTOMER_SHEET[lang]].iter_rows(min_row=3, values_only=True)
              if r[1]]
    assert len(listed) > customers  # the sample lists a customer twice: it counts once everywhere
    for table in summary_tables(path, lang)[:2]:  # segments, classes
        total = table[-1]
        assert total[1] == customers and total[3] == pytest.approx(revenue, abs=0.01)
        assert sum(r[1] for r in table[:-1]) == customers
    html = tables(reported.html.read_text(encoding="utf-8"))
    overview = {row[0]: row[1] for row in html["overview-1"][1:]}
    assert int(overview[next(k for k in overview if k.startswith(("客户数", "Customers (")))].replace(",", "")) == customers
    to_date = next(v for k, v in overview.items() if k in ("累计消费金额", "Revenue to date"))
    assert float(to_date.replace(",", "")) == pytest.approx(revenue, abs=0.01)
    segments = html["segments-0"][1:]
    assert sum(int(r[1].replace(",", "")) for r in segments) == customers
    assert sum(float(r[3].replace(",", "")) for r in segments) == pytest.approx(revenue, abs=0.05)
    line = next(text for text in refreshed if text.startswith(CUSTOMERS[lang].split("{")[0]))
    assert line in reported.lines(lang)  # refresh and report say it with the same words and figures
    assert f"{customers:,}" in line and f"{revenue:,.2f}" in line


def owner_counts(lines: list[str]) -> dict[str, tuple[int, ...]]:
    found = {}
    for text in lines:
        match = OWNER_LINE.match(text)
        if match:
            found[match[1].strip()] = tuple(int(n) for n in match.groups()[1:4])
    return found


def test_follow_ups_agree_in_the_headline_the_owner_lines_the_due_list_and_the_report(runs):
    lang, path, _, followed, reported = runs
    start = next(i for i, t in enumerate(followed) if t.startswith(("按负责人", "Per owner")))
    per_owner = owner_counts([t for t in followed[start + 1:] if t.startswith("  ")])
    assert per_owner
    headline = [int(n) for n in re.findall(r"\d+", followed[0].split(":", 1)[-1].split(":", 1)[-1])][:3]
    shared = customer_sheet(path, lang)["owner"].astype(str).str.contains("/").any()
    if not shared:  # a customer shared by two owners counts for each owner, once in the headline
        assert [sum(c[i] for c in per_owner.values()) for i in range(3)] == headline
    report_lines = reported.lines(lang)
    follow_line = next(t for t in report_lines if t.startswith(("跟进(", "Follow-ups (")))
    assert [int(n) for n in re.findall(r"\d+", follow_line)][:3] == headline
    html = tables(reported.html.read_text(encoding="utf-8"))
    in_report = {row[0]: tuple(int(v) for v in row[1:4]) for row in html["followups-0"][1:]}
    assert {o: c for o, c in in_report.items() if any(c) or o in per_owner} == per_owner
    due = [r[0] for r in openpyxl.load_workbook(path)[DUE[lang]].iter_rows(values_only=True) if r[0]]
    blocks = owner_counts([t for t in due if str(t).startswith("■")])
    assert blocks == per_owner
    stuck = [int(n) for n in re.findall(r"\d+", next(t for t in followed if t.startswith(("停滞的商机", "Deals stuck"))))]
    assert stuck[0] == [int(n) for n in re.findall(r"\d+", follow_line)][3]
