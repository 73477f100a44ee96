"""Which of a workbook's sheets are xlcrm's own, and the name xlcrm writes each of its sheets under.

A sheet is xlcrm's when the hidden state sheet records that xlcrm wrote it, or when it is laid out exactly as xlcrm
lays it out (what earlier versions wrote included: they kept no record). A team's sheet that merely has the name of
one of xlcrm's (their own 待跟进 to-do list, 数据问题 QA notes) is the team's: left as it is, read like any other
sheet, and xlcrm writes its own beside it as '待跟进 (xlcrm)', as it does with a column (CLASH_SUFFIX).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import pandas as pd

from xlcrm.book import Book
from xlcrm.core import problems as problems_sheet, state
from xlcrm.core.all_settings import read_settings_grid
from xlcrm.core.fields import norm_header
from xlcrm.core.followups import due_list
from xlcrm.core.followups.contact_log import find_header as log_header
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.templates_sheet import COLUMNS as TEMPLATE_COLUMNS, find_header as templates_header
from xlcrm.core.parse import clean_text
from xlcrm.core.report import sections as report_sections
from xlcrm.core.scores import summary_sheet
from xlcrm.core.sheets import (RECORD_SHEETS, SHEETS, SHEETS_SECTION, apart_name, find_sheet, recorded_sheets,
                               sheet_name, sheets_record)
from xlcrm.core.table import HEADER_SCAN_ROWS

PREVIEW_COLUMNS = (("n", "#", "序号"), ("decision", "Status", "状态"), ("customer", "Customer", "客户"),
                   ("row", "Row", "行"), ("to", "To", "收件人"), ("cc", "CC", "抄送"), ("template", "Template", "模板"),
                   ("occasion", "Occasion", "场合"), ("due", "Due", "到期日"), ("subject", "Subject", "主题"),
                   ("body", "Body", "正文"), ("attachments", "Attachments", "附件"), ("reason", "Why", "原因"),
                   ("file", "File", "文件"))
LOG_COLUMNS = (("at", "Time", "时间"), ("state", "Status", "状态"), ("customer", "Customer", "客户"),
               ("row", "Row", "行"), ("to", "To", "收件人"), ("template", "Template", "模板"),
               ("occasion", "Occasion", "场合"), ("due", "Due", "到期日"), ("subject", "Subject", "主题"),
               ("reason", "Note", "说明"), ("decision", "Decision (sent / resend)", "处理(已发 / 重发)"),
               ("key", "Key", "键"))
# xlcrm's sheets written whole, each run: a team's sheet of the name is never one of them. The others (the contact
# log and the templates, which the team edits; the state sheet) are the sheets of their names: the contact log and
# the templates are refused with a message when not laid out as xlcrm's (actions.contact_log, actions.mail_sheets)
PUT_APART = ("settings", "problems", "summary", "due", "preview", "send_log", "report")
RENAMED_BY_LAYOUT = ("settings", "templates")  # found under a name the team gave them
SHEET_APART = Msg("Sheet '{sheet}' is your own, not xlcrm's: it is left as it is, and xlcrm writes its own '{sheet}' "
                  "sheet as '{name}'.",
                  "工作表“{sheet}”是您自己的,不是 xlcrm 写的:保持不变;xlcrm 自己的“{sheet}”表写为“{name}”。")


def _first(row: list[Any]) -> str:
    return next((text for v in row if (text := clean_text(v))), "")


def _headed(columns: tuple[tuple[str, ...], ...], shown: int = 5) -> Callable[[list[list[Any]]], bool]:
    """A sheet whose first row starts with these columns' labels, in one language (earlier versions wrote fewer)."""
    labels = [[norm_header(c[lang]) for c in columns[:shown]] for lang in (1, 2)]
    return lambda grid: bool(grid) and [norm_header(clean_text(v)) for v in grid[0][:shown]] in labels


def _pattern(msg: Msg) -> re.Pattern[str]:
    """A sentence of either language with any text for its fields."""
    texts = (re.sub(r"\\\{\w+\\\}", ".*", re.escape(text)) for text in (msg.en, msg.zh))
    return re.compile("|".join(f"(?:{t})" for t in texts), re.S)


def _titled(*lines: Msg) -> Callable[[list[list[Any]]], bool]:
    """A sheet whose first rows' first cells are these sentences."""
    patterns = [_pattern(m) for m in lines]
    return lambda grid: len(grid) >= len(patterns) and all(
        p.fullmatch(_first(row)) for p, row in zip(patterns, grid))


LAYOUTS: dict[str, Callable[[list[list[Any]]], bool]] = {
    "settings": lambda grid: len(read_settings_grid([r for r in grid if _first(r).startswith("■")])) >= 2,
    "problems": _headed(problems_sheet.COLUMNS),
    "summary": _titled(summary_sheet.TITLE),
    "due": _titled(due_list.TITLE),
    "contact_log": lambda grid: log_header(grid)[0] >= 0,
    # nearly all the templates' columns: a team's own list of Template | Subject | Body is not xlcrm's
    "templates": lambda grid: len((templates_header(grid) or (0, {}))[1]) >= len(TEMPLATE_COLUMNS) - 3,
    "preview": _headed(PREVIEW_COLUMNS),
    "send_log": _headed(LOG_COLUMNS),
    "report": _titled(report_sections.TITLE, report_sections.SUBTITLE),
    "state": lambda grid: bool(grid) and _first(grid[0]) == state.TITLE,
}


@dataclass(frozen=True)
class SheetPlaces:
    """xlcrm's sheets in one workbook: which are there, which sheets of their names are the team's, the name each
    is written under."""

    names: tuple[str, ...]  # the workbook's sheets when it was opened
    ours: dict[str, tuple[str, ...]]  # sheet id -> xlcrm's sheets of that id (either language, or put apart)
    team: frozenset[str]  # the team's sheets named like one of xlcrm's: never written, read as the team's
    renamed: dict[str, str]  # sheet id -> the name the team gave xlcrm's sheet (found by its layout)

    def existing(self, sheet_id: str) -> str | None:
        """xlcrm's sheet of this id in the workbook, the one it reads; the templates and the contact log: the sheet of
        the name, whoever wrote it (it is refused when it is not laid out as xlcrm's)."""
        if sheet_id in self.renamed:
            return self.renamed[sheet_id]
        if sheet_id not in PUT_APART:
            return find_sheet(list(self.names), sheet_id)
        return next(iter(self.ours.get(sheet_id, ())), None)

    def target(self, sheet_id: str, lang: str) -> str:
        """The name xlcrm writes its sheet under: the team's name for it, its own in this language, else (a team
        sheet has that name) the name put apart."""
        if sheet_id in self.renamed:
            return self.renamed[sheet_id]
        plain, apart = sheet_name(sheet_id, lang), apart_name(sheet_id, lang)
        mine = self.ours.get(sheet_id, ())
        if plain in mine or apart in mine:
            return plain if plain in mine else apart
        return apart if sheet_id in PUT_APART and plain in self.team else plain

    def aliases(self, sheet_id: str, name: str) -> tuple[str, ...]:
        """xlcrm's other sheets of this id (its other language): renamed to `name`, never one of the team's."""
        return () if sheet_id in self.renamed else tuple(n for n in self.ours.get(sheet_id, ()) if n != name)

    def xlcrm_sheets(self) -> set[str]:
        """Every sheet of the workbook that is xlcrm's: never a customer or orders table."""
        return {n for found in self.ours.values() for n in found} | set(self.renamed.values())


def sheet_places(book: Book, names: list[str], memory: dict[str, pd.DataFrame]) -> SheetPlaces:
    """Which sheets are xlcrm's: those the state sheet records it wrote, those laid out as it lays them out, and
    those under a name put apart; the templates and the state sheet by their names."""
    recorded = recorded_sheets(memory.get(SHEETS_SECTION))
    ours: dict[str, tuple[str, ...]] = {}
    team: set[str] = set()
    for sid in SHEETS:
        found = []
        apart = {apart_name(sid, lang) for lang in ("en", "zh")} if sid in PUT_APART else set()
        for name in names:
            if name in apart:
                found.append(name)
            elif find_sheet([name], sid):
                if sid in ("templates", "state") or recorded.get(name) == sid or LAYOUTS[sid](
                        book.read_sheet(name, HEADER_SCAN_ROWS)):
                    found.append(name)
                else:
                    team.add(name)
        ours[sid] = tuple(found)
    named = {n for n in names for sid in SHEETS if find_sheet([n], sid)}
    renamed = {sid: n for sid in RENAMED_BY_LAYOUT if not ours[sid]
               and (n := next((n for n in names if n not in named
                               and LAYOUTS[sid](book.read_sheet(n, HEADER_SCAN_ROWS))), None))}
    return SheetPlaces(tuple(names), ours, frozenset(team), renamed)


class OpenWorkbook(Protocol):
    """What owned_sheet needs of the session open in this action: the places, what to say, what to remember."""

    places: SheetPlaces | None
    notes: list[Msg]
    memory: dict[str, pd.DataFrame]


def placed(sheet_id: str, lang: str, opened: OpenWorkbook | SheetPlaces | None = None) -> tuple[str, tuple[str, ...]]:
    """(name, aliases) of an xlcrm sheet about to be written in the workbook opened (a session, or only its places
    when a run stops before its session opens). Put apart from a team's sheet of its name, it says so once in the
    session's notes (the run that makes it), and the name is recorded in the state sheet, so that the next run
    knows it as xlcrm's."""
    session = None if opened is None or isinstance(opened, SheetPlaces) else opened
    places = opened if isinstance(opened, SheetPlaces) else (session.places if session else None)
    if places is None:  # no workbook opened (a sheet built on its own): its name, the other language's renamed
        name = sheet_name(sheet_id, lang)
        return name, tuple(n for n in SHEETS[sheet_id] if n != name)
    name = places.target(sheet_id, lang)
    if session is not None and session.places is places:
        plain = sheet_name(sheet_id, lang)
        if name != plain and plain in places.team and name not in places.names:
            note = SHEET_APART(sheet=plain, name=name)
            session.notes += [] if note in session.notes else [note]
        if sheet_id in PUT_APART:
            session.memory[SHEETS_SECTION] = sheets_record(session.memory.get(SHEETS_SECTION), {sheet_id: name})
    return name, places.aliases(sheet_id, name)


def remember_places(memory: dict[str, pd.DataFrame], places: SheetPlaces) -> None:
    """The state sheet's record of xlcrm's sheets without those no longer in the workbook: a team's sheet made
    later under the same name is the team's. (placed adds each sheet as it is written.)"""
    record = memory.get(SHEETS_SECTION)
    if record is not None and len(record) and set(RECORD_SHEETS) <= set(record.columns):
        memory[SHEETS_SECTION] = sheets_record(record[record["sheet"].isin(places.names)], {})
