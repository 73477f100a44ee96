"""A team renames sheets after xlcrm ran: the customer sheet (or one owner's sheet) keeps xlcrm's record of its
columns, so xlcrm's columns are never read as the team's; a renamed settings or mail templates sheet is found by
its layout and used under its new name, never replaced by a fresh one with the defaults."""

import openpyxl

from helpers.corpus import owner_sheets_book
from xlcrm.actions.check import check
from xlcrm.actions.refresh import refresh
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.book.file import FileBook
from xlcrm.core.sheets import CLASH_SUFFIX, COLUMNS, SHEETS
from conftest import TODAY

XLCRM_LABELS = {label for pair in COLUMNS.values() for label in pair}


def renamed(path, old, new):
    book = openpyxl.load_workbook(path)
    book[old].title = new
    book.save(path)


def headers(path, sheet, row):
    return [c.value for c in openpyxl.load_workbook(path)[sheet][row] if c.value is not None]


def setting(path, sheet, key):
    """The value of a settings row (key, label, value) as the sheet holds it; the cell's (row, column) too."""
    cells = openpyxl.load_workbook(path)[sheet]
    cell = next(c for row in cells.iter_rows() for c in row if c.value == key)
    return cells.cell(cell.row, cell.column + 2).value, (cell.row, cell.column + 2)


def set_cell(path, sheet, where, value):
    book = openpyxl.load_workbook(path)
    book[sheet].cell(*where).value = value
    book.save(path)


def team_mapped(session):
    table = session.customers.table
    return {table.header_of(c) for c in session.customers.mapping.columns.values()}


def test_a_renamed_customer_sheet_keeps_xlcrms_columns_as_xlcrms(zh_book):
    refresh(FileBook(zh_book), TODAY)
    before = headers(zh_book, "客户跟踪表", 2)
    renamed(zh_book, "客户跟踪表", "客户")
    result = refresh(FileBook(zh_book), TODAY)
    assert headers(zh_book, "客户", 2) == before  # written in place: no '… (xlcrm)' twins appended
    assert not [h for h in before if str(h).endswith(CLASH_SUFFIX.strip())]
    session = result.session
    assert set(session.customers.own) >= {"frequency", "class", "segment"}
    assert not team_mapped(session) & XLCRM_LABELS  # 购买次数 is not the team's order count, 客户等级 not a manual class
    assert "manual_class" not in session.customers.mapping.columns
    assert not setting(zh_book, "CRM设置", "order_count")[0] and not setting(zh_book, "CRM设置", "manual_class")[0]
    assert not [line for line in result.lines("zh") if "(xlcrm)" in line], result.lines("zh")
    record = openpyxl.load_workbook(zh_book)["_xlcrm"]
    assert "客户跟踪表" not in {c.value for c in record["A"]}  # the record moved with the sheet


def test_renamed_owner_sheets_each_keep_their_record(tmp_path):
    path = owner_sheets_book(tmp_path / "分人客户.xlsx")
    refresh(FileBook(path), TODAY)
    before = {sheet: headers(path, sheet, row) for sheet, row in (("张三", 1), ("李四", 1), ("王五", 2))}
    renamed(path, "张三", "张三丰")
    renamed(path, "李四", "李四光")
    result = refresh(FileBook(path), TODAY)
    after = {sheet: headers(path, new, row) for (sheet, row), new in zip((("张三", 1), ("李四", 1), ("王五", 2)),
                                                                        ("张三丰", "李四光", "王五"))}
    assert after == before
    assert [part.table.sheet for part in result.session.customers.parts] == ["张三丰", "李四光", "王五"]
    assert all(set(part.own) >= {"frequency", "class"} for part in result.session.customers.parts)
    assert not team_mapped(result.session) & XLCRM_LABELS


def test_a_mapping_in_the_settings_naming_one_of_xlcrms_columns_is_left_out_and_cleared(zh_book):
    refresh(FileBook(zh_book), TODAY)
    _, where = setting(zh_book, "CRM设置", "order_count")
    set_cell(zh_book, "CRM设置", where, "购买次数")
    result = refresh(FileBook(zh_book), TODAY)
    assert "order_count" not in result.session.customers.mapping.columns
    assert [line for line in result.lines("zh") if "购买次数" in line and "xlcrm" in line], result.lines("zh")
    assert not setting(zh_book, "CRM设置", "order_count")[0]
    assert headers(zh_book, "客户跟踪表", 2).count("购买次数") == 1


def test_a_renamed_settings_sheet_is_read_and_written_under_its_new_name(zh_book):
    check(FileBook(zh_book))
    _, where = setting(zh_book, "CRM设置", "language")
    set_cell(zh_book, "CRM设置", where, "en")
    renamed(zh_book, "CRM设置", "设置")
    result = refresh(FileBook(zh_book), TODAY)
    assert result.session.lang == "en"  # the team's setting, not the default (the headers' zh)
    names = openpyxl.load_workbook(zh_book).sheetnames
    assert "设置" in names and not set(SHEETS["settings"]) & set(names)
    assert setting(zh_book, "设置", "language")[0] == "en"
    said = [line for line in result.lines("en") if "'设置'" in line and "CRM Settings" in line]
    assert len(said) == 1, result.lines("en")
    check(FileBook(zh_book))  # a run that writes only the settings keeps the name too
    assert not set(SHEETS["settings"]) & set(openpyxl.load_workbook(zh_book).sheetnames)


def test_a_renamed_templates_sheet_is_used_not_replaced_by_the_defaults(zh_book):
    remind(FileBook(zh_book), RemindRequest(today=TODAY))
    book = openpyxl.load_workbook(zh_book)
    sheet = book["邮件模板"]
    body = [c.value for c in sheet[1]].index("正文") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, body).value:
            sheet.cell(row, body).value = "我们团队自己的措辞 " + sheet.cell(row, body).value
    sheet.title = "模板"
    book.save(zh_book)
    result = remind(FileBook(zh_book), RemindRequest(today=TODAY))
    assert result.counts()["send"]
    names = openpyxl.load_workbook(zh_book).sheetnames
    assert "模板" in names and not set(SHEETS["templates"]) & set(names)
    preview = openpyxl.load_workbook(zh_book)["邮件预览"]
    column = [c.value for c in preview[1]].index("正文")
    bodies = [row[column] for row in preview.iter_rows(min_row=2, values_only=True) if row[column]]
    assert bodies and all(b.startswith("我们团队自己的措辞") for b in bodies)
    assert [n for n in result.session.notes if "模板" in n.text("zh")]
