"""The ribbon's entry points as Excel runs them: xlwings' Book.caller() (here xlwings' remote Book
set as the mock caller), the live back-end, the action, and the message box the user sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from helpers.remote import click
from helpers.workbooks import find_row
from xlcrm import ribbon
from xlcrm.actions.selection import customer_at
from xlcrm.book.live.excel import STATUS_STEPS, status_progress
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

ADDIN = Path(__file__).resolve().parents[2] / "addin"


@pytest.fixture
def clicked(zh_book, monkeypatch, tmp_path):
    """Click a button on the workbook: returns what Excel showed and did (replayed onto the file)."""
    monkeypatch.setattr(ribbon, "LOG_FILE", tmp_path / "logs" / "xlcrm.log")

    return lambda entry, *args, **where: click(zh_book, entry, *args, **where)


def test_settings_checks_the_sheet_shows_what_it_found_and_opens_the_settings(clicked, zh_book):
    excel = clicked("settings", "en")
    (prompt, title, buttons, mode, _), = excel.alerts
    assert title == "xlcrm:设置" and mode == "info"  # the workbook's language: its headers are Chinese
    assert "客户表:工作表“客户跟踪表”,表头在第 2 行" in prompt and "数据问题" in prompt
    book = openpyxl.load_workbook(zh_book)
    assert book.active.title == "CRM设置" and "数据问题" in book.sheetnames


def test_a_button_whose_action_is_missing_says_so_readably(clicked, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlcrm.actions.report", None)  # as if that module were not installed
    excel = clicked("build_report", "en")
    (prompt, title, _, mode, _), = excel.alerts
    assert mode == "critical" and title == "xlcrm: Build report"
    assert "'Build report' is not available" in prompt and "pip install -U xlcrm" in prompt


def test_a_fixable_problem_is_its_message_in_the_ribbons_language(clicked, zh_book):
    book = openpyxl.load_workbook(zh_book)
    for name in book.sheetnames:  # no table anywhere (a header alone is read as an empty orders sheet)
        book[name].delete_rows(1, 500)
        book[name]["A1"] = "nothing here"
    book.save(zh_book)
    (prompt, _, _, mode, _), = clicked("settings", "zh").alerts
    assert mode == "critical" and prompt.startswith("没有找到客户表")


def test_an_unexpected_error_is_a_short_note_and_the_traceback_goes_to_the_log(clicked, monkeypatch, tmp_path):
    import xlcrm.actions.check

    def broken(book, **adapters):
        raise KeyError("internal detail")

    monkeypatch.setattr(xlcrm.actions.check, "check", broken)
    (prompt, _, _, mode, _), = clicked("settings", "en").alerts
    log = tmp_path / "logs" / "xlcrm.log"
    assert mode == "critical" and "KeyError" in prompt and str(log) in prompt and "Traceback" not in prompt
    assert "Traceback" in log.read_text(encoding="utf-8") and "internal detail" in log.read_text(encoding="utf-8")


def test_log_contact_names_the_customer_of_the_selected_row(zh_book):
    row = find_row(zh_book, "客户跟踪表", 3)
    assert customer_at(FileBook(zh_book), ("客户跟踪表", row)) == f"客户跟踪表!{row}"  # as `log --customer` takes it
    with pytest.raises(XlcrmError) as error:
        customer_at(FileBook(zh_book), ("订单记录", row))
    assert "客户跟踪表" in error.value.text("zh") and "订单记录" in error.value.text("zh")
    with pytest.raises(XlcrmError):
        customer_at(FileBook(zh_book), ("客户跟踪表", 1))
    with pytest.raises(XlcrmError):
        customer_at(FileBook(zh_book), None)


def test_typed_text_arrives_as_code_units_and_comes_back_whole():
    typed = "电话 'x'); import os #😀"
    units = list(typed.encode("utf-16-le"))
    units = [units[i] | units[i + 1] << 8 for i in range(0, len(units), 2)]
    assert ribbon._text(units) == typed and ribbon._text([]) == ""


def test_the_status_bar_moves_a_fixed_number_of_times_whatever_the_row_count():
    class Window:  # records what the status bar would show
        def __init__(self):
            self.shown = []

        def status(self, text):
            self.shown.append(text)

    counts = []
    for rows in (100, 10_000):
        window = Window()
        assert list(status_progress(window, "en")(range(rows), rows, Msg("Scoring", "评分"))) == list(range(rows))
        counts.append(len(window.shown))
        assert window.shown[-1] == "xlcrm: Scoring 100%"
    assert counts[0] == counts[1] == STATUS_STEPS + 2  # the label at the start, then 0% to 100%


def test_a_long_result_keeps_every_headline_and_fewer_details():
    lines = ["Customers: 900 rows", *[f"  column {i}" for i in range(40)], "Data problems: 120",
             *[f"  problem {i}" for i in range(120)], "Saved book.xlsx"]
    text = ribbon.message_text(lines, "en").splitlines()
    assert len(text) <= ribbon.MAX_LINES and len("\n".join(text)) <= ribbon.MAX_CHARS
    assert [line for line in text if not line.startswith(" ")] == ["Customers: 900 rows", "Data problems: 120",
                                                                     "Saved book.xlsx"]
    assert "  column 0" in text and any(line.endswith("more lines)") for line in text)
    assert ribbon.message_text(["a", "  b"], "en") == "a\n  b"


def test_the_product_needs_no_xlwings_license_key():
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    code = ("import xlwings, xlcrm.ribbon, xlcrm.book.live, xlcrm.book.live.excel, xlcrm.cli, xlcrm.workbook.install;"
            "print(xlwings.__pro__)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"  # no key: xlwings' licensed parts are off, xlcrm imports anyway
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ADDIN / "xlcrm").rglob("*.py"))
    assert "xlwings.pro" not in sources and "LICENSE_KEY" not in sources and "json=" not in sources


def test_build_report_writes_the_report_sheet_and_the_page_beside_the_workbook(clicked, zh_book, monkeypatch):
    from xlcrm import bootstrap
    from xlcrm.book.live import LiveBook

    monkeypatch.setattr(bootstrap, "live_book", lambda xw_book: LiveBook(xw_book, folder=zh_book.parent))  # saved
    excel = clicked("build_report", "en")
    (prompt, title, _, mode, _), = excel.alerts
    assert mode == "info" and title == "xlcrm:生成报告"
    page = next((zh_book.parent / "reports").glob("*-week-*.html"))
    assert "CRM周报" in prompt and str(page) in prompt
    sheet = openpyxl.load_workbook(zh_book)["CRM报告"]
    assert sheet["A1"].value == "CRM周报" and len(sheet._charts) >= 5
