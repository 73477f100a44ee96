"""The mail path end to end against a real SMTP server on loopback (TLS + AUTH): what customers receive."""

import datetime as dt
import re
import shutil

import openpyxl
import pandas as pd
import pytest

from conftest import TODAY
from helpers.mailbook import quick_mailer, remind_on, set_owner, set_settings
from helpers.smtp_server import PASSWORD, USER, MailServer
from helpers.workbooks import sheet_rows
from xlcrm.core.followups.followup_rules import MAIL_CONTACTS


run = remind_on


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def to_send(result):
    return result.plan[result.plan["decision"].eq("send")]


def sent_again_is_done(first, again) -> bool:
    """Every message the first run sent is shown as sent before by the second, as long as it is still due: a
    follow-up that went out was a contact that day, so it is no longer due (its next one is a cadence away)."""
    sent = first.plan[first.plan["decision"].eq("sent")]
    listed = sent["msg_key"].isin(again.plan["msg_key"])
    repeated = again.plan[again.plan["msg_key"].isin(sent["msg_key"])]
    return (again.counts()["sent"] == 0 and repeated["decision"].eq("done").all()
            and set(sent.loc[~listed, "occasion"]) <= set(MAIL_CONTACTS) and again.counts()["done"] == listed.sum())


def test_a_dry_run_sends_nothing_and_writes_the_preview_and_one_eml_per_message(zh_book, mail_server):
    result = run(zh_book)
    planned = to_send(result)
    assert len(planned) >= 5 and mail_server.received == []
    emls = sorted(result.outbox.glob("*.eml"))
    assert len(emls) == len(planned) == result.eml_count
    preview = sheet_rows(zh_book, "邮件预览")
    assert preview[0][:3] == ["序号", "状态", "客户"]
    assert sum(1 for r in preview[1:] if r[1] == "待发送") == len(planned)
    assert [r[3] for r in preview[1:]] == result.plan["row"].tolist()  # each message's row and due day, as planned
    shown_due = [d.date() if isinstance(d, dt.datetime) else d for d in (r[8] for r in preview[1:])]
    assert shown_due == [None if pd.isna(d) else d.date() for d in result.plan["due"]] and any(shown_due)
    assert not any(p.name.endswith(".xlcrm-mail.jsonl") for p in zh_book.parent.iterdir())  # nothing journaled


def test_send_over_ssl_with_login_delivers_each_message_once_in_chinese(zh_book, mail_server):
    preview = run(zh_book)
    previewed = sorted((r["to"], r["subject"]) for r in to_send(preview).to_dict("records"))
    set_settings(zh_book, mail_server.settings())
    result = run(zh_book, send=True, mailer=quick_mailer())
    got = mail_server.received
    assert sorted((r.rcpt_tos[0], r.message["Subject"]) for r in got) == previewed
    for received in got:
        message = received.message
        assert received.user == USER and received.mail_from == USER
        assert str(message["Subject"]).isascii() is False  # decoded back to Chinese
        assert b"=?utf-8?" in received.content.split(b"\r\n\r\n")[0]  # RFC 2047 on the wire
        assert received.content.isascii()  # no 8-bit anywhere: any server takes it
        assert message["From"].addresses[0].display_name == "恒信销售部"
        body = plain(message)
        assert "您好" in body and "恒信科技有限公司" in body
        assert message["To"].addresses[0].addr_spec == received.rcpt_tos[0]
    assert result.counts()["sent"] == len(got)
    log = sheet_rows(zh_book, "发送记录")
    assert sum(1 for r in log[1:] if r[1] == "已发送") == len(got)


def test_a_second_run_sends_nothing_again(zh_book, mail_server):
    run(zh_book)
    set_settings(zh_book, mail_server.settings())
    first = run(zh_book, send=True, mailer=quick_mailer())
    count = len(mail_server.received)
    again = run(zh_book, send=True, mailer=quick_mailer())
    assert len(mail_server.received) == count
    assert sent_again_is_done(first, again)


def test_every_customer_row_gets_a_mail_status(zh_book, mail_server):
    run(zh_book)
    set_settings(zh_book, mail_server.settings())
    result = run(zh_book, send=True, mailer=quick_mailer())
    rows = sheet_rows(zh_book, "客户跟踪表")
    header = rows[1]
    status = header.index("邮件状态")
    for item in result.plan[result.plan["row"].notna()].to_dict("records"):
        text = rows[int(item["row"]) - 1][status]
        assert text and text.startswith(f"{TODAY:%Y-%m-%d}") and item["template"] in text
    opted = [r for r in result.plan.to_dict("records") if r["decision"] == "skip"]
    assert all(rows[int(r["row"]) - 1][status].count("跳过") for r in opted if r["row"] == r["row"] and r["row"])


def test_starttls_digest_html_with_text_part_attachments_and_owner_copy(zh_book, tmp_path, monkeypatch):
    folder = tmp_path / "tls"
    folder.mkdir()
    server = MailServer(folder, "starttls").start()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    try:
        first = run(zh_book)
        owners = sorted(first.session.customers.records["owner"].dropna().unique())
        set_settings(zh_book, {**server.settings(), "cc_owner": "是"})
        for number, owner in enumerate(owners):
            set_owner(zh_book, owner, f"owner{number}@xlcrm-test.example.com", f"1380000000{number}")
        attachment = zh_book.parent / "附件" / "产品手册 2026.pdf"
        attachment.parent.mkdir()
        attachment.write_bytes(b"%PDF-1.4 catalogue \x00\x01\x02")
        book = openpyxl.load_workbook(zh_book)
        templates = book["邮件模板"]
        for row in templates.iter_rows(min_row=2):
            if row[0].value == "久未联系问候":
                row[9].value = "附件/产品手册 2026.pdf"
        book.save(zh_book)
        result = run(zh_book, send=True, mailer=quick_mailer())
        by_subject = {}
        for received in server.received:
            by_subject.setdefault(received.message["Subject"], []).append(received)
        digests = [r for r in server.received if "待跟进客户" in r.message["Subject"]]
        assert len(digests) == len(owners)
        for digest in digests:
            message = digest.message
            html = message.get_body(("html",)).get_content()
            text = plain(message)
            owner = next(o for o in owners if f"{o}，您好" in html)
            due = result.plan[(result.plan["owner"] == owner) & result.plan["row"].notna()]
            for customer in due["customer"]:
                assert customer in html and customer in text
            assert "<table" in html and "<table" not in text
            listed = re.findall(r"<tr><td>(.*?)</td>", html)  # one row per item, first cell the customer
            counted = re.search(r"待跟进客户 (\d+) 位（(\d+) 项）", message["Subject"])
            assert counted and (int(counted[1]), int(counted[2])) == (len(set(listed)), len(listed))
        overdue = [r for r in server.received if "好久不见" in r.message["Subject"]]
        assert overdue
        for received in overdue:
            parts = list(received.message.iter_attachments())
            assert [p.get_filename() for p in parts] == ["产品手册 2026.pdf"]
            assert parts[0].get_content() == attachment.read_bytes()
            assert len(received.rcpt_tos) == 2 and received.rcpt_tos[1].startswith("owner")
            assert received.message["Cc"].addresses[0].addr_spec == received.rcpt_tos[1]
        signed = [r for r in server.received if "好久不见" in r.message["Subject"]][0]
        assert "电话：1380000000" in plain(signed.message)
    finally:
        server.stop()


def test_test_to_sends_everything_to_one_address_marked_as_a_test_and_counts_as_nothing(zh_book, mail_server):
    run(zh_book)
    set_settings(zh_book, mail_server.settings())
    test = run(zh_book, test_to="me@xlcrm-test.example.com", mailer=quick_mailer())
    received = list(mail_server.received)
    assert received and all(r.rcpt_tos == ["me@xlcrm-test.example.com"] for r in received)
    assert all(r.message["Subject"].startswith("[测试] ") and r.message["X-Xlcrm-Test"] == "yes" for r in received)
    assert test.counts()["test_sent"] == len(received)
    real = run(zh_book, send=True, mailer=quick_mailer())
    assert real.counts()["sent"] == len(received)  # the test did not count as sent
    assert all(r.rcpt_tos != ["me@xlcrm-test.example.com"] for r in mail_server.received[len(received):])


def test_a_copy_of_the_workbook_under_another_name_remembers_what_was_sent(zh_book, mail_server):
    run(zh_book)
    set_settings(zh_book, mail_server.settings())
    first = run(zh_book, send=True, mailer=quick_mailer())
    copy = zh_book.with_name("客户跟踪表 2027.xlsx")
    shutil.copy(zh_book, copy)  # "Save as" for the new year: its journal stays behind under the old name
    again = run(copy, send=True, mailer=quick_mailer())
    assert sent_again_is_done(first, again)
    assert len(mail_server.received) == first.counts()["sent"]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_shows_the_preview_and_the_send_log(zh_book, mail_server, tmp_path):
    from helpers.libreoffice import sheets_as_csv

    run(zh_book)
    set_settings(zh_book, mail_server.settings())
    result = run(zh_book, send=True, mailer=quick_mailer())
    sheets = sheets_as_csv(zh_book, tmp_path / "csv")
    log = sheets["发送记录"]
    assert log[0][:3] == ["时间", "状态", "客户"]
    sent = [r for r in log[1:] if r[1] == "已发送"]
    assert len(sent) == result.counts()["sent"]
    assert {r[2] for r in sent} <= set(result.plan["customer"])
    preview = sheets["邮件预览"]
    assert any("您好" in cell for row in preview[1:] for cell in row)


def test_a_relay_without_login_gets_no_login_attempt(zh_book, tmp_path, monkeypatch):
    folder = tmp_path / "relay"
    folder.mkdir()
    relay = MailServer(folder, "none").start()
    monkeypatch.delenv("XLCRM_SMTP_PASSWORD", raising=False)
    try:
        run(zh_book)
        set_settings(zh_book, {"smtp_host": "127.0.0.1", "smtp_port": relay.port, "smtp_security": "none",
                               "from_address": "crm@office.example.com", "rate_per_minute": 0})
        result = run(zh_book, send=True, mailer=quick_mailer())
        assert result.counts()["sent"] == len(relay.received) > 0
        assert all(r.user is None and r.mail_from == "crm@office.example.com" for r in relay.received)
    finally:
        relay.stop()


def test_copies_of_what_went_out_are_kept_beside_the_workbook(zh_book, mail_server):
    run(zh_book)
    set_settings(zh_book, mail_server.settings())
    run(zh_book, test_to="me@xlcrm-test.example.com", mailer=quick_mailer())
    result = run(zh_book, send=True, mailer=quick_mailer())
    sent = sorted((result.outbox / "sent" / f"{TODAY:%Y-%m-%d}").glob("*.eml"))
    tests = sorted((result.outbox / "test" / f"{TODAY:%Y-%m-%d}").glob("*.eml"))
    assert len(sent) == result.counts()["sent"] and len(tests) == len(sent)
    on_server = {r.message["Message-ID"] for r in mail_server.received if not r.message["X-Xlcrm-Test"]}
    from email import message_from_bytes, policy

    assert {message_from_bytes(p.read_bytes(), policy=policy.default)["Message-ID"] for p in sent} == on_server


def test_previews_are_not_waited_onto_the_disk_one_by_one_but_sent_copies_and_the_workbook_are(
        zh_book, mail_server, monkeypatch):
    """A preview is made again by the next run, so its .eml files skip the per-file fsync (a tenth of a second
    per hundred messages); the workbook and the copies of what was sent are still synced before they appear."""
    import os

    synced: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real_fsync(fd))
    preview = run(zh_book)
    assert preview.eml_count >= 5 and all(p.read_bytes().endswith(b"\n") for p in preview.outbox.glob("*.eml"))
    assert not [p for p in synced if p.endswith((".eml", ".outbox"))], synced
    assert any("/.~xlcrm-" in p and p.endswith(".xlsx") for p in synced), synced  # the workbook's save, before it appears
    assert str(zh_book.parent) in synced  # and its new name
    set_settings(zh_book, mail_server.settings())
    synced.clear()
    sent = run(zh_book, send=True, mailer=quick_mailer())
    assert sent.counts()["sent"] == len(mail_server.received) >= 5
    assert len([p for p in synced if "/sent/" in p]) >= sent.counts()["sent"], synced
