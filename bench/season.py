"""A season in the office, timed: each working day's run (a logged contact, maybe an order, followups,
the report on Fridays, remind --send through a loopback SMTP server) across New Year and Spring Festival.

    .venv/bin/python bench/season.py [--seed 11] [--weeks 8] [--customers 24]

Prints each day's wall time, then the median and the slowest day, as tests/e2e/test_season.py plays it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "addin"), str(ROOT / "tests")]

from helpers.season import play  # noqa: E402
from helpers.smtp_server import PASSWORD, MailServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--customers", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = MailServer(Path(folder), "ssl").start()
        os.environ["SSL_CERT_FILE"], os.environ["XLCRM_SMTP_PASSWORD"] = str(server.cert), PASSWORD
        try:
            season = play(Path(folder), server, args.seed, weeks=args.weeks, size=args.customers)
        finally:
            server.stop()
        sent = season.journal()
        sent = sent[sent["state"].eq("sent")]
        for (day, seconds), check in zip(season.timings, season.checks):
            went = int(check["plan"]["decision"].eq("sent").sum())
            friday = " + report" if check["report"] is not None else ""
            print(f"{day:%Y-%m-%d %a}  {seconds:6.2f} s  {went:3d} mails{friday}")
        times = [t for _, t in season.timings]
        print(f"{len(times)} working days, {len(sent)} mails: median {statistics.median(times):.2f} s, "
              f"slowest {max(times):.2f} s, in all {sum(times):.1f} s")


if __name__ == "__main__":
    main()
