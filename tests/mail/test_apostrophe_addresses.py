"""An apostrophe belongs to the address (o'brien@, d'angelo.marco@: RFC 5322 allows it, Irish, French and Italian
names hold it): the customer is mailed at the address as typed, never at the part after the apostrophe, which is
another person's mailbox at that domain. A cell of which only a part reads as an address (/cn@, a@b.c'n) is a
data problem naming the cell, and nobody is mailed from it.

`xlcrm check`, then `xlcrm remind --send` against a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

from helpers.cli import run
from helpers.mailbook import set_settings
from helpers.smtp_server import delivered
from helpers.tracking import tracking_book
from helpers.workbooks import sheet_rows

TODAY = "2026-12-03"
HEADERS = ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期"]
MAILED = {"Murphy Ltd": "o'brien@huateng.example.com", "Rossi SpA": "d'angelo.marco@example.it",
          "Dupont SA": "jean-o'neil@example.fr", "Kelly Co": "O'Kelly <o'kelly@example.ie>"}
CUT = {"Slash Co": "/cn@example.com", "Quote Co": "sales@example.c'om"}


def test_an_apostrophe_is_part_of_the_address_and_a_cut_address_is_never_mailed(tmp_path, mail_server):
    long_ago = dt.datetime(2026, 8, 3)
    book = tracking_book(tmp_path / "客户.xlsx", headers=HEADERS, title=None, rows=[
        [customer, "经理", cell, "张三", long_ago] for customer, cell in {**MAILED, **CUT}.items()])
    result = run("check", book)
    assert result.exit_code == 0, result.output
    problems = {row[1]: row for row in sheet_rows(book, "数据问题")[1:] if row[1]}
    cut_rows = {2 + list({**MAILED, **CUT}).index(customer): cell for customer, cell in CUT.items()}
    for row, cell in cut_rows.items():
        assert problems[row][2:4] == ["C 邮箱", cell] and "邮箱地址有误" in problems[row][4], problems[row]
    assert not set(problems) - set(cut_rows), problems

    set_settings(book, mail_server.settings())
    result = run("remind", book, "--send", "--today", TODAY)
    assert result.exit_code == 0, result.output
    recipients = sorted(to for to, _ in delivered(mail_server))
    assert recipients == sorted(["o'brien@huateng.example.com", "d'angelo.marco@example.it",
                                 "jean-o'neil@example.fr", "o'kelly@example.ie"]), recipients
