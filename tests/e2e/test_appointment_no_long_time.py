"""A customer with a meeting planned gets the appointment reminder, not "好久不见，最近可好？" (long time no see)
the next day, the day of the meeting, nor the working day after it if nobody logged the meeting: the meeting is
the contact. The preview says why the follow-up waits.

`xlcrm remind BOOK --send --today D` on 3, 4 and 7 December 2026 against a real SMTP server on loopback; the
meeting with 甲公司 is on 4 December; 乙公司, as long without contact, has no meeting.
"""

from __future__ import annotations

import datetime as dt

from helpers.cli import run
from helpers.mailbook import set_settings
from helpers.smtp_server import delivered
from helpers.tracking import tracking_book
from helpers.workbooks import sheet_rows

HEADERS = ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期", "预约日期"]
MEETING = dt.datetime(2026, 12, 4)
WITH_MEETING, WITHOUT = "wang@jia.example.com", "li@yi.example.com"


def test_no_long_time_no_see_around_a_planned_meeting(tmp_path, mail_server):
    book = tracking_book(tmp_path / "客户.xlsx", headers=HEADERS, title=None, rows=[
        ["甲公司", "王总", WITH_MEETING, "张三", dt.datetime(2026, 9, 1), MEETING],
        ["乙公司", "李总", WITHOUT, "张三", dt.datetime(2026, 9, 1), None]])
    assert run("remind", book, "--today", "2026-12-03").exit_code == 0  # the settings sheet, as a first preview
    set_settings(book, mail_server.settings())
    result = run("remind", book, "--send", "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    waiting = [r for r in sheet_rows(book, "邮件预览")[1:] if r[4] == WITH_MEETING and r[6] == "久未联系问候"]
    assert waiting and "预约" in waiting[0][12], waiting  # 原因: the meeting (its reminder) comes first
    for day in ("2026-12-04", "2026-12-07"):  # the meeting's day, and the working day after it (nobody logged it)
        result = run("remind", book, "--send", "--today", day)
        assert result.exit_code == 0, result.output
    to_meeting = [subject for (to, subject), _ in delivered(mail_server).items() if to == WITH_MEETING]
    assert to_meeting == ["预约提醒：2026年12月4日 与您见面"], to_meeting
    assert any("好久不见" in subject for (to, subject) in delivered(mail_server) if to == WITHOUT)
