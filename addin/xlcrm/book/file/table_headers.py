"""A Table's column names kept equal to its header cells when xlcrm writes into its header row.

Excel requires each column of a Table (ListObject) to be named as its header cell says, the names unique within
the table (case aside); a table whose part says otherwise is "repaired" on open. A team may widen its table over
xlcrm's columns, whose headers xlcrm rewrites (in the other language after a switch): the table part's
<tableColumn name> follows. A header written empty keeps the column's name (a table's header is never empty), and a
name another column already has gets a number, as Excel gives it; the header cell then shows that name too.
xlcrm's columns written right beside a table first join it (book/file/table_extend.py), then are named so.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from xlcrm.book.file.cell_xml import number_text, split_ref
from xlcrm.book.file.package import Package, local, parse, serialize
from xlcrm.book.file.table_extend import grow_tables
from xlcrm.core.edits import Edit, SetCells

_CONTROL = re.compile("[\x00-\x1f]")  # stored as Excel's _xHHHH_ escapes in a column's name


def matched_tables(package: Package, sheet_part: str, edits: Sequence[Edit]) -> tuple[dict[str, bytes], list[Edit]]:
    """(table part -> its new XML, the sheet's edits with the header cells they write inside a table as named)."""
    edits = list(edits)
    parts = {part: package.read(part) for part in package.table_parts(sheet_part)}
    roots = {part: parse(original) for part, original in parts.items()}
    grown = grow_tables(list(roots.values()), edits)  # xlcrm's columns right beside a table join it first
    written: dict[str, bytes] = {}
    for index, (part, root) in enumerate(roots.items()):
        if _rename_columns(root, edits) or index in grown:
            written[part] = serialize(root, parts[part])
    return written, edits


def _rename_columns(root: Any, edits: list[Edit]) -> bool:
    """Renames the table's columns whose header cells the edits write (the edits' cells made to match)."""
    ref, header_rows = root.get("ref", ""), root.get("headerRowCount", "1")
    columns = [c for group in root if local(group.tag) == "tableColumns" for c in group if local(c.tag) == "tableColumn"]
    if ":" not in ref or header_rows == "0" or not columns:
        return False
    (top, left), (_, right) = (split_ref(corner) for corner in ref.split(":", 1))
    wanted = _header_cells(edits, top, left, min(right, left + len(columns) - 1))
    if not wanted:
        return False
    names = [_unescaped(c.get("name", "")) for c in columns]
    for column, (_, _, value) in wanted.items():
        names[column - left] = _text(value) or names[column - left]
    for column in sorted(wanted):
        names[column - left] = _unique(names[column - left], [n for i, n in enumerate(names) if i != column - left])
    changed = False
    for column, (index, offset, value) in wanted.items():
        name = names[column - left]
        if columns[column - left].get("name") != _escaped(name):
            columns[column - left].set("name", _escaped(name))
            changed = True
        if value != name:
            edits[index] = _with_header(edits[index], top, offset, name)
    return changed


def _header_cells(edits: list[Edit], row: int, left: int, right: int) -> dict[int, tuple[int, int, Any]]:
    """Column -> (edit's index, offset in its row, value) of the cells the edits write in the header row (the
    last edit wins, as it does on the sheet)."""
    found: dict[int, tuple[int, int, Any]] = {}
    for index, edit in enumerate(edits):
        if not isinstance(edit, SetCells) or not edit.row <= row < edit.row + len(edit.values):
            continue
        for offset, value in enumerate(edit.values[row - edit.row]):
            if left <= edit.col + offset <= right:
                found[edit.col + offset] = (index, offset, value)
    return found


def _text(value: Any) -> str:
    """A header's text as Excel names the column after it."""
    if value is None or isinstance(value, float) and value != value:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return str(value).strip() and str(value)


def _unique(name: str, others: list[str]) -> str:
    taken = {o.casefold() for o in others}
    if name.casefold() not in taken:
        return name
    return next(f"{name}{n}" for n in range(2, len(taken) + 3) if f"{name}{n}".casefold() not in taken)


def _with_header(edit: Edit, row: int, offset: int, name: str) -> Edit:
    """The edit with one header cell written as the table names its column (its other rows shared, not copied)."""
    assert isinstance(edit, SetCells)
    values = list(edit.values)
    at = row - edit.row
    values[at] = [name if i == offset else v for i, v in enumerate(values[at])]
    return dataclasses.replace(edit, values=values)


def _escaped(name: str) -> str:
    return _CONTROL.sub(lambda found: f"_x{ord(found.group(0)):04X}_", name)


def _unescaped(name: str) -> str:
    return re.sub("_x([0-9A-Fa-f]{4})_", lambda found: chr(int(found.group(1), 16)), name)
