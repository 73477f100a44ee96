"""The outbox: one .eml file per message beside the workbook, openable in any mail program.

A dry run replaces the previous preview's files; a send keeps a copy of each message that went
out under sent/DATE/ (SMTP does not put messages in the mailbox's Sent folder), a test under test/DATE/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from xlcrm import files

SUFFIX = ".outbox"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def outbox_folder(folder: Path, book_name: str) -> Path:
    return folder / (Path(book_name).stem + SUFFIX)


def file_name(number: int, customer: str, template: str) -> str:
    name = _UNSAFE.sub("_", f"{number:04d} {customer} - {template}").strip(" .")
    return name[:120] + ".eml"


def clear_preview(outbox: Path) -> None:
    """Remove the previous preview's .eml files (only those, only at the top of the outbox)."""
    if outbox.is_dir():
        for old in outbox.glob("*.eml"):
            old.unlink()


def write(folder: Path, name: str, payload: bytes, durable: bool = True) -> Path:
    """A mail program opening the outbox meanwhile finds a whole message or none.
    durable=False for previews: made again by the next run, so not waited onto the disk one by one."""
    folder.mkdir(parents=True, exist_ok=True)
    return files.write_bytes(folder / name, payload, durable)


def sent_folder(outbox: Path, day: dt.date, test: bool = False) -> Path:
    return outbox / ("test" if test else "sent") / f"{day:%Y-%m-%d}"
