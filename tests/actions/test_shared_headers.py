"""A header on several columns (a side table headed 客户名称 or 负责人, a second 客户名称 of short names): the
column xlcrm reads on its first run is the one it reads on every run, and it says which it reads. The settings
keep only the header text, which used to send the second run to the rightmost column of that header."""

import datetime as dt

import openpyxl

from helpers.cli import run
from helpers.workbooks import sheet_rows

TODAY = "2026-12-03"
CUSTOMERS = ["甲公司", "乙公司", "丙公司", "丁公司"]


def side_table_book(path, side_header="客户名称"):
    """The customers in A:E, and a small 'top customers' list in G:H naming some of them in another order."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户跟踪表"
    ws.append(["客户名称", "联系人", "联系电话", "负责人", "最近联系日期", None, side_header, "金额"])
    for i, (name, owner) in enumerate(zip(CUSTOMERS, ["张三", "李四", "张三", "李四"])):
        ws.append([name, name[0] + "经理", f"1380000000{i}", owner, dt.date(2026, 11, 1 + i)])
    for row, (name, amount) in enumerate([("乙公司", 90000), ("甲公司", 50000), ("戊公司", 1000)], start=2):
        ws.cell(row, 7, name)
        ws.cell(row, 8, amount)
    wb.save(path)
    return path


def due_customers(path):
    """(customer, row it links to) of every line of the due list, as the team reads it."""
    rows = sheet_rows(path, "待跟进")
    found = []
    for header, *lines in [rows[i:] for i, r in enumerate(rows) if r and r[0] == "客户名称"]:
        for line in lines:
            if not line[0] or str(line[0]).startswith("■"):
                break
            found.append((line[0], line[header.index("行号")].split(",")[-1].rstrip(")")))
    return sorted(found)


def test_a_side_table_headed_like_the_customer_column_never_takes_it_over(tmp_path):
    path = side_table_book(tmp_path / "side.xlsx")
    expected = sorted((name, str(row)) for row, name in enumerate(CUSTOMERS, start=2))
    for run_number in range(2):
        result = run("followups", path, "--today", TODAY)
        assert result.exit_code == 0, result.output
        assert due_customers(path) == expected, (run_number, result.output)
        assert "没有客户名称" not in result.output, result.output
    assert "A、G 列的表头都是“客户名称”:客户名称按 A 列读取" in result.output, result.output  # never a silent pick

    logged = run("log", path, "--customer", "甲公司", "--date", "2026-12-02", "--today", TODAY)
    assert logged.exit_code == 0, logged.output
    rows = sheet_rows(path, "客户跟踪表")
    last_contact = {r[0]: r[4] for r in rows[1:5]}
    assert last_contact == {"甲公司": dt.datetime(2026, 12, 2), "乙公司": dt.datetime(2026, 11, 2),
                            "丙公司": dt.datetime(2026, 11, 3), "丁公司": dt.datetime(2026, 11, 4)}
    assert [r[6] for r in rows[1:4]] == ["乙公司", "甲公司", "戊公司"]  # the side table as the team typed it


def test_a_side_table_headed_like_the_owner_column_never_takes_it_over(tmp_path):
    path = side_table_book(tmp_path / "owner.xlsx", side_header="负责人")
    for cell, name in (("G2", "张三"), ("G3", "李四"), ("G4", "合计")):
        book = openpyxl.load_workbook(path)
        book["客户跟踪表"][cell] = name
        book.save(path)
    for run_number in range(2):
        result = run("followups", path, "--today", TODAY)
        assert result.exit_code == 0, result.output
        assert "张三: 逾期 2" in result.output and "李四: 逾期 2" in result.output, (run_number, result.output)
        assert "合计" not in result.output, result.output
    assert "D、G 列的表头都是“负责人”:负责人按 D 列读取" in result.output, result.output


def two_customer_columns_book(path):
    """客户名称 twice in one table: A the full name the orders use, F the short name the team says."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户名称", "联系人", "电话", "负责人", "最近联系日期", "客户名称"])
    ws.append(["上海恒信电子有限公司", "王", "13800000001", "张三", dt.date(2026, 11, 1), "恒信"])
    ws.append(["北京华泰科技有限公司", "李", "13800000002", "李四", dt.date(2026, 11, 2), "华泰"])
    ws.append(["广州远航贸易有限公司", "陈", "13800000003", "张三", dt.date(2026, 11, 3), "远航"])
    orders = wb.create_sheet("订单")
    orders.append(["客户名称", "下单日期", "金额"])
    for name, day, amount in [("上海恒信电子有限公司", dt.date(2026, 10, 1), 1000),
                              ("北京华泰科技有限公司", dt.date(2026, 9, 1), 2000),
                              ("北京华泰科技有限公司", dt.date(2026, 11, 20), 3000),
                              ("广州远航贸易有限公司", dt.date(2025, 6, 1), 500)]:
        orders.append([name, day, amount])
    wb.save(path)
    return path


def scores(path):
    rows = sheet_rows(path, "客户")
    header = rows[0]
    wanted = ["消费金额", "购买次数", "R分", "F分", "M分", "客户等级"]
    return {r[0]: tuple(r[header.index(h)] for h in wanted) for r in rows[1:] if r[0]}


def test_two_columns_of_one_header_give_the_same_scores_on_every_run(tmp_path):
    path = two_customer_columns_book(tmp_path / "two.xlsx")
    first = run("refresh", path, "--today", TODAY)
    assert first.exit_code == 0, first.output
    once = scores(path)
    assert once["北京华泰科技有限公司"][:2] == (5000, 2), once  # the orders matched the full names in A
    second = run("refresh", path, "--today", TODAY)
    assert second.exit_code == 0, second.output
    assert scores(path) == once
    assert "A、F 列的表头都是“客户名称”:客户名称按 A 列读取" in second.output, second.output
    assert [r[5] for r in sheet_rows(path, "客户")[1:4]] == ["恒信", "华泰", "远航"]


def test_a_team_summary_headed_like_one_of_xlcrms_columns_is_never_written_over(tmp_path):
    """xlcrm finds its own columns by the headers it recorded: a summary the team adds past them, headed 跟进状态,
    is the team's, not xlcrm's status column."""
    path = side_table_book(tmp_path / "summary.xlsx", side_header="大客户")
    assert run("followups", path, "--today", TODAY).exit_code == 0
    book = openpyxl.load_workbook(path)
    sheet = book["客户跟踪表"]
    headers = [c.value for c in sheet[1]]
    assert "跟进状态" in headers, headers
    column = len(headers) + 2
    sheet.cell(1, column, "跟进状态")
    sheet.cell(1, column + 1, "客户数")
    for row, status in enumerate(["逾期", "正常"], start=2):
        sheet.cell(row, column, status)
        sheet.cell(row, column + 1, 7)
    book.save(path)
    for _ in range(2):
        result = run("followups", path, "--today", TODAY)
        assert result.exit_code == 0, result.output
        rows = sheet_rows(path, "客户跟踪表")
        assert [r[column - 1] for r in rows[:3]] == ["跟进状态", "逾期", "正常"], rows[:3]
        assert [r[column] for r in rows[:3]] == ["客户数", 7, 7]
