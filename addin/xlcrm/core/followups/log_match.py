"""Which customer a name typed for the contact log means (`xlcrm log --customer`, or a name typed in the log).

A name may be the full name, a part only one customer has, the customer's row ('客户跟踪表!45'), their phone
or e-mail, or the name with the phone or e-mail after it ('上海恒信电子有限公司 (13900000000)'). Two customers
of one name (namesakes: another phone, e-mail or address, see core/records.py) are never picked by the name
alone: the answer says which rows they are and how to name one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlcrm.core.i18n import Msg, listing
from xlcrm.core.parse import clean_text
from xlcrm.core.records import IDENTITY, customer_key, identity_of

Locate = Callable[[int], tuple[str, int]]  # a record row -> (sheet, Excel row); Table.locate

NO_CUSTOMER = Msg("Which customer? Give the customer's name.", "请填写客户名称。")
UNKNOWN = Msg("No customer called '{name}' in sheet '{sheet}'.{close}", "工作表“{sheet}”中没有名为“{name}”的客户。{close}")
AMBIGUOUS = Msg("'{name}' matches several customers in sheet '{sheet}': {close}. Give the full name.",
                "“{name}”在工作表“{sheet}”中匹配到多个客户:{close}。请填写完整名称。")
CLOSE = Msg(" Did you mean: {names}?", "您是否要找:{names}?")
NAMESAKES = Msg(
    "'{name}' is the name of {count} customers in sheet '{sheet}' (same name, another phone, e-mail or address): "
    "{which}. Say which one: give its row, e.g. --customer {example_row}, or its phone or e-mail, "
    "e.g. --customer \"{example}\".",
    "“{name}”是工作表“{sheet}”中 {count} 个同名客户的名称(名称相同,电话、邮箱或地址不同):{which}。"
    "请指明是哪一个:填写其所在行,如 --customer {example_row},或其电话、邮箱,如 --customer \"{example}\"。")
NOT_A_ROW = Msg("'{typed}' is not a customer's row: the customers of sheet '{sheet}' are in rows {first} to {last}.",
                "“{typed}”不是客户所在的行:工作表“{sheet}”的客户在第 {first} 至 {last} 行。")
NO_SUCH_CONTACT = Msg("No customer{named} in sheet '{sheet}' has the phone, e-mail or address '{value}'.",
                      "工作表“{sheet}”中没有电话、邮箱或地址为“{value}”的客户{named}。")
NAMED = Msg(" named '{name}'", "(名称“{name}”)")
# the same, said of a name typed in the contact log (a data problem naming its cell)
LOG_NAMESAKES = Msg(
    "{count} customers of sheet '{sheet}' have this name ({which}); this contact is not counted: write which one "
    "after the name, e.g. '{example}'",
    "工作表“{sheet}”中有 {count} 个同名客户({which});此条记录不计入:请在名称后注明是哪一个,如“{example}”")
LOG_AMBIGUOUS = Msg("matches several customers of sheet '{sheet}' ({names}); this contact is not counted: write the "
                    "full name", "匹配到工作表“{sheet}”中的多个客户({names});此条记录不计入:请填写完整名称")
LOG_NO_ROW = Msg("names no customer's row of sheet '{sheet}'; this contact is not counted",
                 "不是工作表“{sheet}”中客户所在的行;此条记录不计入")
LOG_NO_CONTACT = Msg("no customer of sheet '{sheet}' has the phone, e-mail or address in brackets; this contact "
                     "is not counted", "工作表“{sheet}”中没有括号内电话、邮箱或地址的客户;此条记录不计入")
SHOWN = {"phone": Msg("phone {value}", "电话 {value}"), "email": Msg("e-mail {value}", "邮箱 {value}"),
         "address": Msg("address {value}", "地址 {value}")}

_REF = re.compile(r"^(?:'?(?P<sheet>[^!！]+?)'?\s*[!！])\s*\$?[A-Za-z]{0,3}\$?(?P<row>\d{1,7})$")
_HINT = re.compile(r"^(?P<name>.*?)\s*[(（\[【]\s*(?P<hint>[^()（）\[\]【】]+?)\s*[)）\]】]$")


@dataclass
class Found:
    """The rows of the customer a typed name means; `rows` empty and `why` (a Msg) when there is no one."""

    rows: list[int]
    why: Msg | None = None


def ident(value: Any, field: str) -> str:
    """What tells a person apart (core/records.identity_of), of the cell as read: a phone's last 11 digits (5 at
    least), an e-mail or address folded."""
    text = clean_text(value)
    found = identity_of(text, field) if text else ""
    return "" if field == "phone" and len(found) < 5 else found


def _looks_like_contact(text: str) -> bool:
    return "@" in text or len(re.sub(r"\D", "", text)) >= 5 and not re.search(r"[^\d\s+\-()（）.]", text)


def base_key(key: str) -> str:
    """A namesake's key is its name's key and its row ('名称#45', core/records.separate_namesakes)."""
    name, sep, row = key.rpartition("#")
    return name if sep and row.isdigit() else key


class Customers:
    """The customers a name is looked up among: index record row, columns customer, key and those of IDENTITY
    the sheet has."""

    def __init__(self, records: pd.DataFrame, sheet: str, locate: Locate | None = None):
        self.records, self.sheet = records, sheet
        self.locate: Locate = locate or (lambda row: (sheet, int(row)))
        self.keys = records["key"].astype(str)
        self.bases = self.keys.map(base_key)
        self._first = {k: int(r) for r, k in zip(records.index[::-1], self.keys[::-1])}  # key -> its first row
        self.namesakes = set(self.bases[self.keys.ne(self.bases)])  # the names of more than one customer

    def rows_of(self, key: str) -> list[int]:
        return [int(r) for r in self.records.index[self.keys.eq(key)]]

    def ref(self, key: str) -> str:
        sheet, row = self.locate(self._first[key])
        return f"{sheet}!{row}"

    def shown(self, key: str) -> Msg:
        """'客户跟踪表!45 (phone 13900000000)': a namesake as its row and what tells it apart."""
        row = self._first[key]
        for field in IDENTITY:
            value = clean_text(self.records.at[row, field]) if field in self.records else ""
            if value:
                return Msg("{ref} ({what})", "{ref}({what})", {"ref": self.ref(key), "what": SHOWN[field](value=value)})
        return Msg("{ref}", "{ref}", {"ref": self.ref(key)})

    def hint(self, key: str) -> str:
        """What to write after a namesake's name to name it: its phone, e-mail or address if no other customer of
        its name has it, else its row."""
        row = self._first[key]
        others = [self._first[k] for k in set(self.keys[self.bases.eq(self.bases[row])]) if k != key]
        for field in IDENTITY:
            if field not in self.records:
                continue
            mine = ident(self.records.at[row, field], field)
            if mine and all(ident(self.records.at[o, field], field) != mine for o in others):
                return clean_text(self.records.at[row, field])
        return self.ref(key)

    def label(self, key: str) -> str:
        """The name to write in the contact log: a namesake's with its hint, so the log names it alone."""
        name = clean_text(self.records.at[self._first[key], "customer"])
        return f"{name} ({self.hint(key)})" if base_key(key) in self.namesakes else name

    def by_ref(self, sheet: str, row: int) -> str | None:
        """The key of the customer on that row of that sheet, None if none is."""
        wanted = (clean_text(sheet).casefold(), row)
        for record, key in zip(self.records.index, self.keys):
            there, excel_row = self.locate(record)
            if excel_row == row and clean_text(there).casefold() == wanted[0]:
                return key
        return None

    def with_contact(self, text: str, among: pd.Series | None = None) -> list[str]:
        """The keys of the customers whose phone, e-mail or address is `text`."""
        keys = set()
        for field in IDENTITY:
            wanted = ident(text, field)
            if field in self.records and wanted:
                values = self.records[field] if among is None else self.records.loc[among.index, field]
                hits = values.map(lambda v: ident(v, field) == wanted)
                keys |= set(self.keys[hits[hits].index])
        return sorted(keys, key=lambda k: self._first[k])


def find(customers: Customers, typed: Any, in_log: bool = False) -> Found:
    """The customer a typed name means. in_log: the reasons are said of a cell of the contact log."""
    text = clean_text(typed)
    wanted = customer_key(text)
    if not wanted:
        return Found([], NO_CUSTOMER)
    ref = _REF.match(text)
    if ref:
        key = customers.by_ref(ref["sheet"], int(ref["row"]))
        return Found(customers.rows_of(key)) if key else Found([], _not_a_row(customers, text, in_log))
    if _looks_like_contact(text):
        keys = customers.with_contact(text)
        if len(keys) == 1:
            return Found(customers.rows_of(keys[0]))
        if keys:
            return Found([], _namesakes(customers, text, keys, in_log))
    named = _by_name(customers, wanted)
    if named is None:  # no customer's name holds it: perhaps a name with its phone or row after it
        hinted = _HINT.match(text)
        if hinted and hinted["name"]:
            return _with_hint(customers, hinted["name"], hinted["hint"], in_log)
        return Found([], None if in_log else _unknown(customers, text, wanted))
    if len(named) == 1:
        return Found(customers.rows_of(named[0]))
    if len({base_key(k) for k in named}) == 1:
        return Found([], _namesakes(customers, text, named, in_log))
    return Found([], _ambiguous(customers, text, named, in_log))


def _by_name(customers: Customers, wanted: str) -> list[str] | None:
    """The keys of the customers of that name; else of those whose name holds it; None if none does."""
    exact = list(dict.fromkeys(customers.keys[customers.bases.eq(wanted)]))
    if exact:
        return exact
    holding = list(dict.fromkeys(customers.keys[customers.bases.str.contains(wanted, regex=False)]))
    return holding or None


def _with_hint(customers: Customers, name: str, hint: str, in_log: bool) -> Found:
    named = _by_name(customers, customer_key(name))
    if named is None:
        return Found([], None if in_log else _unknown(customers, name, customer_key(name)))
    ref = _REF.match(hint)
    if ref:
        key = customers.by_ref(ref["sheet"], int(ref["row"]))
        if key in named:
            return Found(customers.rows_of(key))
        return Found([], _not_a_row(customers, hint, in_log))
    among = customers.records[customers.keys.isin(named)]
    keys = customers.with_contact(hint, among["customer"])
    if len(keys) == 1:
        return Found(customers.rows_of(keys[0]))
    if keys:
        return Found([], _namesakes(customers, name, keys, in_log))
    if in_log:
        return Found([], LOG_NO_CONTACT(sheet=customers.sheet))
    return Found([], NO_SUCH_CONTACT(named=NAMED(name=name), sheet=customers.sheet, value=hint))


def _namesakes(customers: Customers, name: str, keys: list[str], in_log: bool) -> Msg:
    which = Msg("{x}", "{x}", {"x": _joined([customers.shown(k) for k in keys[:8]], len(keys))})
    last = keys[-1]
    example = customers.label(last)
    if in_log:
        return LOG_NAMESAKES(count=len(keys), sheet=customers.sheet, which=which, example=example)
    return NAMESAKES(name=name, count=len(keys), sheet=customers.sheet, which=which, example_row=customers.ref(last),
                     example=example)


def _joined(shown: list[Msg], count: int) -> Msg:
    rest = count - len(shown)
    en = "; ".join(m.text("en") for m in shown) + (f" and {rest} more" if rest else "")
    zh = "、".join(m.text("zh") for m in shown) + (f" 等 {rest} 个" if rest else "")
    return Msg("{en}", "{zh}", {"en": en, "zh": zh})


def _ambiguous(customers: Customers, text: str, keys: list[str], in_log: bool) -> Msg:
    names = [customers.shown(k) if base_key(k) in customers.namesakes else None for k in keys]
    plain = [clean_text(customers.records.at[customers.rows_of(k)[0], "customer"]) for k in keys]
    en = [n.text("en") if n else f"{p}" for n, p in zip(names, plain)]
    zh = [n.text("zh") if n else f"{p}" for n, p in zip(names, plain)]
    listed = Msg("{en}", "{zh}", {"en": listing(en).text("en"), "zh": listing(zh).text("zh")})
    if in_log:
        return LOG_AMBIGUOUS(sheet=customers.sheet, names=listed)
    return AMBIGUOUS(name=text, sheet=customers.sheet, close=listed)


def _not_a_row(customers: Customers, typed: str, in_log: bool) -> Msg:
    if in_log:
        return LOG_NO_ROW(sheet=customers.sheet)
    rows = [customers.locate(r)[1] for r in customers.records.index] or [0]
    return NOT_A_ROW(typed=typed, sheet=customers.sheet, first=min(rows), last=max(rows))


def _unknown(customers: Customers, text: str, wanted: str) -> Msg:
    by_key = dict(zip(customers.bases, customers.records["customer"].astype(str)))
    close = difflib.get_close_matches(wanted, list(by_key), n=5, cutoff=0.5)
    hint = CLOSE(names=listing([by_key[k] for k in close])) if close else Msg("", "")
    return UNKNOWN(name=text, sheet=customers.sheet, close=hint)
