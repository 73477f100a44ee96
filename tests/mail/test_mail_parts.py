"""Small parts of the mail merge on their own: the journal's crash tolerance, sending windows, the sender profile."""

import datetime as dt
import json

import pytest

from xlcrm.core.errors import XlcrmError
from xlcrm.core.mailmerge.sender_profile import sender_profile, split_from
from xlcrm.core.mailmerge.send_window import SendWindow, parse_days, parse_hours, parse_window
from xlcrm.mail.journal import Journal
from xlcrm.core.all_settings import settings_from_user


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_next_line_starts_clean(tmp_path):
    path = tmp_path / "book.xlcrm-mail.jsonl"
    journal = Journal(path)
    with journal.writing():
        journal.record("a", "sending", to="x@example.com")
        journal.record("a", "sent")
        journal.record("b", "sending")
    with path.open("ab") as handle:
        handle.write(b'{"at": "2026-11-23T10:00:00+08:00", "key": "b", "sta')  # killed mid-write
    latest = Journal(path).latest()
    assert latest["a"]["state"] == "sent" and latest["a"]["to"] == "x@example.com"
    assert latest["b"]["state"] == "sending"  # the torn "sent" line does not count: still in flight
    again = Journal(path)
    with again.writing():
        again.record("c", "sent")
    assert again.latest()["c"]["state"] == "sent" and again.damaged_lines == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["key"] == "c"


@pytest.mark.parametrize("text, days", [
    ("周二至周四", {1, 2, 3}), ("Tue-Thu", {1, 2, 3}), ("Mon, Wed, Fri", {0, 2, 4}), ("工作日", {0, 1, 2, 3, 4}),
    ("周五", {4}), ("2-4", {1, 2, 3}), ("Fri-Mon", {4, 5, 6, 0}), ("周一、周三", {0, 2}),
])
def test_sending_days_are_read_as_people_write_them(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize("text, start, end", [
    ("9-18", dt.time(9), dt.time(18)), ("9:30-17:00", dt.time(9, 30), dt.time(17)),
    ("09:00~18:00", dt.time(9), dt.time(18)), ("9点至17点", dt.time(9), dt.time(17)),
])
def test_sending_hours_are_read_as_people_write_them(text, start, end):
    assert parse_hours(text) == (start, end)


def test_the_next_window_skips_to_the_next_allowed_day_and_hour():
    window = SendWindow(frozenset({1, 2, 3}), dt.time(9), dt.time(17))  # Tue-Thu 9-17
    friday_evening = dt.datetime(2026, 11, 27, 18, 0)
    assert window.next_open(friday_evening) == dt.datetime(2026, 12, 1, 9, 0)
    tuesday_early = dt.datetime(2026, 12, 1, 7, 0)
    assert window.next_open(tuesday_early) == dt.datetime(2026, 12, 1, 9, 0)
    assert window.is_open(dt.datetime(2026, 12, 2, 16, 59)) and not window.is_open(dt.datetime(2026, 12, 2, 17, 0))


def test_a_bad_window_names_the_setting():
    with pytest.raises(XlcrmError) as error:
        parse_window("someday", "", lambda key, why: XlcrmError(why))
    assert "someday" in error.value.text("en")


def test_the_server_is_guessed_from_a_well_known_mailbox_and_overrides_win():
    settings = settings_from_user({"sender": [{"key": "smtp_user", "value": "zhanglei@qq.com"}]})
    profile = sender_profile(settings)
    assert (profile.host, profile.port, profile.security) == ("smtp.qq.com", 465, "ssl")
    assert profile.from_address == "zhanglei@qq.com"
    office = sender_profile(settings, {"smtp_host": "smtp.office365.com", "smtp_security": "starttls"})
    assert (office.host, office.port) == ("smtp.office365.com", 587)


def test_a_wrong_security_word_is_a_clear_error():
    settings = settings_from_user({"sender": [{"key": "smtp_security", "value": "tls"}]})
    with pytest.raises(XlcrmError) as error:
        sender_profile(settings)
    assert "smtp_security" in error.value.text("en") and "ssl, starttls, none" in error.value.text("en")


def test_from_accepts_a_name_and_an_address():
    assert split_from("恒信销售部 <sales@hengxin.example.com>") == ("恒信销售部", "sales@hengxin.example.com")
    assert split_from("sales@hengxin.example.com") == ("", "sales@hengxin.example.com")
