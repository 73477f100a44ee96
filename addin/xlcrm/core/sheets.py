"""The sheets and columns xlcrm owns, by a stable id, with their names in both languages.

Anything not listed here belongs to the team and is never rewritten.
"""

from __future__ import annotations

from xlcrm.core.fields import norm_header

SHEETS = {
    "settings": ("CRM Settings", "CRM设置"),
    "problems": ("Data problems", "数据问题"),
    "summary": ("CRM Summary", "CRM概览"),
    "due": ("Due follow-ups", "待跟进"),
    "contact_log": ("Contact log", "跟进记录"),
    "templates": ("Mail templates", "邮件模板"),
    "preview": ("Mail preview", "邮件预览"),
    "send_log": ("Send log", "发送记录"),
    "report": ("CRM Report", "CRM报告"),
    "state": ("_xlcrm", "_xlcrm"),
}

# Columns xlcrm adds beside the team's own, in the order it adds them.
COLUMNS = {
    "recency": ("Recency (days)", "最近购买距今(天)"),
    "frequency": ("Frequency", "购买次数"),
    "monetary": ("Monetary", "消费金额"),
    "r_score": ("R score", "R分"),
    "f_score": ("F score", "F分"),
    "m_score": ("M score", "M分"),
    "rfm": ("RFM", "RFM"),
    "segment": ("Segment", "客户分群"),
    "class": ("Class", "客户等级"),
    "churn_risk": ("Churn risk", "流失风险"),
    "next_purchase": ("Next purchase (expected)", "预计下次购买"),
    "followup_status": ("Follow-up status", "跟进状态"),
    "next_due": ("Next due", "下次跟进日"),
    "last_contact": ("Last contact (logged)", "最近联系(记录)"),  # only when the team's sheet has none
    "mail_status": ("Mail status", "邮件状态"),
}


def sheet_name(sheet_id: str, lang: str) -> str:
    en, zh = SHEETS[sheet_id]
    return zh if lang == "zh" else en


def find_sheet(names: list[str], sheet_id: str) -> str | None:
    """The existing sheet for an id, in whichever language it was written."""
    wanted = {norm_header(n) for n in SHEETS[sheet_id]}
    return next((n for n in names if norm_header(n) in wanted), None)


def owned_sheet_names(names: list[str]) -> set[str]:
    return {n for sid in SHEETS if (n := find_sheet(names, sid))}


def column_label(column_id: str, lang: str) -> str:
    en, zh = COLUMNS[column_id]
    return zh if lang == "zh" else en


def owned_headers() -> set[str]:
    """Normalised labels of xlcrm's own columns in both languages: never mapped as team data."""
    return {norm_header(label) for pair in COLUMNS.values() for label in pair}


def owned_column_id(header: str) -> str | None:
    key = norm_header(header)
    return next((cid for cid, pair in COLUMNS.items() if key in {norm_header(p) for p in pair}), None)


def owned_columns(headers: list[str]) -> dict[str, int]:
    """xlcrm's own columns already in a header row: column id -> 0-based column."""
    found: dict[str, int] = {}
    for column, header in enumerate(headers):
        cid = owned_column_id(header)
        if cid and cid not in found:
            found[cid] = column
    return found


def place_columns(headers: list[str], wanted: list[str]) -> dict[str, int]:
    """Where each wanted xlcrm column goes: where it already is, else after the last used column."""
    placed = owned_columns(headers)
    free = len(headers)
    for cid in wanted:
        if cid not in placed:
            placed[cid], free = free, free + 1
    return {cid: placed[cid] for cid in wanted}
