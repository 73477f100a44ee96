"""Names pasted from web pages and chat apps carry characters that show nothing (zero-width space, joiners, BOM,
word joiner, soft hyphen): a customer and their orders match whichever side carries one, and the team's cells
keep them as typed."""

from __future__ import annotations

import datetime as dt

import openpyxl

from helpers.cli import run
from helpers.workbooks import column_values

TODAY = "2026-12-03"
CUSTOMERS = ["创新\u200b贸易", "\ufeff恒信电子", "华泰\u00ad科技", "Acme\u2060 Ltd", "云端网络", "天府物流"]
ORDERS = ["创新贸易", "恒信电子", "华泰科技", "Acme Ltd", "云端\u200c网络", "\u200d天府物流"]


def test_orders_match_customers_whatever_invisible_characters_either_name_holds(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "负责人", "最近联系日期"])
    for name in CUSTOMERS:
        sheet.append([name, "张三", dt.date(2026, 11, 1)])
    orders = book.create_sheet("订单")
    orders.append(["客户名称", "订单日期", "金额"])
    for n, name in enumerate(ORDERS, start=1):
        orders.append([name, dt.date(2026, 10, n), 1000 * n])
    path = tmp_path / "客户.xlsx"
    book.save(path)

    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "数据问题:0" in result.output and "不存在的客户" not in result.output, result.output
    assert "客户:6 个(有购买 6 个" in result.output
    spent = dict(zip(column_values(path, "客户", "客户名称"), column_values(path, "客户", "消费金额")))
    assert spent == {name: 1000 * n for n, name in enumerate(CUSTOMERS, start=1)}  # the names as the team typed them
