"""The scoring rules on small hand-made cases: purchases, scores, segments, classes, churn risk."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.core.scores import class_choice, customer_classes, purchases, rfm, scoring, segments
from xlcrm.core.errors import XlcrmError
from xlcrm.core.all_settings import settings_from_user

TODAY = dt.date(2026, 11, 23)
QUINTILES = rfm.ScoreRule(rfm.QUANTILES, (20, 40, 60, 80))


def orders(*rows, ids=None):
    """Order rows (key, 'YYYY-MM-DD', amount) at Excel rows 2, 3, ..."""
    frame = pd.DataFrame(rows, columns=["key", "order_date", "order_amount"], index=range(2, 2 + len(rows)))
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    if ids:
        frame["order_id"] = pd.Series(ids, index=frame.index, dtype=object)
    return frame


def bought(*rows, customers=("a", "b", "c"), ids=None):
    return purchases.from_orders(orders(*rows, ids=ids), pd.Index(customers), TODAY)


def default_rules():
    return scoring.Rules.from_settings(settings_from_user({}))


# purchases ---------------------------------------------------------------------------------------

def test_a_single_order_gives_frequency_one_and_its_amount():
    result, _ = bought(("a", "2026-11-01", 500.0))
    assert result.loc["a", "frequency"] == 1 and result.loc["a", "monetary"] == 500
    assert result.loc["a", "last"] == pd.Timestamp("2026-11-01")


def test_a_refund_lowers_the_amount_but_is_not_a_purchase():
    result, _ = bought(("a", "2026-10-01", 500.0), ("a", "2026-11-10", -200.0))
    assert result.loc["a", "frequency"] == 1
    assert result.loc["a", "monetary"] == 300
    assert result.loc["a", "last"] == pd.Timestamp("2026-10-01")  # the refund is not a recent purchase


def test_a_zero_amount_order_is_a_purchase_worth_nothing():
    result, _ = bought(("a", "2026-10-01", 0.0), ("b", "2026-10-01", 10.0))
    assert result.loc["a", "frequency"] == 1 and result.loc["a", "monetary"] == 0
    scores = rfm.rfm_scores(scoring.by_customer(result, TODAY, default_rules())[["recency", "frequency", "monetary"]],
                            default_rules().scores)
    assert scores.loc["a", "m_score"] < scores.loc["b", "m_score"]


def test_lines_of_one_order_number_are_one_order():
    result, _ = bought(("a", "2026-10-01", 100.0), ("a", "2026-10-01", 50.0), ("a", "2026-11-01", 10.0),
                       ids=["SO1", "SO1", "SO2"])
    assert result.loc["a", "frequency"] == 2 and result.loc["a", "monetary"] == 160


def test_lines_each_their_own_order_number_are_each_an_order_and_lines_without_a_customer_are_unknown():
    result, check = bought(("a", "2026-10-01", 100.0), ("a", "2026-10-01", 50.0), (None, "2026-10-02", 9.0),
                           ("b", "2026-11-01", 10.0), ids=["SO1", "SO2", "SO3", None])
    assert result.loc["a", "frequency"] == 2 and result.loc["a", "monetary"] == 150
    assert result.loc["b", "frequency"] == 1 and list(check.unknown) == [4]
    none, check = bought((None, "2026-10-01", 5.0), (None, "2026-10-02", 9.0))
    assert none.empty and list(check.unknown) == [2, 3]


def test_orders_for_unknown_customers_and_after_today_are_left_out_and_named():
    result, check = bought(("a", "2026-10-01", 100.0), ("zz", "2026-10-01", 70.0), ("a", "2027-01-05", 40.0))
    assert list(check.unknown) == [3] and list(check.future) == [4]
    assert "zz" not in result.index and result.loc["a", "monetary"] == 100



def test_an_order_number_repeated_after_the_earlier_day_is_summed_only_once_it_has_happened():
    rows = [("a", "2026-10-01", 100.0), ("a", "2026-11-20", 50.0), ("b", "2026-10-02", 7.0), ("b", "2026-10-02", 3.0)]
    (today, _), (before, check) = purchases.as_of_days(orders(*rows, ids=["SO1", "SO1", "SO9", "SO9"]),
                                                       pd.Index(["a", "b"]), [TODAY, dt.date(2026, 11, 1)])
    assert today.loc["a", "monetary"] == 150 and today.loc["a", "frequency"] == 1  # one order, its first line's day
    assert today.loc["a", "last"] == pd.Timestamp("2026-10-01")
    assert before.loc["a", "monetary"] == 100 and list(check.future) == [3]
    assert today.loc["b", "frequency"] == before.loc["b", "frequency"] == 1 and before.loc["b", "monetary"] == 10


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "zz", None]), st.integers(0, 400),
                          st.floats(-50, 500, allow_nan=False), st.sampled_from([None, "SO1", "SO2", "SO3", "SO4"])),
                max_size=30), st.lists(st.integers(-60, 60), min_size=1, max_size=3))
def test_purchases_as_of_several_days_are_each_days_own(lines, shifts):
    """The report's two days read the lines' customers and order numbers once, over every line: each day's
    purchases are those of that day's own lines alone (a repeated order number may straddle the day, or name
    two customers), and each day's check names the lines of unknown customers and those after the day."""
    rows = [(key, (pd.Timestamp("2025-12-01") + pd.Timedelta(days=d)).date().isoformat(), amount)
            for key, d, amount, _ in lines]
    frame = orders(*rows, ids=[number for *_, number in lines]) if rows else orders()
    known = pd.Index(["a", "b", "c"])
    days = [TODAY + dt.timedelta(days=shift) for shift in shifts]
    for day, (result, check) in zip(days, purchases.as_of_days(frame, known, days)):
        counted = frame["key"].isin(known) & (frame["order_date"] <= pd.Timestamp(day))
        alone, _ = purchases.from_orders(frame[counted], known, day)
        pd.testing.assert_frame_equal(result, alone)
        assert list(check.unknown) == list(frame.index[~frame["key"].isin(known)])
        assert list(check.future) == list(frame.index[frame["key"].isin(known) & ~counted])

def test_customers_without_orders_are_prospects_without_scores():
    rules = default_rules()
    result, _ = bought(("a", "2026-10-01", 100.0), ("b", "2026-06-01", 900.0))
    scored = scoring.by_customer(result, TODAY, rules)
    rows = scoring.by_row(pd.Series(["a", "b", "c"], index=[3, 4, 5]), result, scored, rules)
    names = scoring.segment_names(rows["segment"], rules.segments, "en")
    assert names[5] == "Prospect" and scoring.segment_names(rows["segment"], rules.segments, "zh")[5] == "潜在客户"
    assert rows.loc[5, ["r_score", "f_score", "m_score", "rfm"]].isna().all()
    assert rows.loc[5, "frequency"] == 0 and rows.loc[5, "class"] == "D"
    assert pd.isna(rows.loc[5, "churn_risk"]) and pd.isna(rows.loc[5, "next_purchase"])


def test_summary_columns_stand_in_without_an_orders_sheet():
    customers = pd.DataFrame({"key": ["a", "b", "c"], "last_order": pd.to_datetime(["2026-11-01", None, None]),
                              "order_count": pd.array([4, None, 2], dtype="Int64"),
                              "total_amount": [800.0, None, 50.0]}, index=[3, 4, 5])
    result = purchases.from_summary(customers)
    assert list(result.index) == ["a", "c"]  # b never bought: a prospect
    assert result.loc["a", "frequency"] == 4 and result.loc["c", "monetary"] == 50
    assert pd.isna(result.loc["c", "last"])


# scores ------------------------------------------------------------------------------------------

def test_quintiles_of_ten_distinct_values():
    values = pd.Series(range(1, 11), dtype=float)
    assert list(rfm.score(values, QUINTILES)) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(rfm.score(values, QUINTILES, higher_is_better=False)) == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_ties_get_one_score_even_across_a_quintile_edge():
    values = pd.Series([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], dtype=float)  # six one-time buyers span 3 quintiles
    scores = rfm.score(values, QUINTILES)
    assert scores[:6].nunique() == 1 and scores[0] == 1
    assert list(scores[6:]) == sorted(scores[6:]) and scores[9] == 5


def test_fixed_thresholds():
    recency = rfm.ScoreRule(rfm.THRESHOLDS, (30, 60, 90, 180))
    assert list(rfm.score(pd.Series([0, 30, 31, 90, 181.0]), recency, higher_is_better=False)) == [5, 5, 4, 3, 1]
    spend = rfm.ScoreRule(rfm.THRESHOLDS, (1000, 5000, 20000, 50000))
    assert list(rfm.score(pd.Series([-5, 999, 1000, 49999, 50000.0]), spend)) == [1, 1, 2, 4, 5]


def test_rfm_is_three_digits_as_text():
    raw = pd.DataFrame({"recency": [1, 400], "frequency": [9, 1], "monetary": [900.0, 10.0]})
    scores = rfm.rfm_scores(raw, {k: QUINTILES for k in "rfm"})
    assert list(scores["rfm"]) == ["555", "111"] and isinstance(scores["rfm"][0], str)


@pytest.mark.parametrize("edges", ["20,40,60", "20,60,40,80", "a,b,c,d", "0,20,40,60"])
def test_bad_quantile_edges_are_a_clear_error(edges):
    with pytest.raises(XlcrmError) as error:
        rfm.parse_rule("m", "quantiles", edges)
    assert "M" in error.value.text("en") and "RFM评分" in error.value.text("zh")


def test_methods_are_understood_in_both_languages():
    assert rfm.parse_rule("r", "阈值", "30，60，90，180").method == rfm.THRESHOLDS
    assert rfm.parse_rule("f", "分位数", "20、40、60、80").edges == (20, 40, 60, 80)
    with pytest.raises(XlcrmError):
        rfm.parse_rule("f", "by magic", "20,40,60,80")


amounts = st.lists(st.floats(min_value=-1e6, max_value=1e7, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(amounts, st.data())
def test_more_spend_never_lowers_the_m_score(spent, data):
    i = data.draw(st.integers(0, len(spent) - 1))
    extra = data.draw(st.floats(min_value=0, max_value=1e7, allow_nan=False))
    rule = data.draw(st.sampled_from([QUINTILES, rfm.ScoreRule(rfm.QUANTILES, (10, 50, 55, 90)),
                                      rfm.ScoreRule(rfm.THRESHOLDS, (0, 1000, 5000, 20000))]))
    before = rfm.score(pd.Series(spent), rule)[i]
    after = rfm.score(pd.Series(spent[:i] + [spent[i] + extra] + spent[i + 1:]), rule)[i]
    assert after >= before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2000), min_size=1, max_size=60), st.data())
def test_more_recent_never_lowers_the_r_score(days, data):
    i = data.draw(st.integers(0, len(days) - 1))
    sooner = data.draw(st.integers(0, days[i]))
    rule = data.draw(st.sampled_from([QUINTILES, rfm.ScoreRule(rfm.THRESHOLDS, (30, 60, 90, 180))]))
    before = rfm.score(pd.Series(days, dtype=float), rule, higher_is_better=False)[i]
    changed = days[:i] + [sooner] + days[i + 1:]
    assert rfm.score(pd.Series(changed, dtype=float), rule, higher_is_better=False)[i] >= before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=80))
def test_ties_never_split_and_better_never_scores_lower(values):
    scores = rfm.score(pd.Series(values, dtype=float), QUINTILES)
    frame = pd.DataFrame({"value": values, "score": scores})
    assert frame.groupby("value")["score"].nunique().eq(1).all()
    assert frame.sort_values("value")["score"].is_monotonic_increasing


# segments ----------------------------------------------------------------------------------------

def test_the_default_rules_name_every_combination():
    table = segments.lookup(default_rules().segments)
    combos = [r * 36 + f * 6 + m for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]
    assert (table[combos] >= 0).all()


@pytest.mark.parametrize("rfm_digits, name", [("555", "Champions"), ("543", "Loyal"), ("155", "Can't lose"),
                                              ("215", "Can't lose"), ("141", "At risk"), ("511", "New"),
                                              ("421", "Potential loyalist"), ("411", "Promising"),
                                              ("331", "Needs attention"), ("315", "About to sleep"),
                                              ("111", "Lost"), ("221", "Hibernating")])
def test_segments_of_typical_scores(rfm_digits, name):
    rules = default_rules().segments
    r, f, m = map(int, rfm_digits)
    frame = pd.DataFrame({"r_score": [r], "f_score": [f], "m_score": [m]}, dtype="Int64")
    assert rules[segments.assign(frame, rules)[0]].name("en") == name


def test_segment_ranges_as_people_and_excel_write_them():
    where = {"block": "b", "rule": "r", "column": "R"}
    assert segments.parse_range("4-5", where) == {4, 5}
    assert segments.parse_range("４～５", where) == {4, 5}
    assert segments.parse_range("1,3", where) == {1, 3}
    assert segments.parse_range(3.0, where) == {3}
    assert segments.parse_range("", where) == segments.ANY
    assert segments.parse_range(dt.datetime(2026, 4, 5), where) == {4, 5}  # Excel turned 4-5 into 5 April
    with pytest.raises(XlcrmError) as error:
        segments.parse_range("4-6", where)
    assert "4-6" in error.value.text("en")


def test_edited_segment_rules_are_used_first_match_wins():
    rows = [{"key": "vip", "en": "VIP", "zh": "贵宾", "r": "", "f": "", "m": "5"},
            {"key": "rest", "en": "Everyone else", "zh": "其他", "r": "", "f": "", "m": ""}]
    rules = segments.rules_from(settings_from_user({"segments": rows}))
    frame = pd.DataFrame({"r_score": [1, 5], "f_score": [1, 5], "m_score": [5, 4]}, dtype="Int64")
    assert [rules[i].name("zh") for i in segments.assign(frame, rules)] == ["贵宾", "其他"]
    assert rules[-1].key == segments.PROSPECT  # kept even when the edited rules leave it out


# classes -----------------------------------------------------------------------------------------

def test_revenue_share_above_keeps_equal_spenders_together():
    above = customer_classes.revenue_above(pd.Series([500.0, 250, 250, 0, -10]))
    assert list(above) == [0, 0.5, 0.5, 1.0, 1.0]


def _class_case():
    frame = pd.DataFrame({
        "frequency": [12, 3, 6, 2, 6, 1],
        "monetary": [5000.0, 3000, 900, 800, 90, 10],
        "gap_cv": [0.1, 1.4, 0.2, None, 0.3, None],
        "gaps": [11, 2, 5, 1, 5, 0],
    }, index=["steady_big", "volatile_big", "mid", "mid_once", "small_steady", "small"])
    return frame


def test_classes_from_value_and_regularity():
    result = customer_classes.computed_classes(_class_case(), customer_classes.ClassRules())
    assert result.to_dict() == {"steady_big": "A", "volatile_big": "B", "mid": "C", "mid_once": "C",
                                "small_steady": "C", "small": "D"}


def test_class_rules_are_read_from_the_settings():
    user = {"classes": [{"key": "high_share", "value": "50%"}, {"key": "steady_cv", "value": 2},
                        {"key": "prospect_class", "value": "c类"}]}
    rules = customer_classes.rules_from(settings_from_user(user))
    assert rules.high_share == 0.5 and rules.steady_cv == 2 and rules.prospect_class == "C"
    assert customer_classes.computed_classes(_class_case(), rules)["volatile_big"] == "C"  # beyond the top 50%
    with pytest.raises(XlcrmError) as error:
        customer_classes.rules_from(settings_from_user({"classes": [{"key": "high_share", "value": "lots"}]}))
    assert "lots" in error.value.text("en")


def test_normalize_class():
    assert [class_choice.normalize_class(v) for v in ["A", " b ", "Ａ", "C类", "d级", None, "", "A+", "VIP"]] == \
        ["A", "B", "A", "C", "D", None, None, "", ""]


def _state(*rows):
    return pd.DataFrame(rows, columns=["key", "row", "class", "manual"], dtype=object)


def test_a_class_typed_over_xlcrms_is_kept_and_clearing_it_returns_to_the_rules():
    computed = pd.Series(["B", "C", "D", "A"], index=[3, 4, 5, 6], dtype=object)
    keys = pd.Series(["a", "b", "c", "d"], index=[3, 4, 5, 6])
    current = pd.Series(["A", "C", None, "B"], index=[3, 4, 5, 6], dtype=object)
    memory = _state(("a", "3", "B", ""), ("b", "4", "D", ""), ("c", "5", "D", ""), ("d", "6", "B", "1"))
    choice = class_choice.choose(computed, keys, current, None, memory)
    # a: A typed over the B xlcrm wrote; b: C typed over D; c: cleared; d: typed on an earlier run, unchanged
    assert choice.classes.to_dict() == {3: "A", 4: "C", 5: "D", 6: "B"}
    assert choice.source.to_dict() == {3: "typed", 4: "typed", 5: "computed", 6: "typed"}


def test_a_class_xlcrm_wrote_follows_the_rules_when_they_change_it():
    computed = pd.Series(["A"], index=[3], dtype=object)
    choice = class_choice.choose(computed, pd.Series(["a"], index=[3]), pd.Series(["C"], index=[3], dtype=object), None,
                            _state(("a", "3", "C", "")))
    assert choice.classes[3] == "A" and choice.source[3] == "computed"


def test_a_manual_class_column_wins_and_bad_values_are_reported():
    computed = pd.Series(["B", "C"], index=[3, 4], dtype=object)
    keys = pd.Series(["a", "b"], index=[3, 4])
    manual = pd.Series(["a", "gold"], index=[3, 4], dtype=object)
    current = pd.Series(["B", "VIP"], index=[3, 4], dtype=object)
    choice = class_choice.choose(computed, keys, current, manual, _state(("a", "3", "B", ""), ("b", "4", "C", "")))
    assert choice.classes.to_dict() == {3: "A", 4: "C"}
    assert choice.invalid_manual.to_dict() == {4: "gold"} and choice.invalid_typed.to_dict() == {4: "VIP"}


def test_a_renamed_customer_is_recognised_by_row_an_inserted_one_is_not():
    computed = pd.Series(["A", "D"], index=[3, 4], dtype=object)
    current = pd.Series(["C", "C"], index=[3, 4], dtype=object)
    memory = _state(("old name", "3", "C", ""), ("b", "4", "C", ""))
    renamed = class_choice.choose(computed, pd.Series(["new name", "b"], index=[3, 4]), current, None, memory)
    assert renamed.classes[3] == "A"  # xlcrm wrote that C: the rules decide
    inserted = class_choice.choose(computed, pd.Series(["new", "b"], index=[3, 4]), current, None,
                              _state(("b", "3", "C", ""), ("x", "9", "B", "")))
    assert inserted.classes[3] == "C" and inserted.source[3] == "typed"


# churn risk --------------------------------------------------------------------------------------

def test_a_three_week_buyer_silent_for_nine_weeks_is_high_risk_though_r_is_middling():
    rows = [("a", (pd.Timestamp(TODAY) - pd.Timedelta(days=63 + 21 * n)).date().isoformat(), 100.0)
            for n in range(6)]
    others = [(f"c{i}", (pd.Timestamp(TODAY) - pd.Timedelta(days=d)).date().isoformat(), 50.0)
              for i, d in enumerate([5, 10, 20, 30, 40, 90, 200, 300, 400])]
    result, _ = purchases.from_orders(orders(*rows, *others), pd.Index(["a"] + [f"c{i}" for i in range(9)]), TODAY)
    scored = scoring.by_customer(result, TODAY, default_rules())
    assert scored.loc["a", "r_score"] == 3
    assert scored.loc["a", "churn_risk"] == "high"
    assert scored.loc["a", "next_purchase"] == pd.Timestamp(TODAY) - pd.Timedelta(days=42)


def test_risk_levels_follow_the_customers_own_gap():
    rows = [("a", "2026-09-01", 1.0), ("a", "2026-10-01", 1.0), ("a", "2026-10-31", 1.0),  # every 30 days
            ("b", "2026-11-10", 1.0), ("b", "2026-11-20", 1.0),  # every 10 days
            ("c", "2026-08-01", 1.0), ("c", "2026-10-01", 1.0)]  # every 61 days, 53 days silent
    result, _ = bought(*rows)
    scored = scoring.by_customer(result, TODAY, default_rules())
    assert scored["churn_risk"].to_dict() == {"a": "low", "b": "low", "c": "low"}
    later = scoring.by_customer(result, TODAY + dt.timedelta(days=17), default_rules())
    assert later["churn_risk"].to_dict() == {"a": "medium", "b": "high", "c": "medium"}


def test_a_single_purchase_borrows_the_typical_gap_of_everyone():
    result, _ = bought(("a", "2026-09-01", 1.0), ("a", "2026-09-21", 1.0), ("b", "2026-10-01", 5.0))
    scored = scoring.by_customer(result, TODAY, default_rules())
    assert scored.loc["b", "next_purchase"] == pd.Timestamp("2026-10-21")
    assert scored.loc["b", "churn_risk"] == "high"  # 53 days silent against a 20-day rhythm


def test_a_lapsed_customer_keeps_their_scores_but_not_a_name_that_says_they_buy():
    rules = default_rules().segments
    frame = pd.DataFrame({"r_score": [5, 5, 5, 1], "f_score": [5, 1, 5, 1], "m_score": [5, 1, 5, 1]}, dtype="Int64")
    lapsed = pd.Series([True, True, False, True])
    names = [rules[i].name("en") for i in segments.assign(frame, rules, lapsed)]
    assert names == ["Can't lose", "Hibernating", "Champions", "Lost"]
    assert list(frame["r_score"]) == [5, 5, 5, 1]


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["甲", "乙", "丙", 7, 8]), st.integers(0, 60)), max_size=60))
def test_each_customers_rhythm_is_the_gaps_between_their_distinct_purchase_days(rows):
    """gap_stats, worked out on arrays for speed, says per customer what their own purchase days say: the days
    between distinct days, their median, spread (std/mean) and count."""
    import statistics

    from xlcrm.core.scores.buying_rhythm import gap_stats

    start = dt.date(2026, 1, 1)
    frame = pd.DataFrame({"key": pd.Series([k for k, _ in rows], dtype=object),
                          "date": pd.to_datetime([start + dt.timedelta(days=d) for _, d in rows])})
    found = gap_stats(frame)
    expected = {}
    for key in {k for k, _ in rows}:
        days = sorted({d for k, d in rows if k == key})
        gaps = [b - a for a, b in zip(days, days[1:])]
        if gaps:
            expected[key] = (statistics.median(gaps), statistics.pstdev(gaps) / statistics.mean(gaps), len(gaps))
    assert set(found.index) == set(expected)
    for key, (median, spread, count) in expected.items():
        assert found.loc[key, "gap"] == median and found.loc[key, "gaps"] == count
        assert found.loc[key, "gap_cv"] == pytest.approx(spread, nan_ok=True)


@pytest.mark.parametrize("count", [1, 2, 111])
def test_customers_all_alike_get_the_middle_score_not_the_worst(count):
    """Every order placed the same day (a first import, a trade fair's batch): recency alike for all of them is no
    reason to call every one of them lost; one customer alone scores 3 too."""
    alike = pd.Series([4.0] * count)
    assert set(rfm.score(alike, QUINTILES)) == {3}
    assert set(rfm.score(alike, QUINTILES, higher_is_better=False)) == {3}
    assert list(rfm.score(pd.Series([4.0, 4.0, None]), QUINTILES))[:2] == [3, 3]
