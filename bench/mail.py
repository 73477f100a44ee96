"""Mail merge figures: rendering 10k messages and sending 1k to a loopback SMTP server.

    .venv/bin/python bench/mail.py [--customers 10000] [--send 1000]

Each figure is printed beside a baseline measured in the same run on the same data, as a ratio:
- rendering: xlcrm's sandboxed Jinja2 + MIME building vs. plain str.format of the same fields;
- sending: xlcrm's batch (journal forced to disk before and after each message, staged SMTP
  transaction, over TLS with login) vs. smtplib.sendmail of the same bytes on one TLS connection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import smtplib
import ssl
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "addin"), str(ROOT / "tests")]

import pandas as pd  # noqa: E402

from helpers.mailbook import set_settings  # noqa: E402
from helpers.smtp_server import PASSWORD, USER, MailServer  # noqa: E402
from xlcrm.actions.remind import RemindRequest, remind  # noqa: E402
from xlcrm.actions.session import open_session  # noqa: E402
from xlcrm.book import file as file_book  # noqa: E402
from xlcrm.core.mailmerge.merge_fields import DIGEST_FIELDS, customer_contexts, field_names, touch_context  # noqa: E402
from xlcrm.core.sample import make_sample  # noqa: E402
from xlcrm.core.mailmerge.sender_profile import Owner, SenderProfile  # noqa: E402
from xlcrm.core.mailmerge.templates_sheet import default_templates  # noqa: E402
from xlcrm.core.followups.touches import TOUCH_COLUMNS  # noqa: E402
from xlcrm.core.mailmerge.send_window import SendWindow  # noqa: E402
from xlcrm.mail.batch import Batch, Outgoing, SystemClock  # noqa: E402
from xlcrm.mail.journal import Journal  # noqa: E402
from xlcrm.mail.message import Party, build  # noqa: E402
from xlcrm.mail.render import Renderer  # noqa: E402
from xlcrm.mail.smtp import SmtpMailer  # noqa: E402
from xlcrm.mail.smtp_wire import auth_utf8  # noqa: E402

TODAY = dt.date(2026, 11, 23)


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    return result, seconds


def all_due(session, today):
    """Every customer overdue for a follow-up: the largest batch a day can bring."""
    records = session.customers.records
    return pd.DataFrame({"row": records.index, "key": records["key"], "customer": records["customer"],
                         "owner": records["owner"], "occasion": "followup",
                         "due": pd.Timestamp(today - dt.timedelta(days=3)), "status": "overdue",
                         "detail": None}, columns=list(TOUCH_COLUMNS))


def all_due_in_sheet(path: Path, rows) -> None:
    """Every customer's next follow-up (下次跟进) typed as three days ago, as the team would: all are due."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book["客户跟踪表"]
    for row in rows:
        sheet[f"M{row}"] = dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time())
    book.save(path)


def profile(**changes) -> SenderProfile:
    base = dict(host="127.0.0.1", port=0, security="ssl", user=USER, from_address=USER, from_name="恒信销售部",
                company="恒信科技有限公司", rate_per_minute=0, daily_cap=10**9, window=SendWindow(),
                cc_owner=False, min_days=0, owners={"张磊": Owner("张磊", "", "13800000000")})
    return SenderProfile(**{**base, **changes})


def bench_render(folder: Path, customers: int) -> None:
    path, seconds = timed("sample", lambda: file_book.create(folder / "book.xlsx", make_sample(customers, "zh", 3, TODAY)))
    session = open_session(file_book.FileBook(path))
    records, table = session.customers.records, session.customers.table
    touches = all_due(session, TODAY).to_dict("records")
    contexts, t_context = timed("contexts", lambda: customer_contexts(records, table.cells, table.headers, "zh"))
    template = next(t for t in default_templates("zh") if t.name == "久未联系问候")
    renderer = Renderer([template], field_names(table.headers), set(DIGEST_FIELDS), "邮件模板")
    sender = profile()
    filled = [touch_context(contexts[t["row"]], t, sender, TODAY, "zh") for t in touches]
    rendered, t_render = timed("render", lambda: [renderer.render(template.name, c, "") for c in filled])
    now = dt.datetime.combine(TODAY, dt.time(10))
    with_address = [(r, t) for r, t in zip(rendered, touches) if pd.notna(records.at[t["row"], "email"])]
    _, t_build = timed("build", lambda: [
        build(r, Party("恒信销售部", USER), Party("x", records.at[t["row"], "email"]), [], str(t["row"]), folder,
              now).as_bytes() for r, t in with_address])
    plain_subject = "{greeting_name}，好久不见，最近可好？"
    plain_body = "{greeting_name}，您好！\n\n有一阵子没和您联系了……\n\n{signature}"
    _, t_base = timed("baseline", lambda: [(plain_subject.format(**c), plain_body.format(**c)) for c in filled])
    all_due_in_sheet(path, records.index)
    remind(file_book.FileBook(path), RemindRequest(today=TODAY))  # writes the settings sheet
    set_settings(path, {"daily_cap": 10**9})  # every message goes into the outbox
    dry, t_dry = timed("dry run", lambda: remind(file_book.FileBook(path), RemindRequest(today=TODAY)))
    n = len(filled)
    print(f"rendering {n} messages ({customers} customers, sample workbook):")
    print(f"  contexts from the sheet     {t_context:7.2f} s")
    print(f"  sandboxed Jinja2 render     {t_render:7.2f} s  {t_render / n * 1e6:7.0f} us/message  "
          f"{t_render / t_base:6.1f}x str.format ({t_base * 1e3:.0f} ms)")
    print(f"  MIME build + serialise      {t_build:7.2f} s  {t_build / len(with_address) * 1e6:7.0f} us/message")
    print(f"  whole dry run (read, plan, render, {dry.eml_count} .eml, preview sheet, save) {t_dry:7.2f} s")


def bench_send(folder: Path, count: int) -> None:
    server = MailServer(folder, "ssl").start()
    os.environ["SSL_CERT_FILE"] = str(server.cert)
    try:
        sender = profile(port=server.port)
        payloads = []
        for number in range(count):
            from xlcrm.mail.render import Rendered

            message = build(Rendered(f"王总，您好 {number}", "有一阵子没和您联系了。\n" * 20, None, ()),
                            Party("恒信销售部", USER), Party("王伟", f"c{number}@example.com"), [], f"k{number}",
                            folder, dt.datetime.now())
            payloads.append((message.envelope_to, message.as_bytes()))

        def baseline():
            with smtplib.SMTP_SSL("127.0.0.1", server.port, context=ssl.create_default_context()) as smtp:
                smtp.ehlo()
                auth_utf8(smtp, USER, PASSWORD)  # smtplib's login cannot send a non-ASCII password
                for recipients, payload in payloads:
                    smtp.sendmail(USER, list(recipients), payload)

        _, t_base = timed("baseline", baseline)
        journal = Journal(folder / "bench.xlcrm-mail.jsonl")
        items = [Outgoing(f"k{i}", USER, r, p, {"customer": f"c{i}"}) for i, (r, p) in enumerate(payloads)]
        mailer = SmtpMailer(password=lambda user: PASSWORD)

        def batch():
            with journal.writing():
                return Batch(mailer, sender, journal, SystemClock()).run(items)

        result, t_batch = timed("batch", batch)
        sent = sum(1 for o in result.outcomes.values() if o.state == "sent")
        assert sent == count, f"only {sent} of {count} sent"
        print(f"sending {count} messages to aiosmtpd on loopback (TLS + AUTH, one connection):")
        print(f"  xlcrm batch (journal fsync x2 per message) {t_batch:6.2f} s  {count / t_batch:7.0f} msg/s  "
              f"{t_batch / t_base:5.2f}x smtplib.sendmail ({t_base:.2f} s, {count / t_base:.0f} msg/s)")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--send", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlcrm-bench-") as folder:
        render_dir, send_dir = Path(folder, "render"), Path(folder, "send")
        render_dir.mkdir()
        send_dir.mkdir()
        bench_render(render_dir, args.customers)
        bench_send(send_dir, args.send)


if __name__ == "__main__":
    main()
