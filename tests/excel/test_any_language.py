"""Conditional formats in any UI language: desktop Excel's FormatConditions.Add reads a formula in the UI
language, so the live back-end hands it the formula as Excel itself spells it there. Without a German Excel
here, a stand-in sheet translates the way Excel's FormulaLocal does (function names, ';' between arguments)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from xlcrm.book.live.xlwings_edits import in_excels_language
from xlcrm.core.edits import tagged

GERMAN = {"AND": "UND", "TODAY": "HEUTE", "ISNUMBER": "ISTZAHL", "N": "N"}


class GermanCell:
    """One cell of a German desktop Excel: .formula takes English, .api.FormulaLocal gives it back in German."""

    def __init__(self, sheet, row: int):
        self.sheet, self.row, self.english = sheet, row, None
        self.api = SimpleNamespace()

    @property
    def formula(self):
        return self.english

    @formula.setter
    def formula(self, english: str) -> None:
        self.english = english
        german = re.sub(r"\b([A-Z]+)\(", lambda m: GERMAN[m.group(1)] + "(", english)
        self.api.FormulaLocal = re.sub(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', ";", german)  # commas outside strings
        self.sheet.written[self.row] = english

    def clear_contents(self) -> None:
        del self.sheet.written[self.row]


class GermanSheet:
    def __init__(self, engine: str = "excel", last_row: int = 41):
        self.book = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(name=engine)))
        self.used_range = SimpleNamespace(last_cell=SimpleNamespace(row=last_row))
        self.written: dict[int, str] = {}

    def range(self, address):
        row, column = address
        assert column == 1 and row == self.used_range.last_cell.row + 2  # below everything, a row apart
        return GermanCell(self, row)


RULE = "=" + tagged('AND(ISNUMBER($K2),$K2<TODAY())')


def test_a_german_excel_gets_the_rule_in_german_and_the_scratch_cell_is_blank_again():
    sheet = GermanSheet()
    assert in_excels_language(sheet, RULE) == '=UND(N("xlcrm")=0;UND(ISTZAHL($K2);$K2<HEUTE()))'
    assert sheet.written == {}


def test_office_js_and_xlwings_server_take_the_english_formula_as_it_is():
    sheet = GermanSheet(engine="remote")
    assert in_excels_language(sheet, RULE) == RULE and sheet.written == {}
