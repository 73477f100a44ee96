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


def test_finished_deals_won_paid_or_lost_are_never_stuck_however_long_ago():
    long_ago = pd.Timestamp(TODAY) - pd.Timedelta(days=400)
    typed = ["收款", "已成交", "Closed Won", "已收款", "输单", "Lost", "8. 收款", "客户承诺"]
    frame = people(*({"stage": t, "stage_since": long_ago} for t in typed))
    table = stages()
    stuck = stuck_touches(frame, stage_steps(frame["stage"], table), table, TODAY, "zh")
    assert stuck["row"].tolist() == [10]  # only the open deal at 客户承诺


def test_lost_deals_are_counted_by_their_reason_in_the_report():
    from xlcrm.core.report.pipeline import lost_reasons
    frame = people({"stage": "输单", "lost_reason": "价格太高"}, {"stage": "Lost", "lost_reason": "价格太高 "},
                   {"stage": "丢单", "lost_reason": "选了竞品"}, {"stage": "输单"},
                   {"stage": "方案报价", "lost_reason": "not lost yet"})
    counts = lost_reasons(frame, "zh")
    assert counts[["reason", "deals"]].values.tolist() == [["价格太高", 2], ["选了竞品", 1], ["(未填写原因)", 1]]
    assert counts["share"].sum() == 1.0
