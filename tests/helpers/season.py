"""A season in the office, played day by day: a seeded team, customers and events, and every working
day the real commands (followups, remind --send through a real SMTP server, the report on Fridays)
while salespeople log contacts, customers buy, and some addresses bounce or opt out.

Used by tests/e2e/test_season.py (what a team lead checks) and bench/season.py (each day's run time).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from helpers.mailbook import quick_mailer, set_owner, set_settings
from xlcrm.actions.contact_log import log_contact
from xlcrm.actions.followups import followups
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook
from xlcrm.core.calendar import WorkCalendar
from xlcrm.mail.journal import Journal, journal_path

HEADERS = ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期", "生日", "预约日期", "阶段", "进入阶段日期", "输单原因",
           "成交日期", "到货日期", "首次联系日期", "退订", "累计成交金额"]
OWNERS = ["张磊", "李娜", "王芳", "赵强"]
STAGES = ["见到客户", "发现机会", "方案报价", "客户承诺", "验收", "收款", "已成交", "输单"]
FINISHED = {"收款", "已成交", "输单"}
LOST_REASONS = ["价格太高", "选了竞品", None]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


class SeasonClock:
    """The office's clock: the day being played, at 10:00 (or any moment given); sleeping costs no time."""

    def __init__(self, now: dt.datetime = dt.datetime(2026, 1, 1, 10)):
        self.current = now

    def now(self) -> dt.datetime:
        return self.current

    def monotonic(self) -> float:
        return self.current.timestamp()

    def sleep(self, seconds: float) -> None:
        self.current += dt.timedelta(seconds=seconds)


@dataclass
class Season:
    path: Path
    start: dt.date
    days: list[dt.date]  # the working days played
    customers: pd.DataFrame  # one row per customer as generated: name, email, owner, birthday, ...
    bounced: set[str]
    opted_out: dict[str, dt.date]  # address -> day the customer opted out
    daily_cap: int
    timings: list[tuple[dt.date, float]] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)  # per day: what the due list, digest and report said

    def journal(self) -> pd.DataFrame:
        return Journal(journal_path(self.path.parent, self.path.name)).history()


def make_team(path: Path, seed: int, start: dt.date, size: int) -> pd.DataFrame:
    """A tracking sheet whose birthdays, appointments, deals and stages fall across the season, by seed."""
    rng = random.Random(seed)
    owners = OWNERS[:rng.choice([2, 3, 4])]
    rows = []
    for n in range(size):
        name = f"{SURNAMES[n % len(SURNAMES)]}氏{n:02d}贸易有限公司"
        stage = rng.choice(STAGES + [None, None])
        bought = rng.random() < 0.6
        birthday = start + dt.timedelta(days=rng.randrange(3, 50))
        rows.append({
            "客户名称": name, "联系人": f"{SURNAMES[n % len(SURNAMES)]}总", "邮箱": f"c{seed}x{n}@kehu.example.com",
            "负责人": rng.choice(owners), "最近联系日期": start - dt.timedelta(days=rng.randrange(1, 120)),
            "生日": dt.datetime(rng.randrange(1960, 1995), birthday.month, birthday.day),
            "预约日期": start + dt.timedelta(days=rng.randrange(5, 55)) if rng.random() < 0.3 else None,
            "阶段": stage, "进入阶段日期": start - dt.timedelta(days=rng.randrange(0, 200)) if stage else None,
            "输单原因": rng.choice(LOST_REASONS) if stage == "输单" else None,
            "成交日期": start + dt.timedelta(days=rng.randrange(0, 40)) if stage == "已成交" else None,
            "到货日期": start + dt.timedelta(days=rng.randrange(10, 50)) if stage == "已成交" and rng.random() < .5
            else None,
            "首次联系日期": start - dt.timedelta(days=rng.randrange(1, 10)) if not bought else None,
            "退订": None, "累计成交金额": rng.randrange(1000, 90000) if bought else None,
        })
    for row in rows:
        for column in ("最近联系日期", "预约日期", "进入阶段日期", "成交日期", "到货日期", "首次联系日期"):
            if isinstance(row[column], dt.date) and not isinstance(row[column], dt.datetime):
                row[column] = dt.datetime.combine(row[column], dt.time())
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户跟踪表"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row[h] for h in HEADERS])
    orders = book.create_sheet("订单")
    orders.append(["客户名称", "订单日期", "金额"])
    for row in rows:
        if row["累计成交金额"]:
            orders.append([row["客户名称"], start - dt.timedelta(days=rng.randrange(5, 300)), row["累计成交金额"]])
    book.save(path)
    return pd.DataFrame(rows)


def _edit_customer(path: Path, name: str, column: str, value) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["客户跟踪表"]
    col = HEADERS.index(column) + 1
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == name:
            sheet.cell(row[0].row, col).value = value
    book.save(path)


def _add_order(path: Path, name: str, day: dt.date, amount: int) -> None:
    book = openpyxl.load_workbook(path)
    book["订单"].append([name, dt.datetime.combine(day, dt.time()), amount])
    book.save(path)


def play(folder: Path, server, seed: int, weeks: int = 9, size: int = 20, daily_cap: int = 12,
         start: dt.date = dt.date(2026, 12, 14)) -> Season:
    """Play `weeks` of working days from `start` (a Monday; New Year and Spring Festival fall inside)."""
    rng = random.Random(seed * 7919)
    start = start + dt.timedelta(days=rng.randrange(0, 2) * 7)  # the season's calendar varies by seed
    path = folder / f"season-{seed}.xlsx"
    customers = make_team(path, seed, start, size)
    china = WorkCalendar("CN")
    days = [start + dt.timedelta(days=n) for n in range(weeks * 7)]
    days = [d for d in days if china.is_working_day(d)]
    bounced = set(rng.sample(list(customers["邮箱"]), 2))
    server.faults.reject_rcpt = {a: "550 5.1.1 <%s>: mailbox unavailable" % a for a in bounced}
    quitting = rng.sample([e for e in customers["邮箱"] if e not in bounced], 2)
    opt_days = dict(zip(quitting, sorted(rng.sample(days[3:-3], 2))))
    clock = SeasonClock()
    season = Season(path, start, days, customers, bounced, {}, daily_cap)

    clock.current = dt.datetime.combine(days[0], dt.time(9))
    remind(FileBook(path), RemindRequest(today=days[0]), None, clock)  # the first preview writes the settings
    set_settings(path, {**server.settings(), "daily_cap": daily_cap})
    for number, owner in enumerate(sorted(customers["负责人"].unique())):
        set_owner(path, owner, f"owner{number}@xlcrm-test.example.com", f"1390000000{number}")

    for day in days:
        began = time.perf_counter()
        clock.current = dt.datetime.combine(day, dt.time(10))
        for address, when in opt_days.items():
            if when == day:
                name = customers.loc[customers["邮箱"].eq(address), "客户名称"].iloc[0]
                _edit_customer(path, name, "退订", "是")
                season.opted_out[address] = day
        if rng.random() < 0.7:  # a salesperson calls a customer
            log_contact(FileBook(path), rng.choice(list(customers["客户名称"])), "电话", "电话沟通", when=day, today=day)
        if rng.random() < 0.4:  # and a customer buys
            _add_order(path, rng.choice(list(customers["客户名称"])), day, rng.randrange(500, 20000))
        listed = followups(FileBook(path), day)
        made = report(FileBook(path), today=day) if day.weekday() == 4 else None
        sent = remind(FileBook(path), RemindRequest(today=day, send=True), quick_mailer(), clock)
        season.timings.append((day, time.perf_counter() - began))
        season.checks.append({"day": day, "due": listed.due, "plan": sent.plan, "report": made,
                              "due_list": _due_list_rows(path)})
    return season


def _due_list_rows(path: Path) -> list[list]:
    """The item rows of the due list sheet (those with a status), as the owner reads them."""
    rows = list(openpyxl.load_workbook(path, read_only=True)["待跟进"].iter_rows(values_only=True))
    statuses = {"逾期", "今日到期", "本周到期", "无日期", "已错过"}
    return [list(r) for r in rows if len(r) > 7 and r[7] in statuses]
