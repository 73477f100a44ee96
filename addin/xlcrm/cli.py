"""The command line: each command is a thin wrapper over one action, for scheduled runs with Excel closed."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import sys
import traceback
from pathlib import Path

import click

from xlcrm import __version__, bootstrap
from xlcrm.cli_mail import mail_commands
from xlcrm.cli_team import team_commands, team_finish
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg, default_lang

# Each command imports its action (and so pandas and the workbook libraries) when it runs: `xlcrm --help` stays quick.

EXIT_ERROR, EXIT_ELSEWHERE = 1, 3
UNEXPECTED = Msg("Unexpected error: {error}. Run again with XLCRM_DEBUG=1 to see the details.",
                 "意外错误:{error}。设置 XLCRM_DEBUG=1 后再运行可查看详细信息。")
STOPPED = Msg("Stopped (Ctrl-C). The workbook is not half-written: it is as it was, or fully saved if the save had "
              "already finished.", "已中断(Ctrl-C)。工作簿不会只写一半:要么保持原样,要么在保存已完成时完整保存。")


BAD_DAY = Msg("'{value}' is not a day ({why}); write it as YYYY-MM-DD, e.g. 2026-11-23",
              "“{value}”不是有效日期({why});请按 YYYY-MM-DD(年份在前)书写,例如 2026-11-23")


class Day(click.ParamType):
    """A day on the command line, year first as in the sheets: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日."""

    name = "day"

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        day, why = _iso_day(text) or _any_day(text)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            day, why = None, OUT_OF_RANGE(first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
        if day is None:
            error = XlcrmError(BAD_DAY(value=text, why=why or NOT_YEAR_FIRST))
            self.fail(_error_text(error, _lang(ctx) if (ctx and (ctx.find_root().obj or {}).get("lang"))
                                  or os.environ.get("XLCRM_LANG") else None).replace("\n", " / "), param, ctx)
        return dt.datetime.combine(day, dt.time())


def _iso_day(text: str) -> tuple[dt.date, None] | None:
    """2026-11-23 without the sheet's date parser, which loads pandas before the workbook is read ahead."""
    try:
        return (dt.date.fromisoformat(text), None) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:  # 2026-02-30: the parser below says why
        return None


def _any_day(text: str):
    from xlcrm.core.parse import parse_date

    return parse_date(text) if re.match(r"^\d{4}\D?\d", text) else (None, NOT_YEAR_FIRST)


NOT_YEAR_FIRST = Msg("the year must come first", "年份须在前")
OUT_OF_RANGE = Msg("xlcrm works with days from {first} to {last}", "xlcrm 处理的日期范围是 {first} 至 {last}")
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)  # Excel's dates start in 1900; pandas' end in 2262
DAY = Day()


class Commands(click.Group):
    """The command list shows each command's whole first sentence, wrapped, not cut at 45 characters."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.commands[name].get_short_help_str(limit=300)) for name in self.list_commands(ctx)
                if not self.commands[name].hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _lang(ctx: click.Context) -> str:
    return (ctx.obj or {}).get("lang") or default_lang()


def _error_lang(ctx: click.Context, book: Path | None) -> str | None:
    """--lang, else the workbook's language (a Chinese sheet gets Chinese errors on any OS), else None: not known."""
    if (ctx.obj or {}).get("lang") or not book:
        return _lang(ctx)
    from xlcrm.actions.session import book_lang

    try:
        found = book_lang(bootstrap.file_book(book))
    except XlcrmError:  # not found, not a workbook
        found = None
    return found or (_lang(ctx) if os.environ.get("XLCRM_LANG") else None)  # unknown: both languages


def _error_text(error: XlcrmError, lang: str | None) -> str:
    """The message in the user's language; both (the OS's first) when nothing tells which one they read."""
    if lang:
        return error.text(lang)
    first = default_lang()
    return "\n".join(error.text(code) for code in (first, "en" if first == "zh" else "zh"))


def friendly(command):
    """Turn an XlcrmError into its message and exit code 1; no traceback for the user's mistakes."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            with bootstrap.collector_paused():
                return command(*args, **kwargs)
        except XlcrmError as error:
            click.secho(_error_text(error, _error_lang(ctx, kwargs.get("book"))), fg="red", err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt as interrupt:  # Ctrl-C: say what became of the workbook (saves are all-or-nothing)
            lang = (ctx.obj or {}).get("lang")
            click.secho(_error_text(XlcrmError(STOPPED), lang), fg="red", err=True)
            sent = getattr(interrupt, "reason", None)  # mail.faults.SendInterrupted: what went out before the stop
            if isinstance(sent, Msg):
                click.secho(_error_text(XlcrmError(sent), lang), fg="red", err=True)
            ctx.exit(EXIT_ERROR)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except BrokenPipeError:  # output piped into `head` and the like: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            ctx.exit(0)
        except Exception as error:  # a bug: say so plainly; details on request
            if os.environ.get("XLCRM_DEBUG"):
                traceback.print_exc()
            click.secho(UNEXPECTED(error=f"{type(error).__name__}: {error}").text(_lang(ctx)), fg="red", err=True)
            ctx.exit(EXIT_ERROR)

    return wrapper


def bar(lang: str):
    """Progress for long work: a tqdm bar on stderr, labelled in the user's language."""

    def progress(items, total, label: Msg):
        if not sys.stderr.isatty():  # what tqdm's disable=None decides, without its import and locks
            return items
        from tqdm import tqdm

        return tqdm(items, total=total, desc=label.text(lang), unit="", leave=False, file=sys.stderr,
                    disable=None, dynamic_ncols=True)

    return progress


def _finish(ctx: click.Context, result, lang: str | None = None) -> None:
    lang = (ctx.obj or {}).get("lang") or lang or result.session.lang
    for line in result.lines(lang):
        click.echo(line)
    if result.saved.elsewhere:
        ctx.exit(EXIT_ELSEWHERE)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xlcrm")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of messages (default: the workbook's).")
@click.pass_context
def main(ctx: click.Context, lang: str | None) -> None:
    """xlcrm: run your customer tracking workbook as a CRM."""
    ctx.obj = {"lang": lang}


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--customers", default=60, show_default=True, type=click.IntRange(1, 1_000_000),
              help="How many customers.")
@click.option("--lang", "sheet_lang", default="zh", show_default=True, type=click.Choice(["zh", "en"]),
              help="Language of the sheet's headers and data.")
@click.option("--seed", default=1, show_default=True, type=int, help="The same seed gives the same workbook.")
@click.option("--today", type=DAY, help="Date the sample's dates are relative to.")
@friendly
def sample(out: Path, customers: int, sheet_lang: str, seed: int, today: dt.datetime | None) -> None:
    """Write a realistic sample tracking workbook to OUT (.xlsx)."""
    from xlcrm.actions.demo import SAMPLE_WRITTEN, write_sample

    path = write_sample(out, customers, sheet_lang, seed, today.date() if today else None)
    click.echo(SAMPLE_WRITTEN(path=path, customers=customers).text(sheet_lang))


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.pass_context
@friendly
def check(ctx: click.Context, book: Path) -> None:
    """Find the customer table in BOOK, write the column mapping and the data problems, report them."""
    workbook = bootstrap.file_book(book, read_ahead=True)  # first: its sheets are read while the action loads
    from xlcrm.actions.check import check as check_action

    bootstrap.load_while_reading(workbook)
    _finish(ctx, check_action(workbook, team=bootstrap.store_connector()))


@main.command()
@click.option("--dir", "folder", default="xlcrm-demo", show_default=True, type=click.Path(file_okay=False,
              path_type=Path), help="Folder for the demo workbook and its outputs.")
@click.option("--customers", default=60, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--lang", "sheet_lang", default="zh", show_default=True, type=click.Choice(["zh", "en"]))
@click.pass_context
@friendly
def demo(ctx: click.Context, folder: Path, customers: int, sheet_lang: str) -> None:
    """Make the bundled sample workbook and run xlcrm's main job on it."""
    from xlcrm.actions.demo import demo as demo_action

    result = demo_action(folder, customers, sheet_lang, bootstrap.file_book, bar(_lang(ctx)))
    for line in result.lines((ctx.obj or {}).get("lang")):
        click.echo(line)
    if result.stopped:
        raise result.stopped
    if result.elsewhere:
        ctx.exit(EXIT_ELSEWHERE)


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--today", type=DAY,
              help="Score as of this day (default: today); later orders are not counted.")
@click.pass_context
@friendly
def refresh(ctx: click.Context, book: Path, today: dt.datetime | None) -> None:
    """Score every customer in BOOK: RFM, segment, class, churn risk; writes the summary sheet."""
    workbook = bootstrap.file_book(book, read_ahead=True)
    from xlcrm.actions.refresh import refresh as refresh_action

    bootstrap.load_while_reading(workbook)
    _finish(ctx, refresh_action(workbook, today.date() if today else None, bar(_lang(ctx)),
                                team=bootstrap.store_connector()))


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--today", type=DAY,
              help="Work out what is due as of this day (default: today). Row colours always follow the real date.")
@click.pass_context
@friendly
def followups(ctx: click.Context, book: Path, today: dt.datetime | None) -> None:
    """Write follow-up status and next due date per customer, colour the rows, and list what is due per owner."""
    workbook = bootstrap.file_book(book, read_ahead=True)
    from xlcrm.actions.followups import followups as followups_action

    bootstrap.load_while_reading(workbook)
    result = followups_action(workbook, today.date() if today else None, progress=bar(_lang(ctx)),
                              team=bootstrap.store_connector())
    _finish(ctx, result)


@main.command(name="log")
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--customer", required=True,
              help="The customer's name (a unique part of it is enough); for two customers of one name, their row "
                   "(客户跟踪表!45), phone or e-mail, alone or after the name.")
@click.option("--channel", default="phone", show_default=True,
              help="phone, visit, wechat, email, meeting, video, sms, other (or your own word).")
@click.option("--note", default="", help="What was said.")
@click.option("--date", "when", type=DAY, help="Day of the contact (default: today).")
@click.option("--outcome", help="The result of the contact.")
@click.option("--next-step", help="What happens next.")
@click.option("--service", type=click.IntRange(1, 5), help="Return visit: sales service rating, 1-5.")
@click.option("--product", type=click.IntRange(1, 5), help="Return visit: product rating, 1-5.")
@click.option("--delivery", type=click.IntRange(1, 5), help="Return visit: installation/delivery rating, 1-5.")
@click.option("--today", type=DAY, help="Rebuild the due list as of this day (default: today).")
@click.pass_context
@friendly
def log_command(ctx: click.Context, book: Path, customer: str, channel: str, note: str, when: dt.datetime | None,
                outcome: str | None, next_step: str | None, service: int | None, product: int | None,
                delivery: int | None, today: dt.datetime | None) -> None:
    """Log a contact with a customer in BOOK's contact log and move their last-contact date."""
    from xlcrm.actions.contact_log import log_contact

    result = log_contact(bootstrap.file_book(book), customer, channel, note, when.date() if when else None,
                         outcome, next_step, {"service": service, "product": product, "delivery": delivery},
                         team=bootstrap.store_connector(), today=today.date() if today else None)
    _finish(ctx, result)


BUILT = Msg("Built {path}", "已生成 {path}")


@main.command()
@click.option("--out", default="dist", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for xlcrm.xlam and the CRM workbooks.")
@click.option("--today", type=DAY,
              help="Date of the sample data and the files' time stamps (default: today); the same date gives "
                   "the same bytes.")
@click.pass_context
@friendly
def build(ctx: click.Context, out: Path, today: dt.datetime | None) -> None:
    """Build xlcrm.xlam and ready CRM workbooks (.xlsm, Chinese and English) with the CRM tab."""
    from xlcrm.workbook.build import build as build_files

    for path in build_files(out, today.date() if today else None):
        click.echo(BUILT(path=path).text(_lang(ctx)))


PLATFORM = click.option("--platform", type=click.Choice(["windows", "mac"]),
                        help="Show the plan for Windows or a Mac from any system (with --dry-run).")


@main.command()
@click.option("--dry-run", is_flag=True, help="Only say what would be installed where.")
@PLATFORM
@click.pass_context
@friendly
def install(ctx: click.Context, dry_run: bool, platform: str | None) -> None:
    """Install the CRM tab into desktop Excel (Windows or macOS): xlcrm.xlam and the Python its buttons run."""
    _excel_setup(ctx, "install", dry_run, platform)


@main.command()
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@PLATFORM
@click.pass_context
@friendly
def uninstall(ctx: click.Context, dry_run: bool, platform: str | None) -> None:
    """Remove from Excel exactly what `xlcrm install` placed; your workbooks are untouched."""
    _excel_setup(ctx, "uninstall", dry_run, platform)


def _excel_setup(ctx: click.Context, command: str, dry_run: bool, platform: str | None) -> None:
    from xlcrm.workbook import install as setup

    carry_out = {"install": setup.install, "uninstall": setup.uninstall}[command]
    for line in carry_out(setup.target_for(platform, command), dry_run):
        click.echo(line.text(_lang(ctx)))


# -- report ------------------------------------------------------------------------------------------------

@main.command(name="report")
@click.argument("book", required=False, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the HTML report (default: reports/ beside the workbook; with --team, in the current "
                   "folder).")
@click.option("--period", default="week", show_default=True, type=click.Choice(["week", "month"]),
              help="The 7 days, or the month, up to and including --today.")
@click.option("--owner", metavar="NAME", help="One salesperson's own report: their customers, contacts and mail.")
@click.option("--today", type=DAY, help="The report's day (default: today).")
@click.option("--mail-to", metavar="ADDRESS",
              help="Mail the report to ADDRESS (e.g. the team lead) with the mail sender settings; the same report "
                   "is never mailed twice.")
@click.option("--team", is_flag=True, help="Across every workbook of the team store (BOOK optional: its store).")
@click.pass_context
@friendly
def report_command(ctx: click.Context, book: Path | None, out_dir: Path | None, period: str, owner: str | None,
                   today: dt.datetime | None, mail_to: str | None, team: bool) -> None:
    """Write the weekly or monthly CRM report of BOOK: a dated HTML page and the report sheet with charts."""
    if team or book is None:
        team_finish(ctx, _lang(ctx), "report", book, period=period, today=(today or dt.datetime.now()).date(),
                    out_dir=out_dir)
        return
    workbook = bootstrap.file_book(book, read_ahead=True)
    from xlcrm.actions.report import report as report_action

    bootstrap.load_while_reading(workbook, report=True)
    result = report_action(workbook, out_dir=out_dir, period=period, owner=owner,
                           today=today.date() if today else None, progress=bar(_lang(ctx)), mail_to=mail_to,
                           mailer=bootstrap.mailer() if mail_to else None, team=bootstrap.store_connector())
    _finish(ctx, result)
    if result.mail_failed:
        ctx.exit(EXIT_ERROR)


# -- mail merge and team mode (xlcrm/cli_mail.py, cli_team.py: the same thin commands, kept apart for the size
# of this module) ------------------------------------------------------------------------------------------------

for mail_command in mail_commands(friendly, _finish, _lang, bar, DAY, EXIT_ERROR):
    main.add_command(mail_command)
main.add_command(team_commands(friendly, _finish, _lang))


def run() -> None:
    """The `xlcrm` program (its console script, and python -m xlcrm): one command, then the process ends."""
    bootstrap.one_command_process()
    main()


if __name__ == "__main__":
    run()
