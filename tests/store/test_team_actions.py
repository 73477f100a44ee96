"""Every action syncs with the team store when one is set (refresh, check and report as followups, log and remind),
and works alone, with a note, when the store is out of reach."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import TODAY, make_book
from xlcrm import bootstrap
from xlcrm.actions.check import check
from xlcrm.actions.refresh import refresh
from xlcrm.actions.report import report
from xlcrm.actions.session import open_session
from xlcrm.actions.team import reassign, status
from xlcrm.book.file import FileBook
from xlcrm.core.owners import canonical

ACTIONS = {
    "refresh": lambda book, connect: refresh(FileBook(book), TODAY, team=connect),
    "check": lambda book, connect: check(FileBook(book), team=connect),
    "report": lambda book, connect: report(FileBook(book), today=TODAY, team=connect),
}


def owners(book: Path) -> list:
    return list(canonical(open_session(FileBook(book)).customers.records["owner"]))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_the_action_syncs_and_brings_a_reassignment_over(tmp_path, store_url, monkeypatch, action):
    monkeypatch.setenv("XLCRM_STORE", store_url)
    book = make_book(tmp_path, customers=20)
    connect = bootstrap.store_connector()
    first = ACTIONS[action](book, connect)  # the first run registers the workbook and its customers
    assert any("Team store" in line for line in first.lines("en"))
    assert [w.name for w in status(connect, store_url).status.workbooks] == [book.name]
    leaving = Counter(o for o in owners(book) if o).most_common(1)[0][0]
    theirs = [i for i, o in enumerate(owners(book)) if o == leaving]
    assert reassign(connect, leaving, "新同事").count > 0
    ACTIONS[action](book, connect)
    after = owners(book)
    assert [after[i] for i in theirs] == ["新同事"] * len(theirs)
    assert leaving not in after


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_with_the_store_out_of_reach_the_action_works_alone_and_says_so(tmp_path, monkeypatch, action):
    monkeypatch.setenv("XLCRM_STORE", f"sqlite:///{tmp_path / 'unplugged-drive' / 'team.db'}")
    book = make_book(tmp_path, customers=20)
    result = ACTIONS[action](book, bootstrap.store_connector())
    assert any("cannot be reached" in line for line in result.lines("en"))
    assert result.saved.target and not result.saved.elsewhere  # written as without a store


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_without_a_store_no_team_line(tmp_path, monkeypatch, action):
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    book = make_book(tmp_path, customers=20)
    result = ACTIONS[action](book, bootstrap.store_connector())
    assert not any("Team store" in line or "team store" in line for line in result.lines("en"))
