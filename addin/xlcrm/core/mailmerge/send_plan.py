"""Who gets which message today, and why not the others: a pure plan over due touches.

Input: the due touches (core/touches.py), the customers' addresses and marks, the templates,
and the history of what was sent (journal and send log). Output: one row per candidate
message with a decision and a reason. The same plan drives the preview and the send, so a
dry run shows exactly what a send would do.

The idempotency key of a message is customer key + template + occasion + due date: a key
that was sent, or may have been (in flight), is never planned again. The name is what a team
corrects most (有限公司 -> 股份有限公司), so a message is also known by its address + template +
occasion + due date, and the spacing rule counts by address as well as by name: a corrected
name, or rows sorted or inserted, never send the same reminder again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlcrm.core.calendar import WorkCalendar
from xlcrm.core.mailmerge.default_templates import DIGEST
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.templates_sheet import DUE, Template
from xlcrm.core.mailmerge.send_window import SendWindow
from xlcrm.core.mailmerge.sender_profile import MIN_DAYS

HISTORY_COLUMNS = ("msg_key", "state", "at", "customer_key", "occasion", "to", "test", "reason")
PLAN_COLUMNS = ("row", "key", "customer", "owner", "occasion", "due", "status", "detail", "template",
                "msg_key", "to", "decision", "reason")
# Which message goes first when one customer has several due the same day: at most one a day reaches them.
PRIORITY = ("appointment", "thanks", "birthday", "holiday", "feedback", "return_visit", "first_answer",
            "followup", "stuck")
EXEMPT = {"appointment", DIGEST}  # not counted toward the days between a customer's messages
# Messages that lose their point once a day passes: never held back by the days between messages, and
# first under the daily cap (then follow-ups, class A first, the most overdue first).
TIME_BOUND = ("appointment", DIGEST, "birthday", "holiday", "thanks")
CLASS_ORDER = ("A", "B", "C", "D")

DECISIONS = {
    "send": Msg("To send", "待发送"),
    "held": Msg("Held", "暂缓"),
    "skip": Msg("Skipped", "跳过"),
    "done": Msg("Already sent", "此前已发送"),
    "in_flight": Msg("In flight: check", "状态不明,请核对"),
    "refused": Msg("Refused", "拒绝生成"),
    "sent": Msg("Sent", "已发送"),
    "test_sent": Msg("Test sent", "已测试发送"),
    "failed": Msg("Failed", "发送失败"),
    "deferred": Msg("Deferred by the server", "服务器暂缓"),
    "unsent": Msg("Not sent", "未发送"),
}

ALREADY_SENT = Msg("sent on {at}", "已于 {at} 发送")
IN_FLIGHT = Msg("was being sent on {at} when the run stopped; it may or may not have gone out. Check your "
                "mailbox's Sent folder, then write sent or resend in the send log's Decision column",
                "{at} 发送时程序中断,可能已发出也可能未发出。请查看邮箱的“已发送”,然后在发送记录的“处理”列填写 已发 或 重发")
OPTED_OUT = Msg("opted out", "已退订")
NO_ADDRESS = Msg("no e-mail address", "没有邮箱地址")
BAD_ADDRESS = Msg("invalid e-mail address '{value}'", "邮箱地址无效:“{value}”")
FAILED_BEFORE = Msg("the server refused this message on {at} ({why}); write resend in the send log's Decision column "
                    "to send it again", "服务器已于 {at} 拒收此邮件({why});如需再次发送,请在发送记录的“处理”列填写 重发")
REJECTED_BEFORE = Msg("the server rejected {to} on {at} ({why}); correct the address to try again",
                      "服务器已于 {at} 拒收 {to}({why});改正地址后会重新发送")
SENT_TODAY = Msg("this customer already got a message today ({at}); at most one a day, the rest go on a later run",
                 "该客户今天({at})已收到一封邮件;每位客户每天最多一封,其余在之后运行时发送")
TOO_SOON = Msg("this customer got a message on {at}; at most one every {days} days",
               "该客户 {at} 已收到邮件;同一客户至少间隔 {days} 天")
MEETING_PLANNED = Msg("a meeting is planned ({appointment}): the meeting is the contact, no follow-up mail before it",
                      "已有预约({appointment}):见面即是联系,见面前不发跟进邮件")
SHARED_MAILBOX = Msg("several customers share this address: {customer}'s message goes first, this one on a later run "
                     "(one at a time, as to one customer)",
                     "多位客户共用此邮箱:先发“{customer}”的邮件,本封在之后的运行中发送(与同一客户一样逐封发送)")
ONE_PER_CUSTOMER = Msg("one message per customer: '{template}' goes first", "每位客户一次只发一封:优先发送“{template}”")
OUTSIDE_WINDOW = Msg("outside the sending window; goes out from {at}", "不在发送时段内;{at} 起发送")
HOLIDAY_HELD = Msg("{day} is a day off ({holiday}) in the workbook's holiday calendar and the sending days are working "
                   "days; goes out from {at}", "按工作簿的节假日日历,{day} 放假({holiday}),发送日为工作日;{at} 起发送")
HOLIDAY_SENDING = Msg("{day} is a day off ({holiday}) in the workbook's holiday calendar; {count} message(s) go out "
                      "today all the same, as the sending days ({days}) include it. To keep them for the next working "
                      "day, set Sending days (send_days) in the settings sheet to working days (工作日).",
                      "按工作簿的节假日日历,{day} 放假({holiday});发送日({days})包括这一天,今天照常发送 {count} 封。"
                      "如需顺延到下一个工作日,请在设置表把“发送日”(send_days)设为 工作日。")
EVERY_DAY = Msg("empty: every day", "留空:每天")
DAYS_OF_WEEK = Msg("days of the week, not working days", "按星期几,而非工作日")
DAILY_CAP = Msg("the daily limit of {cap} messages is reached; goes out on the next run tomorrow",
                "已达每日 {cap} 封的上限;明天再次运行时发送")
NO_OWNER_ADDRESS = Msg("no e-mail address for owner {owner} in the settings sheet",
                       "设置表中没有负责人 {owner} 的邮箱")
NOT_IN_SHEET = Msg("row {row} is not a customer row of the sheet", "第 {row} 行不是客户行")


@dataclass(frozen=True)
class Rules:
    today: dt.date
    now: dt.datetime
    min_days: int = MIN_DAYS
    daily_cap: int = 100
    sent_today: int = 0
    windows: dict[str, SendWindow] = field(default_factory=dict)  # template name -> window
    test: bool = False
    # the workbook's holiday calendar (the due dates'): '工作日' windows follow it; None: Monday to Friday
    calendar: WorkCalendar | None = None

    def day_off(self) -> Msg | None:
        """The holiday today is, by the workbook's calendar (None: a working day, a plain weekend, no calendar)."""
        return self.calendar.holiday_on(self.today) if self.calendar is not None else None


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})


def message_keys(keys: pd.Series, templates: pd.Series, occasions: pd.Series, dues: pd.Series) -> list[str]:
    """Each message's idempotency key: customer|template|occasion|due day (the days written at once)."""
    days = pd.to_datetime(pd.Series(dues)).dt.strftime("%Y-%m-%d")
    return [f"{k}|{t}|{o}|{d}" for k, t, o, d in zip(keys, templates, occasions, days)]


def match_templates(touches: pd.DataFrame, customers: pd.DataFrame, templates: list[Template]) -> pd.Series:
    """The first active template whose audience fits each touch (None where none does)."""
    chosen = pd.Series(None, index=touches.index, dtype=object)
    marks = customers.reindex(touches["row"].to_numpy())
    classes = pd.Series(marks.get("class_norm", pd.Series(dtype=object)).to_numpy(), index=touches.index)
    segments = pd.Series(marks.get("segment_norm", pd.Series(dtype=object)).to_numpy(), index=touches.index)
    for template in (t for t in templates if t.active and not t.is_digest):
        fits = chosen.isna() & touches["status"].isin(template.statuses or DUE)
        if template.occasions:
            fits &= touches["occasion"].isin(template.occasions)
        if template.classes:
            fits &= classes.isin(template.classes)
        if template.segments:
            fits &= segments.isin(template.segments)
        chosen[fits] = template.name
    return chosen


def plan_messages(touches: pd.DataFrame, customers: pd.DataFrame, templates: list[Template],
                  history: pd.DataFrame, rules: Rules) -> tuple[pd.DataFrame, pd.Series]:
    """(plan, count of due touches no template fits, by occasion)."""
    frame = touches.copy()
    frame["template"] = match_templates(frame, customers, templates)
    unmatched = frame[frame["template"].isna() & frame["status"].isin(DUE)]["occasion"].value_counts()
    frame = frame[frame["template"].notna()]
    frame["msg_key"] = message_keys(frame["key"], frame["template"], frame["occasion"], frame["due"])
    frame = frame.drop_duplicates("msg_key").sort_values(["due", "row"], kind="stable")
    marks = customers.reindex(frame["row"].to_numpy())
    frame["to"] = marks["email"].to_numpy()
    frame["decision"], frame["reason"] = "send", None
    _apply_history(frame, history, rules)
    _apply_addresses(frame, marks)
    _apply_frequency(frame, history, rules)
    return frame.reset_index(drop=True).reindex(columns=list(PLAN_COLUMNS)), unmatched


def _set(frame: pd.DataFrame, mask, decision: str, reasons) -> None:
    """Decide rows still open (to send); earlier rules win."""
    mask = pd.Series(np.asarray(mask, dtype=bool), index=frame.index) & frame["decision"].eq("send")
    frame.loc[mask, "decision"] = decision
    if isinstance(reasons, pd.Series):
        frame.loc[mask, "reason"] = reasons[mask]
    else:
        frame.loc[mask, "reason"] = pd.Series([reasons] * int(mask.sum()), index=frame.index[mask], dtype=object)


def _reasons(values: pd.Series, mask, make) -> pd.Series:
    """make(value) for the rows in mask (the only ones _set reads), None for the others: a plan of 10,000 rows
    puts into words only the reasons it gives."""
    wanted = np.asarray(mask, dtype=bool)
    return pd.Series([make(v) if w else None for v, w in zip(values, wanted)], index=values.index, dtype=object)


def real_history(history: pd.DataFrame) -> pd.DataFrame:
    return history[~history["test"].fillna(False).astype(bool)] if len(history) else history


def _at(value) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M}" if pd.notna(value) else "?"


def _lower(value) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _by_address(to, msg_key: object) -> str | None:
    """The message named by its address instead of the customer's name: survives a corrected name."""
    address = _lower(to)
    return f"{address}|{msg_key.rsplit('|', 3)[1]}|{msg_key.rsplit('|', 3)[2]}|{msg_key.rsplit('|', 3)[3]}" \
        if address and isinstance(msg_key, str) and msg_key.count("|") >= 3 else None


def _known_keys(frame: pd.DataFrame, known: pd.DataFrame) -> pd.Series:
    """Each planned message's key in the history: its own, or the one sent to the same address for the same
    template, occasion and due date under a name spelled differently then."""
    aliases: dict[str, str] = {}
    for key, to in zip(known.index, known["to"] if "to" in known else [None] * len(known)):
        alias = _by_address(to, key)
        if alias:
            aliases[alias] = key
    return pd.Series([key if key in known.index else aliases.get(_by_address(to, key) or "", key)
                      for key, to in zip(frame["msg_key"], frame["to"])], index=frame.index, dtype=object)


def _apply_history(frame: pd.DataFrame, history: pd.DataFrame, rules: Rules) -> None:
    real = real_history(history)
    if not len(real) or not len(frame):
        return
    known = real.set_index("msg_key")
    known = known[~known.index.duplicated(keep="last")]
    keys = _known_keys(frame, known)
    state = keys.map(known["state"].to_dict())
    at = keys.map(known["at"].to_dict())
    _set(frame, state.eq("sent"), "done", at.map(lambda a: ALREADY_SENT(at=_at(a))))
    _set(frame, state.eq("sending"), "in_flight", at.map(lambda a: IN_FLIGHT(at=_at(a))))
    rejected_to = keys.map(known["to"].to_dict())
    why = keys.map(known["reason"].to_dict())
    same = state.eq("failed") & rejected_to.eq(frame["to"])
    at_rcpt = known["recipient_refused"].eq(True) if "recipient_refused" in known else pd.Series(dtype=bool)
    at_rcpt = keys.map(at_rcpt.to_dict()).eq(True)  # else refused for what it said
    reasons = pd.Series([(REJECTED_BEFORE if r else FAILED_BEFORE)(to=t, at=_at(a),
                                                                   why=w if isinstance(w, (str, Msg)) else "")
                         for t, a, w, r in zip(rejected_to, at, why, at_rcpt)], index=frame.index, dtype=object)
    _set(frame, same, "skip", reasons)
    _apply_refused_addresses(frame, real)


def _apply_refused_addresses(frame: pd.DataFrame, real: pd.DataFrame) -> None:
    """An address the server refused at RCPT is refused for every message to it, until it is corrected."""
    if "recipient_refused" not in real:
        return
    refused = real[real["state"].eq("failed") & real["recipient_refused"].eq(True)].sort_values("at")
    if not len(refused):
        return
    by_address = refused.assign(_to=refused["to"].astype(str).str.lower()).drop_duplicates("_to", keep="last")
    later_sent = real[real["state"].eq("sent")].assign(_to=lambda f: f["to"].astype(str).str.lower())
    last_sent = pd.to_datetime(later_sent.groupby("_to")["at"].max()) if len(later_sent) else pd.Series(dtype=object)
    known = {t: (a, w) for t, a, w in zip(by_address["_to"], by_address["at"], by_address["reason"])
             if t not in last_sent.index or pd.Timestamp(last_sent[t]) < pd.Timestamp(a)}
    to = frame["to"].map(lambda v: str(v).lower() if isinstance(v, str) else None)
    hit = to.isin(list(known))
    reasons = pd.Series([REJECTED_BEFORE(to=t, at=_at(known[t][0]), why=known[t][1]
                                         if isinstance(known[t][1], (str, Msg)) else "") if h else None
                         for t, h in zip(to, hit)], index=frame.index, dtype=object)
    _set(frame, hit, "skip", reasons)


def _apply_addresses(frame: pd.DataFrame, marks: pd.DataFrame) -> None:
    missing_row = pd.Series(marks["key"].isna().to_numpy(), index=frame.index)
    _set(frame, missing_row, "skip", _reasons(frame["row"], missing_row, lambda r: NOT_IN_SHEET(row=r)))
    _set(frame, marks["opt_out"].fillna(False).astype(bool).to_numpy(), "skip", OPTED_OUT)
    raw = pd.Series(marks["email_raw"].fillna("").astype(str).to_numpy(), index=frame.index)
    no_email = frame["to"].isna()
    _set(frame, no_email & raw.eq(""), "skip", NO_ADDRESS)
    _set(frame, no_email, "skip", _reasons(raw, no_email, lambda v: BAD_ADDRESS(value=v)))


def last_sent(history: pd.DataFrame, by: str = "customer_key", exempt: set[str] = EXEMPT) -> pd.Series:
    """When each customer (by key, or by address with by="to") last got a real message of an occasion that
    counts (not in `exempt`)."""
    real = real_history(history)
    if not len(real) or by not in real:
        return pd.Series(dtype="datetime64[ns]")
    counted = real[real["state"].isin(["sent", "sending"]) & ~real["occasion"].isin(exempt)]
    who = counted[by].map(_lower) if by == "to" else counted[by]
    return pd.to_datetime(counted["at"]).groupby(who).max()


def _previous(frame: pd.DataFrame, history: pd.DataFrame, exempt: set[str]) -> pd.Series:
    """When each row's customer (by key, or by address: a corrected name keeps its address) last got a message."""
    by_name = pd.to_datetime(frame["key"].map(last_sent(history, exempt=exempt).to_dict()))
    by_address = pd.to_datetime(frame["to"].map(_lower).map(last_sent(history, "to", exempt).to_dict()))
    return pd.concat([by_name, by_address], axis=1).max(axis=1)


def _apply_frequency(frame: pd.DataFrame, history: pd.DataFrame, rules: Rules) -> None:
    """At most one message per customer per day (whatever the occasion), follow-ups at least min_days apart, and
    none to a customer whose appointment reminder is due (the meeting is the contact)."""
    today = pd.Timestamp(rules.today)
    earlier = _previous(frame, history, {DIGEST})
    today_or_later = earlier.dt.normalize().ge(today).fillna(False)  # a run as of an earlier day sees later sends
    _set(frame, today_or_later, "skip", _reasons(earlier, today_or_later, lambda a: SENT_TODAY(at=_at(a))))
    spaced = ~frame["occasion"].isin(TIME_BOUND)
    if rules.min_days > 0:
        previous = _previous(frame, history, EXEMPT)
        since = (today - previous.dt.normalize()).dt.days
        recent = spaced & since.lt(rules.min_days).fillna(False)
        _set(frame, recent, "skip", _reasons(previous, recent, lambda a: TOO_SOON(at=_at(a), days=rules.min_days)))
    open_rows = frame[frame["decision"].eq("send")]
    rank = open_rows["occasion"].map({o: i for i, o in enumerate(PRIORITY)}).fillna(len(PRIORITY))
    ordered = open_rows.assign(_rank=rank).sort_values(["_rank", "due"], kind="stable")
    first = ordered.groupby("key")["template"].transform("first")
    later = ordered.index[ordered.duplicated("key")]
    mask = frame.index.isin(later)
    _set(frame, mask, "skip", _reasons(first.reindex(frame.index), mask,
                                       lambda t: ONE_PER_CUSTOMER(template=t) if isinstance(t, str) else None))
    # customers sharing one mailbox (info@): one message to it per run, the others on later runs
    still = frame.loc[ordered.index]
    open_rows = still[still["decision"].eq("send") & still["occasion"].ne(DIGEST)
                      & still["to"].map(lambda v: isinstance(v, str) and "@" in v)]
    address = open_rows["to"].str.lower()
    first_to = open_rows.groupby(address)["customer"].transform("first")
    shared = frame.index.isin(open_rows.index[address.duplicated()])
    _set(frame, shared, "held", _reasons(first_to.reindex(frame.index), shared,
                                         lambda c: SHARED_MAILBOX(customer=c) if isinstance(c, str) else None))
    # a customer whose appointment reminder is due (sent or not) meets the team soon: "long time no see" reads wrong
    meetings = frame[frame["occasion"].eq("appointment")].drop_duplicates("key").set_index("key")["detail"]
    waiting = frame["occasion"].eq("followup") & frame["key"].isin(meetings.index)
    _set(frame, waiting, "skip", _reasons(frame["key"].map(meetings), waiting,
                                          lambda a: MEETING_PLANNED(appointment=a)))


def _apply_timing(frame: pd.DataFrame, rules: Rules, classes: pd.Series | None = None) -> None:
    if not rules.test:
        # one window per template: worked out once
        windows = {t: rules.windows.get(t, SendWindow()) for t in frame["template"].unique()}
        opens = frame["template"].map({t: w.next_open(rules.now, rules.calendar) for t, w in windows.items()})
        closed = (opens.map(lambda at: at > rules.now) if len(frame) else opens).astype(bool)
        holiday = rules.day_off()
        off = {t for t, w in windows.items()
               if holiday is not None and w.working_days and not w.sends_on(rules.today, rules.calendar)}
        day = f"{rules.today:%Y-%m-%d}"
        why = pd.Series([None if not shut else HOLIDAY_HELD(day=day, holiday=holiday, at=_at(at)) if t in off
                         else OUTSIDE_WINDOW(at=_at(at))
                         for t, at, shut in zip(frame["template"], opens, closed)], index=frame.index, dtype=object)
        _set(frame, closed, "held", why)
    room = max(rules.daily_cap - rules.sent_today, 0)
    sending = frame["decision"].eq("send")
    order = cap_order(frame, classes)
    ahead = sending.reindex(order).cumsum().reindex(frame.index)  # messages before each one in the cap's order
    over = sending & (ahead > room)
    _set(frame, over, "held", DAILY_CAP(cap=rules.daily_cap))


def cap_order(frame: pd.DataFrame, classes: pd.Series | None = None) -> pd.Index:
    """The order the daily cap is spent in: time-bound messages (appointments, the owners' digests, greetings,
    thank-yous) by due date, then the rest by class (A first; classes: by Excel row) and lateness."""
    bound = frame["occasion"].map({o: i for i, o in enumerate(TIME_BOUND)})
    grade = pd.Series(None, index=frame.index, dtype=object)
    if classes is not None and len(frame):
        typed = classes.reindex(pd.to_numeric(frame["row"], errors="coerce").to_numpy())
        grade = pd.Series(typed.to_numpy(), index=frame.index).map(lambda c: str(c)[:1].upper() if isinstance(c, str)
                                                                   else None)
    rank = pd.DataFrame({"bound": bound.fillna(len(TIME_BOUND)),
                         "grade": grade.map({c: i for i, c in enumerate(CLASS_ORDER)}).fillna(len(CLASS_ORDER)),
                         "due": pd.to_datetime(frame["due"])}, index=frame.index)
    rank.loc[bound.notna(), "grade"] = 0  # among time-bound messages, only the date counts
    return rank.sort_values(["bound", "grade", "due"], kind="stable").index


def digest_items(touches: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each owner's due touches (overdue, today, this week), for the daily digest."""
    due = touches[touches["status"].isin(["overdue", "due_today", "due_week"]) & touches["owner"].notna()]
    return {owner: rows.sort_values(["due", "row"], kind="stable") for owner, rows in due.groupby("owner", sort=True)}


def plan_digests(owners_due: dict[str, pd.DataFrame], addresses: dict[str, str], template: Template,
                 history: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One digest per owner who has due customers, to the owner's address from the settings."""
    rows = [{"row": None, "key": f"{DIGEST}:{owner}", "customer": owner, "owner": owner, "occasion": DIGEST,
             "due": pd.Timestamp(rules.today), "status": None, "detail": f"{items['key'].nunique()}",
             "template": template.name, "msg_key": f"{DIGEST}|{norm_header(owner)}|{rules.today:%Y-%m-%d}",
             "to": addresses.get(owner) or None, "decision": "send", "reason": None}
            for owner, items in owners_due.items() if len(items)]
    frame = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    if not len(frame):
        return frame
    _apply_history(frame, history, rules)
    _set(frame, frame["to"].isna(), "skip", frame["owner"].map(lambda o: NO_OWNER_ADDRESS(owner=o)))
    return frame


def apply_cap(plan: pd.DataFrame, rules: Rules, classes: pd.Series | None = None) -> None:
    """The window and the daily cap over the whole plan (customers' messages and digests together), time-bound
    messages first (see cap_order). classes: each customer's class by Excel row, for the follow-ups' order."""
    _apply_timing(plan, rules, classes)


def holiday_note(plan: pd.DataFrame, rules: Rules) -> Msg | None:
    """What a run on a public holiday says when messages go out on it all the same (sending days empty or named
    by the day of the week): the day, and how to keep them for the next working day. Held ones say it themselves."""
    holiday = rules.day_off()
    sending = plan[plan["decision"].eq("send")] if len(plan) else plan
    if holiday is None or rules.test or not len(sending):
        return None
    windows = [rules.windows.get(t, SendWindow()) for t in sending["template"].unique()]
    days = EVERY_DAY if any(w.days is None for w in windows) else DAYS_OF_WEEK
    return HOLIDAY_SENDING(day=f"{rules.today:%Y-%m-%d}", holiday=holiday, count=len(sending), days=days)
