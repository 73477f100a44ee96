"""Widths that fit what cells show, and the team's print area taking xlcrm's columns in."""

import datetime as dt

from xlcrm.core.edits import MONEY, PutSheet
from xlcrm.core.fit import column_width, fitted, text_width, widen_area


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
