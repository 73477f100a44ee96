"""A sheet read both as the customers and as their orders (one row per order) says what it says about its columns
once, not once for each reading."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from helpers.cli import run


def test_a_shared_header_on_an_orders_only_sheet_is_said_once(tmp_path):
    path = tmp_path / "orders.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "订单"
    sheet.append(["客户名称", "下单日期", "金额", None, "客户名称", "备注"])
    for i in range(6):
        sheet.append([f"客户{i % 3}", dt.date(2026, 10, 1 + i), 100 * (i + 1)])
    sheet.cell(2, 5, "客户9")  # a side note headed like the customer column
    book.save(path)

    result = run("check", path)
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "表头都是“客户名称”" in line]
    assert len(said) == 1, result.output
