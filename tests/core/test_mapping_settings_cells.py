"""A column mapping the settings get wrong (core/mapping.py): the refusal names the setting and what is wrong with
it (a required field set to none, its column given to another field, one column set for two fields, a column the
sheet lacks), never the sheet's headers as if a column were missing; and the cell the team typed it in, on the
settings sheet as it is (renamed, rows inserted)."""

import openpyxl
import pytest

from conftest import TODAY
from xlcrm.actions.check import check
from xlcrm.actions.followups import followups
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError


def set_mapping(path, sheet="CRM设置", **values):
    """Type values into the settings sheet's column mapping, as a user would; returns field -> cell."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    where = {}
    for row in ws.iter_rows():
        if row[0].value in values:
            where.setdefault(row[0].value, f"C{row[0].row}")
    for key, value in values.items():
        ws[where[key]] = value
    wb.save(path)
    return where


@pytest.fixture
def checked(zh_book):
    check(FileBook(zh_book))  # writes the settings sheet with the mapping found
    return zh_book


def test_the_customer_set_to_none_names_the_setting_and_the_column_that_looks_like_it(checked):
    set_mapping(checked, customer="-")
    with pytest.raises(XlcrmError) as error:
        followups(FileBook(checked), TODAY)
    zh, en = error.value.text("zh"), error.value.text("en")
    assert "“-”(没有)" in zh and "B 列“客户名称”看来就是" in zh
    assert "'-' (none)" in en and "column B '客户名称' looks like it" in en
    assert "A=序号" not in zh  # not the list of headers, as if no column were there


def test_the_customers_column_given_to_the_contact_names_that_setting(checked):
    set_mapping(checked, customer=None, contact="客户名称")
    with pytest.raises(XlcrmError) as error:
        followups(FileBook(checked), TODAY)
    zh = error.value.text("zh")
    assert "把联系人设为“客户名称”" in zh and "一列只能对应一个字段" in zh
    assert "A=序号" not in zh


def test_one_column_set_for_two_fields_keeps_the_first_and_says_so(checked):
    set_mapping(checked, contact="客户名称")  # customer is 客户名称 too, a row above
    result = followups(FileBook(checked), TODAY)
    said = [n.text("zh") for n in result.session.notes]
    assert any("客户名称和联系人" in n and "一列只能对应一个字段" in n for n in said), said
    assert result.session.customers.mapping.columns["customer"] == 1


def test_a_required_field_set_to_none_names_the_cell_typed_in(checked):
    cells = set_mapping(checked, customer="-")
    with pytest.raises(XlcrmError) as error:
        followups(FileBook(checked), TODAY)
    assert f"CRM设置!{cells['customer']} 把客户名称设为“-”" in error.value.text("zh")
    assert f"CRM Settings!{cells['customer']} sets it to '-'" in error.value.text("en")


def test_a_column_given_to_another_field_names_that_fields_cell(checked):
    cells = set_mapping(checked, customer=None, contact="客户名称")
    with pytest.raises(XlcrmError) as error:
        followups(FileBook(checked), TODAY)
    assert f"CRM设置!{cells['contact']} 把联系人设为“客户名称”" in error.value.text("zh")


def test_two_fields_mapped_to_one_column_name_both_cells(checked):
    cells = set_mapping(checked, customer="客户名称", contact="客户名称")
    said = [n.text("zh") for n in followups(FileBook(checked), TODAY).session.notes]
    both = f"CRM设置!{cells['customer']} 和 CRM设置!{cells['contact']} 都指向 B 列“客户名称”"
    assert any(both in n for n in said), said


def test_a_mapping_to_a_column_the_sheet_lacks_names_the_cell(checked):
    cells = set_mapping(checked, phone="手机号码")
    said = [n.text("zh") for n in followups(FileBook(checked), TODAY).session.notes]
    assert any(f"CRM设置!{cells['phone']} 把电话对应到列“手机号码”" in n for n in said), said


def test_on_a_renamed_settings_sheet_with_rows_inserted_the_refusal_names_the_cell_where_it_is(checked):
    wb = openpyxl.load_workbook(checked)
    sheet = wb["CRM设置"]
    sheet.title = "我的设置"
    sheet.insert_rows(1, 2)  # the team's own lines above xlcrm's
    sheet["A1"] = "团队说明:先改这里"
    wb.save(checked)
    cells = set_mapping(checked, "我的设置", customer="-")
    with pytest.raises(XlcrmError) as error:
        followups(FileBook(checked), TODAY)
    assert f"我的设置!{cells['customer']} 把客户名称设为“-”" in error.value.text("zh")
    assert f"我的设置!{cells['customer']} sets it to '-'" in error.value.text("en")
