"""A value the team merged down a column (an owner over their customers, an order's number and date over its
lines) belongs to every row it covers, as the team sees it in Excel."""

import datetime as dt

import openpyxl

from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.actions.session import open_session
from xlcrm.book.file import FileBook

TODAY = dt.date(2026, 3, 10)


def merged_book(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户名单"
    sheet.append(["区域", "负责人", "客户名称", "邮箱", "最近联系日期"])
    for region, owner, customers in (("华北", "张三", ["北京一号", "天津二号", "石家庄三号"]),
                                     ("华南", "李四", ["广州四号", "深圳五号"])):
        first = sheet.max_row + 1
        for number, customer in enumerate(customers):
            sheet.append([region if number == 0 else None, owner if number == 0 else None, customer,
                          f"c{first + number}@example.cn", dt.date(2026, 1, 5 + number)])
        sheet.merge_cells(start_row=first, end_row=sheet.max_row, start_column=1, end_column=1)
        sheet.merge_cells(start_row=first, end_row=sheet.max_row, start_column=2, end_column=2)
    orders = book.create_sheet("订单")
    orders.append(["订单号", "下单日期", "客户名称", "产品", "金额"])
    for number, (day, customer, lines) in enumerate([(dt.date(2026, 2, 1), "北京一号", [100, 200, 300]),
                                                     (dt.date(2026, 3, 1), "北京一号", [50]),
                                                     (dt.date(2026, 2, 20), "深圳五号", [70, 30])], start=1):
        first = orders.max_row + 1
        for line, amount in enumerate(lines):
            orders.append([f"SO-{number}" if line == 0 else None, day if line == 0 else None,
                           customer if line == 0 else None, f"产品{line}", amount])
        for column in (1, 2, 3):
            orders.merge_cells(start_row=first, end_row=orders.max_row, start_column=column, end_column=column)
    book.save(path)
    return path


def test_an_owner_merged_over_customers_owns_each_of_them(tmp_path):
    path = merged_book(tmp_path / "team.xlsx")
    records = open_session(FileBook(path)).customers.records
    assert records["owner"].tolist() == ["张三", "张三", "张三", "李四", "李四"]
    lines = followups(FileBook(path), TODAY).lines("en")
    assert not any("no owner" in line.lower() or "未指定" in line for line in lines), lines
    assert "  张三: 3 overdue, 0 due today, 0 due this week" in lines and "  李四: 2 overdue, 0 due today, 0 due this week" in lines


def test_an_orders_date_and_customer_merged_over_its_lines_count_for_each_line(tmp_path):
    path = merged_book(tmp_path / "team.xlsx")
    result = refresh(FileBook(path), TODAY)
    assert result.unknown_orders == 0
    sheet = openpyxl.load_workbook(path)["客户名单"]
    header = [c.value for c in sheet[1]]
    frequency, monetary = header.index("购买次数") + 1, header.index("消费金额") + 1
    by_customer = {sheet.cell(r, 3).value: (sheet.cell(r, frequency).value, sheet.cell(r, monetary).value)
                   for r in range(2, sheet.max_row + 1)}
    assert by_customer["北京一号"] == (2, 650) and by_customer["深圳五号"] == (1, 100)  # two orders, four lines
    assert not open_session(FileBook(path)).problems  # no line without its date or customer
