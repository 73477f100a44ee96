"""What a workbook file holds, part by part, so that nothing openpyxl drops goes unnoticed.

An inventory counts the kinds of parts in the ZIP package, the root relationships
(the ribbon is one), the objects in drawings and the extensions in each sheet.
Comparing the inventory before and after a save lists what the save lost.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

from xlcrm.core.i18n import Msg

UI_TYPES = (
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
    "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
)
# Parts every save rewrites, or that carry nothing the user made.
_REWRITTEN = re.compile(
    r"(\.rels$|^\[Content_Types\]\.xml$|^docProps/(app|core)\.xml$|^xl/calcChain\.xml$|"
    r"^xl/sharedStrings\.xml$|^xl/styles\.xml$|^xl/workbook\.xml$|^xl/worksheets/sheet#\.xml$|"
    r"^xl/printerSettings/|^docProps/thumbnail\.)"
)
_DRAWING_OBJECTS = {"sp": Msg("shape or text box", "形状或文本框"), "pic": Msg("picture", "图片"),
                    "graphicFrame": Msg("chart or frame", "图表或框架"), "grpSp": Msg("group of shapes", "组合图形"),
                    "cxnSp": Msg("connector", "连接线")}
_EXTENSIONS = {
    "78C0D931-6437-407D-A8EE-F0AAD7539E65": "conditional formats of Excel 2010+ (data bars, icon sets)",
    "CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF": "data validation lists that point to other sheets",
    "05C60535-1F16-4FD2-B633-F4F36F0B64E0": "sparklines",
    "A8765BA9-456A-4DAB-B4F3-ACF838C121DE": "slicers",
    "3A4CF648-6AED-40F4-86FF-DC5316D8AED3": "slicers",
}
_KIND_NAMES = (
    ("xl/charts/", Msg("chart", "图表")), ("xl/drawings/", Msg("drawing", "绘图")),
    ("xl/media/", Msg("picture", "图片")), ("xl/pivot", Msg("pivot table", "数据透视表")),
    ("xl/slicer", Msg("slicer", "切片器")), ("xl/timeline", Msg("timeline", "日程表")),
    ("customUI/", Msg("custom ribbon", "自定义功能区")), ("xl/externalLinks/", Msg("external link", "外部链接")),
    ("xl/vbaProject", Msg("macros (VBA)", "宏(VBA)")), ("xl/threadedComments/", Msg("threaded comment", "批注会话")),
    ("xl/activeX/", Msg("ActiveX control", "ActiveX 控件")), ("xl/ctrlProps/", Msg("form control", "表单控件")),
    ("xl/embeddings/", Msg("embedded object", "嵌入对象")), ("xl/connections", Msg("data connection", "数据连接")),
    ("xl/queryTables/", Msg("query table", "查询表")), ("xl/metadata", Msg("dynamic array formulas", "动态数组公式")),
    ("customXml/", Msg("custom XML data", "自定义 XML 数据")),
)


def inventory(path: Path) -> Counter:
    """Kind of thing -> how many the file holds."""
    counts: Counter = Counter()
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            kind = re.sub(r"\d+", "#", name)
            if not _REWRITTEN.search(kind):
                counts[f"part:{kind}"] += 1
            if name.startswith("xl/drawings/") and name.endswith(".xml"):
                xml = package.read(name).decode("utf-8", "replace")
                for tag in _DRAWING_OBJECTS:
                    counts[f"drawing:{tag}"] += len(re.findall(rf"<(?:\w+:)?{tag}[\s>]", xml))
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                xml = package.read(name).decode("utf-8", "replace")
                for uri in re.findall(r'<(?:\w+:)?ext\b[^>]*uri="\{([^}]+)\}"', xml):
                    counts[f"extension:{uri.upper()}"] += 1
        root = package.read("_rels/.rels").decode("utf-8", "replace") if "_rels/.rels" in package.namelist() else ""
        for rel_type in re.findall(r'Type="([^"]+)"', root):
            counts[f"relationship:{rel_type}"] += 1
    return counts


def lost_parts(before: Counter, after: Counter) -> list[Msg]:
    """What the file held before and not after, as sentences a user understands."""
    return [_describe(kind, before[kind] - after[kind]) for kind in sorted(before) if after[kind] < before[kind]]


def _describe(kind: str, count: int) -> Msg:
    what, _, detail = kind.partition(":")
    if what == "drawing":
        name = _DRAWING_OBJECTS[detail]
    elif what == "extension":
        name = Msg(_EXTENSIONS.get(detail, f"sheet extension {{{detail}}}"), _EXTENSIONS.get(detail, f"工作表扩展 {{{detail}}}"))
    elif what == "relationship" and detail in UI_TYPES:
        name = Msg("custom ribbon", "自定义功能区")
    else:
        name = next((label for prefix, label in _KIND_NAMES if detail.startswith(prefix)), Msg(detail, detail))
    return Msg("{count} × {name}", "{count} 个{name}")(count=count, name=name)


def regraft_ribbon(original: Path, saved: Path) -> None:
    """Put the custom ribbon (customUI parts and their root relationship) back after an openpyxl save."""
    with zipfile.ZipFile(original) as source:
        names = source.namelist()
        root = source.read("_rels/.rels").decode("utf-8")
        rels = re.findall(r"<Relationship\b[^>]*/>", root)
        ui_rels = [r for r in rels if any(f'Type="{t}"' in r for t in UI_TYPES)]
        ui_parts = {n: source.read(n) for n in names if n.startswith("customUI/")}
        types = source.read("[Content_Types].xml").decode("utf-8")
    if not ui_rels:
        return
    with zipfile.ZipFile(saved) as target:
        entries = {n: target.read(n) for n in target.namelist()}
    saved_root = entries["_rels/.rels"].decode("utf-8")
    missing = [r for r in ui_rels if re.search(r'Target="([^"]+)"', r).group(1) not in saved_root]
    if not missing:
        return
    entries["_rels/.rels"] = saved_root.replace("</Relationships>", "".join(missing) + "</Relationships>").encode()
    entries.update({n: data for n, data in ui_parts.items() if n not in entries})
    entries["[Content_Types].xml"] = _merge_types(entries["[Content_Types].xml"].decode("utf-8"), types).encode()
    with zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)


def _merge_types(saved: str, original: str) -> str:
    """Add the original's Default extensions and customUI overrides the saved file lacks."""
    extra = []
    for entry in re.findall(r"<Default\b[^>]*/>", original):
        ext = re.search(r'Extension="([^"]+)"', entry).group(1)
        if f'Extension="{ext}"' not in saved and f'Extension="{ext.lower()}"' not in saved:
            extra.append(entry)
    extra += [e for e in re.findall(r"<Override\b[^>]*/>", original) if 'PartName="/customUI/' in e and e not in saved]
    return saved.replace("</Types>", "".join(extra) + "</Types>")
