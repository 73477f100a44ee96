"""The mail merge's sheets: templates (the team's, only added to), preview, send log, and the status column."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.actions.common import PLAIN_CELL_TYPES, cell_value, cell_values, column_edits, owned_sheet
from xlcrm.actions.own_sheets import LOG_COLUMNS, PREVIEW_COLUMNS, OpenWorkbook
from xlcrm.actions.session import Session
from xlcrm.core.edits import DATE, Edit, PutSheet, SetCells
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.send_plan import DECISIONS, HISTORY_COLUMNS, empty_history
from xlcrm.core.parse import clean_text
from xlcrm.core.sheets import sheet_name
from xlcrm.core.mailmerge.templates_sheet import (ALL_OCCASIONS, COLUMNS, Template, find_header, header_row, missing_defaults,
                                  read_templates, template_row)

BAD_TEMPLATES = Msg("The mail templates need fixing before anything is sent:\n{problems}",
                    "邮件模板有以下问题,修改后才能发送:\n{problems}")
JOURNAL_SHOWN = {"sending": "in_flight", "sent": "sent", "failed": "failed", "unsent": "unsent"}
SETTLE = {"sent": {"sent", "已发", "已发送", "发了", "已收到", "yes"}, "resend": {"resend", "重发", "未发", "没发", "not sent"}}
BODY_SHOWN = 1500
LOG_ROWS = 50_000


# -- templates ---------------------------------------------------------------------------------------------

def load_templates(session: Session) -> tuple[str, list[Template], list[Any]]:
    """(sheet name, templates, edits): the team's rows plus missing defaults, and the edits that add them."""
    lang = session.lang
    existing = session.own_sheet("templates")  # by its name, else the team's renamed one (found by its header)
    if existing is None:
        defaults = missing_defaults([], lang)
        rows = [header_row(lang)] + [[template_row(t, lang)[c.id] for c in COLUMNS] for t in defaults]
        placed = [_placed(t, number) for number, t in enumerate(defaults, start=2)]
        edit = owned_sheet("templates", lang, rows, session, row_styles={0: "header"}, freeze="B2",
                           widths={0: 18, 1: 6, 2: 18, 3: 12, 4: 10, 5: 10, 6: 36, 7: 70, 8: 8, 9: 16}, wrap=(7,))
        return edit.name, placed, [edit]
    grid = session.book.read_sheet(existing)
    templates, problems = read_templates(existing, grid)
    if problems:
        raise XlcrmError(BAD_TEMPLATES(problems="\n".join("  " + p.text(lang) for p in problems[:20])))
    added = missing_defaults(templates, lang)
    edits: list[Any] = []
    if added:
        found = find_header(grid)
        assert found is not None  # read_templates read the sheet by it
        header_at, positions = found
        start = max(len(grid), header_at + 1) + 1
        width = max(positions.values()) + 1
        block = []
        for template in added:
            shown = template_row(template, lang)
            line: list[Any] = [None] * width
            for cid, col in positions.items():
                line[col] = shown[cid]
            block.append(line)
        edits.append(SetCells(existing, start, 1, block))
        templates += [_placed(t, start + i) for i, t in enumerate(added)]
    return existing, templates, edits


def _placed(template: Template, row: int) -> Template:
    return replace(template, row=row)


# -- preview -----------------------------------------------------------------------------------------------

def _header(columns, lang: str) -> list[str]:
    return [zh if lang == "zh" else en for _, en, zh in columns]


def _text(value: Any, lang: str) -> Any:
    if isinstance(value, Msg):
        return value.text(lang)
    return cell_value(value)


def preview_edit(plan: pd.DataFrame, lang: str, opened: OpenWorkbook) -> PutSheet:
    """The preview sheet: one row per planned message, built column by column (plain lists, no per-row pandas)."""
    count = len(plan)
    shown = {"n": range(1, count + 1),
             "decision": [DECISIONS[d] for d in plan["decision"]] if count else [],
             "occasion": [ALL_OCCASIONS.get(o, o) for o in plan["occasion"]] if count else [],
             "body": [(b or "")[:BODY_SHOWN] for b in _values(plan, "body")]}
    columns = [_texts(shown[cid] if cid in shown else _preview_values(plan, cid), lang) for cid, _, _ in PREVIEW_COLUMNS]
    rows: list[list[Any]] = [_header(PREVIEW_COLUMNS, lang)] + [list(row) for row in zip(*columns)]
    return owned_sheet("preview", lang, rows, opened, row_styles={0: "header"}, freeze="C2", formats={8: DATE},
                       widths={1: 12, 2: 26, 4: 28, 6: 16, 7: 12, 8: 12, 9: 36, 10: 60, 12: 40, 13: 30}, wrap=(10,))


def _preview_values(plan: pd.DataFrame, column: str) -> list[Any]:
    """A column's values as cells: numbers and dates converted at once (a Timestamp per due date made each its
    own date: about half a second at 100k messages)."""
    if column in plan and plan[column].dtype.kind in "biufM":
        return cell_values(plan[column])
    return _values(plan, column)


def _values(frame: pd.DataFrame, column: str) -> list[Any]:
    """A column's values as DataFrame.to_dict gives them (plain Python scalars), None for a missing column."""
    if column not in frame:
        return [None] * len(frame)
    values = frame[column].tolist()  # numpy columns give plain Python scalars; object ones need the boxing
    return values if isinstance(frame[column].dtype, np.dtype) and frame[column].dtype != object else \
        [v if type(v) is str else _native(v) for v in values]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """frame.to_dict("records"), made column by column (to_dict boxes every cell of a date column on its own)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in zip(*(_values(frame, c) for c in columns))] if columns else \
        [{} for _ in range(len(frame))]


def _native(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.timedelta64):
        return pd.Timedelta(value)
    return None if value is pd.NA else value


def _texts(values, lang: str) -> list[Any]:
    """_text over a column; each distinct message is put in words once."""
    said: dict[int, Any] = {}
    shown = []
    for value in values:
        if type(value) in PLAIN_CELL_TYPES or type(value) is float and value == value:  # most cells: shown as they are
            shown.append(value)
        elif isinstance(value, Msg):
            if id(value) not in said:
                said[id(value)] = _text(value, lang)
            shown.append(said[id(value)])
        else:
            shown.append(_text(value, lang))
    return shown


# -- send log ----------------------------------------------------------------------------------------------

def log_edit(history: pd.DataFrame, lang: str, opened: OpenWorkbook) -> PutSheet:
    rows: list[list[Any]] = [_header(LOG_COLUMNS, lang)]
    shown = history.sort_values("at", ascending=False, kind="stable").head(LOG_ROWS) if len(history) else history
    for entry in shown.to_dict("records"):
        state = JOURNAL_SHOWN.get(entry.get("state"), entry.get("state"))
        if state == "sent" and entry.get("test") is True:
            state = "test_sent"
        label = DECISIONS[state] if state in DECISIONS else state
        occasion = entry.get("occasion")
        values = {**entry, "state": label, "key": entry["msg_key"],
                  "occasion": ALL_OCCASIONS.get(occasion, occasion) if isinstance(occasion, str) else None,
                  "at": entry["at"].to_pydatetime().replace(microsecond=0) if pd.notna(entry.get("at")) else None,
                  "due": entry.get("due"), "decision": None}
        rows.append([_text(values.get(cid), lang) if not _blank(values.get(cid)) else None
                     for cid, _, _ in LOG_COLUMNS])
    return owned_sheet("send_log", lang, rows, opened, row_styles={0: "header"}, freeze="C2",
                       widths={0: 18, 1: 14, 2: 26, 4: 28, 5: 16, 6: 12, 7: 12, 8: 36, 9: 50, 10: 16, 11: 40})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT


def read_log(session: Session) -> tuple[pd.DataFrame, dict[str, str]]:
    """What the send log sheet says was sent (it travels with the workbook), and the team's decisions."""
    name = session.own_sheet("send_log")  # never a team's sheet of that name (their shipping log)
    if name is None:
        return empty_history(), {}
    grid = session.book.read_sheet(name)
    if not grid:
        return empty_history(), {}
    labels = {norm_header(label): cid for cid, en, zh in LOG_COLUMNS for label in (en, zh)}
    positions = {labels[norm_header(clean_text(v))]: i for i, v in enumerate(grid[0])
                 if norm_header(clean_text(v)) in labels}
    if "key" not in positions or "state" not in positions:
        return empty_history(), {}
    states = {norm_header(m.text(lang)): sid for sid, m in DECISIONS.items() for lang in ("en", "zh")}
    entries, decisions = [], {}
    for row in grid[1:]:
        cell = {cid: (row[i] if i < len(row) else None) for cid, i in positions.items()}
        key = clean_text(cell.get("key"))
        state = states.get(norm_header(clean_text(cell.get("state"))))
        if not key or state is None:
            continue
        decision = clean_text(cell.get("decision")).lower()
        for verdict, words in SETTLE.items():
            if decision in words:
                decisions[key] = verdict
        entries.append(_log_entry(key, state, cell))
    frame = pd.DataFrame(entries, columns=list(HISTORY_COLUMNS)) if entries else empty_history()
    frame["at"] = pd.to_datetime(frame["at"], errors="coerce")
    return frame, decisions


def _log_entry(key: str, state: str, cell: dict) -> dict[str, Any]:
    journal_state = {"in_flight": "sending", "test_sent": "sent"}.get(state, state)
    parts = key.rsplit("|", 2)
    return {"msg_key": key, "state": journal_state, "at": cell.get("at"),
            "customer_key": parts[0].split("|", 1)[0], "occasion": parts[1] if len(parts) == 3 else None,
            "to": clean_text(cell.get("to")) or None, "test": state == "test_sent", "reason": None}


def merged_history(journal: pd.DataFrame, sheet: pd.DataFrame) -> pd.DataFrame:
    """The journal, plus what only the sheet remembers (a workbook renamed or copied without its journal)."""
    extra = sheet[~sheet["msg_key"].isin(journal["msg_key"])] if len(sheet) else sheet
    if not len(extra):
        return journal
    if not len(journal):
        return extra.reset_index(drop=True)
    return pd.concat([journal, extra], ignore_index=True)


# -- status column -----------------------------------------------------------------------------------------

def status_edits(session: Session, plan: pd.DataFrame, today: dt.date, lang: str) -> list[Edit]:
    """The mail status of each customer row this run touched; other rows keep what an earlier run wrote."""
    source = session.customers
    earlier = source.owned("mail_status")
    status = earlier.copy() if earlier is not None else pd.Series(None, index=source.records.index, dtype=object)
    rows = plan[plan["row"].notna()]
    texts: dict[int, list[str]] = {}
    for item in rows.to_dict("records"):
        text = f"{today:%Y-%m-%d} {DECISIONS[item['decision']].text(lang)}: {item['template']}"
        if isinstance(item.get("reason"), Msg):
            text += f" ({item['reason'].text(lang)})"
        texts.setdefault(int(item["row"]), []).append(text)
    for row, parts in texts.items():
        status[row] = "; ".join(parts)
    return column_edits(session, source, pd.DataFrame({"mail_status": status}), lang)
