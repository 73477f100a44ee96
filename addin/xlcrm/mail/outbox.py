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


NAME_BYTES = 180  # a file name is at most 255 bytes (UTF-8 on Linux and macOS; a Chinese character takes 3)


def file_name(number: int, customer: str, template: str) -> str:
    """NNNN customer - template.eml, a long customer cut so that the name fits any file system."""
    rest = f" - {template}"
    room = max(NAME_BYTES - len(f"{number:04d} {rest}".encode()), NAME_BYTES // 3)
    name = _UNSAFE.sub("_", f"{number:04d} {_cut(customer, room)}{rest}").strip(" .")
    return _cut(name, NAME_BYTES).strip(" .") + ".eml"


def _cut(text: str, limit: int) -> str:
    """The text's first `limit` bytes of UTF-8, never half a character."""
    return text.encode()[:limit].decode(errors="ignore")


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
