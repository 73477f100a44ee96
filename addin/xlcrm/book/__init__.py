"""The only package that touches workbooks: this interface, and one package per engine behind it.

book/file/: a .xlsx/.xlsm on disk (read with calamine, written as a patch of its package);
book/live/: the workbook open in Excel, through xlwings (the ribbon's buttons).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Protocol

from xlcrm.core.edits import Edit
from xlcrm.core.i18n import Msg


@dataclass
class SaveResult:
    """Where the edits went. elsewhere: the workbook itself was left alone (see lost)."""

    target: str
    backup: str | None = None
    elsewhere: bool = False
    lost: list[Msg] = field(default_factory=list)


class Book(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def folder(self) -> Path:
        """The folder beside the workbook: outbox, journal and attachments live there."""

    def sheet_names(self) -> list[str]: ...

    def read_sheet(self, name: str, max_rows: int | None = None) -> list[list[Any]]:
        """Cell values from A1, row by row: dates as datetime, numbers as float/int, text as str."""

    def apply(self, edits: Sequence[Edit]) -> SaveResult:
        """Carry out all edits in one go."""
