"""The team edits its sheet between runs: a corrected company name, rows sorted, rows inserted above. What was
sent stays sent: the next run sends nothing again, on a real loopback server."""

import openpyxl


from helpers.mailbook import point_at, quick_mailer, remind_on
from helpers.smtp_server import delivered

SHEET = "客户跟踪表"


def _rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def reshape(path, change) -> None:
    """Rewrite the customer rows below the header as `change` returns them (as a user sorting or inserting)."""
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    rows = _rows(sheet)
    new = change(rows)
    sheet.delete_rows(2, sheet.max_row)
    for number, values in enumerate(new, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column).value = value
    book.save(path)


def sent_once_then_nothing(book, server, edit_between) -> None:
    planned, _ = point_at(book, server)
    first = remind_on(book, quick_mailer(), send=True)
    assert first.stopped is None and delivered(server) == planned
    edit_between(book)
    again = remind_on(book, quick_mailer(), send=True)
    assert again.counts()["sent"] == 0, again.plan[again.plan["decision"].eq("sent")][["customer", "template"]]
    assert delivered(server) == planned  # every message exactly once


def test_a_corrected_company_name_does_not_send_the_same_reminder_again(zh_book, mail_server):
    def correct_names(path):
        book = openpyxl.load_workbook(path)
        sheet = book[SHEET]
        for row in sheet.iter_rows(min_row=2):
            name = row[1].value
            if isinstance(name, str) and name.endswith("有限公司") and "股份" not in name:
                row[1].value = name.replace("有限公司", "股份有限公司")
        book.save(path)

    sent_once_then_nothing(zh_book, mail_server, correct_names)


def test_rows_sorted_by_name_do_not_send_again(zh_book, mail_server):
    sent_once_then_nothing(zh_book, mail_server, lambda path: reshape(
        path, lambda rows: [rows[0]] + sorted(rows[1:], key=lambda r: str(r[1] or ""), reverse=True)))


def test_rows_inserted_above_do_not_send_again(zh_book, mail_server):
    def insert(rows):
        blank = [None] * len(rows[0])
        new = list(blank)
        new[1], new[0] = "新客户甲有限公司", "0"
        return [rows[0], new, list(blank)] + rows[1:]

    sent_once_then_nothing(zh_book, mail_server, lambda path: reshape(path, insert))
