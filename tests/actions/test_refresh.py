"""`refresh` on real workbooks: the columns it adds, what it reports, and what the user can change."""

import datetime as dt
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from conftest import TODAY
from helpers.libreoffice import convert, sheets_as_csv
from helpers.reportbook import same_customer
from helpers.workbooks import edit, find_row, sheet_rows, values
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from xlcrm.core.sheets import COLUMNS

ZH = [zh for _, zh in COLUMNS.values()][:11]
EN = [en for en, _ in COLUMNS.values()][:11]


def table(path, sheet, header_row=2) -> pd.DataFrame:
    """A sheet's table as a user reads it: header row, then the rows below (values, as calamine reads them)."""
    rows = values(path)[sheet]
    header = [str(h) for h in rows[header_row - 1]]
    frame = pd.DataFrame(rows[header_row:], columns=header, index=range(header_row + 1, len(rows) + 1))
    return frame.replace("", None)


def test_refresh_adds_the_value_columns_with_their_exact_labels(zh_book):
    result = refresh(FileBook(zh_book), TODAY)
    header = sheet_rows(zh_book, "客户跟踪表")[1]
    assert header[-11:] == ZH
    frame = table(zh_book, "客户跟踪表")
    customers = frame[frame["客户名称"].notna()]
    assert set(customers["客户等级"]) <= {"A", "B", "C", "D"} and customers["客户等级"].notna().all()
    scored = customers[customers["购买次数"] > 0]
    assert scored["RFM"].str.fullmatch(r"[1-5]{3}").all()
    assert (scored["RFM"] == scored["R分"].astype(int).astype(str) + scored["F分"].astype(int).astype(str)
            + scored["M分"].astype(int).astype(str)).all()
    prospects = customers[customers["购买次数"] == 0]
    assert len(prospects) and (prospects["客户分群"] == "潜在客户").all() and prospects["RFM"].isna().all()
    once = customers[~customers["客户名称"].map(same_customer).duplicated()]  # a customer listed twice counts once
    assert result.scored == int((once["购买次数"] > 0).sum()) and result.prospects == int((once["购买次数"] == 0).sum())
    text = "\n".join(result.lines("zh"))
    assert "潜在客户" in text and "CRM概览" in text


def test_raw_values_match_the_orders_sheet(zh_book):
    refresh(FileBook(zh_book), TODAY)
    session_orders = refresh(FileBook(zh_book), TODAY).session.orders.records
    frame = table(zh_book, "客户跟踪表")
    by_name = frame.dropna(subset=["客户名称"]).drop_duplicates("客户名称").set_index("客户名称")
    sample = session_orders[session_orders["key"].isin(by_name.index.str.replace(" ", ""))]
    totals = sample.groupby("key")["order_amount"].sum()
    assert len(totals) > 20
    last = sample[sample["order_amount"] >= 0].groupby("key")["order_date"].max()
    for key, total in totals.items():
        row = by_name.loc[key]
        assert row["消费金额"] == pytest.approx(total)
        assert row["最近购买距今(天)"] == (pd.Timestamp(TODAY) - last[key]).days


def test_rerunning_updates_in_place_and_never_duplicates(zh_book):
    refresh(FileBook(zh_book), TODAY)
    first = values(zh_book)
    again = refresh(FileBook(zh_book), TODAY)
    assert not again.saved.elsewhere and again.saved.target == str(zh_book)  # its own charts are no loss
    assert values(zh_book) == first
    later = TODAY + dt.timedelta(days=30)
    refresh(FileBook(zh_book), later)
    header = sheet_rows(zh_book, "客户跟踪表")[1]
    assert all(header.count(label) == 1 for label in ZH)
    assert table(zh_book, "客户跟踪表")["最近购买距今(天)"].dropna().min() >= 30


def test_an_english_sheet_gets_english_columns_and_summary(en_book):
    result = refresh(FileBook(en_book), TODAY)
    assert sheet_rows(en_book, "Customers")[1][-11:] == EN
    names = openpyxl.load_workbook(en_book).sheetnames
    assert "CRM Summary" in names and "CRM概览" not in names
    assert "Prospect" in "\n".join(result.lines("en"))


def test_the_teams_cells_are_untouched(zh_book):
    before = values(zh_book)
    refresh(FileBook(zh_book), TODAY)
    after = values(zh_book)
    assert after["订单记录"] == before["订单记录"] and after["产品价目表"] == before["产品价目表"]
    width = len(before["客户跟踪表"][1])
    assert [row[:width] for row in after["客户跟踪表"]] == before["客户跟踪表"]


def test_orders_for_unknown_customers_are_listed_with_sheet_row_and_column(zh_book):  # the sample has one
    result = refresh(FileBook(zh_book), TODAY)
    problems = sheet_rows(zh_book, "数据问题")
    unknown = [p for p in problems if p[3] == "温州未知贸易有限公司"]
    assert len(unknown) == 1 and result.unknown_orders == 1
    sheet, row, column = unknown[0][:3]
    assert sheet == "订单记录" and column == "C 客户名称"
    assert sheet_rows(zh_book, "订单记录")[row - 1][2] == "温州未知贸易有限公司"
    assert "客户跟踪表" in unknown[0][4]


@pytest.mark.slow
def test_the_summary_figures_equal_the_customer_sheet_in_libreoffice(zh_book, tmp_path):
    refresh(FileBook(zh_book), TODAY)
    frame = table(zh_book, "客户跟踪表").dropna(subset=["客户名称"])
    frame = frame[~frame["客户名称"].map(same_customer).duplicated()]  # a customer listed twice counts once
    shown = sheets_as_csv(zh_book, tmp_path / "csv")["CRM概览"]
    rows = {r[0]: r for r in shown if r and r[0]}
    for segment, group in frame.groupby("客户分群"):
        assert int(rows[segment][1]) == len(group), segment
        assert float(rows[segment][3].replace(",", "")) == pytest.approx(group["消费金额"].sum(), abs=0.01)
    for grade in "ABCD":
        group = frame[frame["客户等级"] == grade]
        assert int(rows[grade][1]) == len(group)
        share = group["消费金额"].sum() / frame["消费金额"].sum()
        assert float(rows[grade][4].rstrip("%")) == pytest.approx(100 * share, abs=0.06)
    assert int(rows["高"][1]) == int((frame["流失风险"] == "高").sum())


@pytest.mark.slow
def test_the_summary_charts_survive_libreoffice(zh_book, tmp_path):
    refresh(FileBook(zh_book), TODAY)
    exported = convert(zh_book, "ods", tmp_path / "ods")
    with zipfile.ZipFile(exported) as package:
        content = package.read("content.xml").decode("utf-8")
        charts = [n for n in package.namelist() if re.fullmatch(r"Object \d+/content\.xml", n)]
        kinds = {re.search(r'chart:class="chart:(\w+)"', package.read(n).decode()).group(1) for n in charts}
    assert len(charts) == 2 and kinds == {"bar", "circle"}
    assert "CRM概览.A6:" in content.replace("$", "").replace("'", "")  # the charts draw from the summary's cells


def test_the_next_run_uses_edited_score_segment_and_class_rules(zh_book):
    refresh(FileBook(zh_book), TODAY)
    book = "CRM设置"
    edit(zh_book, book, {f"C{find_row(zh_book, book, 'm')}": "阈值", f"D{find_row(zh_book, book, 'm')}": "1,2,3,4"})
    champions = find_row(zh_book, book, "champions")
    edit(zh_book, book, {f"C{champions}": "金牌客户", f"D{champions}": "", f"E{champions}": "", f"F{champions}": "5"})
    edit(zh_book, book, {f"C{find_row(zh_book, book, 'prospect_class')}": "C"})
    assert (table(zh_book, "客户跟踪表")["流失风险"] == "高").any()
    edit(zh_book, book, {f"C{find_row(zh_book, book, 'churn_factor')}": 1000})
    result = refresh(FileBook(zh_book), TODAY)
    frame = table(zh_book, "客户跟踪表").dropna(subset=["客户名称"])
    scored = frame[frame["购买次数"] > 0]
    assert (scored["M分"] == 5).all()  # every customer spent at least 4
    assert (scored["客户分群"] == "金牌客户").all()  # first rule now takes every M=5
    assert (frame[frame["购买次数"] == 0]["客户等级"] == "C").all()
    assert not (frame["流失风险"] == "高").any()  # nobody is silent for 1000 of their gaps
    assert "金牌客户" in "\n".join(result.lines("zh"))
    assert sheet_rows(zh_book, book)[champions - 1][2] == "金牌客户"  # the edit stays visible


def test_a_bad_rule_in_the_settings_is_a_clear_error_and_nothing_is_written(zh_book):
    refresh(FileBook(zh_book), TODAY)
    edit(zh_book, "CRM设置", {f"D{find_row(zh_book, 'CRM设置', 'r')}": "30,60,x"})
    original = zh_book.read_bytes()
    with pytest.raises(XlcrmError) as error:
        refresh(FileBook(zh_book), TODAY)
    assert "30,60,x" in error.value.text("zh") and "R" in error.value.text("en")
    assert zh_book.read_bytes() == original


def _class_cell(path, customer):
    header = sheet_rows(path, "客户跟踪表")[1]
    frame = table(path, "客户跟踪表")
    found = frame.index[frame["客户名称"] == customer][0]
    return f"{openpyxl.utils.get_column_letter(header.index('客户等级') + 1)}{found}", found


def test_a_class_typed_by_the_user_wins_and_is_kept_until_cleared(zh_book):
    refresh(FileBook(zh_book), TODAY)
    frame = table(zh_book, "客户跟踪表").dropna(subset=["客户名称"])
    customer = frame[(frame["客户等级"] != "A") & (frame["购买次数"] > 0)]["客户名称"].iloc[0]
    computed = frame.set_index("客户名称").loc[customer, "客户等级"]
    cell, row = _class_cell(zh_book, customer)
    edit(zh_book, "客户跟踪表", {cell: "A"})
    result = refresh(FileBook(zh_book), TODAY)
    assert table(zh_book, "客户跟踪表").loc[row, "客户等级"] == "A" and result.manual == 1
    refresh(FileBook(zh_book), TODAY + dt.timedelta(days=40))  # later runs keep it too
    assert table(zh_book, "客户跟踪表").loc[row, "客户等级"] == "A"
    assert "_xlcrm" in openpyxl.load_workbook(zh_book).sheetnames
    assert openpyxl.load_workbook(zh_book)["_xlcrm"].sheet_state == "hidden"
    edit(zh_book, "客户跟踪表", {cell: None})
    refresh(FileBook(zh_book), TODAY)
    assert table(zh_book, "客户跟踪表").loc[row, "客户等级"] == computed


def test_a_typo_in_the_class_column_is_reported_and_replaced(zh_book):
    refresh(FileBook(zh_book), TODAY)
    customer = table(zh_book, "客户跟踪表")["客户名称"].dropna().iloc[0]
    cell, row = _class_cell(zh_book, customer)
    edit(zh_book, "客户跟踪表", {cell: "VIP"})
    refresh(FileBook(zh_book), TODAY)
    assert table(zh_book, "客户跟踪表").loc[row, "客户等级"] in {"A", "B", "C", "D"}
    problems = sheet_rows(zh_book, "数据问题")
    assert any(p[1] == row and p[3] == "VIP" and p[2].endswith("客户等级") for p in problems)


def test_a_manual_class_column_wins(tmp_path):
    path = tmp_path / "team.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "负责人", "最近下单日期", "订单数", "累计成交金额", "指定等级"])
    sheet.append(["甲公司", "张磊", dt.datetime(2026, 11, 1), 12, 90000, None])
    sheet.append(["乙公司", "张磊", dt.datetime(2025, 1, 1), 1, 200, "a"])
    sheet.append(["丙公司", "李娜", None, None, None, "金牌"])
    book.save(path)
    result = refresh(FileBook(path), TODAY)
    frame = table(path, "客户", header_row=1)
    assert list(frame["客户等级"]) == [frame["客户等级"][2], "A", "D"]
    assert list(frame["客户分群"])[2] == "潜在客户"
    assert any(p.value == "金牌" and p.column.startswith("F") for p in result.session.problems)
    assert "流失风险和预计下次购买需要订单表" in "\n".join(result.lines("zh"))


def test_without_orders_or_summary_columns_refresh_says_what_it_needs(tmp_path):
    path = tmp_path / "team.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Customer", "Owner", "Total amount"])
    book.active.append(["Acme", "Bob", 100])
    book.save(path)
    original = path.read_bytes()
    with pytest.raises(XlcrmError) as error:
        refresh(FileBook(path), TODAY)
    assert "Last order" in error.value.text("en") and "Order count" in error.value.text("en")
    assert "订单表" in error.value.text("zh")
    assert path.read_bytes() == original


def team_book(path, customers, orders):
    """A workbook of a Customers sheet (Customer, Contact) and an Orders sheet: rows after their header rows."""
    book = openpyxl.Workbook()
    book.active.title = "Customers"
    for row in [["Customer", "Contact"], *customers]:
        book.active.append(row)
    sheet = book.create_sheet("Orders")
    for row in orders:
        sheet.append(row)
    book.save(path)
    return path


def test_orders_matched_despite_spaces_and_full_width_characters(tmp_path):
    path = team_book(tmp_path / "team.xlsx", [["ACME Ltd", "Ann"], ["Bolt Co", "Ben"]], [
        ["Customer", "Order date", "Amount"], [" ＡＣＭＥ  Ltd ", dt.datetime(2026, 11, 1), 100],
        ["acme ltd", "2026-10-01", "$50"], ["Nobody Inc", "2026-10-01", 70], ["Bolt Co", "2027-02-01", 10]])
    result = refresh(FileBook(path), TODAY)
    frame = table(path, "Customers", header_row=1)
    assert frame.loc[2, "Frequency"] == 2 and frame.loc[2, "Monetary"] == 150
    assert frame.loc[3, "Segment"] == "Prospect"  # its only order is after today
    text = "\n".join(result.lines("en"))
    assert "Orders for customers not in 'Customers': 1" in text and "1 order dated after 2026-11-23" in text


def test_an_order_line_without_a_date_is_listed_where_it_is_and_a_future_one_is_named(tmp_path):
    path = team_book(tmp_path / "team.xlsx", [["ACME Ltd", "Ann"]], [
        ["Order no", "Customer", "Product", "Order date", "Amount"],
        ["SO1", "ACME Ltd", "Bolts", dt.datetime(2026, 11, 1), 100], ["SO2", "ACME Ltd", "Nuts", None, 40],
        ["SO3", "ACME Ltd", "Nuts", "2027-01-15", 10]])
    result = refresh(FileBook(path), TODAY)
    undated = [p for p in sheet_rows(path, "Data problems") if p[0] == "Orders" and p[1] == 3]
    assert len(undated) == 1 and undated[0][2] == "D Order date" and "without a date" in undated[0][4]
    assert "1 order dated after 2026-11-23" in "\n".join(result.lines("en"))
    assert "Orders!D4" in "\n".join(result.lines("en"))
    frame = table(path, "Customers", header_row=1)
    assert frame.loc[2, "Frequency"] == 1 and frame.loc[2, "Monetary"] == 100


def test_no_line_about_unknown_customers_when_every_order_matches(tmp_path):
    path = team_book(tmp_path / "team.xlsx", [["ACME Ltd", "Ann"]],
                     [["Customer", "Order date", "Amount"], ["ACME Ltd", dt.datetime(2026, 11, 1), 100]])
    text = "\n".join(refresh(FileBook(path), TODAY).lines("en"))
    assert "customers not in" not in text
