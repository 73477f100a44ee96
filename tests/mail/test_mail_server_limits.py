"""A real loopback server that refuses messages too large, hangs up at one recipient, says its sending limit with 421,
keeps a mailbox full for days, or a send stopped by Ctrl-C: what concerns one message or one template keeps back only
that, the rest go out exactly once, and the user is told what happened to each."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections import Counter

import openpyxl
import pytest

from conftest import TODAY
from helpers.mailbook import log_states, point_at, quick_mailer, remind_on
from helpers.smtp_server import delivered
from helpers.workbooks import sheet_rows
from xlcrm.mail.batch import DEFER_LIMIT, SystemClock
from xlcrm.mail.faults import Deferred, Rejected
from xlcrm.mail.journal import Journal, journal_path
from xlcrm.mail.replies import data_fault
from xlcrm.mail.smtp import SmtpMailer

run = remind_on
BIG_TEMPLATE = "久未联系问候"
TOO_BIG = "552 5.3.4 Message size exceeds fixed maximum message size"


@pytest.fixture
def ready(zh_book, mail_server):
    planned, rows = point_at(zh_book, mail_server)
    return zh_book, planned, rows


def only(planned: Counter, keep) -> Counter:
    return Counter({k: v for k, v in planned.items() if keep(k)})


def attach(book, template: str, size: int) -> None:
    """A file of `size` bytes (a scanned catalogue: it does not compress) as the template's attachment."""
    path = book.parent / "附件" / "产品目录.pdf"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(os.urandom(size))
    workbook = openpyxl.load_workbook(book)
    for row in workbook["邮件模板"].iter_rows(min_row=2):
        if row[0].value == template:
            row[9].value = "附件/产品目录.pdf"
    workbook.save(book)


def journal(book) -> Journal:
    return Journal(journal_path(book.parent, book.name))


def decided(result, address: str) -> tuple[str, str, str]:
    row = result.plan[result.plan["to"].eq(address)].iloc[0]
    reason = row["reason"]
    return row["decision"], reason.text("en") if reason is not None else "", reason.text("zh") if reason else ""


# 1. A message too large for the server is that message's trouble, and its template's, not the batch's


def test_a_template_whose_attachment_is_too_large_fails_its_own_messages_and_every_other_goes_out(ready, mail_server):
    book, planned, rows = ready
    attach(book, BIG_TEMPLATE, 300_000)
    mail_server.controller.SMTP_kwargs["data_size_limit"] = 200_000  # said in EHLO SIZE, refused at MAIL FROM
    big = list(rows.loc[rows["template"].eq(BIG_TEMPLATE), "to"])
    result = run(book, send=True, mailer=quick_mailer())

    assert result.stopped is None
    assert delivered(mail_server) == only(planned, lambda k: k[0] not in big)  # every other template, once
    failed = result.plan[result.plan["decision"].eq("failed")]
    assert list(failed["to"]) == big[:2]  # two tried and refused, the rest of the template not even tried
    for reason in failed["reason"]:
        en, zh = reason.text("en"), reason.text("zh")
        assert "too large for the server" in en and "limit: 200 KB" in en and "shrink or remove the attachment" in en
        assert "超过服务器允许的大小" in zh and "压缩或删除附件" in zh
    untried = result.plan[result.plan["to"].isin(big[2:])]
    assert set(untried["decision"]) == {"unsent"}
    assert all(BIG_TEMPLATE in r.text("zh") and "not tried" in r.text("en") for r in untried["reason"])
    shown = "\n".join(result.lines("zh"))
    customer = failed["customer"].iloc[0]
    assert f"发送失败:{customer}" in shown and BIG_TEMPLATE in shown and "已停止" not in shown
    assert log_states(book)["发送失败"] == 2

    again = run(book, send=True, mailer=quick_mailer())  # nothing sent twice, the failed ones not again by themselves
    assert again.stopped is None and delivered(mail_server) == only(planned, lambda k: k[0] not in big)
    skipped = again.plan[again.plan["to"].isin(big[:2])]
    assert set(skipped["decision"]) == {"skip"} and all("重发" in r.text("zh") for r in skipped["reason"])

    attach(book, BIG_TEMPLATE, 20_000)  # the user shrinks the catalogue
    fixed = run(book, send=True, mailer=quick_mailer())
    assert fixed.stopped is None
    got = delivered(mail_server)
    assert max(got.values()) == 1 and all(got[k] == 1 for k in planned if k[0] not in big[:4])


def test_552_at_the_end_of_data_for_two_messages_fails_them_by_name_and_the_batch_goes_on(ready, mail_server):
    book, planned, rows = ready
    first_of = rows.drop_duplicates("template")  # two messages of different templates
    big = list(first_of["to"][:2])
    mail_server.faults.data_for = {address: TOO_BIG for address in big}
    result = run(book, send=True, mailer=quick_mailer())
    assert result.stopped is None
    for address in big:
        state, en, zh = decided(result, address)
        assert state == "failed" and "too large for the server" in en and "552 5.3.4" in en
        assert "服务器上限" in zh and "压缩或删除附件" in zh
    assert delivered(mail_server) == only(planned, lambda k: k[0] not in big)


@pytest.mark.parametrize("answer", [TOO_BIG, "552 Error: Too much mail data", "554 5.3.4 Message too big for system",
                                    "552 5.2.3 Message length exceeds administrative limit", "552 邮件大小超过限制"])
def test_answers_saying_the_message_is_too_large_fail_that_message_alone(answer):
    fault = data_fault("me@example.com", int(answer[:3]), answer[4:], ("a@example.com",), 2_500_000, 1_000_000)
    assert isinstance(fault, Rejected) and fault.too_big and not fault.recipient
    assert "2.5 MB" in fault.reason.text("en") and "1.0 MB" in fault.reason.text("zh")


@pytest.mark.parametrize("answer", ["552 5.2.2 Mailbox full", "552 Requested mail action aborted: mailbox full"])
def test_a_full_mailbox_said_with_552_is_still_put_off(answer):
    assert isinstance(data_fault("me@example.com", 552, answer[4:], ("a@example.com",)), Deferred)


# 2. A server hanging up at one recipient


def hang_up_at(server, address: str) -> None:
    """The server closes the connection when asked to take mail for `address` (RCPT TO)."""
    recorder = server.recorder
    answer_rcpt = type(recorder).handle_RCPT

    async def handle_RCPT(smtp, session, envelope, to, options):
        if to == address or address == "*":
            recorder.attempts[to] += 1
            smtp.transport.close()
            return "250 OK"
        return await answer_rcpt(recorder, smtp, session, envelope, to, options)

    recorder.handle_RCPT = handle_RCPT


def test_a_server_hanging_up_at_one_recipient_puts_that_message_off_and_sends_the_others_once(ready, mail_server):
    book, planned, rows = ready
    customers = list(dict.fromkeys(rows["to"]))
    poison = customers[2]
    hang_up_at(mail_server, poison)
    for tries, mailer in ((4, quick_mailer(retries=3)), (1, SmtpMailer(timeout=10))):
        started, asked = time.monotonic(), mail_server.recorder.attempts[poison]
        result = run(book, send=True, mailer=mailer)
        assert result.stopped is None
        state, en, zh = decided(result, poison)
        assert state == "deferred" and f"1 of {DEFER_LIMIT}" in en and poison in en and "closed the connection" in en
        assert poison in zh and "断开了连接" in zh and f"{tries} " in en
        assert delivered(mail_server) == only(planned, lambda k: k[0] != poison)  # everyone else once
        # the first run tries, retries three times, then puts it off; a later one does not wait 85 s on it again
        assert mail_server.recorder.attempts[poison] - asked == tries and time.monotonic() - started < 20
    shown = "\n".join(result.lines("zh"))
    assert f"服务器暂缓:{result.plan.loc[result.plan['to'].eq(poison), 'customer'].iloc[0]}" in shown
    states = [e["state"] for e in journal(book).read() if e.get("to") == poison or
              e["key"] in {k for k, v in journal(book).latest().items() if v.get("to") == poison}]
    assert "sent" not in states and states[-1] == "deferred"

    del mail_server.recorder.handle_RCPT  # the server takes their mail again
    last = run(book, send=True, mailer=quick_mailer(retries=3))
    assert last.stopped is None and decided(last, poison)[0] == "sent" and delivered(mail_server) == planned


def test_a_server_hanging_up_at_every_recipient_stops_and_puts_nobody_off(ready, mail_server):
    book, planned, _ = ready
    hang_up_at(mail_server, "*")
    result = run(book, send=True, mailer=quick_mailer(retries=2))
    assert result.stopped is not None and "kept failing" in result.stopped.text("en")
    assert result.counts()["deferred"] == 0 and result.counts()["failed"] == 0 and mail_server.received == []
    assert sum(mail_server.recorder.attempts.values()) == 6  # two messages, three tries each, then no more asking


# 3. A sending limit said with 421


def limit_after(server, accepted: int, answer: str = "421 4.7.0 Too many messages, try later") -> list[str]:
    """The server answers MAIL FROM with `answer` once `accepted` messages were taken; what it answered so."""
    recorder, said = server.recorder, []
    answer_mail = type(recorder).handle_MAIL

    async def handle_MAIL(smtp, session, envelope, address, options):
        if len(recorder.received) >= accepted:
            said.append(answer)
            return answer
        return await answer_mail(recorder, smtp, session, envelope, address, options)

    recorder.handle_MAIL = handle_MAIL
    return said


def test_421_too_many_messages_at_mail_from_stops_at_once_with_the_sending_limit_advice(ready, mail_server):
    book, planned, _ = ready
    said = limit_after(mail_server, 5)
    started = time.monotonic()
    result = run(book, send=True, mailer=SmtpMailer(timeout=10))  # the real back-off: 85 s if it were retried
    assert time.monotonic() - started < 20 and len(said) == 1
    en, zh = result.stopped.text("en"), result.stopped.text("zh")
    assert "sending limit" in en and "421 4.7.0 Too many messages" in en and "daily_cap" in en
    assert "发送上限" in zh and "kept failing" not in en
    assert result.counts()["sent"] == 5 and result.counts()["failed"] == result.counts()["deferred"] == 0
    del mail_server.recorder.handle_MAIL  # the limit is over
    rest = run(book, send=True, mailer=quick_mailer())
    assert rest.stopped is None and delivered(mail_server) == planned


# 4. Put off day after day: counted by the customer's address, whatever the template


class OnDay(SystemClock):
    def __init__(self, day: dt.date):
        self.day = day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.datetime.now().time())


def test_a_full_mailbox_put_off_on_two_days_counts_two_when_the_template_changed(ready, mail_server):
    book, planned, rows = ready
    follow_up = rows.loc[rows["template"].eq("跟进问候"), "to"].iloc[0]  # overdue the next day: 久未联系问候
    mail_server.faults.reject_rcpt = {follow_up: f"452 4.2.2 <{follow_up}>: Mailbox full"}
    first = run(book, send=True, mailer=quick_mailer(), clock=OnDay(TODAY))
    assert decided(first, follow_up)[0] == "deferred" and f"day 1 of {DEFER_LIMIT}" in decided(first, follow_up)[1]
    tomorrow = TODAY + dt.timedelta(days=1)
    second = run(book, send=True, mailer=quick_mailer(), clock=OnDay(tomorrow), today=tomorrow)
    row = second.plan[second.plan["to"].eq(follow_up)].iloc[0]
    assert row["template"] != "跟进问候" and row["decision"] == "deferred"
    assert f"day 2 of {DEFER_LIMIT}" in row["reason"].text("en") and f"第 2 天,共 {DEFER_LIMIT} 天" in \
        row["reason"].text("zh")
    assert all(r.rcpt_tos[0] != follow_up for r in mail_server.received)


# 5. Ctrl-C while sending


def test_ctrl_c_between_two_messages_says_how_many_went_out_and_none_is_in_doubt(ready, mail_server):
    book, planned, _ = ready

    def ctrl_c_after_three(items, count, label):
        for number, item in enumerate(items):
            if number == 3 and "Sending" in label.text("en"):
                raise KeyboardInterrupt
            yield item

    with pytest.raises(KeyboardInterrupt) as stopped:
        run(book, send=True, mailer=quick_mailer(), progress=ctrl_c_after_three)
    en, zh = stopped.value.reason.text("en"), stopped.value.reason.text("zh")
    assert "3 messages of this batch had gone out" in en and "none is of unknown outcome" in en
    assert "本批已发出 3 封" in zh and journal_path(book.parent, book.name).name in zh
    rest = run(book, send=True, mailer=quick_mailer())
    assert rest.stopped is None and delivered(mail_server) == planned


def test_ctrl_c_while_the_server_holds_a_message_counts_it_as_of_unknown_outcome(ready, mail_server):
    book, planned, _ = ready
    mail_server.faults.hold_at_data = 3

    def press_ctrl_c() -> None:
        if mail_server.faults.held.wait(30):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)
        mail_server.faults.release.set()

    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    with pytest.raises(KeyboardInterrupt) as stopped:
        run(book, send=True, mailer=quick_mailer())
    presser.join(10)
    en, zh = stopped.value.reason.text("en"), stopped.value.reason.text("zh")
    assert "2 messages of this batch had gone out" in en and "1 message of unknown outcome" in en
    assert "1 封状态不明" in zh and "已发送" in zh
    rest = run(book, send=True, mailer=quick_mailer())
    assert rest.counts()["in_flight"] == 1 and delivered(mail_server) == planned  # the held one arrived, once
    assert Counter(log_states(book))["状态不明"] <= 1 and sheet_rows(book, "发送记录")
