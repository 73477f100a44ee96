"""Counts in the mail sender settings (days between two messages, messages per day, the port) are whole numbers,
0 or more: a negative one is refused saying so, in the user's language, not called 'not a whole number'."""

import pytest

from conftest import TODAY
from helpers.cli import run
from helpers.mailbook import remind_on, set_settings


@pytest.fixture
def previewed(zh_book):
    remind_on(zh_book)  # the settings sheet with the sender block, as xlcrm writes it
    return zh_book


@pytest.mark.parametrize("key", ["min_days", "daily_cap"])
def test_a_negative_count_is_refused_as_below_zero(previewed, key):
    set_settings(previewed, {key: -1})
    before = previewed.read_bytes()
    en = run("--lang", "en", "remind", previewed, "--today", TODAY)
    zh = run("--lang", "zh", "remind", previewed, "--today", TODAY)
    assert en.exit_code == zh.exit_code == 1
    assert f"'{key}': '-1' is below 0: write a whole number, 0 or more" in en.output, en.output
    assert "not a whole number" not in en.output
    assert f"“{key}”:“-1”小于 0:请填写 0 或更大的整数" in zh.output, zh.output
    assert previewed.read_bytes() == before  # refused before anything was written


def test_zero_days_between_messages_is_accepted(previewed):
    set_settings(previewed, {"min_days": 0})
    assert run("remind", previewed, "--today", TODAY).exit_code == 0


def test_a_fraction_is_still_not_a_whole_number(previewed):
    set_settings(previewed, {"min_days": "1.5"})
    assert "'1.5' is not a whole number" in run("--lang", "en", "remind", previewed, "--today", TODAY).output
