"""Total rows as teams label them (汇总, the label Chinese Excel gives a Table's total row; 本页小计, 共计 2 家,
Grand Total, Sum...) are neither customers nor data problems: the revenue is not counted twice and no total is
put on the follow-up list. The label is the whole cell: a company named 总计贸易 or Summit Foods is a customer."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from helpers.cli import run
from helpers.libreoffice import resave_all
from helpers.workbooks import column_values, sheet_rows, values

TODAY = "2026-12-03"


def test_a_huizong_row_of_sums_is_no_customer_nor_followed_up(tmp_path):
    """A plain range ending in a 汇总 row of SUM and MAX formulas, calculated as Excel or WPS saves them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名称", "负责人", "最近联系日期", "最近下单日期", "下单次数", "累计成交金额"])
    sheet.append(["甲公司", "张三", dt.date(2026, 11, 1), dt.date(2026, 10, 1), 3, 30000])
    sheet.append(["乙公司", "李四", dt.date(2026, 11, 2), dt.date(2026, 9, 1), 1, 5000])
    sheet.append(["总计贸易", "李四", dt.date(2026, 11, 3), dt.date(2026, 8, 1), 1, 2000])
    sheet.append(["汇总", None, "=MAX(C2:C4)", "=MAX(D2:D4)", "=SUM(E2:E4)", "=SUM(F2:F4)"])
    for cell in ("C5", "D5"):
        sheet[cell].number_format = "yyyy-mm-dd"
    typed = tmp_path / "typed" / "客户.xlsx"
    typed.parent.mkdir()
    book.save(typed)
    path = resave_all([typed], tmp_path)[typed]
    assert values(path)["客户"][4][5] == 37000  # the sums have their values, as in a saved workbook

    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "客户:3 个" in result.output and "累计消费金额 37,000.00" in result.output, result.output
    assert "数据问题:0" in result.output
    grades = dict(zip(column_values(path, "客户", "客户名称"), column_values(path, "客户", "客户等级")))
    assert grades["汇总"] is None and grades["总计贸易"] in {"A", "B", "C", "D"}

    result = run("followups", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    listed = {row[0] for row in sheet_rows(path, "待跟进")}
    assert {"甲公司", "乙公司", "总计贸易"} <= listed and "汇总" not in listed
    due = dict(zip(column_values(path, "客户", "客户名称"), column_values(path, "客户", "下次跟进日")))
    assert due["汇总"] is None and isinstance(due["甲公司"], dt.datetime)


LEDGERS = {  # headers; customers whose names hold a total's word; the labels of the owners' subtotals, then totals
    "zh": (["客户名称", "负责人", "累计成交金额", "下单次数", "最近下单日期", "客户等级"], ["总计贸易", "汇总科技有限公司", "合计物流"],
           ["小计", "本页小计", "合 计(元)", "共计 2 家", "汇总:", "总计"], "客户:{count} 个", "累计消费金额 {total}"),
    "en": (["Customer", "Owner", "Total amount", "Order count", "Last order", "Class"],
           ["Summit Foods", "Total Fitness Ltd", "Sumitomo Trading"],
           ["Subtotal", "Sub-total:", "Page total", "Sum", "Grand Total", "TOTAL (USD)"], "Customers: {count} (",
           "revenue to date {total}"),
}


@pytest.mark.parametrize("lang", LEDGERS)
def test_subtotals_per_owner_and_grand_totals_are_left_out(tmp_path, lang):
    """Each owner's customers followed by their subtotal, typed as values, then the grand totals."""
    headers, namesakes, labels, customers_line, revenue_line = LEDGERS[lang]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers[:-1])
    owners = ["Amy", "Ben", "Cat"]
    customers = [(f"{owner} Co {n}" if n else namesakes[i], owner, 1000 * (i + 1) + 100 * n, n + 1,
                  dt.date(2026, 11 - i, 1 + n)) for i, owner in enumerate(owners) for n in range(2)]

    def total(label, rows):
        return [label, None, sum(r[2] for r in rows), sum(r[3] for r in rows), max(r[4] for r in rows)]

    for i, owner in enumerate(owners):
        mine = [c for c in customers if c[1] == owner]
        for row in mine:
            sheet.append(list(row))
        sheet.append(total(labels[i], mine))
    for label in labels[len(owners):]:
        sheet.append(total(label, customers))
    grand = sum(c[2] for c in customers)
    path = tmp_path / f"ledger_{lang}.xlsx"
    book.save(path)

    result = run("refresh", path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert customers_line.format(count=len(customers)) in result.output, result.output
    assert revenue_line.format(total=f"{grand:,.2f}") in result.output, result.output
    assert "数据问题:0 处" in result.output or "Data problems: 0 " in result.output, result.output
    names = column_values(path, sheet.title, headers[0])
    scored = dict(zip(names, column_values(path, sheet.title, headers[-1])))  # the class xlcrm gives a customer
    assert all(scored[customer[0]] is not None for customer in customers), scored
    assert all(scored[label] is None for label in labels), scored
