"""A block beside the customer table that runs further down (a price list in J:K) is not the team's customers,
on the first run and on every run after it, when xlcrm's own columns stand to the right of that block."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from helpers.cli import run

TODAY = "2026-12-01"


def test_a_longer_price_list_beside_the_table_stays_out_of_the_customers_on_the_second_run(tmp_path):
    path = tmp_path / "team.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "客户跟踪表"
    sheet.append(["客户名称", "联系人", "联系电话", "负责人", "最近联系日期", "最近下单日期", "订单数",
                  "累计成交金额", None, "产品", "单价"])
    for i, (name, owner) in enumerate([("甲公司", "张三"), ("乙公司", "李四"), ("丙公司", "张三"), ("丁公司", "李四")]):
        sheet.append([name, name[0], f"1380000000{i}", owner, dt.date(2026, 11, 1 + i),
                      dt.date(2026, 10, 1 + i), i + 1, 1000 * (i + 1)])
    for k in range(14):  # ten rows longer than the table
        sheet.cell(2 + k, 10, f"产品{k}")
        sheet.cell(2 + k, 11, 100 * (k + 1))
    book.save(path)

    for command, day in (("refresh", TODAY), ("followups", TODAY), ("refresh", "2026-12-02")):
        result = run(command, path, "--today", day)  # refresh's 13 columns after the price list
        assert result.exit_code == 0, result.output
        assert "该行有内容但没有客户名称" not in result.output, (command, day, result.output)
        assert "数据问题:0 处" in result.output, result.output
