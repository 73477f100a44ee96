"""Named RFM segments with a suggested next action, from rules the team can read and edit.

The rules are tried from top to bottom; the first whose R, F and M ranges all hold names
the segment. A range is written 4-5, 3, 1,3 or left empty for any score. The defaults
cover every one of the 125 combinations. Customers without purchases are Prospects.

Scores are relative (quintiles), so when everyone has gone quiet the least quiet still score R 5.
A segment name must not claim what an absolute fact denies: a customer silent past their churn
horizon (High churn risk) is looked up with an R of at most LAPSED_R, the rules' "gone quiet"
range, so Champions becomes Can't lose and New becomes Hibernating. Their R score stays as it is.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.settings import Block, Col, Settings

PROSPECT = "prospect"
LAPSED_R = 2  # the highest R the default rules give to customers who stopped buying (Can't lose, At risk ...)
ANY = frozenset(range(1, 6))
ANY_WORDS = {"", "*", "any", "all", "-", "任意", "全部", "不限"}


@dataclass(frozen=True)
class Segment:
    key: str
    en: str
    zh: str
    r: frozenset[int] = ANY
    f: frozenset[int] = ANY
    m: frozenset[int] = ANY
    action_en: str = ""
    action_zh: str = ""

    def name(self, lang: str) -> str:
        return pick(lang, self.en or self.zh, self.zh or self.en)

    def action(self, lang: str) -> str:
        return pick(lang, self.action_en or self.action_zh, self.action_zh or self.action_en)

    def matches(self, r: int, f: int, m: int) -> bool:
        return r in self.r and f in self.f and m in self.m


def _rule(key, en, zh, r, f, m, action_en, action_zh) -> dict[str, Any]:
    return {"key": key, "en": en, "zh": zh, "r": r, "f": f, "m": m, "action_en": action_en, "action_zh": action_zh}


DEFAULT_RULES = (
    _rule("champions", "Champions", "重要价值客户", "4-5", "4-5", "4-5",
          "Reward them: early access to new products, VIP service, ask for referrals.",
          "重点维护:新品优先体验、VIP 服务,请他们转介绍。"),
    _rule("loyal", "Loyal", "忠诚客户", "3-5", "4-5", "",
          "Upsell higher-value products; ask for reviews and case studies.",
          "推荐更高价值的产品,邀请评价或做成功案例。"),
    _rule("cant_lose", "Can't lose", "不能流失客户", "1-2", "4-5", "4-5",
          "Call them personally: find out why they stopped, offer renewals or new products.",
          "亲自联系,了解停购原因,提供续约或新产品,别让竞争对手抢走。"),
    _rule("cant_lose", "Can't lose", "不能流失客户", "1-2", "", "5",
          "Call them personally: find out why they stopped, offer renewals or new products.",
          "亲自联系,了解停购原因,提供续约或新产品,别让竞争对手抢走。"),
    _rule("at_risk", "At risk", "流失风险客户", "1-2", "3-5", "",
          "Reconnect with a personal message and a relevant offer before they leave.",
          "尽快发送个性化问候和针对性优惠,挽回客户。"),
    _rule("new", "New", "新客户", "5", "1", "",
          "Welcome them: help with the first use, check satisfaction, build the relationship.",
          "做好新客户欢迎和使用指导,回访满意度,建立关系。"),
    _rule("potential", "Potential loyalist", "潜力客户", "4-5", "2-3", "",
          "Offer a loyalty programme or membership; recommend related products.",
          "邀请加入会员或长期合作计划,推荐相关产品。"),
    _rule("promising", "Promising", "有潜力新客", "4", "1", "",
          "Build awareness: share useful content, offer a trial or a small second order.",
          "加强品牌认知:分享有用资料,提供试用或小额复购优惠。"),
    _rule("needs_attention", "Needs attention", "需要关注客户", "3", "3", "",
          "Make a limited-time offer based on what they bought before.",
          "根据以往购买推荐产品,提供限时优惠。"),
    _rule("about_to_sleep", "About to sleep", "即将沉睡客户", "3", "1-2", "",
          "Reconnect before they go quiet: share popular products and a discount.",
          "在客户沉睡前重新联系:推荐热销产品并给予折扣。"),
    _rule("lost", "Lost", "已流失客户", "1", "1", "",
          "Try one reactivation campaign; otherwise spend little effort.",
          "尝试一次唤回活动,无回应则减少投入。"),
    _rule("hibernating", "Hibernating", "沉睡客户", "1-2", "1-2", "",
          "Offer other relevant products and special discounts to revive interest.",
          "推荐其他相关产品和特别折扣,重新唤起兴趣。"),
    _rule(PROSPECT, "Prospect", "潜在客户", "", "", "",
          "No purchase yet: qualify the need and make the first offer.",
          "尚未成交:确认需求,给出首次报价。"),
)

COLUMNS = (Col("key", "Key", "键"), Col("en", "English name", "英文名称"), Col("zh", "Chinese name", "中文名称"),
           Col("r", "R", "R"), Col("f", "F", "F"), Col("m", "M", "M"),
           Col("action_en", "Suggested action (en)", "建议行动(英文)"),
           Col("action_zh", "Suggested action (zh)", "建议行动(中文)"))

SEGMENT_BLOCK = Block(
    "segments", Msg("Segment rules", "客户分群规则"), COLUMNS, lambda: [dict(r) for r in DEFAULT_RULES], key=None,
    note=Msg("Tried top to bottom: the first rule whose R, F and M ranges all hold names the segment. "
             "A range is 4-5, 3 or empty for any score. 'prospect' names customers without purchases. "
             "A customer at High churn risk is matched with an R of at most 2, whatever their R score.",
             "自上而下匹配:第一条 R、F、M 都符合的规则决定分群。范围写作 4-5、3,留空表示任意分数。"
             "prospect 一行用于没有购买记录的客户。流失风险为“高”的客户按 R 不高于 2 匹配,不论其 R 分数。"),
)

BAD_RANGE = Msg(
    "Settings sheet, block '{block}', rule '{rule}', column {column}: '{value}' is not a range of scores "
    "like 4-5 or 3 (scores are 1 to 5).",
    "设置表“{block}”中规则“{rule}”的 {column} 列:“{value}”不是有效的分数范围(如 4-5 或 3,分数为 1 到 5)。")
UNMATCHED = Msg(
    "{count} customers match no segment rule (e.g. RFM {example}); their segment is left empty. "
    "Add a rule for them in the settings sheet.",
    "{count} 个客户不符合任何分群规则(如 RFM {example}),其分群留空。请在设置表中补充规则。")


def parse_range(value: Any, where: Mapping[str, object]) -> frozenset[int]:
    """Scores named by a cell: '4-5', '4~5', '3', '1,3', '' (any). A date is Excel's reading of '4-5'."""
    if isinstance(value, (dt.date, dt.datetime)):
        low, high = sorted((value.month, value.day))
        value = f"{low}-{high}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().lower()
    if text in ANY_WORDS:
        return ANY
    scores: set[int] = set()
    for part in re.split(r"[,;、/\s]+", text):
        bounds = re.fullmatch(r"([1-5])(?:\s*(?:[-~–—到至]|\.\.)\s*([1-5]))?", part)
        if not bounds:
            raise XlcrmError(BAD_RANGE(**where, value=str(value)))
        low, high = sorted((int(bounds[1]), int(bounds[2] or bounds[1])))
        scores.update(range(low, high + 1))
    return frozenset(scores)


def rules_from(settings: Settings) -> list[Segment]:
    rules = []
    for number, row in enumerate(settings.rows(SEGMENT_BLOCK.id), start=1):
        text = {k: _clean(row.get(k)) for k in ("key", "en", "zh", "action_en", "action_zh")}
        if not (text["key"] or text["en"] or text["zh"]):
            continue
        key = text["key"] or re.sub(r"\W+", "_", (text["en"] or text["zh"]).lower()).strip("_")
        where = {"block": SEGMENT_BLOCK.title, "rule": text["en"] or text["zh"] or key}
        ranges = {c: parse_range(row.get(c), {**where, "column": c.upper()}) for c in ("r", "f", "m")}
        rules.append(Segment(key, text["en"], text["zh"], **ranges, action_en=text["action_en"],
                             action_zh=text["action_zh"]))
    if not any(r.key == PROSPECT for r in rules):
        rules.append(prospect_default())
    return rules


def prospect_default() -> Segment:
    row = next(r for r in DEFAULT_RULES if r["key"] == PROSPECT)
    return Segment(PROSPECT, row["en"], row["zh"], action_en=row["action_en"], action_zh=row["action_zh"])


def _clean(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value not in (None, "") else ""


def lookup(rules: list[Segment]) -> np.ndarray:
    """Rule index for each (r, f, m) as r*36+f*6+m; -1 where no rule holds."""
    table = np.full(6 * 6 * 6, -1, dtype=np.int64)
    scoring = [(i, rule) for i, rule in enumerate(rules) if rule.key != PROSPECT]
    for r in range(1, 6):
        for f in range(1, 6):
            for m in range(1, 6):
                table[r * 36 + f * 6 + m] = next((i for i, rule in scoring if rule.matches(r, f, m)), -1)
    return table


def assign(scores: pd.DataFrame, rules: list[Segment], lapsed: pd.Series | None = None) -> pd.Series:
    """Index into rules per customer: the first matching rule, the prospect rule when unscored, -1 unmatched.
    lapsed (bool per customer): silent past the churn horizon, matched with an R of at most LAPSED_R."""
    prospect = next(i for i, rule in enumerate(rules) if rule.key == PROSPECT)
    scored = scores[["r_score", "f_score", "m_score"]].notna().all(axis=1)
    r_score = scores["r_score"].fillna(0)
    if lapsed is not None:
        r_score = r_score.where(~lapsed.reindex(scores.index, fill_value=False).astype(bool), r_score.clip(upper=LAPSED_R))
    codes = (r_score * 36 + scores["f_score"].fillna(0) * 6 + scores["m_score"].fillna(0))
    found = lookup(rules)[codes.astype("int64").to_numpy()]
    return pd.Series(np.where(scored.to_numpy(), found, prospect), index=scores.index)
