"""Working days and holidays, from the maintained `holidays` package (never a hand-written list).

China's calendar moves working days around every year: a public holiday week is paid for
with make-up working days on a weekend (调休). The package knows both, and resolves the
lunar holidays (Spring Festival, Dragon Boat, Mid-Autumn) per year. Here that becomes a
numpy business-day calendar, so shifting 100k dates by N working days is one vectorised call.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd

from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg

DEFAULT_COUNTRY = "CN"
NO_CALENDAR = ""  # weekends only: no public holidays, no holiday greetings
NONE_WORDS = {"none", "no", "-", "无", "不用", "没有"}
ZH_REGIONS = {"CN", "HK", "TW", "MO", "SG", "MY"}  # where a Chinese workbook's own region is its calendar
USED = Msg("Calendar: {calendar} ({why}).", "日历:{calendar}({why})。")
WHY = {"setting": Msg("as set in the settings", "按设置"),
       "region": Msg("this computer's region; set another in the settings' Holiday calendar",
                     "按本机所在地区;可在设置的节假日日历中更改"),
       "language": Msg("a Chinese workbook; set another in the settings' Holiday calendar",
                       "中文工作簿;可在设置的节假日日历中更改"),
       "none": Msg("no holidays: an English workbook and no known region; set a country code in the settings' "
                   "Holiday calendar to count its holidays and greet them",
                   "不计节假日:英文工作簿且地区未知;如需节假日与节日问候,请在设置的节假日日历中填写国家/地区代码")}
NONE_NAME = Msg("none (weekends only)", "无(仅周末)")
UNKNOWN_COUNTRY = Msg("The calendar '{code}' is not known; use a country code such as CN, HK, TW, SG or US.",
                      "未知的日历“{code}”;请填写国家/地区代码,如 CN、HK、TW、SG、US。")
TEAM_DAY_OFF = Msg("a day off in the settings' extra holidays", "设置中补充的放假日")
_ALL_DAYS = "1111111"  # every weekday is a working day unless listed: make-up Saturdays stay working


def supported(code: str) -> bool:
    return code.upper() in _country_codes()


@cache
def _country_codes() -> frozenset[str]:
    """The codes holidays.list_supported_countries() gives, read off the package's registry: that function imports
    every country's module to list them (0.15 s on each run), the registry names them without importing."""
    from holidays import registry
    return frozenset(code for _, *codes in registry.COUNTRIES.values() for code in codes
                     if code.isupper() and len(code) <= 3)  # CN, CHN, UK; not the class aliases (HolidaysCN)


def is_none(setting: str) -> bool:
    return setting.strip().lower() in NONE_WORDS


def choose_country(setting: str, lang: str, region: str | None) -> tuple[str, str]:
    """The calendar to use and why ('setting', 'region', 'language', 'none'): the one set; else, when the
    setting is empty (or unknown), the computer's region when it has a calendar (for a Chinese workbook, a
    Chinese-speaking region), else China for a Chinese workbook and none for an English one. Never China's
    holidays for an English workbook by default alone."""
    code = setting.strip().upper()
    if is_none(setting):
        return NO_CALENDAR, "setting"
    if code and supported(code):
        return code, "setting"
    region = (region or "").strip().upper()
    if region and supported(region) and (lang != "zh" or region in ZH_REGIONS):
        return region, "region"
    return (DEFAULT_COUNTRY, "language") if lang == "zh" else (NO_CALENDAR, "none")


def used_note(country: str, why: str) -> Msg:
    """What the run says about the calendar it used."""
    return USED(calendar=country or NONE_NAME, why=WHY[why])


@cache
def _holidays(code: str, year: int, language: str | None = None, categories: tuple[str, ...] = ("public",),
              observed: bool = True):
    import holidays  # here: 0.1 s to import with China's rules, and a run whose settings say it all needs none

    entity = holidays.country_holidays(code, years=year, observed=observed)
    language = language if language in entity.supported_languages else None
    wanted = tuple(c for c in categories if c in entity.supported_categories)
    return holidays.country_holidays(code, years=year, language=language, categories=wanted, observed=observed)


@cache
def _days_off(code: str, year: int) -> np.ndarray:
    """Every day of a year that is not a working day (weekends not made up, public holidays)."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D").date
    if code == NO_CALENDAR:
        return np.array([d for d in days if d.weekday() >= 5], dtype="datetime64[D]")
    entity = _holidays(code, year)
    return np.array([d for d in days if not entity.is_working_day(d)], dtype="datetime64[D]")


ESTIMATED = Msg("The {country} calendar knows the make-up working days (调休) only up to {year}; working days in "
                "{years} are estimated (weekends and the usual holidays). Type the official days off and make-up "
                "days in the settings block 'Extra holidays and make-up days' once they are announced.",
                "{country} 日历只知道 {year} 年及以前的调休安排;{years} 年的工作日为估算(按周末和常规节假日)。"
                "国务院公布后,可在设置表“补充节假日与调休”中填写放假日和调休上班日。")


@cache
def known_until(code: str) -> int | None:
    """The last year whose moved working days (调休) the package knows; None where the country moves none."""
    if code == NO_CALENDAR:
        return None
    import holidays

    entity = holidays.country_holidays(code)
    if not getattr(entity, "has_substituted_holidays", False):
        return None
    special = getattr(entity, "special_public_holidays", None) or {}
    return max((year for year in special if isinstance(year, int)), default=None)


class WorkCalendar:
    """Working days of one country (NO_CALENDAR: Monday to Friday), for the years the dates at hand need; days
    off and make-up working days the team typed in the settings (extra_off, extra_working) win over the package."""

    def __init__(self, country: str = DEFAULT_COUNTRY, extra_off: tuple[dt.date, ...] = (),
                 extra_working: tuple[dt.date, ...] = ()):
        code = country.strip().upper()
        if code != NO_CALENDAR and not supported(code):
            raise XlcrmError(UNKNOWN_COUNTRY(code=country))
        self.country = code
        self.extra_off, self.extra_working = frozenset(extra_off), frozenset(extra_working)
        self._calendars: dict[tuple[int, ...], np.busdaycalendar] = {}  # by the years it covers

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working or day in self.extra_off:
            return day in self.extra_working
        if self.country == NO_CALENDAR:
            return day.weekday() < 5
        return bool(_holidays(self.country, day.year).is_working_day(day))

    def holiday_on(self, day: dt.date) -> Msg | None:
        """The public holiday a day off is, named in both languages; None on a working day or a plain weekend."""
        if self.is_working_day(day):
            return None
        if day in self.extra_off:
            return TEAM_DAY_OFF
        if self.country == NO_CALENDAR:
            return None
        names = [_holidays(self.country, day.year, language).get_list(day) for language in ("en_US", "zh_CN")]
        if not names[0]:
            return None  # a weekend inside a holiday week has no name of its own
        return Msg(", ".join(names[0]), "、".join(names[1] or names[0]))

    def estimated(self, first: dt.date, last: dt.date) -> Msg | None:
        """Why working days between two dates are a guess, if they are: years past what the package knows
        and for which the team typed no days of its own."""
        known = known_until(self.country)
        if known is None:
            return None
        typed = {d.year for d in self.extra_off | self.extra_working}
        years = [y for y in range(first.year, last.year + 1) if y > known and y not in typed]
        if not years:
            return None
        return ESTIMATED(country=self.country, year=known, years=", ".join(map(str, years)))

    def _busdays(self, dates: np.ndarray, reach_years: int) -> np.busdaycalendar:
        years = pd.DatetimeIndex(dates[~np.isnat(dates)]).year.unique()
        wanted = tuple(sorted({y + k for y in years for k in range(-reach_years, reach_years + 1)}
                              & set(range(1900, 2200))))
        if wanted not in self._calendars:  # a run asks for the same years a dozen times
            off = [_days_off(self.country, y) for y in wanted]
            if self.extra_off or self.extra_working:
                days = set(np.concatenate(off).tolist()) if off else set()
                days = (days | self.extra_off) - self.extra_working
                off = [np.array(sorted(days), dtype="datetime64[D]")]
            self._calendars[wanted] = np.busdaycalendar(weekmask=_ALL_DAYS,
                                                        holidays=np.concatenate(off) if off else None)
        return self._calendars[wanted]

    def shift(self, dates: pd.Series, working_days) -> pd.Series:
        """Each date moved by N working days (N may differ per row; negative goes back).

        From a day off, +1 is the first working day after it and -1 the last one before it,
        as holidays' own get_nth_working_day counts.
        """
        days = _as_days(dates)
        steps = np.broadcast_to(np.asarray(working_days, dtype="float64"), days.shape)
        valid = ~np.isnat(days) & ~np.isnan(steps)
        out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        if valid.any():
            n = steps[valid].astype("int64")
            reach = 1 + int(np.abs(n).max()) // 200
            calendar = self._busdays(days[valid], reach)
            forward = n > 0
            out_valid = np.where(forward, np.busday_offset(days[valid], n, roll="backward", busdaycal=calendar),
                                 np.busday_offset(days[valid], n, roll="forward", busdaycal=calendar))
            out[valid] = out_valid
        return pd.Series(out.astype("datetime64[ns]"), index=dates.index)

    def roll(self, dates: pd.Series, direction: str) -> pd.Series:
        """A date on a day off moved to the working day before (or after); 'keep' leaves it."""
        if direction == "keep":
            return dates
        days = _as_days(dates)
        valid = ~np.isnat(days)
        out = days.copy()
        if valid.any():
            calendar = self._busdays(days[valid], 1)
            out[valid] = np.busday_offset(days[valid], 0, roll="backward" if direction == "before" else "forward",
                                          busdaycal=calendar)
        return pd.Series(out.astype("datetime64[ns]"), index=dates.index)

    def holiday_names(self, year: int) -> pd.DataFrame:
        """The holidays of a year, first day of each: columns date, en, zh (names as the package gives them).

        Observed days and the days off moved from a weekend (调休) are left out; the commemorative
        days (Women's Day, Children's Day, ...) are included.
        """
        rows = _holiday_rows(self.country, year)
        if not rows:
            return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "en": pd.Series(dtype=object),
                                 "zh": pd.Series(dtype=object)})
        return pd.DataFrame([(pd.Timestamp(day), en, zh) for day, en, zh in rows], columns=["date", "en", "zh"])

    def find_holiday(self, name: str, year: int) -> pd.Timestamp | None:
        """The first day of the holiday called `name` (either language) in a year; None if unknown.

        An exact name wins; otherwise a name that contains what was typed, if only one does
        ("Spring Festival" finds "Chinese New Year (Spring Festival)").
        """
        wanted = norm_header(name)
        if not wanted:
            return None
        keys = _holiday_keys(self.country, year)
        exact = next((day for day, names in keys if wanted in names), None)
        if exact is not None:
            return pd.Timestamp(exact)
        partial = [day for day, names in keys if any(wanted in n for n in names)]
        return pd.Timestamp(partial[0]) if len(partial) == 1 else None


@cache
def _holiday_rows(country: str, year: int) -> tuple[tuple[dt.date, str, str], ...]:
    """(first day, English name, Chinese name) of each holiday of a year, as WorkCalendar.holiday_names lists them."""
    if country == NO_CALENDAR:
        return ()
    names = {}
    for language in ("en_US", "zh_CN"):
        entity = _holidays(country, year, language, ("public", "half_day"), observed=False)
        moved = _substituted_prefix(entity)
        names[language] = {day: [n for n in entity.get_list(day) if not (moved and n.startswith(moved))]
                           for day in sorted(entity)}
    rows, seen = [], set()
    for day, english in names["en_US"].items():
        chinese = names["zh_CN"].get(day, [])
        for i, name in enumerate(english):
            if name not in seen:  # a holiday of several days: its first
                seen.add(name)
                rows.append((day, name, chinese[i] if i < len(chinese) else name))
    return tuple(rows)


@cache
def _holiday_keys(country: str, year: int) -> tuple[tuple[dt.date, tuple[str, str]], ...]:
    """Each holiday's first day with its names as a header is matched (norm_header), for find_holiday."""
    return tuple((day, (norm_header(en), norm_header(zh))) for day, en, zh in _holiday_rows(country, year))


def _substituted_prefix(entity) -> str | None:
    label = getattr(entity, "substituted_label", None)
    return entity.tr(label).split("%s")[0] if label else None


def _as_days(dates: pd.Series) -> np.ndarray:
    return pd.to_datetime(dates, errors="coerce").to_numpy(dtype="datetime64[D]")
