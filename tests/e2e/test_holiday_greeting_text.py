"""What a customer reads in a holiday greeting: the holiday's name, never a raw ISO date, and words that are
right before the festival and after it (the greeting's window runs a few days past the day, for a missed run).

The preview (`xlcrm remind BOOK --today D --template 节日问候`) writes one .eml per message: what would be sent.
"""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from conftest import make_book
from helpers.cli import run
from helpers.mailbook import set_settings

MID_AUTUMN = dt.date(2026, 9, 25)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def sample(folder: Path, lang: str, today: dt.date) -> Path:
    """The sample workbook with China's holidays: a Chinese one has them by default, an English one is told."""
    book = make_book(folder, lang, customers=30, today=today)
    if lang == "en":
        assert run("remind", book, "--today", today).exit_code == 0  # writes the settings sheet
        set_settings(book, {"calendar": "CN"})
        for old in book.parent.glob("*.outbox/*.eml"):
            old.unlink()
    return book


def greetings(book: Path, today: dt.date, lang: str) -> list[tuple[str, str]]:
    """(subject, plain body) of every holiday greeting the preview on `today` would send."""
    template = "节日问候" if lang == "zh" else "Holiday greeting"
    result = run("remind", book, "--today", today, "--template", template)
    assert result.exit_code == 0, result.output
    found = []
    for path in sorted(book.parent.glob("*.outbox/*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found.append((str(message["Subject"]), message.get_body(("plain",)).get_content()))
    assert found, result.output
    return found


@pytest.mark.parametrize("lang, name", [("zh", "中秋节"), ("en", "Mid-Autumn Festival")])
def test_a_mid_autumn_greeting_names_the_festival_without_an_iso_date(tmp_path, lang, name):
    today = MID_AUTUMN - dt.timedelta(days=3)  # the window's first day
    book = sample(tmp_path, lang, today)
    for subject, body in greetings(book, today, lang):
        assert not ISO_DATE.search(subject) and not ISO_DATE.search(body), (subject, body)
        assert name in body
        if lang == "zh":
            assert subject.startswith("中秋节快乐，")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_greeting_sent_after_the_festival_does_not_say_it_is_coming(tmp_path, lang):
    today = MID_AUTUMN + dt.timedelta(days=2)  # a first run after the day, still inside the window
    book = sample(tmp_path, lang, today)
    for subject, body in greetings(book, today, lang):
        assert "将至" not in body and "coming" not in body, body
        assert not ISO_DATE.search(subject + body)
