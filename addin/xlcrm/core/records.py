"""Turn a found table into typed records (one row per customer or order) plus the problems met."""

from __future__ import annotations

import re
import unicodedata
from functools import partial
from typing import Any, Callable

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from xlcrm.core import parse
from xlcrm.core.fields import BY_ID
from xlcrm.core.i18n import Msg
from xlcrm.core.mapping import Mapping
from xlcrm.core.problems import Problem
from xlcrm.core.table import Table, column_letter

NO_CUSTOMER = Msg("row has data but no customer name", "该行有内容但没有客户名称")
DUPLICATE = Msg("same customer as row {row}", "与第 {row} 行是同一客户")
BAD_EMAIL = Msg("not a valid e-mail address ({why})", "邮箱地址无效")
TOTAL_ROWS = {"合计", "总计", "小计", "total", "totals", "grand total", "sum", "subtotal"}


def customer_key(name: Any) -> str:
    """The name two spellings of one customer share: full-width folded, spaces dropped, case ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or ""))).casefold()


def parse_email(value: Any):
    """The first valid address in a cell (one personal recipient per customer, never a list)."""
    text = parse.clean_text(value)
    if not text:
        return None, None
    why = None
    for candidate in re.split(r"[;,，；\s]+", text):
        try:
            return validate_email(candidate, check_deliverability=False).normalized, None
        except EmailNotValidError as error:
            why = why or str(error)
    return None, BAD_EMAIL(why=why)


def _parser(kind: str, day_first: bool) -> Callable[[Any], tuple]:
    return {
        "text": parse.parse_text,
        "date": partial(parse.parse_date, day_first=day_first),
        "birthday": partial(parse.parse_date, day_first=day_first, yearless=True),
        "amount": parse.parse_amount,
        "phone": parse.parse_phone,
        "email": parse_email,
        "flag": parse.parse_flag,
        "int": parse.parse_int,
    }[kind]


def _typed(values: pd.Series, kind: str) -> pd.Series:
    if kind in ("date", "birthday"):
        return pd.to_datetime(values, errors="coerce")
    if kind == "amount":
        return pd.to_numeric(values, errors="coerce").astype("float64")
    if kind == "int":
        return pd.to_numeric(values, errors="coerce").astype("Int64")
    if kind == "flag":
        return values.fillna(False).astype(bool)
    return values.astype(object)


def read_records(table: Table, mapping: Mapping, key_field: str, day_first: bool = False):
    """(records indexed by Excel row, problems). Rows without a key, and total rows, are left out."""
    frame = pd.DataFrame(index=table.cells.index.rename("row"))
    problems: list[Problem] = []
    for field, column in mapping.columns.items():
        kind = BY_ID[field].kind
        raw = table.cells[column]
        parsed, reasons = parse.parse_column(raw, _parser(kind, day_first))
        frame[field] = _typed(parsed, kind)
        if kind == "email":
            frame["email_raw"] = raw.map(parse.clean_text)
        where = f"{column_letter(column)} {table.header_of(column)}"
        problems += [Problem(table.sheet, int(row), where, raw[row], why) for row, why in reasons.dropna().items()]
    names = frame[key_field]
    distinct = names.dropna().unique()  # a million orders name a few thousand customers
    keys = names.map({n: customer_key(n) for n in distinct}).fillna("")
    totals = names.map({n: parse.clean_text(n).lower() in TOTAL_ROWS for n in distinct}).fillna(False).astype(bool)
    where = f"{column_letter(mapping.columns[key_field])} {mapping.header(table, key_field)}"
    problems += [Problem(table.sheet, int(row), where, None, NO_CUSTOMER) for row in frame.index[keys.eq("")]]
    frame = frame[keys.ne("") & ~totals].copy()
    frame["key"] = keys[frame.index]
    return frame, sorted(problems, key=lambda p: (p.row or 0, p.column))


def duplicate_problems(frame: pd.DataFrame, table: Table, mapping: Mapping, key_field: str) -> list[Problem]:
    """A customer listed twice: the later rows name the first one."""
    first = frame.reset_index().groupby("key")["row"].transform("min").set_axis(frame.index)
    column = mapping.columns[key_field]
    where = f"{column_letter(column)} {table.header_of(column)}"
    return [Problem(table.sheet, int(row), where, frame.at[row, key_field], DUPLICATE(row=int(first[row])))
            for row in frame.index[first.ne(frame.index.to_series())]]
