"""A greeting goes out on a working day near its day (a Saturday's birthday on the Friday; a greeting held by the
daily cap a day later): its words hold on the day it is read. "今天是您的生日" only on the birthday itself; the
holiday greeting wishes a happy festival without "值此…之际" / "节日期间", which read wrong a few days after.

`xlcrm remind` (preview) on Friday 4 December 2026: the customers' .eml files in the outbox."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser

from helpers.cli import run
from helpers.tracking import tracking_book

HEADERS = ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期", "生日"]
FRIDAY = "2026-12-04"


def bodies(outbox):
    found = {}
    for path in outbox.glob("*.eml"):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        found[str(message["To"])] = message.get_body(("plain", "html")).get_content()
    return found


def test_today_is_your_birthday_only_on_the_birthday(tmp_path):
    recent = dt.datetime(2026, 11, 30)
    book = tracking_book(tmp_path / "客户.xlsx", headers=HEADERS, title=None, rows=[
        ["今天公司", "王总", "today@x.example.com", "张三", recent, dt.datetime(1980, 12, 4)],
        ["周六公司", "李总", "saturday@x.example.com", "张三", recent, dt.datetime(1985, 12, 5)]])
    result = run("remind", book, "--today", FRIDAY)
    assert result.exit_code == 0, result.output
    sent = bodies(tmp_path / "客户.outbox")
    on_the_day = next(body for to, body in sent.items() if "today@" in to)
    day_before = next(body for to, body in sent.items() if "saturday@" in to)
    assert "今天是您的生日" in on_the_day and "生日快乐" in on_the_day
    assert "今天是您的生日" not in day_before and "生日快乐" in day_before, day_before
