"""Cells xlcrm could not read: listed with sheet, row, column, value and why, never fatal by themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlcrm.core.i18n import Msg

COLUMNS = (("sheet", "Sheet", "工作表"), ("row", "Row", "行"), ("column", "Column", "列"),
           ("value", "Value", "内容"), ("why", "Problem", "问题"), ("found_by", "Found by", "发现于"))
# Which run found a problem: each run replaces its own rows and keeps the others'.
FOUND_BY = {
    "read": Msg("Reading the sheets", "读取表格"),
    "refresh": Msg("Refresh scores", "刷新评分"),
    "followups": Msg("Follow-ups", "跟进"),
    "remind": Msg("Reminders", "邮件提醒"),
    "report": Msg("Report", "报告"),
}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str  # letter and header, e.g. "D 生日"
    value: Any
    why: Msg

    def text(self, lang: str) -> str:
        where = f"{self.sheet}!{self.column.split(' ')[0]}{self.row}" if self.row else self.sheet
        shown = int(self.value) if isinstance(self.value, float) and self.value.is_integer() else self.value
        value = "" if shown is None else f" '{shown}'"  # 12345 as Excel shows it, not 12345.0
        return f"{where} ({self.column}){value}: {self.why.text(lang)}"


GROUP = Msg("{where} ({column}): {why} - {count} rows: {rows}{more}",
            "{where}({column}):{why} - 共 {count} 行:{rows}{more}")
MORE_ROWS = Msg("... and {count} more rows with the same problem in this column",
                "……本列另有 {count} 行是同样的问题")
FIRST_ROWS = 5  # rows named in a grouped line
PER_GROUP = 200  # rows of one column and cause written to the problems sheet; the rest are counted


def grouped(problems: list[Problem]) -> list[list[Problem]]:
    """Problems by sheet, column and cause, in the order first met (15,000 'no date' rows are one group)."""
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        groups.setdefault((problem.sheet, problem.column, problem.why.text("en")), []).append(problem)
    return list(groups.values())


def group_text(group: list[Problem], lang: str) -> str:
    """One problem as it is; a group as its column, cause, count and first rows."""
    first = group[0]
    if len(group) == 1 or not first.row:
        return first.text(lang)
    rows = ", ".join(str(p.row) for p in group[:FIRST_ROWS])
    return GROUP(where=first.sheet, column=first.column, why=first.why, count=len(group), rows=rows,
                 more=", ..." if len(group) > FIRST_ROWS else "").text(lang)


def header(lang: str) -> list[str]:
    return [zh if lang == "zh" else en for _, en, zh in COLUMNS]


def problem_row(problem: Problem, found_by: str, lang: str) -> list[Any]:
    return [problem.sheet, problem.row, problem.column, _shown(problem.value), problem.why.text(lang),
            FOUND_BY[found_by].text(lang)]


def problem_rows(problems: list[Problem], found_by: str, lang: str) -> list[list[Any]]:
    """Rows of the problems sheet: each problem, up to PER_GROUP per column and cause, then how many more."""
    rows = []
    for group in grouped(problems):
        rows += [problem_row(p, found_by, lang) for p in group[:PER_GROUP]]
        if len(group) > PER_GROUP:
            first = group[0]
            rows.append([first.sheet, None, first.column, None,
                         f"{first.why.text(lang)} {MORE_ROWS(count=len(group) - PER_GROUP).text(lang)}",
                         FOUND_BY[found_by].text(lang)])
    return rows


def rows_found_by_others(grid: list[list[Any]], replaced: set[str]) -> list[list[Any]]:
    """Rows of an existing problems sheet that runs other than `replaced` found, as they stand."""
    if not grid:
        return []
    labels = {label: found for found, msg in FOUND_BY.items() for label in (msg.en, msg.zh)}
    column = next((i for i, cell in enumerate(grid[0]) if cell in ("Found by", "发现于")), None)
    if column is None:
        return []
    return [row for row in grid[1:] if column < len(row) and labels.get(row[column]) not in (None, *replaced)]


def _shown(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, (int, float)) else str(value)
