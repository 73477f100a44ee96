"""Amounts, dates and counts typed the way other countries and other tools write them, run end to end.

European amounts exported as text (1234,56 from a German CSV, 2.500 € from a French invoice list, 300.00- from
SAP, 1'234.50 from a Swiss shop), dotted dates (3.11.2026) and an order number pasted into the order count:
the tests check what the user sees, the Monetary and Next due columns and the data problems.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import openpyxl
import pytest

from helpers.cli import run
from helpers.workbooks import column_values, sheet_rows

TODAY = "2026-11-23"
in_english = partial(run, lang="en")

# What each order's amount cell holds -> what the customer bought for
AMOUNTS = {
    # written the European way, read wrongly before (100x too big, 1000x too small)
    "1234,56": 1234.56, "12345,00": 12345.0, "1 234,56": 1234.56, "€1.200": 1200.0, "€ 12.500": 12500.0,
    "2.500 €": 2500.0,
    # the minus behind (SAP), the Swiss thousands apostrophe, a currency outside the refund's brackets
    "300.00-": -300.0, "1'234.50": 1234.5, "$ (45.00)": -45.0,
    # read right before, and still
    "$1,234.50": 1234.5, "(200.00)": -200.0, "1.234,50 €": 1234.5, "1.2万元": 12000.0, "3k": 3000.0,
    "RMB 500": 500.0, "500.00 CNY": 500.0, "¥1,234.50": 1234.5, "1.234.567": 1234567.0, "12,34": 12.34,
}


def test_amounts_typed_as_text_the_european_way_count_at_their_value(tmp_path):
    book = openpyxl.Workbook()
    customers = book.active
    customers.title = "Customers"
    customers.append(["Customer", "Email"])
    orders = book.create_sheet("Orders")
    orders.append(["Customer", "Order date", "Amount"])
    for n, typed in enumerate(AMOUNTS):
        customers.append([f"Customer {n:02d}", f"c{n}@example.com"])
        orders.append([f"Customer {n:02d}", dt.date(2026, 10, 1), typed])
    path = tmp_path / "amounts.xlsx"
    book.save(path)
    result = in_english("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    read = dict(zip(AMOUNTS, column_values(path, "Customers", "Monetary")))
    assert read == pytest.approx(AMOUNTS), result.output
    assert "Data problems: 0" in result.output


def _clients(path, last_contacts: list) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Clients"
    sheet.append(["Client", "Email", "Sales rep", "Last contact"])
    for n, last in enumerate(last_contacts):
        sheet.append([f"Client {n}", f"c{n}@example.de", "Carol", last])
    book.save(path)


def test_dotted_dates_are_day_first_as_everywhere_they_are_written(tmp_path):
    """3.11.2026 is 3 November (German, Swiss, Russian habit): the due dates are those of the same days typed
    2026-11-03, not of 11 March, and nobody is shown months overdue."""
    dotted, iso = tmp_path / "dotted.xlsx", tmp_path / "iso.xlsx"
    _clients(dotted, ["3.11.2026", "10.11.2026", "2.10.2026"])
    _clients(iso, ["2026-11-03", "2026-11-10", "2026-10-02"])
    for path in (dotted, iso):
        result = in_english("followups", path, "--today", TODAY)
        assert result.exit_code == 0, result.output
    assert column_values(dotted, "Clients", "Next due") == column_values(iso, "Clients", "Next due")
    assert column_values(dotted, "Clients", "Next due")[0] > dt.datetime(2026, 11, 3)


def test_dotted_dates_follow_a_column_that_proves_month_first(tmp_path):
    """The one who typed 11.25.2026 writes month first: their 3.11.2026 is 11 March, and a note says so."""
    month_first, iso = tmp_path / "month_first.xlsx", tmp_path / "iso.xlsx"
    _clients(month_first, ["3.11.2026", "11.25.2026"])
    _clients(iso, ["2026-03-11", "2026-11-25"])
    for path in (month_first, iso):
        result = in_english("followups", path, "--today", TODAY)
        assert result.exit_code == 0, result.output
    assert column_values(month_first, "Clients", "Next due") == column_values(iso, "Clients", "Next due")
    assert "dates like 3.11.2026 were read as month/day" in in_english("check", month_first).output


def test_an_order_number_in_the_order_count_column_is_a_data_problem_naming_its_cell(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "邮箱", "负责人", "最近联系日期", "累计成交金额", "最近下单日期", "订单数"])
    sheet.append(["上海恒信电子", "wang@hx.example", "张三", "2026/11/3", "¥12,000", "2026/10/1", 3])
    sheet.append(["杭州远大贸易", "li@yd.example", "李四", "2026/11/10", "5000元", "2026/9/1", "20261103000012345678"])
    sheet.append(["苏州宏达", "su@hd.example", "李四", "2026/11/12", "8000元", "2026/9/5", 2.0261103000012346e19])
    path = tmp_path / "单号.xlsx"
    book.save(path)
    for command in (["check", path], ["followups", path, "--today", TODAY]):
        result = run(*command)
        assert result.exit_code == 0 and "Unexpected" not in result.output, result.output
    problems = [row[:3] for row in sheet_rows(path, "数据问题")[1:]]
    assert problems == [["客户", 3, "G 订单数"], ["客户", 4, "G 订单数"]]
    assert column_values(path, "客户", "下次跟进日")[1] is not None  # the customer is still followed up
