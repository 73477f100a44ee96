"""Writing a workbook package entry by entry: unchanged parts copied as stored, changed ones written anew.

An unchanged entry is copied with its compressed bytes as they are (no inflate, no deflate),
so what the team made leaves the file exactly as it came in and a big sheet nobody touches
costs only a copy. zipfile has no public call for that; this uses ZipInfo.FileHeader and the
writer's central-directory list, which zipfile itself uses the same way when it writes.
"""

from __future__ import annotations

import copy
import struct
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Iterator

_DATA_DESCRIPTOR = 0x08
_ENCRYPTED = 0x01
_ZIP64_EXTRA = 0x0001
_ZIP: Any = zipfile  # its local-header layout and _strip_extra are private, so typeshed leaves them out


class PackageWriter:
    def __init__(self, source: Path, target: Path):
        self.source = source.open("rb")
        self.out = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6)

    def copy(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """An entry of the source as it is stored."""
        if info.flag_bits & _ENCRYPTED:
            self.write(info.filename, archive.read(info.filename))
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

    def write(self, name: str, data: bytes) -> None:
        self.out.writestr(_info(name), data)

    @contextmanager
    def stream(self, name: str) -> Iterator[IO[bytes]]:
        """A writable entry, for parts written piece by piece."""
        with self.out.open(_info(name), "w", force_zip64=True) as handle:
            yield handle

    def close(self) -> None:
        try:
            self.out.close()
        finally:
            self.source.close()


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

