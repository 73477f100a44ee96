"""A/B/C/D classes as the team practises them, from value and regularity, and the user's own word.

A: strategic, high and steady contribution. B: high potential value, large but volatile demand.
C: unstable demand but some influence. D: small contribution, unstable.

Value: customers ranked by net amount spent, largest first; those who together make up the
first `high_share` of revenue are high value, the next ones up to `some_share` have some
influence. Equal spenders always fall on the same side. Steady: enough purchases, on
different days, whose gaps vary little (standard deviation / mean of the gaps). Without
an orders sheet the gaps are unknown and the number of orders alone decides.

A class the user chose wins over these rules: see class_choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import pandas as pd

from xlcrm.core.scores.class_choice import normalize_class
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.settings import KV_COLUMNS, Block, Settings, kv

CLASSES = ("A", "B", "C", "D")
MEANINGS = {
    "A": Msg("Strategic: high and steady contribution", "战略客户:贡献高且稳定"),
    "B": Msg("High potential value: large but volatile demand", "高潜力客户:需求量大但不稳定"),
    "C": Msg("Unstable demand but some influence", "需求不稳定但有一定影响力"),
    "D": Msg("Small contribution, unstable", "贡献小且不稳定"),
}

CLASS_BLOCK = Block(
    "classes", Msg("Class rules", "客户等级规则"), KV_COLUMNS,
    lambda: [
        kv("high_share", "80%", Msg("High value: customers making up this share of revenue",
                                    "高价值:累计贡献该比例收入的客户"),
           Msg("Customers ranked by amount spent, largest first: those who together make up this share of all "
               "revenue are high value (A if steady, else B).",
               "按消费金额从高到低排列,累计贡献该比例收入的客户为高价值(稳定为 A,否则为 B)。")),
        kv("some_share", "95%", Msg("Some influence: up to this share of revenue", "有一定影响力:累计收入比例上限"),
           Msg("The next customers, up to this share of revenue, have some influence (C).",
               "其后累计到该比例收入的客户有一定影响力(C)。")),
        kv("steady_orders", 3, Msg("Steady: at least this many purchases", "稳定:至少购买次数"),
           Msg("Purchases on different days. Small but steady customers are C.",
               "按不同日期计算。贡献小但稳定的客户为 C。")),
        kv("steady_cv", 0.5, Msg("Steady: gaps between purchases vary at most", "稳定:购买间隔波动上限"),
           Msg("Standard deviation of the gaps divided by their mean; 0 is a perfectly regular rhythm. "
               "Without an orders sheet only the number of purchases counts.",
               "购买间隔的标准差除以平均值;0 表示完全规律。没有订单表时只看购买次数。")),
        kv("prospect_class", "D", Msg("Class of customers without purchases", "无购买记录客户的等级"),
           Msg("One of A, B, C, D.", "A、B、C、D 之一。")),
    ],
    note=Msg("A: high value and steady; B: high value, not steady; C: some influence, or small but steady; "
             "D: the rest. A class you type in the Class column, or in a Manual class column, wins and is kept; "
             "clear it to return to the computed class.",
             "A:高价值且稳定;B:高价值但不稳定;C:有一定影响力,或贡献小但稳定;D:其余。"
             "在“客户等级”列或“指定等级”列中手动填写的等级优先并保留;清空即恢复按规则计算。"),
)

BAD_SETTING = Msg("Settings sheet, block '{block}': {name} ({cell}) is '{value}', which is not {expected}.",
                  "设置表“{block}”中“{name}”({cell})的值“{value}”不是{expected}。")
SHARES_INVERTED = Msg(
    "Settings sheet, block '{block}': '{some}' ({some_cell}) is {some_value}, below '{high}' ({high_cell}) "
    "{high_value}: no customer could have some influence (C) by value. Make {some_cell} at least {high_value} "
    "(e.g. 80% and 95%).",
    "设置表“{block}”中“{some}”({some_cell})为 {some_value},低于“{high}”({high_cell})的 {high_value}:"
    "这样没有客户能按金额算作有一定影响力(C)。请把 {some_cell} 改为不低于 {high_value}(例如 80% 与 95%)。")
A_SHARE = Msg("a percentage between 0 and 100", "0 到 100 之间的百分比")
A_NUMBER = Msg("a number of 0 or more", "大于等于 0 的数")
A_CLASS = Msg("one of A, B, C, D", "A、B、C、D 之一")


@dataclass(frozen=True)
class ClassRules:
    high_share: float = 0.8
    some_share: float = 0.95
    steady_orders: int = 3
    steady_cv: float = 0.5
    prospect_class: str = "D"


def rules_from(settings: Settings) -> ClassRules:
    block = CLASS_BLOCK.id

    def name(key: str) -> Msg:
        return next(r["name"] for r in CLASS_BLOCK.defaults() if r["key"] == key)

    def fail(key: str, expected: Msg) -> NoReturn:
        raise XlcrmError(BAD_SETTING(block=CLASS_BLOCK.title, name=name(key), value=settings.text(key, block),
                                     expected=expected, cell=settings.cell(block, key, "value")))

    def share(key: str) -> float:
        text = settings.text(key, block).replace("%", "").strip()
        try:
            number = float(text)
        except ValueError:
            fail(key, A_SHARE)
        fraction = number if number <= 1 and "%" not in settings.text(key, block) else number / 100
        if not 0 < fraction <= 1:
            fail(key, A_SHARE)
        return fraction

    def number(key: str) -> float:
        value = settings.number(key, block)
        if value is None or value < 0:
            fail(key, A_NUMBER)
        return value

    prospect = normalize_class(settings.value("prospect_class", block))
    if not prospect:
        fail("prospect_class", A_CLASS)
    high, some = share("high_share"), share("some_share")
    if some < high:  # an upper bound below the top share: refused, not quietly raised to it
        raise XlcrmError(SHARES_INVERTED(
            block=CLASS_BLOCK.title, some=name("some_share"), some_cell=settings.cell(block, "some_share", "value"),
            some_value=f"{some * 100:g}%", high=name("high_share"), high_cell=settings.cell(block, "high_share", "value"),
            high_value=f"{high * 100:g}%"))
    return ClassRules(high, some, int(number("steady_orders")), number("steady_cv"), prospect)


def revenue_above(monetary: pd.Series) -> pd.Series:
    """Per customer: the share of revenue made by customers who spent strictly more (0 for the largest)."""
    spent = monetary.clip(lower=0).fillna(0.0)
    total = spent.sum()
    if total <= 0:
        return pd.Series(1.0, index=monetary.index)
    per_value = spent.groupby(spent).sum().sort_index(ascending=False)
    above = per_value.cumsum().shift(fill_value=0.0) / total
    return spent.map(above)


def computed_classes(purchases: pd.DataFrame, rules: ClassRules, rhythm_known: bool = True) -> pd.Series:
    """Class per customer with purchases (columns frequency, monetary, gap_cv, gaps)."""
    above = revenue_above(purchases["monetary"])
    spends = purchases["monetary"].fillna(0).gt(0)
    high = spends & above.lt(rules.high_share - 1e-12)
    some = spends & above.lt(rules.some_share - 1e-12)
    if rhythm_known:
        steady = (purchases["gaps"] + 1).ge(rules.steady_orders) & purchases["gap_cv"].le(rules.steady_cv)
    else:
        steady = purchases["frequency"].ge(rules.steady_orders)
    classes = np.select([high & steady, high, some | steady], ["A", "B", "C"], default="D")
    return pd.Series(classes, index=purchases.index, dtype=object)
