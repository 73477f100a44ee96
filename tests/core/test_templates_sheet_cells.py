"""The mail templates sheet's cells are read or named: 启用 in both languages, 客户等级 checked like the occasions,
and a sheet without its header says where it looked."""

import pytest

from xlcrm.core.mailmerge.templates_sheet import header_row, read_templates

SHEET = "邮件模板"


def sheet_with(**cells):
    """The header and one template (row 2) with these columns changed (by column id)."""
    header = header_row("zh")
    ids = ["name", "active", "occasions", "statuses", "classes", "segments", "subject", "body", "format",
           "attachments", "days", "hours"]
    row = dict(zip(ids, ["久未联系问候", "是", "定期跟进", "", "", "", "您好 {{ greeting_name }}", "正文", "text",
                         "", "", ""]))
    row.update(cells)
    return [header, [row[i] for i in ids]]


@pytest.mark.parametrize("typed, active", [("开启", True), ("启用", True), ("是的", True), ("ＹＥＳ", True), ("√", True),
                                           ("on", True), (1, True), ("停用", False), ("关闭", False), ("否", False),
                                           ("no", False), ("off", False), (0, False), ("", True), (None, True)])
def test_active_reads_yes_and_no_in_both_languages(typed, active):
    templates, problems = read_templates(SHEET, sheet_with(active=typed))
    assert problems == [] and templates[0].active is active


@pytest.mark.parametrize("typed", ["maybe", "Yes please", "也许"])
def test_an_unclear_active_is_a_cell_error_naming_cell_and_value_and_does_not_switch_the_template_off(typed):
    templates, problems = read_templates(SHEET, sheet_with(active=typed))
    assert templates[0].active  # never silently off
    [problem] = problems
    text = problem.text("zh")
    assert text.startswith("邮件模板!B2 (B 启用)") and typed in text


def test_a_class_no_customer_can_have_is_a_cell_error_like_a_bad_occasion():
    _, problems = read_templates(SHEET, sheet_with(classes="VIP"))
    [problem] = problems
    assert problem.text("zh").startswith("邮件模板!E2 (E 客户等级) 'VIP'") and "A、B、C、D" in problem.text("zh")
    assert "A, B, C, D" in problem.text("en")


def test_classes_are_read_as_the_class_column_is_matched():
    templates, problems = read_templates(SHEET, sheet_with(classes="A, b类，Ｃ级"))
    assert problems == [] and templates[0].classes == {"a", "b", "c"}


def test_a_switched_off_template_is_not_checked():
    _, problems = read_templates(SHEET, sheet_with(active="否", classes="VIP"))
    assert problems == []


def test_no_header_names_where_it_looked_without_empty_brackets():
    _, [problem] = read_templates(SHEET, [["随便"], ["什么"]])
    text = problem.text("zh")
    assert "()" not in text and text.startswith("邮件模板 (1:20)") and "1-20" in text
    assert "rows 1-20" in problem.text("en")
