"""Refresh scores: RFM values and scores, segment, class, churn risk and next purchase for every
customer, written beside the team's columns, with the summary sheet. The CLI's `xlcrm refresh`
and the ribbon's "Refresh scores" button both call `refresh`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from xlcrm.actions.common import column_edits, housekeeping, owned_sheet
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.report_lines import problem_lines, saved_lines
from xlcrm.actions.session import Session, Source, open_session
from xlcrm.book import Book, SaveResult
from xlcrm.core import classes, purchases, state, value
from xlcrm.core.edits import DATE, INT, MONEY, TEXT, Edit
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import BY_ID
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.parse import is_blank
from xlcrm.core.problems import Problem
from xlcrm.core.segments import Segment
from xlcrm.core.sheets import column_label, find_sheet, place_columns, sheet_name
from xlcrm.core.summary import FORMATS as SUMMARY_FORMATS
from xlcrm.core.summary import WIDTHS as SUMMARY_WIDTHS
from xlcrm.core.summary import Source as SummarySource
from xlcrm.core.summary import summary_sheet
from xlcrm.core.table import column_letter

STEPS = Msg("Refreshing scores", "刷新评分")
NO_PURCHASES = Msg(
    "Refresh needs purchases: an orders sheet (customer, order date, amount), or on the customer sheet "
    "'{sheet}' the columns {missing}. Add one of them, or name the columns in the settings sheet's column mapping.",
    "刷新评分需要购买数据:一个订单表(客户、下单日期、金额),或客户表“{sheet}”中的{missing}列。"
    "请补充其一,或在设置表的列映射中填写对应的列名。")
UNKNOWN_CUSTOMER = Msg("no customer of this name in sheet '{sheet}': left out of the scores",
                       "工作表“{sheet}”中没有此客户:未计入评分")
NO_ORDER_DATE = Msg("order without a date: left out of the scores", "订单缺少日期:未计入评分")
NO_LAST_ORDER = Msg("orders but no last order date: scored as the least recent",
                    "有购买但缺少最近下单日期:按最久未购买评分")
FUTURE = Msg("{count} orders dated after {day} were not counted (scores are as of {day}; first: {where}).",
             "{count} 笔订单日期晚于 {day},未计入评分(评分截至 {day};第一笔:{where})。")
NO_RHYTHM = Msg("Churn risk and next purchase need an orders sheet (the dates of each purchase): left empty.",
                "流失风险和预计下次购买需要订单表(每次购买的日期):本次留空。")
UNMATCHED = Msg("{count} customers match no segment rule (e.g. RFM {example}): their segment is empty. "
                "Add a rule in the settings sheet.",
                "{count} 个客户不符合任何分群规则(如 RFM {example}),分群留空;请在设置表中补充规则。")
SCORED = Msg("Scored {scored} customers with purchases as of {day}; {prospects} without purchases are Prospects.",
             "已为 {scored} 个有购买记录的客户评分(截至 {day});{prospects} 个无购买记录的客户为潜在客户。")
SEGMENT_LINE = Msg("Segments: {counts}", "客户分群:{counts}")
CLASS_LINE = Msg("Classes: {counts}", "客户等级:{counts}")
MANUAL_LINE = Msg(" ({count} chosen by you and kept)", "(其中 {count} 个为手动指定,已保留)")
CHURN_LINE = Msg("Churn risk: {high} high, {medium} medium (past their expected next purchase)",
                 "流失风险:高 {high} 个,中 {medium} 个(已过预计下次购买日)")
UNKNOWN_LINE = Msg("Orders for customers not in '{sheet}': {count} (left out; listed in '{problems}')",
                   "客户表“{sheet}”中不存在的客户的订单:{count} 笔(未计入;见“{problems}”)")
SUMMARY_LINE = Msg("Summary with charts: sheet '{sheet}'", "概览与图表:工作表“{sheet}”")
STATE_SECTION = "class"
STATE_COLUMNS = ("key", "row", "class", "manual")
COLUMN_FORMATS = {"recency": INT, "frequency": INT, "monetary": MONEY, "r_score": INT, "f_score": INT,
                  "m_score": INT, "rfm": TEXT, "next_purchase": DATE}


@dataclass
class RefreshResult:
    session: Session
    saved: SaveResult
    today: dt.date
    segment_counts: list[tuple[Segment, int]] = field(default_factory=list)
    class_counts: dict[str, int] = field(default_factory=dict)
    manual: int = 0
    risks: dict[str, int] = field(default_factory=dict)
    scored: int = 0
    prospects: int = 0
    unknown_orders: int = 0
    notes: list[Msg] = field(default_factory=list)

    def lines(self, lang: str) -> list[str]:
        sep = pick(lang, ", ", ",")
        lines = [SCORED(scored=self.scored, day=self.today.isoformat(), prospects=self.prospects).text(lang)]
        lines.append(SEGMENT_LINE(counts=sep.join(f"{s.name(lang)} {n}" for s, n in self.segment_counts if n))
                     .text(lang))
        classes_text = sep.join(f"{c} {self.class_counts.get(c, 0)}" for c in classes.CLASSES)
        manual = MANUAL_LINE(count=self.manual).text(lang) if self.manual else ""
        lines.append(CLASS_LINE(counts=classes_text).text(lang) + manual)
        if self.risks:
            lines.append(CHURN_LINE(high=self.risks.get("high", 0), medium=self.risks.get("medium", 0)).text(lang))
        problems = sheet_name("problems", self.session.lang)
        if self.session.orders:
            lines.append(UNKNOWN_LINE(sheet=self.session.customers.table.sheet, count=self.unknown_orders,
                                      problems=problems).text(lang))
        lines += [note.text(lang) for note in self.session.notes + self.notes]
        lines += problem_lines(self.session, problems, lang)
        lines.append(SUMMARY_LINE(sheet=sheet_name("summary", self.session.lang)).text(lang))
        return lines + saved_lines(self.saved, lang)


def refresh(book: Book, today: dt.date | None = None, progress: Progress = quiet) -> RefreshResult:
    run = _Run(book, today or dt.date.today())
    for step in progress([run.read, run.score, run.write], 3, STEPS):
        step()
    return run.result


class _Run:
    """The three steps of a refresh, each a bulk read, a vectorised computation or a bulk write."""

    def __init__(self, book: Book, today: dt.date):
        self.book, self.today = book, today

    def read(self) -> None:
        self.session = session = open_session(self.book)
        if session.orders is None:
            _require_summary_columns(session.customers)
        self.rules = value.Rules.from_settings(session.settings)
        name = find_sheet(self.book.sheet_names(), "state")
        self.memory = state.parse(self.book.read_sheet(name)) if name else {}

    def score(self) -> None:
        session, customers = self.session, self.session.customers
        self.result = RefreshResult(session, SaveResult(""), self.today)
        keys = customers.records["key"]
        if session.orders:
            bought, check = purchases.from_orders(session.orders.records, pd.Index(keys.unique()), self.today)
            self._report_orders(check)
        else:
            bought = purchases.from_summary(customers.records)
            self._report_missing_last_orders(bought, keys)
            self.result.notes.append(NO_RHYTHM)
        scored = value.by_customer(bought, self.today, self.rules, rhythm_known=session.orders is not None)
        self.rows = value.by_row(keys, bought, scored, self.rules)
        self._choose_classes(keys)
        self._count()

    def _report_orders(self, check: purchases.OrderCheck) -> None:
        orders, session = self.session.orders, self.session
        where = _where(orders, "order_customer")
        names = orders.records["order_customer"]
        session.problems += [Problem(orders.table.sheet, int(row), where, names[row],
                                     UNKNOWN_CUSTOMER(sheet=session.customers.table.sheet)) for row in check.unknown]
        date_column = orders.mapping.columns["order_date"]
        blank = [row for row in check.undated if is_blank(orders.table.cells.at[row, date_column])]
        session.problems += [Problem(orders.table.sheet, int(row), _where(orders, "order_date"), None, NO_ORDER_DATE)
                             for row in blank]
        if len(check.future):
            letter = column_letter(date_column)
            self.result.notes.append(FUTURE(count=len(check.future), day=self.today.isoformat(),
                                            where=f"{orders.table.sheet}!{letter}{int(check.future.min())}"))
        self.result.unknown_orders = len(check.unknown)

    def _report_missing_last_orders(self, bought: pd.DataFrame, keys: pd.Series) -> None:
        customers = self.session.customers
        undated = set(bought.index[bought["last"].isna()])
        if undated and "last_order" in customers.mapping.columns:
            where = _where(customers, "last_order")
            rows = keys.index[keys.isin(undated)]
            self.session.problems += [Problem(customers.table.sheet, int(r), where, None, NO_LAST_ORDER) for r in rows]

    def _choose_classes(self, keys: pd.Series) -> None:
        customers = self.session.customers
        manual = customers.records["manual_class"] if "manual_class" in customers.records else None
        memory = state.section(self.memory, STATE_SECTION, STATE_COLUMNS)
        self.choice = classes.choose(self.rows["class"], keys, customers.owned("class"), manual, memory)
        self.rows["class"] = self.choice.classes
        self.memory[STATE_SECTION] = classes.state_rows(keys, self.choice)
        self._report_invalid_classes()

    def _report_invalid_classes(self) -> None:
        customers, choice = self.session.customers, self.choice
        table = customers.table
        label = column_label("class", self.session.lang)
        column = place_columns(table.headers, ["class"])["class"]
        typed_where = f"{column_letter(column)} {table.header_of(column) or label}"
        self.session.problems += [
            Problem(table.sheet, int(row), typed_where, raw, classes.NOT_A_CLASS(computed=choice.classes[row]))
            for row, raw in (choice.invalid_typed.items() if choice.invalid_typed is not None else ())]
        if choice.invalid_manual is not None:
            where = _where(customers, "manual_class")
            self.session.problems += [Problem(table.sheet, int(row), where, raw, classes.NOT_A_MANUAL_CLASS)
                                      for row, raw in choice.invalid_manual.items()]

    def _count(self) -> None:
        result, rows, rules = self.result, self.rows, self.rules.segments
        labels = [(rule.en, rule.zh) for rule in rules]  # rules sharing their names are one segment
        counts: Counter = Counter()
        for index, count in rows["segment"].value_counts().items():
            if index >= 0:
                counts[labels[index]] += int(count)
        first = {label: rules[i] for i, label in reversed(list(enumerate(labels)))}
        result.segment_counts = [(first[label], counts[label]) for label in dict.fromkeys(labels)]
        unmatched = rows[rows["segment"].lt(0)]
        if len(unmatched):
            result.notes.append(UNMATCHED(count=len(unmatched), example=unmatched["rfm"].iloc[0]))
        result.class_counts = rows["class"].value_counts().to_dict()
        result.manual = int(self.choice.source.ne(classes.COMPUTED).sum())
        result.risks = rows["churn_risk"].value_counts().to_dict()
        result.scored = int(rows["frequency"].gt(0).sum())
        result.prospects = int(rows["frequency"].eq(0).sum())

    def write(self) -> None:
        session, lang = self.session, self.session.lang
        shown = self.rows.copy()
        shown["segment"] = value.segment_names(self.rows["segment"], self.rules.segments, lang)
        shown["churn_risk"] = value.risk_names(self.rows["churn_risk"], lang)
        customers = session.customers
        edits: list[Edit] = list(housekeeping(session))
        edits += column_edits(customers, shown[list(value.VALUE_COLUMNS)], lang, COLUMN_FORMATS)
        edits.append(self._summary(customers))
        edits.append(owned_sheet("state", lang, state.render(self.memory), hidden=True))
        self.result.saved = self.book.apply(edits)

    def _summary(self, customers: Source):
        table = customers.table
        columns = place_columns(table.headers, list(value.VALUE_COLUMNS))
        source = SummarySource(table.sheet, table.header_row + 1, table.last_row, columns)
        layout = summary_sheet(source, self.rules.segments, self.today, self.session.lang)
        return owned_sheet("summary", self.session.lang, layout.rows, row_styles=layout.styles,
                           formats=SUMMARY_FORMATS, widths=SUMMARY_WIDTHS, charts=tuple(layout.charts))


def _where(source: Source, field_id: str) -> str:
    column = source.mapping.columns[field_id]
    return f"{column_letter(column)} {source.table.header_of(column)}"


def _require_summary_columns(customers: Source) -> None:
    missing = [f for f in purchases.SUMMARY_FIELDS if f not in customers.mapping.columns]
    if missing:
        names = Msg(", ".join(BY_ID[f].en for f in missing), "、".join(BY_ID[f].zh for f in missing))
        raise XlcrmError(NO_PURCHASES(sheet=customers.table.sheet, missing=names))
