"""Working days past the years the holiday calendar knows are a guess: remind and the report say so in the lines
they print, as followups does, once; a day well inside a known year says nothing of the kind."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_book
from helpers.cli import run
from xlcrm.core.calendar import ESTIMATED, known_until

KNOWN = known_until("CN")  # the last year whose 调休 the installed holidays package knows
LATE_DECEMBER = dt.date(KNOWN, 12, 28)  # planning looks a month ahead, into the next year: estimated
MID_YEAR = dt.date(KNOWN, 6, 10)  # a month's look-ahead stays inside the known year


def note(lang: str) -> str:
    return ESTIMATED(country="CN", year=KNOWN, years=str(KNOWN + 1)).text(lang)


def commands(book, day, out) -> dict[str, tuple[str, ...]]:
    return {"remind": ("remind", book, "--today", day),
            "report": ("report", book, "--today", day, "--out", out)}


@pytest.mark.parametrize("command", ["remind", "report"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_late_december_run_says_the_next_years_working_days_are_estimated(tmp_path, command, lang):
    book = make_book(tmp_path, "zh", customers=30, today=LATE_DECEMBER)
    result = run(*commands(book, LATE_DECEMBER, tmp_path / "reports")[command], lang=lang)
    assert result.exit_code == 0, result.output
    assert ("工作日为估算" if lang == "zh" else "are estimated") in note(lang)
    assert result.output.count(note(lang)) == 1, result.output
    assert str(KNOWN + 1) in note(lang)


@pytest.mark.parametrize("command", ["remind", "report", "followups"])
def test_a_day_well_inside_a_known_year_has_no_such_note(tmp_path, command):
    book = make_book(tmp_path, "zh", customers=30, today=MID_YEAR)
    words = {**commands(book, MID_YEAR, tmp_path / "reports"), "followups": ("followups", book, "--today", MID_YEAR)}
    for lang in ("zh", "en"):
        result = run(*words[command], lang=lang)
        assert result.exit_code == 0, result.output
        assert "估算" not in result.output and "estimated" not in result.output


def test_remind_says_it_as_followups_does(tmp_path):
    book = make_book(tmp_path, "zh", customers=30, today=LATE_DECEMBER)
    said = run("followups", book, "--today", LATE_DECEMBER).output
    assert note("zh") in said and note("zh") in run("remind", book, "--today", LATE_DECEMBER).output
