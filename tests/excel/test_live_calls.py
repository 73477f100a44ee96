"""The live back-end makes the same number of calls into Excel at 100 and at 10,000 customers."""

from __future__ import annotations

import importlib

import pytest

from conftest import TODAY, make_book
from helpers.calls import counted
from helpers.remote import actions, remote_book
from xlcrm.book.live import LiveBook

# action -> (module, function, keyword arguments); modules other issues add are skipped until they land.
ACTIONS = {
    "check": ("xlcrm.actions.check", "check", {}),
    "refresh": ("xlcrm.actions.refresh", "refresh", {"today": TODAY}),
    "followups": ("xlcrm.actions.followups", "followups", {"today": TODAY}),
    "report": ("xlcrm.actions.report", "report", {}),
}


def _action(name: str):
    module, function, kwargs = ACTIONS[name]
    found = getattr(importlib.import_module(module), function)
    return lambda book: found(book, **kwargs)


def writes(recorded: list[dict]) -> int:
    """Writes Excel carries out, a large block that xlwings sent in chunks counted once."""
    count, previous = 0, None
    for action in recorded:
        chunk = (previous and action["func"] == previous["func"] == "setValues"
                 and action["sheet_position"] == previous["sheet_position"]
                 and action["start_column"] == previous["start_column"]
                 and action["start_row"] == previous["start_row"] + previous["row_count"])
        count += not chunk
        previous = action
    return count


def calls(tmp_path, run, customers: int) -> tuple[int, int]:
    path = make_book(tmp_path / str(customers), customers=customers)
    remote = remote_book(path)
    book, counter = counted(remote)
    run(LiveBook(book, folder=path.parent))
    return counter.calls, writes(actions(remote))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ACTIONS))
def test_calls_into_excel_do_not_grow_with_the_number_of_rows(tmp_path, name):
    run = _action(name)
    small, large = calls(tmp_path, run, 100), calls(tmp_path, run, 10_000)
    print(f"{name}: (calls, writes) at 100 customers {small}, at 10,000 {large}")
    assert small == large
    assert small[1] > 0  # the action did write through the live back-end
