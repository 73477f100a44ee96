"""xl/styles.xml with xlcrm's styles appended: every existing index keeps its meaning.

A style xlcrm needs is looked up first (same element, same attributes, same children) and
appended only when missing, so running xlcrm again reuses what it appended the first time
and styles.xml does not grow run after run.
"""

from __future__ import annotations

from lxml import etree

from xlcrm.book.file.package import MAIN, local, namespace, parse, q, serialize
from xlcrm.core.edits import shows_date

# Excel's built-in number formats that need no <numFmt> entry (ids valid in every locale).
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
_FIRST_CUSTOM_FORMAT = 164
# Where each collection goes among styleSheet's children (schema order).
_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
          "colors", "extLst"]
_ITEM = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellStyleXfs": "xf",
         "cellXfs": "xf", "dxfs": "dxf"}
_MINIMAL = (f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/>'
            '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
            '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
            '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
            'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>').encode()
_FONT_FACE = ("name", "charset", "family", "scheme")
_FONT_ORDER = ["b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color", "name",
               "family", "charset", "scheme"]


class Styles:
    def __init__(self, xml: bytes | None):
        self.original = xml
        self.root = parse(xml or _MINIMAL)
        self.ns = namespace(self.root) or MAIN
        self.changed = xml is None
        self._keys: dict[str, dict[tuple, int]] = {}

    # -- what SetCells and SetHighlights need ---------------------------------------------

    def cell_style(self, number_format: str | None = None, bold: bool = False, fill: str | None = None,
                   align: str | None = None) -> int:
        """The cellXfs index of a plain cell in the workbook's default font, with these changes."""
        font = self._add("fonts", self._bold_font()) if bold else 0
        fill_id = self._add("fills", self._solid_fill(fill)) if fill else 0
        number = self.number_format(number_format) if number_format else 0
        xf = self._element("xf", numFmtId=str(number), fontId=str(font), fillId=str(fill_id), borderId="0", xfId="0")
        for flag, used in (("applyNumberFormat", number), ("applyFont", font), ("applyFill", fill_id),
                           ("applyAlignment", align)):
            if used:
                xf.set(flag, "1")
        if align:
            etree.SubElement(xf, self.q("alignment"), horizontal=align)
        return 0 if not (font or fill_id or number or align) else self._add("cellXfs", xf)

    def team_style_with(self, team: int, ours: int) -> int:
        """A team's cell style (its font, fill, borders...) showing xlcrm's number format and alignment, if ours
        has them (the team's own alignment stays).

        A re-run writes new values into xlcrm's columns; a fill or font the team gave those cells stays.
        """
        cell_xfs = self._collection("cellXfs")
        if team >= len(cell_xfs) or ours >= len(cell_xfs):
            return ours
        number = cell_xfs[ours].get("numFmtId", "0")
        if self.shows_date(team) and self.shows_date(ours):
            number = "0"  # a date the team formats its own way (yyyy"年"m"月"d"日") keeps that way
        aligned = [c for c in cell_xfs[ours] if local(c.tag) == "alignment"]
        if any(local(c.tag) == "alignment" for c in cell_xfs[team]):
            aligned = []  # the team's alignment stays theirs
        if (number == "0" or cell_xfs[team].get("numFmtId", "0") == number) and not aligned:
            return team
        xf = self._element("xf")
        for name, value in cell_xfs[team].attrib.items():
            xf.set(name, value)
        if number != "0":
            xf.set("numFmtId", number)
            xf.set("applyNumberFormat", "1")
        if aligned:
            xf.set("applyAlignment", "1")
        for child in [*aligned, *cell_xfs[team]]:  # alignment comes first among an xf's children
            self._graft(xf, child)
        return self._add("cellXfs", xf)

    def shows_date(self, style: int) -> bool:
        """Whether the cellXfs entry's number format shows a date."""
        cell_xfs = self._collection("cellXfs")
        number = cell_xfs[style].get("numFmtId", "0") if 0 <= style < len(cell_xfs) else "0"
        if not number.isdigit() or int(number) < _FIRST_CUSTOM_FORMAT:
            return shows_date(int(number) if number.isdigit() else None)
        return shows_date(next((e.get("formatCode") for e in self._collection("numFmts")
                                if e.get("numFmtId") == number), None))

    def highlight(self, fill: str, font: str | None = None) -> int:
        """The dxfs index of a conditional format: a fill, and a font colour if given."""
        dxf = self._element("dxf")
        if font:
            etree.SubElement(etree.SubElement(dxf, self.q("font")), self.q("color"), rgb=_argb(font))
        pattern = etree.SubElement(etree.SubElement(dxf, self.q("fill")), self.q("patternFill"))
        etree.SubElement(pattern, self.q("bgColor"), rgb=_argb(fill))
        return self._add("dxfs", dxf)

    def number_format(self, code: str) -> int:
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        formats = self._collection("numFmts")
        for entry in formats:
            if entry.get("formatCode") == code:
                return int(entry.get("numFmtId", ""))
        taken = [int(e.get("numFmtId", "0")) for e in formats if e.get("numFmtId", "").isdigit()]
        number = max([_FIRST_CUSTOM_FORMAT - 1, *taken]) + 1
        self._append(self._container("numFmts"), self._element("numFmt", numFmtId=str(number), formatCode=code))
        return number

    # -- styles of a sheet made elsewhere (openpyxl's scratch workbook) -------------------

    def import_xf(self, other: Styles, index: int) -> int:
        """The index here of a cell style of `other`, with its font, fill, border and number format."""
        if index == 0:
            return 0
        source = other._collection("cellXfs")[index]
        xf = self._element("xf")
        for name, value in source.attrib.items():
            xf.set(name, value)
        xf.set("xfId", "0")
        xf.set("numFmtId", str(self._import_number_format(other, int(source.get("numFmtId", "0")))))
        for attribute, collection, defaults in (("fontId", "fonts", 1), ("fillId", "fills", 2), ("borderId", "borders", 1)):
            number = int(source.get(attribute, "0"))
            if number >= defaults:  # the default font, border and the two fills every file starts with stay ours
                element = other._collection(collection)[number]
                number = self._add(collection, self._in_house_face(element) if collection == "fonts" else element)
            xf.set(attribute, str(number))
        for child in source:
            self._graft(xf, child)
        return self._add("cellXfs", xf)

    def import_dxf(self, other: Styles, index: int) -> int:
        return self._add("dxfs", other._collection("dxfs")[index])

    def _import_number_format(self, other: Styles, number: int) -> int:
        if number < _FIRST_CUSTOM_FORMAT:
            return number
        code = next((e.get("formatCode", "") for e in other._collection("numFmts") if e.get("numFmtId") == str(number)),
                    "General")
        return self.number_format(code)

    def to_bytes(self) -> bytes:
        for collection in self.root:
            if local(collection.tag) in _ITEM and collection.get("count") is not None:
                collection.set("count", str(len(_items(collection))))
        return serialize(self.root, self.original)

    # -- lookup and append ------------------------------------------------------------------

    def q(self, name: str) -> str:
        return q(self.ns, name)

    def _element(self, name: str, **attributes: str) -> etree._Element:
        return etree.Element(self.q(name), attrib=attributes)

    def _collection(self, name: str) -> list[etree._Element]:
        found = self.root.find(self.q(name))
        return _items(found) if found is not None else []

    def _container(self, name: str) -> etree._Element:
        found = self.root.find(self.q(name))
        if found is not None:
            return found
        later = [c for c in self.root if local(c.tag) in _ORDER[_ORDER.index(name) + 1:]]
        container = self._element(name, count="0")
        if later:
            later[0].addprevious(container)
        else:
            self.root.append(container)
        return container

    def _add(self, name: str, element: etree._Element) -> int:
        """Index of an equal entry in the collection, appending element when there is none."""
        keys = self._keys.get(name)
        if keys is None:
            keys = self._keys[name] = {}
            for index, item in enumerate(self._collection(name)):
                keys.setdefault(_key(item), index)
        key = _key(element)
        if key not in keys:
            keys[key] = len(self._collection(name))
            self._append(self._container(name), element)
        return keys[key]

    def _append(self, container: etree._Element, element: etree._Element) -> None:
        self._graft(container, element)
        self.changed = True

    def _graft(self, parent: etree._Element, element: etree._Element) -> None:
        """A copy of element under parent, in this file's namespace and with its prefixes."""
        if not isinstance(element.tag, str):
            return
        tag = self.q(local(element.tag)) if namespace(element) in (MAIN, self.ns, "") else element.tag
        copy = etree.SubElement(parent, tag)
        for name, value in element.attrib.items():
            copy.set(name, value)
        copy.text = element.text
        for child in element:
            self._graft(copy, child)

    def _bold_font(self) -> etree._Element:
        font = self._element("font")
        base = self._collection("fonts")[0]
        etree.SubElement(font, self.q("b"))
        for child in base:
            if isinstance(child.tag, str) and local(child.tag) != "b":
                self._graft(font, child)
        return font

    def _in_house_face(self, font: etree._Element) -> etree._Element:
        """A font from elsewhere that names no typeface takes the workbook's own (size too, if missing)."""
        names = {local(c.tag) for c in font if isinstance(c.tag, str)}
        if "name" in names:
            return font
        children = [c for c in font if isinstance(c.tag, str)]
        children += [c for c in self._collection("fonts")[0] if isinstance(c.tag, str) and (
            local(c.tag) in _FONT_FACE or (local(c.tag) == "sz" and "sz" not in names))]
        merged = self._element("font")
        for child in sorted(children, key=lambda c: _FONT_ORDER.index(local(c.tag)) if local(c.tag) in _FONT_ORDER
                            else len(_FONT_ORDER)):
            self._graft(merged, child)
        return merged

    def _solid_fill(self, rgb: str) -> etree._Element:
        fill = self._element("fill")
        pattern = etree.SubElement(fill, self.q("patternFill"), patternType="solid")
        etree.SubElement(pattern, self.q("fgColor"), rgb=_argb(rgb))
        etree.SubElement(pattern, self.q("bgColor"), indexed="64")
        return fill


def _items(container: etree._Element) -> list[etree._Element]:
    return [c for c in container if isinstance(c.tag, str) and local(c.tag) == _ITEM.get(local(container.tag))]


def _key(element: etree._Element) -> tuple:
    """What an element says, whatever prefixes its file uses: compares equal for equal styles."""
    children = tuple(_key(c) for c in element if isinstance(c.tag, str))
    return local(element.tag), tuple(sorted(element.attrib.items())), (element.text or "").strip(), children


def _argb(rgb: str) -> str:
    """'F8CBAD' -> 'FFF8CBAD' (opaque), as Excel writes colours."""
    rgb = rgb.lstrip("#").upper()
    return rgb if len(rgb) == 8 else "FF" + rgb
