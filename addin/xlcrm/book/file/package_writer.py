"""Writing a workbook package entry by entry: unchanged parts copied as stored, changed ones written anew.

An unchanged entry is copied with its compressed bytes as they are (no inflate, no deflate),
so what the team made leaves the file exactly as it came in and a big sheet nobody touches
costs only a copy. zipfile has no public call for that; this uses ZipInfo.FileHeader and the
writer's central-directory list, which zipfile itself uses the same way when it writes.

The zip file is written by a second thread, in the order the calls come: zipfile's checksum and deflate let
go of the GIL, so a large sheet is compressed while the caller makes its next megabyte of XML. A failure
there (a full disk) is raised by the next call, or by close(). While it writes, the interpreter hands the GIL
over every half millisecond instead of every five: the writer needs it back after each megabyte's deflate, and
the caller, making XML in pure Python, would otherwise keep it for the whole interval (a 25 MB sheet waited on
deflate a tenth of a second longer).
"""

from __future__ import annotations

import copy
import queue
import struct
import sys
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Iterator

_DATA_DESCRIPTOR = 0x08
_ENCRYPTED = 0x01
_ZIP64_EXTRA = 0x0001
_ZIP: Any = zipfile  # its local-header layout and _strip_extra are private, so typeshed leaves them out
_HANDOFF = 0.0005  # seconds: the GIL's switch interval while the writer runs


class PackageWriter:
    def __init__(self, source: Path, target: Path):
        self.source = source.open("rb")
        self.out = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        self._jobs: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=16)  # ~16 MB of XML waiting
        self._failed: BaseException | None = None
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, _HANDOFF))
        self._worker = threading.Thread(target=self._work, name="xlcrm-zip-writer")
        self._worker.start()

    def copy(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """An entry of the source as it is stored."""
        self._later(lambda: self._copy(archive, info))

    def write(self, name: str, data: bytes) -> None:
        self._later(lambda: self.out.writestr(_info(name), data))

    @contextmanager
    def stream(self, name: str) -> Iterator[IO[bytes]]:
        """A writable entry, for parts written piece by piece."""
        entry: list[IO[bytes]] = []
        self._later(lambda: entry.append(self.out.open(_info(name), "w", force_zip64=True)))
        try:
            yield _Piecewise(self, entry)  # type: ignore[misc]  # it has the write() callers use
        finally:
            self._later(lambda: entry and entry.pop().close(), even_after_failure=True)

    def close(self) -> None:
        self._jobs.put(None)
        self._worker.join()
        sys.setswitchinterval(self._switch_interval)
        try:
            if self._failed is None:
                self.out.close()
        finally:
            self.source.close()
            if self._failed is not None:
                half_written, self.out.fp = self.out.fp, None  # thrown away by the caller: not finished as a zip
                if half_written is not None:
                    half_written.close()
                raise self._failed

    def _later(self, job: Callable[[], object], even_after_failure: bool = False) -> None:
        if self._failed is not None and not even_after_failure:
            raise self._failed
        self._jobs.put(job)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._failed is None:
                try:
                    job()
                except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                    self._failed = error

    def _copy(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        if info.flag_bits & _ENCRYPTED:
            self.out.writestr(_info(info.filename), archive.read(info.filename))
            return
        self.source.seek(info.header_offset)
        header = self.source.read(_ZIP.sizeFileHeader)
        fields = struct.unpack(_ZIP.structFileHeader, header)
        skip = fields[_ZIP._FH_FILENAME_LENGTH] + fields[_ZIP._FH_EXTRA_FIELD_LENGTH]
        self.source.seek(info.header_offset + _ZIP.sizeFileHeader + skip)
        entry = copy.copy(info)
        entry.flag_bits &= ~_DATA_DESCRIPTOR  # sizes and CRC go into the local header instead
        entry.extra = _ZIP._strip_extra(info.extra, (_ZIP64_EXTRA,))
        fp = self.out.fp
        assert fp is not None, "the archive is open for writing"
        entry.header_offset = fp.tell()
        fp.write(entry.FileHeader())
        _copy_exactly(self.source, fp, info.compress_size)
        self.out.filelist.append(entry)
        self.out.NameToInfo[entry.filename] = entry
        self.out.start_dir = fp.tell()


class _Piecewise:
    """The caller's side of a streamed entry: each piece is written, in order, by the writer's thread."""

    def __init__(self, writer: PackageWriter, entry: list[IO[bytes]]):
        self.writer, self.entry = writer, entry

    def write(self, data: bytes) -> int:
        self.writer._later(lambda: self.entry[0].write(data))
        return len(data)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _copy_exactly(source: BinaryIO, target: IO[bytes], size: int) -> None:
    remaining = size
    while remaining:
        chunk = source.read(min(remaining, 1 << 20))
        if not chunk:
            raise zipfile.BadZipFile("the workbook's ZIP entry ends early")
        target.write(chunk)
        remaining -= len(chunk)

