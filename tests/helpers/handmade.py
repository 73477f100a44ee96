"""Workbooks written XML by XML, the way Excel 2016+ writes them (or other tools, with options).

openpyxl writes one dialect only; real team files come from Excel (shared strings,
mc:Ignorable with x14ac row heights, spans, a calculation chain), from .NET libraries that
put the main namespace under an `x:` prefix, or from tools that leave out row and cell
references. Each option here reproduces one of those, so the patch writer meets them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

STRINGS = ["客户名称", "负责人", "杭州恒信", "张磊", "上海华腾", "李娜", "备注"]

# Rows of the customer sheet (prefix placeholder {p}): a header, data, a self-closing
# (hidden) row 4, no row 5, and cells in column F beyond the columns xlcrm writes (D:E).
CUSTOMER_ROWS = (
    '<{p}row r="1" spans="1:6" x14ac:dyDescent="0.25"><{p}c r="A1" s="1" t="s"><{p}v>0</{p}v></{p}c>'
    '<{p}c r="B1" s="1" t="s"><{p}v>1</{p}v></{p}c><{p}c r="F1" s="1" t="s"><{p}v>6</{p}v></{p}c></{p}row>'
    '<{p}row r="2" spans="1:6" x14ac:dyDescent="0.25"><{p}c r="A2" t="s"><{p}v>2</{p}v></{p}c>'
    '<{p}c r="B2" t="s"><{p}v>3</{p}v></{p}c><{p}c r="C2" s="2"><{p}v>46300</{p}v></{p}c>'
    '<{p}c r="F2"><{p}f>C2+1</{p}f><{p}v>46301</{p}v></{p}c></{p}row>'
    '<{p}row r="3" spans="1:3" x14ac:dyDescent="0.25"><{p}c r="A3" t="s"><{p}v>4</{p}v></{p}c>'
    '<{p}c r="B3" t="s"><{p}v>5</{p}v></{p}c><{p}c r="C3" s="2"><{p}v>46310</{p}v></{p}c></{p}row>'
    '<{p}row r="4" spans="1:3" hidden="1" x14ac:dyDescent="0.25"/>'
    '<{p}row r="6" spans="1:1" x14ac:dyDescent="0.25"><{p}c r="A6" t="s"><{p}v>6</{p}v></{p}c></{p}row>'
)
# The same kind of rows as tools write them that leave references out (positions count instead).
UNNUMBERED_ROWS = (
    '<{p}row><{p}c t="s"><{p}v>0</{p}v></{p}c><{p}c t="s"><{p}v>1</{p}v></{p}c></{p}row>'
    '<{p}row><{p}c t="s"><{p}v>2</{p}v></{p}c><{p}c t="s"><{p}v>3</{p}v></{p}c><{p}c s="2"><{p}v>46300</{p}v></{p}c>'
    '</{p}row>'
    '<{p}row><{p}c t="s"><{p}v>4</{p}v></{p}c><{p}c t="s"><{p}v>5</{p}v></{p}c></{p}row>'
)


def sheet_xml(rows: str, prefix: str = "", dimension: str = "A1:F6", tail: str | None = None) -> str:
    p = f"{prefix}:" if prefix else ""
    main = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    tail = tail if tail is not None else (
        '<{p}mergeCells count="1"><{p}mergeCell ref="A6:B6"/></{p}mergeCells>'
        '<{p}conditionalFormatting sqref="C2:C6"><{p}cfRule type="cellIs" dxfId="0" priority="1" operator="lessThan">'
        '<{p}formula>46305</{p}formula></{p}cfRule></{p}conditionalFormatting>'
        '<{p}dataValidations count="1"><{p}dataValidation type="list" allowBlank="1" showErrorMessage="1" sqref="B2:B6">'
        '<{p}formula1>"张磊,李娜"</{p}formula1></{p}dataValidation></{p}dataValidations>'
        '<{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    return (f'{DECLARATION}<{p}worksheet {main} xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14ac xr" '
            f'xmlns:x14ac="{X14AC}" xmlns:xr="{XR}" xr:uid="{{6A3C1E2B-0F4D-4C5B-9E8A-7B6C5D4E3F21}}">'
            f'<{p}dimension ref="{dimension}"/><{p}sheetViews><{p}sheetView workbookViewId="0"/></{p}sheetViews>'
            f'<{p}sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>'
            f'<{p}sheetData>{rows.format(p=p)}</{p}sheetData>{tail.format(p=p)}</{p}worksheet>')


STYLES = (
    f'{DECLARATION}<styleSheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac x16r2" xmlns:x14ac="{X14AC}" '
    'xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main">'
    '<fonts count="2" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="等线"/><family val="2"/>'
    '<charset val="134"/><scheme val="minor"/></font><font><b/><sz val="11"/><color theme="1"/><name val="等线"/>'
    '<family val="2"/><charset val="134"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"><alignment vertical="center"/></xf>'
    '</cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0">'
    '<alignment vertical="center"/></xf><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1">'
    '<alignment vertical="center"/></xf><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"><alignment vertical="center"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="1"><dxf><font><color rgb="FF9C0006"/></font><fill><patternFill><bgColor rgb="FFFFC7CE"/></patternFill>'
    '</fill></dxf></dxfs><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>'
    '</styleSheet>')


def build(path: Path, sheets: dict[str, str], active: int = 0, date1904: bool = False, calc_chain: bool = True,
          names: str = "", styles: bool = True) -> Path:
    """An .xlsx of the given sheets (name -> worksheet XML), with Excel's shared strings and styles."""
    parts: dict[str, str] = {}
    types = [f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>',
             f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>']
    rels = [f'<Relationship Id="rId101" Type="{R}/sharedStrings" Target="sharedStrings.xml"/>']
    entries = []
    for number, (name, xml) in enumerate(sheets.items(), start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = xml
        types.append(f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{CT}.worksheet+xml"/>')
        rels.append(f'<Relationship Id="rId{number}" Type="{R}/worksheet" Target="worksheets/sheet{number}.xml"/>')
        entries.append(f'<sheet name="{name}" sheetId="{number}" r:id="rId{number}"/>')
    if styles:
        parts["xl/styles.xml"] = STYLES
        types.append(f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>')
        rels.append(f'<Relationship Id="rId102" Type="{R}/styles" Target="styles.xml"/>')
    if calc_chain:
        parts["xl/calcChain.xml"] = f'{DECLARATION}<calcChain xmlns="{MAIN}"><c r="F2" i="1" l="1"/></calcChain>'
        types.append(f'<Override PartName="/xl/calcChain.xml" ContentType="{CT}.calcChain+xml"/>')
        rels.append(f'<Relationship Id="rId103" Type="{R}/calcChain" Target="calcChain.xml"/>')
    strings = "".join(f"<si><t>{s}</t></si>" for s in STRINGS)
    epoch = ' date1904="1"' if date1904 else ""
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    parts["xl/sharedStrings.xml"] = (f'{DECLARATION}<sst xmlns="{MAIN}" count="{len(STRINGS)}" '
                                     f'uniqueCount="{len(STRINGS)}">{strings}</sst>')
    parts["xl/workbook.xml"] = (
        f'{DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x15 xr xr6 xr10 xr2" '
        'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" '
        f'xmlns:xr="{XR}" xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" '
        'xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" '
        'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>'
        f'<workbookPr{epoch} defaultThemeVersion="166925"/>'
        f'<bookViews><workbookView xWindow="-120" yWindow="-120" windowWidth="29040" windowHeight="15840" '
        f'activeTab="{active}"/></bookViews><sheets>{"".join(entries)}</sheets>'
        f'{defined}<calcPr calcId="191029"/></workbook>')
    parts["xl/_rels/workbook.xml.rels"] = (f'{DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/'
                                           f'package/2006/relationships">{"".join(rels)}</Relationships>')
    parts["_rels/.rels"] = (f'{DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                            f'relationships"><Relationship Id="rId1" Type="{R}/officeDocument" '
                            'Target="xl/workbook.xml"/></Relationships>')
    parts["[Content_Types].xml"] = (
        f'{DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{"".join(types)}</Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", parts.pop("[Content_Types].xml"))
        for name, xml in parts.items():
            package.writestr(name, xml)
    return path
