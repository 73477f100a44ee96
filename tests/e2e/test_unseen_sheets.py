"""Tracking sheets nobody on the team had seen: other headers, layouts and spellings, run end to end.

Each workbook is built here the way a team would have made it (openpyxl stands in for their
hands) and goes through the commands a new user runs; the tests check what that user would
look at: the mapping printed, the dates read, the due dates written, and their own cells unchanged.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from functools import partial

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation

from helpers.cli import run
from helpers.workbooks import cells, column_values, sheet_rows
from xlcrm.core.parse import parse_amount, parse_date, parse_phone, parse_text, slash_order
from xlcrm.core.records import parse_email

TODAY = "2026-11-23"
in_english = partial(run, lang="en")


ACCOUNTS = "Q1 'Key' Accounts"


@pytest.fixture
def key_accounts(tmp_path):
    """An English tracker: a notes sheet first, a merged title and a date line above the header in
    row 4, headers worded their own way (one with a line break, one with a trailing space), a drop-down,
    frozen panes, a hidden column, two blank rows and a total row."""
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "How we use this workbook"
    sheet = book.create_sheet(ACCOUNTS)
    sheet["A1"] = "Key account tracker"
    sheet.merge_cells("A1:J1")
    sheet["A2"] = "As of 20 Nov 2026"
    sheet.append([])
    sheet.append(["Account Name ", "Contact\nName", "E-mail Address", "Mobile", "Sales Rep", "Last Contacted",
                  "Next Action Date", "Deal Stage", "Lifetime Value", "Comments"])
    for row in (
        ["Acme Corp", "John Smith", "john@acme.com", "+86 138 0013 8000", "Alice", "3/5/2026", "Mar 5, 2026",
         "Proposal", "$1,200.50", "vip"],
        ["Globex", "Mary Jones", "mary@globex.com", "138-0013-8001", "Bob", "11/15/2026", "5-Mar-26", "Won",
         "RMB 1,200", ""],
        ["Initech", "Peter Gibbons", "peter@initech.com", "  ", "Alice", dt.datetime(2026, 10, 1, 14, 30),
         "2026-12-05 10:00:00", "Lead", "(1,200)", "  "],
        [None] * 10,
        [None] * 10,
        ["Umbrella", "Alice Wong", "alice@umbrella.com", 13800138002, "Bob", "46000", "-", "Negotiation", "-", None],
        ["Hooli", "Gavin Belson", "gavin@hooli.com", "(010) 6552-1234", "Carol", None, None, "Won", "12,000.00", None],
        ["Total", None, None, None, None, None, None, None, "=SUM(I5:I11)", None],
    ):
        sheet.append(row)
    sheet.freeze_panes = "B5"
    sheet.column_dimensions["J"].hidden = True
    stages = DataValidation(type="list", formula1='"Lead,Proposal,Negotiation,Won"')
    sheet.add_data_validation(stages)
    stages.add("H5:H200")
    sheet.auto_filter.ref = "A4:J12"
    path = tmp_path / "key accounts.xlsx"
    book.save(path)
    return path


def test_reworded_english_headers_are_understood_and_the_odd_values_are_read(key_accounts):
    result = in_english("check", key_accounts)
    assert result.exit_code == 0, result.output
    for line in ("Contact ← B Contact Name", "Last contact ← F Last Contacted",
                 "Next follow-up ← G Next Action Date", "Total amount ← I Lifetime Value", "header in row 4, 5 rows"):
        assert line in result.output
    # an Excel serial kept as text is a date, '-' is an empty cell, a customer without dates is not a cell problem
    assert "Data problems: 0" in result.output
    assert "dates like 3/5/2026 were read as month/day" in result.output and "11/15/2026" in result.output


def test_every_command_runs_on_it_and_the_teams_cells_and_sheet_features_stay(key_accounts, tmp_path):
    before = cells(key_accounts, ACCOUNTS)
    for command in ("check", "refresh", "followups", "remind", "report"):
        result = in_english(command, key_accounts, *(() if command == "check" else ("--today", TODAY)))
        assert "Traceback" not in result.output and "Unexpected error" not in result.output, (command, result.output)
        assert result.exit_code in (0, 1), (command, result.output)  # 1: refresh needs purchases, and says so
    after = cells(key_accounts, ACCOUNTS)
    assert {ref: after.get(ref) for ref in before} == before
    sheet = openpyxl.load_workbook(key_accounts)[ACCOUNTS]
    assert sheet.freeze_panes == "B5" and sheet.column_dimensions["J"].hidden
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["H5:H200"]
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}


def test_remind_previews_when_some_customers_have_no_date_at_all(key_accounts):
    """Hooli has no date to schedule from: the due list says 'No date', the mail merge leaves it out."""
    result = in_english("remind", key_accounts, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    preview = sheet_rows(key_accounts, "Mail preview")
    assert not any("Hooli" in str(cell) for row in preview for cell in row)
    in_english("followups", key_accounts, "--today", TODAY)
    due = sheet_rows(key_accounts, "Due follow-ups")
    assert not any("nan" in str(cell) for row in due for cell in row)
    assert any("Hooli" in str(cell) for row in due for cell in row)


@pytest.fixture
def chinese_tracker(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户 跟进表"
    sheet.append(["单位名称", "联系人姓名", "联系人电话", "客户邮箱", "客户经理", "最后跟进时间", "下次回访", "成交总额",
                  "金额(元)", "备注"])
    sheet.append(["华为技术 ", "张三", "+86 138-0013-8000", "zs@hw.cn", "王五", "2026年11月5日 14:30", "2026/12/1",
                  "1.2万", "12,000.00 元", ""])
    sheet.append(["腾讯科技", "李四", "139 0013 9000", "ls@qq.com", "王五", "2026-11-16 10:00:00", "无", "¥3,500",
                  "3500", ""])
    sheet.append(["合计", None, None, None, None, None, None, "=SUM(H2:H3)", "=SUM(I2:I3)", None])
    path = tmp_path / "跟进.xlsx"
    book.save(path)
    return path


def test_chinese_headers_worded_otherwise_map_and_schedule_follow_ups(chinese_tracker):
    result = run("check", chinese_tracker)
    assert result.exit_code == 0, result.output
    for line in ("电话 ← C 联系人电话", "邮箱 ← D 客户邮箱", "最近联系日期 ← F 最后跟进时间", "下次跟进 ← G 下次回访",
                 "累计成交金额 ← H 成交总额", "共 2 行"):
        assert line in result.output
    assert "数据问题:0" in result.output
    run("followups", chinese_tracker, "--today", TODAY)
    due = dict(zip(column_values(chinese_tracker, "客户 跟进表", "单位名称"),
                   column_values(chinese_tracker, "客户 跟进表", "下次跟进日")))
    assert due["华为技术 "] == dt.datetime(2026, 12, 1)  # the team's own planned date, typed 2026/12/1
    assert due["腾讯科技"] == dt.datetime(2026, 11, 30)  # 16 Nov + 14 days; '无' is no planned date


@pytest.fixture
def day_first_book(tmp_path):
    """A British team's sheet: day/month/year, and the setting left at its default (month first)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Company", "Contact", "Email", "Owner", "Last Contact"])
    for i, day in enumerate(["05/03/2026", "25/03/2026", "13/10/2026", "01/11/2026", "02/11/2026"]):
        sheet.append([f"Co {i}", f"Person {i}", f"p{i}@example.com", "Ann", day])
    path = tmp_path / "uk.xlsx"
    book.save(path)
    return path


def test_a_day_first_column_is_read_day_first_throughout_and_the_user_is_told(day_first_book):
    result = in_english("check", day_first_book)
    assert "column E Last Contact: dates like 05/03/2026 were read as day/month" in result.output
    assert "25/03/2026" in result.output
    in_english("followups", day_first_book, "--today", TODAY)
    due = column_values(day_first_book, "Customers", "Next due")
    # a cadence (two weeks or so, moved off weekends) after 5 March, 25 March, 13 October, 1 and 2 November:
    # never after 3 May, 11 January or 11 February
    contacted = [dt.datetime(2026, 3, 5), dt.datetime(2026, 3, 25), dt.datetime(2026, 10, 13),
                 dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 2)]
    assert all(dt.timedelta(days=14) <= d - c <= dt.timedelta(days=17) for d, c in zip(due, contacted)), due


def test_a_column_of_only_ambiguous_dates_follows_the_setting_and_says_so(day_first_book):
    book = openpyxl.load_workbook(day_first_book)
    book["Customers"]["E3"] = "12/03/2026"
    book["Customers"]["E4"] = "10/11/2026"
    book.save(day_first_book)
    result = in_english("check", day_first_book)
    assert "5 dates like 05/03/2026 could be day/month or month/day; read as month/day" in result.output


@pytest.mark.parametrize("text, day", [
    ("46000", dt.date(2025, 12, 9)),  # an Excel serial kept as text
    ("46000.5", dt.date(2025, 12, 9)),
    ("3/5/2026 14:30", dt.date(2026, 3, 5)),
    ("3/5/2026 2:30 PM", dt.date(2026, 3, 5)),
    ("2026年3月5日 14:30", dt.date(2026, 3, 5)),
    ("5-Mar-26", dt.date(2026, 3, 5)),
    ("Mar 5, 2026", dt.date(2026, 3, 5)),
    ("Mar 5, 2026 10:00", dt.date(2026, 3, 5)),
    ("2026-3-5 下午 2:30:00", dt.date(2026, 3, 5)),  # Excel's Chinese text of a date and time
    ("2026年3月5日14点30分", dt.date(2026, 3, 5)),
    ("2026-03-05T10:00:00+08:00", dt.date(2026, 3, 5)),
    ("3/5/26", dt.date(2026, 3, 5)),  # two-digit years as Excel reads them
    ("3/5/85", dt.date(1985, 3, 5)),
])
def test_more_date_spellings(text, day):
    assert parse_date(text) == (day, None)


@pytest.mark.parametrize("text, amount", [
    ("€1.200,50", 1200.5),  # European: dots group thousands, the comma is the decimal point (was read as 1.2005)
    ("-1.200,00 €", -1200.0),
    ("1.200.000", 1_200_000.0),
    ("1,200.50", 1200.5),
    ("1.200", 1.2),
    ("CN¥1,200", 1200.0),
    ("HK$1,200", 1200.0),
    ("￥1,200", 1200.0),
    ("1.5亿", 150_000_000.0),
])
def test_more_amount_spellings(text, amount):
    assert parse_amount(text) == (amount, None)


@pytest.mark.parametrize("text", ["-", "—", "N/A", "无", "  ", "不详", "?"])
def test_placeholders_for_nothing_are_empty_cells_not_problems(text):
    assert parse_text(text) == (None, None)  # a stage or an owner of '-' is none, not one named '-'
    assert parse_date(text) == (None, None)
    assert parse_amount(text) == (None, None)
    assert parse_phone(text) == (None, None)
    assert parse_email(text) == (None, None)


def test_a_yearless_birthday_follows_the_columns_order():
    assert parse_date("25/03", yearless=True)[0] == dt.date(2000, 3, 25)
    assert parse_date("05/03", day_first=True, yearless=True)[0] == dt.date(2000, 3, 5)
    assert slash_order(["05/03", "25/03"]) == (True, ["05/03"])
    assert slash_order(["05/03/2026", "03/25/2026"]) == (False, ["05/03/2026"])
    assert slash_order(["25/03/2026", "03/25/2026"])[0] is None  # both habits: the setting decides


@pytest.fixture
def ledger(tmp_path):
    """A ledger with a numbered first column whose total rows are labelled there (合计:, 总计), a hidden
    row, and its orders sheet first, with English headers and amounts in 万 and RMB."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "销售台账"
    sheet["A1"] = "2026年客户台账"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "制表日期:2026-11-20"
    sheet.append([])
    sheet.append(["序号", "客户名称", "联系人", "手机", "业务员", "最近联系日期", "累计成交金额", "状态"])
    sheet.append([1, "上海甲公司", "王一", "13800000001", "小李", "2026/11/1", "1,000", "正常"])
    sheet.append([2, "北京乙公司", "王二", "13800000002", "小李", "2026/10/1", "2,000", "正常"])
    sheet.append([3, "深圳丙公司", "王三", "13800000003", "小张", "2026/9/1", "3,000", "正常"])
    sheet.append(["合计:", None, None, None, None, "—", "=SUM(G5:G7)", None])
    sheet.append(["总计(元)", "", "", "", "", "", 6000, ""])
    sheet.row_dimensions[6].hidden = True
    orders = book.create_sheet("订单", 0)
    orders.append(["Client", "Date", "Total"])
    orders.append(["上海甲公司", "2026/10/1", "1.2万"])
    orders.append(["北京乙公司 ", "2026/9/1", 500])
    orders.append(["北京乙公司", "2026/9/2", "RMB 1,200"])
    orders.append(["合计", None, "=SUM(C2:C4)"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    return path


def test_total_rows_labelled_in_another_column_are_neither_customers_nor_problems(ledger):
    result = run("check", ledger)
    assert "表头在第 4 行,共 3 行" in result.output and "数据问题:0" in result.output, result.output
    assert "工作表“订单”:" in result.output and "金额 ← C Total" in result.output
    result = run("refresh", ledger, "--today", TODAY)
    assert result.exit_code == 0, result.output
    spent = dict(zip(column_values(ledger, "销售台账", "客户名称", 4), column_values(ledger, "销售台账", "消费金额", 4)))
    assert spent["上海甲公司"] == 12000 and spent["北京乙公司"] == 1700
    assert not any(str(name).startswith(("合计", "总计")) for name in spent if spent[name] is not None)
    assert openpyxl.load_workbook(ledger)["销售台账"].row_dimensions[6].hidden


def members_book(tmp_path, headers, rows, orders=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "会员"
    for row in (headers, *rows):
        sheet.append(row)
    if orders:
        spent = book.create_sheet("消费记录")
        for row in orders:
            spent.append(row)
    path = tmp_path / "会员.xlsx"
    book.save(path)
    return path


def test_a_shop_of_individual_customers_uses_the_name_column_and_says_so(tmp_path):
    path = members_book(tmp_path, ["姓名", "手机", "生日", "最近到店"],
                        [["张三", "13800000001", "3月5日", "2026/11/1"], ["李四", "13800000002", "1990-05-06", ""]],
                        [["客户", "日期", "金额"], ["张三", "2026/10/1", 500], ["李四", "2026/9/1", "300元"]])
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert "客户名称 ← A 姓名" in result.output and "个人客户" in result.output
    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    spent = dict(zip(column_values(path, "会员", "姓名"), column_values(path, "会员", "消费金额")))
    assert spent == {"张三": 500, "李四": 300}


def test_the_first_refresh_never_overwrites_a_team_column_named_like_xlcrms_and_writes_its_own_beside(tmp_path):
    path = members_book(tmp_path, ["姓名", "手机", "购买次数", "消费金额"],
                        [["张三", "13800000001", 3, "1200"], ["李四", "13800000002", 1, "800"]],
                        [["客户", "日期", "金额"], ["张三", "2026/10/1", 500], ["李四", "2026/9/1", 300]])
    before, widths = cells(path, "会员"), []
    for attempt in range(2):  # the second run finds xlcrm's columns through its state sheet and adds none
        result = run("refresh", path, "--today", TODAY)
        assert result.exit_code == 0, result.output
        assert ("已有您自己的“购买次数”列:保持不变,xlcrm 的同名列写为“购买次数 (xlcrm)”" in result.output) == (attempt == 0)
        after = cells(path, "会员")
        assert {ref: after.get(ref) for ref in before} == before  # the team's cells, headers included, untouched
        header = sheet_rows(path, "会员")[0]
        assert header.count("购买次数") == 1 and header.count("消费金额") == 1 and len(set(header)) == len(header)
        assert header.count("购买次数 (xlcrm)") == 1 and header.count("消费金额 (xlcrm)") == 1
        assert column_values(path, "会员", "购买次数") == [3, 1] and column_values(path, "会员", "消费金额") == ["1200", "800"]
        assert column_values(path, "会员", "购买次数 (xlcrm)") == [1, 1]
        assert column_values(path, "会员", "消费金额 (xlcrm)") == [500, 300]
        widths.append(len(header))
    assert widths[0] == widths[1]


def test_errors_about_a_chinese_workbook_are_in_chinese_whatever_the_os_says(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")  # Windows sets no LANG at all; the sheet's language must decide
    monkeypatch.delenv("XLCRM_LANG", raising=False)
    path = members_book(tmp_path, ["联系人", "电话", "负责人"], [["王伟", "13800000001", "张磊"]])
    result = run("check", path)
    assert result.exit_code == 1
    assert "工作表“会员”:找不到客户名称列" in result.output, result.output
    result = run("--lang", "en", "check", path)
    assert "Sheet '会员': no column found for Customer" in result.output
    result = run("check", tmp_path / "missing.xlsx")
    assert "Workbook not found" in result.output


def test_customers_without_any_date_are_listed_at_a_real_cell(tmp_path):
    path = members_book(tmp_path, ["姓名", "手机", "生日"], [["张三", "13800000001", "3月5日"]])
    result = run("followups", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "会员!E2 (E 下次跟进日)" in result.output  # xlcrm's own next-due column, not '下次跟进日2'
    assert sheet_rows(path, "会员")[0][4] == "下次跟进日"


def test_a_shops_last_visit_is_its_last_contact():
    from xlcrm.core.fields import CUSTOMERS, fields_of
    from xlcrm.core.table import match_field, synonym_index
    synonyms = synonym_index(fields_of(CUSTOMERS))
    assert {h: match_field(h, synonyms) for h in ("最近到店", "Last visit date", "Visit date")} == {
        "最近到店": "last_contact", "Last visit date": "last_contact", "Visit date": "appointment"}


def test_a_header_on_two_rows_with_merged_group_titles_is_read_whole(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["2026 客户跟进表"])
    sheet.append(["客户名称", "负责人", "联系方式", None, "跟进情况", None, "备注"])
    sheet.append([None, None, "电话", "邮箱", "最近联系日期", "下次跟进日期", None])
    for merged in ("A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:G3"):
        sheet.merge_cells(merged)
    sheet.append(["甲公司", "小王", "13800000001", "a@example.com", "2026/11/1", "2026/11/20", "老客户"])
    sheet.append(["乙公司", "小李", "13800000002", "b@example.com", "2026/10/1", None, None])
    path = tmp_path / "两行表头.xlsx"
    book.save(path)
    before = cells(path, "客户")
    for _ in range(2):  # the second run finds the same table beside xlcrm's own columns
        result = run("followups", path, "--today", TODAY)
        assert result.exit_code == 0 and "数据问题:0" in result.output, result.output
    result = run("check", path)
    for line in ("表头在第 3 行,共 2 行", "客户名称 ← A 客户名称", "邮箱 ← D 邮箱", "下次跟进 ← F 下次跟进日期", "备注 ← G 备注"):
        assert line in result.output
    rows = sheet_rows(path, "客户")
    assert rows[2][7:9] == ["跟进状态", "下次跟进日"] and rows[3][8] == dt.datetime(2026, 11, 20)
    after = cells(path, "客户")
    assert {ref: after.get(ref) for ref in before} == before
    assert len(openpyxl.load_workbook(path)["客户"].merged_cells.ranges) == 5


def same_header_sheets(path, names) -> None:
    """One sheet per name, each with the same header and one customer named after its sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in names:
        sheet = book.create_sheet(name)
        sheet.append(["客户名称", "联系人", "电话", "最近联系日期"])
        sheet.append([f"{name}的客户", "某人", "13800000000", "2026/11/1"])
    book.save(path)


def test_one_sheet_per_owner_is_not_silently_half_read(tmp_path):
    path = tmp_path / "分人.xlsx"
    same_header_sheets(path, ("张三", "李四"))
    for _ in range(2):  # every run, not just the first: every owner's rows read
        result = run("check", path)
        assert "共 2 行" in result.output and "'张三', '李四' 各为一位负责人的客户" in result.output, result.output
    result = run("followups", path, "--today", TODAY)
    assert result.exit_code == 0 and "张三: 逾期 1" in result.output and "李四: 逾期 1" in result.output, result.output
    for owner in ("张三", "李四"):  # and written, each on its own sheet
        header, row = sheet_rows(path, owner)[:2]
        assert row[:4] == [f"{owner}的客户", "某人", "13800000000", "2026/11/1"] and row[header.index("下次跟进日")]


def test_one_sheet_per_year_is_still_named_not_merged(tmp_path):
    path = tmp_path / "分年.xlsx"
    same_header_sheets(path, ("2025", "2026"))
    result = run("check", path)
    assert "工作表 '2026' 看起来也是客户表" in result.output and "“2025”" in result.output, result.output


@pytest.mark.parametrize("text", ["张三 <zs@hw.cn>", "mailto:zs@hw.cn", "(zs@hw.cn)", "zs@hw.cn（工作）",
                                  '"Zhang, San" <zs@hw.cn>'])
def test_an_address_is_found_in_what_surrounds_it(text):
    assert parse_email(text) == ("zs@hw.cn", None)


def test_of_two_addresses_in_a_cell_the_first_is_mailed_and_the_other_named():
    address, note = parse_email("zs＠hw.cn；ls@hw.cn")
    assert address == "zs@hw.cn" and "ls@hw.cn" in note.text("en")


@pytest.mark.parametrize("text", ["zs@hw,cn", "no address", "a@b@c.cn"])
def test_a_cell_without_a_valid_address_is_still_a_problem(text):
    assert parse_email(text)[0] is None and parse_email(text)[1] is not None


def test_a_sheet_of_one_row_per_order_is_its_own_orders_sheet(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "成交记录"
    sheet.append(["客户名称", "联系人", "电话", "负责人", "下单日期", "金额"])
    for name, day, amount in (("甲公司", "2026/3/1", 1000), ("乙公司", "2026/4/1", 2000), ("甲公司", "2026/9/1", 1500),
                              ("丙公司", "2026/10/1", 800), ("甲公司", "2026/11/1", 700)):
        sheet.append([name, "王", "13800000000", "小李", day, amount])
    path = tmp_path / "成交.xlsx"
    book.save(path)
    result = run("check", path)
    assert "每行一笔订单" in result.output and "数据问题:0" in result.output  # repeats are not duplicates here
    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "已为 3 个有购买记录的客户评分" in result.output
    rows = sheet_rows(path, "成交记录")
    header = rows[0]
    spent = {(r[0], r[header.index("购买次数")], r[header.index("消费金额")]) for r in rows[1:]}
    assert spent == {("甲公司", 3, 3200), ("乙公司", 1, 2000), ("丙公司", 1, 800)}
    # the settings now name the sheet as both; a sheet added later does not take over unasked
    book = openpyxl.load_workbook(path)
    book.create_sheet("订单明细").append(["客户", "下单日期", "金额"])
    book.save(path)
    result = run("check", path)
    assert "订单表:工作表“成交记录”" in result.output and "不存在" not in result.output, result.output


def test_a_summary_sheet_with_a_repeated_customer_is_not_taken_for_orders(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Client", "Owner", "Last Order Date", "Orders", "Total Sales"])
    sheet.append(["Foo Ltd", "Ann", "2026-10-01", 5, "$5,000"])
    sheet.append(["Bar Inc", "Ben", "2026-05-01", 1, "$300"])
    sheet.append(["Foo Ltd", "Ann", "2026-10-01", 5, "$5,000"])
    path = tmp_path / "summary.xlsx"
    book.save(path)
    result = in_english("check", path)
    assert "Orders: no orders sheet found" in result.output and "one row per order" not in result.output
    assert "same customer as row 2" in result.output


def test_a_code_column_before_the_name_column_is_not_the_customer(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Accounts"
    sheet.append(["Customer ID", "Customer Type", "Account Number", "Customer Name", "Contact Person", "Email"])
    sheet.append(["C-001", "Retail", "ACC-9", "Foo Ltd", "Ann Lee", "ann@foo.com"])
    sheet.append(["C-002", "Retail", "ACC-7", "Bar Inc", "Ben Ng", "ben@bar.com"])
    path = tmp_path / "accounts.xlsx"
    book.save(path)
    result = in_english("check", path)
    assert "Customer ← D Customer Name" in result.output and "Contact ← E Contact Person" in result.output
    assert "A Customer ID" in result.output.split("not used by xlcrm")[1]


def test_an_order_spelled_otherwise_names_the_customer_it_likely_means(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "联系人", "电话"])
    for name in ("华为技术有限公司", "Acme Corp.", "腾讯", "腾讯音乐"):
        sheet.append([name, "王", "13800000000"])
    orders = book.create_sheet("订单")
    orders.append(["客户", "下单日期", "金额"])
    for name in ("华为技术", "ACME corp", "腾讯 ", "腾", "完全不同"):
        orders.append([name, "2026/10/1", 100])
    path = tmp_path / "拼写.xlsx"
    book.save(path)
    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    problems = {row[3]: row[4] for row in sheet_rows(path, "数据问题")[1:]}
    assert "是否为“华为技术有限公司”" in problems["华为技术"] and "是否为“Acme Corp.”" in problems["ACME corp"]
    assert "是否为" not in problems["腾"] and "是否为" not in problems["完全不同"]  # 腾讯 or 腾讯音乐: no guess
    assert "腾讯 " not in problems  # spaces never mattered


def test_headers_with_a_unit_in_brackets_map_and_their_unit_scales_the_amounts(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "联系人", "电话"])
    for name in ("甲", "乙"):
        sheet.append([name, "王", "13800000000"])
    orders = book.create_sheet("订单")
    orders.append(["客户(全称)", "日期(年/月/日)", "金额(万元)"])
    orders.append(["甲", "2026/10/1", 1.2])
    orders.append(["乙", "2026/9/1", "0.5"])
    path = tmp_path / "万元.xlsx"
    book.save(path)
    result = run("check", path)
    assert "金额 ← C 金额(万元)" in result.output and "(×10,000)" in result.output, result.output
    run("refresh", path, "--today", TODAY)
    assert column_values(path, "客户", "消费金额") == [12000, 5000]


def test_a_cell_that_says_its_own_unit_is_not_scaled_by_the_headers(tmp_path):
    """Under 累计成交金额(万元), 3 and 2.5 are ten-thousands; 1.2万, 8000元 and ¥5,000 say what they are."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "最近下单日期", "订单数", "累计成交金额(万元)"])
    cells = {3: 30000, "1.2万": 12000, "8000元": 8000, "¥5,000": 5000, "2.5": 25000}
    for n, cell in enumerate(cells):
        sheet.append([f"客户{n}", dt.date(2026, 10, 1), 2, cell])
    path = tmp_path / "万元.xlsx"
    book.save(path)
    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0 and "累计消费金额 80,000.00" in result.output, result.output
    assert column_values(path, "客户", "消费金额") == list(cells.values())


@pytest.mark.parametrize("header, field", [("金额(元)", "order_amount"), ("金额（元）", "order_amount"),
                                           ("Amount (USD)", "order_amount"), ("Customer ID (internal)", None)])
def test_an_orders_header_with_a_unit_names_its_field(header, field):
    from xlcrm.core.fields import ORDERS, fields_of
    from xlcrm.core.table import match_field, synonym_index
    assert match_field(header, synonym_index(fields_of(ORDERS))) == field


def test_a_macro_workbook_whose_other_date_column_proves_day_first(tmp_path):
    """An .xlsm (xlwings' own, with its VBA project): its 'Next Action Date' holds only 05/12/2026, but the
    same team typed 25/10/2026 in 'Last Contacted', so 05/12 is 5 December, not 12 May."""
    import xlwings  # its macro workbook stands in for a team's .xlsm

    source = openpyxl.load_workbook(f"{xlwings.__path__[0]}/quickstart.xlsm", keep_vba=True)
    for row in (["Company", "Sales Rep", "E-mail Address", "Last Contacted", "Next Action Date"],
                ["Foo Ltd", "Ann", "a@foo.com", "25/10/2026", "05/12/2026"],
                ["Bar Inc", "Ben", "b@bar.com", "01/11/2026", None]):
        source.active.append(row)
    path = tmp_path / "macro tracker.xlsm"
    source.save(path)
    result = in_english("check", path)
    assert "column E Next Action Date: dates like 05/12/2026 were read as day/month" in result.output
    result = in_english("followups", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert column_values(path, "Sheet1", "Next due")[0] == dt.datetime(2026, 12, 5)
    with zipfile.ZipFile(path) as package:
        assert "xl/vbaProject.bin" in package.namelist()


def test_a_header_row_repeated_further_down_is_not_a_customer(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    for row in (["Customer", "Contact", "Email"], ["Foo Ltd", "Ann", "ann@foo.com"], [None] * 3,
                ["Customer", "Contact", "Email"], ["Bar Inc", "Ben", "ben@bar.com"]):
        sheet.append(row)
    path = tmp_path / "sections.xlsx"
    book.save(path)
    result = in_english("check", path)
    assert "header in row 1, 2 rows" in result.output and "Data problems: 0" in result.output, result.output


def test_remind_previews_when_some_customers_have_no_owner_and_a_placeholder_address(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "联系人", "邮箱", "负责人", "最近联系日期"])
    sheet.append(["甲公司", "王一", "王一 <wang@example.com>", "张伟", "2026/10/1"])
    sheet.append(["乙公司", "李二", "li@example.com", None, "2026/10/2"])  # nobody owns it (yet)
    sheet.append(["丙公司", "赵三", "无", "张伟", "2026/10/3"])
    path = tmp_path / "无负责人.xlsx"
    book.save(path)
    result = run("remind", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "待发送 2" in result.output and "没有邮箱地址(1 封)" in result.output, result.output
    assert len(list((tmp_path / "无负责人.outbox").glob("*.eml"))) == 2


def test_a_legend_beside_the_table_is_neither_customers_nor_overwritten(tmp_path):
    """A colour legend two columns right of the table, longer than the table: its lines are not
    'rows without a customer', and the columns xlcrm adds go after it, never over it."""
    path = tmp_path / "legend.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "联系人", "最近联系日期", None, "说明"])
    sheet.append(["甲公司", "张三", dt.datetime(2026, 11, 1), None, "红色:逾期"])
    sheet.append(["乙公司", "李四", dt.datetime(2026, 11, 20), None, "黄色:本周到期"])
    for line in ("A 类每 7 天联系", "B 类每 14 天联系", "新线索 7 天内回复"):
        sheet.append([None, None, None, None, line])
    book.save(path)
    before = cells(path, "客户")
    result = in_english("followups", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "no customer" not in result.output
    after = cells(path, "客户")
    assert {k: v for k, v in after.items() if k in before} == before
    header = sheet_rows(path, "客户")[0]
    assert header.index("跟进状态") > header.index("说明")
    assert column_values(path, "客户", "跟进状态")[:2] != [None, None]
    assert column_values(path, "客户", "跟进状态")[2:] in ([], [None] * 3)
