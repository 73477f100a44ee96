"""A server that trickles its greeting ("220-" a line at a time, each in good time for the socket's timeout) is not
waited on for ever: connecting, greeting and logging in have one overall limit, and the stop says so."""

import socket
import threading
import time

from helpers.mailbook import remind_on, set_settings
from helpers.smtp_server import PASSWORD
from xlcrm.mail import smtp
from xlcrm.mail.smtp import SmtpMailer


class TarpitServer:
    """Greets every connection with '220-' lines, one every `every` seconds, `lines` of them (bounded), then 220."""

    def __init__(self, lines: int = 100, every: float = 0.2):
        self.lines, self.every = lines, every
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection = self.listener.accept()[0]
            except OSError:  # closed by stop()
                return
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            try:
                for _ in range(self.lines):
                    if self.stopped.wait(self.every):
                        return
                    connection.sendall(b"220-tarpit.example.com slowly\r\n")
                connection.sendall(b"220 tarpit.example.com ready\r\n")
                self.stopped.wait(5)
            except OSError:  # the client gave up: what the test wants
                return

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


def test_a_greeting_trickled_line_by_line_stops_at_the_overall_limit(zh_book, monkeypatch):
    remind_on(zh_book)
    monkeypatch.setattr(smtp, "OPEN_DEADLINE", 1)
    monkeypatch.setenv("XLCRM_SMTP_PASSWORD", PASSWORD)
    tarpit = TarpitServer()
    try:
        for security, user in (("none", None), ("starttls", "sales@example.com")):
            set_settings(zh_book, {"smtp_host": "127.0.0.1", "smtp_port": tarpit.port, "smtp_security": security,
                                   "smtp_user": user, "from_address": "sales@example.com", "rate_per_minute": 0})
            started = time.monotonic()
            result = remind_on(zh_book, send=True, mailer=SmtpMailer(timeout=2, backoff=(0.01,)))
            assert time.monotonic() - started < 8  # not the 20 s the greeting would take
            assert result.counts()["sent"] == 0
            assert "took more than 1 s to connect, greet and log in" in result.stopped.text("en")
            assert "1 秒内未完成连接、问候和登录" in result.stopped.text("zh")
    finally:
        tarpit.stop()
