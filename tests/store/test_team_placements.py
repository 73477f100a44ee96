"""`team status` counts, per workbook, the customers the workbook has now: each sync replaces the workbook's set of
placements, so a customer deleted or renamed in it (a rename is a new customer in the store) no longer counts for it,
whether or not the workbook has an owner column; and a customer no workbook has now counts for no salesperson (status,
team report) nor in the store's total. SQLite and PostgreSQL, through `xlcrm team sync` and `status`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from conftest import make_book
from xlcrm import bootstrap
from xlcrm.actions.session import open_session
from xlcrm.actions.team import status, sync
from xlcrm.book.file import FileBook

NOW = dt.datetime(2026, 3, 10, 9, 0)


def test_a_sync_replaces_the_workbooks_placements(store_url):
    store = bootstrap.store_connector()(store_url)
    try:
        a, b, c = store.identify([("Acme", ["n:acme"]), ("Bolt", ["n:bolt"]), ("Core", ["n:core"])], NOW)
        store.register("book", "book.xlsx", "/b/book.xlsx", NOW)
        store.register("other", "other.xlsx", "/o/other.xlsx", NOW)
        assert store.merge_owners("book", {a: "Ann", b: "Ann"}, NOW) == {a: "Ann", b: "Ann"}
        store.place("book", [a, b])
        store.place("other", [a, c])  # a workbook without an owner column is placed too
        assert {w.name: w.customers for w in store.status().workbooks} == {"book.xlsx": 2, "other.xlsx": 2}
        assert (store.status().customers, store.status().owners) == (3, {"Ann": 2})
        store.place("book", [a])  # Bolt deleted from the workbook
        assert {w.name: w.customers for w in store.status().workbooks} == {"book.xlsx": 1, "other.xlsx": 2}
        assert (store.status().customers, store.status().owners) == (2, {"Ann": 1})  # no workbook has Bolt now
        assert [row["customers"] for row in store.activity(NOW.date(), NOW.date())] == [1]
        assert store.reassign("Ann", "Carol", NOW) == 2
        assert store.merge_owners("book", {a: "Ann"}, NOW) == {a: "Carol"}  # what its cell said is kept
    finally:
        store.close()


def _customers_sheet(book: Path) -> tuple[str, int, set[str]]:
    """The customer sheet, its name column, and the names that are one customer each (no namesake, no second row)."""
    source = open_session(FileBook(book)).customers
    records = source.records
    alone = records[~records["key"].duplicated(keep=False) & ~records["customer"].duplicated(keep=False)]
    return source.table.sheet, source.mapping.columns["customer"] + 1, set(alone["customer"])


def test_team_status_counts_only_the_customers_the_workbook_has_now(tmp_path, store_url, monkeypatch):
    monkeypatch.setenv("XLCRM_STORE", store_url)
    book = make_book(tmp_path, customers=20)
    connect = bootstrap.store_connector()
    sync(FileBook(book), connect)

    def counted() -> int:
        [workbook] = status(connect, store_url).status.workbooks
        return workbook.customers

    before = counted()
    assert before >= 18  # (two sample customers may share a store id)
    sheet, column, customers = _customers_sheet(book)
    workbook = openpyxl.load_workbook(book)
    rows = [r for r in range(1, workbook[sheet].max_row + 1) if workbook[sheet].cell(r, column).value in customers]
    renamed_row, deleted_row = rows[:2]
    workbook[sheet].cell(renamed_row, column).value = f"{workbook[sheet].cell(renamed_row, column).value}(新)"
    workbook[sheet].delete_rows(deleted_row)
    workbook.save(book)
    sync(FileBook(book), connect)
    assert counted() == before - 1, "the deleted customer and the old name still count for the workbook"
    assert status(connect, store_url).status.customers == before - 1
    lines = status(connect, store_url).lines("en")
    assert any(f": {before - 1} customers" in line for line in lines)
