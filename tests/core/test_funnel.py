"""The 8-stage funnel: stage names as teams write them, and deals stuck too long in a stage."""

import datetime as dt

import pandas as pd

from helpers.people import people, settings
from xlcrm.core.followups.funnel import funnel_counts, funnel_stages, stage_steps, stuck_touches, unknown_stages

TODAY = dt.date(2026, 11, 23)


def stages(**funnel):
    return funnel_stages(settings(funnel=funnel), [])


def test_stage_names_in_chinese_english_numbered_or_the_teams_own_words():
    typed = pd.Series(["见到客户", "Proposal", "5. 方案报价", "3、确认机会", "8", " 收 款 ", "报价中", "Wonder", None, ""])
    steps = stage_steps(typed, stages(**{"5": {"stage": "报价中"}}))
    assert [None if pd.isna(s) else int(s) for s in steps] == [1, 5, 5, 3, 8, 8, 5, None, None, None]
    assert unknown_stages(typed, steps).tolist() == [False] * 7 + [True, False, False]


def test_the_stage_words_other_crms_use_and_deals_closed_without_a_sale():
    typed = pd.Series(["Lead", "Qualified", "Negotiation", "Closed Won", "已回款", "Closed Lost", "输单", "Lead"])
    steps = stage_steps(typed, stages())
    assert [None if pd.isna(s) else int(s) for s in steps] == [1, 3, 6, 7, 8, None, None, 1]
    assert not unknown_stages(typed, steps).any()  # a lost deal is in no stage, and not a typing mistake
    renamed = stage_steps(typed, stages(**{"2": {"stage": "Lead"}}))
    assert int(renamed.iloc[0]) == 2  # the team's own name in the settings wins over the usual meaning


def test_a_deal_is_stuck_only_after_more_days_than_its_stage_allows():
    since = pd.Timestamp(TODAY)
    frame = people({"stage": "方案报价", "stage_since": since - pd.Timedelta(days=14)},
                   {"stage": "方案报价", "stage_since": since - pd.Timedelta(days=15)},
                   {"stage": "验收", "stage_since": since - pd.Timedelta(days=15)},
                   {"stage": "验收"},
                   {"stage": "no such stage", "stage_since": since - pd.Timedelta(days=400)})
    table = stages()
    steps = stage_steps(frame["stage"], table)
    stuck = stuck_touches(frame, steps, table, TODAY, "zh")
    assert stuck["row"].tolist() == [4]
    assert stuck["detail"].tolist() == ["方案报价:已停留 15 天"]
    assert stuck["status"].tolist() == ["overdue"] and stuck["due"].tolist() == [pd.Timestamp("2026-11-22")]
    counts = funnel_counts(steps, pd.Index(stuck["row"]), table)
    assert counts.loc[5].tolist() == ["Proposal", "方案报价", 2, 1]
    assert counts.loc[7].tolist() == ["Acceptance", "验收", 2, 0]
    assert counts["deals"].sum() == 4


def test_stuck_days_per_stage_come_from_the_settings():
    frame = people({"stage": "Proposal", "stage_since": "2026-11-13"})
    table = stages(**{"5": {"days": 7}})
    stuck = stuck_touches(frame, stage_steps(frame["stage"], table), table, TODAY, "en")
    assert stuck["detail"].tolist() == ["Proposal: 10 days in stage"]


def test_a_default_name_in_the_other_language_is_not_taken_as_the_teams_own_name():
    table = stages(**{"1": {"stage": "见到客户"}})
    assert table.loc[1, "own"] == ""
