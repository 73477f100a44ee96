"""One regular follow-up per customer team-wide, though two workbooks work out different due days for it (one knows
a contact the other does not yet): the reservation of a follow-up is also held by another workbook's recent one,
atomically in the store, on SQLite and on PostgreSQL. Care occasions (a birthday, a holiday) keep their own key."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import pandas as pd

from conftest import TODAY, make_book
from helpers.mailbook import point_at, set_settings
from xlcrm import bootstrap
from xlcrm.actions.contact_log import log_contact
from xlcrm.actions.followups import followups
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.actions.team_sync import ELSEWHERE
from xlcrm.book.file import FileBook
from xlcrm.mail.smtp import SmtpMailer
from xlcrm.store import Send, mail_address

NOW = dt.datetime(2026, 3, 10, 9, 0)
REGULAR = ("followup", "first_answer")  # the regular mails: a follow-up, a lead's first answer


def follow_up(customer: int, due: str, since: str | None = None, to: str | None = None) -> Send:
    """A follow-up as TeamClaim asks for it: held by another workbook's regular mail since `since` (or its due day);
    to: its recipient, as the sheet types it."""
    return Send(f"{customer}|followup|{due}", customer, dt.date.fromisoformat(since or due), REGULAR,
                mail_address(to))


def test_a_follow_up_another_workbook_holds_holds_one_of_another_due_day(store_url):
    store = bootstrap.store_connector()(store_url)
    try:
        hengxin, other = store.identify([("杭州恒信贸易有限公司", ["n:恒信"]), ("Acme", ["n:acme"])], NOW)
        a_sends = follow_up(hengxin, "2026-02-14", "2026-02-14")  # A: the sheet's last contact of 02-08
        assert store.reserve("book-a", [a_sends], NOW) == {a_sends.team_key}
        b_sends = follow_up(hengxin, "2026-03-06", "2026-03-06")  # B knew a visit of 02-20: another due day
        birthday = Send(f"{hengxin}|birthday|2026-03-10", hengxin)
        acme = follow_up(other, "2026-03-06")
        assert store.reserve("book-b", [b_sends, birthday, acme], NOW) == {birthday.team_key, acme.team_key}
        assert store.reserve("book-a", [follow_up(hengxin, "2026-03-01")], NOW)  # its own sends are its rules' affair
        store.settle("book-a", [a_sends.team_key], [], NOW)
        assert store.reserve("book-b", [b_sends], NOW + dt.timedelta(days=1)) == set()  # sent: still held
        later = follow_up(hengxin, "2026-04-20", "2026-04-20")  # B's next follow-up, after A's mail: goes
        assert store.reserve("book-b", [later], dt.datetime(2026, 4, 20, 9)) == {later.team_key}
    finally:
        store.close()


def test_a_follow_up_released_by_the_other_workbook_is_free_again(store_url):
    store = bootstrap.store_connector()(store_url)
    try:
        [customer] = store.identify([("Acme", ["n:acme"])], NOW)
        first, second = follow_up(customer, "2026-03-01"), follow_up(customer, "2026-03-05")
        assert store.reserve("book-a", [first], NOW) == {first.team_key}
        store.settle("book-a", [], [first.team_key], NOW)  # A's server refused it: nothing went out
        assert store.reserve("book-b", [second], NOW) == {second.team_key}
    finally:
        store.close()


def test_six_workbooks_reserving_follow_ups_of_other_due_days_at_once_send_one_per_customer(store_url):
    """Six PCs at the same moment, each with its own due day for the same 40 customers: one holder each."""
    connect = bootstrap.store_connector()
    stores = [connect(store_url) for _ in range(6)]
    try:
        ids = stores[0].identify([(f"c{i}", [f"n:c{i}"]) for i in range(40)], NOW)
        held: dict[int, set[str]] = {}
        start = threading.Barrier(len(stores))

        def reserve(number: int) -> None:
            wanted = [follow_up(i, f"2026-03-0{number + 1}") for i in ids]
            start.wait()
            held[number] = stores[number].reserve(f"book-{number}", wanted[::1 if number % 2 else -1], NOW)

        threads = [threading.Thread(target=reserve, args=(n,)) for n in range(len(stores))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        holders = {i: [n for n, keys in held.items() if any(k.startswith(f"{i}|") for k in keys)] for i in ids}
        assert all(len(found) == 1 for found in holders.values()), holders
    finally:
        for store in stores:
            store.close()


def test_two_workbooks_with_different_due_days_send_one_follow_up_to_the_customer(tmp_path, store_url, mail_server,
                                                                                 monkeypatch):
    """The tester's case: B logged a visit offline that A's sheet lacks, so B's due day is later than A's; A sends,
    then B sends: the customer gets one follow-up, and B's is marked as sent by another workbook."""
    (tmp_path / "ann").mkdir()
    first = make_book(tmp_path / "ann", customers=30)
    (tmp_path / "bob").mkdir()
    second = Path(shutil.copy(first, tmp_path / "bob" / first.name))
    _, planned = point_at(first, mail_server)
    point_at(second, mail_server)
    set_settings(first, {"mail_counts": "否"})  # A's mail is no contact: B keeps the due day it worked out
    plan = followups(FileBook(first), TODAY).due.followups
    today = pd.Timestamp(TODAY)
    sent_rows = set(planned.loc[planned["occasion"].eq("followup"), "row"])
    candidates = plan[plan.index.isin(sent_rows) & plan["occasion"].eq("followup") & plan["last_contact"].notna()
                      & (plan["due"] <= today - pd.Timedelta(days=6)) & ~plan["own_date"].astype(bool)]
    assert len(candidates), "the sample has an overdue follow-up to send"
    row = candidates.index[0]
    name = str(planned.loc[planned["row"].eq(row), "customer"].iloc[0])
    address = planned.loc[planned["row"].eq(row), "to"].iloc[0]
    visit = (plan.at[row, "last_contact"] + pd.offsets.BDay(2)).date()  # two working days later
    log_contact(FileBook(second), name, "visit", "", visit, team=None, today=TODAY)  # offline: no store
    theirs = followups(FileBook(second), TODAY).due.followups
    assert plan.at[row, "due"] < theirs.at[row, "due"] <= today  # due in both, on different days
    monkeypatch.setenv("XLCRM_STORE", store_url)
    connect = bootstrap.store_connector()
    remind(FileBook(first), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    assert [r.rcpt_tos[0] for r in mail_server.received].count(address) == 1
    result = remind(FileBook(second), RemindRequest(today=TODAY, send=True), SmtpMailer(timeout=30), team=connect)
    got = [r.rcpt_tos[0] for r in mail_server.received]
    assert got.count(address) == 1, "the customer got the follow-up twice"
    mine = result.plan[result.plan["row"].eq(row) & result.plan["occasion"].eq("followup")]
    assert mine["reason"].tolist() == [ELSEWHERE]
