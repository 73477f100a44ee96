"""What the team types in the settings sheet is read or said, never dropped without a word: yes/no in both
languages, an emptied value, an entry in a column xlcrm writes itself, an impossible class rule; each note
names the cell it was read from (CRM设置!C95), on the sheet as the team has it."""

from dataclasses import replace

import pytest

from helpers.people import settings
from xlcrm.core.all_settings import read_settings_grid, settings_from_user, settings_grid
from xlcrm.core.errors import XlcrmError
from xlcrm.core.followups.followup_rules import mail_counts_as_contact, read_rules
from xlcrm.core.scores.customer_classes import rules_from
from xlcrm.core.settings import read_switch


def texts(notes, lang="zh"):
    return [n.text(lang) for n in notes]


def grid_of(values=None, lang="zh"):
    """The settings sheet as xlcrm writes it (the defaults, or these user rows), as the team sees it."""
    grid, _ = settings_grid(settings_from_user(values or {}), lang)
    return [list(row) + [None] * (6 - len(row)) for row in grid]


def row_of(grid, key, title):
    """0-based grid row of a setting: the first row whose key is `key` below the block titled `title`."""
    start = next(i for i, r in enumerate(grid) if r and str(r[0]).startswith("■") and title in str(r[0]))
    return next(i for i in range(start + 2, len(grid)) if grid[i] and grid[i][0] == key)


def reread(grid):
    return settings_from_user(read_settings_grid(grid))


@pytest.mark.parametrize("typed", ["开启", "启用", "打开", "是", "是的", "对", "√", "yes", "YES", "Ｙｅｓ", "on", "true",
                                   "1", 1, True])
def test_yes_in_either_language_is_yes(typed):
    assert read_switch(typed) is True


@pytest.mark.parametrize("typed", ["关闭", "停用", "否", "不", "no", "NO", "ｏｆｆ", "false", "0", 0, False])
def test_no_in_either_language_is_no(typed):
    assert read_switch(typed) is False


@pytest.mark.parametrize("typed", ["也许", "maybe", "Yes please", "看情况"])
def test_an_unclear_word_is_neither(typed):
    assert read_switch(typed) is None


def test_birthday_greetings_switched_on_with_kaiqi_stay_on():
    rules = read_rules(settings(touches={"birthday": {"on": "开启"}, "thanks": {"on": "关闭"}}))
    assert rules.on("birthday") and not rules.on("thanks")
    assert rules.notes == []


def test_an_unclear_on_value_keeps_the_default_and_names_the_cell_and_value():
    grid = grid_of()
    at = row_of(grid, "birthday", "待办事项与客户关怀")
    grid[at][2] = "也许"
    rules = read_rules(reread(grid))
    assert rules.on("birthday")  # the default, not a silent "off"
    [note] = [n for n in texts(rules.notes) if "也许" in n]
    assert f"CRM设置!C{at + 1}" in note and "生日问候" in note
    assert f"CRM Settings!C{at + 1}" in texts(rules.notes, "en")[texts(rules.notes).index(note)]


@pytest.mark.parametrize("typed, counts, noted", [("是的", True, False), ("否", False, False), ("关闭", False, False),
                                                  ("maybe", True, True)])
def test_mail_counts_reads_both_languages_and_says_when_unclear(typed, counts, noted):
    grid = grid_of()
    at = row_of(grid, "mail_counts", "跟进规则")
    grid[at][2] = typed
    read = reread(grid)
    assert mail_counts_as_contact(read) is counts
    notes = [n for n in texts(read_rules(read).notes) if f"C{at + 1}" in n]
    assert bool(notes) is noted


def test_an_unclear_general_flag_keeps_its_default_no_with_a_note():
    grid = grid_of()
    at = row_of(grid, "day_first", "常规")
    grid[at][2] = "maybe"
    read = reread(grid)
    assert read.flag("day_first") is False
    assert any(f"CRM设置!C{at + 1}" in n and "maybe" in n for n in texts(read.notes()))
    grid[at][2] = "是的"
    assert reread(grid).flag("day_first") is True and reread(grid).notes() == []


def test_an_unclear_holiday_greeting_is_named():
    grid = grid_of()
    at = row_of(grid, "春节", "节日问候")
    grid[at][1] = "看情况"
    notes = texts(read_rules(reread(grid)).notes)
    assert any(f"CRM设置!B{at + 1}" in n and "看情况" in n for n in notes)


def test_a_value_typed_in_the_note_column_is_kept_and_said_and_the_value_stays():
    grid = grid_of()
    at = row_of(grid, "A", "联系周期")
    grid[at][3] = 30  # D: the note column xlcrm writes
    read = reread(grid)
    rules = read_rules(read)
    assert rules.cadence["A"] == 7
    [note] = [n for n in texts(rules.notes) if "30" in n]
    assert f"CRM设置!D{at + 1}" in note and f"CRM设置!C{at + 1}" in note
    again = grid_of_settings(read)
    assert again[at][3] == 30 and again[at][1] == "A类:战略、高价值"  # kept where typed; the label is xlcrm's


def test_a_value_typed_over_the_label_with_the_value_emptied_is_kept_and_the_default_said():
    grid = grid_of()
    at = row_of(grid, "A", "联系周期")
    grid[at][1], grid[at][2] = "30", None
    read = reread(grid)
    rules = read_rules(read)
    assert rules.cadence["A"] == 7
    notes = texts(rules.notes)
    assert any(f"CRM设置!B{at + 1}" in n and "30" in n and f"C{at + 1}" in n for n in notes)
    assert any(f"CRM设置!C{at + 1}" in n and "7" in n and "为空" in n for n in notes)
    again = grid_of_settings(read)
    assert again[at][1] == "30" and again[at][2] == 7


def test_xlcrms_own_text_in_the_other_language_is_rewritten_without_a_word():
    grid = grid_of(lang="en")
    read = reread(grid)
    assert read.notes() == []
    at = row_of(grid, "A", "Contact cadence")
    assert grid_of_settings(read)[at][1] == "A类:战略、高价值"


def test_once_the_team_clears_the_wrong_cell_xlcrms_note_comes_back():
    grid = grid_of()
    at = row_of(grid, "A", "联系周期")
    grid[at][3] = None
    read = reread(grid)
    assert read.notes() == [] and grid_of_settings(read)[at][3] is None  # cadence A has no note text of its own
    at = row_of(grid, "existing", "联系周期")
    grid[at][3] = None
    assert grid_of_settings(reread(grid))[at][3] == "有订单或成交金额。"


def test_an_emptied_cadence_is_said_with_its_cell_and_default():
    grid = grid_of()
    at = row_of(grid, "existing", "联系周期")
    grid[at][2] = None
    read = reread(grid)
    rules = read_rules(read)
    assert rules.cadence["existing"] == 14
    [note] = [n for n in texts(rules.notes) if f"C{at + 1}" in n]
    assert "CRM设置!" in note and "14" in note
    assert grid_of_settings(read)[at][2] == 14  # written back, and said


def test_a_bad_cadence_names_its_cell():
    grid = grid_of()
    at = row_of(grid, "C", "联系周期")
    grid[at][2] = -3
    [note] = texts(read_rules(reread(grid)).notes)
    assert f"CRM设置!C{at + 1}" in note and "-3" in note and "14" in note


def test_a_some_influence_bound_below_the_high_value_share_is_refused_naming_both_cells():
    grid = grid_of()
    high, some = row_of(grid, "high_share", "客户等级规则"), row_of(grid, "some_share", "客户等级规则")
    grid[high][2], grid[some][2] = "95%", "80%"
    with pytest.raises(XlcrmError) as refused:
        rules_from(reread(grid))
    message = refused.value.text("zh")
    assert f"CRM设置!C{high + 1}" in message and f"CRM设置!C{some + 1}" in message
    assert "95%" in message and "80%" in message


def test_a_bad_class_rule_names_its_cell():
    grid = grid_of()
    at = row_of(grid, "steady_cv", "客户等级规则")
    grid[at][2] = -1
    with pytest.raises(XlcrmError) as refused:
        rules_from(reread(grid))
    message = refused.value.text("zh")
    assert f"CRM设置!C{at + 1}" in message and "“-1”" in message


def test_equal_shares_are_possible():
    grid = grid_of()
    high, some = row_of(grid, "high_share", "客户等级规则"), row_of(grid, "some_share", "客户等级规则")
    grid[high][2], grid[some][2] = "90%", "90%"
    assert rules_from(reread(grid)).some_share == pytest.approx(0.9)


def grid_of_settings(read, lang="zh"):
    grid, _ = settings_grid(read, lang)
    return [list(row) + [None] * (6 - len(row)) for row in grid]


def test_a_note_names_the_cell_where_the_value_was_read_on_a_renamed_sheet_with_rows_inserted():
    grid = [["团队说明"], []] + grid_of()  # two lines of the team's own above xlcrm's
    at = row_of(grid, "day_first", "常规")
    grid[at][2] = "maybe"
    read = replace(reread(grid), sheet="我的设置")
    assert any(f"我的设置!C{at + 1}" in n and "maybe" in n for n in texts(read.notes()))
    assert any(f"我的设置!C{at + 1}" in n for n in texts(read.notes(), "en"))
