"""The report and the mail merge: its mail figures come from the journal and the mail status column, and it is
mailed through the same path, to a real SMTP server on loopback, once per report."""

from __future__ import annotations

import datetime as dt
import json
import re

import openpyxl
import pytest

from conftest import TODAY
from helpers.mailbook import quick_mailer, remind_on, set_settings
from helpers.reportbook import report_grid, table_after
from helpers.smtp_server import PASSWORD, Faults, MailServer
from helpers.workbooks import sheet_rows
from xlcrm.actions.check import check
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError

LEAD = "lead@example.com"


class Clock:
    """Ten in the morning of TODAY, and no waiting between messages."""

    def now(self) -> dt.datetime:
        return dt.datetime.combine(TODAY, dt.time(10, 0))

    def monotonic(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        pass


def mail_report(path, **options):
    return report(FileBook(path), today=TODAY, mail_to=LEAD, mailer=quick_mailer(), clock=Clock(), **options)


def journal_lines(path) -> list[dict]:
    journal = path.with_name(path.stem + ".xlcrm-mail.jsonl")
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]


def test_mail_figures_are_the_journals_and_the_status_columns(zh_book, mail_server):
    remind_on(zh_book)
    set_settings(zh_book, mail_server.settings())
    remind_on(zh_book, send=True, mailer=quick_mailer(), clock=Clock())
    report(FileBook(zh_book), today=TODAY)
    last = {}
    for entry in journal_lines(zh_book):
        last[entry["key"]] = {**last.get(entry["key"], {}), **entry}
    sent = sum(1 for e in last.values() if e["state"] == "sent" and not e.get("test"))
    failed = sum(1 for e in last.values() if e["state"] == "failed")
    assert sent == len(mail_server.received) > 0
    statuses = [v for row in sheet_rows(zh_book, "客户跟踪表") for v in row if isinstance(v, str)
                and v.startswith(f"{TODAY:%Y-%m-%d} ")]
    skipped = sum(len(re.findall(rf"{TODAY:%Y-%m-%d} 跳过:", v)) for v in statuses)
    assert skipped > 0
    shown = {row[0]: row[1:] for row in table_after(report_grid(zh_book, "zh"), "邮件发送情况")[1:]}
    assert shown["已发送"] == [sent, 0] and shown["发送失败"] == [failed, 0] and shown["跳过"] == [skipped, 0]


def test_the_report_goes_to_the_team_lead_once_with_the_page_attached(zh_book, mail_server):
    check(FileBook(zh_book))
    set_settings(zh_book, mail_server.settings())
    first = mail_report(zh_book)
    assert first.mailed.state == "sent" and len(mail_server.received) == 1
    message = mail_server.received[0].message
    assert message["To"].addresses[0].addr_spec == LEAD and "CRM周报" in str(message["Subject"])
    assert "逾期" in message.get_body(("plain",)).get_content()
    attached = next(message.iter_attachments())
    assert attached.get_filename() == first.html.name
    assert attached.get_content_charset() == "utf-8"  # a mail program shows its Chinese right
    assert attached.get_content().replace("\r\n", "\n").rstrip() == first.html.read_text(encoding="utf-8").rstrip()

    again = mail_report(zh_book)
    assert len(mail_server.received) == 1 and again.mailed.state == "done"
    assert any("未重复发送" in line for line in again.lines("zh"))
    merged = {}
    for entry in journal_lines(zh_book):  # a message's lines: `sending` with what it is, then its outcome
        merged[entry["key"]] = {**merged.get(entry["key"], {}), **entry}
    sent = [e for e in merged.values() if e["state"] == "sent"]
    assert len(sent) == 1 and sent[0]["occasion"] == "report" and sent[0]["to"] == LEAD
    log = sheet_rows(zh_book, "发送记录")
    assert [r[1] for r in log[1:]] == ["已发送"] and sent[0]["key"] in log[1]
    mails = {row[0]: row[1] for row in table_after(report_grid(zh_book, "zh"), "邮件发送情况")[1:]}
    assert mails["已发送"] == 0  # the report's own mail is not counted among the mails to customers

    mail_report(zh_book, period="month")
    mail_report(zh_book, owner="王芳")
    assert len(mail_server.received) == 3  # another period, another owner: other reports


def test_the_journal_alone_stops_a_second_send_even_from_a_copy_without_the_send_log(zh_book, mail_server):
    check(FileBook(zh_book))
    set_settings(zh_book, mail_server.settings())
    mail_report(zh_book)
    book = openpyxl.load_workbook(zh_book)
    del book["发送记录"]
    book.save(zh_book)
    assert mail_report(zh_book).mailed.state == "done" and len(mail_server.received) == 1


def test_without_a_sender_nothing_is_written(zh_book):
    before = zh_book.read_bytes()
    with pytest.raises(XlcrmError) as error:
        report(FileBook(zh_book), today=TODAY, mail_to=LEAD)
    assert "smtp_host" in error.value.text("en")
    assert zh_book.read_bytes() == before and not (zh_book.parent / "reports").exists()


def test_a_refused_recipient_is_said_and_a_later_run_tries_again(zh_book, tmp_path, monkeypatch):
    folder = tmp_path / "server"
    folder.mkdir()
    server = MailServer(folder, "ssl", Faults(reject_rcpt={LEAD: "550 5.1.1 no such user"})).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    try:
        check(FileBook(zh_book))
        set_settings(zh_book, server.settings())
        failed = mail_report(zh_book)
        assert failed.mail_failed and failed.mailed.state == "failed"
        assert any("550" in line for line in failed.lines("en"))
        server.faults.reject_rcpt.clear()
        assert mail_report(zh_book).mailed.state == "sent" and len(server.received) == 1
    finally:
        server.stop()


def test_a_report_mailed_as_of_another_day_is_journaled_on_that_day(zh_book, mail_server):
    """--today D: the mail goes out now, but is the report of D; the journal dates it D, at the time of day."""
    check(FileBook(zh_book))
    set_settings(zh_book, mail_server.settings())
    as_of = TODAY - dt.timedelta(days=40)
    made = report(FileBook(zh_book), today=as_of, mail_to=LEAD, mailer=quick_mailer(), clock=Clock())
    assert made.mailed.state == "sent"
    stamps = [entry["at"] for entry in journal_lines(zh_book) if "at" in entry]
    assert stamps and all(at.startswith(as_of.isoformat() + "T10:00") for at in stamps), stamps
