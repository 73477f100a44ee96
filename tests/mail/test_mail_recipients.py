"""Answers about one recipient, scripted per address and per attempt on a real loopback server: a busy or
refused recipient never holds up the others, and nobody gets a message twice over many runs."""

import datetime as dt
import json
import time
from collections import Counter

import pytest

from helpers.mailbook import log_states, point_at, remind_on
from helpers.smtp_server import delivered
from xlcrm.mail.batch import DEFER_LIMIT
from xlcrm.mail.journal import journal_path
from xlcrm.mail.smtp import SmtpMailer

run = remind_on


def patient():
    """The real back-off (5, 20, 60 s): a test finishing in seconds proves nothing waited on it."""
    return SmtpMailer(timeout=10)


@pytest.fixture
def ready(zh_book, mail_server):
    planned, rows = point_at(zh_book, mail_server)
    customers = list(dict.fromkeys(rows.loc[rows["row"].notna(), "to"]))
    return zh_book, planned, customers


def others(planned: Counter, *addresses: str) -> Counter:
    return Counter({k: v for k, v in planned.items() if k[0] not in addresses})


def a_day_earlier(book, address: str) -> None:
    """Every journal line of the messages to `address` dated a day earlier: the runs so far happened on earlier days
    (a recipient is given up after being put off on DEFER_LIMIT different days, not runs)."""
    path = journal_path(book.parent, book.name)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    keys = {line["key"] for line in lines if line.get("to") == address}
    for line in lines:
        if line["key"] in keys:
            line["at"] = (dt.datetime.fromisoformat(line["at"]) - dt.timedelta(days=1)).isoformat()
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")


def decided(result, address: str) -> tuple[str, str]:
    row = result.plan[result.plan["to"].eq(address)].iloc[0]
    return row["decision"], row["reason"].text("en") if row["reason"] is not None else ""


def test_a_recipient_always_answering_451_is_deferred_day_after_day_then_failed_and_nobody_waits(ready, mail_server):
    book, planned, customers = ready
    busy = customers[1]
    mail_server.faults.rcpt_script = {busy: ["451 4.2.0 Mailbox busy, try later"]}
    for attempt in range(1, DEFER_LIMIT + 1):
        if attempt > 1:
            a_day_earlier(book, busy)  # the run before was yesterday
        started = time.monotonic()
        result = run(book, send=True, mailer=patient())
        assert time.monotonic() - started < 20 and result.stopped is None
        state, why = decided(result, busy)
        if attempt < DEFER_LIMIT:
            assert state == "deferred" and "451 4.2.0 Mailbox busy" in why and f"{attempt} of {DEFER_LIMIT}" in why
        else:
            assert state == "failed" and "451" in why and f"{DEFER_LIMIT} different days" in why
        assert delivered(mail_server) == others(planned, busy)  # everyone else once, from the first run on
    assert mail_server.recorder.attempts[busy] == DEFER_LIMIT
    assert log_states(book)["发送失败"] == 1
    assert run(book, send=True, mailer=patient()).counts()["sent"] == 0 and mail_server.recorder.attempts[busy] == 5


def test_451_then_250_at_rcpt_goes_out_on_the_next_run_exactly_once(ready, mail_server):
    book, planned, customers = ready
    greylisted = customers[0]
    mail_server.faults.rcpt_script = {greylisted: ["451 4.7.1 Greylisted, please try again later", "250 OK"]}
    first = run(book, send=True, mailer=patient())
    assert decided(first, greylisted)[0] == "deferred" and first.stopped is None
    assert log_states(book)["服务器暂缓"] == 1
    second = run(book, send=True, mailer=patient())
    assert decided(second, greylisted)[0] == "sent" and second.counts()["sent"] == 1
    assert delivered(mail_server) == planned


def test_two_recipients_refused_with_access_denied_fail_with_the_servers_words_and_the_batch_goes_on(
        ready, mail_server):
    book, planned, customers = ready
    denied = customers[:2]
    mail_server.faults.reject_rcpt = {a: f"550 5.7.1 <{a}>: Recipient address rejected: Access denied"
                                      for a in denied}
    result = run(book, send=True, mailer=patient())
    assert result.stopped is None
    for address in denied:
        state, why = decided(result, address)
        assert state == "failed" and "Access denied" in why
    assert delivered(mail_server) == others(planned, *denied)
    again = run(book, send=True, mailer=patient())
    assert again.counts()["sent"] == 0 and delivered(mail_server) == others(planned, *denied)


def test_452_too_many_recipients_is_about_the_connection_so_the_message_is_retried_and_delivered(
        ready, mail_server):
    book, planned, customers = ready
    mail_server.faults.rcpt_script = {customers[2]: ["452 4.5.3 Too many recipients", "250 OK"]}
    result = run(book, send=True, mailer=SmtpMailer(timeout=10, backoff=(0.01, 0.02)))
    assert result.stopped is None and delivered(mail_server) == planned


def test_554_at_data_for_one_recipient_fails_that_message_only(ready, mail_server):
    book, planned, customers = ready
    spam = customers[1]
    mail_server.faults.data_for = {spam: "554 5.7.1 Message rejected: spam score too high"}
    result = run(book, send=True, mailer=patient())
    assert result.stopped is None and decided(result, spam) == ("failed", decided(result, spam)[1])
    assert "spam score" in decided(result, spam)[1]
    assert delivered(mail_server) == others(planned, spam)


@pytest.mark.parametrize("answer", ["451 4.7.1 try again later", "452 4.2.2 mailbox full", "552 5.2.2 mailbox full"])
def test_a_recipient_answered_4xx_at_data_every_time_is_deferred_at_once_and_goes_out_once_when_accepted(
        ready, mail_server, answer):
    book, planned, customers = ready
    busy = customers[1]
    mail_server.faults.data_for = {busy: answer}
    for attempt in (1, 2):
        if attempt > 1:
            a_day_earlier(book, busy)  # the run before was yesterday
        started = time.monotonic()
        result = run(book, send=True, mailer=patient())
        assert time.monotonic() - started < 10 and result.stopped is None  # the back-off alone would be 85 s
        state, why = decided(result, busy)
        assert state == "deferred" and answer in why and f"{attempt} of {DEFER_LIMIT}" in why
        assert mail_server.recorder.attempts[busy] == attempt  # asked once a run, not retried within it
        assert delivered(mail_server) == others(planned, busy)  # everyone else once, from the first run on
    assert log_states(book)["服务器暂缓"] == 1
    mail_server.faults.data_for = {}
    accepted = run(book, send=True, mailer=patient())
    assert decided(accepted, busy)[0] == "sent" and delivered(mail_server) == planned
    assert run(book, send=True, mailer=patient()).counts()["sent"] == 0 and delivered(mail_server) == planned


@pytest.mark.parametrize("answer", ["550 5.2.1 <{a}>: mailbox disabled", "550 5.1.1 <{a}>: user unknown"])
def test_two_mailboxes_refused_at_data_in_a_row_fail_those_rows_and_the_rest_go_out(ready, mail_server, answer):
    book, planned, customers = ready
    refused = customers[:2]
    mail_server.faults.data_for = {a: answer.format(a=a) for a in refused}
    result = run(book, send=True, mailer=patient())
    assert result.stopped is None
    for address in refused:
        state, why = decided(result, address)
        assert state == "failed" and answer.split()[1] in why and address in why
    assert delivered(mail_server) == others(planned, *refused)
    assert log_states(book)["发送失败"] == 2
    again = run(book, send=True, mailer=patient())
    assert again.counts()["sent"] == 0 and delivered(mail_server) == others(planned, *refused)


@pytest.mark.parametrize("where, answer", [
    ("rcpt", "450 4.1.8 <sales@xlcrm-test.example.com>: Sender address rejected: Domain not found"),
    ("data", "550 5.1.8 <sales@xlcrm-test.example.com>: Sender address rejected: Domain not found"),
    ("data", "553 5.1.7 The sender address is not valid")])
def test_an_answer_about_the_sender_stops_the_batch_wherever_it_comes_and_blames_no_recipient(
        ready, mail_server, where, answer):
    book, planned, customers = ready
    first = customers[0]
    if where == "rcpt":
        mail_server.faults.rcpt_script = {first: [answer]}
    else:
        mail_server.faults.data_for = {first: answer}
    started = time.monotonic()
    result = run(book, send=True, mailer=patient())
    assert time.monotonic() - started < 10 and result.stopped is not None
    assert "refused the sender address" in result.stopped.text("en") and answer.split()[1] in result.stopped.text("en")
    assert result.counts()["failed"] == result.counts()["deferred"] == 0 and "发送失败" not in log_states(book)
    mail_server.faults.rcpt_script, mail_server.faults.data_for = {}, {}
    again = run(book, send=True, mailer=patient())
    assert again.stopped is None and delivered(mail_server) == planned


def test_421_at_rcpt_once_reconnects_and_delivers_everyone_once(ready, mail_server):
    book, planned, customers = ready
    mail_server.faults.rcpt_script = {customers[2]: ["421 4.3.2 Service shutting down", "250 OK"]}
    result = run(book, send=True, mailer=SmtpMailer(timeout=10, backoff=(0.01, 0.02)))
    assert result.stopped is None and delivered(mail_server) == planned


def test_a_relay_refusing_the_sender_still_stops_the_batch(ready, mail_server):
    book, _, customers = ready
    mail_server.faults.rcpt_script = {customers[0]: ["554 5.7.1 Relay access denied"]}
    result = run(book, send=True, mailer=patient())
    assert result.stopped is not None and "sender" in result.stopped.text("en")
    assert result.counts()["failed"] == 0


def _give_address(book, rows, address):
    from helpers.workbooks import edit

    row = int(rows.loc[rows["row"].notna(), "row"].iloc[0])
    edit(book, "客户跟踪表", {f"G{row}": address})
    return row


@pytest.mark.parametrize("offered", [True, False])
def test_a_non_ascii_local_part_goes_out_where_smtputf8_is_offered_and_is_named_where_not(
        zh_book, tmp_path, monkeypatch, offered):
    from helpers.smtp_server import PASSWORD, MailServer

    folder = tmp_path / "utf8"
    folder.mkdir()
    server = MailServer(folder, "ssl", smtputf8=offered).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    try:
        _, rows = point_at(zh_book, server)
        address = "张三@xlcrm-test.example.com"
        _give_address(zh_book, rows, address)
        result = run(zh_book, send=True, mailer=patient())
    finally:
        server.stop()
    state, why = decided(result, address)
    assert result.stopped is None and result.counts()["sent"] > 0
    if offered:
        assert state == "sent" and [address] in [r.rcpt_tos for r in server.received]
    else:
        assert state == "failed" and "SMTPUTF8" in why and address in why
        assert all(address not in r.rcpt_tos for r in server.received)


def test_customer_mail_carries_a_list_unsubscribe_mailto_and_says_how_to_stop(ready, mail_server):
    book, _, _ = ready
    run(book, send=True, mailer=patient())
    message = next(r.message for r in mail_server.received if r.rcpt_tos[0] != "sales@xlcrm-test.example.com")
    assert message["List-Unsubscribe"].startswith("<mailto:sales@xlcrm-test.example.com?subject=unsubscribe%20")
    assert "退订" in message.get_body(("plain",)).get_content()
