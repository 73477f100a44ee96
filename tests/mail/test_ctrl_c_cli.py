"""Ctrl-C during `xlcrm remind --send`: the command line says that the workbook is whole and, below it, what the
batch had sent before the stop (the batch's own words: how many went out, how many are of unknown outcome)."""

from __future__ import annotations

import xlcrm.actions.remind
from helpers.cli import run
from helpers.tracking import tracking_book
from xlcrm.core.i18n import Msg
from xlcrm.mail.faults import SendInterrupted

SAID = Msg("3 messages of this batch had gone out before the stop", "本批已发出 3 封")


def test_ctrl_c_during_a_send_says_what_went_out(tmp_path, monkeypatch):
    book = tracking_book(tmp_path / "客户.xlsx", rows=[])

    def stopped_by_ctrl_c(*args, **kwargs):
        raise SendInterrupted(SAID)

    monkeypatch.setattr(xlcrm.actions.remind, "remind", stopped_by_ctrl_c)
    result = run("--lang", "en", "remind", book, "--send")
    assert result.exit_code == 1, result.output
    assert "3 messages of this batch had gone out" in result.output and "Traceback" not in result.output, result.output
