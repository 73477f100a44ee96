"""The sample workbook is what real tracking sheets look like, and the same for the same seed."""

import datetime as dt

import openpyxl

from conftest import TODAY, make_book
from helpers.workbooks import values
from xlcrm.core.parse import parse_amount


def test_the_same_seed_and_day_give_the_same_workbook_and_another_seed_another(tmp_path):
    one = values(make_book(tmp_path / "a", seed=3))
    two = values(make_book(tmp_path / "b", seed=3))
    other = values(make_book(tmp_path / "c", seed=4))
    assert one == two
    assert one["客户跟踪表"] != other["客户跟踪表"]


def test_the_sample_looks_like_a_teams_own_sheet(zh_book):
    book = openpyxl.load_workbook(zh_book)
    assert book.sheetnames == ["客户跟踪表", "订单记录", "产品价目表"]
    sheet = book["客户跟踪表"]
    assert sheet["A1"].value.startswith("2026年客户跟踪表")
    assert any(str(r).startswith("A1:") for r in sheet.merged_cells.ranges)
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[2][1] is not None and [] in [[v for v in r if v is not None] for r in rows]  # a blank row
    names = [str(r[1]).replace(" ", "") for r in rows if r[1]]
    assert len(names) != len(set(names))  # a customer entered twice
    emails = [r[6] for r in rows if r[6]]
    assert any("@@" in e for e in emails)
    dates = [r[11] for r in rows if r[11]]
    assert any(isinstance(d, dt.datetime) for d in dates) and any(isinstance(d, str) and "年" in d for d in dates)
    assert any(isinstance(d, str) and "/" in d for d in dates)
    amounts = [r[18] for r in rows if r[18]]
    assert any(isinstance(a, str) and a.startswith("¥") for a in amounts)
    assert any(isinstance(a, str) and a.endswith("元") for a in amounts)
    orders = list(book["订单记录"].iter_rows(min_row=2, values_only=True))
    assert any(parse_amount(a)[0] < 0 for *_, a in orders)  # a refund
    assert set(r[2].strip() for r in orders) - set(n.strip() for n in names)  # an order for an unknown customer


def test_the_english_sample_has_english_headers_and_dates(en_book):
    book = openpyxl.load_workbook(en_book)
    assert book.sheetnames == ["Customers", "Orders", "Price list"]
    header = [c.value for c in book["Customers"][2]]
    assert header[:3] == ["No.", "Customer", "Contact"]
    assert book["Customers"]["A1"].value == f"Customer tracking {TODAY.year} (Sales team 1)"
