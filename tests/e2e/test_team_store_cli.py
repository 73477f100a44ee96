"""Team mode from the command line, as the tester ran it: a store URL whose password holds an unencoded '@' is one
readable line that shows no part of the password; `remind --send` with the store down sends nothing and says why."""

from __future__ import annotations

from conftest import TODAY, make_book
from helpers.cli import run
from helpers.mailbook import point_at


def test_team_store_url_with_an_unencoded_at_in_the_password_never_shows_it(tmp_path):
    book = make_book(tmp_path, customers=12)
    before = book.read_bytes()
    url = "postgresql://xlcrm:abc@x:TopSecret99@127.0.0.1:55432/team"
    for lang in ("en", "zh"):
        result = run("followups", book, "--today", TODAY.isoformat(), lang=lang, env={"XLCRM_STORE": url})
        assert result.exit_code == 1, result.output
        assert "TopSecret99" not in result.output and "abc@x" not in result.output
        assert "Unexpected" not in result.output and "%40" in result.output
        assert "XLCRM_STORE_PASSWORD" in result.output
    assert book.read_bytes() == before


def test_team_remind_send_with_the_store_down_sends_nothing(tmp_path, mail_server):
    book = make_book(tmp_path, customers=12)
    point_at(book, mail_server)
    down = f"sqlite:///{tmp_path / 'unplugged-drive' / 'team.db'}"
    result = run("remind", book, "--send", "--today", TODAY.isoformat(), lang="en", env={"XLCRM_STORE": down})
    assert result.exit_code == 1, result.output
    assert "cannot be reached" in result.output and "Nothing was sent" in result.output
    assert not mail_server.received
    preview = run("remind", book, "--today", TODAY.isoformat(), lang="en", env={"XLCRM_STORE": down})
    assert preview.exit_code == 0, preview.output
    assert "not known" in preview.output
