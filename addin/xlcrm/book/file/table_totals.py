"""The rows Excel Tables show as their Total Row: a table part's ref ends with totalsRowCount rows of totals
(SUBTOTAL formulas, a label or none), which are no customers nor orders however they are labelled."""

from __future__ import annotations

from lxml import etree

from xlcrm.book.file.cell_xml import split_ref
from xlcrm.book.file.package import Package, parse


def total_rows(package: Package, sheet_part: str) -> frozenset[int]:
    """Excel rows of the Total Rows of the sheet's tables."""
    rows: set[int] = set()
    for part in package.table_parts(sheet_part):
        try:
            table = parse(package.read(part))
            ref, count = table.get("ref", ""), table.get("totalsRowCount", "0")
            if ":" in ref and count.isdigit() and int(count) > 0:  # totalsRowShown says only that it once was
                (top, _), (bottom, _) = (split_ref(corner) for corner in ref.split(":", 1))
                rows.update(range(max(top + 1, bottom - int(count) + 1), bottom + 1))
        except (ValueError, etree.LxmlError):  # a table Excel would repair: its rows are read as they are
            continue
    return frozenset(rows)
