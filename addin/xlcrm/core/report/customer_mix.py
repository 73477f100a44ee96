"""Who the customers are: per segment and per class with their share of revenue, and the 80/20 curve."""

from __future__ import annotations

import math

import pandas as pd

from xlcrm.core.scores.customer_classes import CLASSES, MEANINGS
from xlcrm.core.edits import INT, MONEY, PERCENT
from xlcrm.core.i18n import Msg
from xlcrm.core.customer_figures import mix
from xlcrm.core.report.sections import ChartSpec, Column, Section, table
from xlcrm.core.scores.segments import Segment

SEGMENTS = Msg("Customers per segment", "各分群客户")
CLASSES_TITLE = Msg("Customers per class", "各等级客户")
PARETO = Msg("Revenue concentration (80/20)", "收入集中度(80/20)")
NO_SEGMENT = Msg("(no segment)", "(未分群)")
MIX_COLUMNS = (Column("customers", Msg("Customers", "客户数"), INT),
               Column("customer_share", Msg("Share of customers", "客户占比"), PERCENT),
               Column("revenue", Msg("Revenue", "收入"), MONEY),
               Column("revenue_share", Msg("Share of revenue", "收入占比"), PERCENT))
SEGMENT_COLUMNS = (Column("segment", Msg("Segment", "分群")), *MIX_COLUMNS,
                   Column("action", Msg("Suggested action", "建议行动")))
CLASS_COLUMNS = (Column("class", Msg("Class", "等级")), *MIX_COLUMNS, Column("meaning", Msg("Meaning", "含义")))
PARETO_COLUMNS = (Column("top", Msg("Customers by revenue", "按收入排序的客户")),
                  Column("customers", Msg("Customers", "客户数"), INT),
                  Column("customer_share", Msg("Share of customers", "客户占比"), PERCENT),
                  Column("revenue", Msg("Revenue (cumulative)", "累计收入"), MONEY),
                  Column("revenue_share", Msg("Share of revenue (cumulative)", "累计收入占比"), PERCENT))
TOP = Msg("Top {share}", "前 {share}")
STEPS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
EIGHTY = Msg("{customers} customers ({share:.0%} of those who spent) make 80% of the revenue; the top 20% make "
             "{top20:.0%} of it.", "{customers} 个客户(占有消费客户的 {share:.0%})贡献了 80% 的收入;前 20% 的客户贡献了 {top20:.0%}。")
NO_REVENUE = Msg("No customer has spent anything yet.", "还没有客户产生收入。")
REVENUE_NOTE = Msg("Revenue: each customer's net amount spent to date (refunds deducted).",
                   "收入:每个客户至今的净消费金额(已扣除退款)。")
CHART_SEGMENTS = Msg("Customers per segment", "各分群客户数")
CHART_CLASSES = Msg("Revenue by class", "各等级收入占比")
CHART_PARETO = Msg("Cumulative share of revenue", "累计收入占比")


def segment_section(scores: pd.DataFrame, rules: list[Segment], lang: str) -> Section:
    names = list(dict.fromkeys(s.name(lang) for s in rules))
    actions: dict[str, str] = {}
    for rule in rules:
        actions.setdefault(rule.name(lang), rule.action(lang))
    unmatched = NO_SEGMENT.text(lang)
    named = scores.assign(segment=scores["segment"].fillna(unmatched))
    if (named["segment"] == unmatched).any():
        names.append(unmatched)
    frame = mix(named, "segment", names)
    frame["action"] = frame["segment"].map(actions)
    return Section("segments", SEGMENTS, [table(SEGMENT_COLUMNS, frame)], [REVENUE_NOTE],
                   ChartSpec("bar", CHART_SEGMENTS, "segment", ("customers",)))


def class_section(scores: pd.DataFrame, lang: str) -> Section:
    frame = mix(scores, "class", list(CLASSES))
    frame["meaning"] = frame["class"].map({c: MEANINGS[c].text(lang) for c in CLASSES})
    return Section("classes", CLASSES_TITLE, [table(CLASS_COLUMNS, frame)], [],
                   ChartSpec("pie", CHART_CLASSES, "class", ("revenue",)))


def pareto_section(scores: pd.DataFrame, lang: str) -> Section:
    """Customers who spent, largest first: how much of the revenue the top 5%, 10%, ... make."""
    spent = scores["monetary"][scores["monetary"] > 0].sort_values(ascending=False, kind="stable")
    if spent.empty:
        return Section("pareto", PARETO, missing=NO_REVENUE)
    cumulative = spent.cumsum().to_numpy()
    total, count = float(cumulative[-1]), len(spent)
    counts = [max(1, math.ceil(step * count - 1e-9)) for step in STEPS]
    frame = pd.DataFrame({
        "top": [TOP(share=f"{step:.0%}").text(lang) for step in STEPS],
        "customers": counts,
        "customer_share": [n / count for n in counts],
        "revenue": [float(cumulative[n - 1]) for n in counts],
    })
    frame["revenue_share"] = frame["revenue"] / total
    eighty = int((cumulative < 0.8 * total - 1e-9).sum()) + 1
    top20 = float(cumulative[counts[STEPS.index(0.2)] - 1]) / total
    note = EIGHTY(customers=eighty, share=eighty / count, top20=top20)
    return Section("pareto", PARETO, [table(PARETO_COLUMNS, frame)], [note, REVENUE_NOTE],
                   ChartSpec("line", CHART_PARETO, "top", ("revenue_share",)))
