"""An Excel Table grown to take in xlcrm's columns written right beside it, as Excel grows a table when one types in
the column to its right: sorting the table from its header then moves xlcrm's cells with their customers.

Only xlcrm's columns beside the team's data (SetCells.print_with_team) whose header cells, on the table's header
row, start inside the table or in the column right after its last: a team's own column or a gap in between, or
another table in the way, leaves the table as it is. The table's rows stay (same top and bottom, a Total Row stays
last); its filter and sort ranges, spanning the table's width, span the new width. The new columns are named after
their header cells by table_headers, which runs next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlcrm.book.file.cell_xml import column_letter, split_ref
from xlcrm.book.file.package import local
from xlcrm.core.edits import Edit, SetCells

Span = tuple[int, int, int, int]  # top, left, bottom, right (1-based, inclusive)


def grow_tables(tables: Sequence[Any], edits: Sequence[Edit]) -> set[int]:
    """Grows (in place) the table parts' roots whose header row xlcrm's columns continue; the indexes grown."""
    spans = [_span(root) for root in tables]
    grown: set[int] = set()
    beside = sorted((e for e in edits if isinstance(e, SetCells) and e.print_with_team and e.values and e.values[0]),
                    key=lambda e: e.col)  # left to right: a run right of a run just taken in is beside it too
    for edit in beside:
        right = edit.col + len(edit.values[0]) - 1
        for index, span in enumerate(spans):
            if span is None or not _growable(tables[index]):
                continue
            top, left, bottom, last = span
            if edit.row != top or not left <= edit.col <= last + 1 or right <= last:
                continue
            wanted = (top, last + 1, bottom, right)
            if any(other is not None and i != index and _overlap(other, wanted) for i, other in enumerate(spans)):
                continue  # Excel's tables never overlap
            _grow(tables[index], span, right)
            spans[index] = (top, left, bottom, right)
            grown.add(index)
    return grown


def _span(root: Any) -> Span | None:
    ref = root.get("ref", "")
    if ":" not in ref:
        return None
    try:
        (top, left), (bottom, right) = (split_ref(corner) for corner in ref.split(":", 1))
    except ValueError:  # a table Excel would repair: left as it is
        return None
    return top, left, bottom, right


def _growable(root: Any) -> bool:
    """A worksheet table with its header row shown (a query or XML table's columns belong to their source)."""
    return root.get("tableType", "worksheet") == "worksheet" and root.get("headerRowCount", "1") != "0" and \
        bool(_columns(root))


def _overlap(a: Span, b: Span) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _columns(root: Any) -> list[Any]:
    return [c for group in root if local(group.tag) == "tableColumns" for c in group if local(c.tag) == "tableColumn"]


def _grow(root: Any, span: Span, right: int) -> None:
    """ref, filter and sort ranges widened to column right; a tableColumn per new column (named for now: the header
    cells name them next), ids after the largest."""
    top, left, bottom, last = span
    root.set("ref", f"{column_letter(left)}{top}:{column_letter(right)}{bottom}")
    for child in root:
        if local(child.tag) == "autoFilter":
            _widen(child, last, right)
            for sort in (c for c in child if local(c.tag) == "sortState"):
                _widen(sort, last, right)
        elif local(child.tag) == "sortState":
            _widen(child, last, right)
    columns = _columns(root)
    first_id = max((int(c.get("id")) for c in columns if (c.get("id") or "").isdigit()), default=0) + 1
    after = columns[-1]
    for number in range(right - last):
        column = after.makeelement(columns[0].tag, {"id": str(first_id + number),
                                                    "name": f"Column{len(columns) + number + 1}"})
        after.addnext(column)  # after the last column: an extLst, if any, stays last
        after = column
    after.getparent().set("count", str(len(columns) + right - last))


def _widen(element: Any, last: int, right: int) -> None:
    """A range that spans the table's width (ends in its last column) spans the new width."""
    ref = element.get("ref", "")
    if ":" not in ref:
        return
    try:
        (top, left), (bottom, end) = (split_ref(corner) for corner in ref.split(":", 1))
    except ValueError:
        return
    if end == last:
        element.set("ref", f"{column_letter(left)}{top}:{column_letter(right)}{bottom}")
