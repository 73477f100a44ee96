"""Follow-ups, care and reports on tracking sheets nobody on the team had seen.

Each workbook is built here as a team would have typed it (openpyxl stands in for their hands)
and goes through the commands a new user runs: `xlcrm followups`, `log`, `remind` (preview) and
`report`. The tests check what that user would look at: the next due dates and the due list
worked out by hand, the data problems naming sheet, row and column, and their own cells unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

import openpyxl
import pytest

from helpers.cli import run as cli
from helpers.tracking import tracking_book
from helpers.workbooks import cells, column_values, sheet_rows

TODAY = "2026-11-23"
DAY = dt.date(2026, 11, 23)
run = partial(cli, lang="zh")  # lang="en" where a test reads the English output
tracker = partial(tracking_book, title=None, sheet="客户跟踪")  # the header in row 1, as most teams type it


def problems(path):
    """(row, column, problem) of every row of the data-problems sheet."""
    return [(r[1], r[2], r[4]) for r in sheet_rows(path, "数据问题")[1:]]


# --- cadence typed per customer in words ---------------------------------------------------------

def test_a_cadence_typed_in_words_sets_the_next_due_date(tmp_path):
    """每周, 两周, 每月, 7天, weekly, monthly, 2 weeks: the days a team means, not 'not a whole number'."""
    typed = ["每周", "两周", "每月", "7天", "weekly", "monthly", "2 weeks", "每季度"]
    meant = [7, 14, 30, 7, 7, 30, 14, 91]
    path = tracker(tmp_path / "周期.xlsx", headers=["客户名称", "负责人", "最近联系日期", "跟进周期"],
                   rows=[[f"客户{i}", "张三", dt.datetime(2026, 11, 2), cadence] for i, cadence in enumerate(typed)])
    before = cells(path, "客户跟踪")
    result = run("followups", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    due = column_values(path, "客户跟踪", "下次跟进日")
    assert [d.date() for d in due] == [dt.date(2026, 11, 2) + dt.timedelta(days=n) for n in meant]
    assert not any("跟进周期" in str(p[1]) for p in problems(path)), problems(path)
    assert {k: v for k, v in cells(path, "客户跟踪").items() if k[0] in "ABCD"} == before


def test_a_cadence_that_is_no_number_of_days_is_named_and_the_class_default_used(tmp_path):
    path = tracker(tmp_path / "周期.xlsx", headers=["客户名称", "负责人", "最近联系日期", "跟进周期"],
                   rows=[["甲", "张三", dt.datetime(2026, 11, 2), "看情况"], ["乙", "张三", dt.datetime(2026, 11, 2), 0]])
    assert run("followups", path, "--today", TODAY).exit_code == 0
    assert [d.date() for d in column_values(path, "客户跟踪", "下次跟进日")] == [dt.date(2026, 11, 17)] * 2  # prospects: 15
    found = {(row, where) for row, where, _ in problems(path)}
    assert {(2, "D 跟进周期"), (3, "D 跟进周期")} <= found


# --- dates that cannot be meant -------------------------------------------------------------------

def due_list(path):
    """(customer, touch) of every line of the due list."""
    rows = sheet_rows(path, "待跟进")
    return [(r[0], r[3]) for r in rows if r[0] and r[3] and r[0] != "客户名称"]


def test_a_last_contact_in_the_future_is_named_and_does_not_hide_what_is_due(tmp_path):
    """2026-12-20 typed on 23 November (a wrong year, most often) has not happened: it must not push the
    next due date to January nor count as the feedback call after the delivery of 20 November."""
    path = tracker(tmp_path / "未来.xlsx", headers=["客户名称", "负责人", "首次联系日期", "最近联系日期", "到货日期"],
                   rows=[["西部物流", "张三", "2026-10-01", "2026-12-20", "2026-11-20"],
                         ["东方化工", "张三", "2026-10-01", "2026-11-20", None]])
    before = cells(path, "客户跟踪")
    assert run("followups", path, "--today", TODAY).exit_code == 0
    assert ("西部物流", "到货/样品反馈回访") in due_list(path)  # due 27 November, a week after arrival
    first_row = column_values(path, "客户跟踪", "下次跟进日")[0]
    assert first_row is None or first_row.date() < dt.date(2026, 12, 20)
    named = [p for p in problems(path) if p[0] == 2 and p[1] == "D 最近联系日期"]
    assert named and "晚于今天" in named[0][2]
    assert not [p for p in problems(path) if p[0] == 3]
    assert {k: v for k, v in cells(path, "客户跟踪").items() if k[0] in "ABCDE"} == before


def test_a_next_follow_up_years_ahead_is_kept_but_named(tmp_path):
    path = tracker(tmp_path / "远期.xlsx", headers=["客户名称", "负责人", "最近联系日期", "下次跟进"],
                   rows=[["中原建材", "王五", "2026-09-01", "2031-01-01"], ["华东机电", "王五", "2026-11-01", "2027-03-01"]])
    assert run("followups", path, "--today", TODAY).exit_code == 0
    assert [d.date() for d in column_values(path, "客户跟踪", "下次跟进日")] == [dt.date(2031, 1, 1), dt.date(2027, 3, 1)]
    assert [(row, where) for row, where, _ in problems(path)] == [(2, "D 下次跟进")]


# --- birthdays as teams type them -----------------------------------------------------------------

def festival(name, year):
    """A lunar festival's solar day from the holidays package: an independent lunar calendar."""
    import holidays

    days = holidays.China(years=year, language="en_US", observed=False)
    return next(day for day, what in sorted(days.items()) if name in what)


def greeted_from(day):
    """The first day a greeting goes out: the day itself, or the working day before it when it is a day off."""
    import pandas as pd

    from xlcrm.core.calendar import WorkCalendar
    return WorkCalendar("CN").roll(pd.Series([pd.Timestamp(day)]), "before").iloc[0].date()


def birthday_lines(path):
    """(customer, due date) of the birthday lines of the due list."""
    return sorted((r[0], r[5].date()) for r in sheet_rows(path, "待跟进") if r[3] == "生日")


@pytest.mark.parametrize("year", [2026, 2027])
def test_a_lunar_birthday_is_greeted_on_its_solar_day_of_each_year(tmp_path, year):
    """农历八月十五 is Mid-Autumn day and 正月初八 a week after Spring Festival, a different solar day
    every year; in a column headed 农历生日 a plain date (typed 1985-08-15) is lunar too."""
    mid_autumn, spring = festival("Mid-Autumn", year), festival("Spring Festival", year)
    path = tracker(tmp_path / "农历.xlsx", headers=["客户名称", "负责人", "最近联系日期", "生日", "农历生日"],
                   rows=[["甲", "张三", "2026-11-20", "农历八月十五", None],
                         ["乙", "张三", "2026-11-20", None, dt.datetime(1985, 8, 15)],
                         ["丙", "张三", "2026-11-20", "3月1日", "八月十五"],
                         ["丁", "张三", "2026-11-20", "阴历正月初八", None]])
    before = cells(path, "客户跟踪")
    assert run("followups", path, "--today", mid_autumn - dt.timedelta(days=2)).exit_code == 0
    on = greeted_from(mid_autumn)  # a holiday: the greeting's window opens the working day before
    assert birthday_lines(path) == [("丙", on), ("乙", on), ("甲", on)]
    assert run("followups", path, "--today", spring + dt.timedelta(days=5)).exit_code == 0
    assert birthday_lines(path) == [("丁", greeted_from(spring + dt.timedelta(days=7)))]
    assert not [p for p in problems(path) if "生日" in str(p[1])]
    assert {k: v for k, v in cells(path, "客户跟踪").items() if k[0] in "ABCDE"} == before


def test_an_age_or_an_id_card_number_in_the_birthday_column_is_said_for_what_it_is(tmp_path):
    path = tracker(tmp_path / "生日.xlsx", headers=["客户名称", "负责人", "最近联系日期", "生日"],
                   rows=[["甲", "张三", "2026-11-20", 45], ["乙", "张三", "2026-11-20", "110101198503051234"],
                         ["丙", "张三", "2026-11-20", "农历十三月"], ["丁", "张三", "2026-11-20", "2月29日"]])
    assert run("followups", path, "--today", "2027-02-27").exit_code == 0
    found = {row: why for row, where, why in problems(path) if where == "D 生日"}
    assert "年龄" in found[2] and "身份证" in found[3] and "1985-03-05" in found[3] and "农历" in found[4]
    assert 5 not in found
    assert birthday_lines(path) == [("丁", greeted_from(dt.date(2027, 2, 28)))]  # no 29 February that year


# --- owners as teams type them --------------------------------------------------------------------

def owner_blocks(path, sheet="待跟进"):
    """Owner title -> customers listed under it in the due list."""
    blocks, owner = {}, None
    for r in sheet_rows(path, sheet)[3:]:
        if r[0] and str(r[0]).startswith("■"):
            owner = str(r[0])[2:].split(":")[0].split(":")[0]
            blocks[owner] = []
        elif owner and r[0] and r[0] not in ("客户名称", "Customer"):
            blocks[owner].append(r[0])
    return blocks


def test_one_owner_spelled_two_ways_and_a_shared_customer_are_listed_as_the_team_means(tmp_path):
    """'李四' and ' 李四 ' are one salesperson; a customer of '张三/李四' is on both their lists and in both
    their reports; an owner only in some rows leaves the others under 'no owner'."""
    path = tracker(tmp_path / "负责人.xlsx", headers=["客户名称", "负责人", "最近联系日期"],
                   rows=[["甲", "张三", "2026-11-01"], ["乙", " 李四 ", "2026-11-01"], ["丙", "张三/李四", "2026-11-01"],
                         ["丁", "李四", "2026-11-01"], ["戊", None, "2026-11-01"]])
    before = cells(path, "客户跟踪")
    assert run("followups", path, "--today", TODAY).exit_code == 0
    blocks = owner_blocks(path)
    assert {k: sorted(v) for k, v in blocks.items()} == {
        "张三": ["丙", "甲"], "李四": ["丁", "丙", "乙"], "(未指定负责人)": ["戊"]}
    team = run("report", path, "--today", TODAY, "--out", tmp_path / "team")
    assert team.exit_code == 0, team.output
    page = next((tmp_path / "team").glob("*.html")).read_text(encoding="utf-8")
    per_owner = dict(re.findall(r'<tr><td class="text">([^<]*)</td><td class="int">(\d+)</td>', page))
    assert per_owner["张三"] == "2" and per_owner["李四"] == "3" and "张三/李四" not in per_owner  # overdue each
    assert "合计(每个客户计一次):逾期 5" in page  # 5 customers overdue: the shared one counted once (rows add up to 6)
    mine = run("report", path, "--today", TODAY, "--owner", "李 四", "--out", tmp_path / "r")
    assert mine.exit_code == 0, mine.output
    assert "客户:3 个" in mine.output
    wrong = run("report", path, "--today", TODAY, "--owner", "王五", "--out", tmp_path / "r")
    assert wrong.exit_code == 1 and "王五" in wrong.output and "张三" in wrong.output and "李四" in wrong.output
    assert {k: v for k, v in cells(path, "客户跟踪").items() if k[0] in "ABC"} == before


def test_a_hand_kept_log_names_the_owner_its_own_way_in_the_owner_report(tmp_path):
    """The log's 跟进人 'alice smith' is the sheet's 'Alice Smith': her report counts her contacts."""
    path = tracker(tmp_path / "team.xlsx", headers=["Customer", "Owner", "Last contact"],
                   rows=[["Acme", "Alice Smith", "2026-11-01"], ["Globex", "alice smith ", "2026-11-01"],
                         ["Initech", "Bob", "2026-11-01"]], sheet="Accounts",
                   extra_sheets={"Contact log": [["Date", "Customer", "Channel", "Owner"],
                                         [dt.datetime(2026, 11, 20), "Acme", "phone", "alice smith"],
                                         [dt.datetime(2026, 11, 21), "Globex", "visit", "ALICE SMITH"],
                                         [dt.datetime(2026, 11, 21), "Initech", "phone", "Bob"]]})
    result = run("report", path, "--today", TODAY, "--owner", "alice smith", "--out", tmp_path / "r", lang="en")
    assert result.exit_code == 0, result.output
    assert "Customers: 2" in result.output and "Contacts logged: 2" in result.output


# --- a contact log kept by hand before xlcrm ------------------------------------------------------

def test_a_hand_kept_contact_log_counts_under_the_customers_it_names_and_xlcrm_log_only_appends(tmp_path):
    """Its own headers (日期, 客户, 方式, 内容, 跟进人), a short name for a long one ('华东机电' for
    '上海华东机电有限公司'), a trailing space, a name that is no customer (named, not counted), and a
    note line: `xlcrm log` adds its row below them and changes none of them."""
    log = [["日期", "客户", "方式", "内容", "跟进人"],
           [dt.datetime(2026, 11, 5), "华东机电", "电话", "报价", "张三"],
           ["2026/11/12", "南方贸易 ", "拜访", "送样", "李四"],
           ["2026-11-15", "北方重工", "电话", "问价", "王五"],
           ["以上为导入前的记录", None, None, None, None]]
    path = tracker(tmp_path / "记录.xlsx", headers=["客户名称", "联系人", "负责人", "最近联系日期"],
                   rows=[["上海华东机电有限公司", "王总", "张三", "2026-11-01"], ["南方贸易", "李经理", "李四", "2026-10-01"]],
                   sheet="客户", extra_sheets={"跟进记录": log})
    assert run("followups", path, "--today", TODAY).exit_code == 0
    due = [d.date() for d in column_values(path, "客户", "下次跟进日")]
    assert due == [dt.date(2026, 11, 5) + dt.timedelta(days=15), dt.date(2026, 11, 12) + dt.timedelta(days=15)]
    assert [(row, where) for row, where, _ in problems(path)] == [(4, "B 客户")]
    before = cells(path, "跟进记录")
    result = run("log", path, "--customer", "南方", "--note", "回访", "--date", TODAY)
    assert result.exit_code == 0, result.output
    after = cells(path, "跟进记录")
    assert {k: v for k, v in after.items() if k in before} == before
    added = sheet_rows(path, "跟进记录")[-1]
    assert added[0].date() == DAY and added[1] == "南方贸易" and "回访" in [str(v) for v in added]


# --- next follow-up and appointments as typed ------------------------------------------------------

def test_a_relative_next_follow_up_is_named_for_what_it_is_and_a_weekday_after_a_date_is_read(tmp_path):
    """下周三, 月底, ASAP cannot be placed (from when?): the problem says so and the cadence is used;
    '2026-12-01 周二' and '2026年11月30日(周一) 10:00' are dates with their weekday."""
    path = tracker(tmp_path / "相对.xlsx", headers=["客户名称", "负责人", "最近联系日期", "下次跟进", "预约时间"],
                   rows=[["甲", "张三", "2026-11-10", "下周三", None], ["乙", "张三", "2026-11-10", "月底", None],
                         ["丙", "张三", "2026-11-10", "ASAP", None], ["丁", "张三", "2026-11-10", "2026-12-01 周二", None],
                         ["戊", "张三", "2026-11-20", None, "2026年11月30日(周一) 10:00"]])
    assert run("followups", path, "--today", TODAY).exit_code == 0
    found = {row: why for row, where, why in problems(path) if where == "D 下次跟进"}
    assert set(found) == {2, 3, 4} and all("相对日期" in why for why in found.values())
    assert [d.date() for d in column_values(path, "客户跟踪", "下次跟进日")][:4] == [dt.date(2026, 11, 25)] * 3 + [
        dt.date(2026, 12, 1)]  # prospects: 15 days after the last contact
    assert ("戊", "预约提醒") in due_list(path)  # five working days before 30 November: 23 November
    assert not [p for p in problems(path) if p[1] == "E 预约时间"]


def test_the_cadence_settings_read_words_too(tmp_path):
    """The team edits the settings' cadence block the way they type their sheet: A 每周, B 两周, prospect 每月."""
    path = tracker(tmp_path / "设置.xlsx", headers=["客户名称", "负责人", "最近联系日期"], rows=[["甲", "张三", "2026-11-02"]])
    assert run("check", path).exit_code == 0
    book = openpyxl.load_workbook(path)
    settings = book["CRM设置"]
    start = next(c.row for c in settings["A"] if c.value == "■ 联系周期(天)")
    prospect = next(c.row for c in settings["A"] if c.row > start and c.value == "prospect")
    settings.cell(prospect, 3, "每月")
    book.save(path)
    result = run("followups", path, "--today", TODAY)
    assert result.exit_code == 0 and "每月" not in result.output, result.output
    assert column_values(path, "客户跟踪", "下次跟进日")[0].date() == dt.date(2026, 12, 2)


def test_a_class_typed_as_a_word_is_read_or_named(tmp_path):
    """A类 and a are class A (every 7 days for a customer who bought); VIP and 重要客户 are no class: the
    default cadence is used (a prospect's 15 days) and the cell is named."""
    path = tracker(tmp_path / "等级.xlsx", headers=["客户名称", "负责人", "最近联系日期", "客户等级", "累计成交金额"],
                   rows=[["甲", "张三", "2026-11-02", "A类", 5000], ["乙", "张三", "2026-11-02", "a", 800],
                         ["丙", "张三", "2026-11-02", "VIP"], ["丁", "张三", "2026-11-02", "重要客户"]])
    assert run("followups", path, "--today", TODAY).exit_code == 0
    assert [d.date() for d in column_values(path, "客户跟踪", "下次跟进日")] == [dt.date(2026, 11, 9)] * 2 + [
        dt.date(2026, 11, 17)] * 2
    named = {row: why for row, where, why in problems(path) if where == "D 客户等级"}
    assert set(named) == {4, 5} and all("潜在客户" in why for why in named.values())
    assert column_values(path, "客户跟踪", "客户等级") == ["A类", "a", "VIP", "重要客户"]


def test_the_mail_preview_greets_a_lunar_birthday_on_its_day_and_spells_it(tmp_path):
    """`xlcrm remind` (preview): the greeting is planned for Mid-Autumn day and {{ birthday }} reads
    农历八月十五 (a lunar birthday has no solar date to print), as does {{ lunar_birthday }}."""
    mid_autumn = festival("Mid-Autumn", 2027)
    path = tracker(tmp_path / "农历邮件.xlsx", headers=["客户名称", "联系人", "邮箱", "最近联系日期", "生日", "农历生日"],
                   rows=[["甲公司", "王总", "w@example.com", "2027-09-01", "农历八月十五", None],
                         ["乙公司", "李总", "l@example.com", "2027-09-01", None, "八月十五"]],
                   extra_sheets={"邮件模板": [["模板名称", "启用", "场合", "主题", "正文"],
                                  ["生日", "是", "生日", "{{ customer }}", "生日:{{ birthday }}/{{ lunar_birthday }}"]]})
    result = run("remind", path, "--today", mid_autumn)
    assert result.exit_code == 0, result.output
    rows = sheet_rows(path, "邮件预览")
    head = rows[0]
    planned = {r[head.index("客户")]: r for r in rows[1:] if r[head.index("场合")] == "生日"}
    assert set(planned) == {"甲公司", "乙公司"}
    for row in planned.values():
        assert row[head.index("到期日")].date() == greeted_from(mid_autumn)
    assert planned["甲公司"][head.index("正文")].startswith("生日:农历八月十五/")
    assert planned["乙公司"][head.index("正文")].strip() == "生日:农历八月十五/农历八月十五"


def test_an_owner_report_takes_a_part_of_the_name_only_one_owner_has(tmp_path):
    path = tracker(tmp_path / "team.xlsx", headers=["Customer", "Owner", "Last contact"],
                   rows=[["Acme", "Alice Smith", "2026-11-01"], ["Globex", "Bob Li", "2026-11-01"],
                         ["Initech", "Bobby Chan", "2026-11-01"]], sheet="Accounts")
    alice = run("report", path, "--today", TODAY, "--owner", "alice", "--out", tmp_path / "r", lang="en")
    assert alice.exit_code == 0 and "for Alice Smith" in alice.output and "Customers: 1" in alice.output
    bob = run("report", path, "--today", TODAY, "--owner", "bob", "--out", tmp_path / "r", lang="en")
    assert bob.exit_code == 1 and "Alice Smith, Bob Li, Bobby Chan" in bob.output  # two owners have 'bob'
