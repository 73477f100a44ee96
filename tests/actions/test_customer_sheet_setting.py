"""The customer_sheet setting holds the sheet the team chose, or the one xlcrm found when there was no choice to
make: a refused orders sheet is never written there (it would be read as the customers from then on), nor a sheet
xlcrm picked among several alike. One sheet per salesperson is one team table even when one of them has a column
more or a title row: each sheet is read, and written, by its own columns."""

from __future__ import annotations

import openpyxl

from helpers.cli import run
from helpers.workbooks import cells, sheet_rows, workbook_of

TODAY = "2026-11-23"


def settings(path) -> dict[str, object]:
    return {row[0]: row[2] for row in sheet_rows(path, "CRM设置") if row and row[0]}


def test_a_refused_orders_sheet_is_written_as_the_orders_sheet_and_the_customer_sheet_stays_found(tmp_path):
    path = workbook_of(tmp_path / "客户.xlsx", {
        "客户档案": [["客户名称", "联系人", "手机", "邮箱", "负责人", "最近联系日期"],
                 ["上海恒信电子有限公司", "王总", "13800000001", "wang@hx.example", "张三", "2026/11/3"],
                 ["杭州远大贸易", "李经理", "13800000002", "li@yd.example", "李四", "2026/11/10"]],
        "销售明细": [["单号", "客户编号", "下单日期", "金额"], ["D1", "K001", "2026-10-01", 500],
                 ["D2", "K002", "2026-10-05", 800]]})
    refused = run("--lang", "en", "check", path)
    assert refused.exit_code != 0 and "Sheet '销售明细': no column found for Customer" in refused.output
    written = settings(path)
    assert written["orders_sheet"] == "销售明细" and written["customer_sheet"] in (None, ""), written
    assert written["order_customer"] == "?" and written["customer"] in (None, "", "客户名称"), written
    book = openpyxl.load_workbook(path)  # the user does as the message says
    book["销售明细"]["B1"], book["销售明细"]["B2"], book["销售明细"]["B3"] = "客户名称", "上海恒信电子有限公司", "杭州远大贸易"
    book.save(path)
    for _ in range(2):
        said = run("--lang", "en", "check", path).output
        assert "Customers: sheet '客户档案', header in row 1, 2 rows" in said, said
        assert "Orders: sheet '销售明细'" in said, said


def per_salesperson(path):
    header = ["客户名称", "联系人", "邮箱", "最近联系日期", "累计成交金额"]
    return workbook_of(path, {
        "张三": [header, ["上海恒信电子", "王总", "wang@hx.example", "2026/11/3", "¥12,000"]],
        "李四": [["李四的客户"], [], header + ["备注"], ["杭州远大贸易", "李经理", "li@yd.example", "2026年10月3日", "1.5万", "老客户"]],
        "王五": [header, ["广州白云", "周总", "zhou@by.example", "2026/11/1", "800"]]})


def test_one_salesperson_with_a_column_more_and_a_title_row_keeps_the_team_table_whole(tmp_path):
    path = per_salesperson(tmp_path / "分人.xlsx")
    typed = {name: cells(path, name) for name in ("张三", "李四", "王五")}
    for _ in range(2):
        said = run("check", path).output
        assert "'李四', '张三', '王五' 各为一位负责人的客户" in said and "共 3 行" in said, said
        assert "只读取一个客户表" not in said, said
        assert run("followups", path, "--today", TODAY).exit_code == 0
        for name, before in typed.items():
            after = cells(path, name)
            assert {ref: after.get(ref) for ref in before} == before, name
    due = "\n".join(str(row) for row in sheet_rows(path, "待跟进"))
    assert all(customer in due for customer in ("上海恒信电子", "杭州远大贸易", "广州白云")), due
    # each sheet's columns after its own last one: 李四's after 备注 (F), under its header in row 3
    assert sheet_rows(path, "李四")[2][6:8] == ["跟进状态", "下次跟进日"]
    assert sheet_rows(path, "张三")[0][5:7] == ["跟进状态", "下次跟进日"]
    book = openpyxl.load_workbook(path)  # as an earlier version pinned it, when the sheets were all alike
    next(r for r in book["CRM设置"].iter_rows() if r[0].value == "customer_sheet")[2].value = "张三"
    book.save(path)
    said = run("followups", path, "--today", TODAY).output
    assert "'张三', '李四', '王五' 各为一位负责人的客户" in said and "只读取一个客户表" not in said, said
    due = "\n".join(str(row) for row in sheet_rows(path, "待跟进"))
    assert all(customer in due for customer in ("上海恒信电子", "杭州远大贸易", "广州白云")), due
    for name, before in typed.items():
        after = cells(path, name)
        assert {ref: after.get(ref) for ref in before} == before, name


def test_a_customer_sheet_xlcrm_picked_among_several_is_not_pinned_in_the_settings(tmp_path):
    header = ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期"]
    path = workbook_of(tmp_path / "分年.xlsx", {
        "2025": [header, ["上海恒信电子", "王总", "wang@hx.example", "张三", "2025/11/3"]],
        "2026": [header + ["电话"], ["杭州远大贸易", "李经理", "li@yd.example", "李四", "2026/11/10", "13800000002"]]})
    for _ in range(2):
        said = run("check", path).output
        assert "只读取一个客户表:“2026”(其表头识别出的字段最多)" in said, said
        assert "设置中的 customer_sheet" not in said, said
        assert settings(path)["customer_sheet"] in (None, "")
    book = openpyxl.load_workbook(path)  # the team chooses: the choice is kept, and the note says so
    row = next(r for r in book["CRM设置"].iter_rows() if r[0].value == "customer_sheet")
    row[2].value = "2025"
    book.save(path)
    said = run("check", path).output
    assert "只读取一个客户表:“2025”(设置中的 customer_sheet)" in said, said
    assert settings(path)["customer_sheet"] == "2025"


def test_an_orders_sheet_keyed_by_customer_code_is_told_how_to_add_the_names(tmp_path):
    """An ERP export keyed by 客户编号 (K001): renaming that column to 客户名称 cannot work, as its cells are codes;
    the refusal says orders are matched by the customer's name and how to add a column of names."""
    path = workbook_of(tmp_path / "客户.xlsx", {
        "客户档案": [["客户名称", "客户编号", "负责人", "最近联系日期"], ["上海恒信电子", "K001", "张三", "2026/11/3"]],
        "销售明细": [["单号", "客户编号", "下单日期", "金额"], ["D1", "K001", "2026-10-01", 500]]})
    refused = run("check", path)
    assert refused.exit_code != 0
    assert "按客户名称" in refused.output and "XLOOKUP" in refused.output, refused.output
