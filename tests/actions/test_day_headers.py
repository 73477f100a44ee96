"""A date header without its 期 (最后下单日, as teams shorten 最后下单日期) is read as that date."""

import datetime as dt

import openpyxl

from helpers.cli import run
from helpers.workbooks import column_values


def test_the_last_order_day_scores_recency(tmp_path):
    path = tmp_path / "team.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户名称", "负责人", "最后下单日", "下单次数", "累计成交金额"])
    ws.append(["甲公司", "张三", dt.date(2026, 11, 23), 3, 3000])
    ws.append(["乙公司", "李四", dt.date(2026, 6, 1), 1, 500])
    wb.save(path)
    result = run("refresh", path, "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert column_values(path, "客户", "最近购买距今(天)") == [10, 185], result.output
    assert column_values(path, "客户", "最后下单日") == [dt.datetime(2026, 11, 23), dt.datetime(2026, 6, 1)]
