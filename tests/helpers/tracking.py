"""Small tracking sheets written the way a team would type them, for follow-up tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl

ZH = ["客户名称", "联系人", "手机", "负责人", "最近联系日期", "下次跟进", "累计成交金额", "阶段", "进入阶段日期"]
EN = ["Customer", "Contact", "Mobile", "Owner", "Last contact", "Next follow-up", "Total amount", "Stage",
      "In stage since"]


def tracking_book(path: Path, rows: list[list], headers: list[str] = ZH, title: str | None = "客户跟踪表",
                  sheet: str = "客户跟踪表", extra_sheets: dict[str, list[list]] | None = None) -> Path:
    """A workbook with an optional title row, a header row and the rows given (dates as typed)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for name, grid in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in grid:
            other.append(row)
    book.save(path)
    return path


def column_of(path: Path, sheet: str, header: str) -> int:
    """1-based column of a header (searched in the first rows)."""
    ws = openpyxl.load_workbook(path)[sheet]
    for row in ws.iter_rows(max_row=10):
        for cell in row:
            if cell.value == header:
                return cell.column
    raise AssertionError(f"no column {header!r} in {sheet}")
