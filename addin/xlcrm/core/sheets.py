"""The sheets and columns xlcrm owns, by a stable id, with their names in both languages.

Anything not listed here belongs to the team and is never rewritten.
"""

from __future__ import annotations

import pandas as pd

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
# xlcrm's label for a column when the team already has a column of that name: the team's stays the team's
CLASH_SUFFIX = " (xlcrm)"
# The state sheet's record of xlcrm's columns, so they are found by what xlcrm wrote, never by a name alone
COLUMNS_SECTION = "columns"
RECORD_COLUMNS = ("sheet", "column", "header")
# ... and of its sheets: a team's sheet of the same name (their own 待跟进) is the team's
SHEETS_SECTION = "sheets"
RECORD_SHEETS = ("id", "sheet")


def sheet_name(sheet_id: str, lang: str) -> str:
    en, zh = SHEETS[sheet_id]
    return zh if lang == "zh" else en


def apart_name(sheet_id: str, lang: str) -> str:
    """The name xlcrm writes its sheet under when a sheet of the team's has its name: '待跟进 (xlcrm)'."""
    return sheet_name(sheet_id, lang) + CLASH_SUFFIX


def find_sheet(names: list[str], sheet_id: str) -> str | None:
    """The existing sheet for an id, in whichever language it was written: the one put apart from a team's sheet
    of its name first (that one is xlcrm's whatever it holds)."""
    apart = {apart_name(sheet_id, lang) for lang in ("en", "zh")}
    wanted = {norm_header(n) for n in SHEETS[sheet_id]}
    return next((n for n in names if n in apart), None) or next((n for n in names if norm_header(n) in wanted), None)


def recorded_sheets(record: pd.DataFrame | None) -> dict[str, str]:
    """The sheets the state sheet records xlcrm wrote: name -> sheet id."""
    if record is None or not len(record) or not set(RECORD_SHEETS) <= set(record.columns):
        return {}
    return dict(zip(record["sheet"], record["id"]))


def sheets_record(record: pd.DataFrame | None, written: dict[str, str]) -> pd.DataFrame:
    """The record of xlcrm's sheets with these (sheet id -> name) as just written; the other ids' rows kept. In the
    order of SHEETS, whatever order they are written in: a second run writes the same record."""
    kept = [] if record is None or not len(record) or not set(RECORD_SHEETS) <= set(record.columns) else [
        (sid, name) for sid, name in zip(record["id"], record["sheet"]) if sid not in written]
    order = {sid: i for i, sid in enumerate(SHEETS)}
    rows = sorted(kept + list(written.items()), key=lambda row: (order.get(row[0], len(order)), row[1]))
    return pd.DataFrame(rows, columns=list(RECORD_SHEETS), dtype=object)


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


SHAPE_RUN = 5  # so many of xlcrm's labels side by side, in its order, are its columns even without a record


def columns_by_shape(headers: list[str]) -> dict[str, int]:
    """xlcrm's columns in a sheet that came without xlcrm's record of them (copied into another workbook): a run of
    at least SHAPE_RUN of its labels side by side, in the order it writes them, one language throughout. A team's
    own 跟进状态 | 下次跟进日 is too short a run to be taken for xlcrm's."""
    order = {cid: i for i, cid in enumerate(COLUMNS)}
    languages: dict[str, set[int]] = {}  # a label's languages: RFM is both
    ids: dict[str, str] = {}
    for cid, pair in COLUMNS.items():
        for lang, label in enumerate(pair):
            ids[norm_header(label)] = cid
            languages.setdefault(norm_header(label), set()).add(lang)
    best: dict[str, int] = {}
    run: dict[str, int] = {}
    spoken: set[int] = set()
    for column, header in enumerate([*headers, ""]):
        key = norm_header(header) if header else ""
        found = ids.get(key)
        if found and run and order[found] > order[list(run)[-1]] and spoken & languages[key]:
            run[found], spoken = column, spoken & languages[key]
            continue
        best = run if len(run) > len(best) else best
        run, spoken = ({found: column}, set(languages[key])) if found else ({}, set())
    return best if len(best) >= SHAPE_RUN else {}


def recorded_columns(record: pd.DataFrame | None, sheet: str, headers: list[str]) -> dict[str, int]:
    """xlcrm's own columns on a sheet, found by the headers the state sheet says it wrote there.

    A header written twice (the team copied it) is xlcrm's at its rightmost place, where xlcrm appends.
    """
    if record is None or not len(record):
        return {}
    mine = record[record["sheet"].eq(sheet)]
    where = {norm_header(h): i for i, h in enumerate(headers) if h}
    found = {cid: where[norm_header(h)] for cid, h in zip(mine["column"], mine["header"])
             if cid in COLUMNS and norm_header(h) in where}
    return found


def adopted_record(record: pd.DataFrame | None, sheet: str, headers: list[str], present: list[str]) -> pd.DataFrame | None:
    """The record with a renamed sheet's rows moved to `sheet`, or None when nothing was renamed to it.

    A sheet the record does not name, showing in `headers` the headers the record keeps for a sheet no longer in
    the workbook (`present`: the workbook's sheets), is that sheet renamed: all of them, or at least half of them
    when the team also renamed or deleted some. One gone sheet is adopted once (the first that fits, in the record's
    order): of several renamed sheets of the same headers (one per owner), each adopts its own.
    """
    if record is None or not len(record) or record["sheet"].eq(sheet).any():
        return None
    where = {norm_header(h) for h in headers if h}
    for gone in dict.fromkeys(record["sheet"]):
        if gone in present:
            continue
        mine = record[record["sheet"].eq(gone) & record["column"].isin(list(COLUMNS))]
        found = sum(norm_header(h) in where for h in mine["header"])
        if found and 2 * found >= len(mine):
            return record.assign(sheet=record["sheet"].mask(record["sheet"].eq(gone), sheet))
    return None


def suffixed_columns(headers: list[str]) -> dict[str, int]:
    """xlcrm's columns written under CLASH_SUFFIX ('客户等级 (xlcrm)'): xlcrm's whatever the record says."""
    found: dict[str, int] = {}
    for column, header in enumerate(headers):
        text = str(header or "").rstrip()
        cid = owned_column_id(text[:-len(CLASH_SUFFIX.strip())]) if text.endswith(CLASH_SUFFIX.strip()) else None
        if cid and cid not in found:
            found[cid] = column
    return found


def own_label(column_id: str, lang: str, headers: list[str], own: dict[str, int]) -> str:
    """The header xlcrm writes for its column: its name, or with CLASH_SUFFIX when a team column has that name."""
    label = column_label(column_id, lang)
    team = {norm_header(h) for i, h in enumerate(headers) if h and i not in own.values()}
    return label + CLASH_SUFFIX if norm_header(label) in team else label


def record_written(record: pd.DataFrame | None, sheet: str, labels: dict[str, str]) -> pd.DataFrame:
    """The record with these columns' headers as just written on a sheet (other sheets and columns kept)."""
    record = record if record is not None and len(record) else pd.DataFrame(columns=list(RECORD_COLUMNS))
    kept = record[~(record["sheet"].eq(sheet) & record["column"].isin(list(labels)))][list(RECORD_COLUMNS)]
    new = pd.DataFrame([(sheet, cid, label) for cid, label in labels.items()], columns=list(RECORD_COLUMNS))
    return pd.concat([kept, new], ignore_index=True) if len(kept) else new


def place_columns(headers: list[str], wanted: list[str], own: dict[str, int] | None = None) -> dict[str, int]:
    """Where each wanted xlcrm column goes: where it already is (own, else found by name), else after the
    last used column."""
    placed = dict(owned_columns(headers) if own is None else own)
    free = len(headers)
    for cid in wanted:
        if cid not in placed:
            placed[cid], free = free, free + 1
    return {cid: placed[cid] for cid in wanted}
