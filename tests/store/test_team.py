"""Team mode end to end, on SQLite and on PostgreSQL: real workbooks, a real SMTP server, real processes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import TODAY, make_book
from helpers.mailbook import point_at, set_settings
from helpers.workbooks import sheet_rows
from xlcrm import bootstrap
from xlcrm.actions.contact_log import log_contact
from xlcrm.actions.followups import followups
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.actions.team import reassign, status, sync
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from xlcrm.mail.smtp import SmtpMailer

DRIVER = Path(__file__).resolve().parents[1] / "helpers" / "team_driver.py"
SHEET = "客户跟踪表"


def two_books(tmp_path: Path, customers: int = 50) -> tuple[Path, Path]:
    """Two salespeople's workbooks holding the same customers (each its own copy, in its own folder)."""
    first = make_book(tmp_path / "ann", customers=customers) if (tmp_path / "ann").mkdir() is None else None
    second_folder = tmp_path / "bob"
    second_folder.mkdir()
    second = second_folder / first.name
    shutil.copy(first, second)
    return first, second


def delivered(server) -> Counter:
    return Counter((r.rcpt_tos[0], r.message["Subject"]) for r in server.received)


def _row_of(book: Path, name: str) -> int:
    return next(i for i, row in enumerate(sheet_rows(book, SHEET), start=1) if row[0] == name or name in row[:3])


@pytest.mark.slow
def test_two_workbooks_sending_at_the_same_moment_send_each_message_once(tmp_path, store_url, mail_server):
    first, second = two_books(tmp_path)
    expected, _ = point_at(first, mail_server)
    point_at(second, mail_server)
    for book in (first, second):
        set_settings(book, {"store": store_url})  # the settings name the store (no password there)
    assert len(expected) >= 10  # enough messages for the race to mean something
    start = time.time() + 3  # both processes connected and planned by then
    runs = [subprocess.Popen([sys.executable, str(DRIVER), str(book), TODAY.isoformat(), str(start)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for book in (first, second)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    got = delivered(mail_server)
    assert got == expected, f"each planned message exactly once; twice: {[k for k, n in got.items() if n > 1]}"
    assert status(bootstrap.store_connector(), store_url).status.sends == len(expected)


def test_a_call_logged_in_one_workbook_moves_the_due_date_in_the_other(tmp_path, store_url, monkeypatch):
    monkeypatch.setenv("XLCRM_STORE", store_url)
    first, second = two_books(tmp_path, customers=20)
    connect = bootstrap.store_connector()
    before = followups(FileBook(second), TODAY, team=connect).due.followups
    row = before.index[before["last_contact"].notna() & (before["last_contact"] < pd_day(TODAY, -20))][0]
    name = customer_name(second, row)
    log_contact(FileBook(first), str(name), "phone", "报价已确认", TODAY, team=connect)
    after = followups(FileBook(second), TODAY, team=connect).due.followups
    assert after.at[row, "last_contact"] == pd_day(TODAY)
    assert after.at[row, "due"] > before.at[row, "due"]
    from xlcrm.actions.session import open_session

    keys = open_session(FileBook(second)).customers.records["key"]
    others = keys.index[keys != keys[row]]  # the same customer on a second row moves with it
    assert after.loc[others, "due"].equals(before.loc[others, "due"])


def customer_name(book: Path, row: int) -> str:
    from xlcrm.actions.session import open_session

    return str(open_session(FileBook(book)).customers.records.at[row, "customer"])


def pd_day(day: dt.date, offset: int = 0):
    import pandas as pd

    return pd.Timestamp(day + dt.timedelta(days=offset))


@pytest.mark.slow
def test_a_workbook_offline_for_a_week_catches_up_without_a_second_send(tmp_path, store_url, mail_server, monkeypatch):
    """Out of the store's reach, a team workbook sends nothing (no message without its reservation) but previews
    and logs; what it sent on its own before it joined the team reaches the store at the next sync."""
    first, second = two_books(tmp_path)
    expected, _ = point_at(first, mail_server)
    point_at(second, mail_server)
    monkeypatch.setenv("XLCRM_STORE", f"sqlite:///{tmp_path / 'unplugged-drive' / 'team.db'}")  # out of reach
    connect = bootstrap.store_connector()
    with pytest.raises(XlcrmError) as refused:
        remind(FileBook(first), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    assert "Nothing was sent" in refused.value.text("en") and "未发送任何邮件" in refused.value.text("zh")
    assert not mail_server.received
    preview = remind(FileBook(first), RemindRequest(today=TODAY), team=connect)  # a dry run works from the workbook
    assert any("cannot be reached" in line for line in preview.lines("en"))
    remind(FileBook(first), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30))  # alone, before joining
    assert delivered(mail_server) == expected
    name = customer_name(second, 8)
    for days_ago in (6, 4, 1):  # a week of calls on the train
        log_contact(FileBook(first), str(name), "phone", "", TODAY - dt.timedelta(days=days_ago), team=connect)
    monkeypatch.setenv("XLCRM_STORE", store_url)  # back in the office
    synced = sync(FileBook(first), connect)
    assert synced.view.counts["sends"] == len(expected)
    assert synced.view.counts["contacts"] >= 3
    remind(FileBook(second), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    assert delivered(mail_server) == expected, "nothing the offline workbook sent went out a second time"
    due = followups(FileBook(second), TODAY, team=connect).due.followups
    assert (due["last_contact"] == pd_day(TODAY, -1)).any()


def test_a_reassignment_reaches_every_workbook_but_not_an_owner_the_team_retyped(tmp_path, store_url, monkeypatch):
    monkeypatch.setenv("XLCRM_STORE", store_url)
    first, second = two_books(tmp_path, customers=20)
    connect = bootstrap.store_connector()
    for book in (first, second):
        sync(FileBook(book), connect)
    header = sheet_rows(first, SHEET)
    owner_column = next(i for i, h in enumerate(header[1]) if h == "负责人") if "负责人" in header[1] else \
        next(i for i, h in enumerate(header[0]) if h == "负责人")
    header_row = 1 if "负责人" in header[1] else 0
    owners = [row[owner_column] for row in header[header_row + 1:]]
    leaving = Counter(o for o in owners if o).most_common(1)[0][0]
    theirs = [header_row + 2 + i for i, o in enumerate(owners) if o == leaving]
    from helpers.workbooks import edit
    retyped = theirs[0]
    edit(second, SHEET, {f"{chr(65 + owner_column)}{retyped}": "赵六"})  # Bob's team moved this one by hand
    moved = reassign(connect, leaving, "新同事").count
    from xlcrm.core.records import customer_key

    assert moved == len({customer_key(customer_name(first, r)) for r in theirs})  # '恒信 有限公司' is one customer
    for book in (first, second):
        sync(FileBook(book), connect)
    first_rows, second_rows = sheet_rows(first, SHEET), sheet_rows(second, SHEET)
    assert [first_rows[r - 1][owner_column] for r in theirs] == ["新同事"] * len(theirs)
    assert second_rows[retyped - 1][owner_column] == "赵六"
    same = customer_key(customer_name(second, retyped))  # a second row of that customer follows the team's word
    rest = [r for r in theirs if customer_key(customer_name(second, r)) != same]
    assert rest and [second_rows[r - 1][owner_column] for r in rest] == ["新同事"] * len(rest)
    assert leaving not in status(connect, store_url).status.owners


def test_without_a_store_the_actions_run_as_before(tmp_path, monkeypatch):
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    book = make_book(tmp_path)
    result = followups(FileBook(book), TODAY, team=bootstrap.store_connector())
    assert not any("Team store" in line or "团队数据库" in line for line in result.lines("en"))
    assert not list(tmp_path.glob("*.xlcrm-team.json"))


@pytest.mark.parametrize("counts", ["是", "否"])
def test_a_follow_up_mail_sent_from_one_workbook_moves_the_due_date_in_the_other(tmp_path, store_url, mail_server,
                                                                               monkeypatch, counts):
    """The sending workbook's mail_counts decides: yes (the default), its follow-up mails are contacts team-wide."""
    monkeypatch.setenv("XLCRM_STORE", store_url)
    first, second = two_books(tmp_path, customers=20)
    point_at(first, mail_server)
    set_settings(first, {"mail_counts": counts})
    connect = bootstrap.store_connector()
    before = followups(FileBook(second), TODAY, team=connect).due.followups
    remind(FileBook(first), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    from xlcrm.actions.session import open_session
    from xlcrm.mail.journal import Journal, journal_path

    sent = Journal(journal_path(first.parent, first.name)).history()
    mailed = set(sent.loc[sent["state"].eq("sent") & sent["occasion"].isin(["followup", "first_answer"]),
                          "customer_key"])
    assert mailed, "the sample has follow-ups due, so some went out"
    keys = open_session(FileBook(second)).customers.records["key"]
    rows = keys.index[keys.isin(mailed)]
    after = followups(FileBook(second), TODAY, team=connect).due.followups
    if counts == "是":
        assert (after.loc[rows, "due"] > before.loc[rows, "due"]).all()
    else:
        assert after.loc[rows, "due"].equals(before.loc[rows, "due"])
    others = keys.index[~keys.isin(mailed)]
    assert after.loc[others, "due"].equals(before.loc[others, "due"])
