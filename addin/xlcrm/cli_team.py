"""The team commands of the command line (`xlcrm team sync|status|reassign`, and `report --team`'s output):
parse -> one action of actions/team.py -> show. cli.py adds them, passing its error wrapper and printer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from xlcrm import bootstrap


def team_finish(ctx: click.Context, lang: str, what: str, book: Path | None, **options) -> None:
    """Run a store-wide team action (the store named by BOOK's settings, or XLCRM_STORE) and print its lines."""
    from xlcrm.actions import team as team_actions

    url = team_actions.store_url(bootstrap.file_book(book) if book else None)
    actions: dict[str, Callable[..., Any]] = {"status": team_actions.status, "reassign": team_actions.reassign,
                                              "report": team_actions.team_report}
    run = actions[what]
    if what == "report":  # the team page is written in the language of the printed lines
        options["lang"] = lang
    for line in run(bootstrap.store_connector(), url_from_settings=url, **options).lines(lang):
        click.echo(line)


def team_commands(friendly: Callable, finish: Callable, lang_of: Callable[[click.Context], str]) -> click.Group:
    @click.group(name="team")
    def team() -> None:
        """Team mode: workbooks sharing one store (the settings' store, or XLCRM_STORE)."""

    @team.command(name="sync")
    @click.argument("book", type=click.Path(path_type=Path))
    @click.pass_context
    @friendly
    def sync(ctx: click.Context, book: Path) -> None:
        """Sync BOOK with the team store: its contacts and sends go up, the team's contacts and owners come back."""
        from xlcrm.actions.team import sync as sync_action

        finish(ctx, sync_action(bootstrap.file_book(book), bootstrap.store_connector()))

    @team.command(name="status")
    @click.argument("book", required=False, type=click.Path(path_type=Path))
    @click.pass_context
    @friendly
    def status(ctx: click.Context, book: Path | None) -> None:
        """The store's workbooks, salespeople, customers and last syncs (BOOK optional: its store)."""
        team_finish(ctx, lang_of(ctx), "status", book)

    @team.command(name="reassign")
    @click.argument("book", required=False, type=click.Path(path_type=Path))
    @click.option("--from", "old", required=True, metavar="NAME", help="The salesperson who leaves.")
    @click.option("--to", "new", required=True, metavar="NAME", help="The one who takes their customers over.")
    @click.pass_context
    @friendly
    def reassign(ctx: click.Context, book: Path | None, old: str, new: str) -> None:
        """Move a salesperson's customers, history and open follow-ups to another; workbooks follow on their next
        sync."""
        team_finish(ctx, lang_of(ctx), "reassign", book, old=old, new=new)

    return team
