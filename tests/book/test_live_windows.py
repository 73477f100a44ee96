"""The live back-end's Windows path, on xlwings' own remote objects: desktop Excel on Windows has no freeze API
in xlwings (Sheet.freeze_panes raises NotImplementedError there), so xlcrm freezes panes through the window,
which shows only the active sheet, and Excel refuses to activate a hidden sheet (COM error 1004). The remote
sheet's freeze_panes is made to raise as on Windows, and sys.platform says win32; the window is a plain
recorder of what is set on it."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import openpyxl
import pytest

from helpers.remote import actions, remote_book, replay
from xlcrm.book.live import LiveBook
from xlcrm.book.live.xlwings_edits import shown
from xlcrm.core.edits import PutSheet

STATE = "_xlcrm"


@pytest.fixture
def windows(monkeypatch):
    """Excel on Windows as xlwings shows it: no freeze API; app.api.ActiveWindow the COM window."""
    from xlwings.pro import _xlremote

    def no_freeze_api(sheet):
        raise NotImplementedError()  # xlwings' base_classes.Sheet.freeze_panes, which the Windows engine keeps

    window = SimpleNamespace()
    monkeypatch.setattr(_xlremote.Sheet, "freeze_panes", property(no_freeze_api))
    monkeypatch.setattr(_xlremote.App, "api", property(lambda app: SimpleNamespace(ActiveWindow=window)),
                        raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    return window


def with_hidden_state(path):
    """The workbook after a first run: xlcrm's hidden state sheet is there."""
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet(STATE)
    sheet.append(["key", "value"])
    sheet.sheet_state = "hidden"
    book.save(path)
    return path


def activated(remote) -> list[str]:
    names = [sheet.name for sheet in remote.sheets]
    return [names[a["args"][0]] for a in actions(remote) if a["func"] == "activateSheet"]


def state(rows=(("key", "value"), ("classes", "{}")), freeze=None) -> PutSheet:
    return PutSheet(STATE, [list(r) for r in rows], hidden=True, freeze=freeze)


def test_rewriting_the_hidden_state_sheet_never_activates_it(windows, zh_book):
    with_hidden_state(zh_book)
    remote = remote_book(zh_book)
    LiveBook(remote).apply([state()])
    assert STATE not in activated(remote)
    assert not vars(windows)  # nothing went through the window: it shows another sheet
    replay(remote, zh_book)
    book = openpyxl.load_workbook(zh_book)
    assert book[STATE].sheet_state == "hidden" and book[STATE]["A2"].value == "classes"
    assert book.active.title == "客户跟踪表"


def test_a_new_sheet_to_be_hidden_is_hidden_before_it_is_written(windows, zh_book):
    remote = remote_book(zh_book)
    LiveBook(remote).apply([state(freeze="A2")])
    position = [sheet.name for sheet in remote.sheets].index(STATE)
    ours = [a["func"] for a in actions(remote) if a.get("sheet_position") == position]
    assert ours.index("setSheetVisibility") < ours.index("setValues")
    assert STATE not in activated(remote) and not vars(windows)


def test_a_visible_sheet_still_freezes_through_the_window(windows, zh_book):
    remote = remote_book(zh_book)
    LiveBook(remote).apply([PutSheet("CRM概览", [["标题"], ["阶段", "客户数"], ["a", 1.0]], freeze="A3")])
    assert activated(remote) == ["CRM概览", "客户跟踪表"]  # shown in the window, then the user's sheet again
    assert (windows.SplitRow, windows.SplitColumn, windows.FreezePanes) == (2, 0, True)


def test_a_hidden_sheet_the_user_made_visible_again_is_shown_before_its_panes_are_set(windows, zh_book):
    with_hidden_state(zh_book)
    remote = remote_book(zh_book)
    LiveBook(remote).apply([PutSheet(STATE, [["key", "value"]], freeze="A2")])  # no longer hidden
    position = [sheet.name for sheet in remote.sheets].index(STATE)
    ours = [a["func"] for a in actions(remote) if a.get("sheet_position") == position]
    assert ours[0] == "setSheetVisibility" and STATE in activated(remote) and windows.FreezePanes is True


@pytest.mark.parametrize("visible, expected", [(-1, True), (0, False), (2, False), (True, True), (False, False)])
def test_visible_as_each_engine_gives_it(visible, expected):
    """Windows: COM's Visible (-1 xlSheetVisible, 0 xlSheetHidden, 2 xlSheetVeryHidden); the Mac and xlwings
    Server: a bool. Very hidden (2) is truthy yet hidden."""
    assert shown(SimpleNamespace(visible=visible)) is expected
