"""The report's figures against figures the test works out itself from the sheets, with pandas."""

from __future__ import annotations

import datetime as dt
import html
import math
import re

import openpyxl
import pandas as pd
import pytest

from conftest import TODAY
from helpers.cli import run
from helpers.reportbook import (customer_sheet, logged, report_grid, same_customer, section_row,
                                table_after, team_book)
from helpers.tracking import tracking_book
from helpers.workbooks import edit, workbook_of
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from xlcrm.core.period import ending

WEEK = (dt.date(2026, 11, 17), TODAY)
PREVIOUS_WEEK = (dt.date(2026, 11, 10), dt.date(2026, 11, 16))


@pytest.fixture(scope="module")
def zh_team(tmp_path_factory):
    path = team_book(tmp_path_factory.mktemp("zh"), "zh")
    return path, report(FileBook(path), today=TODAY)


@pytest.fixture(scope="module")
def en_team(tmp_path_factory):
    path = team_book(tmp_path_factory.mktemp("en"), "en")
    return path, report(FileBook(path), today=TODAY, period="month")


def close(a, b, tolerance=0.006) -> bool:
    return math.isclose(float(a), float(b), abs_tol=tolerance)


def by_first(rows: list[list]) -> dict:
    return {row[0]: row[1:] for row in rows[1:]}


def test_periods_are_the_week_or_month_up_to_the_day_and_the_one_before():
    week = ending("week", TODAY)
    assert (week.start, week.end) == WEEK
    assert (week.previous().start, week.previous().end) == PREVIOUS_WEEK
    month = ending("month", TODAY)
    assert (month.start, month.end) == (dt.date(2026, 10, 24), TODAY)
    assert (month.previous().start, month.previous().end) == (dt.date(2026, 9, 24), dt.date(2026, 10, 23))
    march = ending("month", dt.date(2026, 3, 31))
    assert march.start == dt.date(2026, 3, 1)


def test_segments_and_classes_match_the_columns_refresh_wrote(zh_team):
    path, _ = zh_team
    sheet = customer_sheet(path, "zh")
    grid = report_grid(path, "zh")
    for title, column in (("各分群客户", "segment"), ("各等级客户", "class")):
        shown = by_first(table_after(grid, title))
        expected = sheet.groupby(column).agg(customers=("customer", "size"), revenue=("monetary", "sum"))
        for name, (customers, revenue) in expected.iterrows():
            count, customer_share, amount, revenue_share = shown[name][:4]
            assert count == customers, (title, name)
            assert close(amount, revenue, 0.01)
            assert close(customer_share, customers / len(sheet), 1e-9)
            assert close(revenue_share, revenue / sheet["monetary"].sum(), 1e-9)
        assert sum(row[0] for row in shown.values()) == len(sheet)


def test_the_80_20_curve_matches_the_amounts_spent(zh_team):
    path, _ = zh_team
    spent = customer_sheet(path, "zh")["monetary"]
    spent = spent[spent > 0].sort_values(ascending=False).reset_index(drop=True)
    shown = by_first(table_after(report_grid(path, "zh"), "收入集中度(80/20)"))
    for label, share in (("前 20%", 0.2), ("前 50%", 0.5), ("前 100%", 1.0)):
        count = math.ceil(share * len(spent))
        customers, _, revenue, revenue_share = shown[label]
        assert customers == count
        assert close(revenue, spent[:count].sum(), 0.01)
        assert close(revenue_share, spent[:count].sum() / spent.sum(), 1e-9)


def test_the_funnel_counts_the_deals_in_each_stage(zh_team):
    path, _ = zh_team
    stages = customer_sheet(path, "zh")["stage"].value_counts()
    shown = by_first(table_after(report_grid(path, "zh"), "销售漏斗"))
    assert list(shown) == ["见到客户", "发现机会", "确认机会", "明确需求", "方案报价", "客户承诺", "验收", "收款"]
    assert {name: row[0] for name, row in shown.items() if row[0]} == stages.to_dict()


def test_followups_per_owner_match_the_next_due_dates_written_in_the_sheet(zh_team):
    path, _ = zh_team
    sheet = customer_sheet(path, "zh")
    days = (pd.to_datetime(sheet["next_due"]) - pd.Timestamp(TODAY)).dt.days
    shown = by_first(table_after(report_grid(path, "zh"), "各负责人的跟进"))
    for owner, group in days.groupby(sheet["owner"]):
        overdue, due_today, due_week, no_date = shown[owner][:4]
        assert (overdue, due_today, due_week, no_date) == (int((group < 0).sum()), int((group == 0).sum()),
                                                            int(group.between(1, 7).sum()), int(group.isna().sum()))


def test_contacts_logged_per_owner_in_the_week_and_the_week_before(zh_team):
    path, _ = zh_team
    log = logged(path, "zh")
    shown = by_first(table_after(report_grid(path, "zh"), "各负责人的跟进记录"))
    this_week = log[log["date"].between(pd.Timestamp(WEEK[0]), pd.Timestamp(WEEK[1]))]
    before = log[log["date"].between(pd.Timestamp(PREVIOUS_WEEK[0]), pd.Timestamp(PREVIOUS_WEEK[1]))]
    assert len(this_week) and len(before)
    for owner in log["owner"].unique():
        contacts, customers, previous = shown[owner]
        mine = this_week[this_week["owner"] == owner]
        assert contacts == len(mine)
        assert customers == mine["customer"].map(same_customer).nunique()
        assert previous == int((before["owner"] == owner).sum())


def test_the_html_page_is_dated_beside_the_workbook_and_says_where_it_is(zh_team):
    path, result = zh_team
    assert result.html == path.parent / "reports" / f"{path.stem}-week-2026-11-23.html"
    lines = "\n".join(result.lines("zh"))
    assert str(result.html) in lines and "CRM报告" in lines and "逾期" in lines
    page = result.html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "CRM周报" in page and "2026-11-17 – 2026-11-23" in page
    assert page.count("<svg") >= 5  # segments, classes, 80/20, funnel, follow-ups, contacts


def test_nothing_in_the_page_is_fetched_from_anywhere(zh_team):
    _, result = zh_team
    page = result.html.read_text(encoding="utf-8")
    assert not re.search(r"""\b(src|srcset|action|poster|data)\s*=\s*["'](?!#)""", page, re.I)
    assert not re.search(r"""href\s*=\s*["'](?!#)""", page, re.I)  # only links within the page
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(?!#)", page)
    for found in re.finditer(r"(https?:)?//[\w.-]+\.\w+", page):
        before = page[max(0, found.start() - 20):found.start()]
        assert re.search(r'xmlns(:\w+)?="$', before), f"external reference {found.group()!r}"


def test_english_workbook_month_report(en_team):
    path, result = en_team
    page = result.html.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "CRM monthly report" in page and "2026-10-24 – 2026-11-23" in page
    assert "Customers per segment" in page and "客户" not in page.split("<footer>")[0].split("<main>")[1]
    grid = report_grid(path, "en")
    assert grid[0][0] == "CRM monthly report"
    log = logged(path, "en")
    in_month = log[log["date"].between(pd.Timestamp(2026, 10, 24), pd.Timestamp(TODAY))]
    shown = by_first(table_after(grid, "Contacts logged per owner"))
    assert sum(row[0] for row in shown.values()) == len(in_month)
    assert "Report sheet with charts: 'CRM Report'" in result.lines("en")


def test_one_owners_report_shows_only_their_customers(tmp_path):
    path = team_book(tmp_path, "zh")
    sheet = customer_sheet(path, "zh")
    owner = sheet["owner"].iloc[1]
    result = report(FileBook(path), today=TODAY, owner=f" {owner} ")
    assert result.html.name == f"{path.stem}-week-2026-11-23-{owner}.html"
    grid = report_grid(path, "zh")
    assert grid[0][0] == f"CRM周报({owner})"
    followups = by_first(table_after(grid, "各负责人的跟进"))
    assert list(followups) == [owner]
    segments = by_first(table_after(grid, "各分群客户"))
    assert sum(row[0] for row in segments.values()) == int((sheet["owner"] == owner).sum())
    contacts = by_first(table_after(grid, "各负责人的跟进记录"))
    log = logged(path, "zh")
    assert list(contacts) == [owner]
    assert contacts[owner][0] == int(((log["owner"] == owner) & (log["date"] >= pd.Timestamp(WEEK[0]))).sum())
    others = set(sheet["owner"]) - {owner}
    page = result.html.read_text(encoding="utf-8")
    assert not any(f">{other}<" in page for other in others)


def test_an_unknown_owner_is_a_clear_error_listing_the_owners(zh_book):
    with pytest.raises(XlcrmError) as error:
        report(FileBook(zh_book), today=TODAY, owner="Nobody")
    assert "Nobody" in error.value.text("en") and "王芳" in error.value.text("en")


def test_customer_text_is_escaped_in_the_page_and_stays_text_in_the_sheet(tmp_path):
    evil = '<script>alert("x")</script>Co'
    owner = "<img src=x onerror=alert(1)>"
    rows = [[evil, "Amy", "138", owner, TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=3), 5000, "方案报价",
             TODAY - dt.timedelta(days=40)],
            ["=HYPERLINK(\"http://evil.example\")", "Bo", "139", "王芳", TODAY - dt.timedelta(days=2), None, 800,
             "见到客户", TODAY - dt.timedelta(days=30)]]
    path = tracking_book(tmp_path / "team.xlsx", rows)
    edit(path, "客户跟踪表", {"A4": rows[1][0]}, as_text=True)  # pasted as text, as from a CSV export
    result = report(FileBook(path), today=TODAY)
    page = result.html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;Co" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script" not in page and "<img" not in page
    cells = [v for row in report_grid(path, "zh") for v in row if isinstance(v, str)]
    assert evil in cells
    sheet = openpyxl.load_workbook(path)["CRM报告"]
    hyperlink = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://evil.example")']
    assert hyperlink and all(c.data_type == "s" for c in hyperlink)  # text, never a formula


def test_missing_inputs_say_why_instead_of_failing(tmp_path):
    rows = [["甲公司", "张三", "138", "王芳", TODAY - dt.timedelta(days=3), None, 1200, "明确需求",
             TODAY - dt.timedelta(days=3)]]
    headers = ["客户名称", "联系人", "手机", "负责人", "最近联系日期", "下次跟进", "备注", "阶段", "进入阶段日期"]
    path = tracking_book(tmp_path / "team.xlsx", rows, headers)
    result = report(FileBook(path), today=TODAY)
    grid = report_grid(path, "zh")
    reasons = {}
    for title in ("各分群客户", "各等级客户", "收入集中度(80/20)", "新增流失风险客户", "沉睡客户", "大客户同比",
                  "各负责人的跟进记录", "邮件发送情况"):
        reasons[title] = grid[section_row(grid, title) + 1][0]
        assert reasons[title].startswith("无法显示:"), (title, reasons[title])
    assert "订单表" in reasons["各分群客户"] and "跟进记录" in reasons["各负责人的跟进记录"]
    assert "xlcrm remind" in reasons["邮件发送情况"]
    assert by_first(table_after(grid, "销售漏斗"))["明确需求"][0] == 1
    page = result.html.read_text(encoding="utf-8")
    assert page.count('class="not-available"') == 8
    assert "无法显示" in "\n".join(result.lines("zh"))


def test_a_workbook_with_a_header_and_no_customers_gives_an_empty_report(tmp_path):
    path = tracking_book(tmp_path / "team.xlsx", [])
    result = report(FileBook(path), today=TODAY)
    grid = report_grid(path, "zh")
    assert grid[0][0] == "CRM周报"
    assert by_first(table_after(grid, "概览", 1))["客户数(重复列出的客户计一次)"][0] == 0
    assert result.html.exists() and "(无)" in result.html.read_text(encoding="utf-8")


def test_a_workbook_without_any_table_is_a_readable_error(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    outcome = run("--lang", "en", "report", path)
    assert outcome.exit_code == 1 and "No sheet holds a customer table" in outcome.output
    assert "Traceback" not in outcome.output


def _orders_book(path):
    """Customers with known rhythms, and their orders: who became riskier this week, who is dormant, and
    how last year's top customers do this year."""
    def every(start, end, days, amount):
        day, out = start, []
        while day <= end:
            out.append((day, amount))
            day += dt.timedelta(days=days)
        return out

    orders = {
        "SteadyCo": every(dt.date(2025, 1, 6), dt.date(2026, 11, 20), 14, 1000.0),
        "SlippingCo": every(dt.date(2026, 6, 3), dt.date(2026, 10, 31), 10, 300.0),  # medium on 16 Nov, high now
        "NewlyMediumCo": every(dt.date(2026, 5, 3), dt.date(2026, 10, 30), 20, 200.0),  # low on 16 Nov, medium now
        "LongGoneCo": [(dt.date(2025, 3, 1), 50000.0), (dt.date(2025, 4, 1), 20000.0), (dt.date(2025, 5, 1), 5000.0)],
        "ProspectCo": [],
    }
    customers = [["Customer", "Owner", "Stage"]] + [[name, "Amy" if i % 2 else "Bob", "Proposal"]
                                                     for i, name in enumerate(orders)]
    lines = [["Order date", "Customer", "Amount"]] + [[d, name, a] for name, rows in orders.items() for d, a in rows]
    book = openpyxl.Workbook()
    book.active.title = "Customers"
    for row in customers:
        book.active.append(row)
    sheet = book.create_sheet("Orders")
    for row in lines:
        sheet.append(row)
    book.save(path)
    frame = pd.DataFrame(lines[1:], columns=lines[0])
    frame["Order date"] = pd.to_datetime(frame["Order date"])
    return path, frame


def test_churn_dormant_and_year_on_year_from_the_orders(tmp_path):
    path, orders = _orders_book(tmp_path / "orders.xlsx")
    result = report(FileBook(path), today=TODAY)
    grid = report_grid(path, "en")
    churn = by_first(table_after(grid, "Newly at churn risk"))
    assert set(churn) == {"SlippingCo", "NewlyMediumCo"}
    assert churn["SlippingCo"][1:3] == ["High", "Medium"] and churn["NewlyMediumCo"][1:3] == ["Medium", "Low"]
    dormant = by_first(table_after(grid, "Dormant customers"))
    assert list(dormant) == ["LongGoneCo"]
    assert dormant["LongGoneCo"][1] == dt.datetime(2025, 5, 1) and dormant["LongGoneCo"][2] == (TODAY - dt.date(2025, 5, 1)).days
    yoy = by_first(table_after(grid, "Top customers year on year"))
    year = orders["Order date"].dt.year
    last_year = orders[year == 2025].groupby("Customer")["Amount"].sum().sort_values(ascending=False)
    assert list(yoy) == list(last_year.index)
    for name, revenue in last_year.items():
        mine = orders[orders["Customer"] == name]
        same = mine[(mine["Order date"] >= "2025-01-01") & (mine["Order date"] <= "2025-11-23")]["Amount"].sum()
        now = mine[mine["Order date"].dt.year == 2026]["Amount"].sum()
        _, last, same_period, this_year, _, _, ordering = yoy[name]
        assert (close(last, revenue), close(same_period, same), close(this_year, now)) == (True, True, True)
        assert ordering == ("yes" if now > 0 else "no")
    week = orders[orders["Order date"].between("2026-11-17", "2026-11-23")]
    overview = by_first(table_after(grid, "Overview"))
    assert close(overview["Revenue from orders"][0], week["Amount"].sum()) and overview["Orders"][0] == len(week)
    assert "1 of last year's top 2 customers have ordered in 2026" in html.unescape(result.html.read_text("utf-8"))


def test_the_cli_writes_the_report_where_asked(tmp_path, zh_book):
    outcome = run("report", zh_book, "--out", tmp_path / "out", "--period", "month", "--today", "2026-11-23")
    assert outcome.exit_code == 0, outcome.output
    written = tmp_path / "out" / f"{zh_book.stem}-month-2026-11-23.html"
    assert written.exists() and f"HTML 报告:{written}" in outcome.output
    bad = run("--lang", "en", "report", zh_book, "--owner", "Nobody")
    assert bad.exit_code == 1 and "No customer in sheet" in bad.output


ODD = {
    "orders sheet with only its header": {"Customers": [["Customer", "Owner", "Stage"], ["A Co", "Amy", "Proposal"],
                                                        ["B Co", None, None]],
                                          "Orders": [["Order date", "Customer", "Amount"]]},
    "contact log with only its header": {"Customers": [["Customer", "Owner"], ["A Co", "Amy"]],
                                         "Contact log": [["Date", "Customer"]]},
    "log rows without an owner, owners typed with spaces": {
        "Customers": [["Customer", "Owner"], ["A Co", " Amy "], ["B Co", "Bob"]],
        "Contact log": [["Date", "Customer"], [TODAY, "A Co"], [TODAY, "B Co"], [TODAY, "Unknown Co"]]},
    "only refunds": {"Customers": [["Customer", "Owner"], ["A Co", "Amy"]],
                     "Orders": [["Order date", "Customer", "Amount"], [TODAY, "A Co", -100]]},
}


@pytest.mark.parametrize("case", list(ODD))
def test_odd_workbooks_give_a_report_for_the_team_and_for_one_owner(tmp_path, case):
    path = workbook_of(tmp_path / "odd.xlsx", ODD[case])
    for owner in (None, "amy"):
        result = report(FileBook(path), today=TODAY, owner=owner)
        followups = by_first(table_after(report_grid(path, "en"), "Follow-ups per owner"))
        assert ("Amy" in followups) and (owner is None or list(followups) == ["Amy"])
        assert result.html.exists()
    if "Contact log" in ODD[case]:
        contacts = by_first(table_after(report_grid(path, "en"), "Contacts logged per owner"))
        logged_rows = len(ODD[case]["Contact log"]) - 1
        assert contacts["Amy"][0] == min(logged_rows, 1)  # the row without an owner is the customer's owner's


def test_the_report_block_of_the_settings_sheet_is_used(tmp_path):
    from helpers.mailbook import set_settings

    path, orders = _orders_book(tmp_path / "orders.xlsx")
    report(FileBook(path), today=TODAY)  # writes the settings sheet with the report block
    set_settings(path, {"dormant_days": 1000, "top_customers": 1, "listed_rows": 1})
    report(FileBook(path), today=TODAY)
    grid = report_grid(path, "en")
    assert by_first(table_after(grid, "Dormant customers")) == {}  # LongGoneCo: silent for less than 1000 days
    assert list(by_first(table_after(grid, "Top customers year on year"))) == ["LongGoneCo"]
    churn = by_first(table_after(grid, "Newly at churn risk"))
    assert list(churn) == ["SlippingCo"]  # high risk first, one row listed
    assert ["The first 1 of 2 listed."] in grid


def test_in_the_sheet_a_tables_header_stands_over_its_numbers(zh_team):
    path, _ = zh_team
    sheet = openpyxl.load_workbook(path)["CRM报告"]
    headers = [c for row in sheet.iter_rows() for c in row if c.value and c.fill.fgColor.rgb.endswith("DDEBF7")]
    over_figures = 0
    for header in headers:
        below = sheet.cell(header.row + 1, header.column)
        figure = isinstance(below.value, (int, float, dt.date)) and not isinstance(below.value, bool)
        if figure:
            over_figures += 1
            assert header.alignment.horizontal == below.alignment.horizontal == "right", header.value
        else:
            assert header.alignment.horizontal != "right", header.value  # a header over text stays on the left
    assert over_figures > 10 and {"本期", "上期", "变化"} <= {h.value for h in headers}
