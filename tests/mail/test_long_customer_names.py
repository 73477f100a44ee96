"""A customer-name cell holding much more than a name (the company and its whole address, 85+ Chinese characters:
255 bytes and more in UTF-8) still gets its preview and its message: the outbox's file name is cut to fit any file
system, and the mail status says what happened. It stopped the preview for everyone with 'File name too long',
and a real send with a wrong 'check the disk' message and a 待发送 status for a message that went out.

`xlcrm remind` (preview) and `xlcrm remind --send` against a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

from helpers.cli import run
from helpers.mailbook import set_settings
from helpers.smtp_server import delivered
from helpers.tracking import tracking_book
from helpers.workbooks import column_values

TODAY = "2026-11-23"
HEADERS = ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期"]
LONG = ("上海恒信电子有限公司(地址:上海市浦东新区张江高科技园区碧波路六百九十号三号楼五层五零一室,收货人王总经理,"
        "发票抬头同上,开户行中国工商银行上海张江支行,备注:年底前需要重新确认收货地址和联系人)")


def test_a_very_long_customer_name_is_previewed_and_mailed(tmp_path, mail_server):
    assert len(LONG.encode()) > 255
    book = tracking_book(tmp_path / "客户.xlsx", headers=HEADERS, title=None, rows=[
        [LONG, "王总", "wang@hx.example.com", "张三", dt.datetime(2026, 8, 3)],
        ["乙公司", "李总", "li@yi.example.com", "张三", dt.datetime(2026, 8, 3)]])
    result = run("remind", book, "--today", TODAY)
    assert result.exit_code == 0, result.output
    previews = sorted(p.name for p in (tmp_path / "客户.outbox").glob("*.eml"))
    assert len(previews) == 2 and all(len(name.encode()) <= 255 for name in previews), previews
    assert any(name.startswith("0001 上海恒信电子有限公司") for name in previews), previews

    set_settings(book, mail_server.settings())
    result = run("remind", book, "--send", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert sorted(to for to, _ in delivered(mail_server)) == ["li@yi.example.com", "wang@hx.example.com"]
    statuses = column_values(book, "客户跟踪表", "邮件状态")
    assert all(status and "已发送" in status for status in statuses), statuses
