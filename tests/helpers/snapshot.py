"""Everything a user made in a workbook, as plain data that compares with ==.

A snapshot before and after xlcrm writes must be equal for every sheet that is not
xlcrm's own: cell by cell (value, formula text, type, number format, font, fill, border,
alignment, protection, comment, hyperlink) and sheet by sheet (merges, validations,
conditional formats, sizes, panes, filters, tables, pictures, charts, print setup).
Style objects are compared through their repr, which lists every attribute, so a
difference shows up readably in a failing assertion. An attribute left out means its
default, so false/0 and "not given" compare equal, except where the default is true.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.rich_text import CellRichText
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.xml.functions import tostring

from xlcrm.core.edits import is_tagged


# Attributes whose default is true (or not zero): here a written 0/false is not the default.
TRUE_DEFAULTS = {"locked", "showGridLines", "showRowColHeaders", "showZeros", "showOutlineSymbols",
                 "defaultGridColor", "showRuler", "showWhiteSpace", "fitToHeight", "fitToWidth", "scale",
                 "zoomScale", "summaryBelow", "summaryRight", "autoPageBreaks", "published", "objects",
                 "scenarios", "selectLockedCells", "selectUnlockedCells", "enableFormatConditionsCalculation",
                 "useFirstPageNumber", "firstPageNumber", "copies", "showAutoFilter", "showButton", "baseColWidth",
                 "scaleWithDoc", "alignWithMargins"}
_DEFAULTISH = re.compile(r"\b(\w+)=(?:False|0|0\.0)(?=[,\n)]|$)")


def _repr(thing) -> str:
    return _DEFAULTISH.sub(lambda m: m.group(0) if m.group(1) in TRUE_DEFAULTS else f"{m.group(1)}=None", repr(thing))


def snapshot(path: Path, ignore_sheets: set[str] = frozenset(), ignore_columns: dict[str, set[int]] | None = None
             ) -> dict[str, Any]:
    """The workbook as data; ignore_sheets are xlcrm's own, ignore_columns[sheet] its own 1-based columns."""
    ignore_columns = ignore_columns or {}
    book = openpyxl.load_workbook(path, rich_text=True, keep_vba=path.suffix == ".xlsm", keep_links=True)
    team = [s for s in book.worksheets if s.title not in ignore_sheets]
    return {
        "sheet order": [s.title for s in team],
        "workbook": _workbook(book, ignore_sheets),
        **{f"sheet {s.title}": _sheet(s) for s in team},
        **{f"cells {s.title}": _cells(s, ignore_columns.get(s.title, set())) for s in team},
        **{f"chartsheet {s.title}": _repr(s.sheet_view) for s in book.chartsheets},
    }


def _workbook(book, ignore_sheets) -> dict[str, Any]:
    return {
        "names": {n: _repr(d) for n, d in book.defined_names.items()},
        "code name": book.code_name,
        "protection": _repr(book.security),
        "calculation": _repr(book.calculation),
        "title": (book.properties.title, book.properties.creator),
        "custom properties": [(p.name, p.value) for p in book.custom_doc_props],
        "active": book.active.title if book.active.title not in ignore_sheets else None,
        "external links": [_repr(link.file_link) for link in book._external_links],
        "pivot caches": len({id(p.cache) for s in book.worksheets for p in s._pivots}),
    }


def _sheet(sheet) -> dict[str, Any]:
    return {
        "state": sheet.sheet_state,
        "properties": _repr(sheet.sheet_properties),
        "view": _repr(sheet.views),
        "freeze": sheet.freeze_panes,
        "format": _repr(sheet.sheet_format),
        "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
        "validations": sorted(_repr(v) for v in sheet.data_validations.dataValidation),
        "conditional formats": _conditional_formats(sheet),
        "columns": {k: _dimension(d) for k, d in sheet.column_dimensions.items() if _real(d)},
        "rows": {k: _dimension(d) for k, d in sheet.row_dimensions.items() if _real(d)},
        "autofilter": _repr(sheet.auto_filter),
        "tables": {n: _repr(t) for n, t in sheet.tables.items()},
        "names": {n: _name(d) for n, d in sheet.defined_names.items()},
        "print": (sheet.print_title_rows, sheet.print_title_cols, sheet.print_area, _repr(sheet.page_setup),
                  _repr(sheet.print_options), _repr(sheet.page_margins), _xml(sheet.HeaderFooter)),
        "protection": _repr(sheet.protection),
        "pictures": [(_anchor(i.anchor), i.width, i.height, i._data()) for i in sheet._images],
        "charts": [(_anchor(c.anchor), type(c).__name__, _repr(c.title), _series(c)) for c in sheet._charts],
        "pivot tables": [(p.name, p.location.ref) for p in sheet._pivots],
        "breaks": (_repr(sheet.row_breaks), _repr(sheet.col_breaks)),
    }


def _cells(sheet, ignore_columns: set[int]) -> dict[str, dict]:
    return {cell.coordinate: _cell(cell) for row in sheet.iter_rows() for cell in row
            if cell.column not in ignore_columns and not _blank(cell)}


def _cell(cell) -> dict[str, Any]:
    return {"value": _value(cell.value), "type": cell.data_type, "number format": cell.number_format,
            "font": _repr(cell.font), "fill": _repr(cell.fill), "border": _repr(cell.border),
            "alignment": _repr(cell.alignment), "protection": _repr(cell.protection),
            "comment": (cell.comment.text, cell.comment.author) if cell.comment else None,
            "hyperlink": _link(cell.hyperlink)}


def _value(value) -> Any:
    if isinstance(value, CellRichText):
        return ("rich", [(_repr(getattr(part, "font", None)), str(part)) for part in value])
    if isinstance(value, ArrayFormula):
        return ("array", value.ref, value.text)
    if isinstance(value, DataTableFormula):
        return ("data table", dict(value))
    return value


def _name(name) -> str:
    """A sheet's own name: which sheet it belongs to shows by where it is listed; its index is bookkeeping."""
    return re.sub(r"localSheetId=\w+, ", "", _repr(name))


def _link(link) -> tuple | None:
    """Where a hyperlink goes (its relationship id is bookkeeping, not content)."""
    return (link.target, link.location, link.tooltip, link.display) if link else None


def _blank(cell) -> bool:
    return cell.value is None and not cell.has_style and cell.comment is None and cell.hyperlink is None


def _dimension(dimension) -> tuple[str, str]:
    """A row's or column's settings, and its style as what it shows (its index in styles.xml is bookkeeping:
    another writer numbers the same styles differently)."""
    shown = (dimension.number_format, _repr(dimension.font), _repr(dimension.fill), _repr(dimension.border),
             _repr(dimension.alignment), _repr(dimension.protection))
    return re.sub(r"'(s|style)': '\d+'(, )?", "", _repr(dimension)), repr(shown)


def _real(dimension) -> bool:
    """A row or column the user sized, hid, grouped or styled (openpyxl creates empty ones on access)."""
    return bool(dimension.customWidth if hasattr(dimension, "customWidth") else dimension.customHeight) or \
        dimension.hidden or dimension.outline_level or dimension.style_id


def _conditional_formats(sheet) -> dict[str, list[str]]:
    """The team's rules by range; xlcrm's own (tagged) rules are not the team's."""
    rules: dict[str, list[str]] = {}
    for target in sheet.conditional_formatting:
        own = [_repr(r) for r in target.rules if not any(is_tagged(f) for f in r.formula)]
        if own:
            rules[str(target.sqref)] = own
    return rules


def _anchor(anchor) -> str:
    marker = getattr(anchor, "_from", None)
    return _repr(marker) if marker is not None else str(anchor)


def _series(chart) -> list[str]:
    return [_repr(s.val.numRef.f if s.val and s.val.numRef else None) + _repr(s.cat) for s in chart.series]


def _xml(part) -> str:
    """Objects whose repr does not list their content (header/footer) compare as their XML."""
    xml = tostring(part.to_tree()).decode()
    return re.sub(r' (\w+)="0"', lambda m: m.group(0) if m.group(1) in TRUE_DEFAULTS else "", xml)


def differences(before: dict, after: dict, path: str = "") -> list[str]:
    """Where two snapshots differ, as readable lines (empty when they are equal)."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return [] if before == after else [f"{path}:\n    before: {before!r}\n    after:  {after!r}"]
    lines = []
    for key in list(before) + [k for k in after if k not in before]:
        lines += differences(before.get(key), after.get(key), f"{path} / {key}" if path else str(key))
    return lines
