"""What a refresh could not use, named by sheet, row and column for the data-problems sheet."""

from __future__ import annotations

import bisect
import datetime as dt
import re

import numpy as np
import pandas as pd

from xlcrm.actions.session import Session, Source
from xlcrm.core.scores import class_choice
from xlcrm.core.scores.class_choice import Choice
from xlcrm.core.i18n import Msg, counted
from xlcrm.core.parse import is_blank
from xlcrm.core.problems import Problem
from xlcrm.core.scores.purchases import OrderCheck
from xlcrm.core.records import customer_key
from xlcrm.core.table import column_letter

UNKNOWN_CUSTOMER = Msg("no customer of this name in sheet '{sheet}': left out of the scores",
                       "工作表“{sheet}”中没有此客户:未计入评分")
UNKNOWN_LIKE = Msg("no customer of this name in sheet '{sheet}' (did you mean '{like}'? Spell it the same in both "
                   "sheets): left out of the scores",
                   "工作表“{sheet}”中没有此客户(是否为“{like}”?请在两个表中写法一致):未计入评分")
NAMESAKE_ORDER = Msg("{count} customers of sheet '{sheet}' have this name (rows {rows}): counted for the first (row "
                     "{first}), which may be the wrong one. Name them apart in both sheets (e.g. add the city)",
                     "工作表“{sheet}”中有 {count} 位客户同名(第 {rows} 行):本笔计入第一位(第 {first} 行),可能有误。"
                     "请在两个表中把他们的名称区分开(例如加上城市)")
NO_ORDER_DATE = Msg("order without a date: left out of the scores", "订单缺少日期:未计入评分")
NO_LAST_ORDER = Msg("orders but no last order date: scored as the least recent",
                    "有购买但缺少最近下单日期:按最久未购买评分")
FUTURE = Msg("{orders} dated after {day} were not counted (scores are as of {day}; first: {where}).",
             "{count} 笔订单日期晚于 {day},未计入评分(评分截至 {day};第一笔:{where})。")

def likely_names(customers: pd.DataFrame, unknown: pd.Series) -> dict:
    """For order names the customer sheet lacks, the one customer they most likely mean: the same name
    but for punctuation (Acme Corp. / Acme Corp), or one name the start of the other (华为技术 / 华为技术有限公司)."""
    if not len(unknown):
        return {}
    known = dict(zip(customers["key"], customers["customer"]))
    loose: dict[str, set[str]] = {}
    for key, name in known.items():
        loose.setdefault(_loose(key), set()).add(name)
    ordered = sorted(loose)
    like = {}
    for name in pd.unique(unknown.dropna()):
        key = _loose(customer_key(name))
        if len(key) < 2:
            continue
        start = bisect.bisect_left(ordered, key)
        longer = [k for k in ordered[start:start + 2] if k.startswith(key)]
        shorter = [key[:n] for n in range(2, len(key) + 1) if key[:n] in loose]
        names = set().union(*(loose[k] for k in {*longer, *shorter})) if longer or shorter else set()
        if len(names) == 1:
            like[name] = names.pop()
    return like


def _loose(key: str) -> str:
    return re.sub(r"[\W_]+", "", key)


def where(source: Source, field_id: str) -> str:
    column = source.mapping.columns[field_id]
    return f"{column_letter(column)} {source.table.header_of(column)}"


def order_problems(session: Session, check: OrderCheck) -> list[Problem]:
    """Orders naming a customer the customer sheet lacks, and orders without a date (unreadable ones are
    already listed by the reader)."""
    orders = session.orders
    assert orders is not None  # checked only when the orders were read
    sheet, names = orders.table.sheet, orders.records["order_customer"]
    customers = session.customers.table.sheet
    known = set(session.customers.records["key"])
    unknown = [row for row in check.unknown if not _subtotal_of(names[row], known)]
    like = likely_names(session.customers.records, names[unknown])
    found = [Problem(sheet, int(row), where(orders, "order_customer"), names[row],
                     UNKNOWN_LIKE(sheet=customers, like=like[names[row]]) if like.get(names[row])
                     else UNKNOWN_CUSTOMER(sheet=customers)) for row in unknown]
    date_cells = orders.table.cells[orders.mapping.columns["order_date"]]
    return found + namesake_orders(session) + [Problem(sheet, int(row), where(orders, "order_date"), None,
                                                       NO_ORDER_DATE) for row in check.undated
                                               if is_blank(date_cells[row])]


_SUBTOTAL = re.compile(r"\s*(?:total|汇总|合计|小计)\s*$", re.IGNORECASE)


def _subtotal_of(name, known: set[str]) -> bool:
    """A row of Excel's Data > Subtotal: a customer's name and Total (汇总), its sum; left out, and no advice to
    rename it to the customer, which would count the sum as an order."""
    stripped = _SUBTOTAL.sub("", name) if isinstance(name, str) else ""
    return stripped != name and customer_key(stripped) in known


def namesake_orders(session: Session) -> list[Problem]:
    """Orders naming customers that share their name (told apart by phone, e-mail or address): counted for the
    first of them, which may be the wrong one; each such order is named, never credited in silence."""
    orders, records = session.orders, session.customers.records
    assert orders is not None
    apart = records["key"][records["key"].str.contains("#", regex=False)]
    if not len(apart):
        return []
    bases = set(apart.str.rsplit("#", n=1).str[0])
    rows_of = {base: [int(r) for r in records.index[records["key"].eq(base) | records["key"].str.startswith(
        base + "#")]] for base in bases}
    names = orders.records["order_customer"]
    codes, distinct = pd.factorize(names)  # a million orders name a few thousand customers
    known = np.array([*(customer_key(n) if isinstance(n, str) else "" for n in distinct), ""], dtype=object)
    keys = pd.Series(known[codes], index=names.index)  # code -1 (empty) takes the last: ""
    sheet, customers = orders.table.sheet, session.customers.table
    return [Problem(sheet, int(row), where(orders, "order_customer"), names[row],
                    NAMESAKE_ORDER(sheet=customers.sheet, count=len(rows_of[key]),
                                   rows=", ".join(str(customers.locate(r)[1]) for r in rows_of[key]),
                                   first=customers.locate(rows_of[key][0])[1]))
            for row, key in keys[keys.isin(bases)].items()]


def future_note(session: Session, check: OrderCheck, today: dt.date) -> list[Msg]:
    if not len(check.future):
        return []
    orders = session.orders
    assert orders is not None  # checked only when the orders were read
    first = f"{orders.table.sheet}!{column_letter(orders.mapping.columns['order_date'])}{int(check.future.min())}"
    return [FUTURE(count=len(check.future), orders=counted(len(check.future), "order", "orders"), day=today.isoformat(), where=first)]


def missing_last_orders(customers: Source, bought: pd.DataFrame, keys: pd.Series) -> list[Problem]:
    """Without an orders sheet: customers with orders but no last order date."""
    undated = set(bought.index[bought["last"].isna()])
    if not undated or "last_order" not in customers.mapping.columns:
        return []
    column = where(customers, "last_order")
    return [Problem(customers.table.sheet, int(r), column, None, NO_LAST_ORDER) for r in keys.index[keys.isin(undated)]]


def class_problems(customers: Source, choice: Choice, lang: str) -> list[Problem]:
    """Cells of the Class column or the manual class column that hold no class."""
    table = customers.table
    column = customers.place(["class"])["class"]
    typed = f"{column_letter(column)} {table.header_of(column) or customers.label('class', lang)}"
    found = [Problem(table.sheet, int(row), typed, raw, class_choice.NOT_A_CLASS(computed=choice.classes[row]))
             for row, raw in choice.invalid_typed.items()]
    manual = [Problem(table.sheet, int(row), where(customers, "manual_class"), raw, class_choice.NOT_A_MANUAL_CLASS)
              for row, raw in choice.invalid_manual.items()]
    return found + manual
