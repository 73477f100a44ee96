"""The hidden sheet _xlcrm, xlcrm's record of the classes it wrote, deleted: the classes are not all frozen as the
user's. One equal to the computed class is xlcrm's; one differing is replaced and its old value listed; the record
is written again, so later runs update the classes as before."""

import datetime as dt

import openpyxl

from conftest import TODAY
from helpers.workbooks import edit, sheet_rows
from test_table_sorted_alone import class_cell, classes, tracker
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook


def delete_state_sheet(path) -> None:
    book = openpyxl.load_workbook(path)
    del book["_xlcrm"]
    book.save(path)


def add_order(path, customer, amount) -> None:
    book = openpyxl.load_workbook(path)
    book["Orders"].append([customer, dt.datetime(2026, 11, 1), amount])
    book.save(path)


def test_without_the_record_the_classes_are_computed_again_and_said(tmp_path):
    path = tracker(tmp_path / "tracker.xlsx")
    refresh(FileBook(path), TODAY)
    computed = classes(path)
    cell = class_cell(path, "Stark")
    edit(path, "Customers", {cell: "A"})  # typed by the user, then the record is lost
    refresh(FileBook(path), TODAY)
    delete_state_sheet(path)
    result = refresh(FileBook(path), TODAY)
    assert classes(path) == computed and result.manual == 0
    assert "_xlcrm" in openpyxl.load_workbook(path).sheetnames
    listed = [p for p in sheet_rows(path, "Data problems") if p[1] == int(cell[1:])]
    assert listed and listed[0][3] == "A" and listed[0][2].startswith(cell[0]) and "type it again" in listed[0][4]
    for lang, words in (("en", "'_xlcrm', its record of the classes it wrote, was missing"), ("zh", "隐藏工作表“_xlcrm”不见了")):
        assert any(words in line and "Customers" in line for line in result.lines(lang))
    assert any("1 class differing" in line for line in result.lines("en"))
    add_order(path, "Stark", 90000)  # Stark is worth a great deal now: its class must follow
    later = refresh(FileBook(path), TODAY)
    assert classes(path)["Stark"] != computed["Stark"] and later.manual == 0
    assert not any("was missing" in line for line in later.lines("en"))


def test_a_class_typed_after_the_record_is_written_again_is_kept(tmp_path):
    path = tracker(tmp_path / "tracker.xlsx")
    refresh(FileBook(path), TODAY)
    delete_state_sheet(path)
    quiet = refresh(FileBook(path), TODAY)  # every class equal to the computed one: nothing to say
    assert quiet.manual == 0 and not any("was missing" in line for line in quiet.lines("en"))
    edit(path, "Customers", {class_cell(path, "Umbrella"): "A"})
    result = refresh(FileBook(path), TODAY)
    assert classes(path)["Umbrella"] == "A" and result.manual == 1


def test_the_customer_sheet_copied_alone_into_a_new_workbook_keeps_one_set_of_xlcrms_columns(tmp_path):
    """Excel's Move or Copy takes the customer sheet into a new workbook without the hidden record: xlcrm's columns
    are found by their run of labels, in xlcrm's order, and written over, not added again as '… (xlcrm)'."""
    from xlcrm.actions.followups import followups

    path = tracker(tmp_path / "tracker.xlsx")
    refresh(FileBook(path), TODAY)
    followups(FileBook(path), TODAY)
    computed = classes(path)
    before = [c.value for c in openpyxl.load_workbook(path)["Customers"][1]]
    book = openpyxl.load_workbook(path)
    for name in [n for n in book.sheetnames if n not in ("Customers", "Orders")]:
        del book[name]
    book.save(path)

    refresh(FileBook(path), TODAY)
    followups(FileBook(path), TODAY)
    after = [c.value for c in openpyxl.load_workbook(path)["Customers"][1]]
    assert after == before and not any("(xlcrm)" in str(h) for h in after)
    assert classes(path) == computed and "_xlcrm" in openpyxl.load_workbook(path).sheetnames
