"""What reading the settings sheet met (here an unclear yes/no) is said by `refresh` and `check` on the command
line too, naming the cell, not only by the follow-ups, the log and the reminders."""

import pytest

from conftest import TODAY
from helpers.cli import run
from helpers.workbooks import edit, find_row


@pytest.fixture
def unclear_day_first(zh_book):
    assert run("check", zh_book).exit_code == 0  # the settings sheet as xlcrm writes it
    row = find_row(zh_book, "CRM设置", "day_first", below="常规")
    edit(zh_book, "CRM设置", {f"C{row}": "也许"})
    return zh_book, f"CRM设置!C{row}"


@pytest.mark.parametrize("command", [["refresh", "--today", TODAY.isoformat()], ["check"]])
def test_an_unclear_yes_no_is_said_naming_its_cell(unclear_day_first, command):
    book, cell = unclear_day_first
    result = run(*command, book)
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if cell in line]
    assert said and "也许" in said[0] and "不是明确的是或否" in said[0], result.output


def test_in_english_too(unclear_day_first):
    book, cell = unclear_day_first
    result = run("refresh", "--today", TODAY.isoformat(), book, lang="en")
    assert any("也许" in line and "is not a clear yes or no" in line and cell.split("!")[1] in line
               for line in result.output.splitlines()), result.output


def test_a_clear_value_says_nothing(zh_book):
    run("check", zh_book)
    row = find_row(zh_book, "CRM设置", "day_first", below="常规")
    edit(zh_book, "CRM设置", {f"C{row}": "否"})
    assert f"CRM设置!C{row}" not in run("refresh", "--today", TODAY.isoformat(), zh_book).output
