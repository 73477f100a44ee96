"""xl/workbook.xml and its relationships: xlcrm's sheets added, renamed or replaced.

A sheet put first moves every sheet after it one place: the team's sheet-scoped names
(localSheetId) and the active tab are moved with them, so the same sheet stays selected.
"""

from __future__ import annotations

from lxml import etree

from xlcrm.book.file.package import (R, STRICT_MAIN, Package, counts_from_1904, free_name, local, namespace, parse, q,
                                     serialize)
from xlcrm.core.fit import widen_area

WORKSHEET_REL = R + "/worksheet"
_CALC_CHAIN_REL = "/calcChain"
# Children of <workbook> that come before <calcPr> (schema order).
_BEFORE_CALC = {"fileVersion", "fileSharing", "workbookPr", "AlternateContent", "revisionPtr", "absPath",
                "workbookProtection", "bookViews", "sheets", "functionGroups", "externalReferences", "definedNames"}
_BEFORE_NAMES = {"fileVersion", "fileSharing", "workbookPr", "AlternateContent", "revisionPtr", "absPath",
                 "workbookProtection", "bookViews", "sheets", "functionGroups", "externalReferences"}
_BEFORE_VIEWS = {"fileVersion", "fileSharing", "workbookPr", "AlternateContent", "revisionPtr", "absPath",
                 "workbookProtection"}


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class StrictWorkbook(ValueError):
    """A workbook saved as 'Strict Open XML': xlcrm writes the usual (transitional) kind only."""


class WorkbookPatch:
    def __init__(self, package: Package):
        self.package = package
        self.part = package.workbook
        self.original = package.read(self.part)
        self.root = parse(self.original)
        self.ns = namespace(self.root)
        if self.ns == STRICT_MAIN:
            raise StrictWorkbook(self.part)
        self.rels = package.relationships(self.part)
        self.changed = False

    @property
    def date1904(self) -> bool:
        return counts_from_1904(self.root)

    @property
    def styles_part(self) -> str | None:
        return next((r.target for r in self.rels if r.type.endswith("/styles") and not r.external), None)

    def sheet_names(self) -> list[str]:
        return [s.get("name", "") for s in self._sheets()]

    def sheet_part(self, name: str) -> str | None:
        """The part a sheet is stored in (None when the workbook points nowhere for it)."""
        element = self._sheets()[self.sheet_names().index(name)]
        rid = element.get(q(R, "id"))
        return next((r.target for r in self.rels if r.id == rid and not r.external), None)

    def put(self, name: str, aliases: tuple[str, ...], first: bool, hidden: bool, taken: set[str]
            ) -> tuple[str, bool, bool]:
        """(part, replaced, selected) for xlcrm's sheet `name`: an existing one (or its alias) or a new one."""
        self.changed = True
        names = self.sheet_names()
        existing = next((n for n in (name, *aliases) if n in names), None)
        if existing is not None:
            index = names.index(existing)
            element = self._sheets()[index]
            element.set("name", name)
            self.rels.retype(element.get(q(R, "id"), ""), WORKSHEET_REL)  # it may have been a chart sheet
            self._drop_names_of(index)
            self._set_state(element, hidden)
            part = self.sheet_part(name)
            if part is None:  # the workbook pointed nowhere for it: the sheet gets a part of its own
                part = free_name(taken, "xl/worksheets", "sheet", ".xml")
                element.set(q(R, "id"), self.rels.add(WORKSHEET_REL, part))
            return part, True, index == self._active()
        index = 0 if first else len(names)
        part = free_name(taken, "xl/worksheets", "sheet", ".xml")
        ids = [int(s.get("sheetId", "")) for s in self._sheets() if (s.get("sheetId") or "").isdigit()]
        element = etree.Element(q(self.ns, "sheet"), name=name, sheetId=str(max(ids, default=0) + 1))
        self._set_state(element, hidden)
        element.set(q(R, "id"), self.rels.add(WORKSHEET_REL, part))
        self._shift_from(index, len(names))
        self._sheets_element().insert(self._child_index(index), element)
        return part, False, False

    def print_titles(self, name: str, row: int) -> None:
        """Row `row` (1-based) of xlcrm's sheet `name` repeats at the top of every printed page."""
        index = str(self.sheet_names().index(name))
        self._drop_name("_xlnm.Print_Titles", index)
        names = self.root.find(q(self.ns, "definedNames"))
        if names is None:
            names = etree.Element(q(self.ns, "definedNames"))
            self._after(_BEFORE_NAMES, names)
        element = etree.SubElement(names, q(self.ns, "definedName"), name="_xlnm.Print_Titles", localSheetId=index)
        element.text = f"{quoted(name)}!${row}:${row}"
        self.changed = True

    def extend_print_area(self, name: str, right: int) -> None:
        """The team's print area on sheet `name`, if it has one, reaches column `right` (1-based): xlcrm's columns
        print with theirs. A sheet without one prints everything already."""
        index = str(self.sheet_names().index(name))
        area = next((n for n in self._defined_names() if n.get("name", "").lower() == "_xlnm.print_area"
                     and n.get("localSheetId") == index), None)
        if area is None or not area.text:
            return
        widened = widen_area(area.text, right)
        if widened != area.text:
            area.text = widened
            self.changed = True

    def full_calc_on_load(self) -> None:
        """Excel computes every formula when it opens the file (xlcrm writes formulas without results)."""
        calc = self.root.find(q(self.ns, "calcPr"))
        if calc is None:
            calc = etree.Element(q(self.ns, "calcPr"))
            self._after(_BEFORE_CALC, calc)
        calc.set("fullCalcOnLoad", "1")
        self.changed = True

    def drop_calc_chain(self) -> str | None:
        """The calculation chain lists formula cells; once cells change Excel rebuilds it, a stale one it reports."""
        rel = next((r for r in self.rels if r.type.endswith(_CALC_CHAIN_REL) and not r.external), None)
        if rel is None:
            return None
        self.rels.remove(rel.id)
        return rel.target

    def to_bytes(self) -> bytes:
        return serialize(self.root, self.original)

    # -- positions ----------------------------------------------------------------------------

    def _sheets_element(self) -> etree._Element:
        found = self.root.find(q(self.ns, "sheets"))
        assert found is not None, "a workbook lists its sheets (the file back-end opened it)"
        return found

    def _sheets(self) -> list[etree._Element]:
        return [s for s in self._sheets_element() if local(s.tag) == "sheet"]

    def _child_index(self, index: int) -> int:
        """Where the index-th sheet goes among <sheets>' children (comments may sit between them)."""
        sheets = self._sheets()
        return self._sheets_element().index(sheets[index]) if index < len(sheets) else len(self._sheets_element())

    def _views(self) -> list[etree._Element]:
        views = self.root.find(q(self.ns, "bookViews"))
        return [] if views is None else [v for v in views if local(v.tag) == "workbookView"]

    def _active(self) -> int:
        views = self._views()
        return int(views[0].get("activeTab", "0")) if views else 0

    def _shift_from(self, index: int, count: int) -> None:
        """Sheets from index on move one place right: keep their names, the active tab and the first tab shown."""
        if index >= count:
            return
        for name in self._defined_names():
            local_id = name.get("localSheetId")
            if local_id is not None and local_id.isdigit() and int(local_id) >= index:
                name.set("localSheetId", str(int(local_id) + 1))
        views = self._views()
        if not views:
            views = [self._new_view()]
        for view in views:
            if int(view.get("activeTab", "0")) >= index:
                view.set("activeTab", str(int(view.get("activeTab", "0")) + 1))
            first_shown = int(view.get("firstSheet", "0"))
            if first_shown and first_shown >= index:  # at 0 it stays 0: the new first sheet is in view
                view.set("firstSheet", str(first_shown + 1))

    def _new_view(self) -> etree._Element:
        views = etree.Element(q(self.ns, "bookViews"))
        view = etree.SubElement(views, q(self.ns, "workbookView"))
        self._after(_BEFORE_VIEWS, views)
        return view

    def _defined_names(self) -> list[etree._Element]:
        names = self.root.find(q(self.ns, "definedNames"))
        return [] if names is None else [n for n in names if local(n.tag) == "definedName"]

    def _drop_names_of(self, index: int) -> None:
        """Names scoped to a sheet xlcrm rewrites whole were xlcrm's (a print area, a filter)."""
        names = self.root.find(q(self.ns, "definedNames"))
        dropped = [n for n in self._defined_names() if n.get("localSheetId") == str(index)]
        if names is None:
            return
        for name in dropped:
            names.remove(name)
        if dropped and not len(names):  # emptied by xlcrm: not left behind (a list the team had stays)
            self.root.remove(names)

    def _drop_name(self, defined: str, index: str) -> None:
        for name in self._defined_names():
            parent = name.getparent()
            if name.get("name") == defined and name.get("localSheetId") == index and parent is not None:
                parent.remove(name)

    def _set_state(self, element: etree._Element, hidden: bool) -> None:
        if hidden:
            element.set("state", "hidden")
        elif "state" in element.attrib:
            del element.attrib["state"]

    def _after(self, earlier: set[str], element: etree._Element) -> None:
        before = [c for c in self.root if local(c.tag) in earlier]
        if before:
            before[-1].addnext(element)
        else:
            self.root.insert(0, element)

