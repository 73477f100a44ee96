"""The workbook file on disk, as xlcrm finds it before reading and before replacing it: the lock files of the
programs that have it open, whether it changed since it was read, whether it may be written, and the names of
its backup and of the copy written when the safety net refuses to replace it."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from filelock import FileLock


def lock_file(path: Path) -> tuple[Path, str] | None:
    """The lock file Excel or LibreOffice keeps beside a workbook they have open."""
    candidates = [(path.with_name("~$" + path.name), "Excel"), (path.with_name("~$" + path.name[2:]), "Excel"),
                  (path.with_name(f".~lock.{path.name}#"), "LibreOffice")]
    return next(((lock, app) for lock, app in candidates if lock.exists()), None)


def fingerprint(path: Path) -> tuple[int, int, int]:
    """Enough to tell that the file on disk is no longer the one xlcrm read (replaced or rewritten)."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def read_only(path: Path) -> bool:
    return not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK)


def as_given(path: str | os.PathLike) -> Path:
    """The path, with ~ meaning the home folder only where it does (~$book.xlsx is a file name, not a user)."""
    given = Path(path)
    if given.exists() or not str(path).startswith(("~/", "~\\")) and str(path) != "~":
        return given
    return given.expanduser()


def replacing(path: Path) -> FileLock:
    """A lock per workbook, kept in the temporary folder so that nothing new appears beside the team's file."""
    name = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:16]
    return FileLock(str(Path(tempfile.gettempdir()) / f"xlcrm-{name}.lock"), timeout=120)


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.backup{path.suffix}")


def elsewhere_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.xlcrm{path.suffix}")
