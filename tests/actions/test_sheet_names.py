"""The sheets the settings name are found by the name as the team typed it: full-width letters and spaces in a
sheet's name are the name, not a typo to fold away."""

import datetime as dt

import openpyxl

from xlcrm.actions.check import check
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook
from xlcrm.core.sheets import find_sheet

TODAY = dt.date(2026, 3, 10)
HEADER = ["Customer", "Owner", "Last order date", "Order count", "Total amount"]


def book_with(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in [HEADER, *rows]:
            sheet.append(row)
    book.save(path)
    return path


def test_a_full_width_sheet_name_is_found_on_every_run_without_a_note(tmp_path):
    path = book_with(tmp_path / "team.xlsx", {"Ｃｕｓｔｏｍｅｒｓ": [["Acme", "Sam", "2026-03-01", 2, 100]]})
    check(FileBook(path))
    result = refresh(FileBook(path), TODAY)
    assert result.session.customers.table.sheet == "Ｃｕｓｔｏｍｅｒｓ"
    assert not [line for line in result.lines("en") if "not in the workbook" in line], result.lines("en")


def test_of_two_sheets_whose_names_fold_alike_the_one_the_settings_name_is_read(tmp_path):
    path = book_with(tmp_path / "team.xlsx", {"Customers": [["Old Ltd", "Sam", "2025-01-01", 1, 10]],
                                               "Ｃｕｓｔｏｍｅｒｓ": [["Acme", "Sam", "2026-03-01", 2, 100]]})
    check(FileBook(path))
    book = openpyxl.load_workbook(path)
    settings = book[find_sheet(book.sheetnames, "settings")]
    cell = next(c for row in settings.iter_rows() for c in row if c.value == "customer_sheet")
    settings.cell(cell.row, cell.column + 2).value = "Ｃｕｓｔｏｍｅｒｓ"
    book.save(path)
    result = refresh(FileBook(path), TODAY)
    assert result.session.customers.table.sheet == "Ｃｕｓｔｏｍｅｒｓ"
    assert result.session.customers.records["customer"].tolist() == ["Acme"]
