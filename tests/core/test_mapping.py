import pytest

from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import BY_ID, CUSTOMERS, ORDERS
from xlcrm.core.mapping import require, resolve
from xlcrm.core.sheets import owned_headers
from xlcrm.core.table import extract_table, find_header_row


def table_of(grid, kind=CUSTOMERS, sheet="客户"):
    row, _ = find_header_row(grid, kind)
    return extract_table(sheet, grid, row)


def mapped(headers, kind=CUSTOMERS, user=None):
    table = table_of([headers, ["x"] * len(headers)], kind)
    mapping = resolve(table, kind, user or {}, reserved=owned_headers())
    return {field: table.headers[column] for field, column in mapping.columns.items()}


@pytest.mark.parametrize("field,headers", [
    ("customer", ["客户名称", "客户", "公司名称", "Customer", "Company Name", "CLIENT", "客户名称(必填)"]),
    ("contact", ["联系人", "对接人", "Contact Person", "contact"]),
    ("phone", ["电话", "手机", "手机号码", "联系电话", "Phone", "Mobile", "Tel."]),
    ("email", ["邮箱", "电子邮箱", "E-mail", "Email", "e-mail address", "ＥＭＡＩＬ"]),
    ("owner", ["负责人", "业务员", "销售", "Owner", "Sales Rep", "Account Manager"]),
    ("birthday", ["生日", "出生日期", "Birthday", "Date of Birth", "DOB"]),
    ("first_contact", ["首次联系日期", "首次联系", "First Contact"]),
    ("last_contact", ["最近联系日期", "最近联系", "上次联系", "Last Contact", "Last contacted"]),
    ("next_followup", ["下次跟进", "下次联系日期", "Next Follow-up", "Next follow up date"]),
    ("stage", ["阶段", "销售阶段", "Stage", "Deal stage"]),
    ("total_amount", ["累计成交金额", "成交金额", "Total Amount", "Revenue"]),
    ("opt_out", ["退订", "免打扰", "Opt-out", "Unsubscribed"]),
    ("notes", ["备注", "Notes", "Remarks"]),
])
def test_header_synonyms_in_both_languages_map_to_the_field(field, headers):
    for header in headers:
        found = mapped(["序号", header, "Something else"] if field != "customer" else [header, "联系人"])
        assert found.get(field) == header, (field, header, found)


@pytest.mark.parametrize("headers", [["订单号", "下单日期", "客户名称", "金额"], ["Order date", "Customer", "Amount"],
                                     ["日期", "客户", "订单金额"], ["Date", "Client", "Order value"]])
def test_order_headers_map_in_both_languages(headers):
    found = mapped(headers, ORDERS)
    assert {"order_customer", "order_date", "order_amount"} <= set(found)


def test_a_header_naming_one_field_inside_another_word_is_not_taken_for_it():
    found = mapped(["客户名称", "客户经理", "客户等级"])
    assert found == {"customer": "客户名称", "owner": "客户经理"}


def test_xlcrm_own_columns_are_never_taken_for_the_teams_data():
    found = mapped(["客户名称", "下次跟进", "下次跟进日", "跟进状态"])
    assert found["next_followup"] == "下次跟进"
    assert "下次跟进日" not in found.values()


def test_the_header_row_is_found_below_a_title_and_blank_rows():
    grid = [["2026年客户跟踪表"], [], [None, "更新于 11 月"],
            ["序号", "客户名称", "联系人", "电话", None, None],
            [1, "甲公司", "王伟", 138, None, None], [], [None] * 6, [2, "乙公司", "李娜", 139]]
    table = table_of(grid)
    assert table.header_row == 4
    assert list(table.cells.index) == [5, 8]  # blank rows inside the table are skipped, row numbers kept
    assert table.headers == ["序号", "客户名称", "联系人", "电话"]  # trailing empty columns trimmed


def test_a_column_with_data_but_no_header_is_kept_so_nothing_is_written_over_it():
    grid = [["客户名称", "联系人", None], ["甲公司", "王伟", "留言"]]
    assert table_of(grid).headers == ["客户名称", "联系人", ""]


def test_the_users_mapping_wins_and_a_dash_unmaps_a_field():
    headers = ["客户名称", "联系人", "备用电话", "电话"]
    assert mapped(headers, user={"phone": "备用电话"})["phone"] == "备用电话"
    assert "contact" not in mapped(headers, user={"contact": "-"})
    assert mapped(headers, user={"phone": ""})["phone"] == "电话"  # blank: detect


def test_a_renamed_column_in_the_users_mapping_is_reported_and_detection_takes_over():
    table = table_of([["客户名称", "电话"], ["甲", 1]])
    mapping = resolve(table, CUSTOMERS, {"phone": "手机(旧)"})
    assert mapping.columns["phone"] == 1
    assert "手机(旧)" in mapping.notes[0].text("zh")


def test_a_missing_required_column_names_the_field_and_the_headers_seen():
    table = extract_table("订单", [["标题"], ["客户", "联系人", "电话"], ["甲", "王", 1]], 2)
    mapping = resolve(table, ORDERS, {})
    with pytest.raises(XlcrmError) as error:
        require(table, mapping, ("order_customer", "order_date", "order_amount"))
    zh, en = error.value.text("zh"), error.value.text("en")
    assert "订单" in zh and BY_ID["order_date"].zh in zh and BY_ID["order_amount"].zh in zh
    assert "A=客户" in zh and "C=电话" in zh and "第 2 行" in zh
    assert "Order date" in en and "Amount" in en and "row 2" in en
