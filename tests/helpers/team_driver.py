"""Send from one workbook in a process of its own, in team mode, starting at a given moment:
python team_driver.py BOOK TODAY START (START: time.time() at which to begin, so two processes race)."""

import datetime as dt
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2] / "addin")]

from xlcrm import bootstrap  # noqa: E402
from xlcrm.actions.remind import RemindRequest, remind  # noqa: E402
from xlcrm.book.file import FileBook  # noqa: E402
from xlcrm.mail.smtp import SmtpMailer  # noqa: E402

if __name__ == "__main__":
    book, today, start = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), float(sys.argv[3])
    connect = bootstrap.store_connector()
    time.sleep(max(0.0, start - time.time()))
    result = remind(FileBook(Path(book)), RemindRequest(today=today, send=True),
                    SmtpMailer(timeout=30, backoff=(0.01,)), team=connect)
    print("\n".join(result.lines("en")))
