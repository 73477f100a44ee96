"""Headers matched by whole words and scored, the values deciding a weak match (issue 12, items 1-3)."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.core.fields import CUSTOMERS, FIELDS, ORDERS, fields_of
from xlcrm.core.mapping import detect
from xlcrm.core.table import EXACT, WEAK, Table, match, match_field, synonym_index

CUSTOMER_WORDS = synonym_index(fields_of(CUSTOMERS))
ORDER_WORDS = synonym_index(fields_of(ORDERS))


@pytest.mark.parametrize("header", ["Win Rate (Lead)", "TELEVENDAS", "Project Name", "Product Name", "Customer Type",
                                    "Expected close date", "计划成交日期", "Forecast Close Date", "Mail status"])
def test_a_word_inside_another_or_beside_a_qualifier_names_no_field(header):
    assert match_field(header, CUSTOMER_WORDS) is None


@pytest.mark.parametrize("header, field", [("Phone 2", "phone"), ("E-mail Address", "email"), ("Primary Email", "email"),
                                           ("Close date", "deal_won"), ("Full Name", "contact"), ("Address", "address")])
def test_whole_words_name_their_field(header, field):
    assert match_field(header, CUSTOMER_WORDS) == field


@pytest.mark.parametrize("header, field", [("Sales", "order_amount"), ("Invoice Total", "order_amount"),
                                           ("Invoice #", "order_id"), ("Name", "order_customer"),
                                           ("Invoice Date", "order_date")])
def test_order_logs_and_invoices_name_their_fields(header, field):
    assert match(header, ORDER_WORDS) == (field, EXACT)


def table(headers, rows):
    return Table("S", 1, headers, pd.DataFrame(rows, index=range(2, 2 + len(rows)), columns=range(len(headers)),
                                               dtype=object))


def test_the_column_holding_dates_beats_an_empty_one_of_the_same_field():
    found = detect(table(["Customer", "Next Action", "Next Contact"], [["A", None, "2026-12-01"], ["B", None, None]]),
                   CUSTOMERS)
    assert found["next_followup"] == 2


def test_a_weak_header_is_taken_only_when_its_values_fit():
    assert match("Work Phone Ext", CUSTOMER_WORDS)[1] == WEAK
    rows = [["A", "+86 138 0000 0001", "x12"], ["B", "021-5555 0002", "x14"]]
    found = detect(table(["Customer", "Phone Office", "Phone Ext Note"], rows), CUSTOMERS)
    assert found.get("phone") == 1 and 2 not in found.values()


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(sorted(synonym_index(FIELDS))), st.text(max_size=6),
                                st.sampled_from([" ", "(", "）", "-", "_", "2", "客户", "预计", "Planned", "ID"])),
                      max_size=5))
def test_the_synonym_lookup_never_misses_one_a_header_holds(parts):
    """A header is only tried against the synonyms its words can hold (a lookup, for speed): every synonym that
    would match, tried the slow way against all of them, is among those tried."""
    from xlcrm.core.fields import norm_header
    from xlcrm.core.table import _candidates, _strength, header_words

    header = "".join(parts)
    words, key = header_words(header), norm_header(header)
    synonyms = synonym_index(FIELDS)
    holding = {s for s in synonyms if s == key or _strength(words, s)}
    assert holding <= set(_candidates(words, key, synonyms))


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=16),
                       st.sampled_from(["#N/A", " - ", "\u3000", "－－", "ｎ／ａ", "　无　", "#GETTING_DATA", "NULL ",
                                        "—— ", "\u00a0", "x"])))
def test_a_cell_is_data_unless_empty_or_a_mark_for_nothing(value):
    """The quick test run on every row (ASCII text is not NFKC-folded, long text is no mark) says what the plain
    rule says: empty, spaces, NaN and marks such as '-', #N/A (full-width too) are not data."""
    import unicodedata

    from xlcrm.core.table import EMPTY_MARKS, _data

    if isinstance(value, str):
        expected = bool(value.strip()) and unicodedata.normalize("NFKC", value).strip().lower() not in EMPTY_MARKS
    else:
        expected = value is not None and value == value
    assert _data(value) == expected
