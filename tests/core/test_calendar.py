"""China's working days and holidays, as the calendar package knows them, in xlcrm's vectorised form."""

import datetime as dt

import holidays
import pandas as pd
import pytest

from xlcrm.core.calendar import NO_CALENDAR, WorkCalendar, choose_country, used_note
from xlcrm.core.errors import XlcrmError

CHINA = WorkCalendar("CN")


def dates(*days):
    return pd.Series(pd.to_datetime(list(days)))


def test_a_make_up_saturday_is_a_working_day_and_the_sunday_after_is_not():
    assert CHINA.is_working_day(dt.date(2026, 2, 14))  # Saturday worked to pay for the Spring Festival week
    assert not CHINA.is_working_day(dt.date(2026, 2, 15))
    assert CHINA.shift(dates("2026-02-13"), 1).tolist() == [pd.Timestamp("2026-02-14")]


def test_the_national_day_week_is_skipped_and_the_make_up_saturday_after_it_counts():
    week = [dt.date(2026, 10, d) for d in range(1, 8)]
    assert not any(CHINA.is_working_day(d) for d in week)
    assert CHINA.shift(dates("2026-09-30"), 1).tolist() == [pd.Timestamp("2026-10-08")]
    assert CHINA.shift(dates("2026-10-09"), 1).tolist() == [pd.Timestamp("2026-10-10")]  # a Saturday, worked


def test_a_date_inside_a_holiday_week_rolls_to_the_working_day_before_or_after():
    holiday = dates("2026-10-03", "2026-10-09")
    assert CHINA.roll(holiday, "before").tolist() == [pd.Timestamp("2026-09-30"), pd.Timestamp("2026-10-09")]
    assert CHINA.roll(holiday, "after").tolist() == [pd.Timestamp("2026-10-08"), pd.Timestamp("2026-10-09")]
    assert CHINA.roll(holiday, "keep").tolist() == holiday.tolist()


@pytest.mark.parametrize("steps", [-5, -1, 1, 5, 14])
def test_shifting_by_working_days_agrees_with_the_packages_own_count_on_every_day_of_two_years(steps):
    days = pd.Series(pd.date_range("2025-12-01", "2027-11-30", freq="D"))
    package = holidays.China(years=range(2025, 2029))
    expected = [pd.Timestamp(package.get_nth_working_day(d.date(), steps)) for d in days]
    assert CHINA.shift(days, steps).tolist() == expected


def test_missing_dates_stay_missing_and_steps_may_differ_per_row():
    shifted = CHINA.shift(dates("2026-09-28", None, "2026-09-28"), pd.Series([1, 3, None]))
    assert shifted.iloc[0] == pd.Timestamp("2026-09-29")
    assert pd.isna(shifted.iloc[1]) and pd.isna(shifted.iloc[2])


@pytest.mark.parametrize("name, year, day", [
    ("春节", 2026, "2026-02-17"), ("春节", 2027, "2027-02-06"),
    ("Chinese New Year (Spring Festival)", 2026, "2026-02-17"), ("Spring Festival", 2027, "2027-02-06"),
    ("中秋节", 2026, "2026-09-25"), ("Mid-Autumn Festival", 2027, "2027-09-15"),
    ("端午节", 2026, "2026-06-19"), ("国庆节", 2027, "2027-10-01"),
])
def test_lunar_holidays_fall_on_their_own_day_each_year(name, year, day):
    assert CHINA.find_holiday(name, year) == pd.Timestamp(day)


def test_unknown_holiday_names_are_not_guessed():
    assert CHINA.find_holiday("元宵节", 2026) is None  # not a public holiday in the calendar
    assert CHINA.find_holiday("Chinese New Year", 2026) is None  # matches the eve and the festival itself


def test_the_holiday_list_has_both_languages_and_no_moved_days_off():
    names = CHINA.holiday_names(2026)
    assert {"春节", "中秋节", "国庆节", "元旦"} <= set(names["zh"])
    assert "Mid-Autumn Festival" in set(names["en"])
    assert not names["zh"].str.contains("调休").any() and not names["en"].str.contains("Day off").any()
    assert names["en"].is_unique


def test_an_unknown_calendar_is_a_clear_error():
    with pytest.raises(XlcrmError) as error:
        WorkCalendar("XX")
    assert "XX" in error.value.text("en") and "CN" in error.value.text("zh")


def test_past_the_years_the_package_knows_the_working_days_are_said_to_be_estimated():
    from xlcrm.core.calendar import known_until
    china = WorkCalendar("CN")
    last = known_until("CN")
    assert last is not None and china.estimated(dt.date(last, 12, 1), dt.date(last, 12, 31)) is None
    note = china.estimated(dt.date(last, 12, 20), dt.date(last + 1, 1, 19))
    assert note is not None and str(last + 1) in note.text("zh") and "估算" in note.text("zh")
    assert WorkCalendar("US").estimated(dt.date(2040, 1, 1), dt.date(2040, 2, 1)) is None  # no make-up days there


def test_days_off_and_make_up_days_typed_in_the_settings_win_over_the_package():
    from xlcrm.core.followups.followup_rules import read_rules
    rules = read_rules(_typed_days(), "zh")
    assert rules.extra_off == (dt.date(2027, 3, 3),) and rules.extra_working == (dt.date(2027, 3, 6),)
    assert [n.text("en") for n in rules.notes if "soon" in n.text("en")] == [
        "Extra holidays and make-up days: 'soon' / '放假' is not a date with 'day off' or 'working day'; the row is "
        "left out."]
    china = WorkCalendar("CN", rules.extra_off, rules.extra_working)
    assert not china.is_working_day(dt.date(2027, 3, 3)) and china.is_working_day(dt.date(2027, 3, 6))
    days = pd.Series(pd.to_datetime(["2027-03-02", "2027-03-05"]))
    shifted = china.shift(days, 1).dt.date.tolist()
    assert shifted == [dt.date(2027, 3, 4), dt.date(2027, 3, 6)]  # over the typed day off; onto the make-up Saturday
    assert china.estimated(dt.date(2027, 1, 1), dt.date(2027, 3, 1)) is None  # the team typed 2027's days


def _typed_days():
    from xlcrm.core.all_settings import settings_from_user
    return settings_from_user({"calendar_days": [{"date": "2027-03-03", "kind": "放假"},
                                                 {"date": "2027/3/6", "kind": "working day"},
                                                 {"date": "soon", "kind": "放假"}]})


@pytest.mark.parametrize("setting, lang, region, chosen", [
    ("", "en", None, ("", "none")),  # an English workbook never gets China's holidays by default alone
    ("", "en", "US", ("US", "region")),
    ("", "en", "CN", ("CN", "region")),
    ("", "zh", None, ("CN", "language")),
    ("", "zh", "US", ("CN", "language")),  # a Chinese workbook on a US-set computer is still China's
    ("", "zh", "HK", ("HK", "region")),
    ("gb", "zh", "CN", ("GB", "setting")),
    ("无", "zh", "CN", ("", "setting")),
    ("XX", "en", "DE", ("DE", "region")),  # an unknown code is said by the rules and the region used
])
def test_the_calendar_is_the_one_set_else_chosen_from_the_workbooks_language_and_the_region(setting, lang, region,
                                                                                           chosen):
    assert choose_country(setting, lang, region) == chosen


def test_no_calendar_counts_weekends_only_and_knows_no_holiday():
    none = WorkCalendar(NO_CALENDAR)
    assert none.is_working_day(dt.date(2026, 10, 1)) and not none.is_working_day(dt.date(2026, 10, 3))
    assert none.shift(dates("2026-09-30"), 1).tolist() == [pd.Timestamp("2026-10-01")]
    assert none.find_holiday("National Day", 2026) is None and not len(none.holiday_names(2026))
    assert "none (weekends only)" in used_note(NO_CALENDAR, "none").text("en")
    assert "日历:CN(中文工作簿" in used_note("CN", "language").text("zh")


def test_every_code_the_package_lists_is_known_and_nothing_else():
    """supported() reads the package's registry instead of importing every country to list them: the same codes."""
    from xlcrm.core.calendar import supported

    listed = set(holidays.list_supported_countries())
    assert {"CN", "CHN", "HK", "US", "UK"} <= listed
    assert all(supported(code) and supported(code.lower()) for code in listed)
    assert not any(supported(code) for code in ("XX", "HolidaysCN", "China", ""))
