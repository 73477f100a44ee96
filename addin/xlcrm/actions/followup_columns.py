"""What follow-ups write into the team's sheet: the status and next-due columns, three colour
rules that compare the due date with TODAY(), and the due list sheet."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlcrm.actions.common import column_edits, owned_sheet
from xlcrm.actions.session import Session, Source
from xlcrm.core.followups import due_list
from xlcrm.core.followups.due import Due
from xlcrm.core.edits import CENTER, DATE, Edit, Formula, Highlight, SetHighlights
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text
from xlcrm.core.sheets import COLUMNS_SECTION, recorded_columns
from xlcrm.core.table import ROW_SPAN, column_letter
from xlcrm.core.followups.touches import STATUSES

_CELL = "\x00"  # stands for the due-date cell in the status formula: no status word holds it
COLOURS = {"overdue": "FFB3B3", "due_today": "FFD27F", "due_week": "FFF59D"}  # red, amber, yellow
TEAM_COLUMN = Msg(
    "Sheet '{sheet}': column {column} '{header}' looks like your own (it holds e.g. '{value}'), but xlcrm writes its "
    "follow-up status and next due date into columns of that name. Rename your column (e.g. 下次跟进日期 or "
    "跟进情况) and run again; nothing was written.",
    "工作表“{sheet}”:{column} 列“{header}”似乎是您自己的列(例如“{value}”),但 xlcrm 的跟进状态和下次跟进日会写入同名列。"
    "请把您的列改名(如“下次跟进日期”或“跟进情况”)后再运行;本次未写入任何内容。")
TYPED_OVER = Msg(
    "Sheet '{sheet}': column {column} '{header}' is xlcrm's (it writes the follow-up status there); what was typed "
    "in it was replaced by the status: {cells}. Keep such notes in a column of your own or in the contact log.",
    "工作表“{sheet}”:{column} 列“{header}”是 xlcrm 的列(写入跟进状态);其中手动填写的内容已被状态覆盖:{cells}。"
    "此类记录请写在您自己的列或跟进记录中。")


def followup_edits(session: Session, due: Due, today: dt.date, extra: pd.DataFrame | None = None) -> list[Edit]:
    """The status and next-due columns, the row colours and the due list (extra: more own columns)."""
    source, lang = session.customers, session.lang
    values = pd.DataFrame({"followup_status": None, "next_due": due.followups["due"]}, index=due.followups.index)
    if extra is not None:
        values = values.join(extra)
    status: dict[int, Formula] = {}
    colours: list[Edit] = []
    for k, (part, rows) in enumerate(source.by_sheet(values)):  # one sheet per owner: each sheet its own rows
        due.notes += typed_over(part, session.memory.get(COLUMNS_SECTION))
        refuse_team_columns(part, session.memory.get(COLUMNS_SECTION))
        places = part.place(list(values.columns))
        letter = column_letter(places["next_due"])
        formula = status_formula(_CELL, lang)  # the same for every row, but for its due-date cell
        status.update({k * ROW_SPAN + row: Formula(formula.replace(_CELL, f"{letter}{row}")) for row in rows.index})
        if len(rows):
            last_column = column_letter(max(len(part.table.headers) - 1, *places.values()))
            colours.append(highlights(part.table.sheet, part.table.header_row + 1, part.table.last_row,
                                      last_column, letter))
    values["followup_status"] = [status[row] for row in values.index]
    edits: list[Edit] = column_edits(session, source, values, lang, {"next_due": DATE, "last_contact": DATE},
                                     {"followup_status": 16, "next_due": 12, "last_contact": 14},
                                     {"followup_status": CENTER}) + colours  # apart from the date on its left
    rows, layout = due_list.sheet(due.touches, due.people, today, lang, source.table.sheet, source.table.locate)
    edits.append(owned_sheet("due", lang, rows, session, **layout))
    return edits


def _foreign(source: Source, column: int) -> pd.Series:
    """The cells of a status column that hold no status word (typed by someone), by Excel row."""
    words = {norm_header(text) for m in STATUSES.values() for text in (m.en, m.zh)}
    cells = source.table.cells[column]
    return cells[cells.map(lambda v: bool(clean_text(v)) and norm_header(v) not in words)]


def typed_over(source: Source, record: pd.DataFrame | None) -> list[Msg]:
    """The status column the state sheet records as xlcrm's is xlcrm's, whatever is typed in it: as refresh does
    with its own columns, the typed cells are overwritten, and said (the cells and what they held)."""
    table = source.table
    column = source.own.get("followup_status")
    if column is None or recorded_columns(record, table.sheet, table.headers).get("followup_status") != column:
        return []
    typed = _foreign(source, column)
    if not len(typed):
        return []
    letter = column_letter(column)
    cells = ", ".join(f"{letter}{row} '{clean_text(v)}'" for row, v in typed.head(8).items())
    cells += f" (+{len(typed) - 8})" if len(typed) > 8 else ""
    return [TYPED_OVER(sheet=table.sheet, column=letter, header=table.headers[column], cells=cells)]


def refuse_team_columns(source: Source, record: pd.DataFrame | None = None) -> None:
    """Stop before overwriting a column of the team's that happens to carry the name of one of xlcrm's.

    xlcrm writes its two columns together, and the status column only ever holds status words.
    """
    table = source.table
    present = source.own
    status = present.get("followup_status")
    if status is not None and recorded_columns(record, table.sheet, table.headers).get("followup_status") == status:
        return  # recorded as xlcrm's: typed cells are overwritten, and said (typed_over)
    if status is not None:
        foreign = _foreign(source, status).tolist()
        if foreign:
            raise XlcrmError(TEAM_COLUMN(sheet=table.sheet, column=column_letter(status),
                                         header=table.headers[status], value=clean_text(foreign[0])))
    elif "next_due" in present:
        column = present["next_due"]
        raise XlcrmError(TEAM_COLUMN(sheet=table.sheet, column=column_letter(column), header=table.headers[column],
                                     value=clean_text(next((v for v in table.cells[column] if clean_text(v)), ""))))


def status_formula(cell: str, lang: str) -> str:
    """The status as a formula of the due date, so it reads right on any later day without a re-run."""
    text = {k: m.text(lang).replace('"', '""') for k, m in STATUSES.items()}
    return (f'IF(ISNUMBER({cell}),IF({cell}<TODAY(),"{text["overdue"]}",IF({cell}=TODAY(),"{text["due_today"]}",'
            f'IF({cell}-TODAY()<=7,"{text["due_week"]}","{text["ok"]}"))),"{text["no_date"]}")')


def highlights(sheet: str, first_row: int, last_row: int, last_column: str, due_column: str) -> SetHighlights:
    """Three rules over the customer rows, each comparing the row's due date with TODAY()."""
    cell = f"${due_column}{first_row}"
    dated = f"ISNUMBER({cell})"
    return SetHighlights(sheet, f"A{first_row}:{last_column}{last_row}", [
        Highlight(f"AND({dated},{cell}<TODAY())", COLOURS["overdue"]),
        Highlight(f"AND({dated},{cell}=TODAY())", COLOURS["due_today"]),
        Highlight(f"AND({dated},{cell}>TODAY(),{cell}-TODAY()<=7)", COLOURS["due_week"]),
    ])
