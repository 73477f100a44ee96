"""`check` on real files: the mapping and problems it writes, and what it never does to the team's sheet."""

import openpyxl
import pytest

from helpers.libreoffice import sheets_as_csv
from helpers.snapshot import differences, snapshot
from helpers.workbooks import edit, find_row, sheet_rows, values
from xlcrm.actions.check import check
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError


def settings_value(path, sheet, key):
    for row in sheet_rows(path, sheet):
        if row and row[0] == key:
            return row[2]
    raise AssertionError(f"{key} not in {sheet}")


def test_check_finds_the_table_below_the_title_and_writes_mapping_and_problems(zh_book):
    result = check(FileBook(zh_book))
    customers = result.session.customers
    assert customers.table.sheet == "客户跟踪表" and customers.table.header_row == 2
    assert result.session.orders.table.sheet == "订单记录"
    assert result.session.lang == "zh"
    assert settings_value(zh_book, "CRM设置", "customer") == "客户名称"
    assert settings_value(zh_book, "CRM设置", "phone") == "手机"
    assert settings_value(zh_book, "CRM设置", "order_date") == "下单日期"
    assert settings_value(zh_book, "CRM设置", "customer_sheet") == "客户跟踪表"
    problems = sheet_rows(zh_book, "数据问题")
    assert problems[0] == ["工作表", "行", "列", "内容", "问题", "发现于"]
    email_row = find_row(zh_book, "客户跟踪表", 2)
    assert ["客户跟踪表", email_row, "G 邮箱"] in [p[:3] for p in problems]
    assert any(p[2] == "M 下次跟进" and p[3] == "下周三" and p[4].startswith("相对日期") for p in problems)
    assert any("同一客户" in str(p[4]) for p in problems)


def test_an_english_sheet_gets_english_settings_and_messages(en_book):
    result = check(FileBook(en_book))
    assert result.session.lang == "en"
    assert settings_value(en_book, "CRM Settings", "customer") == "Customer"
    assert sheet_rows(en_book, "Data problems")[0] == ["Sheet", "Row", "Column", "Value", "Problem", "Found by"]
    text = "\n".join(result.lines("en"))
    assert "header in row 2" in text and "Data problems: " in text


def test_the_next_run_uses_the_users_edits_to_the_settings(zh_book):
    check(FileBook(zh_book))
    row = find_row(zh_book, "CRM设置", "phone")
    edit(zh_book, "CRM设置", {f"C{row}": "-"})
    language = find_row(zh_book, "CRM设置", "language")
    edit(zh_book, "CRM设置", {f"C{language}": "en"})
    result = check(FileBook(zh_book))
    assert "phone" not in result.session.customers.mapping.columns
    assert result.session.lang == "en"
    names = openpyxl.load_workbook(zh_book).sheetnames
    assert "CRM Settings" in names and "CRM设置" not in names  # renamed, not duplicated
    assert "Data problems" in names and "数据问题" not in names
    assert settings_value(zh_book, "CRM Settings", "phone") == "-"


def test_running_check_twice_changes_nothing_more(zh_book):
    check(FileBook(zh_book))
    first = values(zh_book)
    check(FileBook(zh_book))
    assert values(zh_book) == first


def test_the_teams_sheets_keep_every_value(zh_book):
    before = values(zh_book)
    check(FileBook(zh_book))
    after = values(zh_book)
    for sheet in before:
        assert after[sheet] == before[sheet], sheet


def test_a_save_keeps_one_backup_and_leaves_no_temporary_files(zh_book):
    original = zh_book.read_bytes()
    check(FileBook(zh_book))
    backup = zh_book.with_name(f"{zh_book.stem}.backup.xlsx")
    assert backup.read_bytes() == original
    check(FileBook(zh_book))
    assert sorted(p.name for p in zh_book.parent.iterdir()) == sorted([zh_book.name, backup.name])


@pytest.mark.parametrize("lock", ["~$客户跟踪表.xlsx", ".~lock.客户跟踪表.xlsx#"])
def test_a_workbook_open_in_excel_or_libreoffice_is_not_written(zh_book, lock):
    (zh_book.parent / lock).write_text("locked")
    original = zh_book.read_bytes()
    with pytest.raises(XlcrmError) as error:
        check(FileBook(zh_book))
    assert "正在" in error.value.text("zh") and "关闭" in error.value.text("zh")
    assert "open in" in error.value.text("en")
    assert zh_book.read_bytes() == original
    assert not zh_book.with_name(f"{zh_book.stem}.backup.xlsx").exists()


def test_a_missing_customer_column_is_a_clear_error_and_only_the_settings_are_written(tmp_path):
    """Issue 12 item 5: the refusal writes the settings sheet to fill in, and nothing of the team's changes."""
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["联系人", "电话", "负责人"])
    book.active.append(["王伟", 138, "张磊"])
    book.save(path)
    original = snapshot(path)
    with pytest.raises(XlcrmError) as error:
        check(FileBook(path))
    assert "客户" in error.value.text("zh") and "Sheet" in error.value.text("en")
    assert openpyxl.load_workbook(path).sheetnames == ["Sheet", "CRM设置"]
    assert not differences(original, snapshot(path, ignore_sheets={"CRM设置"}))


@pytest.mark.slow
def test_customer_values_that_look_like_formulas_are_written_as_text(zh_book, tmp_path):
    row = find_row(zh_book, "客户跟踪表", 2)
    injected = '=HYPERLINK("http://evil.example","click")'
    edit(zh_book, "客户跟踪表", {f"G{row}": injected, f"M{row}": "+1+1", f"L{row}": "@SUM(1)"}, as_text=True)
    check(FileBook(zh_book))
    sheet = openpyxl.load_workbook(zh_book)["数据问题"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+@"]
    assert {c.value for c in cells} >= {injected, "+1+1", "@SUM(1)"}
    assert all(c.data_type == "s" for c in cells)
    shown = sheets_as_csv(zh_book, tmp_path / "csv")["数据问题"]
    assert injected in [r[3] for r in shown] and "+1+1" in [r[3] for r in shown]
