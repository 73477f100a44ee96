"""A season in the office (issue 13): about eight weeks of working days across New Year and Spring
Festival, the real commands each day, a real SMTP server on loopback; then what a team lead checks.

The team, the calendar's start, the events (contacts, orders, bounces, opt-outs) vary by seed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest

from helpers.season import FINISHED, play
from xlcrm.core.calendar import WorkCalendar
from xlcrm.core.followups.care import greeting_window
from xlcrm.core.followups.due_list import listed
from xlcrm.core.owners import one_per_owner

pytestmark = pytest.mark.slow
CHINA = WorkCalendar("CN")
TIME_BOUND = {"appointment", "birthday", "holiday", "digest"}


@pytest.fixture(scope="module", params=[11, 23, 37])
def season(request, tmp_path_factory):
    from helpers.smtp_server import PASSWORD, MailServer
    folder = tmp_path_factory.mktemp(f"season{request.param}")
    server = MailServer(folder, "ssl").start()
    patch = pytest.MonkeyPatch()
    patch.setenv("SSL_CERT_FILE", str(server.cert))
    patch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    try:
        yield play(folder, server, request.param), server
    finally:
        patch.undo()
        server.stop()


def sent(played) -> pd.DataFrame:
    journal = played.journal()
    real = journal[journal["state"].eq("sent") & ~journal["test"].fillna(False).astype(bool)].copy()
    real["day"] = pd.to_datetime(real["at"]).dt.date
    return real


def test_every_birthday_in_the_season_is_greeted_exactly_once_inside_its_window(season):
    played, _ = season
    mails = sent(played)
    birthdays = mails[mails["occasion"].eq("birthday")]
    mailable = played.customers[~played.customers["邮箱"].isin(played.bounced | set(played.opted_out))]
    checked = 0
    for _, customer in mailable.iterrows():
        born = pd.Timestamp(customer["生日"])
        for year in (played.start.year, played.start.year + 1):
            day = pd.Timestamp(year, born.month, born.day)
            first, last = (s.iloc[0] for s in greeting_window(pd.Series([day]), 0, 3, CHINA))
            if first.date() < played.days[0] or last.date() > played.days[-1]:
                continue  # the window is not wholly inside the season played
            greeted = birthdays[birthdays["to"].eq(customer["邮箱"])]
            assert len(greeted) == 1, (customer["客户名称"], day, greeted)
            assert first.date() <= greeted["day"].iloc[0] <= last.date()
            checked += 1
    assert checked >= 5


def test_new_year_and_spring_festival_are_greeted_once_each_inside_their_windows(season):
    played, _ = season
    holidays = sent(played)
    holidays = holidays[holidays["occasion"].eq("holiday")]
    for name in ("New Year's Day", "Chinese New Year (Spring Festival)"):
        day = CHINA.find_holiday(name, 2027)
        first, last = (s.iloc[0].date() for s in greeting_window(pd.Series([day]), 3, 3, CHINA))
        if first < played.days[0] or last > played.days[-1]:
            continue
        quit_by = {a for a, when in played.opted_out.items() if when <= last}  # opted out before or during
        mailable = set(played.customers["邮箱"]) - played.bounced - quit_by
        greeted = holidays[holidays["day"].between(first, last) & ~holidays["to"].isin(quit_by)]
        assert Counter(greeted["to"]) == Counter({a: 1 for a in mailable}), name
        assert not holidays[holidays["to"].isin({a for a, w in played.opted_out.items() if w <= first})].pipe(
            lambda f: f[f["day"].between(first, last)]).shape[0]


def test_a_greeting_listed_as_missed_is_one_that_could_not_go_out(season):
    played, _ = season
    names = dict(zip(played.customers["客户名称"], played.customers["邮箱"]))
    unreachable = played.bounced | set(played.opted_out)
    missed = [(check["day"], row[0]) for check in played.checks for row in check["due_list"] if row[7] == "已错过"]
    assert all(names[customer] in unreachable for _, customer in missed), missed


def test_no_customer_gets_two_mails_a_day_and_no_message_goes_twice(season):
    played, server = season
    mails = sent(played)
    customers = mails[~mails["occasion"].eq("digest")]
    assert customers.groupby(["to", "day"]).size().max() == 1
    assert not mails["msg_key"].duplicated().any()
    assert len(server.received) == len(mails)  # the server saw each journaled message once, nothing else
    for address in played.bounced:
        assert server.recorder.attempts[address] == 1  # refused once, never tried again
    for address, day in played.opted_out.items():
        assert not (mails["to"].eq(address) & (mails["day"] >= day)).any()


def test_the_daily_cap_holds_and_never_costs_a_time_bound_message(season):
    played, _ = season
    mails = sent(played)
    assert mails.groupby("day").size().max() <= played.daily_cap
    for check in played.checks:
        plan = check["plan"]
        held = plan[plan["decision"].eq("held")]
        going = plan[plan["decision"].eq("sent")]
        if len(held) and held["occasion"].isin(TIME_BOUND).any():  # only when the cap is all time-bound mail
            assert going["occasion"].isin(TIME_BOUND).all(), check["day"]


def test_the_due_list_lists_every_due_touch_and_no_finished_deal_is_stuck(season):
    played, _ = season
    stages = dict(zip(played.customers["客户名称"], played.customers["阶段"]))
    for check in played.checks:
        touches = check["due"].touches
        shown = one_per_owner(listed(touches))
        assert len(check["due_list"]) == len(shown), check["day"]
        assert Counter(r[0] for r in check["due_list"]) == Counter(shown["customer"]), check["day"]
        stuck = touches[touches["occasion"].eq("stuck")]
        assert not stuck["customer"].map(stages).isin(FINISHED).any(), check["day"]


def test_the_digest_and_the_report_count_what_the_due_list_shows(season):
    played, _ = season
    fridays = 0
    for check in played.checks:
        touches = check["due"].touches
        due = touches[touches["status"].isin(["overdue", "due_today", "due_week"]) & touches["owner"].notna()]
        digests = check["plan"][check["plan"]["occasion"].eq("digest")]
        for owner, detail in zip(digests["owner"], digests["detail"]):
            assert int(detail) == due.loc[due["owner"].eq(owner), "key"].nunique(), (check["day"], owner)
        if check["report"] is not None:
            fridays += 1
            section = next(s for s in check["report"].report.sections if s.id == "followups")
            frame = section.tables[0].rows
            regular = touches[touches["occasion"].isin(["followup", "first_answer"])]
            for status in ("overdue", "due_today", "due_week"):
                assert int(frame[status].sum()) == int(regular["status"].eq(status).sum()), (check["day"], status)
    assert fridays >= 6


def test_the_season_runs_past_what_the_calendar_knows_and_says_so(season):
    played, _ = season
    said = [n.text("zh") for check in played.checks for n in check["due"].notes]
    assert any("估算" in text and "2027" in text for text in said)
    assert played.days[-1] >= dt.date(2027, 2, 1)
