"""Writing xlcrm's edits into an existing workbook, part by part, so that nothing the team made changes.

The package is copied entry by entry. Only these parts are written anew:
- the sheets that SetCells / SetHighlights target (xlcrm's cells and tagged rules only), and the column names of
  their Tables when xlcrm writes into a table's header row (book/file/table_headers.py);
- xl/styles.xml (xlcrm's styles appended, existing indexes unchanged);
- xl/workbook.xml, its relationships and [Content_Types].xml (xlcrm's sheets added, renamed
  or replaced; the calculation chain dropped once cells change, as Excel rebuilds it);
- xlcrm's own sheets and their drawings and charts.
Everything else (charts, pictures, slicers, sparklines, macros, the ribbon...) is copied as stored.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from xlcrm.book.file.package import R, TYPES_PART, WORKSHEET_TYPE, Package, rels_name
from xlcrm.book.file.package_writer import PackageWriter
from xlcrm.book.file.sheet_patch import SheetPatch
from xlcrm.book.file.styles_patch import Styles
from xlcrm.book.file.table_headers import matched_tables
from xlcrm.book.file.transplant import Scratch
from xlcrm.book.file.workbook_patch import WorkbookPatch
from xlcrm.core.edits import Edit, PutSheet, SetCells, SetHighlights, holds_formula

_STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


class MissingSheet(LookupError):
    """An edit names a sheet the workbook does not have (or that is not a worksheet)."""

    def __init__(self, sheet: str):
        super().__init__(sheet)
        self.sheet = sheet


def patch_workbook(source: Path, target: Path, edits: Sequence[Edit]) -> None:
    """source with the edits carried out, written to target."""
    with zipfile.ZipFile(source) as archive:
        _Patch(Package(source, archive), edits).write(target)


class _Patch:
    def __init__(self, package: Package, edits: Sequence[Edit]):
        self.package = package
        self.book = WorkbookPatch(package)
        self.styles_part = self.book.styles_part
        self.styles = Styles(package.read(self.styles_part) if self.styles_part in package.names else None)
        self.taken = {name.lower() for name in package.names}
        self.written: dict[str, bytes] = {}
        self.removed: set[str] = set()
        scratch, in_place = self._route(edits)
        for name in in_place:  # header cells inside a Table or right beside it: it grows, its column names follow
            tables, in_place[name] = matched_tables(package, self.book.sheet_part(name) or "", in_place[name])
            self.written.update(tables)
        self.sheets = {self.book.sheet_part(name): SheetPatch(sheet_edits, self.styles, self.book.date1904)
                       for name, sheet_edits in in_place.items()}
        if scratch:
            self._transplant(scratch)
        for edit in edits:
            if isinstance(edit, SetCells) and edit.print_with_team and edit.sheet in in_place:
                self.book.extend_print_area(edit.sheet, edit.col + max(map(len, edit.values), default=1) - 1)
        if any(p.formulas for p in self.sheets.values()) or _has_formulas(scratch):
            self.book.full_calc_on_load()
        self._settle()

    def _route(self, edits: Sequence[Edit]) -> tuple[list[Edit], dict[str, list[Edit]]]:
        """Edits of xlcrm's own sheets go to the scratch workbook, the others to the team's sheets."""
        names = set(self.book.sheet_names())
        put: set[str] = set()
        renamed: set[str] = set()
        scratch: list[Edit] = []
        in_place: dict[str, list[Edit]] = defaultdict(list)
        for position, edit in enumerate(edits):
            if isinstance(edit, PutSheet):
                scratch.append(edit)
                put.add(edit.name)
                renamed.update(set(edit.aliases) - {edit.name})
            elif edit.sheet in put:
                scratch.append(edit)
            elif not any(edit.sheet in (e.name, *e.aliases) for e in edits[position + 1:] if isinstance(e, PutSheet)):
                if not isinstance(edit, (SetCells, SetHighlights)):
                    raise TypeError(f"the file back-end cannot patch {type(edit).__name__} into a team's sheet")
                part = self.book.sheet_part(edit.sheet) if edit.sheet in names else None
                if part not in self.package.names or edit.sheet in renamed or \
                        self.package.types.of(part) != WORKSHEET_TYPE:
                    raise MissingSheet(edit.sheet)
                in_place[edit.sheet].append(edit)
        return scratch, in_place

    def _transplant(self, edits: list[Edit]) -> None:
        scratch = Scratch(edits, self.book.date1904)  # its dates counted as the team's workbook counts them
        last = {e.name: e for e in edits if isinstance(e, PutSheet)}
        for name, edit in last.items():
            part, replaced, selected = self.book.put(name, edit.aliases, edit.first, edit.hidden, self.taken)
            if replaced:
                self._remove_parts_of(part)
            moved = scratch.transplant(name, self.styles, part, self.taken, selected)
            header = next((i for i, style in sorted(edit.row_styles.items()) if style == "header"), None)
            if header is not None:  # kept in workbook.xml, so it does not come with the sheet
                self.book.print_titles(name, header + 1)
            self.written.update(moved.parts)
            for moved_part, content_type in moved.types.items():
                self.package.types.add(moved_part, content_type)

    def _remove_parts_of(self, part: str) -> None:
        """What only an old xlcrm sheet used (its drawing, charts...) goes with it."""
        uses = [r.target for r in self.package.relationships(part) if not r.external]
        roots = [r.target for r in self.package.relationships("") if not r.external]
        still_used = self.package.reachable(roots, avoid={part})
        for old in self.package.reachable(uses, avoid={part}) - still_used:
            self.removed.update({old, rels_name(old)})
            self.package.types.remove(old)
            self.taken.discard(old.lower())  # free for the new sheet's parts: a re-run writes the same names
        self.removed.add(rels_name(part))

    def _settle(self) -> None:
        """The workbook-level parts, rewritten when something in them changed."""
        if self.sheets or self.written:
            chain = self.book.drop_calc_chain()
            if chain:
                self.removed.update({chain, rels_name(chain)})
                self.package.types.remove(chain)
        if self.styles_part is None:
            self.styles_part = "xl/styles.xml"
            self.book.rels.add(R + "/styles", self.styles_part)
            self.package.types.add(self.styles_part, _STYLES_TYPE)
        if self.book.changed:
            self.written[self.book.part] = self.book.to_bytes()
        if self.book.rels.changed:
            self.written[rels_name(self.book.part)] = self.book.rels.to_bytes()
        if self.package.types.changed:
            self.written[TYPES_PART] = self.package.types.to_bytes()

    def write(self, target: Path) -> None:
        pending = dict(self.written)
        writer = PackageWriter(self.package.path, target)
        styles_info = None
        try:
            for info in self.package.infos:
                name = info.filename
                if name == self.styles_part:
                    styles_info = info  # last: the sheets may still add a style while they stream
                elif name in self.sheets:
                    with writer.stream(name) as out, self.package.open(name) as source:
                        self.sheets[name].write(source, out)
                elif name in pending:
                    writer.write(name, pending.pop(name))
                elif name not in self.removed:
                    writer.copy(self.package.archive, info)
            for name, data in pending.items():
                writer.write(name, data)
            if self.styles.changed:
                assert self.styles_part is not None  # named when the edits were planned
                writer.write(self.styles_part, self.styles.to_bytes())
            elif styles_info is not None:
                writer.copy(self.package.archive, styles_info)
        finally:
            writer.close()


def _has_formulas(edits: list[Edit]) -> bool:
    return holds_formula(row for e in edits
                         for row in (e.rows if isinstance(e, PutSheet) else e.values if isinstance(e, SetCells) else []))
