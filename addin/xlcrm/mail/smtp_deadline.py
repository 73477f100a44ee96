"""An overall limit on opening an SMTP connection (connect, greeting, TLS, login), whatever the server trickles.

A socket timeout bounds each read, not a server that sends one greeting line every ten seconds for minutes; the
Deadline shuts the socket down when its time is up, which wakes the read waiting on it.
"""

from __future__ import annotations

import smtplib
import socket
import threading

import yagmail


class Deadline:
    """Ends the connection being opened once `seconds` have passed: a socket timeout bounds each read, not a server
    that trickles one line every few seconds. Shutting the socket down wakes the read waiting on it."""

    def __init__(self, seconds: float):
        self.seconds, self.expired = seconds, False
        self._watched: list[smtplib.SMTP] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, smtp: smtplib.SMTP) -> None:
        self._watched.append(smtp)

    def __enter__(self) -> "Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        for smtp in self._watched:
            sock = getattr(smtp, "sock", None) or getattr(smtp, "_deadline_socket", None)
            if sock is not None:
                try:  # the plain socket's shutdown (an SSL socket's own would drop its state under the reader)
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass


class WatchedSMTP(yagmail.SMTP):
    """yagmail's client whose smtplib connection is watched by a Deadline from the moment its socket exists."""

    def __init__(self, deadline: Deadline, **options: object):
        self._deadline = deadline
        super().__init__(**options)

    @property
    def connection(self) -> type[smtplib.SMTP]:
        base = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        deadline = self._deadline

        class Watched(base):  # type: ignore[valid-type, misc]
            def _get_socket(self, host, port, timeout):
                sock = super()._get_socket(host, port, timeout)
                self._deadline_socket = sock  # before smtplib keeps it as .sock: the greeting is read next
                deadline.watch(self)
                return sock

        return Watched
