"""The due list (待跟进): one block per owner, overdue first; and the summary the action prints."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pandas as pd

from xlcrm.core.followups.due import Due
from xlcrm.core.edits import DATE, INT, Formula
from xlcrm.core.i18n import Msg, pick
from xlcrm.core.owners import one_per_owner
from xlcrm.core.followups.touches import OCCASIONS, STATUSES

LISTED = ("overdue", "due_today", "due_week", "no_date", "missed")  # what the due list shows, in this order
REGULAR = ("followup", "first_answer")  # the follow-ups proper; care occasions and stuck deals are other touches
CARE = ("birthday", "holiday", "thanks", "return_visit", "appointment", "feedback")
COLUMNS = (Msg("Customer", "客户名称"), Msg("Contact", "联系人"), Msg("Phone", "电话"), Msg("Touch", "事项"),
           Msg("Detail", "说明"), Msg("Due", "应办日期"), Msg("Days overdue", "逾期天数"), Msg("Status", "状态"),
           Msg("Stage", "阶段"), Msg("Class", "客户等级"), Msg("Row", "行号"))
TITLE = Msg("Due follow-ups as of {date}", "待跟进事项({date})")
EXPLAIN = Msg("A snapshot of the day it was made; run Highlight follow-ups (xlcrm followups) again to refresh it. "
              "The row colours in '{sheet}' follow the real date every day by themselves.",
              "此表为生成当天的快照,重新运行“跟进提醒”(xlcrm followups)即可刷新;"
              "“{sheet}”中的行颜色每天自动按当天日期更新。")
OWNER = Msg("■ {owner}: {counts}", "■ {owner}:{counts}")
NO_OWNER = Msg("(no owner)", "(未指定负责人)")
NOTHING = Msg("Nothing is overdue or due this week.", "没有逾期或本周到期的事项。")
COUNTS = Msg("{overdue} overdue, {due_today} due today, {due_week} due this week",
             "逾期 {overdue},今日到期 {due_today},本周到期 {due_week}")
NO_DATE_COUNT = Msg(", {count} without a date", ",无日期 {count}")
OTHER_COUNT = Msg("; {count} care occasions and other touches", ";关怀及其他事项 {count}")
HEADLINE = Msg("Follow-ups as of {date} (each customer once): {counts}.", "截至 {date} 的跟进(每个客户计一次):{counts}。")
PER_OWNER = Msg("Per owner, follow-ups (a customer shared by two owners counts for each), then care and other touches:",
                "按负责人的跟进(两人共管的客户各计一次),及关怀与其他事项:")
CARE_LINE = Msg("Care occasions and event touches due this week: {items}", "本周到期的关怀与事项:{items}")
NO_CARE = Msg("Care occasions and event touches due this week: none", "本周到期的关怀与事项:无")
MISSED_LINE = Msg("Greetings missed (their window closed before they went out): {count}, listed in the due list",
                  "错过的问候(发送期已过仍未发出):{count} 条,已列入待跟进清单")
STUCK_LINE = Msg("Deals stuck in a stage: {count}{which}", "停滞的商机:{count} 个{which}")
FUNNEL_LINE = Msg("Funnel: {stages}", "销售漏斗:{stages}")
WHERE = Msg("Due list per owner: sheet '{due}'. Status and row colours in '{sheet}' compare the due date with "
            "TODAY(), so they stay right tomorrow without a re-run.",
            "按负责人的待跟进清单:工作表“{due}”。“{sheet}”中的状态和行颜色按 TODAY() 与应办日期比较,"
            "明天无需重新运行也正确。")


def listed(touches: pd.DataFrame) -> pd.DataFrame:
    """The touches that need doing now, overdue first, then by due date."""
    shown = touches[touches["status"].isin(LISTED)].copy()
    shown["_rank"] = shown["status"].map({s: i for i, s in enumerate(LISTED)})
    return shown.sort_values(["_rank", "due", "customer"], na_position="last", kind="stable")


def sheet(touches: pd.DataFrame, people: pd.DataFrame, today: dt.date, lang: str, customer_sheet: str,
          locate: Callable[[int], tuple[str, int]] | None = None) -> tuple[list[list[Any]], dict[str, Any]]:
    """The due list sheet's rows and layout (PutSheet keyword arguments). locate: a row's sheet and Excel row,
    for a table read from several sheets (Table.locate); None: the rows are customer_sheet's."""
    locate = locate or (lambda row: (customer_sheet, row))
    rows: list[list[Any]] = [[TITLE(date=f"{today:%Y-%m-%d}").text(lang)], [EXPLAIN(sheet=customer_sheet).text(lang)]]
    styles = {0: "title", 1: "muted"}
    info = people[["contact", "phone", "stage", "class"]].rename(columns={"class": "grade"})  # class: a keyword
    shown = listed(touches).merge(info, left_on="row", right_index=True, how="left")
    if shown.empty:
        rows.append([NOTHING.text(lang)])
        styles[2] = "muted"
    counts = owner_counts(touches)
    for owner, group in _by_owner(shown, lang):
        rows.append([])
        styles[len(rows)] = "section"
        rows.append([OWNER(owner=owner or NO_OWNER.text(lang), counts=_counts(counts.loc[owner].to_dict(), lang)
                           ).text(lang)])
        styles[len(rows)] = "header"
        rows.append([c.text(lang) for c in COLUMNS])
        rows += _rows(group, today, lang, locate)
    layout = {"row_styles": styles, "formats": {5: DATE, 6: INT}, "freeze": "A3",
              "widths": {0: 28, 1: 12, 2: 15, 3: 22, 4: 34, 5: 12, 6: 10, 7: 12, 8: 12, 9: 8, 10: 7}}
    return rows, layout


def _by_owner(shown: pd.DataFrame, lang: str):
    """Each owner's touches; a customer shared by two owners (张三/李四) is on both lists."""
    shown = one_per_owner(shown).reset_index(drop=True)
    owners = shown["owner"].astype(object).fillna("").astype(str).str.strip()  # all empty: a float column
    for owner in sorted(owners.unique(), key=lambda o: (o == "", o)):
        yield owner, shown[owners == owner]


def _rows(touches: pd.DataFrame, today: dt.date, lang: str, locate: Callable[[int], tuple[str, int]]
          ) -> list[list[Any]]:
    """The listed touches as sheet rows (built column by column: a due list may have 100k rows)."""
    late = (pd.Timestamp(today) - touches["due"]).dt.days
    table = pd.DataFrame({
        "customer": touches["customer"], "contact": touches["contact"], "phone": touches["phone"],
        "touch": touches["occasion"].map({k: m.text(lang) for k, m in OCCASIONS.items()}),
        "detail": touches["detail"], "due": touches["due"].dt.date, "late": late.where(late > 0),
        "status": touches["status"].map({k: m.text(lang) for k, m in STATUSES.items()}),
        "stage": touches["stage"], "class": touches["grade"],
    }).astype(object)
    table = table.where(table.notna(), None)
    table["late"] = table["late"].map(lambda d: None if d is None else int(d))
    links = [Formula(f'HYPERLINK("{_target(sheet)}{row}",{row})') for sheet, row in map(locate, touches["row"].tolist())]
    return [values + [link] for values, link in zip(table.values.tolist(), links)]


def _target(sheet: str) -> str:
    """The start of a link to a row of the team's sheet: the name quoted for Excel, then for the formula."""
    return ("#'" + sheet.replace("'", "''") + "'!A").replace('"', '""')


def follow_up_totals(touches: pd.DataFrame) -> dict[str, int]:
    """Follow-ups proper by status (LISTED), each customer once: the headline of every view."""
    counts = touches.loc[touches["occasion"].isin(REGULAR), "status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in LISTED}


def owner_counts(touches: pd.DataFrame) -> pd.DataFrame:
    """Per owner ('' for none; a customer shared by 张三/李四 counts for each): follow-ups proper by status
    (LISTED), and `other`: care occasions and stuck deals due this week or overdue. The due list's blocks,
    the followups lines and the report's table all show these."""
    split = one_per_owner(touches[["owner", "occasion", "status"]]).reset_index(drop=True)
    owners = split["owner"].astype(object).where(split["owner"].notna(), "").astype(str).str.strip()
    regular = split["occasion"].isin(REGULAR)
    counts = pd.crosstab(owners[regular], split.loc[regular, "status"]).reindex(columns=list(LISTED), fill_value=0)
    other = owners[~regular & split["status"].isin(LISTED[:3])].value_counts()
    every = sorted(set(owners), key=lambda o: (o == "", o))
    frame = counts.reindex(every, fill_value=0)
    frame["other"] = other.reindex(every, fill_value=0)
    return frame.fillna(0).astype("int64").rename_axis("owner")


def _counts(counts: dict[str, int], lang: str) -> str:
    text = COUNTS(**counts).text(lang)
    text += NO_DATE_COUNT(count=counts["no_date"]).text(lang) if counts.get("no_date") else ""
    return text + (OTHER_COUNT(count=counts["other"]).text(lang) if counts.get("other") else "")


def summary_lines(due: Due, today: dt.date, lang: str, customer_sheet: str, due_sheet: str) -> list[str]:
    """What the CLI prints and the ribbon shows: counts, per owner, care, stuck deals, the funnel."""
    lines = [HEADLINE(date=f"{today:%Y-%m-%d}", counts=_counts(follow_up_totals(due.touches), lang)).text(lang)]
    shown = listed(due.touches)
    if not shown.empty:
        lines.append(PER_OWNER.text(lang))
        counts = owner_counts(due.touches)
        lines += [f"  {owner or NO_OWNER.text(lang)}: {_counts(counts.loc[owner].to_dict(), lang)}"
                  for owner, _ in _by_owner(shown, lang)]
    care = shown[shown["occasion"].isin(CARE) & shown["status"].ne("no_date")]
    items = care["occasion"].value_counts()
    lines.append(CARE_LINE(items=pick(lang, ", ", ",").join(
        f"{OCCASIONS[o].text(lang)} {n}" for o, n in items.items())).text(lang) if len(items) else NO_CARE.text(lang))
    missed = int(due.touches["status"].eq("missed").sum())
    lines += [MISSED_LINE(count=missed).text(lang)] if missed else []
    lines += _funnel_lines(due, lang)
    lines.append(WHERE(due=due_sheet, sheet=customer_sheet).text(lang))
    return lines


def _funnel_lines(due: Due, lang: str) -> list[str]:
    funnel = due.funnel.assign(stage=due.funnel[f"stage_{pick(lang, 'en', 'zh')}"])
    stuck = funnel[funnel["stuck"] > 0]
    which = "" if stuck.empty else " (" + pick(lang, ", ", ",").join(
        f"{r.stage} {r.stuck}" for r in stuck.itertuples()) + ")"
    lines = [STUCK_LINE(count=int(funnel["stuck"].sum()), which=which).text(lang)]
    if funnel["deals"].sum():
        lines.append(FUNNEL_LINE(stages=" → ".join(f"{r.stage} {r.deals}" for r in funnel.itertuples())).text(lang))
    return lines
