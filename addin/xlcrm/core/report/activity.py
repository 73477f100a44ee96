"""What the team did in the period: contacts logged per owner, and mails sent, failed and skipped."""

from __future__ import annotations

import pandas as pd

from xlcrm.core.followups.due_list import NO_OWNER
from xlcrm.core.edits import INT
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.send_plan import DECISIONS
from xlcrm.core.period import Period
from xlcrm.core.report.sections import ChartSpec, Column, Section, table

CONTACTS = Msg("Contacts logged per owner", "各负责人的跟进记录")
NO_LOG = Msg("Not available: the workbook has no contact log yet (跟进记录 / Contact log). Log contacts with "
             "xlcrm log or the ribbon's Log contact button, or keep the sheet by hand with 日期 and 客户名称 columns.",
             "无法显示:工作簿中还没有跟进记录表(跟进记录 / Contact log)。可用 xlcrm log 或功能区的“记录跟进”按钮记录,"
             "也可手工维护含“日期”和“客户名称”列的表。")
CONTACT_COLUMNS = (Column("owner", Msg("Owner", "负责人")), Column("contacts", Msg("Contacts", "跟进次数"), INT),
                   Column("customers", Msg("Customers contacted", "跟进客户数"), INT),
                   Column("previous", Msg("Contacts, previous period", "上期跟进次数"), INT))
CONTACT_NOTE = Msg("Rows of the contact log dated {period}; previous period {previous}. A contact's owner is the "
                   "log's own owner column, else the customer's owner.",
                   "跟进记录中日期在 {period} 的行;上期为 {previous}。负责人取记录中的负责人列,没有则取客户的负责人。")
CHART_CONTACTS = Msg("Contacts logged", "跟进次数")

MAILS = Msg("Mail sent, failed and skipped", "邮件发送情况")
NO_MAIL = Msg("Not available: nothing has been sent from this workbook yet (no send journal {journal} beside it, no "
              "send log sheet and no mail status column). Preview and send reminders with xlcrm remind.",
              "无法显示:此工作簿还没有发送过邮件(旁边没有发送日志 {journal},也没有发送记录表和邮件状态列)。"
              "可用 xlcrm remind 预览和发送提醒。")
MAIL_COLUMNS = (Column("state", Msg("Status", "状态")), Column("count", Msg("Messages", "邮件数"), INT),
                Column("previous", Msg("Previous period", "上期"), INT))
MAIL_NOTE = Msg("Sent, failed, in flight and not sent: the send journal and the send log sheet (test sends left out). "
                "Skipped, held and refused: the mail status column, as the last send run left it for each customer.",
                "已发送、发送失败、状态不明、未发送:来自发送日志和发送记录表(不含测试发送)。"
                "跳过、暂缓、拒绝生成:来自邮件状态列(每个客户最近一次发送时的结果)。")
JOURNAL_STATES = {"sent": "sent", "failed": "failed", "sending": "in_flight", "unsent": "unsent"}
SHOWN = ("sent", "failed", "in_flight", "unsent", "skip", "held", "refused")
FROM_STATUS = ("skip", "held", "refused")
REPORT_OCCASION = "report"


def contacts_section(log: pd.DataFrame | None, owners: list[str], period: Period, lang: str) -> Section:
    if log is None:
        return Section("contacts", CONTACTS, missing=NO_LOG)
    previous = period.previous()
    owner = log["owner"].astype(object).where(log["owner"].notna(), "").astype(str)
    now, before = period.holds(log["date"]), previous.holds(log["date"])
    every = sorted(set(owners) | set(owner[now | before]), key=lambda o: (o == "", o))
    frame = pd.DataFrame({
        "contacts": owner[now].value_counts(),
        "customers": log[now].groupby(owner[now])["key"].nunique(),
        "previous": owner[before].value_counts(),
    }).reindex(every).fillna(0).astype("int64").rename_axis("owner").reset_index()
    frame["owner"] = frame["owner"].replace("", NO_OWNER.text(lang))
    note = CONTACT_NOTE(period=period.label(), previous=previous.label())
    return Section("contacts", CONTACTS, [table(CONTACT_COLUMNS, frame)], [note],
                   ChartSpec("column", CHART_CONTACTS, "owner", ("contacts", "previous")))


def mails_section(history: pd.DataFrame | None, statuses: pd.DataFrame | None, period: Period, lang: str,
                  journal: str) -> Section:
    if history is None and statuses is None:
        return Section("mails", MAILS, missing=NO_MAIL(journal=journal))
    counts = {p: _mail_counts(history, statuses, p) for p in (period, period.previous())}
    frame = pd.DataFrame({"state": [DECISIONS[s].text(lang) for s in SHOWN],
                          "count": [counts[period][s] for s in SHOWN],
                          "previous": [counts[period.previous()][s] for s in SHOWN]})
    return Section("mails", MAILS, [table(MAIL_COLUMNS, frame)], [MAIL_NOTE])


def _mail_counts(history: pd.DataFrame | None, statuses: pd.DataFrame | None, period: Period) -> dict[str, int]:
    counts = dict.fromkeys(SHOWN, 0)
    if history is not None and len(history):
        real = history[~history["test"].fillna(False).astype(bool) & history["occasion"].ne(REPORT_OCCASION)]
        states = real.loc[period.holds(real["at"]), "state"].map(JOURNAL_STATES).value_counts()
        counts.update({s: int(n) for s, n in states.items() if s in counts})
    if statuses is not None and len(statuses):
        decided = statuses.loc[period.holds(statuses["day"]), "decision"].value_counts()
        counts.update({s: int(decided.get(s, 0)) for s in FROM_STATUS})
    return counts


def status_decisions(values: pd.Series) -> pd.DataFrame:
    """The decisions the mail status column records: '2026-11-23 跳过: 跟进问候 (没有邮箱地址); ...' per row.

    values: the raw cells by Excel row. Returns one row per decision: row, day, decision (a DECISIONS key).
    """
    labels = sorted(((m.text(lang), key) for key, m in DECISIONS.items() for lang in ("en", "zh")),
                    key=lambda item: -len(item[0]))

    def parse(text: str) -> list[tuple[pd.Timestamp, str]]:
        found = []
        for part in text.split("; "):
            day = pd.to_datetime(part[:10], errors="coerce", format="%Y-%m-%d")
            key = next((k for label, k in labels if part[11:].startswith(label + ":")), None)
            if pd.notna(day) and key:
                found.append((day, key))
        return found

    texts = values.dropna().astype(str)
    parsed = texts.map({t: parse(t) for t in texts.unique()}).explode().dropna()  # many customers, few texts
    return pd.DataFrame({"row": parsed.index, "day": [p[0] for p in parsed], "decision": [p[1] for p in parsed]},
                        columns=["row", "day", "decision"])
