"""The Excel window a ribbon button was clicked in: its workbook, status bar, message box, selection.

xlwings is imported here, when a button runs, never at import time: the command line
and the tests of the file back-end do not need Excel.
"""

from __future__ import annotations

from typing import Any, Iterable, TypeVar

from xlcrm.core.i18n import Msg

T = TypeVar("T")
STATUS_STEPS = 20  # status bar updates per long step, whatever the number of rows


class ExcelWindow:
    def __init__(self, book: Any):
        self.book = book

    @classmethod
    def caller(cls) -> "ExcelWindow":
        """The workbook the button was clicked in (xlwings' Book.caller(), or its mock in tests)."""
        import xlwings as xw

        return cls(xw.Book.caller())

    def status(self, text: str | bool) -> None:  # False gives the status bar back to Excel
        try:
            self.book.app.status_bar = text
        except NotImplementedError:  # xlwings Server has no status bar; progress is a nicety
            pass

    def clear_status(self) -> None:
        self.status(False)  # False gives the status bar back to Excel

    def message(self, text: str, title: str, error: bool = False) -> None:
        self.book.app.alert(text, title=title, mode="critical" if error else "info")

    def selected_row(self) -> tuple[str, int] | None:
        """(sheet, first row) of the selected cells, or None when no cells are selected (a shape, a chart)."""
        selection = self.book.app.selection
        return None if selection is None else (selection.sheet.name, selection.row)

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()


def status_progress(window: ExcelWindow, lang: str):
    """A Progress (actions/progress.py) shown in Excel's status bar, in at most STATUS_STEPS updates."""

    def progress(items: Iterable[T], total: int, label: Msg) -> Iterable[T]:
        text = label.text(lang)
        shown = -1
        window.status(f"xlcrm: {text} …")
        for done, item in enumerate(items, start=1):
            step = done * STATUS_STEPS // max(total, 1)
            if step != shown:
                shown = step
                window.status(f"xlcrm: {text} {min(100, done * 100 // max(total, 1))}%")
            yield item

    return progress
