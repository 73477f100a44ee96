"""`followups` on real workbooks: the columns, colours, due list and problems a user sees."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from helpers.libreoffice import convert, sheets_as_csv
from helpers.tracking import EN, tracking_book
from helpers.workbooks import edit, find_row, sheet_rows, values
from xlcrm.actions.followups import compute, due_touches, followups
from xlcrm.actions.session import open_session
from xlcrm.book.file import FileBook
from xlcrm.core.followups.touches import OCCASIONS, STATUSES, TOUCH_COLUMNS

MONDAY = dt.date(2026, 11, 23)
ROWS = [  # customer, contact, phone, owner, last contact, next follow-up, total amount, stage, in stage since
    ["逾期机械", "王伟", "13800000001", "张磊", "2026/11/2", None, "¥12,000", "验收", "2026-11-01"],
    ["今日电子", "李芳", "13800000002", "李娜", "2026年11月10日", "2026-11-23", "5000元", "收款", None],
    ["本周贸易", "陈静", "13800000003", "张磊", dt.date(2026, 11, 12), None, None, "方案报价", "2026-10-01"],
    ["无日期包装", "赵强", "13800000004", "李娜", None, None, None, None, None],
    ["看不懂日期", "周杰", "13800000005", "张磊", "下周三", None, "800", None, None],
    ["正常物流", "吴敏", "13800000006", None, "2026-11-20", None, 300, "见到客户", "2026-10-20"],
]
EXPECTED_DUE = {  # worked out by hand from the playbook's defaults
    "逾期机械": dt.date(2026, 11, 16),  # existing: last contact + 14
    "今日电子": dt.date(2026, 11, 23),  # the team's own date
    "本周贸易": dt.date(2026, 11, 27),  # prospect: + 15
    "无日期包装": None,
    "看不懂日期": None,
    "正常物流": dt.date(2026, 12, 4),
}


def status_on(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return "无日期"
    days = (due - today).days
    return "逾期" if days < 0 else "今日到期" if days == 0 else "本周到期" if days <= 7 else "正常"


@pytest.fixture
def book(tmp_path):
    return tracking_book(tmp_path / "team.xlsx", ROWS)


def column(path, sheet, header):
    rows = sheet_rows(path, sheet)
    at = rows[1].index(header)
    return {r[0]: r[at] for r in rows[2:] if r[0]}


@pytest.mark.slow
def test_next_due_and_status_columns_are_added_beside_the_teams_columns(book, tmp_path):
    followups(FileBook(book), MONDAY)
    headers = sheet_rows(book, "客户跟踪表")[1]
    assert headers[:9] == ["客户名称", "联系人", "手机", "负责人", "最近联系日期", "下次跟进", "累计成交金额", "阶段",
                           "进入阶段日期"]
    assert headers[9:] == ["跟进状态", "下次跟进日"]
    due = {name: (d.date() if d else None) for name, d in column(book, "客户跟踪表", "下次跟进日").items()}
    assert due == EXPECTED_DUE
    shown = sheets_as_csv(book, tmp_path / "csv")["客户跟踪表"]
    statuses = {r[0]: r[9] for r in shown[2:] if r[0]}
    assert statuses == {name: status_on(d, dt.date.today()) for name, d in EXPECTED_DUE.items()}


def test_rows_get_three_rules_comparing_next_due_with_today_and_the_teams_own_rule_stays(book):
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    sheet = openpyxl.load_workbook(book)
    sheet["客户跟踪表"].conditional_formatting.add("G3:G8", CellIsRule(operator="greaterThan", formula=["10000"],
                                                                   fill=PatternFill("solid", bgColor="00FF00")))
    sheet.save(book)
    followups(FileBook(book), MONDAY)
    followups(FileBook(book), MONDAY)  # a re-run replaces its rules, it does not pile them up
    rules = [(str(cf.sqref), r.formula[0]) for cf in openpyxl.load_workbook(book)["客户跟踪表"].conditional_formatting
             for r in cf.rules]
    ours = [f for _, f in rules if "xlcrm" in f]
    assert len(ours) == 3 and all("TODAY()" in f and "$K3" in f for f in ours)
    assert ("A3:K8", ours[0]) in rules
    assert ("G3:G8", "10000") in rules


def test_the_due_list_has_a_block_per_owner_with_overdue_first(book):
    followups(FileBook(book), MONDAY)
    rows = sheet_rows(book, "待跟进")
    assert rows[0][0] == "待跟进事项(2026-11-23)"
    owners = [r[0] for r in rows if r[0] and str(r[0]).startswith("■")]
    assert [o.split(":")[0] for o in owners] == ["■ 张磊", "■ 李娜", "■ (未指定负责人)"]
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("■ 张磊"))
    assert rows[start + 1][:8] == ["客户名称", "联系人", "电话", "事项", "说明", "应办日期", "逾期天数", "状态"]
    block = [r for r in rows[start + 2:] if r[0]][:4]
    assert [(r[0], r[3], r[7], r[6]) for r in block] == [
        ("本周贸易", "商机停滞", "逾期", 39),  # stuck in 方案报价 since 1 Oct: 14 days allowed, due 15 Oct
        ("逾期机械", "定期跟进", "逾期", 7),
        ("本周贸易", "定期跟进", "本周到期", None),
        ("看不懂日期", "定期跟进", "无日期", None),
    ]
    assert block[0][5] == dt.datetime(2026, 10, 15) and block[3][5] is None
    assert block[1][10] == '=HYPERLINK("#\'客户跟踪表\'!A3",3)'  # a link to the customer's row


def test_missing_or_unreadable_dates_give_no_date_and_a_data_problem(book):
    result = followups(FileBook(book), MONDAY)
    problems = sheet_rows(book, "数据问题")
    no_date = [p for p in problems if p[4] and "无日期" in str(p[4])]
    assert sorted(p[1] for p in no_date) == [6, 7]
    assert any(p[1] == 7 and p[3] == "下周三" and p[4].startswith("相对日期") for p in problems)
    assert "无日期" in "\n".join(result.lines("zh"))


def test_a_last_contact_after_today_is_not_used_and_a_next_follow_up_years_ahead_is_used_both_listed(tmp_path):
    rows = [["去年写成明年", "王伟", "13800000001", "张磊", "2027/11/2", None, None, None, None],
            ["写错年份", "李芳", "13800000002", "李娜", "2026-11-10", "2028年12月1日", None, None, None],
            *ROWS[5:]]
    book = tracking_book(tmp_path / "team.xlsx", rows)
    followups(FileBook(book), MONDAY)
    problems = sheet_rows(book, "数据问题")
    future = [p for p in problems if p[4] and "尚未发生" in p[4]]
    far = [p for p in problems if p[4] and "一年以后" in p[4]]
    assert [(p[0], p[1], p[2], p[3]) for p in future] == [("客户跟踪表", 3, "E 最近联系日期", "2027/11/2")]
    assert [(p[0], p[1], p[2], p[3]) for p in far] == [("客户跟踪表", 4, "F 下次跟进", "2028年12月1日")]
    due = {name: (d.date() if d else None) for name, d in column(book, "客户跟踪表", "下次跟进日").items()}
    assert due["写错年份"] == dt.date(2028, 12, 1)  # as typed: no follow-up before then
    assert due["去年写成明年"] is None  # nothing else to go by: no date, rather than a date two years out


def test_the_teams_cells_keep_their_values_and_a_second_run_changes_nothing(book):
    before = values(book)
    followups(FileBook(book), MONDAY)
    first = values(book)
    assert [r[:9] for r in first["客户跟踪表"]] == [r[:9] for r in before["客户跟踪表"]]
    followups(FileBook(book), MONDAY)
    assert values(book) == first


def test_the_next_run_uses_cadence_edited_in_the_settings_sheet(book):
    followups(FileBook(book), MONDAY)
    edit(book, "CRM设置", {f"C{find_row(book, 'CRM设置', 'prospect', below='联系周期')}": 30,
                          f"C{find_row(book, 'CRM设置', 'day_off')}": "顺延"})
    followups(FileBook(book), MONDAY)
    due = column(book, "客户跟踪表", "下次跟进日")
    assert due["本周贸易"].date() == dt.date(2026, 12, 14)  # 12 Nov + 30 = Saturday 12 Dec, moved on to Monday


def test_classes_from_the_class_column_set_the_cadence(tmp_path):
    rows = [r[:7] + ["A"] for r in ROWS[:3]]
    path = tracking_book(tmp_path / "team.xlsx", rows, ["客户名称", "联系人", "手机", "负责人", "最近联系日期",
                                                          "下次跟进", "累计成交金额", "客户等级"])
    followups(FileBook(path), MONDAY)
    due = column(path, "客户跟踪表", "下次跟进日")
    assert due["逾期机械"].date() == dt.date(2026, 11, 9)  # class A: every 7 days
    assert due["本周贸易"].date() == dt.date(2026, 11, 27)  # no purchases: the prospect's 15 days win over A


@pytest.mark.slow
def test_an_english_sheet_gets_english_columns_statuses_and_due_list(tmp_path):
    rows = [r[:4] + [r[4] if not isinstance(r[4], str) or "-" in r[4] else None] + r[5:] for r in ROWS]
    path = tracking_book(tmp_path / "team.xlsx", rows, EN, title=None, sheet="Customers")
    result = followups(FileBook(path), MONDAY)
    headers = sheet_rows(path, "Customers")[0]
    assert headers[-2:] == ["Follow-up status", "Next due"]
    assert "Due follow-ups" in openpyxl.load_workbook(path).sheetnames
    shown = sheets_as_csv(path, tmp_path / "csv")["Customers"]
    assert {r[9] for r in shown[1:] if r[0]} <= {m.en for m in STATUSES.values()}
    text = "\n".join(result.lines("en"))
    assert "Follow-ups as of 2026-11-23" in text and "Per owner" in text and "Deals stuck in a stage: 2" in text


def test_due_touches_hand_the_mail_merge_exactly_the_agreed_columns_and_values(zh_book):
    session = open_session(FileBook(zh_book))
    touches = due_touches(session, MONDAY)
    assert list(touches.columns) == list(TOUCH_COLUMNS)
    assert set(touches["occasion"]) <= set(OCCASIONS) and set(touches["status"]) <= set(STATUSES)
    assert pd.api.types.is_datetime64_any_dtype(touches["due"])
    assert pd.api.types.is_integer_dtype(touches["row"])
    regular = touches[touches["occasion"].isin(["followup", "first_answer"])]
    assert regular["key"].is_unique  # one regular follow-up per customer, duplicates listed once
    assert set(regular["key"]) == set(session.customers.records["key"])  # 下周三 in one: soon, by the cadence
    assert {"birthday", "thanks", "stuck"} <= set(touches["occasion"])
    assert zh_book.with_name(f"{zh_book.stem}.backup.xlsx").exists() is False  # nothing written


def test_a_contact_typed_into_the_contact_log_by_hand_counts(book):
    wb = openpyxl.load_workbook(book)
    log = wb.create_sheet("跟进记录")
    log.append(["日期", "客户名称", "负责人", "联系方式", "结果"])
    log.append([dt.datetime(2026, 11, 21), "逾期机械", "张磊", "电话", "约了下周见面"])
    log.append(["昨天", "本周贸易", "张磊", "电话", None])
    wb.save(book)
    followups(FileBook(book), MONDAY)
    due = column(book, "客户跟踪表", "下次跟进日")
    assert due["逾期机械"].date() == dt.date(2026, 12, 4)  # 21 Nov + 14 (a Saturday) moved to Friday
    problems = sheet_rows(book, "数据问题")
    assert any(p[0] == "跟进记录" and p[1] == 3 and p[3] == "昨天" for p in problems)


def test_xlcrms_columns_are_wide_enough_for_dates_and_the_teams_widths_stay(book):
    wb = openpyxl.load_workbook(book)
    wb["客户跟踪表"].column_dimensions["A"].width = 30
    wb.save(book)
    followups(FileBook(book), MONDAY)
    widths = openpyxl.load_workbook(book)["客户跟踪表"].column_dimensions
    assert widths["A"].width == 30
    assert widths["K"].width >= 11 and widths["J"].width >= 10


@pytest.mark.parametrize("header, cells", [("跟进状态", ["意向中", "已报价"]),
                                           ("下次跟进日", [dt.datetime(2026, 12, 1), None])])
def test_a_team_column_named_like_xlcrms_own_is_never_overwritten(tmp_path, header, cells):
    rows = [["甲公司", "王伟", "2026-11-01", cells[0]], ["乙公司", "李芳", "2026-11-02", cells[1]]]
    path = tracking_book(tmp_path / "team.xlsx", rows, ["客户名称", "负责人", "最近联系日期", header])
    team = [row[:4] for row in sheet_rows(path, "客户跟踪表")]
    for run in range(2):  # the second run finds xlcrm's columns in its state sheet: no third column
        result = followups(FileBook(path), MONDAY)
        said = [n.text("zh") for n in result.session.notes]
        assert any(f"xlcrm 的同名列写为“{header} (xlcrm)”" in n for n in said) == (run == 0), said
        rows = sheet_rows(path, "客户跟踪表")
        assert [row[:4] for row in rows] == team  # the team's column, header and cells, untouched
        top = next(i for i, row in enumerate(rows) if row[0] == "客户名称")
        assert rows[top][4:] == [h if h != header else f"{header} (xlcrm)" for h in ("跟进状态", "下次跟进日")]
        assert all(isinstance(row[5], dt.datetime) for row in rows[top + 1:])  # xlcrm's due dates, in its own column


@pytest.mark.slow
def test_statuses_saved_by_excel_or_libreoffice_are_recognised_as_xlcrms_own(book, tmp_path):
    followups(FileBook(book), MONDAY)
    resaved = convert(book, "xlsx", tmp_path / "resaved")  # formulas now carry their cached results
    followups(FileBook(resaved), MONDAY)
    assert sheet_rows(resaved, "客户跟踪表")[1][9:] == ["跟进状态", "下次跟进日"]
    rules = [r for cf in openpyxl.load_workbook(resaved)["客户跟踪表"].conditional_formatting for r in cf.rules]
    assert len(rules) == 3  # LibreOffice kept xlcrm's tag, so the re-run replaced its rules


def test_a_customer_sheet_with_no_rows_yet_is_fine(tmp_path):
    path = tracking_book(tmp_path / "team.xlsx", [], ["客户名称", "负责人", "最近联系日期"])
    result = followups(FileBook(path), MONDAY)
    assert "逾期 0" in "\n".join(result.lines("zh"))
    assert sheet_rows(path, "待跟进")[2] == ["没有逾期或本周到期的事项。"]


def settings_rows(path, sheet, title):
    """(Excel row number, cells) of a settings block's rows, found under its title."""
    rows = sheet_rows(path, sheet)
    start = next(i for i, r in enumerate(rows) if r[0] == f"■ {title}")
    block = []
    for number, row in enumerate(rows[start + 2:], start=start + 3):
        if not row[0] or str(row[0]).startswith("■"):
            break
        block.append((number, row))
    return block


def test_holiday_list_touch_days_and_funnel_edited_in_the_sheet_are_used_next_time(book):
    followups(FileBook(book), MONDAY)
    holidays = settings_rows(book, "CRM设置", "节日问候")
    assert ("春节", "是") in [(r[0], r[1]) for _, r in holidays]
    after = holidays[-1][0] + 1
    wb = openpyxl.load_workbook(book)
    sheet = wb["CRM设置"]
    for number, row in holidays:
        sheet[f"B{number}"] = "否"
    sheet.insert_rows(after)
    sheet[f"A{after}"], sheet[f"B{after}"] = "元旦", "是"
    wb.save(book)
    for number, row in settings_rows(book, "CRM设置", "待办事项与客户关怀"):
        if row[0] == "holiday":
            edit(book, "CRM设置", {f"D{number}": 2})
    for number, row in settings_rows(book, "CRM设置", "销售漏斗"):
        if row[0] == "5":
            edit(book, "CRM设置", {f"B{number}": "报价", f"C{number}": 100})
    session = open_session(FileBook(book))
    touches = due_touches(session, dt.date(2026, 12, 27))
    greetings = touches[touches["occasion"] == "holiday"]
    assert set(greetings["detail"]) == {"元旦"}
    assert set(greetings["due"]) == {pd.Timestamp("2026-12-30")}
    stuck = touches[touches["occasion"] == "stuck"]
    assert "本周贸易" not in set(stuck["customer"])  # 87 days in 方案报价, which now allows 100
    funnel = compute(session, dt.date(2026, 12, 27), note_problems=False).funnel
    assert funnel.loc[5, ["stage_zh", "stage_en", "deals", "stuck"]].tolist() == ["报价", "报价", 1, 0]
    followups(FileBook(book), MONDAY)
    assert [r[0] for _, r in settings_rows(book, "CRM设置", "节日问候")][-1] == "元旦"
    assert ("5", "报价", 100) in [tuple(r[:3]) for _, r in settings_rows(book, "CRM设置", "销售漏斗")]


def test_as_of_today_an_order_after_it_does_not_make_a_prospect_a_customer(tmp_path):
    rows = [["后来下单", "陈静", "13800000003", "张磊", dt.date(2026, 11, 12), None, None, None, None]]
    path = tracking_book(tmp_path / "team.xlsx", rows)
    book = openpyxl.load_workbook(path)
    orders = book.create_sheet("订单")
    orders.append(["客户名称", "订单日期", "金额"])
    orders.append(["后来下单", dt.date(2026, 12, 20), 5000])
    book.save(path)
    followups(FileBook(path), MONDAY)
    assert column(path, "客户跟踪表", "下次跟进日")["后来下单"].date() == dt.date(2026, 11, 27)  # prospect: 15 days
    followups(FileBook(path), dt.date(2026, 12, 21))
    assert column(path, "客户跟踪表", "下次跟进日")["后来下单"].date() == dt.date(2026, 11, 26)  # a customer: 14


def test_an_english_workbook_gets_no_chinas_holidays_silently_and_the_run_says_which_calendar(tmp_path):
    rows = [["Acme", "Ann", "2026-12-01", "2026-11-02"]]
    path = tracking_book(tmp_path / "team.xlsx", rows, ["Customer", "Owner", "Birthday", "Last contact"],
                         title=None, sheet="Customers")
    said = [n.text("en") for n in followups(FileBook(path), dt.date(2026, 9, 20)).due.notes]
    assert said[0].startswith("Calendar: none (weekends only)"), said
    due = followups(FileBook(path), dt.date(2026, 9, 20), region="US").due
    assert "holiday" not in set(due.touches["occasion"])  # China's National Day, 1 October, is not greeted
    assert due.notes[0].text("en").startswith("Calendar: US (this computer's region")
    assert due.notes[0].text("zh").startswith("日历:US(按本机所在地区")
    assert not [n for n in due.notes if "not in the US calendar" in n.text("en")]  # China's default list: no noise
