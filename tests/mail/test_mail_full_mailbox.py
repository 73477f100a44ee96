"""A full mailbox (552 5.2.2) is no wrong address: the message is put off to later runs and goes out once the customer
has made room, with a note that says the mailbox is full (a real loopback SMTP server)."""

import datetime as dt

import pytest

from conftest import TODAY
from helpers.mailbook import log_states, quick_mailer, remind_on
from helpers.workbooks import sheet_rows
from xlcrm.mail.faults import Deferred, Fatal
from xlcrm.mail.replies import data_fault, recipient_fault

FULL = "552 5.2.2 <{address}>: Mailbox full, quota exceeded"


def test_a_full_mailbox_at_rcpt_is_put_off_and_sent_once_there_is_room(ready, mail_server):
    book, planned = ready
    full = sorted(planned)[1][0]
    mail_server.faults.reject_rcpt = {full: FULL.format(address=full)}
    first = remind_on(book, send=True, mailer=quick_mailer())
    put_off = first.plan[first.plan["to"].eq(full)]
    assert set(put_off["decision"]) == {"deferred"} and first.counts()["failed"] == 0
    log = [r for r in sheet_rows(book, "发送记录")[1:] if r[4] == full]
    assert log and all(r[1] == "服务器暂缓" and "邮箱已满" in r[9] and "552 5.2.2" in r[9] for r in log)
    assert all("改正地址" not in r[9] and "the server" not in r[9] for r in log)

    mail_server.faults.reject_rcpt = {}  # the customer emptied the mailbox
    later = remind_on(book, send=True, mailer=quick_mailer(), today=TODAY + dt.timedelta(days=1))
    got = [r for r in mail_server.received if r.rcpt_tos == [full]]
    assert len(got) >= len(put_off) and later.counts()["failed"] == 0
    assert log_states(book)["发送失败"] == 0


def test_several_full_mailboxes_in_a_row_put_off_each_and_do_not_stop_the_batch(ready, mail_server):
    book, planned = ready
    full = list(dict.fromkeys(to for to, _ in planned))[:4]  # the first four sent, in a row
    mail_server.faults.reject_rcpt = {a: FULL.format(address=a) for a in full}
    result = remind_on(book, send=True, mailer=quick_mailer())
    assert result.stopped is None and set(result.plan.loc[result.plan["decision"].eq("deferred"), "to"]) == set(full)
    assert result.counts()["sent"] == sum(n for (to, _), n in planned.items() if to not in full)


@pytest.mark.parametrize("answer", ["552 5.2.2 Mailbox full", "452 4.2.2 Over quota", "550 用户邮箱空间不足",
                                    "552 Requested mail action aborted: mailbox full"])
def test_a_full_mailbox_is_put_off_at_rcpt_and_at_data(answer):
    for fault in (recipient_fault("smtp.example.com", "me@example.com", int(answer[:3]), answer[4:]),
                  data_fault("me@example.com", int(answer[:3]), answer[4:], ("a@example.com",))):
        assert isinstance(fault, Deferred) and fault.recipient and "邮箱已满" in fault.reason.text("zh")


def test_a_sending_quota_still_stops_the_batch():
    fault = recipient_fault("smtp.example.com", "me@example.com", 550, "5.4.5 Daily user sending quota exceeded")
    assert isinstance(fault, Fatal)
