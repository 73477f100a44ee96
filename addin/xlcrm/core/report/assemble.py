"""Putting the report together: the overview, then one section per question a team lead asks."""

from __future__ import annotations

import pandas as pd

from xlcrm.core.customer_figures import CustomerFigures, customer_figures
from xlcrm.core.edits import MONEY, PERCENT
from xlcrm.core.followups.due_list import follow_up_totals
from xlcrm.core.i18n import Msg
from xlcrm.core.period import Period
from xlcrm.core.report.sections import NUMBER, Column, Report, ReportRules, Section, change, table
from xlcrm.core.report.activity import contacts_section, mails_section
from xlcrm.core.report.inputs import Inputs, by_customer
from xlcrm.core.report import customer_mix
from xlcrm.core.mailmerge.send_plan import DECISIONS
from xlcrm.core.report.pipeline import followup_section, funnel_section
from xlcrm.core.report.churn_risk import churn_section, dormant_section, yoy_section

OVERVIEW = Msg("Overview", "概览")
NO_PURCHASES = Msg("Not available: {why}", "无法显示:{why}")
PERIOD_TITLE = Msg("This period and the one before", "本期与上期")
TODAY_TITLE = Msg("As of {today}", "截至 {today}")
PERIOD_COLUMNS = (Column("measure", Msg("Measure", "指标")), Column("now", Msg("This period", "本期"), NUMBER),
                  Column("before", Msg("Previous period", "上期"), NUMBER),
                  Column("change", Msg("Change", "变化"), PERCENT))
TODAY_COLUMNS = (Column("measure", Msg("Measure", "指标")), Column("value", Msg("Value", "数值"), NUMBER))
MEASURES = {
    "revenue": Msg("Revenue from orders", "订单收入"), "orders": Msg("Orders", "订单数"),
    "buyers": Msg("Customers who ordered", "下单客户数"), "new": Msg("New buyers (first order)", "新成交客户(首单)"),
    "contacts": Msg("Contacts logged", "跟进记录数"), "mails": Msg("Mails sent", "已发送邮件"),
    "customers": Msg("Customers (a customer listed twice once)", "客户数(重复列出的客户计一次)"),
    "bought": Msg("Customers with purchases", "有购买的客户"), "prospects": Msg("Prospects (no purchase)", "潜在客户(无购买)"),
    "to_date": Msg("Revenue to date", "累计消费金额"),
    "overdue": Msg("Follow-ups overdue", "逾期跟进"), "stuck": Msg("Deals stuck in a stage", "停滞商机"),
    "high": Msg("At high churn risk", "高流失风险客户"), "dormant": Msg("Dormant customers", "沉睡客户"),
}
OVERVIEW_NOTE = Msg("Period {period}, compared with {previous}. Empty: not known from this workbook.",
                    "本期 {period},上期 {previous}。空白表示此工作簿中没有相应数据。")

HEAD = Msg("{title}, {period}", "{title},{period}")
LINE_REVENUE = Msg("Revenue from orders this period {revenue} (previous {previous}).",
                   "本期订单收入 {revenue}(上期 {previous})。")
LINE_NO_SCORES = Msg("Customers: {customers}.", "客户:{customers} 个。")
LINE_FOLLOWUPS = Msg("Follow-ups (each customer once): {overdue} overdue, {due_today} due today, {due_week} due this "
                     "week; {stuck} deals stuck in a stage.",
                     "跟进(每个客户计一次):逾期 {overdue},今日到期 {due_today},本周到期 {due_week};停滞商机 {stuck} 个。")
LINE_RISK = Msg("Churn: {new} newly at risk, {dormant} dormant.", "流失:新增风险客户 {new} 个,沉睡客户 {dormant} 个。")
LINE_ACTIVITY = Msg("Contacts logged: {contacts}; mails sent {sent}, failed {failed}, skipped {skipped}.",
                    "跟进记录:{contacts} 条;邮件已发送 {sent},失败 {failed},跳过 {skipped}。")
LINE_MISSING = Msg("Not available: {sections} (the report says why).", "无法显示:{sections}(报告中注明了原因)。")


def build(inputs: Inputs, period: Period, owner: str | None, book: str, lang: str, rules: ReportRules,
          journal: str) -> Report:
    today = period.end
    scores = _customers(inputs.scores, inputs.people)
    limit = rules.listed_rows
    sections = [
        *_scored(scores, inputs, lang),
        funnel_section(inputs.people, inputs.due, inputs.stages, _amounts(inputs), inputs.amount_from, today, lang,
                       limit, None if inputs.has_stage else inputs.sheet),
        followup_section(inputs.due, inputs.people, today, lang, limit),
        contacts_section(inputs.log, _owners(inputs), period, lang),
        mails_section(inputs.mails, inputs.statuses, period, lang, journal),
        churn_section(scores, inputs.rhythm_known, period, lang, limit),
        dormant_section(scores, inputs.people, today, rules.dormant_days, lang, limit),
        yoy_section(inputs.orders, inputs.people, today, rules.top_customers, lang),
    ]
    overview = _overview(inputs, scores, sections, period, lang)
    report = Report(period, today, owner, book, lang, [overview, *sections])
    report.headline = _headline(report, customer_figures(scores) if scores is not None else None,
                                follow_up_totals(inputs.due.touches))
    return report


def _customers(scores: pd.DataFrame | None, people: pd.DataFrame) -> pd.DataFrame | None:
    """The scores with each customer's name and owner beside them."""
    if scores is None:
        return None
    return scores.join(people[["customer", "owner"]], how="inner")


def _scored(scores: pd.DataFrame | None, inputs: Inputs, lang: str) -> list[Section]:
    if scores is None:
        why = NO_PURCHASES(why=inputs.no_scores)
        return [Section(sid, title, missing=why) for sid, title in
                (("segments", customer_mix.SEGMENTS), ("classes", customer_mix.CLASSES_TITLE), ("pareto", customer_mix.PARETO))]
    return [customer_mix.segment_section(scores, inputs.segments, lang), customer_mix.class_section(scores, lang),
            customer_mix.pareto_section(scores, lang)]


def _amounts(inputs: Inputs) -> pd.Series | None:
    if inputs.amount_from == "deal_amount":
        return inputs.people["deal_amount"]
    if inputs.amount_from == "monetary" and inputs.scores is not None:
        return inputs.scores["monetary"]
    return None


def _owners(inputs: Inputs) -> list[str]:
    return sorted(inputs.people["owner"].dropna().map(str).unique())


def _overview(inputs: Inputs, scores: pd.DataFrame | None, sections: list[Section], period: Period,
              lang: str) -> Section:
    orders = inputs.orders
    first = by_customer(orders, "date", orders["amount"] >= 0).min() if orders is not None else None
    now, before = _period_figures(inputs, period, first), _period_figures(inputs, period.previous(), first)
    rows = pd.DataFrame({"measure": [MEASURES[k].text(lang) for k in now], "now": list(now.values()),
                         "before": [before[k] for k in now]})
    rows["change"] = [change(n, b) for n, b in zip(rows["now"], rows["before"])]
    by_id = {s.id: s for s in sections}
    figures = customer_figures(scores) if scores is not None else None
    snapshot = {
        "customers": len(inputs.people),
        "bought": figures.bought if figures else None,
        "prospects": figures.prospects if figures else None,
        "to_date": figures.revenue if figures else None,
        "overdue": follow_up_totals(inputs.due.touches)["overdue"],
        "stuck": _first(by_id["funnel"], "stuck"),
        "high": int(scores["churn_risk"].eq("high").sum()) if scores is not None and inputs.rhythm_known else None,
        "dormant": by_id["dormant"].tables[0].total if not by_id["dormant"].missing else None,
    }
    today = pd.DataFrame({"measure": [MEASURES[k].text(lang) for k in snapshot], "value": list(snapshot.values())})
    note = OVERVIEW_NOTE(period=period.label(), previous=period.previous().label())
    period_table = table(PERIOD_COLUMNS, rows, title=PERIOD_TITLE)
    period_table.row_kinds = {list(now).index("revenue"): MONEY}
    today_table = table(TODAY_COLUMNS, today, title=TODAY_TITLE(today=f"{period.end:%Y-%m-%d}"))
    today_table.row_kinds = {list(snapshot).index("to_date"): MONEY}
    return Section("overview", OVERVIEW, [period_table, today_table], [note])


def _first(section: Section, column: str) -> int | None:
    return None if section.missing else int(section.tables[0].rows[column].sum())


def _period_figures(inputs: Inputs, period: Period, first: pd.Series | None) -> dict[str, float | None]:
    """The period's figures; first: each buyer's first purchase day (None without orders)."""
    orders = inputs.orders
    figures: dict[str, float | None] = dict.fromkeys(("revenue", "orders", "buyers", "new", "contacts", "mails"))
    if orders is not None and first is not None:
        inside = orders[period.holds(orders["date"])]
        figures.update(revenue=round(float(inside["amount"].sum()), 2), orders=_order_count(inside),
                       buyers=int(inside.loc[inside["amount"] >= 0, "key"].nunique()),
                       new=int(period.holds(first).sum()))
    if inputs.log is not None:
        figures["contacts"] = int(period.holds(inputs.log["date"]).sum())
    if inputs.mails is not None:
        mails = inputs.mails
        real = mails[~mails["test"].fillna(False).astype(bool) & mails["occasion"].ne("report")]
        figures["mails"] = int((period.holds(real["at"]) & real["state"].eq("sent")).sum())
    return figures


def _order_count(lines: pd.DataFrame) -> int:
    """Lines sharing a customer and an order number are one order; a line without a number is one."""
    numbered = lines["order_id"].notna()
    return int((~numbered).sum() + lines[numbered].drop_duplicates(["key", "order_id"]).shape[0])


def _headline(report: Report, figures: CustomerFigures | None, totals: dict[str, int]) -> list[Msg]:
    def cell(section: str, index: int, measure: str, column: str):
        found = report.section(section)
        if found.missing:
            return None
        rows = found.tables[index].rows
        return rows.loc[rows["measure"] == MEASURES[measure].text(report.lang), column].iloc[0]

    def shown(value, money: bool = False) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "-"
        return f"{value:,.2f}" if money else f"{int(value):,}"

    mails = report.section("mails")
    counts = dict(zip(mails.tables[0].rows["state"], mails.tables[0].rows["count"])) if not mails.missing else {}
    def mail(key: str) -> str:
        return shown(counts.get(DECISIONS[key].text(report.lang))) if counts else "-"

    churn = report.section("churn")
    lines = [
        HEAD(title=report.title, period=report.period.label()),
        figures.line() if figures else LINE_NO_SCORES(customers=shown(cell("overview", 1, "customers", "value"))),
        LINE_REVENUE(revenue=shown(cell("overview", 0, "revenue", "now"), True),
                     previous=shown(cell("overview", 0, "revenue", "before"), True)),
        LINE_FOLLOWUPS(**{k: v for k, v in totals.items() if k != "no_date"},
                       stuck=shown(cell("overview", 1, "stuck", "value"))),
        LINE_RISK(new=shown(None if churn.missing else churn.tables[0].total),
                  dormant=shown(cell("overview", 1, "dormant", "value"))),
        LINE_ACTIVITY(contacts=shown(cell("overview", 0, "contacts", "now")), sent=mail("sent"),
                      failed=mail("failed"), skipped=mail("skip")),
    ]
    missing = [s.title for s in report.sections if s.missing]
    if missing:
        lines.append(LINE_MISSING(sections=Msg(", ".join(m.en for m in missing), "、".join(m.zh for m in missing))))
    return lines
