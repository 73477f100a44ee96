"""Messages read as a person writes them: lists of names cut with 'and 2 more' / '等 2 个' and joined with '、' in
Chinese, '1 order' not '1 orders', and `check` after `refresh` does not call xlcrm's own columns unused."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from conftest import TODAY
from xlcrm.actions.check import check
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from xlcrm.core.followups.contact_log import match_customer
from xlcrm.core.i18n import counted
from xlcrm.core.sheets import COLUMNS


def test_an_ambiguous_customer_lists_eight_names_and_says_how_many_more():
    names = [f"华东{i}号贸易公司" for i in range(10)]
    customers = pd.DataFrame({"customer": names, "key": names}, index=range(3, 13))
    with pytest.raises(XlcrmError) as error:
        match_customer(customers, "华东", "客户跟踪表")
    zh, en = error.value.text("zh"), error.value.text("en")
    assert "、".join(names[:8]) + " 等 2 个" in zh and ", " not in zh
    assert ", ".join(names[:8]) + " and 2 more" in en and names[8] not in en


def test_counts_of_one_take_the_singular():
    assert counted(1, "order", "orders") == "1 order" and counted(1200, "order", "orders") == "1,200 orders"


def test_one_order_after_today_is_one_order(zh_book):
    book = openpyxl.load_workbook(zh_book)
    orders = book["订单记录"]
    header = [c.value for c in orders[1]]
    orders.cell(2, header.index("下单日期") + 1).value = TODAY + dt.timedelta(days=30)
    book.save(zh_book)
    text = "\n".join(refresh(FileBook(zh_book), TODAY).lines("en"))
    assert "1 order dated after" in text and "1 orders" not in text


def test_check_after_refresh_does_not_call_xlcrms_columns_unused(zh_book):
    refresh(FileBook(zh_book), TODAY)
    for lang in ("zh", "en"):
        unused = [line for line in check(FileBook(zh_book)).lines(lang) if line.startswith(("未使用的列", "Columns left"))]
        assert unused, "the sample has columns xlcrm does not read"
        assert not any(zh in unused[0] or f" {en}" in unused[0] for en, zh in COLUMNS.values()), unused[0]
