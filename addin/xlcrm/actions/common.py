"""Edits every action makes: the settings sheet (with the mapping found) and the data-problems sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from xlcrm.actions.own_sheets import OpenWorkbook, SheetPlaces, placed
from xlcrm.actions.session import Session, Source, workbook_places
from xlcrm.book import Book
from xlcrm.core.all_settings import read_settings_grid, settings_from_user, settings_grid
from xlcrm.core.fields import BY_ID, ORDERS, norm_header
from xlcrm.core.mapping import TO_FILL, MissingColumns
from xlcrm.core.edits import DATE, INT, MONEY, RIGHT, Edit, PutSheet, SetCells
from xlcrm.core.fit import column_width, fitted
from xlcrm.core.i18n import Msg, lang_of
from xlcrm.core.problems import header, problem_rows, rows_found_by_others
from xlcrm.core import state
from xlcrm.mail.batch import Clock
from xlcrm.core.sheets import COLUMNS_SECTION, column_label, record_written

NO_PROBLEMS = Msg("No problems found.", "未发现数据问题。")
NAMED_APART = Msg("Sheet '{sheet}' has its own column '{header}': it is left as it is, and xlcrm writes its own as "
                  "'{label}'.", "工作表“{sheet}”已有您自己的“{header}”列:保持不变,xlcrm 的同名列写为“{label}”。")


def owned_sheet(sheet_id: str, lang: str, rows: list[list], opened: OpenWorkbook | SheetPlaces | None,
                **layout) -> PutSheet:
    """An xlcrm sheet in the current language; its other-language twin is renamed, not duplicated; a name the team
    gave it is kept; a team's sheet of its name is left alone (xlcrm's is put apart). opened: the session of the
    workbook it goes into, or only its places when no session opened (own_sheets.placed); None: a book of its own."""
    name, aliases = placed(sheet_id, lang, opened)
    return fitted(PutSheet(name, rows, aliases=aliases, **layout))


def effective_settings(session: Session):
    """The settings as they were used: the mapping found and the sheets chosen are filled in."""
    mapped = {}
    for source in (session.customers, session.orders):
        if source:
            mapped.update({f: source.table.header_of(c) for f, c in source.mapping.columns.items()})
    ours = {h for source in (session.customers, session.orders) if source for h in source.reserved()} - {""}
    mapped = {r["key"]: "" for r in session.settings.rows("mapping")  # xlcrm's own column named: cleared (detect)
              if r["key"] not in mapped and norm_header(r.get("value")) in ours} | mapped
    customers = session.customers.table
    chosen = "" if session.customer_sheet_guessed else (customers.sheets or (customers.sheet,))[0]  # a guess: not pinned
    general = {"language": session.lang, "customer_sheet": chosen,
               "orders_sheet": session.orders.table.sheet if session.orders else ""}
    return session.settings.with_values("mapping", mapped, overwrite=True).with_values("general", general)


def settings_edit(session: Session) -> PutSheet:
    grid, styles = settings_grid(effective_settings(session), session.lang)
    return owned_sheet("settings", session.lang, grid, session, row_styles=styles,
                       widths={0: 18, 1: 30, 2: 24, 3: 60})


def refusal_settings_edit(book: Book, refused: MissingColumns) -> PutSheet:
    """The settings sheet for a run that stopped at a missing column: what was found, the missing fields
    marked TO_FILL, in the language of the sheet's headers (or the one set)."""
    places = workbook_places(book)
    settings_name = places.existing("settings")
    user = read_settings_grid(book.read_sheet(settings_name)) if settings_name else {}
    settings = settings_from_user(user, present=bool(settings_name))
    table = refused.table
    lang = settings.lang(lang_of(table.headers))
    mapped = {f: table.header_of(c) for f, c in refused.mapping.columns.items()}
    mapped.update({f: TO_FILL for f in refused.missing})
    # the sheet refused is the one named: the orders sheet's refusal leaves the customer sheet to be found
    orders = any(BY_ID[f].table == ORDERS for f in refused.missing)
    settings = settings.with_values("mapping", mapped).with_values(
        "general", {"language": lang, "orders_sheet" if orders else "customer_sheet": table.sheet})
    grid, styles = settings_grid(settings, lang)
    return owned_sheet("settings", lang, grid, places, row_styles=styles, widths={0: 18, 1: 30, 2: 24, 3: 60})


def problems_edit(session: Session, action: str) -> PutSheet:
    """The data-problems sheet: what reading found now, what this action found, and what other actions
    found on their last run (kept until they run again)."""
    lang, split, problems = session.lang, session.read_count, session.located_problems()
    existing = session.own_sheet("problems")  # never a team's sheet of that name (their QA notes)
    rows = (problem_rows(problems[:split], "read", lang) + problem_rows(problems[split:], action, lang)
            + rows_found_by_others(session.book.read_sheet(existing) if existing else [], {"read", action}))
    styles = {0: "header"}
    if not rows:
        rows.append([NO_PROBLEMS.text(lang)])
        styles[1] = "muted"
    return owned_sheet("problems", lang, [header(lang)] + rows, session, row_styles=styles, freeze="A2",
                       widths={0: 16, 1: 6, 2: 22, 3: 24, 4: 50, 5: 14})


def housekeeping(session: Session, action: str = "read") -> list[PutSheet]:
    """The settings and data-problems sheets, for every action's edits; `action` names the run (FOUND_BY)."""
    return [settings_edit(session), problems_edit(session, action)]


PLAIN_CELL_TYPES = {str, int, bool, dt.date}  # most cells of a column: nothing to convert (checked first, per cell)


def cell_value(value: Any) -> Any:
    """A pandas/numpy value as a plain cell value: NaN/NaT empty, Timestamps as dates."""
    if type(value) in PLAIN_CELL_TYPES:
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, np.generic):
        return cell_value(value.item())
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def cell_values(column: pd.Series) -> list[Any]:
    """cell_value of each value of a column. A column of numbers or of dates is converted at once (iterating it
    makes a numpy or Timestamp object per cell); in others the common values (text, numbers, dates) pass without
    a call."""
    kind = column.dtype.kind
    if kind in "biuf":  # numpy's and pandas' nullable numbers: Python's, NaN and <NA> empty
        return column.to_numpy(dtype=object, na_value=None).tolist()
    if kind == "M" and getattr(column.dtype, "tz", None) is None:
        return _datetime_cells(column.to_numpy())
    plain = PLAIN_CELL_TYPES
    return [v if type(v) in plain or (type(v) is float and v == v) else cell_value(v) for v in column]


def _datetime_cells(stamps: np.ndarray) -> list[Any]:
    """datetime64 values as cell_value makes them: whole days as dates, others as datetimes, NaT empty."""
    cells = np.full(len(stamps), None, dtype=object)
    days = stamps.astype("datetime64[D]")
    present = ~np.isnat(stamps)
    whole = present & (days == stamps)
    cells[whole] = days[whole].astype(object)
    cells[present & ~whole] = stamps[present & ~whole].astype("datetime64[us]").astype(object)
    return cells.tolist()


def column_edits(session: Session, source: Source, values: pd.DataFrame, lang: str,
                 formats: dict[str, str] | None = None, widths: dict[str, float] | None = None,
                 align: dict[str, str] | None = None) -> list[Edit]:
    """xlcrm's columns beside the team's: existing ones updated in place, new ones appended under a name no
    column of the team's has; then the state sheet, which records them so the next run finds them.

    values: index = Excel rows of the table (missing rows are left empty), columns = column ids.
    widths: column id -> the width (in characters) it needs at least; each column is made wide enough for its
    header and its widest value as its format shows them.
    align: column id -> alignment of its header and values; columns of numbers and dates are aligned right
    otherwise, so that their header stands over them.
    """
    formats, widths = formats or {}, widths or {}
    align = {cid: RIGHT for cid, name in formats.items() if name in (INT, MONEY, DATE)} | (align or {})
    edits: list[Edit] = []
    for part, part_values in source.by_sheet(values):  # a table of one sheet per owner: each row on its sheet
        edits += _sheet_column_edits(session, part, part_values, lang, formats, widths, align)
    return edits + [state_edit(session)]


def _sheet_column_edits(session: Session, source: Source, values: pd.DataFrame, lang: str,
                        formats: dict[str, str], widths: dict[str, float], align: dict[str, str]) -> list[Edit]:
    table = source.table
    places = source.place(list(values.columns))
    labels = {cid: source.label(cid, lang) for cid in values.columns}
    rows = range(table.header_row + 1, table.last_row + 1)
    aligned = values.reindex(rows)
    edits: list[Edit] = []
    for run in _runs(sorted(places.items(), key=lambda item: item[1])):
        ids = [cid for cid, _ in run]
        columns = [cell_values(aligned[cid]) for cid in ids]
        grid = [[labels[cid] for cid in ids]] + [list(row) for row in zip(*columns)]
        fits = {i: max(widths.get(cid, 0), column_width(columns[i], grid[0][i], formats.get(cid)))
                for i, cid in enumerate(ids)}
        edits.append(SetCells(table.sheet, table.header_row, run[0][1] + 1, grid,
                              {i: formats[cid] for i, cid in enumerate(ids) if cid in formats},
                              header=True, clear_below=True, widths=fits, print_with_team=True,
                              align={i: align[cid] for i, cid in enumerate(ids) if cid in align}))
    session.notes += [NAMED_APART(sheet=table.sheet, header=column_label(cid, lang), label=label)
                      for cid, label in labels.items() if label != column_label(cid, lang) and cid not in source.own]
    written = {cid: table.header_of(column) for cid, column in source.own.items()} | labels
    session.memory[COLUMNS_SECTION] = record_written(session.memory.get(COLUMNS_SECTION), table.sheet, written)
    return edits


def state_edit(session: Session) -> PutSheet:
    """The hidden state sheet, with every section the session holds."""
    return owned_sheet("state", session.lang, state.render(session.memory), session, hidden=True)


def _runs(placed: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """Split (id, column) pairs sorted by column into runs of adjacent columns."""
    runs: list[list[tuple[str, int]]] = []
    for item in placed:
        if runs and item[1] == runs[-1][-1][1] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


class DayClock:
    """A clock on another day: `day` at the real time of day (so the order within the day is kept), for a run
    as of that day (`--today`); waiting and the rate between messages are the real clock's."""

    def __init__(self, clock: Clock, day: dt.date):
        self.clock, self.day = clock, day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.clock.now().timetz())

    def monotonic(self) -> float:
        return self.clock.monotonic()

    def sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)
