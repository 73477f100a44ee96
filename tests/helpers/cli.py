"""The xlcrm command line run in-process, as a user types it (every argument a string)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from xlcrm.cli import main


def run(*args: object, lang: str | None = None, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """`xlcrm [--lang LANG] ARGS...`; input is what the user types at the prompts."""
    words = [str(a) for a in args]
    if lang:
        words = ["--lang", lang, *words]
    return CliRunner().invoke(main, words, input=input, env=env, catch_exceptions=False)
