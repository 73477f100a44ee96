"""Turn a found table into typed records (one row per customer or order) plus the problems met."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from functools import lru_cache, partial
from typing import Any, Callable

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from xlcrm.core import birthdays, lunar, parse
from xlcrm.core.fields import BY_ID, norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.mapping import Mapping
from xlcrm.core.problems import Problem
from xlcrm.core.table import UNIT, Table, column_letter

NO_CUSTOMER = Msg("row has data but no customer name", "该行有内容但没有客户名称")
UNCALCULATED = Msg("the customer name is a formula that was never calculated, so it reads as empty (the workbook was "
                   "written by a program and has not been opened in Excel since): open the workbook in Excel or "
                   "LibreOffice and save it, so that its formulas are calculated, then run again",
                   "客户名称是一个从未计算过的公式,读出来是空的(工作簿由程序生成,之后没有在 Excel 中打开过):"
                   "请用 Excel 或 LibreOffice 打开该工作簿并保存,让公式算出结果,然后再运行")
DUPLICATE = Msg("same customer as row {row}", "与第 {row} 行是同一客户")
BAD_EMAIL = Msg("not a valid e-mail address ({why})", "邮箱地址无效")
DAY_FIRST_BY_COLUMN = Msg(
    "Sheet '{sheet}', column {column}: dates like {example} were read as {order}, as the column's {proof} can only be.",
    "工作表“{sheet}”{column} 列:{example} 这类日期按{order}读取,因为同列的 {proof} 只能这样读。")
DAY_FIRST_BY_SHEET = Msg(
    "Sheet '{sheet}', column {column}: dates like {example} were read as {order}, as column {other}'s {proof} "
    "can only be.",
    "工作表“{sheet}”{column} 列:{example} 这类日期按{order}读取,因为 {other} 列的 {proof} 只能这样读。")
DAY_FIRST_BY_SETTING = Msg(
    "Sheet '{sheet}', column {column}: {count} dates like {example} could be day/month or month/day; read as "
    "{order} (setting 'Dates like 5/3/2026 are day first'). Change that setting if it is wrong.",
    "工作表“{sheet}”{column} 列:{count} 个日期(如 {example})可按日/月或月/日读取,已按{order}读取"
    "(设置“5/3/2026 这类日期日在前”)。如有误请修改该设置。")
IN_UNITS = Msg("Sheet '{sheet}', column {column}: amounts read as multiples of {unit}, as the header says.",
               "工作表“{sheet}”{column} 列:按表头的单位读取金额(×{unit})。")
_HEADER_UNIT = re.compile(r"[(（\[【]\s*(?:人民币|rmb|¥)?\s*(万|w|千|k|亿)\s*(?:元|rmb|块)?\s*[)）\]】]\s*$",
                          re.IGNORECASE)
ORDERS_NAMED = {True: Msg("day/month", "日/月"), False: Msg("month/day", "月/日")}
# A total row's label, the whole of it (a customer may be named 总计贸易 or Summit): 合计, 汇总 (the label of a Chinese
# Excel Table's total row), 本页小计, 合 计:, 共计 12 家, Grand Total, Sub-total, 合计 Total; a unit or remark in
# brackets after it, 合计(元), is no part of it
_TOTAL_WORD = (r"(?:本页|本月|本季度?|本年度?|本期|本周|当月|当年|全年|全部|所有|以上|总)?"
               r"(?:合计|总计|小计|汇总|共计|总和|累计)(?:金额|数)?(?:\d+[户家个位名人笔单条项])?"
               r"|(?:grand|sub|page|overall)?totals?|sums?")
_TOTAL_LABEL = re.compile(f"(?:{_TOTAL_WORD})(?:{_TOTAL_WORD})?")


def is_total_label(value: Any) -> bool:
    """Whether a cell is a total row's label: 合计, 汇总, 总计:, 本页小计, 合计(元), Total, Grand total:..."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    return _TOTAL_LABEL.fullmatch(norm_header(UNIT.sub("", value) or value)) is not None


def customer_key(name: Any) -> str:
    """The name two spellings of one customer share: full-width folded, invisible characters and spaces dropped,
    case ignored."""
    text = str(name or "")
    text = text if text.isascii() else parse.INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return "".join(text.split()).casefold()


# An address in a cell, without what surrounds or parts it: 张三 <a@b.cn>, a@b.cn(工作), a@b.cn;c@d.cn, a@b.cn/c@d.cn
# (a domain holds no '/', a local part may, but does not start with one: sales/cn@b.cn), a@b.cn、c@d.cn, 'a@b.cn'
# (a local part may hold an apostrophe, not start with one: o'brien@b.ie)
_ADDRESS = re.compile(r"[^\s<>()\[\];,:\"'“”、@/][^\s<>()\[\];,:\"“”、@]*@[^\s<>()\[\];,:\"'“”、@/]+")
_BEFORE_ADDRESS = frozenset("<>()[];,:\"'“”、")  # what may stand right before an address; or a space, or '/' parting two
CUT_EMAIL = Msg("not an e-mail address as typed: only '{part}' of it reads as one. Correct the address",
                "邮箱地址有误:按原样只能读出其中一部分“{part}”。请更正地址")
SEVERAL_EMAILS = Msg("{count} e-mail addresses in one cell: only the first, {first}, is mailed (one recipient per "
                     "customer); not mailed: {others}. Keep one address in the cell (the others in the notes) to "
                     "clear this note",
                     "一格中有 {count} 个邮箱地址:只发给第一个 {first}(每个客户一个收件人),不发给:{others}。"
                     "此格只保留一个地址(其余可写在备注中)即可消除此提示")


def parse_email(value: Any):
    """The first valid address in a cell (one personal recipient per customer, never a list); where the cell holds
    more valid addresses, with a note naming those that are not mailed."""
    text = parse.clean_text(value)
    if not text or text.lower() in parse.PLACEHOLDERS:
        return None, None
    why: str | None = None
    valid: list[str] = []  # the cell's addresses, each once
    text = text.replace("mailto:", " ")
    found = []
    for match in _ADDRESS.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end():match.end() + 2]
        if not (before.isspace() or before in _BEFORE_ADDRESS or before == "/" and match.start() > 1) \
                or after[:1] == "'" and after[1:].isalnum():
            return None, CUT_EMAIL(part=match.group())  # /cn@b.cn, a@b.c'n: never mail part of the address typed
        found.append(match.group())
    for candidate in found or re.split(r"[;,、/\s]+", text):
        try:
            address = valid_address(candidate)
        except EmailNotValidError as error:
            why = why or str(error)
            continue
        if all(address.casefold() != known.casefold() for known in valid):
            valid.append(address)
    if not valid:
        return None, BAD_EMAIL(why=why)
    others = valid[1:]
    return valid[0], (SEVERAL_EMAILS(count=len(valid), first=valid[0], others=", ".join(others)) if others else None)


# RFC 5322's dot-atom in ASCII: a local part such as this is valid as it is (email_validator keeps it unchanged)
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


def valid_address(candidate: str) -> str:
    """The address as email_validator normalises it, or its EmailNotValidError. Most of its time goes into the
    domain, the same for thousands of customers (qq.com, 163.com): a plain local part is joined to the domain
    email_validator accepted once; anything else is given to it whole."""
    local, _, domain = candidate.rpartition("@")
    if local and len(local) <= 64 and _PLAIN_LOCAL.match(local):
        accepted = _domain(domain)
        if accepted and len(local) + 1 + len(accepted[1]) <= 254:
            return f"{local}@{accepted[0]}"
    return validate_email(candidate, check_deliverability=False).normalized


@lru_cache(maxsize=4096)
def _domain(domain: str) -> tuple[str, str] | None:
    """(the domain as email_validator normalises it, its ASCII form), or None where it refuses it."""
    try:
        checked = validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.domain, checked.ascii_domain


def column_day_first(table: Table, mapping: Mapping, day_first: bool) -> tuple[dict[str, bool], list[Msg]]:
    """Per date column, whether 05/03/2026 is day first: the column's own unambiguous dates decide, else
    those of the sheet's other date columns (one team, one habit) when they agree, else the setting;
    and a note for every column where ambiguous dates were read one way."""
    seen = {}  # field -> (column, distinct texts, decision, ambiguous ones)
    for field, column in mapping.columns.items():
        if BY_ID[field].kind in ("date", "birthday"):
            distinct = [v for v in table.cells[column].dropna().unique() if isinstance(v, str)]
            seen[field] = (column, distinct, *parse.slash_order(distinct))
    proven = {decided for _, _, decided, _ in seen.values() if decided is not None}
    sheet_wide = proven.pop() if len(proven) == 1 else None
    witness = next((f for f, (_, _, decided, _) in seen.items() if decided is not None), None)
    orders, notes = {}, []
    for field, (column, distinct, decided, ambiguous) in seen.items():
        by = decided if decided is not None else sheet_wide
        orders[field] = day_first if by is None else by
        if not ambiguous:
            continue
        where = dict(sheet=table.sheet, column=f"{column_letter(column)} {table.header_of(column)}",
                     example=ambiguous[0], order=ORDERS_NAMED[orders[field]])
        if decided is not None:
            notes.append(DAY_FIRST_BY_COLUMN(proof=_proof(distinct, decided), **where))
        elif by is not None and witness is not None:  # a sheet-wide order has its witness column
            other, texts = seen[witness][0], seen[witness][1]
            notes.append(DAY_FIRST_BY_SHEET(other=f"{column_letter(other)} {table.header_of(other)}",
                                            proof=_proof(texts, by), **where))
        else:
            notes.append(DAY_FIRST_BY_SETTING(count=len(ambiguous), **where))
    return orders, notes


_BARE_NUMBER = re.compile(r"[\s+\-−(]*[\d.,'\s]+\)?\s*-?")


def _bare_number(value: Any) -> bool:
    """A number as such, or typed without unit or currency: what a header's unit applies to."""
    if isinstance(value, str):
        return _BARE_NUMBER.fullmatch(value.strip()) is not None
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def header_unit(header: str) -> float:
    """The multiplier a header's unit gives its amounts: 金额(万元) or Sales (k) count in ten-thousands or thousands."""
    match = _HEADER_UNIT.search(header or "")
    return parse._MULTIPLIER[match.group(1).lower()] if match else 1


def unit_notes(table: Table, mapping: Mapping) -> list[Msg]:
    """A note for every amount column read in a unit the header gives, so the user sees the scale."""
    notes = []
    for field, column in mapping.columns.items():
        unit = header_unit(table.header_of(column)) if BY_ID[field].kind == "amount" else 1
        if unit != 1:
            notes.append(IN_UNITS(sheet=table.sheet, column=f"{column_letter(column)} {table.header_of(column)}",
                                  unit=f"{unit:,.0f}"))
    return notes


def _proof(values: list, day_first: bool) -> str:
    """A value of the column that can only be read the way it was decided (e.g. 25/03/2026)."""
    return next(v for v in values if parse.slash_order([v])[0] is day_first)


def _parser(kind: str, day_first: bool, date1904: bool = False) -> Callable[[Any], tuple]:
    """date1904: the workbook counts its days from 1904 (a bare serial in a date or birthday column)."""
    parsers: dict[str, Callable[[Any], tuple]] = {
        "text": parse.parse_text,
        "date": partial(parse.parse_date, day_first=day_first, date1904=date1904),
        "birthday": (lambda value: birthdays.parse_birthday(parse.from_1904(value), day_first)) if date1904 else
        partial(birthdays.parse_birthday, day_first=day_first),
        "lunar": lunar.parse_lunar,
        "amount": parse.parse_amount,
        "phone": parse.parse_phone,
        "email": parse_email,
        "flag": parse.parse_flag,
        "opt_out": parse.parse_opt_out,
        "int": parse.parse_int,
        "cadence": parse.parse_cadence,
    }
    return parsers[kind]


# pandas' days end in 2262: a later one (9999-12-31, a team's "never") is read as this day, still "not before then"
LAST_DAY = pd.Timestamp("2199-12-31")


def _days(values: pd.Series) -> pd.Series:
    days = pd.to_datetime(values, errors="coerce")
    if days.dtype != "datetime64[ns]":  # a day past 2262 among them
        days = days.where(days.isna() | (days <= LAST_DAY), LAST_DAY).astype("datetime64[ns]")
    return days


def _typed(values: pd.Series, kind: str) -> pd.Series:
    if kind == "birthday":  # a lunar birthday typed here is kept apart (birthday_lunar)
        return _days(values.map(lambda v: None if isinstance(v, lunar.LunarDay) else v))
    if kind == "lunar":
        return lunar.codes(values)
    if kind == "date":
        return _days(values)
    if kind == "amount":
        return pd.to_numeric(values, errors="coerce").astype("float64")
    if kind in ("int", "cadence"):
        return pd.to_numeric(values, errors="coerce").astype("Int64")
    if kind in ("flag", "opt_out"):
        return values.fillna(False).astype(bool)
    return values.astype(object)


# Columns of days gone by: a day typed there without a year (11月20日, 11/20) is its latest one up to today
PAST_EVENTS = {"first_contact", "last_contact", "stage_since", "deal_won", "delivery", "last_order", "order_date"}


def latest_up_to(raw: pd.Series, parsed: pd.Series, reasons: pd.Series, today: dt.date,
                 day_first: bool) -> tuple[pd.Series, pd.Series]:
    """(parsed, reasons) with the days read without a year given the latest year that puts them on or before
    today (2月29日: the latest leap year's)."""
    failed = reasons.dropna()  # a million orders have a few failed cells at most
    yearless = failed.index[failed.map(lambda why: why is parse.NO_YEAR).astype(bool)]
    if not len(yearless):
        return parsed, reasons
    parsed, reasons = parsed.copy(), reasons.copy()
    for row, value in raw[yearless].items():
        day, why = parse.parse_date(value, day_first, yearless=True)  # in the leap year 2000
        if day is None:  # 2月30日: no such day in any year
            reasons[row] = why
            continue
        year = today.year if (day.month, day.day) <= (today.month, today.day) else today.year - 1
        while not calendar.isleap(year) and (day.month, day.day) == (2, 29):
            year -= 1
        parsed[row], reasons[row] = day.replace(year=year), None
    return parsed, reasons


def read_records(table: Table, mapping: Mapping, key_field: str, day_first: bool = False,
                 today: dt.date | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """(records indexed by Excel row, problems). Rows without a key, and total rows, are left out. today: the day
    the action runs as of, which places a day typed without a year in a column of PAST_EVENTS (none: it is
    listed as a date without a year)."""
    frame = pd.DataFrame(index=table.cells.index.rename("row"))
    problems: list[Problem] = []
    day_first_of, _ = column_day_first(table, mapping, day_first)
    for field, column in mapping.columns.items():
        kind = BY_ID[field].kind
        raw = table.cells[column]
        parsed, reasons = parse.parse_column(raw, _parser(kind, day_first_of.get(field, day_first), table.date1904))
        if today is not None and field in PAST_EVENTS:
            parsed, reasons = latest_up_to(raw, parsed, reasons, today, day_first_of.get(field, day_first))
        if kind == "amount" and (unit := header_unit(table.header_of(column))) != 1:  # 金额(万元): 1.2 is 12,000
            bare = raw.map(_bare_number).astype(bool)  # 1.2万, 8000元, ¥5,000 say their own unit
            parsed = parsed.where(~bare, parsed.map(lambda v: v if v is None else v * unit))
        frame[field] = _typed(parsed, kind)
        if kind in ("birthday", "lunar"):  # lunar birthdays of either column; the lunar column's win
            found, earlier = lunar.codes(parsed), frame.get("birthday_lunar")
            frame["birthday_lunar"] = found if earlier is None else (
                found.fillna(earlier) if kind == "lunar" else earlier.fillna(found))
        if kind == "email":
            frame["email_raw"] = raw.map(parse.clean_text).map(lambda t: "" if t.lower() in parse.PLACEHOLDERS else t)
        where = f"{column_letter(column)} {table.header_of(column)}"
        problems += [Problem(table.sheet, int(row), where, raw[row], why) for row, why in reasons.dropna().items()]
    names = frame[key_field]
    codes, distinct = pd.factorize(names)  # a million orders name a few thousand customers
    keys = pd.Series(np.array([*map(customer_key, distinct), ""], dtype=object)[codes], index=names.index)
    totals = pd.Series(np.array([*map(is_total_label, distinct), False])[codes], index=names.index)
    nameless = frame.index[keys.eq("")]
    if len(nameless):  # a total row may be labelled in another column (序号 合计), its name cell empty
        totals[nameless] = [any(map(is_total_label, table.cells.loc[row].dropna())) for row in nameless]
    where = f"{column_letter(mapping.columns[key_field])} {mapping.header(table, key_field)}"
    problems = [p for p in problems if not totals.get(p.row, False)]  # a total row is not the team's data
    nameless = [row for row in nameless if not totals[row]]
    formulas = table.uncalculated_among(mapping.columns[key_field], nameless)  # a script's workbook, never calculated
    problems += [Problem(table.sheet, int(row), where, formulas[row], UNCALCULATED) if row in formulas else
                 Problem(table.sheet, int(row), where, None, NO_CUSTOMER) for row in nameless]
    frame = frame[keys.ne("") & ~totals].copy()
    frame["key"] = keys[frame.index]
    return frame, sorted(problems, key=lambda p: (p.row or 0, p.column))


IDENTITY = ("phone", "email", "address")  # what tells two people of one name apart
NAMESAKE = Msg("same name as row {row}, but another {field}: read as a different customer",
               "与第 {row} 行同名,但{field}不同:视为不同的客户")


def identity_of(value, field: str) -> str:
    """What tells a person apart in one of IDENTITY's fields: a phone's last 11 digits, an address without spaces."""
    if value is None or value != value:
        return ""
    text = parse.clean_text(value)  # a phone kept as a number (13800000001.0) without its ".0"
    return re.sub(r"\D", "", text)[-11:] if field == "phone" else re.sub(r"\s+", "", text).casefold()


def _differing(one: tuple[str, ...], other: tuple[str, ...]) -> str | None:
    """The first of phone, e-mail, address that both rows give and that differs (rows as their identities)."""
    return next((f for f, a, b in zip(IDENTITY, one, other) if a and b and a != b), None)


def _shared(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether both rows give the same phone, e-mail or address."""
    return any(a and a == b for a, b in zip(one, other))


def separate_namesakes(frame: pd.DataFrame) -> dict[int, tuple[int, str]]:
    """Rows whose name repeats an earlier row's but whose phone, e-mail or address differs from it (先生 with five
    phones, two branches of one brand): row -> (the earlier row, the field that differs). Such a row's key gets
    its row number, so it stays a customer of its own everywhere: a name alone never merges two people. A row
    that contradicts none of the earlier people of its name joins the one it shares a phone, e-mail or address
    with, else the first."""
    rows = frame.index[frame["key"].duplicated(keep=False)]
    if not len(rows):
        return {}
    # identities made once per row, column by column (a visit log repeats every name: 15,000 rows)
    columns = [[identity_of(v, f) for v in frame.loc[rows, f].tolist()] if f in frame else [""] * len(rows)
               for f in IDENTITY]
    identity = dict(zip(rows.tolist(), zip(*columns)))  # row -> (phone, e-mail, address)
    keys = dict(zip(rows.tolist(), frame.loc[rows, "key"].tolist()))
    seen: dict[str, list[int]] = {}  # name key -> the first row of each person of that name
    apart: dict[int, tuple[int, str]] = {}
    for row, key in list(keys.items()):
        people = seen.setdefault(key, [])
        alike = [first for first in people if _differing(identity[row], identity[first]) is None]
        # the person this row shares a phone, e-mail or address with, before one it merely does not contradict
        same = next((first for first in alike if _shared(identity[row], identity[first])), alike[0] if alike else None)
        if same is not None:
            keys[row] = keys[same]
            continue
        differing = _differing(identity[row], identity[people[0]]) if people else None
        if differing:  # no earlier person of that name is this one, so the first one differs
            apart[row] = (people[0], differing)
            keys[row] = f"{key}#{row}"
        people.append(row)
    frame.loc[rows, "key"] = [keys[row] for row in rows]
    return apart


def duplicate_problems(frame: pd.DataFrame, table: Table, mapping: Mapping, key_field: str,
                       apart: dict[int, tuple[int, str]] | None = None) -> list[Problem]:
    """A customer listed twice: the later rows name the first one; namesakes kept apart (separate_namesakes)
    are listed too, as such."""
    apart = apart or {}
    first = frame.reset_index().groupby("key")["row"].transform("min").set_axis(frame.index)
    column = mapping.columns[key_field]
    where = f"{column_letter(column)} {table.header_of(column)}"
    later = frame.index[first.ne(frame.index.to_series())]  # the cells taken at once: a visit log repeats every name
    same = [Problem(table.sheet, int(row), where, value, DUPLICATE(row=int(earliest)))
            for row, value, earliest in zip(later, frame.loc[later, key_field].tolist(), first.loc[later].tolist())]
    typed = dict(zip(apart, frame.loc[list(apart), key_field].tolist()))
    namesakes = [Problem(table.sheet, int(row), where, typed[row], NAMESAKE(row=int(earlier), field=BY_ID[field].name))
                 for row, (earlier, field) in apart.items()]
    return sorted(same + namesakes, key=lambda p: p.row or 0)
