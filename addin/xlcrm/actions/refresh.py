"""Refresh scores: RFM values and scores, segment, class, churn risk and next purchase for every
customer, written beside the team's columns, with the summary sheet. The CLI's `xlcrm refresh`
and the ribbon's "Refresh scores" button both call `refresh`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlcrm.actions import refresh_problems as problems
from xlcrm.actions.common import column_edits, housekeeping, owned_sheet
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.refresh_result import RefreshResult
from xlcrm.actions.session import Source, open_session
from xlcrm.actions.team_sync import TeamView, join_team
from xlcrm.book import Book, SaveResult
from xlcrm.core import state
from xlcrm.core.scores import class_choice, purchases, scoring, summary_sheet
from xlcrm.core.edits import CENTER, DATE, INT, MONEY, TEXT, Edit, PutSheet
from xlcrm.core.customer_figures import one_per_customer
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import BY_ID
from xlcrm.core.i18n import Msg, counted
from xlcrm.core.problems import Problem
from xlcrm.core.table import column_letter
from xlcrm.store import Connect

__all__ = ["refresh", "RefreshResult"]

STEPS = Msg("Refreshing scores", "刷新评分")
NO_PURCHASES = Msg(
    "Refresh needs purchases: an orders sheet (customer, order date, amount), or on the customer sheet "
    "'{sheet}' the columns {missing}. Add one of them, or name the columns in the settings sheet's column mapping.",
    "刷新评分需要购买数据:一个订单表(客户、下单日期、金额),或客户表“{sheet}”中的{missing}列。"
    "请补充其一,或在设置表的列映射中填写对应的列名。")
NO_RHYTHM = Msg("Churn risk and next purchase need an orders sheet (the dates of each purchase): left empty.",
                "流失风险和预计下次购买需要订单表(每次购买的日期):本次留空。")
REALIGNED = Msg(
    "Sheet '{sheet}': the customers changed rows (the table was sorted, or rows inserted or deleted inside it) but "
    "xlcrm's columns beside the table stayed where they were. xlcrm read column {column} against what it wrote at "
    "each row and wrote every customer's own values again{restored}. To keep them together, sort whole rows, or "
    "take xlcrm's columns into the table.",
    "工作表“{sheet}”:客户换了行(表格被排序,或在表格中插入、删除了行),但表格旁 xlcrm 的列没有随之移动。"
    "xlcrm 已按行核对“{column}”列中它写过的值,并为每个客户重新写入其自己的数值{restored}。"
    "如需保持对齐,请整行排序,或把 xlcrm 的列纳入表格。")
RESTORED = Msg("; {classes} you had chosen went back to their customers",
               ";您指定的 {count} 个等级已随客户移回")
UNRECORDED_NOTE = Msg(
    "xlcrm's hidden sheet '_xlcrm', its record of the classes it wrote, was missing: in sheet '{sheet}' column "
    "{column}, {classes} differing from the computed ones could have been typed by you or be xlcrm's from an earlier "
    "run. The computed classes were written; the old ones are listed in '{problems}': type again those you chose. "
    "The record is written again, so the next run tells your classes from xlcrm's as before.",
    "xlcrm 记录其所写等级的隐藏工作表“_xlcrm”不见了:工作表“{sheet}”的“{column}”列中有 {count} 个等级与计算结果不同,"
    "无法判断是您手动填写的还是 xlcrm 以前写的。已写入计算所得的等级,原来的值列在“{problems}”中,"
    "请重新填写您指定的等级。记录已重新写入,下次运行将照常区分您填写的等级。")
STATE_SECTION = "class"  # this feature's section of the hidden state sheet
COLUMN_FORMATS = {"recency": INT, "frequency": INT, "monetary": MONEY, "r_score": INT, "f_score": INT,
                  "m_score": INT, "rfm": TEXT, "next_purchase": DATE}
# Short codes read as a column when centred: a score right-aligned beside the RFM code read as one number (2 452).
COLUMN_ALIGN = dict.fromkeys(("r_score", "f_score", "m_score", "rfm", "class", "churn_risk"), CENTER)


def refresh(book: Book, today: dt.date | None = None, progress: Progress = quiet,
            team: Connect | None = None) -> RefreshResult:
    """team: opens the team store when the settings name one: the workbook syncs (contacts, sends, owners)."""
    run = _Run(book, today or dt.date.today(), team)
    for step in progress([run.read, run.score, run.write], 3, STEPS):
        step()
    return run.result


class _Run:
    """The three steps of a refresh: one bulk read, a vectorised computation, one bulk write."""

    def __init__(self, book: Book, today: dt.date, team: Connect | None):
        self.book, self.today, self.team = book, today, team
        self.view = TeamView()

    def read(self) -> None:
        self.session = session = open_session(self.book, today=self.today)
        if session.orders is None:
            _require_summary_columns(session.customers)
        self.rules = scoring.Rules.from_settings(session.settings)  # a bad rule stops here, before any write
        self.memory = session.memory
        # what reading the settings met (an unclear yes/no...): said by every action, not only the follow-ups'
        self.result = RefreshResult(session, SaveResult(""), self.today, notes=session.settings.notes())
        self.view = join_team(session, self.team, dt.datetime.now())
        self.result.notes += self.view.notes

    def score(self) -> None:
        session, customers = self.session, self.session.customers
        keys = customers.records["key"]
        if session.orders:
            bought, check = purchases.from_orders(session.orders.records, pd.Index(keys.unique()), self.today)
            session.problems += problems.order_problems(session, check)
            self.result.notes += problems.future_note(session, check, self.today)
            self.result.unknown_orders = len(check.unknown)
        else:
            bought = purchases.from_summary(customers.records)
            session.problems += problems.missing_last_orders(customers, bought, keys)
            self.result.notes.append(NO_RHYTHM)
        scored = scoring.by_customer(bought, self.today, self.rules, rhythm_known=session.orders is not None)
        self.rows = scoring.by_row(keys, bought, scored, self.rules)
        manual = self._choose_classes(keys)
        self.result.count(self._counted(keys), self.rules.segments, manual)

    def _counted(self, keys: pd.Series) -> pd.DataFrame:
        """The rows to count: a customer listed twice, or on every row of a sheet of orders, counts once."""
        return one_per_customer(self.rows, keys)

    def _choose_classes(self, keys: pd.Series) -> int:
        customers = self.session.customers
        manual = customers.records["manual_class"] if "manual_class" in customers.records else None
        memory = state.section(self.memory, STATE_SECTION, class_choice.STATE_COLUMNS)
        choice = class_choice.choose(self.rows["class"], keys, customers.owned("class"), manual, memory)
        self.rows["class"] = choice.classes
        self.memory[STATE_SECTION] = class_choice.state_rows(keys, choice)
        self.session.problems += problems.class_problems(customers, choice, self.session.lang)
        self._say_how_classes_were_read(choice)
        return int(choice.source.ne(class_choice.COMPUTED).sum())

    def _say_how_classes_were_read(self, choice: class_choice.Choice) -> None:
        """A sort of the table alone, or the record of what xlcrm wrote lost: said, and where."""
        customers, lang = self.session.customers, self.session.lang
        column = customers.place(["class"])["class"]
        named = f"{column_letter(column)} {customers.table.header_of(column) or customers.label('class', lang)}"
        if choice.realigned:
            restored = RESTORED(count=choice.restored, classes=counted(choice.restored, "class", "classes"))
            self.result.notes.append(REALIGNED(sheet=customers.table.sheet, column=named,
                                               restored=restored if choice.restored else ""))
        if len(choice.unrecorded):
            self.session.problems += [
                Problem(customers.table.sheet, int(row), named, raw,
                        class_choice.UNRECORDED(computed=choice.classes[row], value=raw))
                for row, raw in choice.unrecorded.items()]
            count = len(choice.unrecorded)
            self.result.notes.append(UNRECORDED_NOTE(
                sheet=customers.table.sheet, column=named, count=count, classes=counted(count, "class", "classes"),
                problems=self.session.written_name("problems")))

    def write(self) -> None:
        session, lang = self.session, self.session.lang
        shown = self.rows.copy()
        shown["segment"] = scoring.segment_names(self.rows["segment"], self.rules.segments, lang)
        shown["churn_risk"] = scoring.risk_names(self.rows["churn_risk"], lang)
        edits: list[Edit] = list(housekeeping(session, "refresh"))
        edits.append(self._summary(session.customers, shown))
        edits += column_edits(session, session.customers, shown[list(scoring.VALUE_COLUMNS)], lang, COLUMN_FORMATS,
                              align=COLUMN_ALIGN)
        edits += self.view.edits  # owners reassigned in the team store
        self.result.saved = self.book.apply(edits)

    def _summary(self, customers: Source, shown: pd.DataFrame) -> PutSheet:
        counted = one_per_customer(shown, customers.records["key"])
        layout = summary_sheet.summary_sheet(counted, customers.table.sheet, self.rules.segments, self.today,
                                             self.session.lang)
        return owned_sheet("summary", self.session.lang, layout.rows, self.session, row_styles=layout.styles,
                           formats=summary_sheet.FORMATS, widths=summary_sheet.WIDTHS, charts=tuple(layout.charts))


def _require_summary_columns(customers: Source) -> None:
    missing = [f for f in purchases.SUMMARY_FIELDS if f not in customers.mapping.columns]
    if missing:
        names = Msg(", ".join(BY_ID[f].en for f in missing), "、".join(BY_ID[f].zh for f in missing))
        raise XlcrmError(NO_PURCHASES(sheet=customers.table.sheet, missing=names))
