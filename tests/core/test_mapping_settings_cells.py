"""A column mapping the settings get wrong (core/mapping.py): the refusal names the setting and what is wrong with
it (a required field set to none, its column given to another field, one column set for two fields), never the
sheet's headers as if a column were missing."""

import openpyxl
import pytest

from conftest import TODAY
from xlcrm.actions.check import check
from xlcrm.actions.followups import followups
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import CUSTOMERS
from xlcrm.core.mapping import mapping_cells, require, resolve
from xlcrm.core.table import extract_table, find_header_row


def set_mapping(path, **values):
    """Type values into the settings sheet's column mapping, as a user would; returns field -> cell."""
    wb = openpyxl.load_workbook(path)
    ws = wb["CRM设置"]
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
    assert "customer" in zh and "“-”(没有)" in zh and "B 列“客户名称”看来就是" in zh
    assert "'-' (none)" in en and "column B '客户名称' looks like it" in en
    assert "A=序号" not in zh  # not the list of headers, as if no column were there


def test_the_customers_column_given_to_the_contact_names_that_setting(checked):
    set_mapping(checked, customer=None, contact="客户名称")
    with pytest.raises(XlcrmError) as error:
        followups(FileBook(checked), TODAY)
    zh = error.value.text("zh")
    assert "contact" in zh and "把联系人设为“客户名称”" in zh and "一列只能对应一个字段" in zh
    assert "A=序号" not in zh


def test_one_column_set_for_two_fields_keeps_the_first_and_says_so(checked):
    set_mapping(checked, contact="客户名称")  # customer is 客户名称 too, a row above
    result = followups(FileBook(checked), TODAY)
    said = [n.text("zh") for n in result.session.notes]
    assert any("customer" in n and "contact" in n and "一列只能对应一个字段" in n for n in said), said
    assert result.session.customers.mapping.columns["customer"] == 1


def test_given_the_settings_cells_the_refusal_names_the_cell(checked):
    cells = set_mapping(checked, customer="-")
    book = FileBook(checked)
    found = mapping_cells(book.read_sheet("CRM设置"), "CRM设置")
    assert found["customer"] == f"CRM设置!{cells['customer']}" and found["contact"].startswith("CRM设置!C")
    grid = book.read_sheet("客户跟踪表")
    table = extract_table("客户跟踪表", grid, find_header_row(grid, CUSTOMERS)[0])
    mapping = resolve(table, CUSTOMERS, {"customer": "-"}, cells=found)
    with pytest.raises(XlcrmError) as error:
        require(table, mapping, ("customer",))
    assert f"CRM设置!{cells['customer']}" in error.value.text("zh")
