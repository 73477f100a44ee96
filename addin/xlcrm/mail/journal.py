"""The send journal: a file beside the workbook that survives Excel or xlcrm dying between two messages.

One JSON object per line, appended and flushed to disk (fsync) before the next step:
a message is written as `sending` before the SMTP transaction starts and as `sent`, `failed` or
`unsent` once its outcome is known. A key whose last line is still `sending` was in flight when
the process stopped: it may or may not have gone out, and is never sent again without a human
deciding (see `settle`). A line cut short by a crash is ignored; the line before it stands.
A line's outcome (why, the server's code, how often it was put off) describes that line alone: a later line
for the key without one (sent after being put off) leaves none, while what the message is (customer, to,
subject...) carries over from its `sending` line. A reason is kept in both languages (`reason`, `reason_zh`),
so the send log and the next run's skip lines speak the workbook's; an older line has English only.
Only one xlcrm sends from a workbook at a time (an OS file lock, released if the process dies).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import pandas as pd
from filelock import FileLock, Timeout

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.send_plan import HISTORY_COLUMNS, empty_history
from xlcrm.files import sync_folder

SUFFIX = ".xlcrm-mail.jsonl"
BUSY = Msg("Another xlcrm is sending from this workbook right now ({lock}); wait for it to finish.",
           "另一个 xlcrm 正在用这个工作簿发送邮件({lock});请等它结束后再运行。")
CANNOT_WRITE = Msg("Cannot write the send journal {path}: {why}. Nothing was sent.",
                   "无法写入发送日志 {path}:{why}。未发送任何邮件。")


# What one line says about its outcome: never carried over to a later line of the same key.
OUTCOME_FIELDS = ("reason", "reason_zh", "code", "deferrals", "recipient_refused", "throttled", "uncertain", "too_big",
                  "hung_up")
REASON = Msg("{en}", "{zh}")


BACKUP_MARK = ".backup"  # book/file keeps the previous version of NAME.xlsx as NAME.backup.xlsx


def journal_path(folder: Path, book_name: str) -> Path:
    """NAME.xlsx's journal; its backup NAME.backup.xlsx shares it: the same workbook one save earlier, whose
    messages are NAME's (a journal of its own would send them all again)."""
    stem = Path(book_name).stem
    while stem.lower().endswith(BACKUP_MARK) and len(stem) > len(BACKUP_MARK):
        stem = stem[:-len(BACKUP_MARK)]
    return folder / (stem + SUFFIX)


def journals_beside(path: Path) -> list["Journal"]:
    """The other workbooks' journals in the same folder: a copy of a workbook builds the same keys and Message-IDs,
    so what one of them sent or has in flight must not go out again from another."""
    try:
        found = sorted(p for p in path.parent.glob("*" + SUFFIX) if p.is_file())
    except OSError:
        return []
    own = os.path.normcase(str(path.resolve()))
    return [Journal(p) for p in found if os.path.normcase(str(p.resolve())) != own]


def deferral_key(address: str, test: bool = False) -> str:
    """Whom a put-off counts against: the address (a test send's apart from the customer's)."""
    return ("test|" if test else "") + address.strip().lower()


class Journal:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._handle: BinaryIO | None = None
        self.damaged_lines = 0

    def read(self) -> list[dict[str, Any]]:
        """Every complete line; a torn or unreadable one is counted and skipped."""
        if not self.path.exists():
            return []
        entries = []
        self.damaged_lines = 0
        with self.path.open("r", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    self.damaged_lines += 1  # cut short by a crash while writing
                    continue
                try:
                    entries.append(json.loads(line))
                except json.JSONDecodeError:
                    self.damaged_lines += 1
        return entries

    def latest(self) -> dict[str, dict[str, Any]]:
        """The last line per key: what is known about each message (its description from earlier lines)."""
        state: dict[str, dict[str, Any]] = {}
        for entry in self.read():
            earlier = {k: v for k, v in state.get(entry["key"], {}).items() if k not in OUTCOME_FIELDS}
            state[entry["key"]] = {**earlier, **entry}
        return state

    def claimed(self) -> dict[str, str]:
        """Real messages (not tests) this journal sent or has in flight, by key and by Message-ID -> state."""
        found: dict[str, str] = {}
        for key, entry in self.latest().items():
            if entry.get("test") or key.startswith("test|") or entry.get("state") not in ("sent", "sending"):
                continue
            found[key] = entry["state"]
            if entry.get("message_id"):
                found[str(entry["message_id"])] = entry["state"]
        return found

    def deferred_days(self) -> dict[str, set[str]]:
        """Per recipient (deferral_key), the days (YYYY-MM-DD, local) the server put a message to them off since a
        message to them last went out or failed, whichever template (a follow-up turning overdue changes the
        template, not the full mailbox); a day on which it was only held back with the whole session (throttled)
        does not count."""
        return self._deferrals()[0]

    def hung_up_on(self) -> set[str]:
        """The recipients (deferral_key) last put off because the server hung up when asked to take their mail."""
        return self._deferrals()[1]

    def _deferrals(self) -> tuple[dict[str, set[str]], set[str]]:
        days: dict[str, set[str]] = {}
        hung_up: set[str] = set()
        addressed: dict[str, str] = {}  # key -> its recipient, from the line that names them (`sending`)
        for entry in self.read():
            key, state, day = entry["key"], entry.get("state"), str(entry.get("at") or "")[:10]
            if entry.get("to"):
                addressed[key] = deferral_key(str(entry["to"]).split(",")[0], bool(entry.get("test")))
            recipient = addressed.get(key, key)
            if state == "deferred":
                days.setdefault(recipient, set()).add(day)
                (hung_up.add if entry.get("hung_up") else hung_up.discard)(recipient)
            elif state in ("sent", "failed"):
                days.pop(recipient, None)
                hung_up.discard(recipient)
            elif state == "unsent" and entry.get("throttled"):
                days.get(recipient, set()).discard(day)
        return {recipient: found for recipient, found in days.items() if found}, hung_up

    def history(self) -> pd.DataFrame:
        latest = self.latest()
        if not latest:
            return empty_history()
        frame = pd.DataFrame([{"msg_key": k, **v, "reason": _reason(v)} for k, v in latest.items()])
        at = pd.to_datetime(frame["at"], errors="coerce", utc=True, format="ISO8601")
        frame["at"] = at.dt.tz_convert(dt.datetime.now().astimezone().tzinfo).dt.tz_localize(None)  # local time
        frame["test"] = frame.get("test", False)
        return frame.reindex(columns=list(HISTORY_COLUMNS) + [c for c in frame.columns if c not in HISTORY_COLUMNS])

    @contextmanager
    def writing(self) -> Iterator["Journal"]:
        """Hold the lock and an open file for a batch."""
        lock = FileLock(str(self.path) + ".lock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise XlcrmError(BUSY(lock=lock.lock_file)) from None
        try:
            self._open()
            yield self
        finally:
            if self._handle:
                self._handle.close()
                self._handle = None
            lock.release()

    def _open(self) -> None:
        new = not self.path.exists()
        try:
            handle = self._handle = self.path.open("a+b")
            handle.seek(0, os.SEEK_END)
            if handle.tell():
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    handle.write(b"\n")  # end a line a crash cut short, so it stays skipped
            if new:
                sync_folder(self.path.parent)
        except OSError as error:
            raise XlcrmError(CANNOT_WRITE(path=str(self.path), why=error.strerror or str(error))) from error

    def record(self, key: str, state: str, at: dt.datetime | None = None, **fields: Any) -> None:
        """Append one line and force it to disk before returning. A reason given as a Msg is kept in both
        languages."""
        moment = (at or dt.datetime.now()).astimezone().isoformat(timespec="seconds")
        reason = fields.get("reason")
        if isinstance(reason, Msg):
            fields = {**fields, "reason": reason.text("en"), "reason_zh": reason.text("zh")}
        entry = {"at": moment, "key": key, "state": state,
                 **{k: v for k, v in fields.items() if v is not None}}
        line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        handle = self._handle
        assert handle is not None, "record() runs inside open()"
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def _reason(entry: dict[str, Any]) -> Msg | None:
    """A line's reason in the reader's language: both kept since reason_zh; an older line's English for both."""
    english = entry.get("reason")
    if not isinstance(english, str) or not english:
        return None
    chinese = entry.get("reason_zh")
    return REASON(en=english, zh=chinese if isinstance(chinese, str) and chinese else english)
