"""Customers sharing one mailbox (a company's info@, two contacts of one firm typed as two customers): the mailbox
gets one message per run, not three near-identical ones in the same minute; the others wait, each with a reason
naming whose went first, and later runs go on one at a time, as the spacing between messages to one customer
allows.

`xlcrm remind --send` on working days against a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

from helpers.cli import run
from helpers.mailbook import set_settings
from helpers.smtp_server import delivered
from helpers.tracking import tracking_book
from helpers.workbooks import sheet_rows

HEADERS = ["客户名称", "联系人", "手机", "邮箱", "负责人", "最近联系日期"]


def test_a_shared_mailbox_gets_one_message_per_run(tmp_path, mail_server):
    book = tracking_book(tmp_path / "客户.xlsx", headers=HEADERS, title=None, rows=[
        ["上海恒信电子", "王总", "13900000001", "info@hx.example", "张三", dt.datetime(2026, 10, 3)],
        ["上海恒信电子", "刘工", "13900000009", "info@hx.example", "张三", dt.datetime(2026, 10, 5)],
        ["恒信电子(苏州)", "陈工", "13900000008", "INFO@hx.example", "李四", dt.datetime(2026, 10, 5)],
        ["杭州远大贸易", "李经理", "13900000007", "li@yd.example", "李四", dt.datetime(2026, 10, 5)]])
    assert run("remind", book, "--today", "2026-11-23").exit_code == 0
    set_settings(book, mail_server.settings())
    result = run("remind", book, "--send", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    first_day = [to.lower() for to, _ in delivered(mail_server)]
    assert sorted(first_day) == ["info@hx.example", "li@yd.example"], first_day
    waiting = [row for row in sheet_rows(book, "邮件预览")[1:] if str(row[4]).lower() == "info@hx.example"
               and "共用此邮箱" in str(row[12])]
    assert len(waiting) == 2, sheet_rows(book, "邮件预览")

    sent_before = 1
    for day in ("2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01"):
        assert run("remind", book, "--send", "--today", day).exit_code == 0
        to_info = sum(n for (to, _), n in delivered(mail_server).items() if to.lower() == "info@hx.example")
        assert to_info - sent_before <= 1, (day, delivered(mail_server))  # one at a time
        sent_before = to_info
    assert sent_before >= 2 and max(delivered(mail_server).values()) == 1  # later runs go on; nothing twice
