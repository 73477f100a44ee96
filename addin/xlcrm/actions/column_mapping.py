"""Which of a sheet's columns hold the team's fields, and which are xlcrm's own.

The settings' column mapping wins over detection, each setting known by its cell on the settings sheet, so
what goes wrong with it names the cell the team typed it in. xlcrm's own columns (recorded in the hidden state
sheet) are never taken for the team's data.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xlcrm.actions.own_sheets import SheetPlaces
from xlcrm.book import Book
from xlcrm.core import state
from xlcrm.core.fields import BY_ID, fields_of, norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.mapping import Mapping, headed_alike, resolve
from xlcrm.core.settings import Settings
from xlcrm.core.sheets import COLUMNS_SECTION, adopted_record, columns_by_shape, find_sheet, owned_columns, recorded_columns, suffixed_columns
from xlcrm.core.table import Table

OWN_MAPPED = Msg("The settings map {field} to '{header}', one of xlcrm's own columns on sheet '{sheet}', not the team's data: "
                 "left out, and the setting cleared.",
                 "设置把{field}对应到“{header}”,但这是 xlcrm 自己在工作表“{sheet}”写入的列,不是团队的数据:已忽略并清空该设置。")


def read_state(book: Book, names: list[str]) -> dict[str, pd.DataFrame]:
    """The state sheet's sections as they are (none when the workbook has no state sheet)."""
    name = find_sheet(names, "state")
    return state.parse(book.read_sheet(name)) if name else {}


def read_memory(memory: dict[str, pd.DataFrame], places: SheetPlaces) -> dict[str, pd.DataFrame]:
    """The state sheet's sections. A workbook xlcrm wrote before it recorded its columns gets the columns
    found by their names; one it never wrote (a team's own 待跟进 is no sign of it) has none of xlcrm's columns,
    whatever their names."""
    if COLUMNS_SECTION not in memory and not any(places.ours.get(s) for s in ("state", "summary", "due")):
        memory[COLUMNS_SECTION] = pd.DataFrame()
    return memory


def own_columns(table: Table, memory: dict[str, pd.DataFrame], names: list[str] | None = None) -> dict[str, int]:
    """xlcrm's own columns on a sheet: as recorded in the state sheet, else (written before columns were
    recorded) by their names. A sheet the team renamed (names: the workbook's sheets) takes over its record."""
    if COLUMNS_SECTION in memory:
        adopted = adopted_record(memory[COLUMNS_SECTION], table.sheet, table.headers, names) if names else None
        if adopted is not None:
            memory[COLUMNS_SECTION] = adopted
        if not len(memory[COLUMNS_SECTION]):  # no record: the sheet may still carry xlcrm's columns, copied with it
            return columns_by_shape(table.headers)
        return beside_each_other(recorded_columns(memory[COLUMNS_SECTION], table.sheet, table.headers), table)
    return owned_columns(table.headers)


def beside_each_other(own: dict[str, int], table: Table) -> dict[str, int]:
    """xlcrm's columns where it wrote them, side by side: a header it recorded that the team also uses
    elsewhere (a summary beside the table headed 跟进状态, added after xlcrm's columns) is xlcrm's at the place
    nearest its other columns, never the team's (which xlcrm would overwrite). With nothing to go by, the
    rightmost, where xlcrm appends."""
    alike = headed_alike(table)
    shared = {cid: alike[norm_header(table.headers[c])] for cid, c in own.items()}
    sure = [own[cid] for cid, same in shared.items() if len(same) == 1]
    if not sure:
        return own
    return {cid: min(same, key=lambda c: (min(abs(c - s) for s in sure), -c)) for cid, same in shared.items()}


def reserved_headers(table: Table, own: dict[str, int]) -> set[str]:
    """xlcrm's own columns' headers (and any it wrote as '… (xlcrm)'): never mapped as the team's data."""
    return {norm_header(table.headers[c]) for c in (*own.values(), *suffixed_columns(table.headers).values())}


def mapped_columns(table: Table, kind: str, settings: Settings, reserved: set[str],
                   like: dict[str, str] | None = None) -> Mapping:
    """The settings' mapping over what the headers say; like: another sheet's headers that this sheet's columns
    must follow (they win over the settings). xlcrm's own columns are never the team's data, not even when the
    settings name one (then left out, and the setting cleared)."""
    ids = {f.id for f in fields_of(kind)}
    typed = {r["key"]: r.get("value") for r in settings.rows("mapping") if r["key"] in ids}
    cells = {f: settings.cell("mapping", f, "value") for f in typed if f not in (like or {})}
    user: dict[str, Any] = typed | (like or {})
    ours = {f: h for f, h in user.items() if norm_header(h) in reserved - {""}}
    mapping = resolve(table, kind, {f: h for f, h in user.items() if f not in ours}, reserved=reserved, cells=cells)
    mapping.notes += [OWN_MAPPED(field=BY_ID[f].name, header=h, sheet=table.sheet) for f, h in ours.items()]
    return mapping
