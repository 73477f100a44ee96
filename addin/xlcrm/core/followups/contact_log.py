"""The contact log (跟进记录): one row per contact, typed by xlcrm log or by hand.

Its columns are found by their labels in either language wherever the header row is, so a
team may reorder them or add their own. The latest logged date per customer counts as a
contact for the follow-up rules, even if nobody updated the customer sheet.
"""

from __future__ import annotations

import difflib
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg, listing
from xlcrm.core.parse import clean_text, parse_column, parse_date, parse_int, slash_order
from xlcrm.core.problems import Problem
from xlcrm.core.records import customer_key
from xlcrm.core.table import HEADER_SCAN_ROWS, column_letter

# (id, English label, Chinese label, other spellings found in teams' own logs)
LOG_COLUMNS = (
    ("date", "Date", "日期", ("联系日期", "跟进日期", "contact date")),
    ("customer", "Customer", "客户名称", ("客户", "customer name", "company")),
    ("owner", "Owner", "负责人", ("跟进人", "销售", "sales rep")),
    ("channel", "Channel", "联系方式", ("方式", "渠道", "跟进方式", "contact channel")),
    ("outcome", "Outcome", "结果", ("跟进结果", "result")),
    ("next_step", "Next step", "下一步", ("下一步计划", "next action")),
    ("note", "Note", "备注", ("内容", "跟进内容", "notes")),
    ("service", "Sales service (1-5)", "销售服务(1-5)", ("销售服务", "销售服务评分", "sales service")),
    ("product", "Product (1-5)", "产品(1-5)", ("产品", "产品评分", "product rating")),
    ("delivery", "Installation/delivery (1-5)", "安装/交付(1-5)", ("安装交付", "交付", "installation", "delivery")),
)
RATINGS = ("service", "product", "delivery")
CHANNELS = {
    "phone": Msg("phone", "电话"), "visit": Msg("visit", "拜访"), "wechat": Msg("WeChat", "微信"),
    "email": Msg("e-mail", "邮件"), "meeting": Msg("meeting", "会议"), "video": Msg("video call", "视频会议"),
    "sms": Msg("SMS", "短信"), "other": Msg("other", "其他"),
}
_CHANNEL_ALSO = {"phone": {"call", "tel", "telephone", "电话沟通", "打电话"}, "visit": {"上门", "面访", "拜访客户"},
                 "wechat": {"wx", "weixin"}, "email": {"mail", "邮箱", "电子邮件"}, "video": {"视频", "zoom"}}

NO_CUSTOMER = Msg("Which customer? Give the customer's name.", "请填写客户名称。")
UNKNOWN = Msg("No customer called '{name}' in sheet '{sheet}'.{close}", "工作表“{sheet}”中没有名为“{name}”的客户。{close}")
AMBIGUOUS = Msg("'{name}' matches several customers in sheet '{sheet}': {close}. Give the full name.",
                "“{name}”在工作表“{sheet}”中匹配到多个客户:{close}。请填写完整名称。")
CLOSE = Msg(" Did you mean: {names}?", "您是否要找:{names}?")
BAD_RATING = Msg("The {what} rating must be a whole number from 1 to 5, not '{value}'.",
                 "{what}评分须为 1 到 5 的整数,而不是“{value}”。")
LOOKED_UP = 1000  # names that are no customer's full name matched by a part (a log of strangers stays fast)
HINTED = 20  # names that are no customer's get the closest names (each look-up compares with every customer)
NOT_A_CUSTOMER = Msg("no customer of this name in sheet '{sheet}'{close}; this contact is not counted",
                     "工作表“{sheet}”中没有这个客户{close};此条记录不计入")
CLOSE_TO = Msg(" (did you mean {names}?)", "(是否为 {names}?)")
BAD_LOG_DATE = Msg("not a date; this contact is not counted", "不是日期;此条记录不计入")


def label(column_id: str, lang: str) -> str:
    _, en, zh, _ = next(c for c in LOG_COLUMNS if c[0] == column_id)
    return zh if lang == "zh" else en


def header_labels(lang: str) -> list[str]:
    return [zh if lang == "zh" else en for _, en, zh, _ in LOG_COLUMNS]


def _label_index() -> dict[str, str]:
    return {norm_header(text): cid for cid, en, zh, also in LOG_COLUMNS for text in (en, zh, *also)}


def find_header(grid: list[list]) -> tuple[int, dict[str, int]]:
    """(0-based header row, column id -> 0-based column) of a log sheet; (-1, {}) if none is found."""
    labels = _label_index()
    best: tuple[int, dict[str, int]] = (-1, {})
    for number, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for column, value in enumerate(row):
            cid = labels.get(norm_header(clean_text(value)))
            if cid and cid not in found:
                found[cid] = column
        if {"date", "customer"} <= found.keys() and len(found) > len(best[1]):
            best = (number, found)
    return best


def read_log(sheet: str, grid: list[list], day_first: bool = False) -> tuple[pd.DataFrame, list[Problem]]:
    """The logged contacts (columns: row, date, key, customer, owner), and the dates that could not be read.

    owner is the log's own owner column (None where it is empty or the log has none).
    """
    header, columns = find_header(grid)
    if header < 0:
        return pd.DataFrame({"row": [], "date": pd.Series(dtype="datetime64[ns]"), "key": [], "customer": [],
                             "owner": []}), []
    body = grid[header + 1:]
    rows = pd.RangeIndex(header + 2, header + 2 + len(body))
    names = pd.Series([_cell(r, columns["customer"]) for r in body], index=rows, dtype=object)
    raw = pd.Series([_cell(r, columns["date"]) for r in body], index=rows, dtype=object)
    texts = names.map({v: clean_text(v) for v in names.dropna().unique()})  # a log names few customers often
    named = texts.fillna("").ne("")
    owners = pd.Series([_cell(r, columns["owner"]) for r in body] if "owner" in columns else None, index=rows,
                       dtype=object)
    names, texts, raw, owners = names[named], texts[named], raw[named], owners[named]
    decided, _ = slash_order([v for v in raw.dropna().unique() if isinstance(v, str)])  # 25/03 decides 05/03
    day_first = day_first if decided is None else decided
    days, reasons = parse_column(raw, partial(parse_date, day_first=day_first))  # each distinct value once
    where = f"{column_letter(columns['date'])} {clean_text(grid[header][columns['date']])}"
    problems = [Problem(sheet, int(row), where, raw[row], BAD_LOG_DATE) for row in reasons.dropna().index]
    frame = pd.DataFrame({"row": names.index, "date": pd.to_datetime(days, errors="coerce").to_numpy(),
                          "key": texts.map({t: customer_key(t) for t in texts.unique()}).to_numpy(),
                          "customer": texts.to_numpy(),
                          "owner": owners.map({v: clean_text(v) or None for v in owners.dropna().unique()}).to_numpy()})
    return frame, problems


def _cell(cells: list, column: int) -> Any:
    return cells[column] if column < len(cells) else None


def resolve_names(log: pd.DataFrame, customers: pd.DataFrame, log_sheet: str, where: str, sheet: str
                  ) -> tuple[pd.DataFrame, list[Problem]]:
    """The log with each name typed by hand ('华东机电') keyed to the one customer it names ('上海华东机电有限公司'),
    as `xlcrm log --customer` reads a name; a name that is no customer is a problem naming its cell.

    customers: index row, columns customer, key.
    """
    keys = list(dict.fromkeys(customers["key"]))
    known = set(keys)
    unknown = [k for k in log["key"].dropna().unique() if k and k not in known]
    every = "\n".join(keys)  # one text, one customer per line: a part of a name is found in one pass
    starts = np.cumsum([0] + [len(k) + 1 for k in keys[:-1]])
    meant = {k: found for k in unknown[:LOOKED_UP] if (found := _only_holder(k, keys, every, starts))}
    log = log.assign(key=log["key"].map(lambda k: meant.get(k, k)))
    names = dict(zip(customers["key"], customers["customer"].astype(str)))
    hints = {}
    for key in [k for k in unknown if k not in meant][:HINTED]:
        close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.5) if len(names) <= 5000 else []
        hints[key] = CLOSE_TO(names=", ".join(names[c] for c in close)) if close else ""
    stray = log[log["key"].isin(set(unknown) - set(meant))]
    return log, [Problem(log_sheet, int(row), where, name, NOT_A_CUSTOMER(sheet=sheet, close=hints.get(key, "")))
                 for row, name, key in zip(stray["row"], stray["customer"], stray["key"])]


def _only_holder(part: str, keys: list[str], every: str, starts: np.ndarray) -> str | None:
    """The one customer key that contains `part`, else None (none, or several)."""
    first = every.find(part)
    if first < 0 or every.find(part, first + 1) >= 0:
        return None
    return keys[int(np.searchsorted(starts, first, side="right")) - 1]


def last_logged(log: pd.DataFrame) -> pd.Series:
    """The latest logged contact per customer key."""
    return log.dropna(subset=["date"]).groupby("key")["date"].max()


def channel_name(channel: str, lang: str) -> str:
    """A known channel in the log's language (电话 / phone); anything else as typed."""
    text = clean_text(channel)
    key = norm_header(text)
    for cid, name in CHANNELS.items():
        if key in {norm_header(cid), norm_header(name.en), norm_header(name.zh)} | {norm_header(a) for a in
                                                                                   _CHANNEL_ALSO.get(cid, ())}:
            return name.text(lang)
    return text


def check_ratings(ratings: dict[str, Any] | None) -> dict[str, int]:
    """Ratings 1-5 for sales service, product and installation/delivery; anything else is an error."""
    checked = {}
    for what, value in (ratings or {}).items():
        if value is None or clean_text(value) == "":
            continue
        if what not in RATINGS:
            raise XlcrmError(BAD_RATING(what=what, value=value))
        number, why = parse_int(value)
        if why or number is None or not 1 <= number <= 5:
            raise XlcrmError(BAD_RATING(what=Msg(label(what, "en"), label(what, "zh")), value=value))
        checked[what] = number
    return checked


def entry_row(positions: dict[str, int], values: dict[str, Any]) -> list[Any]:
    """One log row laid out on the sheet's own columns (column id -> 0-based column)."""
    width = max(positions.values()) + 1
    row: list[Any] = [None] * width
    for cid, value in values.items():
        if cid in positions:
            row[positions[cid]] = value
    return row


def match_customer(customers: pd.DataFrame, name: str, sheet: str) -> list[int]:
    """The Excel rows of the customer a typed name means (customers: index row, columns customer, key).

    The exact name (spacing, case and full-width ignored) wins; else a part of the name that
    only one customer has. Otherwise a clear error listing the closest names.
    """
    wanted = customer_key(name)
    if not wanted:
        raise XlcrmError(NO_CUSTOMER)
    exact = customers.index[customers["key"] == wanted]
    if len(exact):
        return [int(r) for r in exact]
    partial = customers[customers["key"].str.contains(wanted, regex=False)]
    if partial["key"].nunique() == 1:
        return [int(r) for r in partial.index]
    if len(partial):
        names = listing(list(partial.drop_duplicates("key")["customer"].astype(str)))
        raise XlcrmError(AMBIGUOUS(name=name, sheet=sheet, close=names))
    by_key = dict(zip(customers["key"], customers["customer"].astype(str)))
    close = difflib.get_close_matches(wanted, list(by_key), n=5, cutoff=0.5)
    hint = CLOSE(names=listing([by_key[k] for k in close])) if close else Msg("", "")
    raise XlcrmError(UNKNOWN(name=name, sheet=sheet, close=hint))
