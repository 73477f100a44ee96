"""The only package that touches workbooks: this interface, and one package per engine behind it.

book/file/: a .xlsx/.xlsm on disk (read with calamine, written as a patch of its package);
book/live/: the workbook open in Excel, through xlwings (the ribbon's buttons).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Callable, Protocol

from xlcrm.core.edits import Edit
from xlcrm.core.i18n import Msg


@dataclass
class SaveResult:
    """Where the edits went. elsewhere: the workbook itself was left alone (see lost)."""

    target: str
    backup: str | None = None
    elsewhere: bool = False
    lost: list[Msg] = field(default_factory=list)


class Grid(list):
    """What read_sheet gives: the sheet's rows from A1 (lists of cell values), with what the values alone do not say.

    date1904: the workbook counts its days from 1904 (workbookPr date1904, Excel for Mac's old default), so a bare
    number typed in a date column (45000, no date format) is a day 1462 days later than in a 1900 workbook.
    uncalculated(column): of a 0-based column, Excel row -> formula (None if not known) of the cells that hold a
    formula with no calculated value, which read as empty (a workbook written by a program and never opened in
    Excel or LibreOffice); asked only about a needed cell found empty, as it reads the sheet again. None where the
    back-end never meets such cells (Excel calculates its formulas).
    total_rows: Excel rows of the total rows Excel Tables show (a Table's Total Row, labelled or not): no data.
    """

    date1904: bool = False
    total_rows: frozenset[int] = frozenset()
    uncalculated: Callable[[int], dict[int, str | None]] | None = None


class Book(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def folder(self) -> Path:
        """The folder beside the workbook: outbox, journal and attachments live there."""

    def sheet_names(self) -> list[str]: ...

    @property
    def date1904(self) -> bool:
        """Whether the workbook counts its days from 1904 (see Grid)."""

    def read_sheet(self, name: str, max_rows: int | None = None) -> Grid:
        """Cell values from A1, row by row: dates as datetime, numbers as float/int, text as str; as a Grid, which
        also says how to read them (its date system, its formulas never calculated)."""

    def apply(self, edits: Sequence[Edit]) -> SaveResult:
        """Carry out all edits in one go."""
