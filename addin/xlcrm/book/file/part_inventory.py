"""What a workbook file holds, sheet by sheet, so that nothing a write drops goes unnoticed.

xlcrm writes a workbook as a patch of its package (book/file/patch.py), which copies every part
it does not own as it is; this inventory is the safety net behind that promise.
An inventory follows the package's relationships from the workbook to each sheet and on
to the parts the sheet uses (drawings, charts, pictures, comments, tables, pivot tables,
slicers...), and counts, per owner (a sheet's name, or the workbook itself):
- parts by content type (so Excel's xl/comments1.xml and openpyxl's
  xl/comments/comment1.xml are the same kind of thing);
- the objects in drawings (shapes, pictures, charts);
- the sheet's own settings (elements of the sheet XML, the team's conditional format
  rules and data validations) and its Excel 2010+ extensions;
- the workbook's settings, extensions and root relationships (the ribbon is one).
Comparing the inventory before and after a save lists what the save lost, by sheet.
Counting per sheet keeps what xlcrm adds to its own sheets (a chart in a report) from
hiding what a team sheet lost; the sheets xlcrm replaces are left out of the comparison.
A worksheet's rows are skipped, not parsed: a sheet of a million rows costs a read.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Set as AbstractSet
from pathlib import Path
from xml.etree import ElementTree

from xlcrm.book.file.sheet_xml import SheetXmlError, outline
from xlcrm.core.edits import is_tagged
from xlcrm.core.i18n import Msg

WORKBOOK = ""  # owner of parts that belong to the workbook rather than to one sheet
UI_TYPES = (
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
    "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
)
_OFFICE_DOCUMENT = "/officeDocument"
_TYPES_PART = "[Content_Types].xml"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

# Content types every save rewrites, or that carry nothing the user made.
_REWRITTEN_TYPES = re.compile(
    r"(relationships\+xml|\.(sheet|template)\.main\+xml|macroEnabled\.main\+xml|addin\.macroEnabled\.main\+xml|"
    r"\.worksheet\+xml|\.styles\+xml|\.sharedStrings\+xml|\.calcChain\+xml|core-properties\+xml|"
    r"extended-properties\+xml|printerSettings)")
_REWRITTEN_PATHS = re.compile(r"^(docProps/thumbnail\.|xl/printerSettings/)")
_GENERIC_TYPES = {"application/xml", "text/xml", "application/octet-stream", "application/vnd.ms-office.activeX"}
# Sheet and workbook settings that carry nothing the user made: the used range, IME furigana
# settings, the version of the last writer, recovery hints, Excel's revision marks.
# Settings openpyxl reads into its model and writes back (it leaves out only default values; the
# preservation tests compare them value by value): counting them would only flag those defaults.
_TRIVIAL_ELEMENTS = {"dimension", "phoneticPr", "fileVersion", "fileRecoveryPr", "AlternateContent", "revisionPtr",
                     "extLst", "sheetData", "sheets", "conditionalFormatting", "dataValidations", "absPath"}
_MODELLED_ELEMENTS = {"sheetPr", "sheetViews", "sheetFormatPr", "cols", "sheetProtection", "autoFilter", "mergeCells",
                      "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                      "drawing", "legacyDrawing", "tableParts", "scenarios", "workbookPr", "bookViews", "calcPr",
                      "definedNames", "workbookProtection", "externalReferences", "pivotCaches"}
# Extensions that carry a writer's own bookkeeping, not the user's work: LibreOffice's formula
# syntax setting, Excel's chart-tracking flag, its list of calculation features and the ids
# it gives chart series.
_TRIVIAL_EXTENSIONS = {"7626C862-2A13-11E5-B345-FEFF819CDC9F", "140A7094-0E35-4892-8432-C4D2E57EDEB5",
                       "B58B0392-4F1F-4190-BB64-5DF3571DCE5F", "C3380CC4-5D6E-409C-BE32-E72D297353CC"}
_ROOT_RELATIONSHIPS_REWRITTEN = ("/thumbnail", "/metadata/core-properties", "/extended-properties")

_DRAWING_OBJECTS = {"sp": Msg("shape or text box", "形状或文本框"), "pic": Msg("picture", "图片"),
                    "graphicFrame": Msg("chart or frame", "图表或框架"), "grpSp": Msg("group of shapes", "组合图形"),
                    "cxnSp": Msg("connector", "连接线")}
_EXTENSIONS = {
    "78C0D931-6437-407D-A8EE-F0AAD7539E65": Msg("conditional formats of Excel 2010+ (data bars, icon sets)",
                                                "Excel 2010+ 条件格式(数据条、图标集)"),
    "B025F937-C7B1-47D3-B67F-A62EFF666E3E": Msg("conditional formats of Excel 2010+ (data bars, icon sets)",
                                                "Excel 2010+ 条件格式(数据条、图标集)"),
    "CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF": Msg("data validation lists that point to other sheets",
                                                "引用其他工作表的数据验证列表"),
    "05C60535-1F16-4FD2-B633-F4F36F0B64E0": Msg("sparklines", "迷你图"),
    "A8765BA9-456A-4DAB-B4F3-ACF838C121DE": Msg("slicers", "切片器"),
    "3A4CF648-6AED-40F4-86FF-DC5316D8AED3": Msg("slicers", "切片器"),
    "BBE1A952-AA13-448E-AADC-164F8A28A991": Msg("slicers", "切片器"),
    "46BE6895-7355-4A93-B00E-2C351335B9C9": Msg("slicers", "切片器"),
    "7E03D99C-DC04-49D9-9315-930204A7B6E9": Msg("timelines", "日程表"),
    "D0CA8CA8-9F24-4464-BF8E-62219DCF47F9": Msg("timelines", "日程表"),
    "FCE2AD5D-F65C-4FA6-A056-5C36A1767C68": Msg("data model (Power Pivot)", "数据模型(Power Pivot)"),
    "02D57815-91ED-43CB-92C2-25804820EDAC": Msg("chart data labels taken from cells", "取自单元格的图表数据标签"),
    "CE6537A1-D6FC-4F65-9D91-7224C49458BB": Msg("chart option: show #N/A as an empty cell",
                                                "图表选项:#N/A 显示为空单元格"),
}
_CONTENT_NAMES = (
    ("drawingml.chart+xml", Msg("chart", "图表")), ("chartstyle", Msg("chart style", "图表样式")),
    ("chartcolorstyle", Msg("chart colours", "图表颜色")), ("drawing+xml", Msg("drawing", "绘图")),
    ("image/", Msg("picture", "图片")), ("pivotTable+xml", Msg("pivot table", "数据透视表")),
    ("pivotCache", Msg("pivot table data", "数据透视表缓存")), ("slicer", Msg("slicers", "切片器")),
    ("timeline", Msg("timeline", "日程表")), ("externalLink", Msg("external link", "外部链接")),
    ("vbaProject", Msg("macros (VBA)", "宏(VBA)")), ("threadedcomments", Msg("threaded comment", "批注会话")),
    ("person+xml", Msg("people in threaded comments", "批注会话的参与人")), ("comments+xml", Msg("comment", "批注")),
    ("vmlDrawing", Msg("legacy drawing (comment boxes, buttons)", "旧式绘图(批注框、按钮)")),
    ("activeX", Msg("ActiveX control", "ActiveX 控件")), ("ctrlProps", Msg("form control", "表单控件")),
    ("oleObject", Msg("embedded object", "嵌入对象")), ("package", Msg("embedded object", "嵌入对象")),
    ("connections+xml", Msg("data connection", "数据连接")), ("queryTable", Msg("query table", "查询表")),
    ("sheetMetadata", Msg("dynamic array formulas", "动态数组公式")), ("table+xml", Msg("table", "表格")),
    ("custom-properties", Msg("custom document properties", "自定义文档属性")), ("theme+xml", Msg("theme", "主题")),
    ("macrosheet", Msg("Excel 4 macro sheet", "Excel 4 宏表")), ("dialogsheet", Msg("dialog sheet", "对话框工作表")),
    ("chartsheet", Msg("chart sheet", "图表工作表")), ("webextension", Msg("Office add-in", "Office 加载项")),
    ("customXml", Msg("custom XML data", "自定义 XML 数据")), ("customUI", Msg("custom ribbon", "自定义功能区")),
    ("model", Msg("data model (Power Pivot)", "数据模型(Power Pivot)")),
    ("richData", Msg("pictures in cells or data types", "单元格中的图片或数据类型")),
)
_ELEMENT_NAMES = {
    "cfRule": Msg("conditional format rule", "条件格式规则"), "dataValidation": Msg("data validation rule", "数据验证规则"),
    "ignoredErrors": Msg("ignored error markers (green triangles)", "已忽略的错误标记(绿色三角)"),
    "protectedRanges": Msg("ranges that allow editing", "允许编辑区域"),
    "customSheetViews": Msg("custom views", "自定义视图"), "picture": Msg("sheet background picture", "工作表背景图片"),
    "legacyDrawingHF": Msg("header/footer pictures", "页眉页脚图片"), "oleObjects": Msg("embedded object", "嵌入对象"),
    "controls": Msg("controls", "控件"), "fileSharing": Msg("password to modify", "修改权限密码"),
    "customWorkbookViews": Msg("custom views", "自定义视图"), "workbookProtection": Msg("workbook protection", "工作簿保护"),
}
_UNREAD = b"<worksheet/>"  # a sheet stored alike before and after: nothing of it is counted, on either side
_SHEET_WORD = Msg("sheet '{sheet}'", "工作表“{sheet}”")


def inventory(path: Path, alike: AbstractSet[tuple] = frozenset()) -> Counter:
    """(owner, kind) -> how many the file holds; the owner is a sheet name, or WORKBOOK.

    alike: the worksheets stored alike in the file before and after a write (stored_alike): copied as they
    were, they count alike in both inventories, so their XML is not read at all (a million-row sheet the
    write did not touch costs nothing). Both inventories of a comparison must be given the same set.
    """
    with zipfile.ZipFile(path) as package:
        return _Package(package, alike).inventory()


def stored_alike(before: Path, after: Path) -> frozenset[tuple]:
    """The parts stored with the same bytes (name, checksum and size) in both files."""
    with zipfile.ZipFile(before) as old, zipfile.ZipFile(after) as new:
        return frozenset(_stored(old)) & frozenset(_stored(new))


def _stored(package: zipfile.ZipFile):
    return ((info.filename, info.CRC, info.file_size) for info in package.infolist())


def lost_parts(before: Counter, after: Counter, replaced: AbstractSet[str] = frozenset()) -> list[Msg]:
    """What the file held before and not after, as sentences a user understands.

    replaced: sheets xlcrm rewrites whole (its own); what they held is not the team's.
    """
    lost = [_describe(owner, kind, before[(owner, kind)] - after[(owner, kind)])
            for owner, kind in sorted(before) if owner not in replaced and after[(owner, kind)] < before[(owner, kind)]]
    return list({message.text("en"): message for message in lost}.values())  # a slicer is a part and an extension


class _Package:
    def __init__(self, package: zipfile.ZipFile, alike: AbstractSet[tuple]):
        self.package = package
        self.alike = alike
        self.names = set(package.namelist())
        self.types = _ContentTypes(package.read(_TYPES_PART) if _TYPES_PART in self.names else None)
        self.counts: Counter = Counter()
        self.owner: dict[str, str] = {}

    def inventory(self) -> Counter:
        root = self.relationships("")
        for rel_type, _ in root:
            if not rel_type.endswith(_ROOT_RELATIONSHIPS_REWRITTEN):
                self.counts[(WORKBOOK, f"relationship:{rel_type}")] += 1
        workbook = next((target for rel_type, target in root if rel_type.endswith(_OFFICE_DOCUMENT)), None)
        if workbook is None or workbook not in self.names:
            return self.counts
        self.owner[workbook] = WORKBOOK
        sheets = self.sheets(workbook)
        for target in (t for _, t in self.relationships(workbook) if t not in sheets.values()):
            self.walk(target, WORKBOOK)
        for name, part in sheets.items():
            self.counts[(name, "sheet")] += 1
            self.walk(part, name)
        self.settings(workbook, WORKBOOK)
        for name in self.names - set(self.owner):  # parts nothing points to still count (customXml, customUI)
            self.count_part(name, WORKBOOK)
        return self.counts

    def walk(self, part: str, owner: str) -> None:
        """Count a part and everything it points to, as owner's (first owner found wins)."""
        if part in self.owner or part not in self.names:
            return
        self.owner[part] = owner
        self.count_part(part, owner)
        for _, target in self.relationships(part):
            self.walk(target, owner)

    def count_part(self, part: str, owner: str) -> None:
        content_type = self.types.of(part)
        if part.endswith(".rels") or part == _TYPES_PART or _REWRITTEN_PATHS.search(part):
            return
        if content_type.endswith("worksheet+xml"):
            self.settings(part, owner, self.sheet_outline(part))
        elif content_type.endswith("drawingml.chart+xml"):
            self.extensions(ElementTree.fromstring(self.package.read(part)), owner)
        elif content_type.endswith("drawing+xml"):
            xml = self.package.read(part).decode("utf-8", "replace")
            for tag in _DRAWING_OBJECTS:
                self.counts[(owner, f"drawing:{tag}")] += len(re.findall(rf"<(?:\w+:)?{tag}[\s>]", xml))
        if not _REWRITTEN_TYPES.search(content_type):
            kind = re.sub(r"\d+", "#", part) if content_type in _GENERIC_TYPES or not content_type else content_type
            self.counts[(owner, f"part:{kind}")] += 1

    def sheet_outline(self, part: str) -> bytes:
        """A worksheet without its rows: a sheet of a million rows is not parsed to count its settings."""
        info = self.package.getinfo(part)
        if (part, info.CRC, info.file_size) in self.alike:
            return _UNREAD
        try:
            with self.package.open(part) as stream:
                return outline(stream)
        except SheetXmlError:
            return self.package.read(part)

    def settings(self, part: str, owner: str, xml: bytes | None = None) -> None:
        """The sheet's or workbook's own settings: which elements it has, its rules, its extensions."""
        root = ElementTree.fromstring(xml or self.package.read(part))
        for child in root:
            name = _local(child.tag)
            if name not in _TRIVIAL_ELEMENTS | _MODELLED_ELEMENTS and _carries_something(child):
                self.counts[(owner, f"element:{name}")] = 1
            if name in ("conditionalFormatting", "dataValidations"):
                self.rules(owner, child)
        self.extensions(root, owner)

    def extensions(self, root: ElementTree.Element, owner: str) -> None:
        """Excel 2010+ additions (extLst entries) in a sheet, the workbook or a chart."""
        for ext in root.iter():
            uri = ext.get("uri", "").strip("{}").upper() if _local(ext.tag) == "ext" else ""
            if uri and uri not in _TRIVIAL_EXTENSIONS:
                self.counts[(owner, f"extension:{uri}")] += 1

    def rules(self, owner: str, block: ElementTree.Element) -> None:
        """The team's conditional format rules and validations (xlcrm's own rules are tagged)."""
        for rule in block:
            name = _local(rule.tag)
            if name == "cfRule" and any(is_tagged(f.text or "") for f in rule if _local(f.tag) == "formula"):
                continue
            self.counts[(owner, f"element:{name}")] += 1

    def sheets(self, workbook: str) -> dict[str, str]:
        """Sheet name -> its part, in the workbook's order."""
        targets = dict(self.relationships(workbook, by_id=True))
        root = ElementTree.fromstring(self.package.read(workbook))
        return {sheet.get("name", ""): targets.get(sheet.get(_R_ID, ""), "") for sheet in root.iter()
                if _local(sheet.tag) == "sheet"}

    def relationships(self, part: str, by_id: bool = False) -> list[tuple[str, str]]:
        """(type, or id when by_id; resolved target) of a part's internal relationships."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels not in self.names:
            return []
        found = []
        for rel in ElementTree.fromstring(self.package.read(rels)).iter(f"{_RELS_NS}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found.append((rel.get("Id", "") if by_id else rel.get("Type", ""), target))
        return found


class _ContentTypes:
    """Part name -> content type: its explicit override, otherwise the default for its extension."""

    def __init__(self, xml: bytes | None):
        root = ElementTree.fromstring(xml) if xml else ElementTree.Element("Types")
        self.defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                         for d in root.iter(f"{_CONTENT_TYPES_NS}Default")}
        self.overrides = {o.get("PartName", "").lstrip("/"): o.get("ContentType", "")
                          for o in root.iter(f"{_CONTENT_TYPES_NS}Override")}

    def of(self, part: str) -> str:
        return self.overrides.get(part) or self.defaults.get(part.rsplit(".", 1)[-1].lower(), "")


def _carries_something(element: ElementTree.Element) -> bool:
    """Whether an element says more than its defaults (an empty <headerFooter/> says nothing)."""
    return any(value not in ("0", "false", "") for value in element.attrib.values()) or \
        bool((element.text or "").strip()) or any(_carries_something(child) for child in element)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _describe(owner: str, kind: str, count: int) -> Msg:
    what, _, detail = kind.partition(":")
    if what == "drawing":
        name = _DRAWING_OBJECTS[detail]
    elif what == "extension":
        name = _EXTENSIONS.get(detail, Msg("Excel extension {uri}", "Excel 扩展 {uri}")(uri=f"{{{detail}}}"))
    elif what == "relationship":
        name = Msg("custom ribbon", "自定义功能区") if detail in UI_TYPES else Msg(detail, detail)
    elif what == "element":
        name = _ELEMENT_NAMES.get(detail, Msg(f"sheet setting <{detail}>", f"工作表设置 <{detail}>"))
    elif what == "sheet":
        name = Msg("the sheet itself", "工作表本身")
    else:
        name = next((label for key, label in _CONTENT_NAMES if key.lower() in detail.lower()), Msg(detail, detail))
    message = Msg("{count} × {name}", "{count} 个{name}")(count=count, name=name)
    if owner == WORKBOOK:
        return message
    return Msg("{what} in {sheet}", "{sheet}中的 {what}")(what=message, sheet=_SHEET_WORD(sheet=owner))

