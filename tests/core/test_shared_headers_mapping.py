"""The settings' column mapping keeps a header's text: where several columns share it, the one detection reads
is the one the setting means, and a note names them all. Date headers without their 期 (最后下单日) are known."""

import datetime as dt

import pytest

from xlcrm.core.fields import CUSTOMERS, ORDERS
from xlcrm.core.mapping import resolve
from xlcrm.core.sheets import owned_headers
from xlcrm.core.table import extract_table, find_header_row


def table_of(grid, kind=CUSTOMERS, sheet="客户"):
    row, _ = find_header_row(grid, kind)
    return extract_table(sheet, grid, row)


SIDE_TABLE = [["客户名称", "联系人", "负责人", None, "客户名称", "金额"],
              ["甲公司", "王", "张三", None, "乙公司", 9000],
              ["乙公司", "李", "李四", None, "甲公司", 5000],
              ["丙公司", "陈", "张三", None, None, None]]


def test_the_setting_of_a_shared_header_means_the_column_detection_reads():
    table = table_of(SIDE_TABLE)
    detected = resolve(table, CUSTOMERS, {}, reserved=owned_headers())
    as_set = resolve(table, CUSTOMERS, {"customer": "客户名称", "owner": "负责人"}, reserved=owned_headers())
    assert detected.columns["customer"] == as_set.columns["customer"] == 0
    assert [n.text("en") for n in as_set.notes] == [
        "Sheet '客户': columns A, E are all headed '客户名称': Customer is read from column A. "
        "Rename the others to tell them apart."]
    assert [n.text("zh") for n in detected.notes] == [
        "工作表“客户”:A、E 列的表头都是“客户名称”:客户名称按 A 列读取。请修改其余列的表头以便区分。"]


def test_a_shared_header_set_for_a_field_detection_put_elsewhere_is_its_leftmost_free_column():
    grid = [["公司", "客户名称", "负责人", "客户名称"], ["甲公司", "甲", "张三", "甲甲"], ["乙公司", "乙", "李四", None]]
    table = table_of(grid)
    assert resolve(table, CUSTOMERS, {}).columns["customer"] == 0
    mapping = resolve(table, CUSTOMERS, {"customer": "客户名称"})
    assert mapping.columns["customer"] == 1
    assert "columns B, D are all headed '客户名称': Customer is read from column B" in mapping.notes[0].text("en")


def test_one_column_of_a_header_gets_no_note():
    table = table_of([["客户名称", "负责人"], ["甲公司", "张三"]])
    assert resolve(table, CUSTOMERS, {"customer": "客户名称"}).notes == []


@pytest.mark.parametrize("header, field", [
    ("最后下单日", "last_order"), ("最近下单日", "last_order"), ("最近成交日", "last_order"),
    ("最后购买日", "last_order"), ("上次下单日", "last_order"), ("最后联系日", "last_contact"),
    ("最近跟进日", "last_contact"), ("上次联系日", "last_contact"), ("下次跟进日", "next_followup"),
    ("下次联系日", "next_followup"), ("首次联系日", "first_contact"), ("出生日", "birthday"),
    ("成交日", "deal_won"), ("签约日", "deal_won"), ("到货日", "delivery"), ("阶段开始日", "stage_since"),
])
def test_a_date_header_without_its_qi_names_its_field(header, field):
    table = table_of([["客户名称", header], ["甲公司", dt.date(2026, 11, 2)]])
    mapping = resolve(table, CUSTOMERS, {})
    assert {f: table.headers[c] for f, c in mapping.columns.items()} == {"customer": "客户名称", field: header}


@pytest.mark.parametrize("header", ["下单日", "订单日", "购买日", "成交日"])
def test_an_order_date_header_without_its_qi_names_the_order_date(header):
    table = table_of([["客户名称", header, "金额"], ["甲公司", dt.date(2026, 11, 2), 100]], ORDERS, "订单")
    assert table.headers[resolve(table, ORDERS, {}).columns["order_date"]] == header


def test_a_log_column_is_no_date():
    table = table_of([["客户名称", "联系人", "拜访日志"], ["甲公司", "王", "谈了报价"]])
    assert set(resolve(table, CUSTOMERS, {}).columns) == {"customer", "contact"}
