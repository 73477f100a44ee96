import datetime as dt
from functools import partial

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from xlcrm.core.parse import parse_amount, parse_column, parse_date, parse_flag, parse_phone, parse_text
from xlcrm.core.parse import parse_cadence, parse_int, slash_order
from xlcrm.core.records import customer_key, parse_email

MARCH_5 = dt.date(2026, 3, 5)


@pytest.mark.parametrize("typed", [
    dt.datetime(2026, 3, 5), MARCH_5, pd.Timestamp("2026-03-05"), 46086, 46086.0, 20260305,
    "2026年3月5日", "2026年03月05日", "２０２６年３月５日", "2026年3月5号", " 2026/3/5 ", "2026-03-05", "2026.03.05",
    "2026/03/05 14:30", "20260305", "5 March 2026", "Mar 5, 2026", "3/5/2026",
])
def test_every_spelling_of_a_date_reads_as_that_date(typed):
    assert parse_date(typed) == (MARCH_5, None)


def test_a_slash_date_with_the_year_last_follows_the_day_first_setting():
    assert parse_date("5/3/2026", day_first=True)[0] == MARCH_5
    assert parse_date("3/5/2026", day_first=False)[0] == MARCH_5
    assert parse_date("25/3/2026", day_first=False)[0] == dt.date(2026, 3, 25)  # only one reading is possible


@pytest.mark.parametrize("typed", ["下周三", "TBD", "2026年2月30日", "2026-13-01", 3.5, True, "3月5日"])
def test_a_value_that_is_not_a_full_date_gives_a_reason_not_a_date(typed):
    value, why = parse_date(typed)
    assert value is None and why is not None and why.text("zh") and why.text("en")


@pytest.mark.parametrize("typed", ["", "  ", None, float("nan")])
def test_an_empty_cell_is_no_date_and_no_problem(typed):
    assert parse_date(typed) == (None, None)


@pytest.mark.parametrize("typed,expected", [
    ("3月5日", dt.date(2000, 3, 5)), ("1988年2月29日", dt.date(1988, 2, 29)), ("2月29日", dt.date(2000, 2, 29)),
    ("5 March", dt.date(2000, 3, 5)), ("03-05", dt.date(2000, 3, 5)),
])
def test_a_birthday_may_be_typed_without_a_year(typed, expected):
    assert parse_date(typed, yearless=True) == (expected, None)


@pytest.mark.parametrize("typed,expected", [
    (1200, 1200.0), (1200.5, 1200.5), ("¥1,200.50", 1200.5), ("￥1,200.50", 1200.5), ("1200元", 1200.0),
    ("1,200", 1200.0), ("1.2万", 12000.0), ("1.2万元", 12000.0), ("RMB 800", 800.0), ("$1,200.50", 1200.5),
    ("12k", 12000.0), ("-300", -300.0), ("(300)", -300.0), ("¥-300", -300.0), ("０", 0.0), ("1，200", 1200.0),
])
def test_every_spelling_of_an_amount_reads_as_that_amount(typed, expected):
    assert parse_amount(typed) == (expected, None)


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "面议", True])
def test_a_value_that_is_not_an_amount_gives_a_reason(typed):
    value, why = parse_amount(typed)
    assert value is None and why is not None


@pytest.mark.parametrize("typed,expected", [
    (13812345678, "13812345678"), (13812345678.0, "13812345678"), ("138-1234-5678", "138-1234-5678"),
    ("+86 138 1234 5678", "+86 138 1234 5678"), ("０２１－６２３４５６７８", "021-62345678"),
])
def test_phone_numbers_are_text_whether_stored_as_numbers_or_text(typed, expected):
    assert parse_phone(typed) == (expected, None)


@pytest.mark.parametrize("typed", ["yes", "Y", "TRUE", "1", 1, "x", "是", "√", "✓", True, "退订"])
def test_opt_out_marks_people_use_count_as_yes(typed):
    assert parse_flag(typed)[0] is True


@pytest.mark.parametrize("typed", ["", None, "no", "否", 0, "0", False])
def test_anything_else_is_not_an_opt_out(typed):
    assert parse_flag(typed)[0] is False


def test_an_email_cell_gives_one_valid_address_or_a_reason():
    assert parse_email("Wang.Wei@Example.com") == ("Wang.Wei@example.com", None)
    assert parse_email("a@example.com; b@example.com")[0] == "a@example.com"
    assert parse_email("wang@@example.com")[0] is None
    assert parse_email("wang@@example.com")[1].text("zh") == "邮箱地址无效"


def test_one_customer_spelled_with_stray_or_full_width_spaces_has_one_key():
    assert customer_key(" 杭州恒信 有限公司\u3000") == customer_key("杭州恒信有限公司")
    assert customer_key("Ｎｏｒｔｈｗｉｎｄ Ltd") == customer_key("northwind ltd")


def test_a_column_is_parsed_through_its_distinct_values_with_reasons_by_row():
    column = pd.Series(["2026/3/5", "oops", "2026/3/5", None], index=[5, 6, 7, 8])
    values, reasons = parse_column(column, parse_date)
    assert list(values) == [MARCH_5, None, MARCH_5, None]
    assert list(reasons.dropna().index) == [6]


CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1)), st.text(max_size=12),
    st.sampled_from(["-", "N/A", " none ", "无", "  客户 A  ", "ＡＢＣ", "a\u3000b", "1,200", "¥1.2万", "(300)", "¥6,384.79", "$1,234",
                     "1,23", "12,345,678.9", "0,001", "１２３", "1.200,50",
                     "2026-03-05", "5/3/2026", "2026年3月5日", "46086", "tbd", "Mar 5, 2026", "x\ty"]))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(CELLS, max_size=30))
def test_a_column_reads_as_each_of_its_cells_would_alone(values):
    """parse_column takes short cuts for the commonest cells (clean ASCII text, numbers, real dates); whatever the
    cell, the column's result is the parser's own on that cell."""
    column = pd.Series(values, dtype=object)
    for parser in (parse_text, parse_amount, partial(parse_date, day_first=True), parse_date, parse_phone):
        parsed, reasons = parse_column(column, parser)
        for value, got, why in zip(values, parsed.tolist(), reasons.tolist()):
            if value is None or (isinstance(value, float) and value != value):
                continue  # an empty cell: no value, no reason
            expected = parser(value)
            assert (got, why) == expected or (got != got and expected[0] != expected[0]), (parser, value)


ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-."
DOMAINS = ["qq.com", "163.com", "Example.COM", "b.c", "例子.公司", "xn--fsq.com", "b.test", "localhost", "-b.com",
           "b-.com", "1.23", "a..com", "sub.mail.co.uk", "b.c0m", "x" * 63 + ".com", "x" * 64 + ".com", "[1.2.3.4]",
           ".".join(c * 60 for c in "abc") + ".com", ".".join(c * 60 for c in "abcd") + ".com"]  # too long beside a name


@settings(max_examples=500, deadline=None)
@example(address="abcdefgh@" + DOMAINS[-1])  # a plain name and an accepted domain, too long together
@example(address=".a@qq.com")
@given(address=st.one_of(st.emails(), st.builds(lambda local, domain: f"{local}@{domain}",
                                                st.text(ATEXT, max_size=70) | st.text(ATEXT + '"@ é', max_size=8),
                                                st.one_of(st.sampled_from(DOMAINS), st.text(max_size=12)))))
def test_an_address_is_read_as_email_validator_reads_it(address):
    """Addresses are checked domain by domain (the slow part, asked once per domain): whatever the address, the
    answer is email_validator's own, the normalised address or a refusal."""
    from email_validator import EmailNotValidError, validate_email

    from xlcrm.core.records import valid_address

    try:
        expected = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    try:
        got = valid_address(address)
    except EmailNotValidError:
        got = None
    assert got == expected


@pytest.mark.parametrize("typed,expected", [
    ("1234,56", 1234.56), ("12345,00", 12345.0), ("1 234,56", 1234.56), ("1\u202f234,56", 1234.56),
    ("-1234,5", -1234.5), ("1234,56 €", 1234.56), ("€1.200", 1200.0), ("€ 12.500", 12500.0), ("2.500 €", 2500.0),
    ("EUR 1.200", 1200.0), ("-€1.200", -1200.0), ("€1.200,50", 1200.5), ("€1.5", 1.5), ("€1,200.50", 1200.5),
    ("300.00-", -300.0), ("¥300-", -300.0), ("1'234.50", 1234.5), ("CHF 1'234'567", 1234567.0), ("$ (45.00)", -45.0),
])
def test_amounts_written_the_european_swiss_or_sap_way_read_as_that_amount(typed, expected):
    """A comma with one or two digits after it is a decimal comma however many digits stand before it (a group
    of thousands has three); beside a euro sign, a dot before three digits groups thousands."""
    assert parse_amount(typed) == (expected, None)


@pytest.mark.parametrize("typed,expected", [
    ("$1,234.50", 1234.5), ("(200.00)", -200.0), ("1.234,50 €", 1234.5), ("1.2万元", 12000.0), ("3k", 3000.0),
    ("RMB 500", 500.0), ("500.00 CNY", 500.0), ("¥1,234.50", 1234.5), ("1.234.567", 1234567.0), ("12,34", 12.34),
    ("1,234", 1234.0), ("1.200", 1.2), ("$1.200", 1.2), ("(¥300)", -300.0), ("1,234,567", 1234567.0),
])
def test_amounts_read_right_before_read_the_same(typed, expected):
    assert parse_amount(typed) == (expected, None)


@pytest.mark.parametrize("typed", ["5-10", "3--", "-3-", "1'2345", "'1234", "12'34.5"])
def test_a_minus_or_apostrophe_elsewhere_is_no_amount(typed):
    assert parse_amount(typed)[0] is None


def test_a_column_of_european_amounts_reads_as_each_cell_alone():
    column = pd.Series(["1234,56", "€1.200", 1200, "300.00-", "1'234.50", "1,234.50", None, "1234,56"], dtype=object)
    parsed, reasons = parse_column(column, parse_amount)
    assert parsed.tolist() == [1234.56, 1200.0, 1200.0, -300.0, 1234.5, 1234.5, None, 1234.56]
    assert reasons.isna().all()


@pytest.mark.parametrize("typed", ["20261103000012345678", 20261103000012345678, 2.0261103000012346e19, 10**12 + 1,
                                   "-9999999999999"])
def test_a_number_too_large_for_a_count_is_refused_with_a_reason(typed):
    """An order number pasted into 订单数 is no count: a data problem, not a crash casting it to int64."""
    value, why = parse_int(typed)
    assert value is None and "单号" in why.text("zh") and "order or ID number" in why.text("en")
    assert parse_cadence(typed)[0] is None and parse_cadence(typed)[1] is not None


def test_the_largest_count_is_read():
    assert parse_int(10**12) == (10**12, None) and parse_int("3") == (3, None)


def test_dotted_dates_with_the_year_last_are_day_first_unless_the_column_proves_otherwise():
    assert slash_order(["3.11.2026", "10.11.2026", "2.10.26"]) == (True, [])
    assert slash_order(["3.11.2026", "5/3/2026"]) == (True, ["5/3/2026"])  # one habit: dots show which
    assert slash_order(["3.11.2026", "11.25.2026"]) == (False, ["3.11.2026"])  # month first, said in a note
    assert slash_order(["3.11.2026", "25/3/2026"]) == (True, [])
    assert slash_order(["5/3/2026"]) == (None, ["5/3/2026"])  # slashes: the setting decides, as before
    assert slash_order(["3.11", "2026.3.11"]) == (None, ["3.11"])  # 3.11 without a year: Chinese write m.d


def test_a_dotted_date_read_alone_is_day_first_unless_told_otherwise():
    """A holiday typed 3.10.2026 in the settings (German Unity Day) is 3 October; a column whose dates prove
    month first passes day_first=False and is read so."""
    assert parse_date("3.10.2026") == (dt.date(2026, 10, 3), None)
    assert parse_date("3.10.26") == (dt.date(2026, 10, 3), None)
    assert parse_date("3.10.2026", day_first=False) == (dt.date(2026, 3, 10), None)
    assert parse_date("3/10/2026") == (dt.date(2026, 3, 10), None)  # slashes: month first unless the setting says
    assert parse_date("3/10/2026", day_first=True) == (dt.date(2026, 10, 3), None)
