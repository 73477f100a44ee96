"""A next follow-up far ahead, as teams and ERP exports type "never" (9999/12/31, as text or as a date; 2300-01-01):
the customer is not due, not listed as overdue and not mailed; nothing stops. pandas' days end in 2262, so a later
day is read as 2199-12-31, which keeps its meaning: no follow-up before then. The data problems name the cell."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from helpers.cli import run
from helpers.workbooks import sheet_rows

TODAY = "2026-11-23"


@pytest.mark.parametrize("never", ["9999/12/31", dt.datetime(9999, 12, 31), "2300-01-01"])
def test_a_follow_up_planned_for_never_is_never_due(tmp_path, never):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Customer", "Email", "Owner", "Last contact", "Next follow-up"])
    sheet.append(["Never Again Ltd", "na@x.example", "Kim", dt.date(2026, 8, 10), never])
    sheet.append(["Normal Ltd", "no@x.example", "Kim", dt.date(2026, 8, 10), None])
    path = tmp_path / "never.xlsx"
    book.save(path)

    for command in ("followups", "remind", "report"):
        result = run(command, path, "--today", TODAY)
        assert result.exit_code == 0, result.output
    due = [row[0] for row in sheet_rows(path, "待跟进")[1:] if row[0]] if "待跟进" in openpyxl.load_workbook(
        path).sheetnames else [row[0] for row in sheet_rows(path, "Due follow-ups")[1:] if row[0]]
    assert "Normal Ltd" in due and "Never Again Ltd" not in due, due
    preview = openpyxl.load_workbook(path, read_only=True)
    mails = [row for name in preview.sheetnames if name in ("邮件预览", "Mail preview")
             for row in preview[name].iter_rows(values_only=True)]
    assert any("no@x.example" in map(str, row) for row in mails), mails
    assert not any("na@x.example" in map(str, row) for row in mails), "never is never mailed"
    problems = [row for name in preview.sheetnames if name in ("数据问题", "Data problems")
                for row in preview[name].iter_rows(values_only=True)]
    assert any(row[1] == 2 and "E" in str(row[2]) for row in problems), problems
