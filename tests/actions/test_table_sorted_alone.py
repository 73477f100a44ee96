"""Sorting an Excel Table moves the team's cells, not xlcrm's columns beside it: the next refresh puts every
customer's own class back on its row, and a class the user chose stays with its customer."""

import datetime as dt

import openpyxl
from openpyxl.worksheet.table import Table, TableStyleInfo

from conftest import TODAY
from helpers.workbooks import edit, sheet_rows
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook

CUSTOMERS = ["Globex", "Hooli", "Initech", "Umbrella", "Wayne", "Acme", "Stark"]
TEAM_COLUMNS = 2  # Customer, Owner: the Table's columns


def tracker(path):
    """Customers as an Excel Table (A1:B8), orders on their own sheet: classes A, B, C and D among them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Customer", "Owner"])
    for number, name in enumerate(CUSTOMERS):
        sheet.append([name, ["Alice", "Bob"][number % 2]])
    table = Table(displayName="Customers", ref=f"A1:B{len(CUSTOMERS) + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    orders = book.create_sheet("Orders")
    orders.append(["Customer", "Order date", "Amount"])
    for month in (2, 4, 6, 8, 10):  # large and steady: A
        orders.append(["Globex", dt.datetime(2026, month, 1), 20000])
    orders.append(["Hooli", dt.datetime(2026, 9, 1), 60000])  # large, once: B
    orders.append(["Initech", dt.datetime(2026, 5, 1), 9000])  # some influence: C
    orders.append(["Umbrella", dt.datetime(2026, 7, 1), 400])  # small: D
    orders.append(["Wayne", dt.datetime(2026, 3, 1), 300])
    orders.append(["Acme", dt.datetime(2026, 10, 1), 8000])
    orders.append(["Stark", dt.datetime(2026, 1, 5), 200])
    book.save(path)
    return path


def classes(path) -> dict[str, str]:
    """Each customer's class, as the user reads it on the row of the customer's name."""
    rows = sheet_rows(path, "Customers")
    column = rows[0].index("Class")
    return {row[0]: row[column] for row in rows[1:] if row[0]}


def class_cell(path, customer) -> str:
    rows = sheet_rows(path, "Customers")
    row = next(n for n, r in enumerate(rows, start=1) if r[0] == customer)
    return f"{openpyxl.utils.get_column_letter(rows[0].index('Class') + 1)}{row}"


def sort_cells(path, order, last_column) -> None:
    """Sort the customers (rows 2..) into `order` by rewriting columns A up to last_column: the Table's only
    (what sorting the Table does in Excel) or every column (sorting whole rows)."""
    book = openpyxl.load_workbook(path)
    sheet = book["Customers"]
    rows = {sheet.cell(r, 1).value: [sheet.cell(r, c).value for c in range(1, last_column + 1)]
            for r in range(2, len(CUSTOMERS) + 2)}
    for offset, name in enumerate(order):
        for column, value in enumerate(rows[name], start=1):
            sheet.cell(2 + offset, column, value)
    book.save(path)


def test_sorting_the_table_alone_keeps_each_customers_class(tmp_path):
    path = tracker(tmp_path / "tracker.xlsx")
    refresh(FileBook(path), TODAY)
    computed = classes(path)
    assert set(computed.values()) == {"A", "B", "C", "D"}
    sort_cells(path, sorted(CUSTOMERS, reverse=True), TEAM_COLUMNS)
    assert classes(path) != computed  # the class cells stayed on their rows: on other customers now
    result = refresh(FileBook(path), TODAY)
    assert classes(path) == computed and result.manual == 0
    for lang, words in (("en", "xlcrm's columns beside the table stayed"), ("zh", "表格旁 xlcrm 的列没有随之移动")):
        assert any(words in line and "Customers" in line for line in result.lines(lang))
    again = refresh(FileBook(path), TODAY)  # realigned once: the next run is an ordinary one
    assert classes(path) == computed and again.manual == 0
    assert not any("stayed where they were" in line for line in again.lines("en"))


def test_a_class_chosen_before_the_table_was_sorted_stays_with_its_customer(tmp_path):
    path = tracker(tmp_path / "tracker.xlsx")
    refresh(FileBook(path), TODAY)
    computed = classes(path)
    assert computed["Umbrella"] != "A"
    edit(path, "Customers", {class_cell(path, "Umbrella"): "A"})
    assert refresh(FileBook(path), TODAY).manual == 1
    sort_cells(path, sorted(CUSTOMERS, reverse=True), TEAM_COLUMNS)
    result = refresh(FileBook(path), TODAY)
    assert classes(path) == computed | {"Umbrella": "A"} and result.manual == 1
    assert any("1 class you had chosen went back" in line for line in result.lines("en"))
    assert any("您指定的 1 个等级已随客户移回" in line for line in result.lines("zh"))
    later = refresh(FileBook(path), TODAY + dt.timedelta(days=3))
    assert classes(path)["Umbrella"] == "A" and later.manual == 1


def test_a_class_typed_after_the_table_was_sorted_is_the_users(tmp_path):
    path = tracker(tmp_path / "tracker.xlsx")
    refresh(FileBook(path), TODAY)
    computed = classes(path)
    sort_cells(path, sorted(CUSTOMERS), TEAM_COLUMNS)
    shown = classes(path)  # what the user sees on Hooli's row now: another customer's class
    typed = next(c for c in "ABCD" if c not in (shown["Hooli"], computed["Hooli"]))
    edit(path, "Customers", {class_cell(path, "Hooli"): typed})
    result = refresh(FileBook(path), TODAY)
    assert classes(path) == computed | {"Hooli": typed} and result.manual == 1


def test_sorting_whole_rows_moves_the_classes_with_their_customers(tmp_path):
    path = tracker(tmp_path / "tracker.xlsx")
    refresh(FileBook(path), TODAY)
    edit(path, "Customers", {class_cell(path, "Stark"): "B"})
    refresh(FileBook(path), TODAY)
    chosen = classes(path)
    sort_cells(path, sorted(CUSTOMERS, reverse=True), len(sheet_rows(path, "Customers")[0]))
    assert classes(path) == chosen
    result = refresh(FileBook(path), TODAY)
    assert classes(path) == chosen and result.manual == 1
    assert not any("stayed where they were" in line for line in result.lines("en"))


def test_a_class_typed_on_a_customer_listed_twice_is_no_sort(tmp_path):
    path = tracker(tmp_path / "tracker.xlsx")
    book = openpyxl.load_workbook(path)
    book["Customers"].append(["Globex", "Bob"])  # listed twice, below the Table
    book.save(path)
    refresh(FileBook(path), TODAY)
    rows = sheet_rows(path, "Customers")
    second = f"{openpyxl.utils.get_column_letter(rows[0].index('Class') + 1)}{len(rows)}"
    edit(path, "Customers", {second: "D"})
    for day in (TODAY, TODAY + dt.timedelta(days=1)):
        result = refresh(FileBook(path), day)
        rows = sheet_rows(path, "Customers")
        assert [r[rows[0].index("Class")] for r in rows if r[0] == "Globex"] == ["A", "D"]
        assert not any("stayed where they were" in line for line in result.lines("en"))
