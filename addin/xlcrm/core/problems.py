"""Cells xlcrm could not read: listed with sheet, row, column, value and why, never fatal by themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlcrm.core.i18n import Msg

COLUMNS = (("sheet", "Sheet", "工作表"), ("row", "Row", "行"), ("column", "Column", "列"),
           ("value", "Value", "内容"), ("why", "Problem", "问题"))


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str  # letter and header, e.g. "D 生日"
    value: Any
    why: Msg

    def text(self, lang: str) -> str:
        where = f"{self.sheet}!{self.column.split(' ')[0]}{self.row}" if self.row else self.sheet
        value = "" if self.value is None else f" '{self.value}'"
        return f"{where} ({self.column}){value}: {self.why.text(lang)}"


def problems_rows(problems: list[Problem], lang: str) -> list[list[Any]]:
    """Header plus one row per problem, in the user's language."""
    header = [zh if lang == "zh" else en for _, en, zh in COLUMNS]
    return [header] + [[p.sheet, p.row, p.column, _shown(p.value), p.why.text(lang)] for p in problems]


def _shown(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, (int, float)) else str(value)
