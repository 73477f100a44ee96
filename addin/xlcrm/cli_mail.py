"""The mail commands of the command line (`xlcrm remind`, `xlcrm password`): parse -> one action -> show.
cli.py adds them, passing its error wrapper, printer, progress bar and day type."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from xlcrm import bootstrap
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

STORED = Msg("The password for {user} is kept in the system keyring (never in the workbook).",
             "{user} 的密码已存入系统钥匙串(不会写入工作簿)。")
FORGOTTEN = Msg("The password for {user} was removed from the system keyring.", "已从系统钥匙串删除 {user} 的密码。")
NOT_STORED = Msg("No password for {user} was in the system keyring.", "系统钥匙串中没有 {user} 的密码。")
NO_USER = Msg("Which login? Give --user, or a workbook whose settings name the login (smtp_user).",
              "请指定登录账号:使用 --user,或给出设置表中填写了登录账号(smtp_user)的工作簿。")
ASK_PASSWORD = Msg("Password (or authorisation code) for {user}", "{user} 的密码(或授权码)")


def mail_commands(friendly: Callable, finish: Callable, lang_of: Callable[[click.Context], str],
                  bar: Callable[[str], Callable], day: click.ParamType, exit_error: int) -> list[click.Command]:
    @click.command()
    @click.argument("book", type=click.Path(path_type=Path))
    @click.option("--template", help="Only this template (by its name in the templates sheet).")
    @click.option("--today", type=day, help="Day to remind for (default: today).")
    @click.option("--send", is_flag=True, help="Send the messages (default: a dry run that only previews).")
    @click.option("--test-to", metavar="ADDRESS", help="Send every message to ADDRESS only, marked as a test.")
    @click.option("--smtp-host", help="SMTP server (overrides the settings sheet).")
    @click.option("--smtp-port", type=click.IntRange(1, 65535), help="SMTP port.")
    @click.option("--smtp-security", type=click.Choice(["ssl", "starttls", "none"]), help="Connection security.")
    @click.option("--smtp-user", help="Login (the password comes from the keyring or XLCRM_SMTP_PASSWORD).")
    @click.option("--from", "sender", metavar="'NAME <ADDRESS>'", help="Sender name and address.")
    @click.pass_context
    @friendly
    def remind(ctx: click.Context, book: Path, template, today, send, test_to, smtp_host, smtp_port, smtp_security,
               smtp_user, sender) -> None:
        """Preview (default) or send the reminder and greeting e-mails due in BOOK."""
        workbook = bootstrap.file_book(book, read_ahead=True)
        from xlcrm.actions.remind import RemindRequest, remind as remind_action

        bootstrap.load_while_reading(workbook)
        request = RemindRequest(template, today.date() if today else None, send, test_to, smtp_host, smtp_port,
                                smtp_security, smtp_user, sender)
        mailer = bootstrap.mailer() if request.mode != "dry" else None
        result = remind_action(workbook, request, mailer, progress=bar(lang_of(ctx)),
                               team=bootstrap.store_connector())
        finish(ctx, result)
        if result.stopped:
            ctx.exit(exit_error)

    @click.command()
    @click.argument("book", required=False, type=click.Path(path_type=Path))
    @click.option("--user", help="The login (default: smtp_user in BOOK's settings sheet).")
    @click.option("--delete", is_flag=True, help="Remove the stored password instead.")
    @click.pass_context
    @friendly
    def password(ctx: click.Context, book: Path | None, user: str | None, delete: bool) -> None:
        """Keep the SMTP password in the system keyring (asked for, never shown, never in the workbook)."""
        from xlcrm.actions.session import smtp_login
        from xlcrm.mail.credentials import forget_password, store_password

        lang = lang_of(ctx)
        user = user or (smtp_login(bootstrap.file_book(book)) if book else "")
        if not user:
            raise XlcrmError(NO_USER)
        if delete:
            click.echo((FORGOTTEN if forget_password(user) else NOT_STORED)(user=user).text(lang))
            return
        secret = click.prompt(ASK_PASSWORD(user=user).text(lang), hide_input=True, confirmation_prompt=True)
        store_password(user, secret)
        click.echo(STORED(user=user).text(lang))

    return [remind, password]
