"""CellWriter.column writes a column's cells in one go; each cell must be the one styled() writes alone."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.book.file.cell_xml import CellWriter, date_kind
from xlcrm.book.file.plain_rows import _kind, _kinds
from xlcrm.core.edits import Formula

_VALUES = st.one_of(
    st.none(), st.text(), st.sampled_from(["", " lead", "trail ", "a\nb", "A&B <x>", "_x0041_", "\x01", "x" * 40000]),
    st.integers(-10**18, 10**18), st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
    st.dates(dt.date(1899, 1, 1), dt.date(2100, 1, 1)), st.datetimes(dt.datetime(1899, 1, 1)),
    st.times(), st.builds(Formula, st.sampled_from(["=A1+1", "SUM(A:A)"])),
    st.sampled_from([np.int64(7), np.float64("nan"), np.float64(2.5), decimal.Decimal("1.10"), pd.NaT,
                     pd.Timestamp("2026-11-23"), np.str_("text")]))


def _date_style(value) -> str:
    return ' s="9"' if value is not pd.NaT and date_kind(value) else ' s="4"'  # NaT has no time of day


@settings(max_examples=300, deadline=None)
@given(st.lists(_VALUES, max_size=12), st.sampled_from([b"", b"x:"]), st.booleans(), st.booleans())
def test_a_column_is_its_cells_written_one_by_one(values, prefix, date1904, dated):
    writer = CellWriter(prefix, date1904)
    numbers = list(range(5, 5 + len(values)))
    other = _date_style if dated else None
    alone = [writer.styled(f"AB{n}", v, other(v) if other else ' s="4"') or "" for n, v in zip(numbers, values)]
    assert writer.column("AB", numbers, values, ' s="4"', other) == alone


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=12))
def test_empty_values_take_the_blank_cell_when_there_is_one(values):
    writer = CellWriter()
    numbers = list(range(1, len(values) + 1))
    blank = '<c r="C{}" s="2"/>'

    def empty(v) -> bool:
        return v is None or (isinstance(v, str) and not v) or (isinstance(v, float) and v != v)

    alone = [blank.format(n) if empty(v) else writer.styled(f"C{n}", v, "") or "" for n, v in zip(numbers, values)]
    assert writer.column("C", numbers, values, "", None, blank) == alone


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=12))
def test_a_plain_columns_value_kinds_are_those_of_its_cells(values):
    assert _kinds(values) == {_kind(v) for v in values}
