"""What xlcrm itself says about a send, in a Chinese workbook, against a real loopback server: a put-off message
named with its customer and row, a refused or put-off owner copy on the console and in the send log, and a message
the server never answered for called unknown, not a program that stopped."""

import datetime as dt

from conftest import TODAY
from helpers.mailbook import quick_mailer, remind_on, set_owner, set_settings
from helpers.workbooks import sheet_rows


def log_notes(book, address: str) -> list[str]:
    return [r[9] for r in sheet_rows(book, "发送记录")[1:] if r[4] == address]


def test_a_put_off_customer_and_a_refused_owner_copy_are_named_in_chinese(zh_book, mail_server):
    first = remind_on(zh_book)
    rows = first.plan[first.plan["decision"].eq("send") & first.plan["row"].notna()]
    owner = rows["owner"].iloc[0]
    boss = "boss@xlcrm-test.example.com"
    set_settings(zh_book, {**mail_server.settings(), "cc_owner": "是"})
    set_owner(zh_book, owner, boss)
    later = next(a for a in rows["to"] if a)
    mail_server.faults.reject_rcpt = {boss: "550 5.7.1 copies not accepted", later: "451 4.2.0 Mailbox busy"}
    result = remind_on(zh_book, send=True, mailer=quick_mailer())
    zh = result.lines("zh")
    put_off = result.plan[result.plan["to"].eq(later)].iloc[0]
    named = [line for line in zh if "服务器暂缓" in line and later in line]
    assert named and put_off["customer"] in named[0] and f"第 {int(put_off['row'])} 行" in named[0]
    copies = [line for line in zh if boss in line and "已发送,但" in line]  # (the owner's own digest failed)
    assert copies and all("仅抄送" in line and "550 5.7.1 copies not accepted" in line for line in copies)
    notes = [note for r in rows[rows["owner"].eq(owner) & rows["to"].ne(later)].to_dict("records")
             for note in log_notes(zh_book, r["to"])]
    assert notes and all(boss in note and "被服务器拒收" in note and "copy" not in note for note in notes)
    assert all("暂缓" in note and "the server" not in note for note in log_notes(zh_book, later))


def test_a_message_the_server_never_answered_for_is_unknown_not_a_stopped_program(zh_book, mail_server):
    first = remind_on(zh_book)
    set_settings(zh_book, mail_server.settings())
    mail_server.faults.drop_after_data = {2}  # kept, then the server hangs up without answering
    result = remind_on(zh_book, send=True, mailer=quick_mailer())
    unknown = result.plan[result.plan["decision"].eq("in_flight")]
    assert len(unknown) == 1 and len(mail_server.received) == first.counts()["send"]
    said = unknown["reason"].iloc[0].text("zh")
    assert "不知道服务器是否收到" in said and "完整" not in said
    address = unknown["to"].iloc[0]
    assert any("不知道服务器是否收到" in note for note in log_notes(zh_book, address))

    mail_server.faults.drop_after_data = set()
    again = remind_on(zh_book, send=True, mailer=quick_mailer(), today=TODAY + dt.timedelta(days=1))
    held = again.plan[again.plan["msg_key"].isin(unknown["msg_key"])]
    assert len(held) == 1 and held["decision"].iloc[0] == "in_flight"  # never resent by itself
    reason = held["reason"].iloc[0]
    assert "程序中断" not in reason.text("zh") and "不知道服务器是否收到" in reason.text("zh")
    assert "when the run stopped" not in reason.text("en") and "no answer" in reason.text("en")
    ids = [r.message["X-Xlcrm-Id"] for r in mail_server.received]
    assert len(ids) == len(set(ids))  # nothing went out twice
