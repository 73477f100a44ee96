"""Faults against the real loopback server: dropped connections, 451, 550, refused login, untrusted
certificate. After each, a re-run leaves every customer with exactly one message and the log says what
happened to each."""

from collections import Counter

from helpers.mailbook import log_states, quick_mailer, remind_on
from helpers.smtp_server import delivered
from helpers.workbooks import edit, sheet_rows

run = remind_on


def test_a_connection_dropped_before_the_data_is_retried_and_nothing_is_lost(ready, mail_server):
    book, planned = ready
    mail_server.faults.drop_at_mail = {3, 4}  # twice in a row, on the same message
    result = run(book, send=True, mailer=quick_mailer(retries=3))
    assert delivered(mail_server) == planned  # every message exactly once
    assert result.counts()["sent"] == sum(planned.values()) and result.stopped is None
    assert log_states(book)["已发送"] == sum(planned.values())


def test_451_at_data_then_250_is_put_off_to_the_next_run_and_delivered_once(ready, mail_server):
    book, planned = ready
    mail_server.faults.data_replies = {2: "451 4.3.0 Temporary local problem, try again"}
    result = run(book, send=True, mailer=quick_mailer(retries=3))
    assert result.stopped is None and result.counts()["sent"] == sum(planned.values()) - 1
    assert result.counts()["deferred"] == 1 and len(mail_server.received) == sum(planned.values()) - 1
    again = run(book, send=True, mailer=quick_mailer(retries=3))
    assert again.counts()["sent"] == 1 and delivered(mail_server) == planned


def test_550_for_one_recipient_fails_that_row_only_and_is_not_retried_until_the_address_changes(ready, mail_server):
    book, planned = ready
    bad = sorted(planned)[1][0]
    mail_server.faults.reject_rcpt = {bad: "550 5.1.1 <%s>: Recipient address rejected: User unknown" % bad}
    result = run(book, send=True, mailer=quick_mailer(retries=3))
    failed = result.plan[result.plan["decision"].eq("failed")]
    assert list(failed["to"]) == [bad] and "550" in failed["reason"].iloc[0].text("en")
    assert delivered(mail_server) == Counter({k: v for k, v in planned.items() if k[0] != bad})
    log = sheet_rows(book, "发送记录")
    failed_rows = [r for r in log[1:] if r[1] == "发送失败"]
    assert len(failed_rows) == 1 and failed_rows[0][4] == bad and "550" in failed_rows[0][9]
    rows = sheet_rows(book, "客户跟踪表")
    status = rows[1].index("邮件状态")
    assert "发送失败" in rows[int(failed["row"].iloc[0]) - 1][status]

    again = run(book, send=True, mailer=quick_mailer(retries=3))
    assert again.counts()["sent"] == 0 and len(mail_server.received) == sum(planned.values()) - 1
    assert "correct the address" in again.plan.loc[again.plan["to"].eq(bad), "reason"].iloc[0].text("en")

    fixed = bad.replace("@", ".fixed@")
    row = int(failed["row"].iloc[0])
    edit(book, "客户跟踪表", {f"G{row}": fixed})
    mail_server.faults.reject_rcpt = {}
    third = run(book, send=True, mailer=quick_mailer(retries=3))
    assert third.counts()["sent"] == 1
    assert mail_server.received[-1].rcpt_tos == [fixed]


def test_a_message_taken_but_not_answered_is_in_flight_never_resent_until_the_team_decides(ready, mail_server):
    book, planned = ready
    mail_server.faults.drop_after_data = {4}
    result = run(book, send=True, mailer=quick_mailer(retries=3))
    assert delivered(mail_server) == planned  # the server kept it; everyone has exactly one
    in_flight = result.plan[result.plan["decision"].eq("in_flight")]
    assert len(in_flight) == 1
    text = "\n".join(result.lines("zh"))
    assert "状态不明" in text and in_flight["customer"].iloc[0] in text

    again = run(book, send=True, mailer=quick_mailer(retries=3))
    assert delivered(mail_server) == planned  # not resent on a guess
    assert again.counts()["in_flight"] == 1 and again.counts()["sent"] == 0
    log = sheet_rows(book, "发送记录")
    row = next(i for i, r in enumerate(log, start=1) if r[1] == "状态不明,请核对")
    edit(book, "发送记录", {f"K{row}": "已发"})  # checked the Sent folder: it went out
    settled = run(book, send=True, mailer=quick_mailer(retries=3))
    assert settled.counts()["in_flight"] == 0 and settled.counts()["sent"] == 0
    assert delivered(mail_server) == planned


def test_the_team_can_ask_for_an_in_flight_message_to_be_sent_again(ready, mail_server):
    book, planned = ready
    mail_server.faults.drop_after_data = {2}
    run(book, send=True, mailer=quick_mailer(retries=3))
    log = sheet_rows(book, "发送记录")
    row = next(i for i, r in enumerate(log, start=1) if r[1] == "状态不明,请核对")
    edit(book, "发送记录", {f"K{row}": "重发"})
    resent = run(book, send=True, mailer=quick_mailer(retries=3))
    assert resent.counts()["sent"] == 1
    counts = delivered(mail_server)
    assert sum(counts.values()) == sum(planned.values()) + 1  # the one they asked for, once more


def test_a_refused_login_stops_the_batch_with_nothing_sent_and_a_rerun_sends_everything(ready, mail_server, monkeypatch):
    book, planned = ready
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", "wrong")
    result = run(book, send=True, mailer=quick_mailer(retries=3))
    assert mail_server.received == []
    assert result.stopped is not None and "refused the login" in result.stopped.text("en")
    assert "授权码" in result.stopped.text("zh") and "wrong" not in "\n".join(result.lines("en"))
    assert result.counts()["sent"] == 0 and result.counts()["unsent"] == sum(planned.values())
    assert "已发送" not in log_states(book)
    from helpers.smtp_server import PASSWORD

    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    again = run(book, send=True, mailer=quick_mailer(retries=3))
    assert delivered(mail_server) == planned and again.counts()["sent"] == sum(planned.values())


def test_an_untrusted_certificate_stops_before_anything_is_sent(ready, mail_server, monkeypatch):
    book, planned = ready
    monkeypatch.delenv("SSL_CERT_FILE")
    result = run(book, send=True, mailer=quick_mailer(retries=3))
    assert mail_server.received == [] and "certificate" in result.stopped.text("en")
    assert result.counts()["sent"] == 0


def test_a_server_that_keeps_saying_421_is_given_up_on_and_the_rest_waits_for_the_next_run(ready, mail_server):
    book, planned = ready
    mail_server.faults.data_replies = {n: "421 4.7.0 Too many messages, slow down" for n in range(3, 10)}
    result = run(book, send=True, mailer=quick_mailer(retries=3))
    assert result.stopped is not None and "421" in result.stopped.text("en")
    sent = result.counts()["sent"]
    assert sent == 2 and len(mail_server.received) == 2
    mail_server.faults.data_replies = {}
    again = run(book, send=True, mailer=quick_mailer(retries=3))
    assert delivered(mail_server) == planned and again.counts()["sent"] == sum(planned.values()) - 2
