"""Customer value in one pass: raw RFM values, scores, segment, class and churn risk per customer.

pandas in (purchases per customer key, the rules from the settings sheet), pandas out; the
refresh action turns the result into the columns beside the team's table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlcrm.core.scores import buying_rhythm, customer_classes, rfm, segments
from xlcrm.core.settings import Settings

VALUE_COLUMNS = ("recency", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm", "segment",
                 "class", "churn_risk", "next_purchase")


@dataclass(frozen=True)
class Rules:
    scores: dict[str, rfm.ScoreRule]
    segments: list[segments.Segment]
    classes: customer_classes.ClassRules
    churn_factor: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "Rules":
        factor = settings.number("churn_factor", buying_rhythm.CHURN_BLOCK.id, default=2.0)
        return cls(rfm.rules_from(settings), segments.rules_from(settings), customer_classes.rules_from(settings),
                   factor if factor and factor > 0 else 2.0)


def by_customer(purchases: pd.DataFrame, today: dt.date, rules: Rules, rhythm_known: bool = True) -> pd.DataFrame:
    """One row per customer key that bought: VALUE_COLUMNS, with segment as an index into rules.segments,
    class computed by the rules and churn_risk a key of buying_rhythm.RISKS."""
    bought = purchases[purchases["frequency"].gt(0)]
    frame = pd.DataFrame(index=bought.index)
    frame["recency"] = (pd.Timestamp(today) - bought["last"]).dt.days.astype("Int64")
    frame["frequency"] = bought["frequency"].astype("int64")
    frame["monetary"] = bought["monetary"].astype("float64")
    scores = rfm.rfm_scores(frame, rules.scores)
    scores["r_score"] = scores["r_score"].fillna(1)  # bought, but the date of the last order is unknown
    frame = frame.join(scores)
    frame["class"] = customer_classes.computed_classes(bought, rules.classes, rhythm_known)
    if rhythm_known:
        frame = frame.join(buying_rhythm.churn(bought["last"], bought["gap"], today, rules.churn_factor))
    else:
        frame["next_purchase"], frame["churn_risk"] = pd.NaT, None
    lapsed = frame["churn_risk"].eq("high")  # silent past the churn horizon: no name that says otherwise
    frame["segment"] = segments.assign(frame, rules.segments, lapsed)
    return frame


def by_row(keys: pd.Series, purchases: pd.DataFrame, scored: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """VALUE_COLUMNS per Excel row (keys: customer key by row); customers without purchases are prospects."""
    frame = scored.reindex(keys.to_numpy()).set_axis(keys.index)
    prospect = frame["frequency"].isna()
    known = purchases.reindex(keys.to_numpy()).set_axis(keys.index)
    frame["frequency"] = frame["frequency"].fillna(0).astype("int64")
    frame["monetary"] = frame["monetary"].fillna(known["monetary"]).fillna(0.0)
    prospect_index = next(i for i, rule in enumerate(rules.segments) if rule.key == segments.PROSPECT)
    frame["segment"] = frame["segment"].where(~prospect, prospect_index).astype("int64")
    frame["class"] = frame["class"].where(~prospect, rules.classes.prospect_class)
    return frame[list(VALUE_COLUMNS)]


def segment_names(index: pd.Series, rules: list[segments.Segment], lang: str) -> pd.Series:
    names = np.array([r.name(lang) for r in rules] + [None], dtype=object)
    return pd.Series(names[index.to_numpy()], index=index.index, dtype=object)


def risk_names(keys: pd.Series, lang: str) -> pd.Series:
    return keys.map({k: m.text(lang) for k, m in buying_rhythm.RISKS.items()}).astype(object)
