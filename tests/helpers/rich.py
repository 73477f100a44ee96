"""A team workbook as rich as the real ones: everything a sales team puts in its tracking file.

Built with openpyxl (and Pillow for the logo), so every feature here is one openpyxl can
write; parts it cannot write are injected as raw OOXML by helpers/ooxml.py.
The .xlsm variant starts from the macro-enabled workbook xlwings ships (a real VBA project
made by Excel), so its vbaProject.bin is Office's own.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import xlwings
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule, FormulaRule, IconSetRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

CUSTOMERS, ORDERS, RATES, LISTS, NOTES = "客户跟踪表", "订单记录", "参数", "选项", "说明"
HEADERS = ["客户名称", "联系人", "手机", "邮箱", "负责人", "最近联系日期", "下次跟进", "累计成交金额", "折扣(%)",
           "含税金额", "官网"]
OWNERS = ["张磊", "李娜", "王芳"]
ROWS = [
    ("杭州恒信机械有限公司", "王伟", "13800001111", "wangwei@hengxin.example", "张磊", dt.date(2026, 10, 8),
     "2026年11月20日", 12800.5, 5, "https://hengxin.example"),
    ("上海华腾电子", "李芳", 13900002222, "lifang@huateng.example", "李娜", dt.date(2026, 9, 14),
     dt.date(2026, 12, 1), 3650, 0, None),
    ("苏州金石贸易", "张敏", "+86 137 0000 3333", "not-an-email", "王芳", "2026/8/3", None, "¥1,200.50", 10,
     "mailto:zhangmin@jinshi.example"),
    ("宁波远航物流", "刘静", "13600004444", "liujing@yuanhang.example", "张磊", dt.date(2026, 11, 2),
     dt.date(2026, 11, 16), 56000, 12, None),
    ("南京瑞丰科技", "陈强", "13500005555", "chenqiang@ruifeng.example", "李娜", dt.date(2026, 7, 21),
     dt.date(2026, 10, 30), 0, 0, None),
]
TITLE_FONT = Font(name="微软雅黑", size=16, bold=True, color="FFFFFF")
TITLE_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FILL = PatternFill("solid", fgColor="BDD7EE")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=Side(style="double", color="000000"))


def build(path: Path, macro: bool = False) -> Path:
    """The rich team workbook at path (.xlsx, or .xlsm with xlwings' VBA project when macro)."""
    book = _macro_base() if macro else openpyxl.Workbook()
    start = book.active if not macro else None
    customers = book.create_sheet(CUSTOMERS, 0)
    if start is not None:
        book.remove(start)
    rates, lists, notes, orders = (book.create_sheet(n) for n in (RATES, LISTS, NOTES, ORDERS))
    _rates(rates)
    _lists(lists)
    _customers(customers)
    _orders(orders)
    _notes(notes, customers)
    _names(book)
    book.properties.title, book.properties.creator = "销售一部客户跟踪", "张磊"
    book.custom_doc_props.append(StringProperty(name="部门", value="销售一部"))
    book.active = 0
    book.save(path)
    return path


def _macro_base():
    source = Path(xlwings.__file__).parent / "quickstart.xlsm"
    return openpyxl.load_workbook(source, keep_vba=True)


def _customers(sheet) -> None:
    sheet.sheet_properties.tabColor = "C00000"
    sheet["A1"] = "2026年客户跟踪表(销售一部)"
    sheet["A1"].font, sheet["A1"].fill = TITLE_FONT, TITLE_FILL
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells("A1:K1")
    sheet.row_dimensions[1].height = 32
    for col, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(2, col, header)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(ROWS, start=3):
        for c, value in enumerate(row[:9], start=1):
            sheet.cell(r, c, value).border = BOX
        sheet.cell(r, 6).number_format = "yyyy年m月d日"
        sheet.cell(r, 7).number_format = "yyyy-mm-dd"
        sheet.cell(r, 8).number_format = '"¥"#,##0.00;[Red]-"¥"#,##0.00'
        sheet.cell(r, 9).number_format = "0"
        # Same-sheet and cross-sheet references, one of them absolute.
        sheet.cell(r, 10, f"=H{r}*(1-I{r}/100)*(1+{RATES}!$B$2)").number_format = "#,##0.00"
        sheet.cell(r, 10).protection = Protection(locked=True, hidden=True)
        if row[9]:
            sheet.cell(r, 11, row[9]).hyperlink = row[9]
            sheet.cell(r, 11).style = "Hyperlink"
        sheet.cell(r, 3).protection = Protection(locked=False)
    last = 2 + len(ROWS)
    total = last + 1
    sheet.cell(total, 1, "合计").font = Font(bold=True, italic=True)
    sheet.cell(total, 8, f"=SUM(H3:H{last})").number_format = "#,##0.00"
    sheet.cell(total, 10, f"=SUBTOTAL(9,J3:J{last})").font = Font(bold=True, underline="single", color="C00000")
    sheet.cell(total, 2, "=税率").number_format = "0.0%"  # a defined name in a formula
    sheet["B3"].alignment = Alignment(text_rotation=45, indent=1, shrink_to_fit=True)
    sheet["D5"].font = Font(strike=True, color="FF0000", vertAlign="superscript")
    sheet["E4"].fill = PatternFill("darkTrellis", fgColor="FFC000", bgColor="FFFFFF")
    sheet["A3"].comment = Comment("老客户,2019年起合作\n每季度回访", "张磊", width=220, height=90)
    sheet["G5"].comment = Comment("客户说下周再联系", "王芳")
    _validations(sheet, last)
    _formats(sheet, last)
    for letter, width in zip("ABCDEFGHIJK", (26, 10, 16, 28, 10, 16, 14, 16, 9, 14, 30)):
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["B"].hidden = False
    sheet.row_dimensions[4].height = 24
    sheet.row_dimensions[6].hidden = True
    sheet.freeze_panes = "B3"
    sheet.auto_filter.ref = f"A2:K{last}"
    sheet.auto_filter.add_filter_column(4, OWNERS)
    sheet.print_title_rows = "1:2"
    sheet.print_area = f"A1:K{total}"
    sheet.page_setup.orientation = "landscape"
    sheet.oddHeader.center.text = "&\"微软雅黑,Bold\"客户跟踪表"
    sheet.oddFooter.right.text = "第 &P 页,共 &N 页"
    sheet.add_image(_logo(), "M2")
    sheet.defined_names.add(DefinedName("本表负责人", attr_text=f"{CUSTOMERS}!$E$3:$E${last}"))


def _validations(sheet, last: int) -> None:
    owner = DataValidation(type="list", formula1=f"={LISTS}!$A$1:$A$3", allow_blank=True,
                           showErrorMessage=True, errorTitle="负责人", error="请从列表中选择")
    owner.add(f"E3:E{last}")
    discount = DataValidation(type="whole", operator="between", formula1="0", formula2="100",
                              showInputMessage=True, promptTitle="折扣", prompt="0 到 100 的整数")
    discount.add(f"I3:I{last}")
    stage = DataValidation(type="list", formula1='"见到客户,发现机会,确认机会"', allow_blank=True)
    stage.add("L3:L20")
    for rule in (owner, discount, stage):
        sheet.add_data_validation(rule)


def _formats(sheet, last: int) -> None:
    """The team's own conditional formats, of every kind openpyxl writes."""
    amounts = f"H3:H{last}"
    sheet.conditional_formatting.add(amounts, CellIsRule(operator="greaterThan", formula=["10000"],
                                                         fill=PatternFill("solid", bgColor="C6EFCE"),
                                                         font=Font(color="006100")))
    sheet.conditional_formatting.add(f"I3:I{last}", ColorScaleRule(start_type="min", start_color="F8696B",
                                                                   end_type="max", end_color="63BE7B"))
    sheet.conditional_formatting.add(f"J3:J{last}", DataBarRule(start_type="min", end_type="max", color="638EC6"))
    sheet.conditional_formatting.add(f"A3:K{last}", FormulaRule(formula=['$G3<TODAY()'],
                                                                fill=PatternFill("solid", bgColor="FFEB9C")))
    sheet.conditional_formatting.add(f"I3:I{last}", IconSetRule("3Arrows", "percent", [0, 33, 67]))


def _orders(sheet) -> None:
    sheet.append(["订单号", "下单日期", "客户名称", "金额"])
    orders = [("SO-001", dt.date(2026, 3, 5), ROWS[0][0], 3800), ("SO-002", dt.date(2026, 6, 18), ROWS[1][0], 650),
              ("SO-003", dt.date(2026, 9, 2), ROWS[0][0], 12800), ("SO-004", dt.date(2026, 10, 11), ROWS[3][0], 2400)]
    for row in orders:
        sheet.append(list(row))
    for r in range(2, len(orders) + 2):
        sheet.cell(r, 2).number_format = "yyyy/m/d"
        sheet.cell(r, 4).number_format = "#,##0"
    table = Table(displayName="订单表", ref=f"A1:D{len(orders) + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    sheet.add_table(table)
    chart = BarChart()
    chart.title, chart.y_axis.title = "订单金额", "元"
    chart.add_data(Reference(sheet, min_col=4, min_row=1, max_row=len(orders) + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(orders) + 1))
    sheet.add_chart(chart, "F2")
    sheet.column_dimensions["C"].width = 26
    sheet.row_dimensions.group(3, 4, hidden=False, outline_level=1)


def _rates(sheet) -> None:
    sheet["A1"], sheet["B1"] = "参数", "值"
    sheet["A2"], sheet["B2"] = "税率", 0.13
    sheet["B2"].number_format = "0%"
    sheet.protection.sheet = True
    sheet.protection.password = "team"
    sheet.sheet_view.showGridLines = False
    sheet.sheet_view.zoomScale = 130


def _lists(sheet) -> None:
    for r, owner in enumerate(OWNERS, start=1):
        sheet.cell(r, 1, owner)
    sheet.sheet_state = "hidden"


def _notes(sheet, customers) -> None:
    sheet["A1"] = "使用说明"
    sheet["A2"] = "客户表见"
    sheet["B2"] = "跳转"
    sheet["B2"].hyperlink = f"#{customers.title}!A1"
    sheet["A3"] = "=HYPERLINK(\"https://crm.example/help\",\"帮助\")"
    sheet["A4"] = "=COUNTA(客户跟踪表!A3:A7)&\" 个客户\""
    sheet.sheet_state = "veryHidden"


def _names(book) -> None:
    book.defined_names["税率"] = DefinedName("税率", attr_text=f"{RATES}!$B$2")
    book.defined_names["负责人列表"] = DefinedName("负责人列表", attr_text=f"{LISTS}!$A$1:$A$3")


def _logo():
    from PIL import Image as PILImage, ImageDraw

    picture = PILImage.new("RGB", (120, 48), "#1F4E79")
    ImageDraw.Draw(picture).rectangle((8, 8, 40, 40), fill="#FFC000")
    data = io.BytesIO()
    picture.save(data, format="PNG")
    data.seek(0)
    return Image(data)
