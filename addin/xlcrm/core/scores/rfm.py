"""R, F and M scores, 1 to 5 (5 best), from recency (days), frequency (orders) and monetary (amount).

Each score has a rule in the settings sheet: by quantiles (edges in percent of customers,
20,40,60,80 by default: quintiles) or by fixed thresholds (edges in days, orders or amount).
Equal values always get equal scores: with quantiles a customer's score depends only on
the share of the other customers whose value is strictly worse (0 for the worst, 1 for the
best), so a tie is never split across scores, and a better value never gets a lower score.
Customers all alike get the middle score (3), as one customer alone does: there is no one to be worse than.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.settings import Block, Col, Settings

QUANTILES, THRESHOLDS = "quantiles", "thresholds"
METHOD_WORDS = {
    QUANTILES: {"quantiles", "quantile", "quintiles", "percentiles", "percent", "q", "%", "分位数", "分位",
                "百分位", "百分比", "五分位"},
    THRESHOLDS: {"thresholds", "threshold", "fixed", "values", "t", "阈值", "固定", "固定阈值", "临界值"},
}
SCORES = {"r": "recency", "f": "frequency", "m": "monetary"}
SCORE_NAMES = {
    "r": Msg("R: recency, days since the last purchase (fewer is better)", "R:最近一次购买距今天数(越少越好)"),
    "f": Msg("F: frequency, number of orders", "F:购买次数"),
    "m": Msg("M: monetary, total amount spent (net of refunds)", "M:消费总金额(扣除退款)"),
}
THRESHOLD_NOTES = {
    "r": Msg("thresholds: days, e.g. 30,60,90,180 gives 5 up to 30 days ... 1 beyond 180",
             "阈值:天数,如 30,60,90,180 表示 30 天内 5 分……超过 180 天 1 分"),
    "f": Msg("thresholds: orders, e.g. 2,3,5,10 gives 1 below 2 orders ... 5 from 10",
             "阈值:次数,如 2,3,5,10 表示少于 2 次 1 分……10 次及以上 5 分"),
    "m": Msg("thresholds: amounts, e.g. 1000,5000,20000,50000 gives 5 from 50000",
             "阈值:金额,如 1000,5000,20000,50000 表示 50000 及以上 5 分"),
}
BAD_EDGES = Msg(
    "Settings sheet, block '{block}', score {score}: '{edges}' is not four increasing numbers "
    "(e.g. 20,40,60,80).",
    "设置表“{block}”中 {score} 分的分段“{edges}”不是四个递增的数字(例如 20,40,60,80)。")
BAD_PERCENT = Msg(
    "Settings sheet, block '{block}', score {score}: quantile edges are percentages between 0 and 100, "
    "not '{edges}'.",
    "设置表“{block}”中 {score} 分按分位数分段时,分段值应为 0 到 100 之间的百分比,而不是“{edges}”。")
BAD_METHOD = Msg(
    "Settings sheet, block '{block}', score {score}: method '{method}' is neither quantiles nor thresholds.",
    "设置表“{block}”中 {score} 分的方法“{method}”既不是分位数也不是阈值。")

SCORE_BLOCK = Block(
    "scores", Msg("RFM scores", "RFM评分"),
    (Col("key", "Score", "评分"), Col("name", "Meaning", "含义", shown=True),
     Col("method", "Method", "方法"), Col("edges", "Edges", "分段"), Col("note", "Note", "说明", shown=True)),
    lambda: [{"key": key, "name": SCORE_NAMES[key], "method": Msg(QUANTILES, "分位数"), "edges": "20,40,60,80",
              "note": THRESHOLD_NOTES[key]} for key in SCORES],
    note=Msg("Method: quantiles (edges in % of customers; 20,40,60,80 = quintiles) or thresholds (edges in "
             "days, orders or amount). Equal values always get the same score.",
             "方法:分位数(分段为客户百分比,20,40,60,80 即五等分)或阈值(分段为天数、次数或金额)。"
             "数值相同的客户得分一定相同。"),
)


@dataclass(frozen=True)
class ScoreRule:
    method: str
    edges: tuple[float, ...]


def _text(value: Any) -> str:
    if isinstance(value, Msg):
        value = value.en
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


def parse_rule(key: str, method: Any, edges: Any) -> ScoreRule:
    """A score rule from the settings sheet's cells, or a message naming what is wrong."""
    block, score = SCORE_BLOCK.title, key.upper()
    word = _text(method).lower() or QUANTILES
    chosen = next((m for m, words in METHOD_WORDS.items() if word in words), None)
    if chosen is None:
        raise XlcrmError(BAD_METHOD(block=block, score=score, method=_text(method)))
    raw = _text(edges) or "20,40,60,80"
    parts = [p for p in re.split(r"[,;/、\s]+", raw.replace("%", "")) if p]
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 4 or any(b <= a for a, b in zip(numbers, numbers[1:])):
        raise XlcrmError(BAD_EDGES(block=block, score=score, edges=raw))
    if chosen == QUANTILES and not all(0 < n < 100 for n in numbers):
        raise XlcrmError(BAD_PERCENT(block=block, score=score, edges=raw))
    return ScoreRule(chosen, numbers)


def rules_from(settings: Settings) -> dict[str, ScoreRule]:
    rows = {str(r.get("key", "")).strip().lower(): r for r in settings.rows(SCORE_BLOCK.id)}
    return {key: parse_rule(key, rows.get(key, {}).get("method"), rows.get(key, {}).get("edges")) for key in SCORES}


def score(values: pd.Series, rule: ScoreRule, higher_is_better: bool = True) -> pd.Series:
    """1..5 per value (missing values stay missing)."""
    known = values.dropna().astype("float64")
    if rule.method == QUANTILES:
        better = known if higher_is_better else -known
        below = better.rank(method="min").to_numpy() - 1  # customers with a strictly worse value
        # no spread to rank on (one customer, or all alike: every order placed the same day) is the middle score, not
        # the worst: a whole team of yesterday's buyers is no team of lost customers
        share = below / (len(known) - 1) if below.any() else np.full(len(known), 0.5)
        reached = share[:, None] >= np.array(rule.edges)[None, :] / 100 - 1e-12
        points = 1 + reached.sum(axis=1)
    elif higher_is_better:
        points = 1 + (known.to_numpy()[:, None] >= np.array(rule.edges)[None, :]).sum(axis=1)
    else:
        points = 5 - (known.to_numpy()[:, None] > np.array(rule.edges)[None, :]).sum(axis=1)
    return pd.Series(points, index=known.index, dtype="Int64").reindex(values.index)


def rfm_scores(raw: pd.DataFrame, rules: dict[str, ScoreRule]) -> pd.DataFrame:
    """r_score, f_score, m_score and the three digits as text ("545"), from recency/frequency/monetary."""
    scores = pd.DataFrame({
        "r_score": score(raw["recency"], rules["r"], higher_is_better=False),
        "f_score": score(raw["frequency"], rules["f"]),
        "m_score": score(raw["monetary"], rules["m"]),
    }, index=raw.index)
    scored = scores.notna().all(axis=1)
    digits = scores[scored].astype("int64").astype(str)
    scores["rfm"] = pd.Series(digits["r_score"] + digits["f_score"] + digits["m_score"], dtype=object) \
        .reindex(raw.index)
    return scores
