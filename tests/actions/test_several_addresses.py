"""Several e-mail addresses in one cell (a@x.com; b@y.com, a@x.com/b@y.com, a@x.com、b@y.com): the customer is
mailed at the first valid one, one recipient per customer, and a data note names the cell and the addresses that
are not mailed; never silently."""

from __future__ import annotations

import datetime as dt

import openpyxl

from helpers.cli import run
from helpers.workbooks import sheet_rows

TODAY = "2026-12-03"
CELLS = {  # customer -> the e-mail cell as typed, the address mailed, the addresses left out
    "甲公司": ("a@x.com; b@y.com", "a@x.com", "b@y.com"),
    "乙公司": ("c@x.com/d@y.com", "c@x.com", "d@y.com"),
    "丙公司": ("e@x.com,f@y.com，g@z.com", "e@x.com", "f@y.com, g@z.com"),
    "丁公司": ("h@x.com、i@y.com", "h@x.com", "i@y.com"),
    "戊公司": ("张三 <j@x.com>", "j@x.com", None),
    "己公司": ("k@x.com; K@X.com", "k@x.com", None),  # one address twice
}


def test_the_first_address_is_mailed_and_the_others_are_named_in_a_note(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "联系人", "邮箱", "负责人", "下次跟进"])
    for n, (customer, (cell, _, _)) in enumerate(CELLS.items()):
        sheet.append([customer, "王经理", cell, "张三", dt.date(2026, 11, 20 + n)])
    path = tmp_path / "客户.xlsx"
    book.save(path)

    result = run("check", path)
    assert result.exit_code == 0, result.output
    notes = {row[1]: row for row in sheet_rows(path, "数据问题")[1:] if row[1]}
    for row, (customer, (cell, first, others)) in enumerate(CELLS.items(), start=2):
        if others is None:
            assert row not in notes, notes
            continue
        sheet_name, _, column, value, why = notes[row][:5]
        assert (sheet_name, column, value) == ("客户", "C 邮箱", cell)
        assert f"只发给第一个 {first}" in why and f"不发给:{others}" in why, why

    result = run("remind", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    preview = sheet_rows(path, "邮件预览")
    header = preview[0]
    to = {row[header.index("客户")]: row[header.index("收件人")] for row in preview[1:] if row[0]}
    assert to == {customer: first for customer, (_, first, _) in CELLS.items()}, to
