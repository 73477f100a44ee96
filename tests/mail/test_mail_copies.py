"""A workbook's backup and its copies in the same folder never send again what the workbook already sent: the backup
shares its journal, a copy finds the message in the other journal beside it (a real SMTP server on loopback)."""

import shutil

from helpers.mailbook import quick_mailer, remind_on, set_settings
from xlcrm.mail.journal import SUFFIX


def sent_from_book(book, server):
    remind_on(book)  # the preview save: the backup xlcrm keeps is this version, taken before anything was sent
    set_settings(book, server.settings())
    early_copy = book.with_name("早先的副本.xlsx")
    shutil.copy(book, early_copy)  # a copy taken before the send, say for a colleague
    first = remind_on(book, send=True, mailer=quick_mailer())
    assert first.counts()["sent"] >= 5 and len(server.received) == first.counts()["sent"]
    return first, early_copy


def test_the_backup_xlcrm_keeps_beside_the_workbook_sends_nothing_again(zh_book, mail_server):
    first, _ = sent_from_book(zh_book, mail_server)
    backup = zh_book.with_name(f"{zh_book.stem}.backup.xlsx")
    assert backup.exists()  # written by the send's own save, from before it
    again = remind_on(backup, send=True, mailer=quick_mailer())
    assert len(mail_server.received) == first.counts()["sent"]
    assert again.counts()["sent"] == 0 and again.journal == first.journal  # the workbook's own journal
    assert not (zh_book.parent / f"{backup.stem}{SUFFIX}").exists()


def test_copies_in_the_same_folder_send_nothing_again_and_say_which_journal_had_it(zh_book, mail_server):
    first, early_copy = sent_from_book(zh_book, mail_server)
    later_copy = zh_book.with_name("副本.xlsx")
    shutil.copy(zh_book, later_copy)
    sent = first.counts()["sent"]
    later = remind_on(later_copy, send=True, mailer=quick_mailer())  # its send log sheet already has them
    assert len(mail_server.received) == sent and later.counts()["sent"] == 0
    again = remind_on(early_copy, send=True, mailer=quick_mailer())  # only the journal beside it knows
    assert len(mail_server.received) == sent and again.counts()["sent"] == 0
    text = "\n".join(again.lines("zh"))
    assert f"{sent} 封邮件未发送" in text and first.journal.name in text
    assert first.journal.name in "\n".join(again.lines("en"))
    skipped = again.plan[again.plan["msg_key"].isin(first.plan.loc[first.plan["decision"].eq("sent"), "msg_key"])]
    assert len(skipped) and skipped["decision"].eq("done").all()
    assert all(first.journal.name in reason.text("zh") for reason in skipped["reason"]
               if "另一个工作簿" in reason.text("zh"))


def test_a_copy_still_sends_what_no_journal_beside_it_has(zh_book, mail_server):
    remind_on(zh_book)
    set_settings(zh_book, mail_server.settings())
    copy = zh_book.with_name("副本.xlsx")
    shutil.copy(zh_book, copy)
    result = remind_on(copy, send=True, mailer=quick_mailer())  # nothing sent from the original yet
    assert result.counts()["sent"] >= 5 and len(mail_server.received) == result.counts()["sent"]
