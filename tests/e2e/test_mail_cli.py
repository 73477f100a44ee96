"""`xlcrm remind` and `xlcrm password` as a user runs them."""

from conftest import TODAY
from helpers.cli import run
from helpers.mailbook import set_settings
from helpers.smtp_server import PASSWORD, USER
from xlcrm.mail.credentials import password_for


def test_remind_takes_who_is_due_from_the_follow_up_rules(zh_book):
    from xlcrm.actions.remind import RemindRequest, remind
    from xlcrm.book.file import FileBook

    result = remind(FileBook(zh_book), RemindRequest(today=TODAY))
    customers = result.plan[result.plan["row"].notna()]
    assert len(customers) and set(customers["occasion"]) & {"followup", "first_answer", "birthday", "appointment"}
    assert result.counts()["send"] > 0 and len(list(result.outbox.glob("*.eml"))) == result.eml_count


def test_a_dry_run_from_the_command_line_previews_and_says_how_to_send(zh_book):
    result = run("remind", zh_book, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "预览,未发送" in result.output and ".eml" in result.output and "--send" in result.output
    assert list(zh_book.parent.glob("*.outbox/*.eml"))


def test_send_one_template_with_command_line_overrides_and_the_password_from_the_keyring(
        zh_book, mail_server, memory_keyring, monkeypatch):
    run("remind", zh_book, "--today", TODAY)
    set_settings(zh_book, {"rate_per_minute": 0})
    monkeypatch.delenv("XLCRM_SMTP_PASSWORD")
    stored = run("password", "--user", USER, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert stored.exit_code == 0 and PASSWORD not in stored.output
    assert password_for(USER) == PASSWORD and memory_keyring.store[("yagmail", USER)] == PASSWORD
    result = run("remind", zh_book, "--today", TODAY, "--send", "--template", "生日祝福",
                 "--smtp-host", "127.0.0.1", "--smtp-port", mail_server.port, "--smtp-security", "ssl",
                 "--smtp-user", USER, "--from", f"恒信销售部 <{USER}>")
    assert result.exit_code == 0, result.output
    assert len(mail_server.received) == 1
    message = mail_server.received[0].message
    assert message["Subject"].startswith("祝") and message["From"].addresses[0].display_name == "恒信销售部"
    assert PASSWORD not in result.output


def test_the_password_command_finds_the_login_in_the_workbook_and_can_forget_it(zh_book, memory_keyring):
    run("remind", zh_book, "--today", TODAY)
    set_settings(zh_book, {"smtp_user": "zhanglei@qq.com"})
    assert run("password", zh_book, input="abc\nabc\n").exit_code == 0
    assert memory_keyring.store[("yagmail", "zhanglei@qq.com")] == "abc"
    gone = run("--lang", "en", "password", zh_book, "--delete")
    assert "removed" in gone.output and not memory_keyring.store


def test_a_refused_login_exits_1_with_the_reason(zh_book, mail_server, monkeypatch):
    run("remind", zh_book, "--today", TODAY)
    set_settings(zh_book, {**mail_server.settings()})
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", "nope")
    result = run("--lang", "en", "remind", zh_book, "--today", TODAY, "--send")
    assert result.exit_code == 1 and "refused the login" in result.output
    assert mail_server.received == []


def test_no_password_anywhere_is_a_clear_error_before_anything_is_sent(zh_book, mail_server, memory_keyring,
                                                                       monkeypatch):
    run("remind", zh_book, "--today", TODAY)
    set_settings(zh_book, {**mail_server.settings()})
    monkeypatch.delenv("XLCRM_SMTP_PASSWORD")
    result = run("--lang", "en", "remind", zh_book, "--today", TODAY, "--send")
    assert result.exit_code == 1 and "xlcrm password" in result.output and mail_server.received == []
