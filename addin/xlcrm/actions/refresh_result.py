"""What a refresh did, as counts and a short summary in either language (CLI output, ribbon message box)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from xlcrm.actions.report_lines import problem_lines, saved_lines
from xlcrm.actions.session import Session
from xlcrm.book import SaveResult
from xlcrm.core.customer_figures import CustomerFigures, customer_figures
from xlcrm.core.scores.customer_classes import CLASSES
from xlcrm.core.i18n import Msg, counted, pick
from xlcrm.core.scores.segments import Segment

SCORED = Msg("Scored {customers} with purchases as of {day}.", "已为 {scored} 个有购买记录的客户评分(截至 {day})。")
SEGMENT_LINE = Msg("Segments: {counts}", "客户分群:{counts}")
CLASS_LINE = Msg("Classes: {counts}", "客户等级:{counts}")
MANUAL_LINE = Msg(" ({count} chosen by you and kept)", "(其中 {count} 个为手动指定,已保留)")
CHURN_LINE = Msg("Churn risk: {high} high, {medium} medium (past their expected next purchase)",
                 "流失风险:高 {high} 个,中 {medium} 个(已过预计下次购买日)")
UNKNOWN_LINE = Msg("Orders for customers not in '{sheet}': {count} (left out; listed in '{problems}')",
                   "客户表“{sheet}”中不存在的客户的订单:{count} 笔(未计入;见“{problems}”)")
SUMMARY_LINE = Msg("Summary with charts: sheet '{sheet}'", "概览与图表:工作表“{sheet}”")
UNMATCHED = Msg("{customers} match no segment rule (e.g. RFM {example}): their segment is empty. "
                "Add a rule in the settings sheet.",
                "{count} 个客户不符合任何分群规则(如 RFM {example}),分群留空;请在设置表中补充规则。")


@dataclass
class RefreshResult:
    session: Session
    saved: SaveResult
    today: dt.date
    segment_counts: list[tuple[Segment, int]] = field(default_factory=list)
    class_counts: dict[str, int] = field(default_factory=dict)
    manual: int = 0  # classes chosen by the user
    risks: dict[str, int] = field(default_factory=dict)
    figures: CustomerFigures = CustomerFigures(0, 0, 0.0)
    unknown_orders: int = 0
    notes: list[Msg] = field(default_factory=list)

    def count(self, rows: pd.DataFrame, rules: list[Segment], manual: int) -> None:
        """Counts per segment (rules sharing their names are one segment), class and churn risk.
        rows: one per customer (customer_figures.one_per_customer)."""
        labels = [(rule.en, rule.zh) for rule in rules]
        counts: Counter = Counter()
        for index, number in rows["segment"].value_counts().items():
            if index >= 0:
                counts[labels[index]] += int(number)
        first = {label: rules[i] for i, label in reversed(list(enumerate(labels)))}
        self.segment_counts = [(first[label], counts[label]) for label in dict.fromkeys(labels)]
        unmatched = rows[rows["segment"].lt(0)]
        if len(unmatched):
            self.notes.append(UNMATCHED(count=len(unmatched), customers=counted(len(unmatched), "customer", "customers"), example=unmatched["rfm"].iloc[0]))
        self.class_counts = rows["class"].value_counts().to_dict()
        self.manual = manual
        self.risks = rows["churn_risk"].value_counts().to_dict()
        self.figures = customer_figures(rows)

    @property
    def scored(self) -> int:
        return self.figures.bought

    @property
    def prospects(self) -> int:
        return self.figures.prospects

    def lines(self, lang: str) -> list[str]:
        sep = pick(lang, ", ", ",")
        scored = SCORED(scored=self.scored, customers=counted(self.scored, "customer", "customers"),
                        day=self.today.isoformat())
        lines = [scored.text(lang), self.figures.line().text(lang)]
        segments = sep.join(f"{s.name(lang)} {n}" for s, n in self.segment_counts if n) or "-"
        lines.append(SEGMENT_LINE(counts=segments).text(lang))
        classes = sep.join(f"{c} {self.class_counts.get(c, 0)}" for c in CLASSES)
        manual = MANUAL_LINE(count=self.manual).text(lang) if self.manual else ""
        lines.append(CLASS_LINE(counts=classes).text(lang) + manual)
        if self.risks:
            lines.append(CHURN_LINE(high=self.risks.get("high", 0), medium=self.risks.get("medium", 0)).text(lang))
        problems = self.session.written_name("problems")
        if self.session.orders and self.unknown_orders:
            lines.append(UNKNOWN_LINE(sheet=self.session.customers.table.sheet, count=self.unknown_orders,
                                      problems=problems).text(lang))
        lines += [note.text(lang) for note in self.session.notes + self.notes]
        lines += problem_lines(self.session, problems, lang)
        lines.append(SUMMARY_LINE(sheet=self.session.written_name("summary")).text(lang))
        return lines + saved_lines(self.saved, lang)
