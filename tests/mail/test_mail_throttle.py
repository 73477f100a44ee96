"""A server holding the whole session back with a 4xx not worded as a limit ("451 4.7.1 Please try again later"),
163's 超出限制, runs on one day, a password that is missing, a reconnect that fails after messages went out: on a
real loopback server, each said in the user's words and nobody's message lost or given up on too early."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from helpers.cli import run as cli
from helpers.mailbook import log_states, point_at, quick_mailer, remind_on
from helpers.smtp_server import delivered
from helpers.workbooks import sheet_rows
from xlcrm.core.i18n import Msg
from xlcrm.mail.batch import DEFER_LIMIT
from xlcrm.mail.credentials import NO_PASSWORD
from xlcrm.mail.faults import Deferred, Fatal
from xlcrm.mail.journal import Journal, journal_path
from xlcrm.mail.replies import put_off

run = remind_on
LATER = "451 4.7.1 Please try again later"


@pytest.fixture
def ready(zh_book, mail_server):
    planned, rows = point_at(zh_book, mail_server)
    customers = list(dict.fromkeys(rows.loc[rows["row"].notna(), "to"]))
    return zh_book, planned, customers


def throttle_after(server, accepted: int, answer: str = LATER) -> None:
    """From now on the server takes `accepted` more messages, then answers every end of DATA with `answer`."""
    first = server.recorder.datas + accepted + 1
    server.faults.data_replies = {n: answer for n in range(first, first + 500)}


def journal_lines(book) -> list[dict]:
    return Journal(journal_path(book.parent, book.name)).read()


def test_the_same_451_for_several_messages_in_a_row_stops_the_batch_like_a_rate_limit(ready, mail_server):
    book, planned, _ = ready
    total = sum(planned.values())
    throttle_after(mail_server, 5)
    result = run(book, send=True, mailer=quick_mailer())
    stopped = result.stopped.text("en")
    assert "4.7.1 Please try again later" in stopped and "sending limit" in stopped and "later run" in stopped
    assert "暂缓" in result.stopped.text("zh") and "4.7.1 Please try again later" in result.stopped.text("zh")
    counts = result.counts()
    assert counts["sent"] == len(mail_server.received) == 5
    assert counts["deferred"] == 0 and counts["failed"] == 0 and counts["unsent"] == total - 5
    assert mail_server.recorder.datas == 5 + 3  # three in a row, then no more asking
    assert log_states(book)["服务器暂缓"] == 0
    mail_server.faults.data_replies = {}
    rest = run(book, send=True, mailer=quick_mailer())
    assert rest.stopped is None and rest.counts()["sent"] == total - 5 and delivered(mail_server) == planned


def test_the_rate_limit_stop_exits_as_a_too_many_messages_stop_does(ready, mail_server):
    book, planned, _ = ready
    throttle_after(mail_server, 2)
    result = cli("remind", book, "--send", "--today", "2026-11-23")
    assert result.exit_code == 1, result.output
    assert "已停止" in result.output and "4.7.1 Please try again later" in result.output
    assert "unexpected" not in result.output.lower() and len(mail_server.received) == 2


def test_five_throttled_runs_on_one_day_fail_nothing_and_everyone_gets_one_message_in_the_end(ready, mail_server):
    book, planned, _ = ready
    for _ in range(DEFER_LIMIT + 1):
        throttle_after(mail_server, 2)
        result = run(book, send=True, mailer=quick_mailer())
        assert result.stopped is not None and result.counts()["failed"] == 0
    mail_server.faults.data_replies = {}
    last = run(book, send=True, mailer=quick_mailer())
    assert last.stopped is None and last.counts()["failed"] == 0 and delivered(mail_server) == planned
    assert log_states(book)["发送失败"] == 0


@pytest.mark.parametrize("answer", ["451 MI:DMC 当前连接发送的邮件数量超出限制",
                                    "450 4.7.1 您的发送频率过快,请稍后再试",
                                    "451 4.7.0 已超过每日发送上限"])
def test_chinese_limit_answers_stop_the_batch_at_once(ready, mail_server, answer):
    book, planned, _ = ready
    throttle_after(mail_server, 3, answer)
    result = run(book, send=True, mailer=quick_mailer())
    assert result.stopped is not None and answer in result.stopped.text("zh") and "发送上限" in result.stopped.text("zh")
    assert result.counts()["sent"] == 3 and result.counts()["deferred"] == 0
    assert mail_server.recorder.datas == 4  # the first such answer is enough


@pytest.mark.parametrize("answer, fatal", [("MI:DMC 当前连接发送的邮件数量超出限制", True),
                                           ("超出发送限制", True), ("发送过于频繁", True),
                                           ("4.7.1 Greylisted, please try again later", False),
                                           ("4.2.2 Mailbox full", False)])
def test_put_off_knows_a_limit_in_chinese_from_greylisting(answer, fatal):
    assert isinstance(put_off(451, answer, recipient=True), Fatal if fatal else Deferred)


def test_a_recipient_put_off_in_every_run_of_one_day_is_never_given_up_that_day(ready, mail_server):
    book, planned, customers = ready
    busy = customers[1]
    mail_server.faults.rcpt_script = {busy: ["451 4.2.0 Mailbox busy, try later"]}
    for _ in range(DEFER_LIMIT + 2):
        result = run(book, send=True, mailer=quick_mailer())
        row = result.plan[result.plan["to"].eq(busy)].iloc[0]
        assert row["decision"] == "deferred" and f"1 of {DEFER_LIMIT}" in row["reason"].text("en")
    assert mail_server.recorder.attempts[busy] == DEFER_LIMIT + 2 and log_states(book)["发送失败"] == 0


def test_the_deferred_customers_are_listed_with_the_servers_answer(ready, mail_server):
    book, planned, customers = ready
    busy = customers[2]
    mail_server.faults.rcpt_script = {busy: ["451 4.2.0 Mailbox busy, try later"]}
    result = run(book, send=True, mailer=quick_mailer())
    customer = result.plan.loc[result.plan["to"].eq(busy), "customer"].iloc[0]
    zh = [line for line in result.lines("zh") if busy in line]
    en = [line for line in result.lines("en") if busy in line]
    assert len(zh) == 1 and "服务器暂缓" in zh[0] and customer in zh[0] and "451 4.2.0 Mailbox busy" in zh[0]
    assert len(en) == 1 and "Put off" in en[0] and "451 4.2.0 Mailbox busy" in en[0]


def test_no_password_says_so_in_the_users_language_and_sends_nothing(ready, mail_server, monkeypatch,
                                                                      memory_keyring):
    book, planned, _ = ready
    monkeypatch.delenv("XLCRM_SMTP_PASSWORD")
    result = run(book, send=True, mailer=quick_mailer())
    assert isinstance(result.stopped, Msg) and result.stopped.zh == NO_PASSWORD.zh
    assert "密码" in result.stopped.text("zh") and "unexpected" not in result.stopped.text("en").lower()
    assert mail_server.received == [] and result.counts()["sent"] == 0
    assert not [line for line in journal_lines(book) if line["state"] == "sending"]
    shown = cli("remind", book, "--send", "--today", "2026-11-23")
    assert shown.exit_code == 1 and "没有" in shown.output and "的密码" in shown.output
    assert "意外" not in shown.output and "XLCRM_DEBUG" not in shown.output and mail_server.received == []


def test_a_reconnect_that_fails_after_messages_went_out_says_how_many_did(ready, mail_server):
    book, planned, _ = ready
    total = sum(planned.values())

    def stop_after_three(items, count, label):
        for number, item in enumerate(items):
            if number == 3 and "Sending" in label.text("en"):
                mail_server.stop()  # the server goes away between two messages
            yield item

    try:
        result = run(book, send=True, mailer=quick_mailer(), progress=stop_after_three)
    finally:
        mail_server.controller.loop = asyncio.new_event_loop()  # back on the same port (its old loop was closed)
        mail_server.start()
    en, zh = result.stopped.text("en"), result.stopped.text("zh")
    assert result.counts()["sent"] == 3
    assert "Nothing was sent" not in en and "3 messages of this batch had already gone out" in en
    assert "next run" in en and "本批未发送" not in zh and "本批已发出 3 封" in zh
    rest = run(book, send=True, mailer=quick_mailer())
    assert rest.stopped is None and rest.counts()["sent"] == total - 3 and delivered(mail_server) == planned


def test_a_message_sent_after_being_put_off_keeps_no_old_reason(ready, mail_server):
    book, planned, customers = ready
    greylisted = customers[0]
    mail_server.faults.rcpt_script = {greylisted: ["451 4.7.1 Greylisted, please try again later", "250 OK"]}
    run(book, send=True, mailer=quick_mailer())
    run(book, send=True, mailer=quick_mailer())
    log = sheet_rows(book, "发送记录")
    row = next(r for r in log[1:] if r[4] == greylisted)
    assert row[1] == "已发送" and not row[9], row
    journal = Journal(journal_path(book.parent, book.name))
    entry = next(e for e in journal.latest().values() if e.get("to") == greylisted)
    assert entry["state"] == "sent" and not {"reason", "reason_zh", "code", "deferrals"} & set(entry)
    assert entry["customer"] and entry["subject"]  # what the message is still comes from its sending line


def test_the_latest_line_of_a_key_carries_no_outcome_of_an_earlier_one(tmp_path):
    journal = Journal(tmp_path / "b.xlcrm-mail.jsonl")
    with journal.writing():
        journal.record("k", "sending", customer="A", to="a@example.com")
        journal.record("k", "deferred", code=451, reason=Msg("put off", "暂缓"), deferrals=1)
        journal.record("k", "sending", customer="A", to="a@example.com")
        journal.record("k", "sent")
    entry = journal.latest()["k"]
    assert entry["state"] == "sent" and entry["customer"] == "A" and entry["to"] == "a@example.com"
    assert not {"reason", "reason_zh", "code", "deferrals"} & set(entry)
    assert journal.history()["reason"].isna().all()


def test_server_reasons_read_in_the_workbooks_language_and_an_old_journal_still_reads(ready, mail_server):
    book, planned, customers = ready
    bad = customers[1]
    mail_server.faults.reject_rcpt = {bad: f"550 5.1.1 <{bad}>: Recipient address rejected: User unknown"}
    run(book, send=True, mailer=quick_mailer())
    row = next(r for r in sheet_rows(book, "发送记录")[1:] if r[4] == bad)
    assert row[1] == "发送失败" and row[9].startswith("服务器答复 550 5.1.1") and "the server" not in row[9]
    again = run(book, send=True, mailer=quick_mailer())
    skip = again.plan.loc[again.plan["to"].eq(bad), "reason"].iloc[0]
    assert "服务器答复 550" in skip.text("zh") and "the server answered 550" in skip.text("en")
    path = journal_path(book.parent, book.name)
    path.write_text(path.read_text(encoding="utf-8").replace('"reason_zh"', '"reason_zh_gone"'),
                    encoding="utf-8")  # as an older xlcrm wrote it: English only
    history = Journal(path).history()
    kept = history.loc[history["to"].eq(bad), "reason"].iloc[0]
    assert kept.text("zh") == kept.text("en") and "the server answered 550" in kept.text("zh")
    assert Counter(history["state"])["failed"] == 1


def test_greylisting_several_new_recipients_in_a_row_does_not_stop_the_batch(ready, mail_server):
    book, planned, customers = ready
    new = customers[:4]
    mail_server.faults.rcpt_script = {a: ["451 4.7.1 Greylisted, please try again later", "250 OK"] for a in new}
    result = run(book, send=True, mailer=quick_mailer())
    assert result.stopped is None and result.counts()["deferred"] == 4
    assert delivered(mail_server) == Counter({k: v for k, v in planned.items() if k[0] not in new})
    again = run(book, send=True, mailer=quick_mailer())
    assert again.counts()["sent"] == 4 and delivered(mail_server) == planned
