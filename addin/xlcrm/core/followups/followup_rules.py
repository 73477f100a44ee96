"""The follow-up settings: the blocks a user edits in the settings sheet, and the rules read from them.

Cadence per class, how days are counted (calendar or working days, and where a computed date on
a day off goes), the calendar, the touches and care occasions with their days. A value that
cannot be read (an unclear yes/no among them) is noted, naming its cell, and its default used, so a typo
never stops a run and is never taken silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xlcrm.core.calendar import NONE_NAME, choose_country, is_none, supported
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text, parse_amount, parse_cadence, parse_date
from xlcrm.core.settings import KV_COLUMNS, Block, Col, Settings, kv, read_switch

CLASSES = ("A", "B", "C", "D")

CALENDAR_DAYS, WORKING_DAYS = Msg("calendar", "自然日"), Msg("working", "工作日")
BEFORE, AFTER, KEEP = Msg("before", "提前"), Msg("after", "顺延"), Msg("keep", "不变")
YES, NO = Msg("yes", "是"), Msg("no", "否")
_CHOICES = {
    "count_in": {"calendar": CALENDAR_DAYS, "working": WORKING_DAYS},
    "day_off": {"before": BEFORE, "after": AFTER, "keep": KEEP},
}
_ALSO = {"calendar": {"日历日", "自然天", "days"}, "working": {"工作天", "workdays", "working days"},
         "before": {"之前", "前移", "earlier"}, "after": {"之后", "后移", "later"}, "keep": {"保持", "none", "no"}}

FOLLOWUP = Block(
    "followup", Msg("Follow-up rules", "跟进规则"), KV_COLUMNS,
    lambda: [
        kv("count_in", CALENDAR_DAYS, Msg("Count the cadence in", "联系周期按"),
           Msg("calendar: calendar days; working: working days (holidays and make-up working days count).",
               "自然日 或 工作日(按节假日和调休上班日计算)。")),
        kv("day_off", BEFORE, Msg("A computed due date on a day off moves", "算出的跟进日遇休息日时"),
           Msg("before: to the working day before; after: to the working day after; keep: stays.",
               "提前:移到之前的工作日;顺延:移到之后的工作日;不变:保持原日期。")),
        kv("calendar", "", Msg("Holiday calendar (country code)", "节假日日历(国家/地区代码)"),
           Msg("CN: mainland China's public holidays and make-up working days; also HK, TW, SG, US, GB...; none: "
               "weekends only, no holiday greetings. Empty: China for a Chinese workbook, else this computer's "
               "region (none if unknown); every run says which it used.",
               "CN:中国大陆法定节假日与调休;也可填 HK、TW、SG、US、GB 等;无:仅周末,不发节日问候。"
               "留空:中文工作簿用中国日历,否则按本机地区(未知则不计节假日);每次运行都会说明所用日历。")),
        kv("lead_max_days", 14, Msg("A new lead's first answer at the latest (days)", "新线索最迟回复(天)"),
           Msg("A new lead's first answer is never due later than this, even with a later date in the sheet.",
               "新线索的首次回复最迟不超过此天数,即使表中计划日期更晚。")),
        kv("stale_days", 30, Msg("Touches after a deal or delivery drop off after (days)", "成交/交付类事项过期天数"),
           Msg("A thank-you, feedback call or return visit this many days past due is no longer listed.",
               "致谢、反馈回访、交付后回访超过应办日这么多天后不再列出。")),
        kv("mail_counts", YES, Msg("A follow-up e-mail sent counts as a contact", "已发送的跟进邮件算作一次联系"),
           Msg("yes: a follow-up or first answer sent by xlcrm remind moves the next due date, as a logged contact "
               "does (greetings and reminders do not); no: only contacts you log or type count.",
               "是:xlcrm remind 发出的跟进邮件或新线索回复,与记录的联系一样顺延下次跟进日(节日生日问候和提醒不算);"
               "否:只算记录或填写的联系。")),
        kv("look_ahead_days", 30, Msg("Care occasions listed ahead (days)", "关怀事项提前列出(天)"),
           Msg("Birthdays, holidays and appointments due within this many days are handed to the mail merge.",
               "这么多天内到期的生日、节日、预约提醒会交给邮件合并。")),
    ],
)

CADENCE = Block(
    "cadence", Msg("Contact cadence (days)", "联系周期(天)"), KV_COLUMNS,
    lambda: [
        kv("A", 7, Msg("Class A: strategic, high value", "A类:战略、高价值")),
        kv("B", 14, Msg("Class B: high potential, volatile", "B类:高潜力、不稳定")),
        kv("C", 14, Msg("Class C: unstable but influential", "C类:不稳定但有影响力")),
        kv("D", 14, Msg("Class D: low value", "D类:低价值")),
        kv("existing", 14, Msg("Existing customer (no class yet)", "老客户(尚无等级)"),
           Msg("Has orders or a total amount.", "有订单或成交金额。")),
        kv("prospect", 15, Msg("Prospect", "潜在客户"), Msg("No orders yet.", "尚无订单。")),
    ],
    note=Msg("Days between contacts; a column 联系周期(天) / Contact every (days) in your sheet wins for its row.",
             "两次联系之间的天数;表中若有“联系周期(天)”列,以该列为准。"),
)

TOUCH_COLS = (Col("key", "Key", "键"), Col("name", "Touch", "事项", shown=True), Col("on", "On", "启用"),
              Col("days", "Days", "天数"), Col("after", "Still sent up to (days after)", "过后仍可发送(天)"),
              Col("note", "Note", "说明", shown=True))
LATE_DAYS = 3  # a greeting that could not go out on its day still goes this many days after


def _touch(key: str, days: int, name: Msg, note: Msg, after: int | None = None) -> dict:
    return {"key": key, "name": name, "on": YES, "days": days, "after": after, "note": note}


TOUCHES = Block(
    "touches", Msg("Due touches and care occasions", "待办事项与客户关怀"), TOUCH_COLS,
    lambda: [
        _touch("first_answer", 7, Msg("First answer to a new lead", "新线索首次回复"),
               Msg("Days after the first contact.", "首次联系后的天数。")),
        _touch("feedback", 7, Msg("Feedback call after delivery or samples", "到货/样品反馈回访"),
               Msg("Days after delivery (到货日期).", "到货后的天数。")),
        _touch("thanks", 1, Msg("Thank-you after a deal", "成交致谢"),
               Msg("Days after the deal was won.", "成交后的天数。")),
        _touch("return_visit", 30, Msg("Return visit after delivery", "交付后回访"),
               Msg("Days after delivery; log the satisfaction ratings with xlcrm log.",
                   "交付后的天数;满意度评分可用 xlcrm log 记录。")),
        _touch("appointment", 5, Msg("Appointment reminder", "预约提醒"),
               Msg("Working days before the appointment.", "预约日前的工作日数。")),
        _touch("birthday", 0, Msg("Birthday greeting", "生日问候"),
               Msg("Days before the birthday (on a day off: the working day before at the latest); 29 February "
                   "falls on 28 February in other years.",
                   "生日前的天数(生日在休息日时,最晚在之前的工作日发送);2月29日生日在平年按2月28日。"), LATE_DAYS),
        _touch("holiday", 3, Msg("Holiday greeting", "节日问候"),
               Msg("Days before each holiday ticked in the holiday list.", "节日前的天数;节日见节日问候表。"),
               LATE_DAYS),
    ],
)


DAY_OFF, WORKING_DAY = Msg("day off", "放假"), Msg("working day", "上班")
_DAY_KINDS = {"off": {"off", "day off", "holiday", "放假", "休息", "假日", "休"},
              "working": {"working", "working day", "workday", "make-up", "上班", "调休上班", "补班", "班"}}
CALENDAR_EXTRA = Block(
    "calendar_days", Msg("Extra holidays and make-up days", "补充节假日与调休"),
    (Col("date", "Date", "日期"), Col("kind", "Day off or working day", "放假或上班"), Col("note", "Note", "说明")),
    lambda: [], key=None,
    note=Msg("Days the holiday calendar does not know yet (the official days off and make-up working days for a "
             "year past what it knows), or the company's own: one date a row, 'day off' or 'working day'.",
             "日历尚未收录的日子(例如尚未收录年份的放假和调休上班日),或公司自己的安排:每行一个日期,填“放假”或“上班”。"),
)
BAD_DAY = Msg("Extra holidays and make-up days: '{date}' / '{kind}' is not a date with 'day off' or 'working day'; "
              "the row is left out.", "补充节假日与调休:“{date}”/“{kind}”不是日期加“放假”或“上班”;该行未使用。")


@dataclass(frozen=True)
class Rules:
    """The follow-up settings as read, with the problems met reading them."""

    cadence: dict[str, int]
    count_in: str
    day_off: str
    country: str  # NO_CALENDAR: weekends only
    lead_max_days: int
    stale_days: int
    look_ahead_days: int
    touches: dict[str, tuple[bool, int]]
    notes: list[Msg] = field(default_factory=list)
    extra_off: tuple[dt.date, ...] = ()
    extra_working: tuple[dt.date, ...] = ()
    late: dict[str, int] = field(default_factory=dict)  # days after an occasion its greeting may still go
    calendar_why: str = "setting"  # how the calendar was chosen (core.calendar.WHY)

    def on(self, occasion: str) -> bool:
        return self.touches.get(occasion, (False, 0))[0]

    def days(self, occasion: str) -> int:
        return self.touches.get(occasion, (False, 0))[1]

    def after(self, occasion: str) -> int:
        return self.late.get(occasion, 0)


BAD_SETTING = Msg("Setting '{name}' ({cell}) = '{value}' is not {expected}; used {default}.",
                  "设置“{name}”({cell})的值“{value}”不是{expected};已按 {default} 处理。")
UNCLEAR_GREET = Msg("Holiday greetings ({cell}): '{value}' for '{holiday}' is not a clear yes or no (是/否, yes/no): "
                    "not greeted.", "节日问候({cell}):“{holiday}”的“{value}”不是明确的是或否(是/否、yes/no):不发问候。")
WHOLE_DAYS = Msg("a whole number of days from 0 to 3650", "0 到 3650 之间的整数天数")
MAX_DAYS = 3650  # ten years: beyond it a date would leave the calendar


def read_rules(settings: Settings, lang: str = "zh", region: str | None = None) -> Rules:
    """The follow-up rules; the calendar, when not set, chosen from the workbook's language and the
    computer's region (passed in: the core reads no environment)."""
    notes: list[Msg] = settings.notes()  # emptied values, unclear yes/no, entries in the wrong column
    defaults = {r["key"]: r for b in (FOLLOWUP, CADENCE, TOUCHES) for r in b.defaults()}

    def number(block: str, key: str) -> int:
        return read_days(settings.value(key, block), defaults[key]["value"], defaults[key]["name"], notes,
                         settings.cell(block, key, "value"))

    def touch(row: dict, column: str) -> int:
        key = row["key"]
        return read_days(row.get(column), defaults[key][column], defaults[key]["name"], notes,
                         settings.cell("touches", key, column))

    cadence = {k: number("cadence", k) for k in (*CLASSES, "existing", "prospect")}
    touches = {r["key"]: (read_flag(r.get("on"), True), touch(r, "days"))
               for r in settings.rows("touches") if r.get("key") in defaults}
    late = {r["key"]: touch(r, "after")
            for r in settings.rows("touches") if defaults.get(r.get("key"), {}).get("after") is not None}
    typed = settings.text("calendar", "followup")
    country, why = choose_country(typed, lang, region)
    if typed and not is_none(typed) and not supported(typed):
        notes.append(BAD_SETTING(name=defaults["calendar"]["name"], value=typed, cell=settings.cell(
            "followup", "calendar", "value"), expected=Msg("a known calendar", "已知的日历"), default=country or NONE_NAME))
    extra = read_calendar_days(settings, notes)
    notes += unclear_greetings(settings)
    return Rules(cadence, _choice(settings, "count_in", notes), _choice(settings, "day_off", notes),
                 country, number("followup", "lead_max_days"), number("followup", "stale_days"),
                 number("followup", "look_ahead_days"), touches, notes, extra["off"], extra["working"], late, why)


def unclear_greetings(settings: Settings) -> list[Msg]:
    """Holidays whose greet cell is neither yes nor no: not greeted (the list's default), and said."""
    return [UNCLEAR_GREET(cell=settings.cell("holidays", index, "greet"), value=clean_text(row.get("greet")),
                          holiday=_named(row.get("holiday")))
            for index, row in enumerate(settings.rows("holidays"))
            if clean_text(row.get("greet")) and read_switch(row.get("greet")) is None]


def _named(value) -> Msg | str:
    return value if isinstance(value, Msg) else clean_text(value)


def read_calendar_days(settings: Settings, notes: list[Msg]) -> dict[str, tuple[dt.date, ...]]:
    """The days off and make-up working days typed in the settings; a row that cannot be read is noted."""
    found: dict[str, list[dt.date]] = {"off": [], "working": []}
    for row in settings.rows("calendar_days"):
        raw, kind_text = row.get("date"), clean_text(row.get("kind")).lower()
        if not clean_text(raw) and not kind_text:
            continue
        day, _ = parse_date(raw)
        kind = next((k for k, words in _DAY_KINDS.items() if kind_text in words), None)
        if not isinstance(day, dt.date) or kind is None:
            notes.append(BAD_DAY(date=clean_text(raw), kind=kind_text))
            continue
        found[kind].append(day)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def read_days(value, default: int, name: Msg, notes: list[Msg], cell: Msg | str = "-") -> int:
    """A whole number of days typed in the settings; a bad value is noted (with its cell) and the default used."""
    if not clean_text(value):
        return int(default)
    amount, _ = parse_amount(value)
    if amount is None:  # 每周, 两周, 7天, 2 weeks: as in a cadence column
        amount, _ = parse_cadence(value)
    if amount is None or not 0 <= amount <= MAX_DAYS or not float(amount).is_integer():
        notes.append(BAD_SETTING(name=name, value=clean_text(value), expected=WHOLE_DAYS, default=default, cell=cell))
        return int(default)
    return int(amount)


def read_flag(value, default: bool) -> bool:
    """Yes or no in either language (开启/关闭, 是/否, yes/no, on/off, 1/0...); the default when empty or unclear
    (Settings.notes names an unclear cell of a yes/no setting)."""
    found = read_switch(value)
    return default if found is None else found


def _choice(settings: Settings, key: str, notes: list[Msg]) -> str:
    text = settings.text(key, "followup").lower()
    options = _CHOICES[key]
    for option, label in options.items():
        if text in {option, label.en, label.zh} | _ALSO.get(option, set()):
            return option
    default = next(iter(options))
    name = next(r["name"] for r in FOLLOWUP.defaults() if r["key"] == key)
    expected = Msg(" / ".join(m.en for m in options.values()), " / ".join(m.zh for m in options.values()))
    notes.append(BAD_SETTING(name=name, value=text, expected=expected, default=options[default],
                             cell=settings.cell("followup", key, "value")))
    return default


MAIL_CONTACTS = ("followup", "first_answer")  # the sent mails that are a contact, when mail_counts is on


def mail_counts_as_contact(settings: Settings) -> bool:
    return read_flag(settings.value("mail_counts", "followup"), True)
