"""A workbook's ZIP package: its parts, content types and relationships, read with lxml.

lxml keeps what the team's XML says the way it says it (namespace prefixes, mc:Ignorable
declarations, attribute order); xml.etree would rename prefixes and Excel would refuse the file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
TYPES_PART = "[Content_Types].xml"
OFFICE_DOCUMENT = R + "/officeDocument"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, strip_cdata=False,
                          remove_blank_text=False)
_DECLARATION = re.compile(rb"\A\s*<\?xml[^>]*\?>\s*")
_STANDARD_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, _PARSER)


def serialize(root: etree._Element, original: bytes | None = None) -> bytes:
    """The XML of root in UTF-8, with the original's own declaration (or none, if it had none)."""
    found = _DECLARATION.match(original or b"")
    if found:
        declaration = found.group(0) if b"utf-16" not in found.group(0).lower() else _STANDARD_DECLARATION
    else:
        declaration = b"" if original else _STANDARD_DECLARATION
    return declaration + etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=False)


def q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name (targets are relative to their source part, or absolute)."""
    target = unquote(target)
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def free_name(taken: set[str], folder: str, stem: str, suffix: str) -> str:
    """folder/stemN.suffix with the smallest N not taken; the name is then marked taken.

    taken holds names in lower case: names that differ only in case name the same part.
    """
    number = 1
    while f"{folder}/{stem}{number}{suffix}".lower() in taken:
        number += 1
    name = f"{folder}/{stem}{number}{suffix}"
    taken.add(name.lower())
    return name


def numbered(part: str) -> tuple[str, str, str]:
    """'xl/charts/chart3.xml' -> ('xl/charts', 'chart', '.xml'): the pattern a free name follows."""
    folder, base = posixpath.split(part)
    stem, suffix = posixpath.splitext(base)
    return folder, re.sub(r"\d+$", "", stem), suffix


@dataclass
class Rel:
    id: str
    type: str
    target: str  # a part name, or the target as written for external relationships
    external: bool


@dataclass
class SheetEntry:
    name: str
    rid: str
    part: str


class ContentTypes:
    """[Content_Types].xml, editable: part name -> its override, else the default for its extension."""

    def __init__(self, xml: bytes):
        self.original = xml
        self.root = parse(xml)
        self.changed = False

    def of(self, part: str) -> str:
        for override in self.root.iter(q(TYPES_NS, "Override")):
            if override.get("PartName", "").lstrip("/") == part:
                return override.get("ContentType", "")
        extension = part.rsplit(".", 1)[-1].lower()
        return next((d.get("ContentType", "") for d in self.root.iter(q(TYPES_NS, "Default"))
                     if d.get("Extension", "").lower() == extension), "")

    def add(self, part: str, content_type: str) -> None:
        self.remove(part)
        etree.SubElement(self.root, q(TYPES_NS, "Override"), PartName="/" + part, ContentType=content_type)
        self.changed = True

    def remove(self, part: str) -> None:
        for override in list(self.root.iter(q(TYPES_NS, "Override"))):
            if override.get("PartName", "").lstrip("/") == part:
                self.root.remove(override)
                self.changed = True

    def to_bytes(self) -> bytes:
        return serialize(self.root, self.original)


class Relationships:
    """One .rels part, editable."""

    def __init__(self, source: str, xml: bytes | None):
        self.source = source
        self.original = xml
        self.root = parse(xml) if xml else etree.Element(q(RELS_NS, "Relationships"), nsmap={None: RELS_NS})
        self.changed = False

    def __iter__(self):
        for rel in self.root.iter(q(RELS_NS, "Relationship")):
            external = rel.get("TargetMode") == "External"
            target = rel.get("Target", "")
            yield Rel(rel.get("Id", ""), rel.get("Type", ""), target if external else resolve(self.source, target),
                      external)

    def add(self, rel_type: str, target: str) -> str:
        taken = {rel.id for rel in self}
        rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
        etree.SubElement(self.root, q(RELS_NS, "Relationship"), Id=rid, Type=rel_type,
                         Target=relative(self.source, target))
        self.changed = True
        return rid

    def retype(self, rid: str, rel_type: str) -> None:
        for rel in self.root.iter(q(RELS_NS, "Relationship")):
            if rel.get("Id") == rid and rel.get("Type") != rel_type:
                rel.set("Type", rel_type)
                self.changed = True

    def remove(self, rid: str) -> None:
        for rel in list(self.root.iter(q(RELS_NS, "Relationship"))):
            if rel.get("Id") == rid:
                self.root.remove(rel)
                self.changed = True

    def to_bytes(self) -> bytes:
        return serialize(self.root, self.original)


class Package:
    """The parts of an open workbook package, read on demand."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self.path = path
        self.archive = archive
        self.infos = archive.infolist()
        self.names = {info.filename for info in self.infos}
        self.types = ContentTypes(archive.read(TYPES_PART))

    def read(self, name: str) -> bytes:
        return self.archive.read(name)

    def open(self, name: str):
        return self.archive.open(name)

    def relationships(self, part: str) -> Relationships:
        name = rels_name(part)
        return Relationships(part, self.read(name) if name in self.names else None)

    def table_parts(self, sheet_part: str) -> list[str]:
        """The parts of the sheet's Excel Tables (ListObjects) that the package holds."""
        return [rel.target for rel in self.relationships(sheet_part)
                if not rel.external and rel.type.endswith("/table") and rel.target in self.names]

    @cached_property
    def workbook(self) -> str:
        root = self.relationships("")
        return next((rel.target for rel in root if rel.type.endswith("/officeDocument") and not rel.external),
                    "xl/workbook.xml")

    @cached_property
    def workbook_root(self) -> Any:
        """The workbook part, parsed once for what is read of it (its sheets, its date system)."""
        return parse(self.read(self.workbook))

    @property
    def date1904(self) -> bool:
        return counts_from_1904(self.workbook_root)

    def sheets(self) -> list[SheetEntry]:
        """The workbook's sheets in tab order, with the part each one is stored in."""
        targets = {rel.id: rel.target for rel in self.relationships(self.workbook)}
        root = self.workbook_root
        found = []
        for sheet in root.iter(q(namespace(root), "sheet")):
            rid = next((v for k, v in sheet.attrib.items() if local(k) == "id" and k.startswith("{")), "")
            found.append(SheetEntry(sheet.get("name", ""), rid, targets.get(rid, "")))
        return found

    def reachable(self, starts: list[str], avoid: AbstractSet[str] = frozenset()) -> set[str]:
        """Every part reached from starts through relationships, not entering avoid."""
        seen: set[str] = set()
        pending = [s for s in starts if s not in avoid]
        while pending:
            part = pending.pop()
            if part in seen or part not in self.names:
                continue
            seen.add(part)
            pending += [rel.target for rel in self.relationships(part) if not rel.external and rel.target not in avoid]
        return seen


def counts_from_1904(workbook_root: Any) -> bool:
    """Whether the workbook part says its days count from 1904 (<workbookPr date1904="1"/>, Excel for Mac's old
    default): what reading and writing dates both go by."""
    properties = next((e for e in workbook_root if local(e.tag) == "workbookPr"), None)
    return properties is not None and properties.get("date1904", "0").lower() in ("1", "true")
