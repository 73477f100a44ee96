"""Widths that fit what cells show, and the team's print area taking xlcrm's columns in."""

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from xlcrm.core.edits import DATE, INT, MONEY, PERCENT, Formula, PutSheet
from xlcrm.core.fit import (column_width, fitted, line_count, row_heights, text_width, widen_area, widest_of,
                             widest_value)


def test_cjk_counts_double_and_amounts_are_measured_with_their_separators():
    assert text_width("最近购买距今(天)") == 16 and text_width("（天）") == 6 and text_width("Recency") == 7
    assert column_width([293737.61], "消费金额", MONEY) >= len("293,737.61") + 2
    assert column_width([dt.date(2026, 3, 5)], "Next") >= 12


def test_wrapped_bodies_keep_their_width_and_get_rows_tall_enough():
    sheet = fitted(PutSheet("p", [["Body"], ["line 1\nline 2\nline 3"]], row_styles={0: "header"},
                            widths={0: 60}, wrap=(0,)))
    assert sheet.widths[0] == 60 and sheet.heights[1] >= 45


def test_a_print_area_grows_to_the_right_and_only_there():
    assert widen_area("'客户'!$A$1:$P$70", 20) == "'客户'!$A$1:$T$70"
    assert widen_area("'客户'!$A$1:$Z$70", 20) == "'客户'!$A$1:$Z$70"


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.text(), st.text(alphabet="客户名称ｶﾅＡ１ a\néЖ😀\u3000"), st.integers(), st.floats(),
                          st.sampled_from([0, 0.0, -0.0, -0.001, 0.004, 0.005, 999.995, -999.995, 9.5, 10**20, -1]),
                          st.dates(), st.none(), st.booleans(), st.builds(Formula, st.text()))),
       st.sampled_from([None, MONEY, INT, PERCENT, DATE]))
@example([0, -1, -1.797693134862316e+306], PERCENT)  # a huge percentage shows as -inf%, shorter than -100.0%
@example([0.0, -0.0, 0.004], MONEY)  # -0.00 is the widest
@example(["a\ud800b", "ab", None], None)  # a lone surrogate has no UTF-8 of its own
def test_widest_of_measures_as_widest_value_does(values, number_format):
    assert widest_of(values, number_format) == widest_value((v, number_format) for v in values)


def test_a_range_format_wins_over_its_column_format_and_the_last_range_over_the_others():
    rows = [["x"], ["Amount"], [12.5], [1234567.891]]
    assert fitted(PutSheet("p", rows, row_styles={1: "header"}, formats={0: MONEY})).widths[0] == len("1,234,567.89") + 2
    as_int = fitted(PutSheet("p", rows, row_styles={1: "header"}, formats={0: MONEY},
                             range_formats=(("A3:A4", PERCENT), ("A4", INT))))
    assert as_int.widths[0] == len("1234568") + 2
    above = fitted(PutSheet("p", [["1234567.891"], *rows[1:]], row_styles={1: "header"}, formats={0: MONEY},
                            range_formats=(("A3:A4", PERCENT), ("A4", INT))))
    assert above.widths[0] == len("1234567.891") + 2  # text above the header, as it is


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(alphabet="ab 客户\n", max_size=40), st.none(), st.integers()), max_size=3),
                max_size=6), st.floats(1, 30))
def test_row_heights_count_every_wrapped_line(rows, width):
    lines = [max((line_count(row[c], width) for c in (0, 2) if c < len(row) and isinstance(row[c], str)), default=1)
             for row in rows]
    assert row_heights(rows, {0: width, 2: width}) == {i: min(n, 20) * 15.0 for i, n in enumerate(lines) if n > 1}


def test_only_the_headers_of_columns_of_numbers_and_dates_go_right():
    rows = [["Amount", "Due", "Name", "Mixed", "Flag", "Empty"],
            [12.5, dt.date(2026, 3, 5), "Acme", 3, True, None],
            [None, "", "Bolt", "n/a", False, ""],
            [7, dt.date(2026, 3, 6), "Core", 4, True, None]]
    align = fitted(PutSheet("p", rows, row_styles={0: "header"})).align
    assert {c for c, how in align.items() if how == "right"} == {0, 1}
