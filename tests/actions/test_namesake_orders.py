"""Two customers of one name, told apart by their phones, each with orders: the orders sheet names them alike, so
xlcrm cannot tell whose an order is. It counts each for the first of them (as before) and lists every such order
as a data problem naming both customers' rows, instead of crediting it in silence."""

from __future__ import annotations

import datetime as dt

import openpyxl

from helpers.cli import run
from helpers.workbooks import sheet_rows


def test_orders_of_a_name_two_customers_share_are_each_named(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Company", "Phone", "Email", "Owner", "Last contact"])
    sheet.append(["Tailspin Toys", "206 555 0122", "tom@tailspin.example", "Bob", dt.date(2026, 11, 1)])
    sheet.append(["Tailspin Toys", "206 555 0123", "tina@tailspin.example", "Bob", dt.date(2026, 11, 1)])
    sheet.append(["Litware", "206 555 0124", "lee@litware.example", "Bob", dt.date(2026, 11, 1)])
    orders = book.create_sheet("Orders")
    orders.append(["Order #", "Customer", "Order date", "Amount"])
    orders.append(["SO-5", "Tailspin Toys", dt.date(2026, 8, 8), 300])
    orders.append(["SO-6", "tailspin toys ", dt.date(2026, 9, 9), 400])
    orders.append(["SO-7", "Litware", dt.date(2026, 9, 9), 100])
    path = tmp_path / "namesakes.xlsx"
    book.save(path)

    result = run("refresh", path, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    problems = [row for row in sheet_rows(path, "Data problems")[1:] if row[0] == "Orders"]
    assert [row[1] for row in problems] == [2, 3], problems
    assert all("2 customers of sheet 'Customers' have this name (rows 2, 3)" in row[4] for row in problems), problems


def test_excels_subtotal_rows_in_the_orders_sheet_are_no_unknown_customers(tmp_path):
    """Data > Subtotal, grouped by customer: 'Contoso Ltd Total' rows (no date) are sums, not orders of a customer
    to rename: no advice to spell them as 'Contoso Ltd', which would count each sum as one more order."""
    book = openpyxl.Workbook()
    book.active.title = "Customers"
    for row in (["Customer", "Email"], ["Contoso Ltd", "d@c.example"], ["Litware", "l@l.example"]):
        book.active.append(row)
    orders = book.create_sheet("Orders")
    for row in (["Customer", "Order date", "Amount"], ["Contoso Ltd", dt.date(2026, 9, 1), 100],
                ["Contoso Ltd", dt.date(2026, 10, 1), 200], ["Contoso Ltd Total", None, 300],
                ["Litware", dt.date(2026, 10, 5), 50], ["Litware Total", None, 50], ["Grand Total", None, 350],
                ["Fabrikam", dt.date(2026, 10, 6), 70]):
        orders.append(row)
    path = tmp_path / "subtotals.xlsx"
    book.save(path)
    result = run("refresh", path, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    problems = [(row[1], row[3]) for row in sheet_rows(path, "Data problems")[1:] if row[0] == "Orders"]
    assert problems == [(8, "Fabrikam")], problems
