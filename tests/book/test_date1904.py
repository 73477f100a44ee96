"""A workbook that counts its dates from 1904 (workbookPr date1904="1", the old default of Excel for Mac).

The same day is a number 1462 smaller there than in a workbook counting from 1900, so every date xlcrm writes
must be counted in the workbook's own system: on the team's sheet (book/file/sheet_patch.py) and on xlcrm's own
sheets, drawn by openpyxl in a scratch workbook (book/file/transplant.py) or, past their styled head, written as
XML directly (book/file/plain_rows.py). Here the real commands run on real workbooks, one of each date system
with the same customers, and the dates are read back as Excel shows them (calamine and openpyxl both honour
date1904)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from helpers.cli import run
from helpers.workbooks import values
from xlcrm.book.file import plain_rows, transplant
from xlcrm.core.sheets import SHEETS

TODAY = dt.date(2026, 3, 10)
LOGGED = dt.date(2026, 3, 9)
SHORT, LONG = 6, 700  # LONG customers give a due list and a mail preview past plain_rows.LONG plain rows
HEADERS = {"en": ["Customer", "Contact", "E-mail", "Owner", "Last contact", "Next follow-up"],
           "zh": ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期", "下次跟进"]}
ORDERS = {"en": ("Orders", ["Order No", "Order date", "Customer", "Amount"]),
          "zh": ("订单", ["订单号", "下单日期", "客户名称", "金额"])}
OWNERS = {"en": ["Sam", "Kim"], "zh": ["张磊", "李娜"]}
CUSTOMER = {"en": "Customer {:04d} Ltd", "zh": "客户{:04d}有限公司"}
OWN_SHEETS = ("summary", "due", "contact_log", "report", "preview", "state")
_SERIAL = dt.date(1899, 12, 30).toordinal(), dt.date(1904, 1, 1).toordinal()


def planned(i: int) -> dt.date:
    """The next follow-up the team typed for customer i: all overdue, on 25 different days."""
    return TODAY - dt.timedelta(days=1 + i % 25)


def team_book(path: Path, customers: int, date1904: bool, lang: str) -> Path:
    """A customer sheet and an orders sheet as a team keeps them, their dates real dates (numbers formatted as
    dates) in the date system."""
    book = openpyxl.Workbook()
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "Customers" if lang == "en" else "客户跟踪表"
    sheet.append(HEADERS[lang])
    for i in range(customers):
        sheet.append([CUSTOMER[lang].format(i), f"C{i}", f"c{i}@example.com", OWNERS[lang][i % 2],
                      TODAY - dt.timedelta(days=30 + i % 20), planned(i)])
        for column in (5, 6):
            sheet.cell(i + 2, column).number_format = "yyyy-mm-dd"
    title, headers = ORDERS[lang]
    orders = book.create_sheet(title)
    orders.append(headers)
    for i in range(customers):
        for n, days in enumerate((400 + i % 200, 60 + i % 90, 3 + i % 5)[:2 + i % 2]):  # some ordered this week
            orders.append([f"{i}-{n}", TODAY - dt.timedelta(days=days), CUSTOMER[lang].format(i), 500 + 10 * n + i])
            orders.cell(orders.max_row, 2).number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def name(sheet: str, lang: str) -> str:
    return SHEETS[sheet][0 if lang == "en" else 1]


class Run:
    """One team's workbook after refresh, followups, log, report (the short one: its report sheet is as short for
    a long one) and a remind dry run; what went as plain rows."""

    def __init__(self, folder: Path, customers: int, date1904: bool, lang: str):
        self.lang, self.customers = lang, customers
        folder.mkdir()
        self.path = team_book(folder / "team.xlsx", customers, date1904, lang)
        self.plain: list[tuple[int, bool]] = []  # (rows, date1904) of each sheet's plain rows written as XML
        real = transplant.PlainXml

        def watched(plain, prefix, style_of, date1904=False):
            self.plain.append((len(plain.rows), date1904))
            return real(plain, prefix, style_of, date1904) if date1904 else real(plain, prefix, style_of)

        commands = [["refresh"], ["followups"], ["log", "--customer", CUSTOMER[lang].format(1), "--date", LOGGED],
                    ["report"], ["remind"]]
        if customers != SHORT:
            commands.remove(["report"])
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(transplant, "PlainXml", watched)
            for command in commands:
                result = run(command[0], self.path, *command[1:], "--today", TODAY, lang=lang)
                assert result.exit_code == 0, result.output
        self.calamine = values(self.path)
        book = openpyxl.load_workbook(self.path, read_only=True)
        self.openpyxl = {name(sheet, lang): [list(row) for row in book[name(sheet, lang)].iter_rows(values_only=True)]
                         for sheet in ("due", "contact_log", "preview")}
        book.close()

    def sheet(self, sheet: str, reader: str = "calamine") -> list[list]:
        return getattr(self, reader)[name(sheet, self.lang)]

    def serials(self, sheet: str) -> set[float]:
        """The numbers stored in the sheet's cells (not formulas' results), as its XML holds them."""
        with zipfile.ZipFile(self.path) as archive:
            book = archive.read("xl/workbook.xml").decode()
            rels = archive.read("xl/_rels/workbook.xml.rels").decode()
            rid = re.search(rf'<sheet [^>]*name="{re.escape(name(sheet, self.lang))}"[^>]*r:id="(\w+)"', book)
            assert rid, sheet
            target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"|'
                               rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
            assert target
            part = (target.group(1) or target.group(2)).lstrip("/")
            xml = archive.read(part if part.startswith("xl/") else "xl/" + part).decode()
        cells = re.findall(r"<(?:\w+:)?c ([^>]*)>(.*?)</(?:\w+:)?c>", xml)
        numbers = [(attributes, re.fullmatch(r"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>", content))
                   for attributes, content in cells if not re.search(r'\st="(?!n")', attributes)]  # t="n" or none
        return {float(value.group(1)) for _, value in numbers if value}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[int, bool], Run]:
    """(customers, date1904) -> the run: a short book in English and a long one in Chinese."""
    folder = tmp_path_factory.mktemp("date1904")
    return {(size, date1904): Run(folder / f"{size}-{date1904}", size, date1904, "en" if size == SHORT else "zh")
            for size in (SHORT, LONG) for date1904 in (False, True)}


def regular_followups(rows: list[list], lang: str) -> dict[str, set]:
    """Customer -> the due days of their regular follow-ups in a due list (a table per owner)."""
    due, touch, regular = {"en": ("Due", "Touch", "Regular follow-up"),
                           "zh": ("应办日期", "事项", "定期跟进")}[lang]
    found: dict[str, set] = {}
    header: list | None = None
    for row in rows:
        if due in row:
            header = row
        elif header and row and row[0] and row[header.index(touch)] == regular:
            value = row[header.index(due)]
            found.setdefault(row[0], set()).add(value.date() if isinstance(value, dt.datetime) else value)
    return found


def is_date(value) -> bool:
    return isinstance(value, (dt.date, dt.datetime))


ALL = [(size, date1904) for size in (SHORT, LONG) for date1904 in (False, True)]


@pytest.mark.parametrize("key", ALL, ids=lambda k: f"{k[0]}-{'1904' if k[1] else '1900'}")
@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_the_due_list_shows_the_day_the_team_planned(runs, key, reader):
    done = runs[key]
    wanted = {CUSTOMER[done.lang].format(i): {planned(i)} for i in range(done.customers) if i != 1}  # 1 was just called
    assert regular_followups(done.sheet("due", reader), done.lang) == wanted


@pytest.mark.parametrize("key", ALL, ids=lambda k: f"{k[0]}-{'1904' if k[1] else '1900'}")
@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_the_contact_log_and_the_mail_preview_show_the_right_days(runs, key, reader):
    done = runs[key]
    log = done.sheet("contact_log", reader)
    assert [row[:2] for row in log[1:] if any(row)] == [[dt.datetime.combine(LOGGED, dt.time()) if reader == "openpyxl"
                                                        else LOGGED, CUSTOMER[done.lang].format(1)]]
    due_column = {"en": "Due", "zh": "到期日"}[done.lang]
    customer_column = {"en": "Customer", "zh": "客户"}[done.lang]
    preview = done.sheet("preview", reader)
    header = next(i for i, row in enumerate(preview) if due_column in row and customer_column in row)
    at, who = preview[header].index(due_column), preview[header].index(customer_column)
    days = {row[who]: row[at].date() if isinstance(row[at], dt.datetime) else row[at]
            for row in preview[header + 1:] if row[who]}
    assert days, "the dry run previews the overdue customers' mails"
    number = {CUSTOMER[done.lang].format(i): i for i in range(done.customers)}
    assert {customer: planned(number[customer]) for customer in days} == days


@pytest.mark.parametrize("size", [SHORT, LONG])
def test_every_own_sheet_of_a_1904_workbook_reads_as_the_same_1900_workbook(runs, size):
    """The report, the summary, the state sheet...: Excel shows the same days whichever system the team's book uses;
    so does the team's sheet, with xlcrm's columns."""
    old, mac = runs[(size, False)], runs[(size, True)]
    written = [sheet for sheet in OWN_SHEETS if name(sheet, old.lang) in old.calamine]
    assert written == [sheet for sheet in OWN_SHEETS if size == SHORT or sheet != "report"]
    for sheet in written:
        assert mac.sheet(sheet) == old.sheet(sheet), sheet
    customers = "Customers" if old.lang == "en" else "客户跟踪表"  # with the columns xlcrm added (sheet_patch.py)
    assert mac.calamine[customers] == old.calamine[customers]
    if size == SHORT:
        report_days = {v for row in mac.sheet("report") for v in row if is_date(v)}
        assert report_days and all(TODAY - dt.timedelta(days=600) <= day <= TODAY for day in report_days)


@pytest.mark.parametrize("size", [SHORT, LONG])
def test_the_cells_hold_each_systems_own_serials_and_a_1900_workbook_stays_1900(runs, size):
    old, mac = runs[(size, False)], runs[(size, True)]
    days = [planned(i) for i in range(size) if i != 1]  # the due list's follow-ups (customer 1 was just called)
    in_1900, in_1904 = ({float(day.toordinal() - epoch) for day in days} for epoch in _SERIAL)
    assert in_1900 <= old.serials("due") and not in_1904 & old.serials("due")
    assert in_1904 <= mac.serials("due") and not in_1900 & mac.serials("due")
    with zipfile.ZipFile(old.path) as archive:
        assert "date1904" not in archive.read("xl/workbook.xml").decode()
    with zipfile.ZipFile(mac.path) as archive:
        assert re.search(r'date1904="(1|true)"', archive.read("xl/workbook.xml").decode())


def test_long_sheets_go_as_plain_rows_counted_from_1904_and_short_ones_through_openpyxl(runs):
    assert runs[(SHORT, False)].plain == runs[(SHORT, True)].plain == []
    for date1904 in (False, True):
        plain = runs[(LONG, date1904)].plain
        assert plain and all(rows >= plain_rows.LONG and counted == date1904 for rows, counted in plain)

