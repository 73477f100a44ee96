"""Customers slipping away: newly at churn risk in the period, dormant ones, and last year's top customers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xlcrm.core.edits import DATE, INT, MONEY, PERCENT
from xlcrm.core.i18n import Msg
from xlcrm.core.period import Period
from xlcrm.core.report.inputs import by_customer
from xlcrm.core.report.sections import ChartSpec, Column, Section, change, table
from xlcrm.core.scores.buying_rhythm import RISKS

RANK = {None: 0, "low": 1, "medium": 2, "high": 3}
CHURN = Msg("Newly at churn risk", "新增流失风险客户")
NO_RHYTHM = Msg("Not available: churn risk follows each customer's own buying rhythm, which needs an orders sheet "
                "(customer, order date, amount).",
                "无法显示:流失风险按每个客户自己的购买节奏判断,需要订单表(客户、下单日期、金额)。")
CHURN_COLUMNS = (Column("customer", Msg("Customer", "客户")), Column("owner", Msg("Owner", "负责人")),
                 Column("risk", Msg("Churn risk now", "当前流失风险")),
                 Column("before", Msg("Before the period", "本期之前")),
                 Column("last", Msg("Last purchase", "最近购买"), DATE),
                 Column("gap", Msg("Typical gap (days)", "典型购买间隔(天)"), INT),
                 Column("silent", Msg("Days since", "距今天数"), INT),
                 Column("revenue", Msg("Revenue", "收入"), MONEY))
CHURN_NOTE = Msg("{count} customers became riskier during the period ({high} now high, {medium} medium): risk as of "
                 "{before} compared with risk as of {today}, by the same rule as the Churn risk column. {all_high} "
                 "customers are at high risk in all.",
                 "本期有 {count} 个客户的流失风险上升(现为高 {high} 个、中 {medium} 个):比较 {before} 与 {today} 的流失风险,"
                 "规则与“流失风险”列相同。目前共有 {all_high} 个高风险客户。")
NONE_YET = Msg("(none)", "(无)")

DORMANT = Msg("Dormant customers", "沉睡客户")
NO_LAST = Msg("Not available: the last purchase of each customer is not known (no orders sheet and no last order "
              "date column).", "无法显示:不知道每个客户的最近购买日期(没有订单表,也没有最近下单日期列)。")
DORMANT_COLUMNS = (Column("customer", Msg("Customer", "客户")), Column("owner", Msg("Owner", "负责人")),
                   Column("last", Msg("Last purchase", "最近购买"), DATE),
                   Column("silent", Msg("Days since", "距今天数"), INT),
                   Column("frequency", Msg("Purchases", "购买次数"), INT),
                   Column("revenue", Msg("Revenue", "收入"), MONEY),
                   Column("last_contact", Msg("Last contact", "最近联系"), DATE))
DORMANT_NOTE = Msg("{count} customers who bought before have not bought for {days} days or more (revenue to date "
                   "{revenue:,.2f}); the biggest first. The number of days is the Report block's dormant_days setting.",
                   "{count} 个老客户已有 {days} 天以上未购买(累计收入 {revenue:,.2f}),按收入从高到低排列。天数见设置表“报告”中的 "
                   "dormant_days。")

YOY = Msg("Top customers year on year", "大客户同比")
NO_ORDERS = Msg("Not available: comparing years needs an orders sheet with the date and amount of each order.",
                "无法显示:年度对比需要包含每笔订单日期和金额的订单表。")
NO_LAST_YEAR = Msg("No orders in {year}: nothing to compare with yet.", "{year} 年没有订单:暂无可对比的数据。")
YOY_COLUMNS = (Column("customer", Msg("Customer", "客户")), Column("owner", Msg("Owner", "负责人")),
               Column("last_year", Msg("Revenue {year}", "{year}年收入"), MONEY),
               Column("same_period", Msg("{year} to {day}", "{year}年同期(至{day})"), MONEY),
               Column("this_year", Msg("{year} to date", "{year}年至今"), MONEY),
               Column("change", Msg("Change on same period", "同比变化"), PERCENT),
               Column("last_order", Msg("Last order", "最近下单"), DATE),
               Column("ordering", Msg("Ordered this year", "今年有下单")))
YES, NO = Msg("yes", "是"), Msg("no", "否")
YOY_NOTE = Msg("{still} of last year's top {count} customers have ordered in {year}. Revenue is net of refunds; "
               "'same period' runs from 1 January to the same day last year.",
               "去年前 {count} 名客户中有 {still} 个在 {year} 年下过单。收入为扣除退款后的净额;“同期”为去年 1 月 1 日至去年今日。")
CHART_YOY = Msg("Same period last year and this year", "去年同期与今年")


def churn_section(scores: pd.DataFrame | None, rhythm_known: bool, period: Period, lang: str, limit: int) -> Section:
    if scores is None or not rhythm_known:
        return Section("churn", CHURN, missing=NO_RHYTHM)
    now = scores["churn_risk"].map(lambda r: RANK.get(r, 0))
    before = scores["risk_before"].map(lambda r: RANK.get(r, 0))
    rose = scores[(now >= RANK["medium"]) & (now > before)]
    frame = pd.DataFrame({
        "customer": rose["customer"], "owner": rose["owner"], "risk_key": rose["churn_risk"],
        "risk": rose["churn_risk"].map(_risk_name(lang)), "before": rose["risk_before"].map(_risk_name(lang)),
        "last": rose["last"], "gap": rose["gap"].round(), "silent": (pd.Timestamp(period.end) - rose["last"]).dt.days,
        "revenue": rose["monetary"],
    })
    frame["rank"] = frame["risk_key"].map(RANK)
    frame = frame.sort_values(["rank", "revenue"], ascending=False, kind="stable")
    note = CHURN_NOTE(count=len(frame), high=int(rose["churn_risk"].eq("high").sum()),
                      medium=int(rose["churn_risk"].eq("medium").sum()), before=f"{period.previous().end:%Y-%m-%d}",
                      today=f"{period.end:%Y-%m-%d}", all_high=int(scores["churn_risk"].eq("high").sum()))
    return Section("churn", CHURN, [table(CHURN_COLUMNS, frame, limit)], [note])


def _risk_name(lang: str) -> dict:
    return {k: m.text(lang) for k, m in RISKS.items()} | {None: NONE_YET.text(lang)}


def dormant_section(scores: pd.DataFrame | None, people: pd.DataFrame, today: dt.date, days: int, lang: str,
                    limit: int) -> Section:
    if scores is None or (scores["last"].isna().all() and scores["frequency"].gt(0).any()):
        return Section("dormant", DORMANT, missing=NO_LAST)
    silent = (pd.Timestamp(today) - scores["last"]).dt.days
    asleep = scores[scores["frequency"].gt(0) & silent.ge(days)]
    frame = pd.DataFrame({
        "customer": asleep["customer"], "owner": asleep["owner"], "last": asleep["last"], "silent": silent[asleep.index],
        "frequency": asleep["frequency"], "revenue": asleep["monetary"],
        "last_contact": people["last_contact"].reindex(asleep.index),
    }).sort_values(["revenue", "silent"], ascending=[False, False], kind="stable")
    note = DORMANT_NOTE(count=len(frame), days=days, revenue=float(frame["revenue"].sum()))
    return Section("dormant", DORMANT, [table(DORMANT_COLUMNS, frame, limit)], [note])


def yoy_section(orders: pd.DataFrame | None, people: pd.DataFrame, today: dt.date, top: int, lang: str) -> Section:
    """Last year's top customers by revenue: last year, the same period last year, this year to date."""
    if orders is None:
        return Section("yoy", YOY, missing=NO_ORDERS)
    this_year, last_year = today.year, today.year - 1
    same_day = _same_day(today, last_year)
    year = orders["date"].dt.year
    # each year's sums apart: grouping every order by (customer, year) held a million-row index at once
    spent_last, spent_now = (by_customer(orders, "amount", year == y).sum() for y in (last_year, this_year))
    before = by_customer(orders, "amount", (year == last_year) & (orders["date"] <= pd.Timestamp(same_day))).sum()
    if not (spent_last > 0).any():
        return Section("yoy", YOY, missing=NO_LAST_YEAR(year=last_year))
    best = spent_last[spent_last > 0].sort_values(ascending=False, kind="stable").head(top)
    now = spent_now.reindex(best.index, fill_value=0.0)
    paid = orders["amount"] > 0
    ordering = best.index.isin(orders.loc[(year == this_year) & paid, "key"].unique())
    names = people.drop_duplicates("key").set_index("key")
    frame = pd.DataFrame({
        "customer": names["customer"].reindex(best.index), "owner": names["owner"].reindex(best.index),
        "last_year": best, "same_period": before.reindex(best.index, fill_value=0.0), "this_year": now,
        "last_order": by_customer(orders, "date", paid).max().reindex(best.index),
        "ordering": np.where(ordering, YES.text(lang), NO.text(lang)).astype(object),
    })
    frame["change"] = [change(n, b) for n, b in zip(frame["this_year"], frame["same_period"])]
    still = int(ordering.sum())
    columns = tuple(Column(c.id, c.title(year=_year_of(c.id, this_year), day=f"{same_day:%m-%d}"), c.kind)
                    for c in YOY_COLUMNS)
    note = YOY_NOTE(still=still, count=len(best), year=this_year)
    return Section("yoy", YOY, [table(columns, frame)], [note],
                   ChartSpec("column", CHART_YOY, "customer", ("same_period", "this_year")))


def _year_of(column_id: str, this_year: int) -> int:
    return this_year if column_id == "this_year" else this_year - 1


def _same_day(today: dt.date, year: int) -> dt.date:
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February
        return today.replace(year=year, day=28)
