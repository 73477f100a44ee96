"""check, refresh and followups on workbooks written the ways other people write them (helpers/corpus.py):
the mapping a person would expect, the problems they would expect, and not one of their cells changed."""

import openpyxl
import pytest

from helpers.corpus import CASES
from helpers.snapshot import snapshot
from xlcrm.actions.check import check
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from helpers.workbooks import edit, find_row, sheet_rows
from xlcrm.book.file import FileBook
from xlcrm.core.errors import XlcrmError
from conftest import TODAY


def team_cells(path, sheets):
    """Every cell the team wrote, by sheet, as the snapshot sees it (value, type, format, style...)."""
    shot = snapshot(path)
    return {s: shot[f"cells {s}"] for s in sheets}


def mapped(source):
    return {f: source.table.header_of(c) for f, c in source.mapping.columns.items()}


def problem_texts(session, lang):
    return [p.text(lang) for p in session.problems]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_workbook_is_read_as_a_person_would_read_it(case, tmp_path):
    path = case.write(tmp_path)
    team = team_cells(path, [case.sheet])
    result = check(FileBook(path))
    session = result.session
    assert session.customers.table.sheet == case.sheet
    found = mapped(session.customers)
    assert {f: found.get(f) for f in case.mapping} == case.mapping, found
    headers = set(found.values()) | (set(mapped(session.orders).values()) if session.orders else set())
    assert not headers & set(case.not_mapped), found
    assert not set(case.fields_absent) & set(found)
    if case.customers is not None:
        assert session.customers.records["key"].nunique() == case.customers
    if case.orders_in_place:
        assert session.orders is not None and session.orders.table is session.customers.table
        orders = mapped(session.orders)
        assert {f: orders.get(f) for f in case.extra["orders"]} == case.extra["orders"], orders
    texts = problem_texts(session, case.lang)
    for text in case.problems_some_about:
        assert any(text in t for t in texts), texts
    for text in case.problems_none_about:
        assert not any(text in t for t in texts), texts
    assert team_cells(path, [case.sheet])[case.sheet] == team[case.sheet]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_refresh_and_followups_keep_every_original_cell(case, tmp_path):
    path = case.write(tmp_path)
    before = team_cells(path, [case.sheet])[case.sheet]
    has_orders = check(FileBook(path)).session.orders is not None  # refresh scores purchases: it needs them
    for action in (refresh, followups) if has_orders else (followups,):
        result = action(FileBook(path), TODAY)
        after = team_cells(path, [case.sheet])[case.sheet]
        assert {ref: after.get(ref) for ref in before} == before
    texts = problem_texts(result.session, case.lang)
    for text in case.extra.get("followup_problems", ()):
        assert sum(text in t for t in texts) == 1, texts
    for text in case.extra.get("no_followup_problems", ()):
        assert not any(text in t for t in texts), texts


def test_many_problems_of_one_column_and_cause_print_as_one_line(tmp_path):
    case = next(c for c in CASES if c.name == "orders_log_no_dates")
    result = check(FileBook(case.write(tmp_path)))
    lines = result.lines("en")
    grouped = [line for line in lines if "40 rows: 3, 4, 6, 7, 9, ..." in line]
    assert len(grouped) == 1, lines
    assert len(lines) < 25


def test_a_refusal_writes_the_settings_sheet_with_the_missing_field_marked_and_nothing_else(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "会员"
    for row in (["联系人", "电话", "负责人"], ["王伟", "13800000001", "张磊"]):
        book.active.append(row)
    path = tmp_path / "no customer.xlsx"
    book.save(path)
    before = snapshot(path)
    with pytest.raises(XlcrmError) as refused:
        check(FileBook(path))
    assert "找不到客户名称列" in refused.value.text("zh") and "CRM设置" in refused.value.text("zh")
    assert openpyxl.load_workbook(path).sheetnames == ["会员", "CRM设置"]
    settings = {row[0]: row[2] for row in sheet_rows(path, "CRM设置") if row and row[0]}
    assert settings["customer"] == "?" and settings["phone"] == "电话" and settings["owner"] == "负责人"
    assert snapshot(path, ignore_sheets={"CRM设置"})["cells 会员"] == before["cells 会员"]
    # the user names the column in the settings (the people are the customers, no separate contact): it is read
    edit(path, "CRM设置", {f"C{find_row(path, 'CRM设置', 'customer')}": "联系人",
                         f"C{find_row(path, 'CRM设置', 'contact')}": "-"})
    assert check(FileBook(path)).session.customers.mapping.columns["customer"] == 0
