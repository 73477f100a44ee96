"""Errors the user can act on. They carry a bilingual message, never a traceback."""

from __future__ import annotations

from xlcrm.core.i18n import Msg


class XlcrmError(Exception):
    """A problem the user can fix; the CLI and ribbon show its message and stop."""

    def __init__(self, msg: Msg):
        super().__init__(msg.text("en"))
        self.msg = msg

    def text(self, lang: str) -> str:
        return self.msg.text(lang)
