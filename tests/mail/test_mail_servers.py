"""Mail servers nobody on the team has tried, stood up for real on loopback: the security the user picked
does not match what the server speaks, a server that says nothing, logins the server offers differently,
certificates that are not trusted, and settings typed loosely. What a user checks: what the server got,
the send log sheet, the journal, the command's exit code and words."""

import datetime as dt
import json
import smtplib
from collections import Counter

import pytest

from conftest import TODAY
from helpers.cli import run as cli
from helpers.mailbook import log_states, point_at, quick_mailer, remind_on, set_settings
from helpers.smtp_server import PASSWORD, MailServer, SilentServer, delivered
from helpers.workbooks import edit, sheet_rows
from xlcrm.book.file import FileBook
from xlcrm.mail.smtp import SmtpMailer


run = remind_on


def server(tmp_path, monkeypatch, security, name="server", **options):
    folder = tmp_path / name
    folder.mkdir()
    started = MailServer(folder, security, **options).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(started.cert))
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    return started


def journal_states(path) -> Counter:
    journal = path.parent / f"{path.stem}.xlcrm-mail.jsonl"
    if not journal.exists():
        return Counter()
    return Counter(json.loads(line)["state"] for line in journal.read_text("utf-8").splitlines() if line.strip())


def assert_nothing_sent(book, result, mail_server=None):
    assert result.stopped is not None and result.counts()["sent"] == 0
    assert "已发送" not in log_states(book) and journal_states(book)["sent"] == 0
    if mail_server is not None:
        assert mail_server.received == []


@pytest.fixture
def previewed(zh_book):
    run(zh_book)
    return zh_book


WRONG_DOORS = [  # (what the server speaks, what the user set, what the message must tell them to set)
    # port 465 with starttls: the server waits for TLS, the client for a greeting (slow: it waits out a timeout)
    pytest.param("ssl", "starttls", "ssl", marks=pytest.mark.slow),
    pytest.param("ssl", "none", "ssl", marks=pytest.mark.slow),
    ("starttls", "ssl", "starttls"),
    ("starttls", "none", "starttls"),  # and a login would go out in clear
]
PLAIN_ONLY = ["ssl", "starttls"]  # a server without encryption while a login is set: never advise none


@pytest.mark.parametrize("speaks, chosen, fix", WRONG_DOORS)
def test_the_wrong_security_setting_stops_at_once_naming_the_setting_and_its_value(
        previewed, tmp_path, monkeypatch, speaks, chosen, fix):
    mail_server = server(tmp_path, monkeypatch, speaks)
    try:
        set_settings(previewed, {**mail_server.settings(), "smtp_security": chosen})
        result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    finally:
        mail_server.stop()
    assert_nothing_sent(previewed, result, mail_server)
    said = result.stopped.text("en")
    assert "smtp_security" in said and f"--smtp-security {fix}" in said and "tries" not in said
    assert f"改为 {fix}" in result.stopped.text("zh")
    assert result.counts()["unsent"] > 0


@pytest.mark.parametrize("chosen", PLAIN_ONLY)
def test_a_server_without_encryption_is_never_given_the_password_nor_is_none_advised(
        previewed, tmp_path, monkeypatch, chosen):
    mail_server = server(tmp_path, monkeypatch, "none")
    try:
        set_settings(previewed, {**mail_server.settings(), "smtp_security": chosen})
        result = run(previewed, send=True, mailer=quick_mailer())
    finally:
        mail_server.stop()
    assert_nothing_sent(previewed, result, mail_server)
    said = result.stopped.text("en")
    assert "in clear" in said and "smtp-security none" not in said and "to none" not in said
    assert "明文" in result.stopped.text("zh")


def test_a_login_over_no_encryption_is_refused_unless_allowed_for_a_local_relay_with_a_warning(
        previewed, tmp_path, monkeypatch):
    mail_server = server(tmp_path, monkeypatch, "none", plain_auth=True)
    try:
        set_settings(previewed, {**mail_server.settings(), "smtp_security": "none"})
        refused = run(previewed, send=True, mailer=quick_mailer())
        assert_nothing_sent(previewed, refused, mail_server)
        assert "smtp_plain_login" in refused.stopped.text("en") and "465" in refused.stopped.text("en")
        set_settings(previewed, {"smtp_plain_login": "是"})
        relayed = run(previewed, send=True, mailer=quick_mailer())
    finally:
        mail_server.stop()
    assert relayed.stopped is None and relayed.counts()["sent"] > 0
    assert mail_server.received[0].user == "sales@xlcrm-test.example.com"


@pytest.mark.slow
def test_the_command_line_says_so_in_chinese_and_exits_1(previewed, tmp_path, monkeypatch):
    mail_server = server(tmp_path, monkeypatch, "ssl")
    try:
        set_settings(previewed, {**mail_server.settings(), "smtp_security": "starttls", "smtp_port": mail_server.port})
        result = cli("remind", previewed, "--today", TODAY, "--send")
    finally:
        mail_server.stop()
    assert result.exit_code == 1 and mail_server.received == []
    assert "隐式 TLS" in result.output and "--smtp-security ssl" in result.output


def test_a_port_where_nothing_listens_stops_at_once_without_retrying(previewed, tmp_path, monkeypatch):
    mail_server = server(tmp_path, monkeypatch, "ssl")
    mail_server.stop()  # the port is free again: connections are refused
    set_settings(previewed, mail_server.settings())
    result = run(previewed, send=True, mailer=SmtpMailer(timeout=5, backoff=(30, 30, 30)))  # no pause is taken
    assert_nothing_sent(previewed, result)
    assert "connection refused" in result.stopped.text("en") and "smtp_port" in result.stopped.text("en")


@pytest.mark.slow
def test_a_server_that_says_nothing_is_waited_on_for_a_bounded_time_and_named(previewed, monkeypatch):
    silent = SilentServer().start()
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    try:
        for security in ("ssl", "starttls"):
            set_settings(previewed, {"smtp_host": "127.0.0.1", "smtp_port": silent.port, "smtp_security": security,
                                     "smtp_user": "sales@example.com", "rate_per_minute": 0})
            result = run(previewed, send=True, mailer=SmtpMailer(timeout=2, backoff=(30, 30, 30)))
            assert_nothing_sent(previewed, result)
            assert "said nothing within 2 s" in result.stopped.text("en")
    finally:
        silent.stop()


def test_settings_typed_loosely_are_read_when_unambiguous(previewed, mail_server):
    set_settings(previewed, {**mail_server.settings(), "smtp_host": " smtps://127.0.0.1 ",
                             "smtp_port": f"{mail_server.port} ", "smtp_security": "SSL/TLS ",
                             "from_address": f"张三 <{mail_server.settings()['from_address']}>", "from_name": None})
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert result.stopped is None and result.counts()["sent"] == len(mail_server.received) > 0
    sender = mail_server.received[0].message["From"].addresses[0]
    assert sender.display_name == "张三" and sender.addr_spec == mail_server.settings()["from_address"]


@pytest.mark.parametrize("key, value, hint", [
    ("smtp_host", "smtp qq com", "smtp.qq.com"),
    ("smtp_host", "smtp.qq.com:四六五", "smtp_port"),
    ("from_address", "张三 sales@example.com", "from_name"),
    ("smtp_port", "SSL", "whole number"),
    ("smtp_security", "tls", "starttls"),
])
def test_a_setting_that_cannot_be_read_names_its_cell_and_what_to_write(previewed, mail_server, key, value, hint):
    set_settings(previewed, {**mail_server.settings(), key: value})
    before = previewed.read_bytes()
    result = cli("--lang", "en", "remind", previewed, "--today", TODAY, "--send")
    assert result.exit_code == 1 and mail_server.received == []
    assert f"'{key}'" in result.output and hint in result.output and "Mail sender" in result.output
    assert previewed.read_bytes() == before


@pytest.mark.parametrize("security, offered", [("ssl", ("LOGIN",)), ("ssl", ("PLAIN",)), ("starttls", ("LOGIN",))])
def test_a_server_offering_one_login_method_takes_a_password_in_chinese(previewed, tmp_path, monkeypatch,
                                                                        security, offered):
    assert not PASSWORD.isascii()  # an authorisation code with 中文 in it needs UTF-8 in AUTH
    mail_server = server(tmp_path, monkeypatch, security, auth=offered)
    try:
        set_settings(previewed, mail_server.settings())
        result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    finally:
        mail_server.stop()
    assert result.stopped is None and result.counts()["sent"] == len(mail_server.received) > 0
    assert {r.user for r in mail_server.received} == {mail_server.settings()["smtp_user"]}
    assert log_states(previewed)["已发送"] == len(mail_server.received)


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_server_without_login_while_a_login_is_set_says_to_empty_it(previewed, tmp_path, monkeypatch, security):
    mail_server = server(tmp_path, monkeypatch, security, auth=())
    try:
        set_settings(previewed, mail_server.settings())
        result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    finally:
        mail_server.stop()
    assert_nothing_sent(previewed, result, mail_server)
    said = result.stopped.text("en")
    assert "smtp_user" in said and ("does not offer a login" in said or "no login method" in said)


@pytest.mark.parametrize("offered", [("LOGIN",), ("PLAIN",)])
def test_a_wrong_password_stops_the_batch_at_once_and_says_where_the_password_came_from(
        previewed, tmp_path, monkeypatch, offered, memory_keyring):
    mail_server = server(tmp_path, monkeypatch, "ssl", auth=offered)
    try:
        set_settings(previewed, mail_server.settings())
        monkeypatch.setenv("XLCRM_SMTP_PASSWORD", "stale")
        from_env = run(previewed, send=True, mailer=SmtpMailer(timeout=5, backoff=(30, 30, 30)))
        assert_nothing_sent(previewed, from_env, mail_server)
        assert "535" in from_env.stopped.text("en") and "XLCRM_SMTP_PASSWORD" in from_env.stopped.text("en")

        monkeypatch.delenv("XLCRM_SMTP_PASSWORD")
        user = mail_server.settings()["smtp_user"]
        memory_keyring.set_password("yagmail", user, "also-stale")  # an old password kept by `xlcrm password`
        result = cli("remind", previewed, "--today", TODAY, "--send")
        assert result.exit_code == 1 and "xlcrm password" in result.output and "also-stale" not in result.output
        assert mail_server.received == [] and "已发送" not in log_states(previewed)

        stored = cli("password", previewed, input=f"{PASSWORD}\n{PASSWORD}\n")
        assert stored.exit_code == 0, stored.output
        again = cli("remind", previewed, "--today", TODAY, "--send")
        assert again.exit_code == 0 and len(mail_server.received) > 0
    finally:
        mail_server.stop()


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_self_signed_server_is_refused_until_its_certificate_is_named_in_the_settings(
        previewed, tmp_path, monkeypatch, security):
    mail_server = server(tmp_path, monkeypatch, security)
    monkeypatch.delenv("SSL_CERT_FILE")  # the system's trust store only, as on a user's machine
    try:
        set_settings(previewed, mail_server.settings())
        refused = run(previewed, send=True, mailer=quick_mailer(timeout=5))
        assert_nothing_sent(previewed, refused, mail_server)
        assert "smtp_certificate" in refused.stopped.text("en") and "自签名" in refused.stopped.text("zh")

        (previewed.parent / "公司证书.pem").write_bytes(mail_server.cert.read_bytes())
        set_settings(previewed, {"smtp_certificate": "公司证书.pem"})  # beside the workbook
        result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    finally:
        mail_server.stop()
    assert result.stopped is None and result.counts()["sent"] == len(mail_server.received) > 0


def test_a_certificate_for_another_name_says_to_use_the_name_it_was_issued_to(previewed, tmp_path, monkeypatch):
    mail_server = server(tmp_path, monkeypatch, "ssl", cert_names=("mail.hengxin.example",))
    try:
        set_settings(previewed, mail_server.settings())  # smtp_host 127.0.0.1: not the certificate's name
        result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    finally:
        mail_server.stop()
    assert_nothing_sent(previewed, result, mail_server)
    assert "smtp_host" in result.stopped.text("en") and "mismatch" in result.stopped.text("en")


def test_a_certificate_file_that_is_not_there_names_the_setting(previewed, mail_server):
    set_settings(previewed, {**mail_server.settings(), "smtp_certificate": "missing.pem"})
    result = cli("--lang", "en", "remind", previewed, "--today", TODAY, "--send")
    assert result.exit_code == 1 and mail_server.received == []
    assert "smtp_certificate" in result.output and "missing.pem" in result.output


@pytest.fixture
def planned(previewed, mail_server):
    """The messages a send should deliver (as the preview listed them), the server's settings in the workbook."""
    return point_at(previewed, mail_server)


def test_a_refused_recipient_is_named_with_its_row_and_no_message_goes_to_that_address_until_corrected(
        previewed, mail_server, planned):
    expected, rows = planned
    customer_rows = rows[rows["row"].notna()]
    bad = customer_rows["to"].iloc[0]  # (one message per customer a day: never two to it in one batch)
    mail_server.faults.reject_rcpt = {bad: "553 5.1.3 mailbox name not allowed"}
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    said = "\n".join(result.lines("en"))
    assert result.stopped is None  # the command exits 0: the batch went on
    failed = customer_rows[customer_rows["to"].eq(bad)].iloc[0]
    assert f"Failed: {failed['customer']} (row {int(failed['row'])}" in said and "553" in said
    assert f"发送失败:{failed['customer']}(第 {int(failed['row'])} 行" in "\n".join(result.lines("zh"))
    assert delivered(mail_server) == Counter({k: v for k, v in expected.items() if k[0] != bad})
    first = len(mail_server.received)

    mail_server.faults.reject_rcpt = {}  # the next day's touch to the same address is not tried either
    again = run(previewed, today=TODAY + dt.timedelta(days=1), send=True, mailer=quick_mailer())
    to_bad = again.plan[again.plan["to"].eq(bad)]
    assert len(to_bad) and set(to_bad["decision"]) == {"skip"} and all(
        "correct the address" in r.text("en") for r in to_bad["reason"])
    assert all(r.rcpt_tos != [bad] for r in mail_server.received[first:])
    assert mail_server.recorder.asked.count(bad) == 1  # tried once, on the first day only
    failed_rows = [r for r in sheet_rows(previewed, "发送记录")[1:] if r[1] == "发送失败"]
    assert len(failed_rows) == 1 and all(r[2] == failed["customer"] and r[4] == bad for r in failed_rows)


def test_a_sending_limit_answered_with_550_stops_the_batch_and_a_rerun_sends_the_rest_once(
        previewed, mail_server, planned):
    expected, _ = planned
    mail_server.faults.data_replies = {n: "550 5.4.5 Daily user sending quota exceeded." for n in range(4, 200)}
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    said = "\n".join(result.lines("en"))
    assert result.stopped is not None and "sending limit" in said and "Failed" not in said  # the command exits 1
    assert len(mail_server.received) == 3 and journal_states(previewed)["failed"] == 0
    assert "发送失败" not in log_states(previewed)

    mail_server.faults.data_replies = {}
    rerun = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert rerun.stopped is None and delivered(mail_server) == expected  # everyone exactly once


def test_the_same_refusal_twice_in_a_row_is_about_the_mailbox_so_neither_message_counts_as_failed(
        previewed, mail_server, planned):
    expected, _ = planned
    mail_server.faults.data_replies = {n: "554 5.7.1 Message refused by policy" for n in range(2, 200)}
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert result.stopped is not None and "two messages in a row" in result.stopped.text("en")
    assert result.counts()["failed"] == 0 and len(mail_server.received) == 1
    assert "发送失败" not in log_states(previewed)
    mail_server.faults.data_replies = {}
    run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert delivered(mail_server) == expected


def test_a_temporary_limit_after_some_messages_stops_at_once_and_the_rerun_continues_never_twice(
        previewed, mail_server, planned):
    expected, _ = planned
    mail_server.faults.data_replies = {n: "451 4.7.1 Too many messages, slow down" for n in range(5, 200)}
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert result.stopped is not None and "451" in result.stopped.text("en")
    assert "sending limit" in result.stopped.text("en") and mail_server.recorder.datas == 5  # not asked again
    assert result.counts()["sent"] == 4 and len(mail_server.received) == 4
    states = journal_states(previewed)
    assert states["sent"] == 4 and states["failed"] == 0 and states["deferred"] == 0
    assert states["unsent"] == 1  # the one refused, given back
    mail_server.faults.data_replies = {}
    again = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert again.counts()["sent"] == sum(expected.values()) - 4 and delivered(mail_server) == expected


def test_chinese_names_a_long_subject_and_an_idn_address_arrive_intact_through_a_7bit_server(
        previewed, tmp_path, monkeypatch):
    from helpers.workbooks import edit, find_row

    mail_server = server(tmp_path, monkeypatch, "starttls", eight_bit=False)
    long_subject = "{{ greeting_name }}，祝您生日快乐！" + "愿新的一岁里事业顺利、身体健康、阖家幸福，" * 4 + "恒信科技全体同仁敬上"
    edit(previewed, "邮件模板", {f"G{find_row(previewed, '邮件模板', '生日祝福')}": long_subject})
    try:
        set_settings(previewed, {**mail_server.settings(), "from_name": "恒信科技·华东销售部 \"王五\""})
        result = run(previewed, template="生日祝福", test_to="sales@例子.中国", mailer=quick_mailer(timeout=5))
        with smtplib.SMTP("127.0.0.1", mail_server.port, timeout=5) as look:
            look.ehlo()
            assert not look.has_extn("8bitmime") and not look.has_extn("smtputf8")
    finally:
        mail_server.stop()
    planned = result.plan[result.plan["decision"].eq("test_sent")]
    assert len(planned) == len(mail_server.received) == 1
    received = mail_server.received[0]
    assert received.content.isascii() and max(len(line) for line in received.content.split(b"\r\n")) <= 998
    assert received.rcpt_tos == ["sales@xn--fsqu00a.xn--fiqs8s"]
    message = received.message
    assert message["Subject"] == "[测试] " + planned["subject"].iloc[0] and len(message["Subject"]) > 100
    assert message["From"].addresses[0].display_name == '恒信科技·华东销售部 "王五"'
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == planned["body"].iloc[0]  # CRLF: MIME text


@pytest.mark.slow
def test_the_report_mailed_with_the_wrong_security_says_what_to_set_and_exits_1(zh_book, tmp_path, monkeypatch):
    mail_server = server(tmp_path, monkeypatch, "ssl")
    cli("remind", zh_book, "--today", TODAY)
    try:
        set_settings(zh_book, {**mail_server.settings(), "smtp_security": "starttls"})
        wrong = cli("--lang", "en", "report", zh_book, "--today", TODAY, "--mail-to", "lead@例子.中国")
        assert wrong.exit_code == 1 and mail_server.received == []
        assert "--smtp-security ssl" in wrong.output and "stopped before this message" not in wrong.output
        set_settings(zh_book, {"smtp_security": "ssl"})
        right = cli("--lang", "en", "report", zh_book, "--today", TODAY, "--mail-to", "lead@例子.中国")
    finally:
        mail_server.stop()
    assert right.exit_code == 0 and [r.rcpt_tos for r in mail_server.received] == [["lead@xn--fsqu00a.xn--fiqs8s"]]


def test_a_server_silent_after_the_message_is_waited_on_for_a_bounded_time_and_that_message_is_never_resent(
        previewed, mail_server, planned):
    expected, _ = planned
    mail_server.faults.hold_at_data = 3  # takes the third message and says nothing
    result = run(previewed, send=True, mailer=SmtpMailer(timeout=2, backoff=(0.01,)))
    assert result.counts()["in_flight"] == 1 and "timed out" in "\n".join(result.lines("en"))
    assert result.counts()["sent"] == sum(expected.values()) - 1  # the others went on another connection
    assert "状态不明,请核对" in log_states(previewed)
    mail_server.faults.release.set()
    again = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert again.counts()["sent"] == 0 and again.counts()["in_flight"] == 1
    assert delivered(mail_server) == expected  # the server kept it: exactly once each


def test_a_server_name_that_does_not_exist_names_the_setting(previewed, monkeypatch):
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    set_settings(previewed, {"smtp_host": "smtp.no-such-host.invalid", "smtp_security": "ssl",
                             "smtp_user": "sales@example.com", "rate_per_minute": 0})
    result = run(previewed, send=True, mailer=SmtpMailer(timeout=5, backoff=(30, 30, 30)))
    assert_nothing_sent(previewed, result)
    assert "smtp_host" in result.stopped.text("en") and "smtp_host" in result.stopped.text("zh")


@pytest.mark.parametrize("security, chosen, said", [
    ("starttls", "none", "--smtp-security starttls"),  # 530 Must issue a STARTTLS command first
    ("ssl", "ssl", "smtp_user"),  # 530 5.7.0 Authentication required: the login was left empty
])
def test_a_server_wanting_starttls_or_a_login_before_mail_says_which(previewed, tmp_path, monkeypatch, security,
                                                                     chosen, said):
    mail_server = server(tmp_path, monkeypatch, security)
    try:
        set_settings(previewed, {**mail_server.settings(), "smtp_security": chosen, "smtp_user": None})
        result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    finally:
        mail_server.stop()
    assert_nothing_sent(previewed, result, mail_server)
    assert said in result.stopped.text("en") and "refused the sender" not in result.stopped.text("en")


def test_a_relay_refusing_every_recipient_alike_stops_without_blocking_anyones_address(
        previewed, mail_server, planned):
    expected, _ = planned
    mail_server.faults.reject_every_rcpt = "554 5.7.1 <{address}>: Relay access denied"
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert result.stopped is not None and "Relay access denied" in result.stopped.text("en")
    assert result.counts()["failed"] == 0 and "发送失败" not in log_states(previewed)
    mail_server.faults.reject_every_rcpt = None
    again = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert again.stopped is None and delivered(mail_server) == expected


def test_two_unknown_recipients_in_a_row_are_two_failures_and_the_batch_goes_on(previewed, mail_server, planned):
    expected, rows = planned
    customers = list(dict.fromkeys(rows.loc[rows["row"].notna(), "to"]))
    bad = set(customers[:2])
    mail_server.faults.reject_rcpt = {a: f"550 5.1.1 <{a}>: Recipient address rejected: User unknown" for a in bad}
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert result.stopped is None and set(result.plan.loc[result.plan["decision"].eq("failed"), "to"]) == bad
    assert delivered(mail_server) == Counter({k: v for k, v in expected.items() if k[0] not in bad})


def test_a_full_mailbox_is_that_recipient_put_off_not_a_sending_limit(previewed, mail_server, planned):
    expected, rows = planned
    full = rows.loc[rows["row"].notna(), "to"].iloc[0]
    mail_server.faults.reject_rcpt = {full: "550 5.2.2 <%s>: mailbox over quota" % full}
    result = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert result.stopped is None and set(result.plan.loc[result.plan["decision"].eq("deferred"), "to"]) == {full}
    assert delivered(mail_server) == Counter({k: v for k, v in expected.items() if k[0] != full})


def test_a_well_known_mailbox_with_its_other_port_gets_the_security_that_port_speaks(previewed):
    from xlcrm.actions.session import open_session
    from xlcrm.core.mailmerge.sender_profile import sender_profile

    set_settings(previewed, {"smtp_user": "zhanglei@qq.com", "smtp_port": "587", "smtp_security": "ssl"})
    profile = sender_profile(open_session(FileBook(previewed)).settings)
    assert (profile.host, profile.port, profile.security) == ("smtp.qq.com", 587, "starttls")


def test_a_message_refused_for_its_content_is_not_blamed_on_the_address_and_goes_again_when_asked(
        previewed, mail_server, planned):
    expected, _ = planned
    mail_server.faults.data_replies = {2: "554 5.7.1 Message content rejected as spam"}
    first = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert first.counts()["failed"] == 1 and first.stopped is None
    again = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    skipped = again.plan[again.plan["reason"].map(lambda r: "refused this message" in r.text("en")
                                                  if hasattr(r, "text") else False)]
    assert len(skipped) == 1 and again.counts()["sent"] == 0
    assert "correct the address" not in skipped["reason"].iloc[0].text("en")
    assert "重发" in skipped["reason"].iloc[0].text("zh")
    log = sheet_rows(previewed, "发送记录")
    row = next(i for i, r in enumerate(log, start=1) if r[1] == "发送失败")
    edit(previewed, "发送记录", {f"K{row}": "重发"})  # the team changed the wording and asks for it again
    resent = run(previewed, send=True, mailer=quick_mailer(timeout=5))
    assert resent.counts()["sent"] == 1 and delivered(mail_server) == expected  # everyone exactly once
    assert run(previewed, send=True, mailer=quick_mailer(timeout=5)).counts()["sent"] == 0  # the request is used once
