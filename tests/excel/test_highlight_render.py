"""The Done-when of follow-ups, by the real clock: render the written workbook with LibreOffice and
look at the row colours a user would see this morning."""

import datetime as dt

import openpyxl
import pytest

from helpers.libreoffice import convert
from helpers.render import render, words
from helpers.tracking import tracking_book
from xlcrm.actions.followups import followups
from xlcrm.book.file import FileBook

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

NONE = (255, 255, 255)


def rule_fills(path):
    """The fill of each of xlcrm's rules, in order (overdue, today, this week), as saved in the workbook."""
    sheet = openpyxl.load_workbook(path)["Customers"]
    rules = [r for cf in sheet.conditional_formatting for r in cf.rules if "xlcrm" in r.formula[0]]
    # a rule's solid fill is its bgColor (Excel's way); some writers also set fgColor
    colours = [r.dxf.fill.bgColor.rgb if isinstance(r.dxf.fill.bgColor.rgb, str) and r.dxf.fill.bgColor.rgb[-6:] != "000000"
               else r.dxf.fill.fgColor.rgb for r in rules]
    return [tuple(int(c[-6:][i:i + 2], 16) for i in (0, 2, 4)) for c in colours]


def test_rows_show_the_overdue_today_and_this_week_colours_by_the_real_clock(tmp_path):
    today = dt.date.today()
    rows = [["OverdueCo", "Amy", today - dt.timedelta(days=1)],
            ["TodayCo", "Amy", today],
            ["WeekCo", "Amy", today + dt.timedelta(days=3)],
            ["LaterCo", "Amy", today + dt.timedelta(days=31)]]  # next month: no colour
    path = tracking_book(tmp_path / "team.xlsx", rows, ["Customer", "Owner", "Next follow-up"], title=None,
                         sheet="Customers")
    followups(FileBook(path))
    red, amber, yellow = rule_fills(path)
    assert red[0] > red[1] + 40 and abs(red[1] - red[2]) < 20  # red
    assert amber[0] > amber[1] > amber[2] + 40  # amber
    assert yellow[0] > 200 and yellow[1] > 200 and yellow[2] < yellow[1] - 40  # yellow

    pdf = convert(path, "pdf", tmp_path / "pdf")
    page, found = render(pdf, 1), words(pdf, 1)  # the customer sheet comes first
    right = next(w for w in found if w.text == "due").x1  # header "Next due": the table's last column
    expected = {"OverdueCo": red, "TodayCo": amber, "WeekCo": yellow, "LaterCo": NONE}
    for name, colour in expected.items():
        word = next(w for w in found if w.text.startswith(name))
        seen = page.main_colour(word.x0, right, (word.y0 + word.y1) / 2)
        assert all(abs(a - b) <= 6 for a, b in zip(seen, colour)), f"{name}: {seen}, expected {colour}"
    shown = [w.text for w in found]
    assert {"Overdue", "today", "week", "OK"} <= set(shown)  # the status formula, worked out by LibreOffice
    assert today.isoformat() in shown  # the Next due column is wide enough to show its dates
