"""`log_contact` / `xlcrm log`: the log row, the last-contact date and the status moving at once."""

import datetime as dt

import holidays
import openpyxl
import pytest

from helpers.cli import run
from helpers.libreoffice import sheets_as_csv
from helpers.tracking import tracking_book
from helpers.workbooks import sheet_rows
from xlcrm.actions.contact_log import log_contact
from xlcrm.actions.followups import followups
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError

TODAY = dt.date.today()


def days_ago(n):
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def book(tmp_path):
    rows = [["杭州恒信机械有限公司", "王伟", "13800000001", "张磊", days_ago(40), None, "¥12,000"],
            ["上海恒信电子有限公司", "李芳", "13800000002", "李娜", days_ago(3), None, "5000元"],
            ["苏州远航贸易有限公司", "陈静", "13800000003", "张磊", None, None, None]]
    return tracking_book(tmp_path / "team.xlsx", rows, ["客户名称", "联系人", "手机", "负责人", "最近联系日期",
                                                        "下次跟进", "累计成交金额"])


def customer_row(path, name):
    rows = sheet_rows(path, "客户跟踪表")
    header = rows[1]
    row = next(r for r in rows if r[0] == name)
    return dict(zip(header, row))


@pytest.mark.slow
def test_logging_a_contact_appends_to_the_log_and_moves_last_contact_and_next_due(book, tmp_path):
    followups(FileBook(book))
    assert customer_row(book, "杭州恒信机械有限公司")["下次跟进日"].date() < TODAY  # overdue before the call
    result = log_contact(FileBook(book), "杭州恒信机械", "电话", "谈了新报价", outcome="有意向", next_step="下周寄样品")
    row = customer_row(book, "杭州恒信机械有限公司")
    assert row["最近联系日期"].date() == TODAY
    assert row["下次跟进日"].date() > TODAY
    log = sheet_rows(book, "跟进记录")
    assert log[0][:7] == ["日期", "客户名称", "负责人", "联系方式", "结果", "下一步", "备注"]
    assert log[1][:7] == [dt.datetime.combine(TODAY, dt.time()), "杭州恒信机械有限公司", "张磊", "电话", "有意向",
                          "下周寄样品", "谈了新报价"]
    shown = sheets_as_csv(book, tmp_path / "csv")["客户跟踪表"]
    status = next(r for r in shown if r[0] == "杭州恒信机械有限公司")[7]
    assert status in ("正常", "本周到期")  # the formula reads the new date: no longer 逾期
    assert "跟进记录" in "\n".join(result.lines("zh")) and "Logged" in "\n".join(result.lines("en"))


def test_a_return_visit_records_the_three_ratings_and_later_contacts_go_below(book):
    log_contact(FileBook(book), "上海恒信电子有限公司", "visit", "交付后回访", when=days_ago(1),
                ratings={"service": 5, "product": 4, "delivery": "3"})
    log_contact(FileBook(book), "苏州远航贸易有限公司", "wechat")
    log = sheet_rows(book, "跟进记录")
    assert log[0][7:10] == ["销售服务(1-5)", "产品(1-5)", "安装/交付(1-5)"]
    assert log[1][1] == "上海恒信电子有限公司" and log[1][3] == "拜访" and log[1][7:10] == [5, 4, 3]
    assert log[2][1] == "苏州远航贸易有限公司" and log[2][3] == "微信" and log[2][7:10] == [None, None, None]


def test_an_older_contact_never_moves_the_last_contact_back(book):
    log_contact(FileBook(book), "上海恒信电子有限公司", when=days_ago(10))
    assert customer_row(book, "上海恒信电子有限公司")["最近联系日期"].date() == days_ago(3)
    assert len(sheet_rows(book, "跟进记录")) == 2


def test_the_teams_own_log_layout_is_kept_and_missing_rating_columns_are_added(book):
    wb = openpyxl.load_workbook(book)
    log = wb.create_sheet("跟进记录")
    log.append(["客户跟进记录"])
    log.append(["客户", "跟进日期", "跟进内容", "我们自己的列"])
    log.append(["上海恒信电子有限公司", dt.datetime(2026, 1, 5), "老记录", "x"])
    wb.save(book)
    log_contact(FileBook(book), "苏州远航贸易有限公司", "phone", "新记录", ratings={"service": 4})
    rows = sheet_rows(book, "跟进记录")
    assert rows[1] == ["客户", "跟进日期", "跟进内容", "我们自己的列", "负责人", "联系方式", "销售服务(1-5)"]
    assert rows[2] == ["上海恒信电子有限公司", dt.datetime(2026, 1, 5), "老记录", "x", None, None, None]
    assert rows[3] == ["苏州远航贸易有限公司", dt.datetime.combine(TODAY, dt.time()), "新记录", None, "张磊", "电话", 4]


def test_a_sheet_without_a_last_contact_column_gets_xlcrms_own(tmp_path):
    path = tracking_book(tmp_path / "team.xlsx", [["甲公司", "王伟", "张磊"], ["乙公司", "李芳", "李娜"]],
                         ["客户名称", "联系人", "负责人"])
    log_contact(FileBook(path), "甲公司")
    header = sheet_rows(path, "客户跟踪表")[1]
    assert header == ["客户名称", "联系人", "负责人", "跟进状态", "下次跟进日", "最近联系(记录)"]
    row = customer_row(path, "甲公司")
    due = TODAY + dt.timedelta(days=15)  # a prospect's cadence, moved back off a day off
    while not holidays.China(years=due.year).is_working_day(due):
        due -= dt.timedelta(days=1)
    assert row["最近联系(记录)"].date() == TODAY and row["下次跟进日"].date() == due
    assert customer_row(path, "乙公司")["最近联系(记录)"] is None
    followups(FileBook(path))  # a later run reads xlcrm's own column back
    assert customer_row(path, "甲公司")["下次跟进日"] == row["下次跟进日"]


@pytest.mark.parametrize("name, words", [
    ("恒信", ["杭州恒信机械有限公司", "上海恒信电子有限公司", "完整名称"]),
    ("杭州恒心机械有限公司", ["没有名为", "杭州恒信机械有限公司"]),
    ("", ["客户名称"]),
])
def test_unknown_or_ambiguous_names_are_clear_errors_and_nothing_is_written(book, name, words):
    original = book.read_bytes()
    with pytest.raises(XlcrmError) as error:
        log_contact(FileBook(book), name)
    assert all(w in error.value.text("zh") for w in words)
    assert book.read_bytes() == original


@pytest.mark.parametrize("kwargs", [{"ratings": {"service": 6}}, {"ratings": {"product": "good"}},
                                    {"when": TODAY + dt.timedelta(days=2)}])
def test_bad_ratings_or_a_future_date_are_refused(book, kwargs):
    original = book.read_bytes()
    with pytest.raises(XlcrmError) as error:
        log_contact(FileBook(book), "苏州远航贸易有限公司", **kwargs)
    assert error.value.text("en") and error.value.text("zh")
    assert book.read_bytes() == original


def test_xlcrm_log_from_the_command_line(book):
    result = run("log", book, "--customer", "苏州远航", "--channel", "visit", "--note", "拜访", "--service", "5")
    assert result.exit_code == 0, result.output
    assert "苏州远航贸易有限公司" in result.output
    assert sheet_rows(book, "跟进记录")[1][7] == 5
    result = run("--lang", "en", "log", book, "--customer", "nobody")
    assert result.exit_code == 1 and "No customer called 'nobody'" in result.output


def test_log_with_today_rebuilds_the_due_list_as_of_that_day_and_refuses_a_contact_after_it(book):
    as_of = days_ago(20)
    result = run("log", book, "--customer", "苏州远航", "--date", f"{days_ago(21):%Y-%m-%d}", "--today", f"{as_of:%Y-%m-%d}")
    assert result.exit_code == 0, result.output
    title = sheet_rows(book, "待跟进")[0][0]
    assert f"{as_of:%Y-%m-%d}" in title  # the due list is a snapshot of that day, not of the machine's date
    later = run("log", book, "--customer", "苏州远航", "--date", f"{days_ago(5):%Y-%m-%d}", "--today", f"{as_of:%Y-%m-%d}")
    assert later.exit_code == 1 and "在今天之后" in later.output
