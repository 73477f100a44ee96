"""Workbooks written the ways other people write them, each with what a person reading it would expect.

Every case builds its workbook with openpyxl as Excel would save it (title rows, legends, placeholders, CRM
exports, order logs, invoice lists, English and Chinese) and says: which sheet holds the customers, which
header each field is read from, which headers must NOT be read as a field, whether the sheet is its own
orders, how many customers there are, and what the data problems must (not) say. The tests run check /
refresh / followups on all of them and also check that not one original cell changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl


@dataclass
class Case:
    name: str
    build: Callable[[openpyxl.Workbook], None]
    sheet: str
    mapping: dict[str, str]  # field id -> header it must be read from
    not_mapped: tuple[str, ...] = ()  # headers that must stay the team's, read as no field
    fields_absent: tuple[str, ...] = ()  # fields that must not be found at all
    customers: int | None = None  # customer records read
    orders_in_place: bool = False
    problems_none_about: tuple[str, ...] = ()  # texts no data problem may contain
    problems_some_about: tuple[str, ...] = ()  # texts some data problem must contain (check)
    lang: str = "en"
    extra: dict = field(default_factory=dict)  # orders: the orders mapping; (no_)followup_problems: as above

    def write(self, folder: Path) -> Path:
        book = openpyxl.Workbook()
        book.remove(book.active)
        self.build(book)
        path = folder / f"{self.name}.xlsx"
        book.save(path)
        return path


def _sheet(book, title, rows):
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    return sheet


def crm_export(book):
    """An English opportunity export: words that hold 'name', 'tel' and 'date' inside other words, a planned
    close date, an empty Next Action beside the filled Next Contact, English stage words."""
    stages = ["Prospect", "Initial contact", "Qualified", "Proposal", "Negotiating", "Nurturing", "Closed Won",
              "Closed Lost", "Opened", "Waiting on legal", "Waiting on legal", "Waiting on legal"]
    rows = [["Account Name", "Project Name", "Product Name", "Contact Name", "Phone", "Email", "Win Rate (Lead)",
             "TELEVENDAS", "Stage", "Expected close date", "Next Action", "Next Contact", "Owner"]]
    for i, stage in enumerate(stages):
        rows.append([f"Account {i}", f"Project {i}", "Widget", f"Person {i}", f"+1 555 010 {1000 + i}",
                     f"p{i}@acct{i}.com", "40%", "Yes", stage, dt.datetime(2027, 1, 10 + i), None,
                     dt.datetime(2026, 12, 1 + i), "Ann"])
    _sheet(book, "Opportunities", rows)


def leads_zh(book):
    """Leads named only 先生 / 张女士 with different phones: different people, not duplicates."""
    rows = [["客户名称", "联系人", "手机", "最近联系日期"]]
    for i in range(5):
        rows.append(["先生", "", f"1380000000{i}", "2026/11/1"])
    rows += [["张女士", "", "13900000001", "2026/10/1"], ["张女士", "", "13900000002", "2026/10/2"],
             ["张女士", "", "13900000001", "2026/10/3"]]  # the last one is the first 张女士 again
    _sheet(book, "线索", rows)


def branches(book):
    """Two branches of one brand at other addresses and phones, and one true duplicate."""
    _sheet(book, "门店", [["客户名称", "联系电话", "地址", "最近联系日期"],
                        ["好再来餐厅", "021-55550001", "上海市徐汇区一路1号", "2026/11/1"],
                        ["好再来餐厅", "021-55550002", "上海市浦东新区二路2号", "2026/11/2"],
                        ["老王超市", "021-55550003", "上海市静安区三路3号", "2026/11/3"],
                        ["老王超市", "021-55550003", None, "2026/11/4"]])


def orders_only_zh(book):
    _sheet(book, "订单", [["客户名称", "下单日期", "金额"], ["甲公司", "2026/3/1", 1000],
                        ["乙公司", "2026/4/1", "2,000元"], ["甲公司", "2026/9/1", 1500]])


def orders_only_en(book):
    _sheet(book, "Orders", [["Customer", "Order date", "Amount"], ["Foo Ltd", "2026-03-01", 100],
                            ["Bar Inc", "2026-04-01", 250], ["Baz Co", "2026-05-01", 80]])


def sales_log(book):
    _sheet(book, "Sales", [["Date", "Name", "Email", "Amount"],
                           [dt.datetime(2026, 3, 1), "Ann Lee", "ann@x.com", 120],
                           [dt.datetime(2026, 5, 2), "Ben Ng", "ben@y.com", 80],
                           [dt.datetime(2026, 6, 9), "Ann Lee", "ann@x.com", 60]])


def invoices(book):
    _sheet(book, "Invoices", [["Invoice #", "Invoice Date", "Customer", "Invoice Total", "Status"],
                              ["INV-1", dt.datetime(2026, 2, 1), "Foo Ltd", 1200, "Paid"],
                              ["INV-2", dt.datetime(2026, 3, 1), "Bar Inc", 300, "Open"]])


def order_lines(book):
    _sheet(book, "Orders", [["Order ID", "Order Date", "Customer Name", "Product Name", "Sales"],
                            ["A-1", dt.datetime(2026, 1, 5), "Foo Ltd", "Chair", 99.5],
                            ["A-2", dt.datetime(2026, 2, 5), "Bar Inc", "Desk", 250],
                            ["A-3", dt.datetime(2026, 3, 5), "Foo Ltd", "Lamp", 20]])


def tracker_with_title_and_legend(book):
    """A Chinese tracker: a title row, rows that only show IFERROR's '-' or #N/A, and a legend under it."""
    _sheet(book, "客户跟进", [["2026年客户跟进表"],
                            ["客户名称", "联系人", "电话", "负责人", "最近联系日期", "下次跟进日期"],
                            ["甲公司", "王经理", "13800000001", "小李", "2026/11/1", "2026/11/20"],
                            ["乙公司", "赵总", "13800000002", "小李", "2026/10/1", None],
                            ["-", "-", "-", "-", "-", "-"],
                            ["#N/A", "#N/A", None, None, None, None],
                            ["N/A", "无", None, None, None, None],
                            [],
                            ["说明:", "红色为重点客户"],
                            ["2.", "每周一更新"]])


def team_segment_column(book):
    """The team's own 'Segment' column: xlcrm must not take it over."""
    _sheet(book, "Customers", [["Customer", "Segment", "Last contact", "Email"],
                               ["Foo Ltd", "Retail", "2026-10-01", "a@foo.com"],
                               ["Bar Inc", "Wholesale", "2026-11-01", "b@bar.com"]])
    _sheet(book, "Orders", [["Customer", "Order date", "Amount"], ["Foo Ltd", "2026-09-01", 100],
                            ["Bar Inc", "2026-10-01", 50]])


def orders_log_no_dates(book):
    """An orders log with many dates still to be set: one grouped problem, not one line per row."""
    rows = [["Customer", "Order date", "Amount"]]
    rows += [[f"C{i % 7}", "TBD" if i % 3 else "2026-05-01", 10] for i in range(60)]
    _sheet(book, "Log", rows)


OWNER_HEADER = ["客户名称", "联系人", "电话", "邮箱", "生日", "最近联系日期", "最近下单日期", "订单数", "累计成交金额"]


def owner_sheets_book(path):
    """A workbook of owner_sheets alone, saved at path."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    owner_sheets(book)
    book.save(path)
    return path


def owner_sheets(book):
    """One sheet per salesperson (张三, 李四, 王五: the same header, no owner column; 王五's under a title row)
    and an 归档 sheet of the same shape holding customers no longer worked. 王五 lists 张三's 甲公司 again (same
    phone: a duplicate across sheets); 李四 typed a birthday nobody can read."""
    _sheet(book, "张三", [OWNER_HEADER,
                         ["甲公司", "赵一", "13800000001", "a@jia.cn", "1980/11/25", "2026/9/1", "2026/8/1", 3, 3000],
                         ["乙公司", "钱二", "13800000002", "b@yi.cn", None, "2026/11/20", "2026/10/1", 1, 500]])
    _sheet(book, "李四", [OWNER_HEADER,
                         ["丙公司", "孙三", "13800000003", "c@bing.cn", None, "2026/10/1", "2026/9/1", 2, 1200],
                         ["丁公司", "李四四", "13800000004", "d@ding.cn", "生日不详?", "2026/6/1", "2025/12/1", 5, 9000]])
    _sheet(book, "王五", [["王五的客户(2026)"], OWNER_HEADER,
                         ["戊公司", "周五", "13800000005", "e@wu.cn", None, "2026/11/1", "2026/11/1", 1, 800],
                         ["甲公司", "赵一", "13800000001", "a@jia.cn", None, "2026/7/1", "2026/8/1", 3, 3000]])
    _sheet(book, "归档", [OWNER_HEADER,
                         ["己公司", "吴六", "13800000006", "f@ji.cn", "1975/11/24", "2024/1/1", "2023/5/1", 1, 100]])


CASES = [
    Case("crm_export", crm_export, "Opportunities",
         {"customer": "Account Name", "contact": "Contact Name", "phone": "Phone", "email": "Email",
          "stage": "Stage", "next_followup": "Next Contact", "owner": "Owner"},
         not_mapped=("Project Name", "Product Name", "Win Rate (Lead)", "TELEVENDAS", "Expected close date",
                     "Next Action"),
         fields_absent=("deal_won",), customers=12,
         extra={"followup_problems": ("'Waiting on legal' on 3 rows",), "no_followup_problems": ("Opened", "Nurturing")}),
    Case("leads_zh", leads_zh, "线索", {"customer": "客户名称", "phone": "手机"}, customers=7, lang="zh",
         problems_some_about=("与第 7 行是同一客户", "与第 2 行同名,但电话不同")),
    Case("branches", branches, "门店", {"customer": "客户名称", "phone": "联系电话", "address": "地址"},
         customers=3, lang="zh", problems_some_about=("与第 4 行是同一客户", "与第 2 行同名,但电话不同")),
    Case("orders_only_zh", orders_only_zh, "订单", {"customer": "客户名称"}, customers=2, orders_in_place=True,
         lang="zh", extra={"orders": {"order_date": "下单日期", "order_amount": "金额"}}),
    Case("orders_only_en", orders_only_en, "Orders", {"customer": "Customer"}, customers=3, orders_in_place=True,
         extra={"orders": {"order_date": "Order date", "order_amount": "Amount"}}),
    Case("sales_log", sales_log, "Sales", {"customer": "Name", "email": "Email"}, customers=2, orders_in_place=True,
         extra={"orders": {"order_date": "Date", "order_amount": "Amount"}}),
    Case("invoices", invoices, "Invoices", {"customer": "Customer"}, customers=2, orders_in_place=True,
         not_mapped=("Status",),
         extra={"orders": {"order_date": "Invoice Date", "order_amount": "Invoice Total", "order_id": "Invoice #"}}),
    Case("order_lines", order_lines, "Orders", {"customer": "Customer Name"}, customers=2, orders_in_place=True,
         extra={"orders": {"order_amount": "Sales", "order_id": "Order ID", "product": "Product Name"}}),
    Case("tracker_title_legend", tracker_with_title_and_legend, "客户跟进",
         {"customer": "客户名称", "contact": "联系人", "phone": "电话", "owner": "负责人",
          "last_contact": "最近联系日期", "next_followup": "下次跟进日期"},
         customers=2, lang="zh", problems_none_about=("没有客户名称",)),
    Case("team_segment", team_segment_column, "Customers", {"customer": "Customer", "email": "Email"}, customers=2),
    Case("orders_log_no_dates", orders_log_no_dates, "Log", {"customer": "Customer"}, customers=7,
         orders_in_place=True, extra={"orders": {"order_date": "Order date"}}),
]
