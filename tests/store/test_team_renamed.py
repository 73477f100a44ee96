"""A customer renamed in one workbook is a new customer in the store (their identities are name plus phone or
e-mail), but not a new person: the send reservation also matches on the recipient's address, so another workbook's
follow-up to that address, reserved or sent within min_days or on or after this one's due day, holds it (as for the
same customer), and a care message of the same occasion and due day to that address too. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl

from conftest import TODAY, make_book
from test_team_followup_once import NOW, follow_up
from helpers.mailbook import point_at
from xlcrm import bootstrap
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.actions.team_sync import ELSEWHERE
from xlcrm.book.file import FileBook
from xlcrm.mail.smtp import SmtpMailer
from xlcrm.store import Send, mail_address



def test_a_follow_up_to_the_same_address_under_another_customer_is_held(store_url):
    store = bootstrap.store_connector()(store_url)
    try:
        old, renamed, stranger = store.identify([("恒信贸易", ["n:恒信贸易|e:li@hengxin.cn"]),
                                                 ("恒信贸易(杭州)", ["n:恒信贸易(杭州)|e:li@hengxin.cn"]),
                                                 ("Acme", ["n:acme|e:buyer@acme.com"])], NOW)
        assert len({old, renamed, stranger}) == 3  # the rename made a second customer in the store
        theirs = follow_up(old, "2026-03-06", to="li@hengxin.cn")
        assert store.reserve("book-a", [theirs], NOW) == {theirs.team_key}
        mine = follow_up(renamed, "2026-03-09", to=" Li@HengXin.cn ")  # the address as another sheet types it
        other = follow_up(stranger, "2026-03-09", to="buyer@acme.com")
        assert store.reserve("book-b", [mine, other], NOW) == {other.team_key}
        birthday = Send(f"{old}|birthday|2026-03-10", old, address=mail_address("li@hengxin.cn"))
        assert store.reserve("book-a", [birthday], NOW) == {birthday.team_key}
        their_birthday = Send(f"{renamed}|birthday|2026-03-10", renamed, address=mail_address("li@hengxin.cn"))
        next_year = Send(f"{renamed}|birthday|2027-03-10", renamed, address=mail_address("li@hengxin.cn"))
        assert store.reserve("book-b", [their_birthday, next_year], NOW) == {next_year.team_key}
        store.settle("book-a", [theirs.team_key], [], NOW)
        later = follow_up(renamed, "2026-04-20", to="li@hengxin.cn")  # the next follow-up, past the spacing: goes
        assert store.reserve("book-b", [later], dt.datetime(2026, 4, 20, 9)) == {later.team_key}
    finally:
        store.close()


def test_a_journaled_send_synced_later_keeps_its_address(store_url):
    store = bootstrap.store_connector()(store_url)
    try:
        old, renamed = store.identify([("恒信", ["n:恒信|e:li@hengxin.cn"]), ("恒信二", ["n:恒信二|e:li@hengxin.cn"])],
                                      NOW)
        went = Send(f"{old}|followup|2026-03-06", old, address=mail_address("li@hengxin.cn"))
        assert store.record_sent("book-a", [went], NOW) == 1  # sent while the store was out of reach
        mine = follow_up(renamed, "2026-03-09", to="li@hengxin.cn")
        assert store.reserve("book-b", [mine], NOW) == set()
    finally:
        store.close()


def _rename(book: Path, name: str, new: str) -> None:
    """Retype a customer's name in the customer sheet, as a salesperson would."""
    workbook = openpyxl.load_workbook(book)
    found = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value == name]
    assert len(found) >= 1, f"{name} not found in {book.name}"
    found[0].value = new
    workbook.save(book)


def test_a_customer_renamed_in_one_workbook_gets_one_mail(tmp_path, store_url, mail_server, monkeypatch):
    """Two workbooks share a customer; Bob renames them (a new customer in the store, the same address); both send:
    the customer gets one follow-up, and Bob's is marked as sent by another workbook."""
    (tmp_path / "ann").mkdir()
    first = make_book(tmp_path / "ann", customers=30)
    (tmp_path / "bob").mkdir()
    second = Path(shutil.copy(first, tmp_path / "bob" / first.name))
    _, planned = point_at(first, mail_server)
    point_at(second, mail_server)
    regular = planned[planned["occasion"].eq("followup")]
    once = regular[~planned["to"].duplicated(keep=False).reindex(regular.index)]
    assert len(once), "the sample has a follow-up to one address"
    name, address = str(once["customer"].iloc[0]), once["to"].iloc[0]
    _rename(second, name, name + "(新)")
    monkeypatch.setenv("XLCRM_STORE", store_url)
    connect = bootstrap.store_connector()
    remind(FileBook(first), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    assert [r.rcpt_tos[0] for r in mail_server.received].count(address) == 1
    result = remind(FileBook(second), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    assert [r.rcpt_tos[0] for r in mail_server.received].count(address) == 1, "the renamed customer got it twice"
    mine = result.plan[result.plan["customer"].eq(name + "(新)") & result.plan["occasion"].eq("followup")]
    assert mine["reason"].tolist() == [ELSEWHERE]
