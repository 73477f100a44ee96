"""Parts openpyxl cannot write, injected into a workbook's ZIP package as Excel writes them.

Each part is minimal but valid OOXML: its XML follows the schema Excel uses, it is
registered in [Content_Types].xml and reached through a relationship from the part that
owns it (the workbook or a sheet), with the references Excel puts in the sheet or
workbook XML (an extLst entry, <pivotCaches>, <externalReferences>, ...).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
OFFICE_2007 = "http://schemas.microsoft.com/office/2007/relationships"
RIBBON_TYPE = f"{OFFICE_2007}/ui/extensibility"


class Package:
    """A workbook's ZIP entries in memory, edited part by part and written back in place."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as package:
            self.entries = {name: package.read(name) for name in package.namelist()}

    def text(self, name: str) -> str:
        return self.entries[name].decode("utf-8")

    def put(self, name: str, data: str | bytes, content_type: str | None = None) -> None:
        self.entries[name] = data.encode("utf-8") if isinstance(data, str) else data
        if content_type:
            types = self.text("[Content_Types].xml")
            override = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
            self.entries["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()

    def relate(self, source: str, rel_type: str, target: str, external: bool = False) -> str:
        """Add a relationship from source ('' for the package root) to target; returns its id."""
        folder, base = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        xml = self.text(rels) if rels in self.entries else \
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS_NS}"></Relationships>'
        taken = set(re.findall(r'Id="([^"]+)"', xml))
        rid = next(f"rIdX{n}" for n in range(1, 1000) if f"rIdX{n}" not in taken)
        relative = target if external else posixpath.relpath(target, folder or ".")
        mode = ' TargetMode="External"' if external else ""
        entry = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{relative}"{mode}/>'
        self.entries[rels] = xml.replace("</Relationships>", entry + "</Relationships>").encode()
        return rid

    def sheet_part(self, sheet: str) -> str:
        workbook = self.text("xl/workbook.xml")
        rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook).group(1)
        rels = self.text("xl/_rels/workbook.xml.rels")
        target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"|'
                           rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
        return resolve("xl", target.group(1) or target.group(2))

    def insert(self, name: str, before: str, xml: str) -> None:
        """Insert xml just before the first occurrence of `before` (a closing or following tag)."""
        text = self.text(name)
        assert before in text, f"{before} not in {name}"
        self.entries[name] = text.replace(before, xml + before, 1).encode()

    def sheet_extension(self, sheet: str, uri: str, inner: str, namespaces: str) -> None:
        """An entry in the sheet's <extLst> (the last element of a worksheet)."""
        part = self.sheet_part(sheet)
        ext = f'<ext uri="{uri}" {namespaces}>{inner}</ext>'
        if "</extLst>" in self.text(part):
            self.insert(part, "</extLst>", ext)
        else:
            self.insert(part, "</worksheet>", f"<extLst>{ext}</extLst>")

    def save(self) -> None:
        ordered = ["[Content_Types].xml"] + [n for n in self.entries if n != "[Content_Types].xml"]
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as out:
            for name in ordered:
                out.writestr(name, self.entries[name])


RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def resolve(folder: str, target: str) -> str:
    """A relationship target as a part name (targets are relative to the source, or absolute)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def drawing_of(package: Package, sheet: str) -> str:
    part = package.sheet_part(sheet)
    folder, base = posixpath.split(part)
    rels = package.text(posixpath.join(folder, "_rels", f"{base}.rels"))
    target = re.search(r'Type="[^"]+/drawing" Target="([^"]+)"|Target="([^"]+)"[^>]*Type="[^"]+/drawing"', rels)
    return resolve(folder, target.group(1) or target.group(2))


def add_text_box(path: Path, sheet: str) -> None:
    """A text box (xdr:sp with a txBody) beside the chart in the sheet's drawing."""
    package = Package(path)
    drawing = drawing_of(package, sheet)
    box = (
        '<xdr:twoCellAnchor xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        "<xdr:from><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>20</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        "<xdr:to><xdr:col>9</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>24</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="90" name="说明框"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
        '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2400000" cy="700000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
        '<xdr:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>四季度目标:回款 200 万</a:t></a:r></a:p></xdr:txBody>'
        "</xdr:sp><xdr:clientData/></xdr:twoCellAnchor>")
    xml = package.text(drawing)
    close = re.search(r"</(\w+:)?wsDr>", xml).group(0)
    package.insert(drawing, close, box)
    package.save()


def add_sparklines(path: Path, sheet: str, data: str, cells: str) -> None:
    """A group of line sparklines (x14:sparklineGroups in the sheet's extLst)."""
    package = Package(path)
    inner = (f'<x14:sparklineGroups xmlns:xm="{XM}"><x14:sparklineGroup displayEmptyCellsAs="gap">'
             '<x14:colorSeries rgb="FF376092"/><x14:colorNegative rgb="FFD00000"/><x14:colorAxis rgb="FF000000"/>'
             '<x14:colorMarkers rgb="FFD00000"/><x14:colorFirst rgb="FFD00000"/><x14:colorLast rgb="FFD00000"/>'
             '<x14:colorHigh rgb="FFD00000"/><x14:colorLow rgb="FFD00000"/>'
             f"<x14:sparklines><x14:sparkline><xm:f>{data}</xm:f><xm:sqref>{cells}</xm:sqref></x14:sparkline>"
             "</x14:sparklines></x14:sparklineGroup></x14:sparklineGroups>")
    package.sheet_extension(sheet, "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}", inner, f'xmlns:x14="{X14}"')
    package.save()


def add_threaded_comment(path: Path, sheet: str, cell: str) -> None:
    """A threaded comment (Excel 365) on a cell that also has the legacy comment Excel writes beside it."""
    package = Package(path)
    person_id, comment_id = "{5B3C6F0E-1A2B-4C3D-8E9F-0A1B2C3D4E5F}", "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}"
    package.put("xl/persons/person.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
                f'xmlns:x="{MAIN}"><person displayName="张磊" id="{person_id}" userId="zhanglei@team.example" '
                'providerId="None"/></personList>', "application/vnd.ms-excel.person+xml")
    package.relate("xl/workbook.xml", "http://schemas.microsoft.com/office/2017/10/relationships/person",
                   "xl/persons/person.xml")
    package.put("xl/threadedComments/threadedComment1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
                f'xmlns:x="{MAIN}"><threadedComment ref="{cell}" dT="2026-11-20T09:30:00.00" personId="{person_id}" '
                f'id="{comment_id}"><text>下周三前报价</text></threadedComment></ThreadedComments>',
                "application/vnd.ms-excel.threadedcomments+xml")
    package.relate(package.sheet_part(sheet), "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
                   "xl/threadedComments/threadedComment1.xml")
    package.save()


def add_table_slicer(path: Path, sheet: str, table_id: int, column: int, column_name: str) -> None:
    """A slicer on a table column: the slicer, its cache, and the x14/x15 lists that point to them.

    (The slicer's picture on the sheet lives in a drawing as an mc:AlternateContent frame; it is
    left out here: the slicer and its cache are the parts that must not be lost.)
    """
    package = Package(path)
    package.put("xl/slicerCaches/slicerCache1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<slicerCacheDefinition xmlns="{X14}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" mc:Ignorable="x" '
                'name="Slicer_客户名称" sourceName="客户名称"><extLst>'
                '<x:ext xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'uri="{2F2917AC-EB37-4324-AD4E-5DD8C200BD13}">'
                f'<x15:tableSlicerCache tableId="{table_id}" column="{column}"/></x:ext></extLst></slicerCacheDefinition>',
                "application/vnd.ms-excel.slicerCache+xml")
    cache_rid = package.relate("xl/workbook.xml", f"{OFFICE_2007}/slicerCache", "xl/slicerCaches/slicerCache1.xml")
    package.insert("xl/workbook.xml", "</workbook>",
                   '<extLst><ext uri="{46BE6895-7355-4A93-B00E-2C351335B9C9}" '
                   'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
                   f'<x15:slicerCaches xmlns:x14="{X14}"><x14:slicerCache r:id="{cache_rid}" xmlns:r="{R}"/>'
                   "</x15:slicerCaches></ext></extLst>")
    package.put("xl/slicers/slicer1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<slicers xmlns="{X14}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                f'mc:Ignorable="x xr10" xmlns:x="{MAIN}" xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10">'
                f'<slicer name="{column_name}" cache="Slicer_客户名称" caption="{column_name}" rowHeight="241300"/></slicers>',
                "application/vnd.ms-excel.slicer+xml")
    slicer_rid = package.relate(package.sheet_part(sheet), f"{OFFICE_2007}/slicer", "xl/slicers/slicer1.xml")
    package.sheet_extension(sheet, "{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}",
                            f'<x14:slicerList xmlns:x14="{X14}"><x14:slicer r:id="{slicer_rid}" xmlns:r="{R}"/>'
                            "</x14:slicerList>",
                            'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"')
    package.save()


def add_pivot_table(path: Path, source_sheet: str, target_sheet: str) -> None:
    """A pivot table of amount by customer over the orders (A1:D5), on target_sheet at D3.

    Cache definition and records as Excel writes them for a 4-column source with one row field.
    """
    package = Package(path)
    customers = ["杭州恒信机械有限公司", "上海华腾电子", "宁波远航物流"]
    shared = "".join(f'<s v="{c}"/>' for c in customers)
    package.put("xl/pivotCache/pivotCacheDefinition1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{R}" r:id="rId1" refreshOnLoad="1" recordCount="4" '
                'createdVersion="6" refreshedVersion="6" minRefreshableVersion="3">'
                f'<cacheSource type="worksheet"><worksheetSource ref="A1:D5" sheet="{source_sheet}"/></cacheSource>'
                '<cacheFields count="4">'
                '<cacheField name="订单号" numFmtId="0"><sharedItems/></cacheField>'
                '<cacheField name="下单日期" numFmtId="14"><sharedItems containsSemiMixedTypes="0" containsNonDate="0" '
                'containsDate="1" containsString="0" minDate="2026-03-05T00:00:00" maxDate="2026-10-11T00:00:00"/></cacheField>'
                f'<cacheField name="客户名称" numFmtId="0"><sharedItems count="3">{shared}</sharedItems></cacheField>'
                '<cacheField name="金额" numFmtId="0"><sharedItems containsSemiMixedTypes="0" containsString="0" '
                'containsNumber="1" containsInteger="1" minValue="650" maxValue="12800"/></cacheField>'
                "</cacheFields></pivotCacheDefinition>",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml")
    records = "".join(f'<r><s v="SO-00{i + 1}"/><d v="{d}"/><x v="{c}"/><n v="{a}"/></r>' for i, (d, c, a) in enumerate(
        [("2026-03-05T00:00:00", 0, 3800), ("2026-06-18T00:00:00", 1, 650), ("2026-09-02T00:00:00", 0, 12800),
         ("2026-10-11T00:00:00", 2, 2400)]))
    package.put("xl/pivotCache/pivotCacheRecords1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<pivotCacheRecords xmlns="{MAIN}" xmlns:r="{R}" count="4">{records}</pivotCacheRecords>',
                "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml")
    package.entries["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS_NS}">'
        f'<Relationship Id="rId1" Type="{R}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>'
    ).encode()
    cache_rid = package.relate("xl/workbook.xml", f"{R}/pivotCacheDefinition", "xl/pivotCache/pivotCacheDefinition1.xml")
    workbook = package.text("xl/workbook.xml")
    anchor = "<calcPr" if "<calcPr" in workbook else "</workbook>"
    package.insert("xl/workbook.xml", anchor, f'<pivotCaches><pivotCache cacheId="7" xmlns:r="{R}" r:id="{cache_rid}"/></pivotCaches>')
    items = "".join(f'<item x="{i}"/>' for i in range(3))
    rows = "".join(f'<i><x v="{i}"/></i>' if i else "<i><x/></i>" for i in range(3))
    package.put("xl/pivotTables/pivotTable1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<pivotTableDefinition xmlns="{MAIN}" name="客户金额透视" cacheId="7" applyNumberFormats="0" '
                'applyBorderFormats="0" applyFontFormats="0" applyPatternFormats="0" applyAlignmentFormats="0" '
                'applyWidthHeightFormats="1" dataCaption="值" updatedVersion="6" minRefreshableVersion="3" '
                'useAutoFormatting="1" itemPrintTitles="1" createdVersion="6" indent="0" outline="1" outlineData="1" '
                'multipleFieldFilters="0"><location ref="D3:E7" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>'
                '<pivotFields count="4"><pivotField showAll="0"/><pivotField numFmtId="14" showAll="0"/>'
                f'<pivotField axis="axisRow" showAll="0"><items count="4">{items}<item t="default"/></items></pivotField>'
                '<pivotField dataField="1" showAll="0"/></pivotFields>'
                f'<rowFields count="1"><field x="2"/></rowFields><rowItems count="4">{rows}<i t="grand"><x/></i></rowItems>'
                '<colItems count="1"><i/></colItems><dataFields count="1"><dataField name="求和项:金额" fld="3" '
                'baseField="0" baseItem="0"/></dataFields><pivotTableStyleInfo name="PivotStyleLight16" '
                'showRowHeaders="1" showColHeaders="1" showRowStripes="0" showColStripes="0" showLastColumn="1"/>'
                "</pivotTableDefinition>",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml")
    package.entries["xl/pivotTables/_rels/pivotTable1.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS_NS}">'
        f'<Relationship Id="rId1" Type="{R}/pivotCacheDefinition" Target="../pivotCache/pivotCacheDefinition1.xml"/>'
        "</Relationships>").encode()
    package.relate(package.sheet_part(target_sheet), f"{R}/pivotTable", "xl/pivotTables/pivotTable1.xml")
    package.save()


def add_external_link(path: Path, sheet: str, cell: str) -> None:
    """A link to another workbook ([1]价格表!$B$2) with its cached value, used by a formula in cell."""
    package = Package(path)
    package.put("xl/externalLinks/externalLink1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<externalLink xmlns="{MAIN}"><externalBook xmlns:r="{R}" r:id="rId1">'
                '<sheetNames><sheetName val="价格表"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
                '<row r="2"><cell r="B2"><v>3800</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>',
                "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml")
    package.entries["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS_NS}">'
        f'<Relationship Id="rId1" Type="{R}/externalLinkPath" Target="file:///C:/销售/价格表.xlsx" '
        'TargetMode="External"/></Relationships>').encode()
    rid = package.relate("xl/workbook.xml", f"{R}/externalLink", "xl/externalLinks/externalLink1.xml")
    package.insert("xl/workbook.xml", "<definedNames" if "<definedNames" in package.text("xl/workbook.xml")
                   else "<calcPr", f'<externalReferences><externalReference xmlns:r="{R}" r:id="{rid}"/></externalReferences>')
    part = package.sheet_part(sheet)
    xml = package.text(part)
    cell_xml = f'<c r="{cell}"><f>[1]价格表!$B$2</f><v>3800</v></c>'
    row = re.search(rf'<row r="{re.sub(r"[A-Z]+", "", cell)}"[^>]*>', xml)
    package.entries[part] = (xml[:row.end()] + cell_xml + xml[row.end():]).encode()
    package.save()


RIBBON = ('<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon><tabs>'
          '<tab id="xlcrmTab" label="CRM"><group id="xlcrmMain" label="客户管理">'
          '<button id="xlcrmCheck" label="检查表格" size="large" imageMso="ReviewTrackChanges" onAction="XlcrmCheck"/>'
          "</group></tab></tabs></ribbon></customUI>")


def add_ribbon(path: Path) -> bytes:
    """The customUI14 ribbon part with its root relationship, as the xlcrm build assembles it."""
    package = Package(path)
    data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + RIBBON).encode()
    package.put("customUI/customUI14.xml", data)
    package.relate("", RIBBON_TYPE, "customUI/customUI14.xml")
    package.save()
    return data


def add_ignored_errors(path: Path, sheet: str, cells: str) -> None:
    """Green-triangle warnings the user dismissed ("number stored as text"), kept by Excel in <ignoredErrors>."""
    package = Package(path)
    part = package.sheet_part(sheet)
    xml = package.text(part)
    follower = next(tag for tag in ("<drawing ", "<legacyDrawing ", "<tableParts", "<extLst", "</worksheet>")
                    if tag in xml)  # <ignoredErrors> comes before these in a worksheet
    package.insert(part, follower, f'<ignoredErrors><ignoredError sqref="{cells}" numberStoredAsText="1"/></ignoredErrors>')
    package.save()


def add_chart_label_range(path: Path, sheet: str, cells: str) -> None:
    """Data labels taken from cells (Excel 2013's c15 extension inside a chart series)."""
    package = Package(path)
    drawing = drawing_of(package, sheet)
    folder, base = posixpath.split(drawing)
    rels = package.text(posixpath.join(folder, "_rels", f"{base}.rels"))
    chart = resolve(folder, re.search(r'Target="([^"]+chart\d+\.xml)"', rels).group(1))
    xml = package.text(chart)
    close = re.search(r"</(\w+:)?ser>", xml).group(0)
    prefix = close[2:-4]
    ext = (f'<{prefix}extLst><{prefix}ext uri="{{02D57815-91ED-43cb-92C2-25804820EDAC}}" '
           'xmlns:c15="http://schemas.microsoft.com/office/drawing/2012/chart">'
           f'<c15:datalabelsRange><c15:f>{cells}</c15:f></c15:datalabelsRange></{prefix}ext></{prefix}extLst>')
    package.insert(chart, close, ext)
    package.save()


CHART_STYLE_REL = "http://schemas.microsoft.com/office/2011/relationships/chartStyle"
CHART_COLORS_REL = "http://schemas.microsoft.com/office/2011/relationships/chartColorStyle"
CS = "http://schemas.microsoft.com/office/drawing/2012/chartStyle"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def add_chart_style(path: Path, sheet: str) -> dict[str, bytes]:
    """The chart style and colour parts Excel 2013+ writes beside every chart it makes (style 201, colorful 1).

    Returns the two parts as written, by part name.
    """
    package = Package(path)
    drawing = drawing_of(package, sheet)
    folder, base = posixpath.split(drawing)
    rels = package.text(posixpath.join(folder, "_rels", f"{base}.rels"))
    chart = resolve(folder, re.search(r'Target="([^"]+chart\d+\.xml)"', rels).group(1))
    style = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
             f'<cs:chartStyle xmlns:cs="{CS}" xmlns:a="{A}" id="201">'
             + "".join(f'<cs:{part} mods="{mods}"><cs:lnRef idx="0"/><cs:fillRef idx="0"/><cs:effectRef idx="0"/>'
                       f'<cs:fontRef idx="minor"><a:schemeClr val="tx1"/></cs:fontRef></cs:{part}>'
                       for part, mods in (("axisTitle", ""), ("chartArea", "allowNoFillOverride allowNoLineOverride"),
                                          ("dataPoint", ""), ("title", "")))
             + "</cs:chartStyle>").encode()
    colors = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
              f'<cs:colorStyle xmlns:cs="{CS}" xmlns:a="{A}" meth="cycle" id="10">'
              + "".join(f'<a:schemeClr val="accent{n}"/>' for n in range(1, 7))
              + '<cs:variation/><cs:variation><a:lumMod val="60000"/></cs:variation></cs:colorStyle>').encode()
    number = re.search(r"(\d+)\.xml$", chart).group(1)
    parts = {f"xl/charts/style{number}.xml": style, f"xl/charts/colors{number}.xml": colors}
    package.put(f"xl/charts/style{number}.xml", style, "application/vnd.ms-office.chartstyle+xml")
    package.put(f"xl/charts/colors{number}.xml", colors, "application/vnd.ms-office.chartcolorstyle+xml")
    package.relate(chart, CHART_STYLE_REL, f"xl/charts/style{number}.xml")
    package.relate(chart, CHART_COLORS_REL, f"xl/charts/colors{number}.xml")
    package.save()
    return parts


def add_calc_chain(path: Path, sheet: str, cells: list[str]) -> None:
    """The calculation chain Excel keeps of the formula cells (here: cells of one sheet)."""
    package = Package(path)
    workbook = package.text("xl/workbook.xml")
    sheet_id = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*sheetId="(\d+)"', workbook).group(1)
    chain = "".join(f'<c r="{cell}" i="{sheet_id}"/>' for cell in cells)
    package.put("xl/calcChain.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><calcChain xmlns="{MAIN}">{chain}</calcChain>',
                "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")
    package.relate("xl/workbook.xml", f"{R}/calcChain", "xl/calcChain.xml")
    package.save()


def entries(path: Path) -> dict[str, bytes]:
    """Every part of a package by name, uncompressed."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def integrity_problems(path: Path) -> list[str]:
    """What Excel would call a damaged package: dangling relationships, parts without a content type,
    content types of parts that are gone, sheets with the same name, id or relationship."""
    problems = []
    package = Package(path)
    names = set(package.entries)
    types = package.text("[Content_Types].xml")
    defaults = set(re.findall(r'<Default Extension="([^"]+)"', types))
    overrides = set(re.findall(r'<Override PartName="/([^"]+)"', types))
    problems += [f"content type for missing part {n}" for n in overrides - names]
    problems += [f"no content type for {n}" for n in names if n != "[Content_Types].xml"
                 and n not in overrides and n.rsplit(".", 1)[-1].lower() not in defaults]
    for rels in (n for n in names if n.endswith(".rels")):
        folder = posixpath.dirname(posixpath.dirname(rels))
        for rel in re.findall(r"<Relationship\b[^>]*>", package.text(rels)):
            target = re.search(r'Target="([^"]+)"', rel).group(1)
            if 'TargetMode="External"' not in rel and resolve(folder, target) not in names:
                problems.append(f"{rels} points to missing {target}")
    workbook = package.text("xl/workbook.xml")
    sheets = re.findall(r"<sheet [^>]*/>", workbook)
    for attribute in ("name", "sheetId", "r:id"):
        values = [re.search(rf'\b{attribute}="([^"]+)"', s).group(1) for s in sheets]
        if len(values) != len(set(values)):
            problems.append(f"sheets share a {attribute}: {values}")
    return problems
