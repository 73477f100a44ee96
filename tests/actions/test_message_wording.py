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


def test_the_remind_summary_names_the_template_that_goes_first(zh_book):
    from helpers.mailbook import remind_on

    result = remind_on(zh_book)
    skipped = result.plan[result.plan["reason"].map(lambda r: getattr(r, "en", "").startswith("one message per"))]
    assert len(skipped), "the sample has customers with two messages due the same day"
    for lang, word in (("zh", "优先发送“"), ("en", "' goes first")):
        lines = [line for line in result.lines(lang) if word in line]
        assert lines and not any("…" in line for line in lines), lines
        named = {r.args["template"] for r in skipped["reason"]}
        assert all(any(f"{name}" in line for line in lines) for name in named), (named, lines)


@pytest.mark.parametrize("where", ["parent", "elsewhere"])
def test_the_send_hint_works_from_the_folder_the_user_is_in(zh_book, tmp_path_factory, monkeypatch, where):
    import shlex

    from helpers.mailbook import remind_on

    folder = zh_book.parent.parent if where == "parent" else tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(folder)
    for lang in ("zh", "en"):
        hint = next(line for line in remind_on(zh_book).lines(lang) if "--send" in line)
        command = shlex.split(hint[hint.index("xlcrm"):].split("--send")[0])
        assert command[:2] == ["xlcrm", "remind"] and (folder / command[2]).resolve() == zh_book.resolve(), hint
