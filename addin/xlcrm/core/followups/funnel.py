"""The 8-stage sales funnel: which stage each deal is in, and deals stuck in a stage too long."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from xlcrm.core.followups.care import touch_frame
from xlcrm.core.fields import norm_header
from xlcrm.core.followups.followup_rules import read_days
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.parse import clean_text
from xlcrm.core.settings import Block, Col, Settings

STAGES = (
    ("Met customer", "见到客户", 14), ("Opportunity found", "发现机会", 14),
    ("Opportunity confirmed", "确认机会", 21), ("Needs defined", "明确需求", 21),
    ("Proposal", "方案报价", 14), ("Commitment", "客户承诺", 14),
    ("Acceptance", "验收", 30), ("Payment", "收款", 30),
)
# The words other CRMs and teams use for each step, read as that step unless the settings name it otherwise.
ALSO_CALLED = (
    ("lead", "new lead", "prospecting", "contacted", "first contact", "prospect", "initial contact", "new",
     "attempted to contact", "attempting contact", "opened", "open", "cold", "线索", "新线索", "初次接触", "初步接触",
     "初访", "潜在客户", "已联系"),
    ("opportunity", "discovery", "interested", "nurturing", "nurture", "engaged", "warm", "working", "in progress",
     "有意向", "意向客户", "发现需求", "培育"),
    ("qualified", "qualification", "qualified lead", "sql", "mql", "hot", "商机确认", "已确认"),
    ("needs analysis", "needs assessment", "requirements", "demo", "demo scheduled", "presentation",
     "value proposition", "id. decision makers", "需求分析", "需求确认", "需求调研"),
    ("quote", "quotation", "quoted", "proposal sent", "proposal/price quote", "proposal made", "proposal",
     "报价", "已报价", "方案", "方案阶段"),
    ("negotiation", "negotiating", "negotiation/review", "in negotiation", "commit", "verbal commit", "contract",
     "contract sent", "perception analysis", "decision makers bought-in", "商务谈判", "谈判", "谈判中", "合同谈判",
     "签约"),
    ("closed won", "won", "closed - won", "closed/won", "delivery", "delivered", "implementation", "customer",
     "成交", "赢单", "已成交", "交付", "实施"),
    ("paid", "invoiced", "collection", "回款", "已回款", "已收款", "付款"),
)
# Words for a deal that was won: counted in their step, but finished, so never stuck.
WON = ("closed won", "won", "closed - won", "closed/won", "成交", "赢单", "已成交")
# A deal that is over without a sale is in no stage, and not a mistake either.
CLOSED = ("closed lost", "lost", "closed - lost", "closed/lost", "dead", "disqualified", "unqualified",
          "not interested", "no response", "churned", "on hold", "closed", "输单", "丢单", "失败", "已放弃", "放弃",
          "搁置", "无意向", "已流失")
UNKNOWN_STAGE_WORD = Msg("'{word}' on {count} rows is not one of the funnel's stages: name it in 销售漏斗 / Sales "
                         "funnel in the settings, or leave it",
                         "“{word}”(共 {count} 行)不是销售漏斗中的阶段:可在设置表“销售漏斗”中填写它对应的阶段,或保持不变")
STUCK = Msg("{stage}: {days} days in stage", "{stage}:已停留 {days} 天")
_NUMBERED = re.compile(r"^\s*(\d+)\s*[.、)）:：\-_ ]?\s*")

FUNNEL = Block(
    "funnel", Msg("Sales funnel", "销售漏斗"),
    (Col("key", "Step", "步骤"), Col("stage", "Stage", "阶段"), Col("days", "Stuck after (days)", "停滞天数")),
    lambda: [{"key": str(step), "stage": Msg(en, zh), "days": days} for step, (en, zh, days) in enumerate(STAGES, 1)],
    note=Msg("Rename a stage to the word your sheet uses (usual words such as Lead, Proposal, Won, 报价, 成交 are "
             "read already; Lost and 输单 are in no stage); a deal longer than the days in its stage is flagged. "
             "Finished deals are never flagged: the last stage (收款 / Payment), won (成交, Won) and lost (输单, Lost); "
             "a column 输单原因 / Lost reason is counted in the report.",
             "可把阶段名改成表中所用的叫法(线索、报价、成交、Lead、Won 等常用说法已可识别;输单、Lost 不计入任何阶段);"
             "在某阶段停留超过天数的商机会被标出。已结束的商机不会被标出:最后阶段(收款)、已成交(成交、Won)"
             "和输单(输单、Lost);“输单原因 / Lost reason”列在报告中统计。"),
)


def funnel_stages(settings: Settings, notes: list[Msg]) -> pd.DataFrame:
    """The 8 stages as set: step (1..8), name in both languages, the team's own name, stuck days."""
    rows = {clean_text(r.get("key")): r for r in settings.rows("funnel")}
    table = []
    for step, (en, zh, days) in enumerate(STAGES, 1):
        row = rows.get(str(step), {})
        own = clean_text(row.get("stage")) if isinstance(row.get("stage"), str) else ""
        own = "" if norm_header(own) in (norm_header(en), norm_header(zh)) else own  # a default, in either language
        table.append({"step": step, "en": en, "zh": zh, "own": own,
                      "days": read_days(row.get("days"), days, Msg(en, zh), notes)})
    return pd.DataFrame(table).set_index("step", drop=False)


def stage_names(stages: pd.DataFrame, lang: str) -> pd.Series:
    """The name each step is shown with: the team's own, else the default in the language."""
    default = stages["zh"] if lang == "zh" else stages["en"]
    return stages["own"].where(stages["own"] != "", default)


def stage_steps(stage: pd.Series, stages: pd.DataFrame) -> pd.Series:
    """The step (1..8) of each deal's stage text, matching any name a step has; NA when unknown or empty."""
    lookup = {norm_header(name): step for step, names in enumerate(ALSO_CALLED, 1) for name in names}
    lookup.update({norm_header(name): step for step, row in stages.iterrows()
                   for name in (row["en"], row["zh"], row["own"]) if name})  # the settings' names win

    def step_of(value) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        if text.isdigit():
            return int(text) if 1 <= int(text) <= len(STAGES) else None
        return lookup.get(norm_header(text)) or lookup.get(norm_header(_NUMBERED.sub("", text)))

    distinct = {value: step_of(value) for value in stage.dropna().unique()}  # a few names, many rows
    return stage.map(distinct).astype("Int64")


def unknown_stages(stage: pd.Series, steps: pd.Series) -> pd.Series:
    """Rows whose stage is filled in but names no stage of the funnel."""
    filled = {value: bool(clean_text(value)) for value in stage.dropna().unique()}
    return stage.map(filled).eq(True) & steps.isna() & ~lost_deals(stage)


def _matches(stage: pd.Series, words: tuple[str, ...]) -> pd.Series:
    known = {norm_header(word) for word in words}
    distinct = {value: norm_header(_NUMBERED.sub("", clean_text(value))) in known for value in stage.dropna().unique()}
    return stage.map(distinct).eq(True)


def lost_deals(stage: pd.Series) -> pd.Series:
    """Deals over without a sale (输单, Lost, 已放弃...)."""
    return _matches(stage, CLOSED)


def finished_deals(stage: pd.Series, steps: pd.Series) -> pd.Series:
    """Deals that are over: in the last stage (paid), won, or lost. None of them is ever stuck."""
    return steps.eq(len(STAGES)).fillna(False).astype(bool) | _matches(stage, WON) | lost_deals(stage)


def stuck_touches(people: pd.DataFrame, steps: pd.Series, stages: pd.DataFrame, today: dt.date,
                  lang: str) -> pd.DataFrame:
    """A touch for each open deal that stayed in its stage longer than the stage allows."""
    since = pd.to_datetime(people["stage_since"])
    allowed = steps.map(stages["days"]).astype("float64")
    days_in = (pd.Timestamp(today) - since).dt.days
    open_deal = ~finished_deals(people["stage"], steps)
    stuck = since.notna() & steps.notna() & open_deal & (days_in > allowed)
    names = stage_names(stages, lang)
    template = pick(lang, STUCK.en, STUCK.zh)
    detail = pd.Series([template.format(stage=names.get(s), days=int(d)) if ok else None
                        for s, d, ok in zip(steps, days_in, stuck)], index=people.index, dtype=object)
    due = since + pd.to_timedelta(allowed, unit="D")
    return touch_frame(people, stuck, "stuck", due, today, detail)


def funnel_counts(steps: pd.Series, stuck_rows: pd.Index, stages: pd.DataFrame) -> pd.DataFrame:
    """Deals per stage and how many of them are stuck; the stage's name in each language (stage_en, stage_zh)."""
    stuck = steps.loc[steps.index.isin(stuck_rows)]
    return pd.DataFrame({
        "stage_en": stage_names(stages, "en"),
        "stage_zh": stage_names(stages, "zh"),
        "deals": steps.value_counts().reindex(stages.index, fill_value=0),
        "stuck": stuck.value_counts().reindex(stages.index, fill_value=0),
    })
