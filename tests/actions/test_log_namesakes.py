"""The contact log and customers of one name (core/followups/log_match.py), and log rows typed by hand that cannot
count (core/followups/contact_log.read_log): each refused or listed, naming the rows and cells."""

import datetime as dt

import openpyxl
import pytest

from helpers.tracking import tracking_book
from helpers.workbooks import sheet_rows
from xlcrm.actions.contact_log import log_contact
from xlcrm.actions.followups import followups
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError

TODAY = dt.date(2026, 11, 23)
NAME = "上海恒信电子有限公司"


@pytest.fixture
def book(tmp_path):
    rows = [["杭州恒信机械有限公司", "王伟", "13800000001", "张磊", dt.datetime(2026, 10, 1), None, "¥12,000"],
            [NAME, "李芳", "13800000002", "李娜", dt.datetime(2026, 11, 1), None, "5000元"],
            [NAME, "李四", "13900000000", "王芳", dt.datetime(2026, 9, 1), None, None]]  # row 5: a namesake
    return tracking_book(tmp_path / "team.xlsx", rows, ["客户名称", "联系人", "手机", "负责人", "最近联系日期",
                                                        "下次跟进", "累计成交金额"])


def add_log(path, *rows):
    wb = openpyxl.load_workbook(path)
    new = "跟进记录" not in wb.sheetnames
    log = wb.create_sheet("跟进记录") if new else wb["跟进记录"]
    if new:
        log.append(["日期", "客户名称", "负责人", "联系方式", "结果", "下一步", "备注", "销售服务(1-5)"])
    for row in rows:
        log.append(list(row))
    wb.save(path)


def problems(result, lang="zh"):
    return [(p.sheet, p.row, p.column, p.why.text(lang)) for p in result.session.problems]


def test_a_name_two_customers_share_is_refused_saying_their_rows_and_phones(book):
    for typed in (NAME, "上海恒信电子"):
        with pytest.raises(XlcrmError) as error:
            log_contact(FileBook(book), typed, today=TODAY)
        zh, en = error.value.text("zh"), error.value.text("en")
        assert "客户跟踪表!4(电话 13800000002)" in zh and "客户跟踪表!5(电话 13900000000)" in zh
        assert "--customer 客户跟踪表!5" in zh and "2 customers" in en and "13900000000" in en
    assert "跟进记录" not in openpyxl.load_workbook(book).sheetnames  # nothing was written


@pytest.mark.parametrize("typed", ["客户跟踪表!5", "13900000000", f"{NAME} (13900000000)", f"{NAME}（139 0000 0000）"])
def test_the_second_namesake_is_logged_by_its_row_or_phone_and_its_log_row_names_it(book, typed):
    result = log_contact(FileBook(book), typed, note="回访", when=dt.date(2026, 11, 20), today=TODAY)
    assert result.rows == [5]
    log = sheet_rows(book, "跟进记录")
    assert log[1][1] == f"{NAME} (13900000000)"  # the next run reads it as that customer alone
    assert sheet_rows(book, "客户跟踪表")[4][4] == dt.datetime(2026, 11, 20)  # row 5's last contact moved
    assert sheet_rows(book, "客户跟踪表")[3][4] == dt.datetime(2026, 11, 1)  # row 4's did not
    again = followups(FileBook(book), TODAY)
    assert not [p for p in problems(again) if p[0] == "跟进记录"]


def test_a_row_that_is_no_customers_is_refused_naming_the_rows_that_are(book):
    with pytest.raises(XlcrmError) as error:
        log_contact(FileBook(book), "客户跟踪表!9", today=TODAY)
    assert "第 3 至 5 行" in error.value.text("zh")


def test_a_hand_typed_log_row_with_a_shared_name_is_a_problem_naming_its_cell_and_counts_for_neither(book):
    add_log(book, [dt.datetime(2026, 11, 21), NAME, "王芳", "电话"],
            [dt.datetime(2026, 11, 22), f"{NAME} (13900000000)", "王芳", "电话"])
    result = followups(FileBook(book), TODAY)
    found = [p for p in problems(result) if p[0] == "跟进记录"]
    assert [(p[1], p[2]) for p in found] == [(2, "B 客户名称")]
    assert "2 个同名客户" in found[0][3] and "客户跟踪表!5(电话 13900000000)" in found[0][3]
    assert "不计入" in found[0][3]
    people = result.due.followups
    assert people.loc[4, "last_contact"] == dt.datetime(2026, 11, 1)  # the shared name moved neither
    assert people.loc[5, "last_contact"] == dt.datetime(2026, 11, 22)  # the row naming the phone moved row 5


def test_log_rows_that_cannot_count_are_each_listed_with_their_cell(book):
    add_log(book, [dt.datetime(2026, 11, 20), "杭州恒信机械有限公司", "张磊", "电话", None, None, "报价"],
            ["2027-05-01", "杭州恒信机械有限公司", "张磊", "电话"],
            [None, "杭州恒信机械有限公司", "张磊", "电话", None, None, "没写日期"],
            [dt.datetime(2026, 11, 21), "杭州恒信机械有限公司", "张磊", "回访", None, None, None, 7],
            [dt.datetime(2026, 11, 21), "杭州恒信机械有限公司", "张磊", "回访", None, None, None, "好"],
            [dt.datetime(2026, 11, 21), "杭州恒信机械有限公司", "张磊", "回访", None, None, None, -1],
            [dt.datetime(2026, 11, 20), "杭州恒信机械有限公司", "张磊", "电话", None, None, "报价"],
            [dt.datetime(2026, 11, 19), None, "张磊", "电话"])
    result = followups(FileBook(book), TODAY)
    found = {(p[1], p[2]): p[3] for p in problems(result) if p[0] == "跟进记录"}
    assert "晚于今天(2026-11-23)" in found[(3, "A 日期")] and "不计入" in found[(3, "A 日期")]
    assert "没有日期" in found[(4, "A 日期")]
    for row in (5, 6, 7):
        assert "不是有效评分" in found[(row, "H 销售服务(1-5)")]
    assert "与第 2 行完全相同" in found[(8, "B 客户名称")]
    assert "没有客户名称" in found[(9, "B 客户名称")]
    assert len(found) == 7
    assert result.due.followups.loc[3, "last_contact"] == dt.datetime(2026, 11, 21)  # 2027 did not count
    english = {p[1]: p[3] for p in problems(result, "en") if p[0] == "跟进记录"}
    assert "after today" in english[3] and "no date" in english[4] and "same contact as row 2" in english[8]
