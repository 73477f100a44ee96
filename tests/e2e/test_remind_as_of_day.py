"""`remind --send --today D`: a missed day caught up later is recorded on D, as the "as of" rule says.

The office runs remind on D and on the working day after it, both back-dated with --today, while the real
date is months away: what the first run sent is journaled, logged and counted as a contact on D, so the second
run neither takes it for today's mail nor leaves the customers it followed up overdue.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from conftest import make_book
from helpers.cli import run
from helpers.mailbook import quick_mailer, remind_on, set_settings
from helpers.season import SeasonClock
from helpers.workbooks import sheet_rows
from xlcrm.actions.followups import compute
from xlcrm.actions.session import open_session
from xlcrm.book.file import FileBook
from xlcrm.core.followups.followup_rules import MAIL_CONTACTS
from xlcrm.core.mailmerge.send_plan import SENT_TODAY
from xlcrm.mail.journal import Journal, journal_path

# two pairs of ordinary working days (Tuesday, Wednesday) half a year apart: the test takes the pair farther from
# the real date, so the real clock is months away from the days played whenever it runs
PAIRS = ((dt.date(2026, 3, 10), dt.date(2026, 3, 11)), (dt.date(2026, 9, 1), dt.date(2026, 9, 2)))
SENT_TODAY_ZH = SENT_TODAY.zh.split("(")[0]  # 该客户今天


def far_from_now() -> tuple[dt.date, dt.date]:
    return max(PAIRS, key=lambda pair: abs((pair[0] - dt.date.today()).days))


def journal(path) -> pd.DataFrame:
    return Journal(journal_path(path.parent, path.name)).history()


def send_log_days(path) -> set[dt.date]:
    rows = sheet_rows(path, "发送记录")[1:]
    return {(v if isinstance(v, dt.datetime) else pd.Timestamp(str(v))).date() for v, *_ in rows if v}


def test_two_back_dated_days_are_recorded_and_counted_on_their_own_days(tmp_path, mail_server):
    day, next_day = far_from_now()
    book = make_book(tmp_path, "zh", customers=40, today=day)
    assert run("remind", book, "--today", day).exit_code == 0
    set_settings(book, mail_server.settings())

    first = run("remind", book, "--today", day, "--send")
    assert first.exit_code == 0, first.output
    went = journal(book)
    assert len(mail_server.received) > 0 and len(went)
    assert set(went["at"].dt.date) == {day}, "the journal dates the sends on the day the run is as of"
    assert send_log_days(book) == {day}
    followed = went[went["state"].eq("sent") & went["occasion"].isin(MAIL_CONTACTS)]
    rows = [int(r) for r in followed["row"]]
    assert rows, "the sample has follow-ups due on the day"

    second = run("remind", book, "--today", next_day, "--send")
    assert second.exit_code == 0, second.output
    assert SENT_TODAY_ZH not in second.output
    preview = [str(v) for row in sheet_rows(book, "邮件预览") for v in row if v is not None]
    assert not any(SENT_TODAY_ZH in v for v in preview), "nobody mailed on D is taken as mailed on D+1"
    dates = journal(book)["at"].dt.date
    assert set(dates) <= {day, next_day} and send_log_days(book) <= {day, next_day}

    due = compute(open_session(FileBook(book)), next_day, note_problems=False).followups
    assert (due.loc[rows, "last_contact"].dt.date >= day).all(), "a follow-up mailed on D is a contact on D"
    assert (due.loc[rows, "due"].dt.date > next_day).all(), "so the customers followed up are no longer overdue"
    assert not due.loc[rows, "status"].eq("overdue").any()


def test_the_run_keeps_the_clocks_time_of_day_on_the_day_it_is_as_of(tmp_path, mail_server):
    day, _ = PAIRS[1]
    book = make_book(tmp_path, "zh", customers=30, today=day)
    remind_on(book, today=day)
    set_settings(book, mail_server.settings())
    clock = SeasonClock(dt.datetime(2027, 5, 20, 9, 41, 7))
    result = remind_on(book, send=True, mailer=quick_mailer(), clock=clock, today=day)
    assert result.counts()["sent"] > 0
    at = journal(book)["at"]
    assert set(at.dt.date) == {day}
    assert set(at.dt.strftime("%H:%M:%S")) == {"09:41:07"}, "at the clock's time of day"


def test_without_today_the_run_is_recorded_at_the_clocks_time(tmp_path, mail_server):
    day, _ = PAIRS[1]
    book = make_book(tmp_path, "zh", customers=30, today=day)
    remind_on(book, today=day)
    set_settings(book, mail_server.settings())
    clock = SeasonClock(dt.datetime.combine(day, dt.time(15, 2, 3)))
    result = remind_on(book, send=True, mailer=quick_mailer(), clock=clock, today=None)
    assert result.today == day and result.counts()["sent"] > 0
    assert set(journal(book)["at"]) == {pd.Timestamp(clock.now())}
