"""Who gets what: one message per customer, the per-customer interval, appointment reminders always,
opt-outs and bad addresses skipped with a reason, the sending window, the daily cap and the rate.
The mail path itself is proven against a real server elsewhere; here a recording mailer stands in."""

import datetime as dt

import pandas as pd
import pytest

from conftest import TODAY
from helpers.mailbook import remind_on, set_settings
from helpers.workbooks import edit, find_row


class RecordingMailer:
    backoff = (0.0,)

    def __init__(self):
        self.sent: list[tuple[tuple[str, ...], bytes]] = []

    def connect(self, profile):
        return self

    def send(self, sender, recipients, payload):
        self.sent.append((recipients, payload))

    def close(self):
        pass


class FakeClock:
    def __init__(self, now: dt.datetime):
        self.current, self.slept = now, []

    def now(self):
        return self.current

    def monotonic(self):
        return self.current.timestamp()

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.current += dt.timedelta(seconds=seconds)


SENDER = {"smtp_host": "smtp.example.com", "smtp_user": "sales@example.com", "rate_per_minute": 0}


@pytest.fixture
def book(zh_book):
    remind_on(zh_book)
    set_settings(zh_book, SENDER)
    return zh_book


def send(path, today=TODAY, at=dt.time(10, 0), mailer=None, clock=None, **options):
    mailer = mailer or RecordingMailer()
    clock = clock or FakeClock(dt.datetime.combine(today, at))
    result = remind_on(path, today=today, send=True, mailer=mailer, clock=clock, **options)
    return result, mailer


def due_on(path, row, followup=None, birthday=None, appointment=None):
    """Make a customer due as the team would: type the next follow-up, the birthday, the appointment in their row."""
    cells = {"M": followup, "J": birthday, "R": appointment}
    edit(path, "客户跟踪表", {f"{column}{row}": value for column, value in cells.items() if value is not None})


def customers(plan):
    """The plan's messages to customers (the owners' daily digests left out)."""
    return plan[plan["row"].notna()]


def of_row(plan, row):
    return plan[plan["row"].eq(row)]


def first_followup_row(path):
    """A customer the follow-up rules find due for a follow-up and nothing else, with an address to send to."""
    plan = remind_on(path).plan
    only = plan.groupby("row")["occasion"].agg(set).eq({"followup"})
    mailable = plan.loc[plan["occasion"].eq("followup") & plan["decision"].eq("send"), "row"]
    return int(next(row for row in mailable if only[row]))


def sent_to(mailer, address):
    return [payload for recipients, payload in mailer.sent if address in recipients]


def test_one_message_per_customer_a_day_the_appointment_first_the_greeting_on_the_next_run(book):
    row = first_followup_row(book)
    due_on(book, row, followup=TODAY - dt.timedelta(days=3), birthday=dt.datetime(1980, 11, 23),
           appointment=TODAY + dt.timedelta(days=1))
    result, mailer = send(book)
    plan = of_row(result.plan, row)
    decided = dict(zip(plan["occasion"], plan["decision"]))
    assert decided == {"followup": "skip", "birthday": "skip", "appointment": "sent"}
    reason = plan.loc[plan["occasion"].eq("birthday"), "reason"].iloc[0].text("zh")
    assert "预约提醒" in reason and len(sent_to(mailer, plan["to"].iloc[0])) == 1
    again, _ = send(book)  # the same day: nothing more for this customer
    assert "sent" not in of_row(again.plan, row)["decision"].tolist()
    assert any("今天" in r.text("zh") for r in of_row(again.plan, row)["reason"].dropna())
    tomorrow, mailer = send(book, today=TODAY + dt.timedelta(days=1))  # the birthday's window is still open
    decided = dict(zip(of_row(tomorrow.plan, row)["occasion"], of_row(tomorrow.plan, row)["decision"]))
    assert decided["birthday"] == "sent" and decided.get("followup") != "sent"


def test_follow_ups_keep_n_days_apart_greetings_and_appointments_are_not_held_by_it(book):
    row = first_followup_row(book)
    set_settings(book, {"min_days": 3})
    due_on(book, row, followup=TODAY)
    first, _ = send(book)
    assert of_row(first.plan, row)["decision"].tolist() == ["sent"]
    later = TODAY + dt.timedelta(days=1)
    due_on(book, row, followup=later - dt.timedelta(days=1), appointment=later + dt.timedelta(days=1))
    result, _ = send(book, today=later)
    decided = dict(zip(of_row(result.plan, row)["occasion"], of_row(result.plan, row)["decision"]))
    assert decided["appointment"] == "sent"
    third = TODAY + dt.timedelta(days=2)
    # the meeting put off two months (held, it would count as the contact: no follow-up due)
    due_on(book, row, followup=third - dt.timedelta(days=1), birthday=dt.datetime(1980, third.month, third.day),
           appointment=third + dt.timedelta(days=60))
    result, _ = send(book, today=third)
    plan = of_row(result.plan, row)
    decided = dict(zip(plan["occasion"], plan["decision"]))
    assert (decided["followup"], decided["birthday"]) == ("skip", "sent")
    reasons = plan.loc[plan["occasion"].eq("followup"), "reason"].iloc[0].text("zh")
    assert "生日祝福" in reasons or "至少间隔 3 天" in reasons


def test_opted_out_invalid_and_missing_addresses_are_skipped_with_a_reason(book):
    session_rows = remind_on(book).session.customers.records
    bad = find_row(book, "客户跟踪表", 2)  # the sample's mistyped address (a@@b)
    none = find_row(book, "客户跟踪表", 4)
    edit(book, "客户跟踪表", {f"G{none}": None})
    opted = int(session_rows.index[session_rows["opt_out"]][0])
    for row in (bad, none, opted):
        due_on(book, row, followup=TODAY)
    result, mailer = send(book)
    plan = result.plan[result.plan["row"].isin([bad, none, opted])]
    reasons = {int(r): m.text("en") for r, m in zip(plan["row"], plan["reason"])}
    assert "invalid e-mail address" in reasons[bad] and "@@" in reasons[bad]
    assert reasons[none] == "no e-mail address" and reasons[opted] == "opted out"
    assert set(plan["decision"]) == {"skip"}
    assert not sent_to(mailer, session_rows.at[opted, "email"])


def test_outside_the_sending_hours_everything_is_held_until_the_window_opens(book):
    set_settings(book, {"send_hours": "9:00-17:30", "send_days": "周一至周五"})
    result, mailer = send(book, at=dt.time(20, 15))
    assert mailer.sent == [] and set(result.plan.loc[result.plan["row"].notna(), "decision"]) <= {"held", "skip"}
    held = result.plan[result.plan["decision"].eq("held")]
    assert all("2026-11-24 09:00" in r.text("en") for r in held["reason"])
    result, mailer = send(book, at=dt.time(9, 30))
    assert len(mailer.sent) == len(held) and result.counts()["held"] == 0


def test_a_template_can_have_its_own_sending_days(book):
    row = first_followup_row(book)
    edit(book, "邮件模板", {f"K{find_row(book, '邮件模板', '生日祝福')}": "周五"})
    other = int(remind_on(book).plan.query("decision == 'send'").iloc[-1]["row"])
    due_on(book, row, birthday=dt.datetime(1980, 11, 23))
    result, mailer = send(book)  # 2026-11-23 is a Monday
    birthday = of_row(result.plan, row).query("occasion == 'birthday'")
    assert birthday["decision"].tolist() == ["held"] and "sent" in set(of_row(result.plan, other)["decision"])
    assert "2026-11-27" in birthday["reason"].iloc[0].text("en")


def test_the_daily_cap_holds_the_rest_for_the_next_day(book):
    set_settings(book, {"daily_cap": 3, "min_days": 0})
    first, mailer = send(book)
    assert len(mailer.sent) == 3 and first.counts()["held"] > 0
    assert all("daily limit of 3" in r.text("en") for r in first.plan.loc[first.plan["decision"].eq("held"), "reason"])
    held = first.counts()["held"]
    assert f"the daily limit of 3 messages is reached; goes out on the next run tomorrow ({held}" in "\n".join(
        first.lines("en"))  # the summary keeps the limit all held messages share
    again, mailer = send(book, at=dt.time(15, 0))
    assert mailer.sent == [] and again.counts()["done"] == 3
    tomorrow, mailer = send(book, today=TODAY + dt.timedelta(days=1))
    assert len(mailer.sent) == 3


def test_the_rate_spaces_the_messages_out(book):
    set_settings(book, {"rate_per_minute": 30})
    clock = FakeClock(dt.datetime.combine(TODAY, dt.time(10, 0)))
    result, mailer = send(book, clock=clock)
    waits = [s for s in clock.slept if s > 0]
    assert len(mailer.sent) >= 5 and len(waits) == len(mailer.sent) - 1
    assert all(abs(w - 2.0) < 1e-6 for w in waits)


def test_the_owner_gets_a_copy_when_the_settings_ask(book):
    from helpers.mailbook import set_owner

    set_settings(book, {"cc_owner": "yes"})
    result = remind_on(book)
    owner = result.plan.loc[result.plan["row"].notna(), "owner"].iloc[0]
    set_owner(book, owner, "boss@example.com")
    result, mailer = send(book)
    copied = [r for r, _ in mailer.sent if "boss@example.com" in r and r != ("boss@example.com",)]  # not the digest
    assert copied and all(len(r) == 2 for r in copied)
    assert len(copied) == int((result.plan["owner"].eq(owner) & result.plan["row"].notna()
                               & result.plan["decision"].eq("sent")).sum())


def test_only_one_xlcrm_sends_from_a_workbook_at_a_time(book):
    from filelock import FileLock

    from xlcrm.core.errors import XlcrmError
    from xlcrm.mail.journal import journal_path

    lock = FileLock(str(journal_path(book.parent, book.name)) + ".lock")
    with lock:  # another process sending right now
        before = book.read_bytes()
        with pytest.raises(XlcrmError) as error:
            send(book)
        assert "另一个 xlcrm 正在" in error.value.text("zh")
        assert book.read_bytes() == before
    result, mailer = send(book)
    assert mailer.sent


def test_a_message_another_run_sent_after_this_one_planned_is_not_sent_again(book):
    from xlcrm.mail.journal import Journal, journal_path

    dry = remind_on(book)
    planned = dry.plan[dry.plan["decision"].eq("send")]
    key = planned["msg_key"].iloc[0]

    def progress(items, total, label):
        if label.en == "Writing messages":  # meanwhile, a scheduled job sends the first one
            other = Journal(journal_path(book.parent, book.name))
            with other.writing():
                other.record(key, "sent", to=planned["to"].iloc[0])
        return items

    result, mailer = send(book, progress=progress)
    assert len(mailer.sent) == len(planned) - 1
    assert result.plan.loc[result.plan["msg_key"].eq(key), "decision"].iloc[0] == "done"


def test_a_workbook_opened_in_excel_during_the_send_loses_nothing(book):
    from xlcrm.core.errors import XlcrmError

    mailer = RecordingMailer()
    lock = book.with_name("~$" + book.name)
    set_settings(book, {"mail_counts": "否"})  # the sent follow-ups stay due, so the dry run lists them as done

    def progress(items, total, label):
        if label.en == "Sending":
            lock.write_text("opened in Excel meanwhile")
        return items

    with pytest.raises(XlcrmError) as error:
        send(book, mailer=mailer, progress=progress)
    assert "sent and journaled" in error.value.text("en") and mailer.sent
    lock.unlink()
    later = remind_on(book)  # a dry run brings the sheets up to date
    assert later.counts()["done"] == len(mailer.sent) and later.counts()["send"] == 0
    from helpers.workbooks import sheet_rows

    assert sum(1 for r in sheet_rows(book, "发送记录")[1:] if r[1] == "已发送") == len(mailer.sent)


def test_the_daily_cap_goes_to_time_bound_messages_first_then_follow_ups_by_class_and_lateness():
    from xlcrm.core.mailmerge.send_plan import PLAN_COLUMNS, Rules, apply_cap
    today = dt.date(2026, 11, 23)
    stale = [("followup", today - dt.timedelta(days=200 - n), row) for n, row in enumerate(range(10, 60))]
    bound = [("appointment", today - dt.timedelta(days=1), 3), ("birthday", today, 4), ("digest", today, None),
             ("followup", today - dt.timedelta(days=1), 5)]
    frame = pd.DataFrame([{"row": row, "key": f"k{row}", "occasion": o, "due": pd.Timestamp(d), "decision": "send"}
                          for o, d, row in stale + bound]).reindex(columns=list(PLAN_COLUMNS))
    frame["decision"], frame["reason"] = "send", pd.Series([None] * len(frame), dtype=object)
    classes = pd.Series({5: "A类", **{row: "D" for row in range(10, 60)}})
    apply_cap(frame, Rules(today, dt.datetime(2026, 11, 23, 9), daily_cap=4), classes)
    going = frame[frame["decision"].eq("send")]
    assert set(going["occasion"]) == {"appointment", "birthday", "digest", "followup"} and len(going) == 4
    assert going.loc[going["occasion"].eq("followup"), "row"].tolist() == [5]  # class A before 200 days late D
    assert frame.loc[frame["decision"].eq("held"), "occasion"].eq("followup").all()


@pytest.mark.parametrize("counts", [True, False])
def test_a_follow_up_mail_sent_counts_as_a_contact_unless_the_settings_say_no(book, counts):
    from xlcrm.actions.followups import compute
    from xlcrm.actions.session import open_session
    from xlcrm.book.file import FileBook
    row = first_followup_row(book)
    due_on(book, row, followup=TODAY)
    if not counts:
        set_settings(book, {"mail_counts": "否"})
    result, _ = send(book)
    assert of_row(result.plan, row)["decision"].tolist() == ["sent"]
    plan = compute(open_session(FileBook(book)), TODAY, note_problems=False).followups.loc[row]
    assert (plan["last_contact"] == pd.Timestamp(TODAY)) is counts
    assert (plan["due"] > pd.Timestamp(TODAY)) is counts  # the next due date moved on, as after a logged call
