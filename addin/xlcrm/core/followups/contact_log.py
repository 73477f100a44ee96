"""The contact log (跟进记录): one row per contact, typed by xlcrm log or by hand.

Its columns are found by their labels in either language wherever the header row is, so a
team may reorder them or add their own. The latest logged date per customer counts as a
contact for the follow-up rules, even if nobody updated the customer sheet.
"""

from __future__ import annotations

import datetime as dt
import difflib
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.followups.log_match import Customers, Locate, find
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text, parse_column, parse_date, parse_int, slash_order
from xlcrm.core.problems import Problem
from xlcrm.core.records import customer_key
from xlcrm.core.table import HEADER_SCAN_ROWS, column_letter

# (id, English label, Chinese label, other spellings found in teams' own logs)
LOG_COLUMNS = (
    ("date", "Date", "日期", ("联系日期", "跟进日期", "跟进时间", "联系时间", "沟通日期", "沟通时间", "contact date",
                              "date of contact")),
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

BAD_RATING = Msg("The {what} rating must be a whole number from 1 to 5, not '{value}'.",
                 "{what}评分须为 1 到 5 的整数,而不是“{value}”。")
LOOKED_UP = 1000  # names that are no customer's full name matched by a part (a log of strangers stays fast)
HINTED = 20  # names that are no customer's get the closest names (each look-up compares with every customer)
NOT_A_CUSTOMER = Msg("no customer of this name in sheet '{sheet}'{close}; this contact is not counted",
                     "工作表“{sheet}”中没有这个客户{close};此条记录不计入")
CLOSE_TO = Msg(" (did you mean {names}?)", "(是否为 {names}?)")
UNREAD_LOG = Msg("no header row with 日期/Date and 客户名称/Customer columns, so none of its contacts is counted; add "
                 "that header row (跟进时间, 联系日期 and 客户 are read too)",
                 "没有包含“日期”和“客户名称”列的表头行,其中的联系记录均不计入;请补上表头(跟进时间、联系日期、客户 也可识别)")
BAD_LOG_DATE = Msg("not a date; this contact is not counted", "不是日期;此条记录不计入")
NO_LOG_DATE = Msg("no date; this contact is not counted: type the day of the contact",
                  "没有日期;此条记录不计入:请填写联系的日期")
FUTURE_LOG = Msg("dated after today ({today}): it has not happened yet, so it is not counted; is the year right?",
                 "日期晚于今天({today}),尚未发生,此条记录不计入;请检查年份是否有误")
NO_LOG_NAME = Msg("a contact without a customer; this contact is not counted: type the customer's name",
                  "有日期但没有客户名称;此条记录不计入:请填写客户名称")
BAD_LOG_RATING = Msg("not a rating (a whole number from 1 to 5); this rating is not counted",
                     "不是有效评分(1 到 5 的整数);此项评分不计入")
SAME_LOG_ROW = Msg("the same contact as row {row} (every cell alike): counted once",
                   "与第 {row} 行完全相同(每个单元格都一样):只计一次")


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


def read_log(sheet: str, grid: list[list], day_first: bool = False, today: dt.date | None = None
             ) -> tuple[pd.DataFrame, list[Problem]]:
    """The logged contacts (columns: row, date, key, customer, owner), and the rows typed in a way that cannot
    count: a date that is none, missing or (with `today`) after today, a date without a customer, a rating
    that is not 1-5, a row repeating an earlier one cell for cell (left out: it counts once).

    owner is the log's own owner column (None where it is empty or the log has none).
    """
    header, columns = find_header(grid)
    if header < 0:  # a team's own log xlcrm cannot read counts for nothing: said, not passed over in silence
        filled = any(clean_text(v) for row in grid for v in row)
        unread = [Problem(sheet, None, f"1:{HEADER_SCAN_ROWS}", None, UNREAD_LOG)] if filled else []
        return pd.DataFrame({"row": [], "date": pd.Series(dtype="datetime64[ns]"), "key": [], "customer": [],
                             "owner": []}), unread
    body = grid[header + 1:]
    rows = pd.RangeIndex(header + 2, header + 2 + len(body))
    names = pd.Series([_cell(r, columns["customer"]) for r in body], index=rows, dtype=object)
    raw = pd.Series([_cell(r, columns["date"]) for r in body], index=rows, dtype=object)
    texts = names.map({v: clean_text(v) for v in names.dropna().unique()})  # a log names few customers often
    named = texts.fillna("").ne("")
    owners = pd.Series([_cell(r, columns["owner"]) for r in body] if "owner" in columns else None, index=rows,
                       dtype=object)
    where = {cid: f"{column_letter(c)} {clean_text(grid[header][c])}" for cid, c in columns.items()}
    unnamed = raw[~named.to_numpy()]  # a row dated but naming nobody; a note line typed under the log is no contact
    dated, _ = parse_column(unnamed, partial(parse_date, day_first=day_first))
    problems = [Problem(sheet, int(row), where["customer"], None, NO_LOG_NAME) for row in dated.dropna().index]
    same = _repeated(body, rows[named], header + 2)
    problems += [Problem(sheet, int(row), where["customer"], texts[row], SAME_LOG_ROW(row=first))
                 for row, first in same.items()]
    problems += _rating_problems(sheet, body, rows[named], header + 2, columns, where)
    named &= ~rows.isin(list(same))
    names, texts, raw, owners = names[named], texts[named], raw[named], owners[named]
    decided, _ = slash_order([v for v in raw.dropna().unique() if isinstance(v, str)])  # 25/03 decides 05/03
    day_first = day_first if decided is None else decided
    days, reasons = parse_column(raw, partial(parse_date, day_first=day_first))  # each distinct value once
    problems += [Problem(sheet, int(row), where["date"], raw[row], BAD_LOG_DATE) for row in reasons.dropna().index]
    days = pd.Series(pd.to_datetime(days, errors="coerce"), index=raw.index)
    problems += [Problem(sheet, int(row), where["date"], raw[row], NO_LOG_DATE)
                 for row in days.index[days.isna() & reasons.isna()]]
    if today is not None:
        future = days.index[days >= pd.Timestamp(today) + pd.Timedelta(days=1)]
        problems += [Problem(sheet, int(row), where["date"], raw[row], FUTURE_LOG(today=f"{today:%Y-%m-%d}"))
                     for row in future]
        days[future] = pd.NaT
    frame = pd.DataFrame({"row": names.index, "date": days.to_numpy(),
                          "key": texts.map({t: customer_key(t) for t in texts.unique()}).to_numpy(),
                          "customer": texts.to_numpy(),
                          "owner": owners.map({v: clean_text(v) or None for v in owners.dropna().unique()}).to_numpy()})
    return frame, sorted(problems, key=lambda p: (p.row or 0, p.column))


def _repeated(body: list[list], rows: pd.Index, start: int) -> dict[int, int]:
    """Rows that repeat an earlier row cell for cell: row -> the first such row (body[0] is Excel row `start`)."""
    first: dict[tuple, int] = {}
    found = {}
    for row in rows:
        cells = [clean_text(v) if isinstance(v, str) else v for v in body[row - start]]
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        try:
            seen = first.setdefault(tuple(cells), int(row))
        except TypeError:  # an unhashable value: never a repeat
            continue
        if seen != row:
            found[int(row)] = seen
    return found


def _rating_problems(sheet: str, body: list[list], rows: pd.Index, start: int, columns: dict[str, int],
                     where: dict[str, str]) -> list[Problem]:
    """Rating cells that hold no rating from 1 to 5 (7, 好, -1)."""
    found = []
    for cid in (c for c in RATINGS if c in columns):
        for row in rows:
            value = _cell(body[row - start], columns[cid])
            if clean_text(value) == "":
                continue
            number, why = parse_int(value)
            if why or number is None or not 1 <= number <= 5:
                found.append(Problem(sheet, int(row), where[cid], value, BAD_LOG_RATING))
    return found


def _cell(cells: list, column: int) -> Any:
    return cells[column] if column < len(cells) else None


def resolve_names(log: pd.DataFrame, customers: pd.DataFrame, log_sheet: str, where: str, sheet: str,
                  locate: Locate | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The log with each name typed by hand ('华东机电') keyed to the one customer it names ('上海华东机电有限公司'),
    as `xlcrm log --customer` reads a name; a name that is no customer, or that two customers of one name share,
    is a problem naming its cell (the latter's rows get no key: they count for neither).

    customers: index row, columns customer, key (and phone, email, address when the sheet has them).
    """
    lookup = Customers(customers, sheet, locate)
    keys = list(dict.fromkeys(lookup.keys))
    known = set(keys) - lookup.namesakes  # a namesake's name alone names none of them
    unknown = [k for k in log["key"].dropna().unique() if k and k not in known]
    every = "\n".join(keys)  # one text, one customer per line: a part of a name is found in one pass
    starts = np.cumsum([0] + [len(k) + 1 for k in keys[:-1]])
    meant = {k: found for k in unknown[:LOOKED_UP]
             if k not in lookup.namesakes and (found := _only_holder(k, keys, every, starts))}
    typed = dict(zip(log["key"], log["customer"]))
    said: dict[str, Msg] = {}
    looked = [k for k in unknown if k not in meant]
    for key in looked[:HINTED] + [k for k in looked[HINTED:] if k in lookup.namesakes]:
        match = find(lookup, typed[key], in_log=True)
        if match.rows:
            meant[key] = str(customers.at[match.rows[0], "key"])
        elif match.why is not None:
            said[key] = match.why
    names = dict(zip(customers["key"], customers["customer"].astype(str)))
    hints = {}
    for key in [k for k in unknown if k not in meant and k not in said][:HINTED]:
        close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.5) if len(names) <= 5000 else []
        hints[key] = CLOSE_TO(names=", ".join(names[c] for c in close)) if close else ""
    stray = log[log["key"].isin(set(unknown) - set(meant))]
    problems = [Problem(log_sheet, int(row), where, name,
                        said.get(key) or NOT_A_CUSTOMER(sheet=sheet, close=hints.get(key, "")))
                for row, name, key in zip(stray["row"], stray["customer"], stray["key"])]
    log = log.assign(key=log["key"].map(lambda k: None if k in said else meant.get(k, k)))
    return log, problems


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


def match_customer(customers: pd.DataFrame, name: str, sheet: str, locate: Locate | None = None) -> list[int]:
    """The Excel rows of the customer a typed name means (customers: index row, columns customer, key and the
    phone, email, address the sheet has; locate: a row's sheet and Excel row, Table.locate).

    The exact name (spacing, case and full-width ignored) wins; else a part of the name that only one customer
    has; or the customer's row ('客户跟踪表!45'), phone or e-mail, alone or after the name. Two customers of one
    name are never picked by the name alone. Otherwise a clear error saying which customers it could be.
    """
    found = find(Customers(customers, sheet, locate), name)
    if found.why is not None:
        raise XlcrmError(found.why)
    return found.rows


def log_label(customers: pd.DataFrame, rows: list[int], sheet: str, locate: Locate | None = None) -> str:
    """The customer's name as the contact log writes it: a namesake's with what tells it apart."""
    lookup = Customers(customers, sheet, locate)
    return lookup.label(str(customers.at[rows[0], "key"]))
