"""A next-follow-up cell that says when in words (年后再说: after the New Year; 暂停跟进: paused; 待定) is the team's
instruction, which xlcrm cannot read as a day: no follow-up is planned or mailed for that customer, and the cell is
a data problem naming it. A placeholder for "none" ('-', 无) leaves the cadence to plan as usual, and so does a day
counted from when it was typed (下周三, ASAP: soon), as test_unseen_care.py checks."""

from __future__ import annotations

import openpyxl

from helpers.cli import run
from helpers.workbooks import column_values, sheet_rows

TODAY = "2026-11-23"


def test_a_follow_up_put_off_in_words_is_not_mailed(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "联系人", "邮箱", "负责人", "最近联系日期", "下次跟进"])
    sheet.append(["上海恒信电子", "王总", "wang@hx.example", "张三", "2026/10/3", "年后再说"])
    sheet.append(["杭州远大贸易", "李经理", "li@yd.example", "李四", "2026/10/5", "暂停跟进"])
    sheet.append(["苏州华美", "陈工", "chen@hm.example", "李四", "2026/10/5", "-"])
    path = tmp_path / "客户.xlsx"
    book.save(path)

    result = run("remind", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    planned = {row[4] for row in sheet_rows(path, "邮件预览")[1:] if row[0]}
    assert "chen@hm.example" in planned and not {"wang@hx.example", "li@yd.example"} & planned, planned
    problems = {(row[1], row[3]) for row in sheet_rows(path, "数据问题")[1:]}
    assert {(2, "年后再说"), (3, "暂停跟进")} <= problems, problems

    result = run("followups", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    due = dict(zip(column_values(path, "客户", "客户名称"), column_values(path, "客户", "下次跟进日")))
    assert due["苏州华美"] is not None and due["上海恒信电子"] is None and due["杭州远大贸易"] is None, due
