"""The work in hand: the funnel by stage with the deals stuck in a stage, and follow-ups per owner."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlcrm.core.followups.due import Due
from xlcrm.core.followups.due_list import NO_OWNER, REGULAR, follow_up_totals, listed, owner_counts
from xlcrm.core.edits import DATE, INT, MONEY, PERCENT
from xlcrm.core.followups.funnel import funnel_counts, lost_deals, stage_names, stage_steps
from xlcrm.core.i18n import Msg
from xlcrm.core.owners import names_in
from xlcrm.core.report.sections import ChartSpec, Column, Section, share, table

FUNNEL = Msg("Sales funnel", "销售漏斗")
NO_STAGE = Msg("Not available: sheet '{sheet}' has no stage column (阶段 / Stage), so deals cannot be placed in the "
               "funnel. Add one, or name yours in the settings sheet's column mapping.",
               "无法显示:工作表“{sheet}”没有阶段列(阶段 / Stage),无法把商机归入漏斗。请添加该列,或在设置表的列映射中填写您的列名。")
FUNNEL_COLUMNS = (Column("stage", Msg("Stage", "阶段")), Column("deals", Msg("Deals", "商机数"), INT),
                  Column("deal_share", Msg("Share of deals", "商机占比"), PERCENT),
                  Column("amount", Msg("Amount", "金额"), MONEY), Column("stuck", Msg("Stuck", "停滞"), INT))
STUCK_COLUMNS = (Column("customer", Msg("Customer", "客户")), Column("owner", Msg("Owner", "负责人")),
                 Column("stage", Msg("Stage", "阶段")), Column("since", Msg("In stage since", "进入阶段"), DATE),
                 Column("days", Msg("Days in stage", "停留天数"), INT),
                 Column("allowed", Msg("Stuck after (days)", "停滞天数"), INT),
                 Column("amount", Msg("Amount", "金额"), MONEY))
STUCK_TITLE = Msg("Deals stuck in a stage", "停滞的商机")
LOST_COLUMNS = (Column("reason", Msg("Lost reason", "输单原因")), Column("deals", Msg("Deals", "商机数"), INT),
                Column("share", Msg("Share", "占比"), PERCENT))
LOST_TITLE = Msg("Deals lost, by reason", "输单原因统计")
NO_REASON = Msg("(no reason given)", "(未填写原因)")
LOST_NOTE = Msg("{count} deals lost (输单 / Lost); won, paid and lost deals are finished and never counted as stuck.",
                "输单 {count} 个;已成交、已收款和输单的商机已结束,不计为停滞。")
AMOUNT_FROM = {
    "deal_amount": Msg("Amount: the deal value column.", "金额:表中的商机金额列。"),
    "monetary": Msg("Amount: what the customers in the stage have spent to date (the sheet has no deal value column, "
                    "e.g. 商机金额 / Deal value).",
                    "金额:该阶段客户至今的消费金额(表中没有商机金额列,如“商机金额 / Deal value”)。"),
    "none": Msg("Amount: not known (no deal value column and no purchases).", "金额:未知(没有商机金额列,也没有购买数据)。"),
}
NO_DEALS = Msg("No customer has a stage that names a step of the funnel.", "没有客户的阶段属于销售漏斗中的步骤。")
CHART_FUNNEL = Msg("Deals per stage", "各阶段商机数")

FOLLOWUPS = Msg("Follow-ups per owner", "各负责人的跟进")
FOLLOWUP_COLUMNS = (Column("owner", Msg("Owner", "负责人")), Column("overdue", Msg("Overdue", "逾期"), INT),
                    Column("due_today", Msg("Due today", "今日到期"), INT),
                    Column("due_week", Msg("Due this week", "本周到期"), INT),
                    Column("no_date", Msg("No date", "无日期"), INT),
                    Column("other", Msg("Care and other touches (this week or overdue)", "关怀及其他事项(本周内或逾期)"),
                           INT))
OVERDUE_COLUMNS = (Column("customer", Msg("Customer", "客户")), Column("owner", Msg("Owner", "负责人")),
                   Column("due", Msg("Due", "应跟进日"), DATE), Column("late", Msg("Days overdue", "逾期天数"), INT),
                   Column("class", Msg("Class", "等级")), Column("last_contact", Msg("Last contact", "最近联系"), DATE))
OVERDUE_TITLE = Msg("Most overdue follow-ups", "逾期最久的跟进")
FOLLOWUP_NOTE = Msg("As of {today}: regular follow-ups (and first answers to new leads) by status, a customer shared "
                    "by two owners counted for each; care occasions, thank-yous, return visits and stuck deals due "
                    "this week or overdue are counted apart. The due list and xlcrm followups count the same way.",
                    "截至 {today}:按状态统计定期跟进(含新线索首次回复),两人共管的客户各计一次;本周内到期或逾期的关怀、"
                    "致谢、回访和停滞商机另列一栏。待跟进清单和 xlcrm followups 的统计口径相同。")
TOTALS = Msg("In all (each customer once): {overdue} overdue, {due_today} due today, {due_week} due this week.",
             "合计(每个客户计一次):逾期 {overdue},今日到期 {due_today},本周到期 {due_week}。")
CHART_FOLLOWUPS = Msg("Follow-ups per owner", "各负责人待跟进")
MISSED = Msg("Greetings missed (their window closed before they went out): {count} ({customers}); they are in the "
             "due list.", "错过的问候(发送期已过仍未发出):{count} 条({customers});已列入待跟进清单。")


def funnel_section(people: pd.DataFrame, due: Due, stages: pd.DataFrame, amounts: pd.Series | None,
                   amount_from: str, today: dt.date, lang: str, limit: int, sheet: str | None) -> Section:
    """Deals (customers with a stage) per step: how many, their amount, how many are stuck, and which.

    sheet: the customer sheet when it has no stage column (the section then says so).
    """
    if sheet is not None:
        return Section("funnel", FUNNEL, missing=NO_STAGE(sheet=sheet))
    steps = stage_steps(people["stage"], stages)
    stuck_rows = due.touches.loc[due.touches["occasion"].eq("stuck"), "row"]
    counts = funnel_counts(steps, pd.Index(stuck_rows), stages)
    amount = amounts.reindex(people.index) if amounts is not None else pd.Series(0.0, index=people.index)
    frame = pd.DataFrame({
        "stage": stage_names(stages, lang).to_numpy(),
        "deals": counts["deals"].astype("int64").to_numpy(),
        "amount": amount.groupby(steps).sum().reindex(stages.index, fill_value=0.0).to_numpy(),
        "stuck": counts["stuck"].astype("int64").to_numpy(),
    })
    frame["deal_share"] = share(frame["deals"], float(frame["deals"].sum()))
    stuck = _stuck_list(people, steps, stages, stuck_rows, amount, today, lang)
    lost = lost_reasons(people, lang)
    notes = [AMOUNT_FROM[amount_from]] + ([] if frame["deals"].sum() else [NO_DEALS])
    notes += [LOST_NOTE(count=int(lost["deals"].sum()))] if len(lost) else []
    tables = [table(FUNNEL_COLUMNS, frame), table(STUCK_COLUMNS, stuck, limit, STUCK_TITLE)]
    tables += [table(LOST_COLUMNS, lost, limit, LOST_TITLE)] if len(lost) else []
    return Section("funnel", FUNNEL, tables, notes, ChartSpec("bar", CHART_FUNNEL, "stage", ("deals",)))


def lost_reasons(people: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Lost deals counted by the reason typed in 输单原因 / Lost reason, most frequent first."""
    lost = lost_deals(people["stage"])
    reasons = people.get("lost_reason", pd.Series(None, index=people.index)).loc[lost]
    reasons = reasons.map(lambda r: str(r).strip() if isinstance(r, str) and r.strip() else NO_REASON.text(lang))
    counts = reasons.value_counts(sort=True).rename_axis("reason").reset_index(name="deals")
    counts["share"] = share(counts["deals"], float(counts["deals"].sum()))
    return counts


def _stuck_list(people, steps, stages, stuck_rows, amount, today, lang) -> pd.DataFrame:
    rows = people.index.intersection(pd.Index(stuck_rows))
    since = pd.to_datetime(people.loc[rows, "stage_since"])
    step = steps.loc[rows]
    frame = pd.DataFrame({
        "customer": people.loc[rows, "customer"], "owner": people.loc[rows, "owner"],
        "stage": step.map(stage_names(stages, lang)), "since": since,
        "days": (pd.Timestamp(today) - since).dt.days, "allowed": step.map(stages["days"]),
        "amount": amount.loc[rows],
    })
    frame["over"] = frame["days"] - frame["allowed"]
    return frame.sort_values(["over", "amount"], ascending=False, kind="stable")


def followup_section(due: Due, people: pd.DataFrame, today: dt.date, lang: str, limit: int) -> Section:
    touches = due.touches
    counts = owner_counts(touches)
    named = {n for o in people["owner"].dropna().map(str).unique() for n in names_in(o) or [o]}
    every = sorted(named | set(counts.index), key=lambda o: (o == "", o))
    frame = counts.reindex(every, fill_value=0).rename_axis("owner").reset_index()
    frame["owner"] = frame["owner"].replace("", NO_OWNER.text(lang))
    totals = TOTALS(**follow_up_totals(touches))
    late = _most_overdue(touches[touches["occasion"].isin(REGULAR)], people, today)
    return Section("followups", FOLLOWUPS,
                   [table(FOLLOWUP_COLUMNS, frame), table(OVERDUE_COLUMNS, late, limit, OVERDUE_TITLE)],
                   [totals, FOLLOWUP_NOTE(today=f"{today:%Y-%m-%d}")] + ([due.estimated] if due.estimated else [])
                   + _missed(touches),
                   ChartSpec("column", CHART_FOLLOWUPS, "owner", ("overdue", "due_today", "due_week")))


def _missed(touches: pd.DataFrame) -> list[Msg]:
    """The greetings whose window closed before they went out, said rather than dropped."""
    missed = touches[touches["status"].eq("missed")]
    return [MISSED(count=len(missed), customers=", ".join(missed["customer"].astype(str).unique()[:10]))] \
        if len(missed) else []


def _most_overdue(touches: pd.DataFrame, people: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    late = listed(touches[touches["status"].eq("overdue")])
    info = people.reindex(late["row"].to_numpy())
    return pd.DataFrame({
        "customer": late["customer"].to_numpy(), "owner": late["owner"].to_numpy(), "due": late["due"].to_numpy(),
        "late": (pd.Timestamp(today) - late["due"]).dt.days.to_numpy(),
        "class": info["class"].to_numpy(), "last_contact": info["last_contact"].to_numpy(),
    })
