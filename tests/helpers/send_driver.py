"""Run a send in a process of its own, so a test can kill it halfway: python send_driver.py BOOK TODAY."""

import datetime as dt
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2] / "addin")]

from helpers.mailbook import remind_on  # noqa: E402
from xlcrm.mail.smtp import SmtpMailer  # noqa: E402

if __name__ == "__main__":
    book, today = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
    result = remind_on(Path(book), today=today, send=True, mailer=SmtpMailer(timeout=30, backoff=(0.01,)))
    print("\n".join(result.lines("en")))
