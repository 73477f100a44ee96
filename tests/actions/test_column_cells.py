"""The cells xlcrm writes for a column of computed values, and the state it remembers, whatever the column's dtype:
a column converted at once (numbers, dates) gives the cells each value would give alone."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlcrm.actions.common import cell_values, cell_value
from xlcrm.core import state

COLUMNS = {
    "scores with gaps (Int64)": pd.Series([5, None, 1], dtype="Int64"),
    "amounts with NaN": pd.Series([1234.5, np.nan, 0.0, np.inf]),
    "counts": pd.Series([3, 0, 12], dtype="int64"),
    "flags": pd.Series([True, False, True]),
    "nullable flags": pd.Series([True, None], dtype="boolean"),
    "nullable floats": pd.Series([1.25, None], dtype="Float64"),
    "small ints": pd.Series(np.array([1, 200], dtype=np.uint8)),
    "next purchase dates": pd.Series(pd.to_datetime(["2026-12-01", None, "2027-02-28"])),
    "times of day": pd.Series(pd.to_datetime(["2026-12-01 09:30:15.250", "2026-12-02"], format="mixed")),
    "seconds": pd.Series(pd.to_datetime(["2026-12-01", "2026-12-01 08:00"], format="mixed")).astype("datetime64[s]"),
    "no dates": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]"),
    "empty": pd.Series([], dtype="Int64"),
    "mixed": pd.Series(["A", None, 2.5, np.nan, pd.Timestamp("2026-12-01"), pd.Timestamp("2026-12-01 10:00")],
                       dtype=object),
}


@pytest.mark.parametrize("name", COLUMNS)
def test_a_column_gives_the_cells_its_values_give_one_by_one(name):
    column = COLUMNS[name]
    cells = cell_values(column)
    alone = [cell_value(v) for v in column]
    assert [(type(c), c) for c in cells] == [(type(c), c) for c in alone]
    assert all(type(c) in (int, float, bool, str, dt.date, dt.datetime, type(None)) for c in cells)


def test_the_dates_are_dates_and_the_times_are_kept():
    cells = cell_values(COLUMNS["times of day"])
    assert cells == [dt.datetime(2026, 12, 1, 9, 30, 15, 250000), dt.date(2026, 12, 2)]
    assert cell_values(COLUMNS["next purchase dates"]) == [dt.date(2026, 12, 1), None, dt.date(2027, 2, 28)]


def test_the_state_sheet_holds_each_value_as_text_and_reads_back():
    count = 5000  # many customers: their classes are rendered a column at a time
    sections = {"classes": pd.DataFrame({"key": [f"客户{i}" for i in range(count)], "row": np.arange(count) + 3,
                                         "class": ["A", 2.0, None, "C", 1.5] * (count // 5), "manual": "1"}),
                "scores": pd.DataFrame({"n": pd.Series([1, None], dtype="Int64"), "f": [1.0, 2.5]}),
                "empty": pd.DataFrame()}
    rows = state.render(sections)
    at = rows.index([state.MARKER, "classes"])
    assert rows[at + 1] == ["key", "row", "class", "manual"]
    assert rows[at + 2:at + 7] == [["客户0", "3", "A", "1"], ["客户1", "4", "2", "1"], ["客户2", "5", "", "1"],
                                   ["客户3", "6", "C", "1"], ["客户4", "7", "1.5", "1"]]
    at = rows.index([state.MARKER, "scores"])
    assert rows[at + 2:at + 4] == [["1", "1"], ["<NA>", "2.5"]]
    read = state.parse(rows)
    assert read["classes"]["row"].tolist() == [str(i + 3) for i in range(count)]
    assert read["classes"]["class"].tolist()[:5] == ["A", "2", "", "C", "1.5"]
