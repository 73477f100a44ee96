"""Files written whole: a temporary file beside the target, forced to disk, then renamed over it.

Whoever opens the target (Excel, a mail program, a browser, a sync client) finds the old file
or the new one, never half of one. The temporary file sits in the target's own folder, so the
rename stays on one file system and is atomic; an error, a full disk or Ctrl-C while writing
leaves the target as it was and no temporary file behind. Imports nothing from xlcrm: book,
mail, reports and actions all write through here.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PREFIX = ".~xlcrm-"  # hidden, and one name to look for when a power cut left one behind
STALE_AFTER = 10 * 60  # seconds: a save in progress (or waiting for another run's) is never this long untouched


def temporary_beside(target: Path) -> Path:
    """A new name in target's folder, with target's suffix (some writers go by it)."""
    return target.with_name(f"{PREFIX}{uuid.uuid4().hex[:8]}{target.suffix}")


@contextmanager
def beside(target: Path) -> Iterator[Path]:
    """A temporary path next to target for a writer that wants a path; gone on the way out unless replace() moved it."""
    temporary = temporary_beside(target)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def remove_stale(folder: Path) -> list[Path]:
    """Temporary files a killed save left in folder (power cut, kill -9): those untouched for longer than any
    save takes; a fresh one may belong to a save going on now."""
    removed = []
    for leftover in folder.glob(PREFIX + "*"):
        try:
            if leftover.is_file() and time.time() - leftover.stat().st_mtime > STALE_AFTER:
                leftover.unlink()
                removed.append(leftover)
        except OSError:  # gone meanwhile, or not ours to remove: it stays
            continue
    return removed


def replace(temporary: Path, target: Path, mode_of: Path | None = None, durable: bool = True) -> None:
    """The finished temporary file becomes target in one rename, once its bytes are on disk.

    mode_of: a file whose permission bits target gets (a workbook replaced keeps who may read and write it).
    durable=False: not waited onto the disk (a preview made again on the next run); still whole or absent.
    """
    if durable:
        _sync_file(temporary)
    if mode_of is not None:
        shutil.copymode(mode_of, temporary)
    _rename(temporary, target, durable)


@contextmanager
def writing(target: Path, mode_of: Path | None = None, durable: bool = True) -> Iterator[Path]:
    """Write the yielded temporary path; when the block ends without an error it replaces target."""
    with beside(target) as temporary:
        yield temporary
        replace(temporary, target, mode_of, durable)


def write_bytes(target: Path, data: bytes, durable: bool = True) -> Path:
    with writing(target, durable=durable) as temporary:
        temporary.write_bytes(data)
    return target


def write_text(target: Path, text: str, encoding: str = "utf-8") -> Path:
    with writing(target) as temporary:
        temporary.write_text(text, encoding=encoding)
    return target


def copy(source: Path, target: Path) -> Path:
    """target becomes a full copy of source (its times and permission bits too), or stays as it was."""
    with beside(target) as temporary:
        shutil.copyfile(source, temporary)
        _sync_file(temporary)
        shutil.copystat(source, temporary)  # after the sync: the copy may be read-only from here on
        _rename(temporary, target)
    return target


def _rename(temporary: Path, target: Path, durable: bool = True) -> None:
    os.replace(temporary, target)
    if durable:
        sync_folder(target.parent)


def _sync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDWR)  # Windows flushes only a handle open for writing
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_folder(folder: Path) -> None:
    """Make a new or renamed file's name durable too (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
