"""A two-row header (联系方式 merged over 电话 | 邮箱, the other names merged down) stays the header on
every run, once xlcrm's own column headers sit on its lower row."""

import datetime as dt
from collections import Counter

import openpyxl

from helpers.mailbook import remind_on
from helpers.workbooks import sheet_rows
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook
from xlcrm.core.sheets import COLUMNS

TODAY = dt.date(2026, 3, 10)
OWN = {label for pair in COLUMNS.values() for label in pair}


def two_row_book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    top = ["客户名称", "负责人", "联系方式", None, "最近联系日期", "最近下单日期", "下单次数", "累计成交金额"]
    for column, name in enumerate(top, start=1):
        ws.cell(1, column, name)
    ws["C2"], ws["D2"] = "电话", "邮箱"
    ws.merge_cells("C1:D1")
    for letter in "ABEFGH":
        ws.merge_cells(f"{letter}1:{letter}2")
    ws.append(["甲公司", "张三", "13800000000", "a@a.example.cn", dt.date(2026, 1, 5), dt.date(2026, 3, 1), 3, 3000])
    ws.append(["乙公司", "李四", "13900000000", "b@b.example.cn", dt.date(2026, 1, 8), dt.date(2025, 9, 1), 1, 500])
    ws.append(["丙公司", "李四", "13700000000", None, dt.date(2026, 1, 9), dt.date(2025, 12, 1), 2, 800])
    wb.save(path)
    return path


def assert_header_found(session, run):
    source = session.customers
    assert source.table.header_row == 2, run
    assert {"phone", "email"} <= set(source.mapping.columns), (run, source.mapping.columns)
    assert source.table.header_of(source.mapping.columns["email"]) == "邮箱"
    assert list(source.records.index) == [3, 4, 5], run
    assert not [p for p in session.problems if p.row in (1, 2)], [p.text("zh") for p in session.problems]


def assert_no_column_twice(path):
    rows = sheet_rows(path, "客户")
    headers = [h for row in rows[:2] for h in row if h in OWN]
    assert headers and not [h for h, n in Counter(headers).items() if n > 1], rows[:2]
    assert not [h for h in rows[0] if h in OWN], rows[0]  # xlcrm's headers go on the lower header row only


def test_a_two_row_header_stays_the_header_on_every_run(tmp_path):
    path = two_row_book(tmp_path / "two.xlsx")
    for run in range(2):
        result = refresh(FileBook(path), TODAY)
        assert_header_found(result.session, f"refresh {run}")
        assert_no_column_twice(path)
    assert_header_found(followups(FileBook(path), TODAY).session, "followups")
    assert_no_column_twice(path)
    reminded = remind_on(path, today=TODAY)
    assert_header_found(reminded.session, "remind")
    mailed = reminded.plan[reminded.plan["decision"].eq("send")]
    assert {"a@a.example.cn", "b@b.example.cn"} <= set(mailed["to"]), reminded.plan.to_string()
    assert_no_column_twice(path)
