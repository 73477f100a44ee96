"""The corpus workbooks (helpers/corpus.py) as other programs write the same content.

openpyxl writes each case; these turn its package into what another writer would have saved:
- LibreOffice: the file opened and saved again by LibreOffice headless (shared strings, its own styles,
  its own part names and docProps);
- Google Sheets export: no docProps/app.xml, strings inline (t="inlineStr"), one minimal style sheet that
  keeps only the number formats, sheet names with spaces ("Copy of ...", as Sheets names a copied tab);
- WPS: shared strings, docProps/custom.xml (WPS's build and ICV properties), a customXml/ item, the x14ac
  and WPS `etc` namespaces declared with mc:Ignorable on the workbook, sheets and styles, x14ac:dyDescent
  on rows.
Each writer returns the written file and how it renamed the sheets.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from helpers.ooxml import R, Package

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
WPS_ETC = "http://www.wps.cn/officeDocument/2017/etCustomData"
CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_IGNORABLE = f'xmlns:mc="{MC}" xmlns:x14ac="{X14AC}" xmlns:etc="{WPS_ETC}" mc:Ignorable="x14ac etc"'


def google_sheets_name(sheet: str) -> str:
    return f"Copy of {sheet}"


def google_sheets_export(source: Path, folder: Path) -> Path:
    package = _copy(source, folder)
    _drop_app_properties(package)
    for part in _sheet_parts(package):
        package.entries[part] = _inline_strings(package, package.text(part)).encode()
    package.entries.pop("xl/sharedStrings.xml", None)
    package.entries["xl/styles.xml"] = _minimal_styles(package.text("xl/styles.xml")).encode()
    workbook = package.text("xl/workbook.xml")
    package.entries["xl/workbook.xml"] = re.sub(
        r'(<sheet\b[^>]*\bname=")([^"]+)"', lambda m: m.group(1) + html.escape(google_sheets_name(
            html.unescape(m.group(2))), quote=True) + '"', workbook).encode()
    package.save()
    return package.path


def wps_like(source: Path, folder: Path) -> Path:
    package = _copy(source, folder)
    _shared_strings(package)
    for part in _sheet_parts(package):
        xml = _declare_ignorable(package.text(part), "worksheet")
        xml = re.sub(r"<row (?![^>]*x14ac:dyDescent)", '<row x14ac:dyDescent="0.2" ', xml)
        package.entries[part] = xml.replace("<sheetFormatPr ", '<sheetFormatPr x14ac:dyDescent="0.2" ', 1).encode()
    package.entries["xl/workbook.xml"] = _declare_ignorable(package.text("xl/workbook.xml"), "workbook").encode()
    package.entries["xl/styles.xml"] = _declare_ignorable(package.text("xl/styles.xml"), "styleSheet").encode()
    package.put("docProps/custom.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="{CUSTOM_PROPS}" '
                f'xmlns:vt="{VT}"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" '
                'name="KSOProductBuildVer"><vt:lpwstr>2052-12.1.0.16929</vt:lpwstr></property>'
                '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="ICV">'
                '<vt:lpwstr>8C3F1B2E4D5A4F6B9C0D1E2F3A4B5C6D_12</vt:lpwstr></property></Properties>',
                "application/vnd.openxmlformats-officedocument.custom-properties+xml")
    package.relate("", f"{R}/custom-properties", "docProps/custom.xml")
    package.put("customXml/item1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<s:customData xmlns="http://www.wps.cn/officeDocument/2013/wpsCustomData" '
                'xmlns:s="http://www.wps.cn/officeDocument/2013/wpsCustomData"><customSectProps/></s:customData>')
    package.put("customXml/itemProps1.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><ds:datastoreItem '
                'ds:itemID="{B1977F7D-205B-4081-913C-38D41E755F92}" '
                'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                '<ds:schemaRefs><ds:schemaRef ds:uri="http://www.wps.cn/officeDocument/2013/wpsCustomData"/>'
                '</ds:schemaRefs></ds:datastoreItem>',
                "application/vnd.openxmlformats-officedocument.customXmlProperties+xml")
    package.relate("customXml/item1.xml", f"{R}/customXmlProps", "customXml/itemProps1.xml")
    package.relate("xl/workbook.xml", f"{R}/customXml", "customXml/item1.xml")
    package.save()
    return package.path


def _copy(source: Path, folder: Path) -> Package:
    folder.mkdir(parents=True, exist_ok=True)
    return Package(Path(shutil.copy(source, folder / source.name)))


def _sheet_parts(package: Package) -> list[str]:
    return sorted(n for n in package.entries if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n))


def _drop_app_properties(package: Package) -> None:
    package.entries.pop("docProps/app.xml")
    for name, pattern in (("[Content_Types].xml", r'<Override PartName="/docProps/app.xml"[^>]*/>'),
                          ("_rels/.rels", r'<Relationship [^>]*Target="/?docProps/app.xml"[^>]*/>')):
        package.entries[name] = re.sub(pattern, "", package.text(name)).encode()


def _shared_strings(package: Package) -> None:
    """Every inline string moved to a shared-strings part, as Excel and WPS store text."""
    strings: dict[str, int] = {}

    def share(match: re.Match) -> str:
        index = strings.setdefault(match.group(3), len(strings))
        return f'<c{match.group(1)} t="s"{match.group(2)}><v>{index}</v></c>'

    for part in _sheet_parts(package):
        xml = re.sub(r'<c([^>]*?) t="inlineStr"([^>]*)><is>(.*?)</is></c>', share, package.text(part))
        package.entries[part] = xml.encode()
    if not strings or "xl/sharedStrings.xml" in package.entries:
        return
    items = "".join(f"<si>{inner}</si>" for inner in strings)
    package.put("xl/sharedStrings.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.'
                f'org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>',
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml")
    package.relate("xl/workbook.xml", f"{R}/sharedStrings", "xl/sharedStrings.xml")


def _inline_strings(package: Package, xml: str) -> str:
    """Shared strings written inline, as Google Sheets' export and some generators store text."""
    if "xl/sharedStrings.xml" not in package.entries:
        return xml
    items = re.findall(r"<si>(.*?)</si>", package.text("xl/sharedStrings.xml"), re.S)
    return re.sub(r'<c([^>]*?) t="s"([^>]*)><v>(\d+)</v></c>',
                  lambda m: f'<c{m.group(1)} t="inlineStr"{m.group(2)}><is>{items[int(m.group(3))]}</is></c>', xml)


def _minimal_styles(xml: str) -> str:
    """One font, fill and border; each cell format keeps its index and its number format only."""
    formats = re.search(r"<numFmts\b.*?</numFmts>", xml, re.S)
    xfs = re.findall(r'<xf\b[^>]*?numFmtId="(\d+)"', re.search(r"<cellXfs\b.*?</cellXfs>", xml, re.S).group(0))
    applied = ' applyNumberFormat="1"'
    cell_xfs = "".join(f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0"{applied if n != "0" else ""}/>'
                       for n in xfs)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.'
            f'org/spreadsheetml/2006/main">{formats.group(0) if formats else ""}'
            '<fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
            f'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{cell_xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
            "</styleSheet>")


def _declare_ignorable(xml: str, root: str) -> str:
    return re.sub(rf"<{root}\b([^>]*)>", lambda m: f"<{root}{m.group(1)} {_IGNORABLE}>", xml, count=1)
