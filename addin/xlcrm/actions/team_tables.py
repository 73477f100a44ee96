"""Which of a workbook's sheets hold the team's tables: the one the settings name, else the one whose header
names the most fields; and the other sheets laid out like the customer sheet (one per owner, region or year)."""

from __future__ import annotations

from typing import Any

from xlcrm.book import Book
from xlcrm.core.fields import CUSTOMERS, ORDERS, REQUIRED, fields_of
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text
from xlcrm.core.table import HEADER_SCAN_ROWS, find_header_row, match_field, synonym_index

SHEET_GONE = Msg("The settings name the sheet '{sheet}', which is not in the workbook; used '{used}' instead.",
                 "设置中指定的工作表“{sheet}”不存在,已改用“{used}”。")


def named_sheet(value: Any, sheets: list[str]) -> str:
    """The sheet a setting names: as typed, else the one sheet whose name reads the same (full-width letters,
    spaces), else the setting as read."""
    typed = value.strip() if isinstance(value, str) else clean_text(value)
    if typed in sheets:
        return typed
    alike = [name for name in sheets if clean_text(name) == clean_text(typed)]
    return alike[0] if len(alike) == 1 else clean_text(typed)


def choose_sheet(book: Book, named: str, candidates: list[str], kind: str, notes: list[Msg]) -> str | None:
    """The sheet the settings name, else the one whose header names the most fields of this kind."""
    if named and named in candidates:
        return named
    needed = 2 if kind == CUSTOMERS else len(REQUIRED[ORDERS])
    scored = [(find_header_row(book.read_sheet(n, HEADER_SCAN_ROWS), kind)[1], -i, n) for i, n in enumerate(candidates)]
    best = max(scored, default=(0, 0, None))
    chosen = best[2] if best[0] >= needed else None
    if named and chosen:
        notes.append(SHEET_GONE(sheet=named, used=chosen))
    return chosen


def alike_sheets(book: Book, chosen: str, others: list[str]) -> list[str]:
    """Other sheets whose header names the customer and (nearly) the fields the customer sheet's does:
    one sheet per owner, per region or per year, of which xlcrm would silently read only one."""
    fields = _header_fields(book, chosen)
    return [n for n in others if "customer" in (found := _header_fields(book, n))
            and len(found & fields) >= max(2, len(fields) - 1)]


def _header_fields(book: Book, sheet: str) -> set[str]:
    grid = book.read_sheet(sheet, HEADER_SCAN_ROWS)
    row, score = find_header_row(grid, CUSTOMERS)
    synonyms = synonym_index(fields_of(CUSTOMERS))
    return {f for v in grid[row - 1] if (f := match_field(clean_text(v), synonyms))} if score else set()
