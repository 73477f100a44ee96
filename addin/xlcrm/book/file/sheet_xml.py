"""A worksheet's XML read as a stream: its head, its rows one at a time, its tail.

A customer sheet of 100k rows is tens of megabytes of XML; parsed whole it would take
gigabytes. Only the rows xlcrm writes into are looked at, as bytes, and written back;
every other row passes through untouched. The head (up to <sheetData>) and the tail (after
</sheetData>) are small: they are parsed with lxml around a marker that stands for the
rows, edited, and written back with the team's prefixes and declarations.
"""

from __future__ import annotations

import re
from typing import IO, Callable, Iterator

from lxml import etree

from xlcrm.book.file.package import parse

CHUNK = 1 << 20
MARK = b"xlcrm-rows-7e5a0c"
_SHEET_DATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData(?=[\s/>])")
_ROOT = re.compile(rb"<(?![?!])([\w.:-]+)")
# Markup that may hide '<' or '>' characters: comments, CDATA sections, processing instructions.
_OPAQUE = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.S)
_TAG = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(/?)[\w.:-]+(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>",
                  re.S)


class SheetXmlError(ValueError):
    pass


class SheetStream:
    """Reads a worksheet part: .head, then .rows() (raw row elements and what lies between them), then .tail()."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self._buffer = b""
        self._pos = 0
        self._eof = False
        self.prefix = b""
        self.head = self._read_head()
        found = _ROOT.search(self.head)
        if found is None:
            raise SheetXmlError("the sheet has no root element")
        self.root_name = found.group(1)
        self.root_start = self.head[found.start():_tag_end(self.head, found.start()) + 1]
        self.prolog = self.head[:found.start()]

    def _more(self) -> bool:
        if self._eof:
            return False
        chunk = self._stream.read(CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos:] + chunk
        self._pos = 0
        return True

    def _read_head(self) -> bytes:
        while True:
            found = _SHEET_DATA.search(self._buffer)
            end = _tag_end(self._buffer, found.start()) if found else -1
            if end >= 0:
                break
            if not self._more():
                raise SheetXmlError("the sheet has no <sheetData>")
        assert found is not None  # the loop ends only on a found <sheetData>
        self.prefix = found.group(1)
        self._pos = end + 1
        if self._buffer[end - 1:end] == b"/":  # <sheetData/>: no rows; the tail still starts with its end tag
            self._buffer = self._buffer[:end - 1] + b"></" + self.prefix + b"sheetData>" + self._buffer[end + 1:]
            self._pos = end
            return self._buffer[:end]
        return self._buffer[:self._pos]

    def rows(self) -> Iterator[tuple[bool, bytes]]:
        """(is_row, bytes): each <row> element whole, and anything between rows as it is."""
        row_start, row_end = b"<" + self.prefix + b"row", b"</" + self.prefix + b"row>"
        data_end = b"</" + self.prefix + b"sheetData"
        while True:
            at = self._buffer.find(b"<", self._pos)
            if at < 0 or at + len(data_end) >= len(self._buffer):
                if self._more():
                    continue
                raise SheetXmlError("the sheet's <sheetData> is not closed")
            if self._buffer.startswith(data_end, at):
                if at > self._pos:
                    yield False, self._buffer[self._pos:at]
                self._pos = at
                return
            if self._buffer.startswith(row_start, at) and self._buffer[at + len(row_start)] in b" \t\r\n/>":
                end = self._element_end(at, row_end)
            else:  # a comment or processing instruction between rows
                found = _TAG.match(self._buffer, at)
                if found and found.group(1) is not None:
                    raise SheetXmlError("unexpected markup in <sheetData>")
                end = found.end() if found else -1
            if end < 0:
                if self._more():
                    continue
                raise SheetXmlError("a row of the sheet is not closed")
            if at > self._pos:
                yield False, self._buffer[self._pos:at]
            yield _is_row(self._buffer, at, row_start), self._buffer[at:end]
            self._pos = end

    def _element_end(self, at: int, end_tag: bytes) -> int:
        """Where the element starting at `at` ends, or -1 when more data is needed."""
        close = _tag_end(self._buffer, at)
        if close < 0:
            return -1
        if self._buffer[close - 1:close] == b"/":
            return close + 1
        end = self._buffer.find(end_tag, close)
        if end < 0:
            return -1
        if self._buffer.find(b"<!", close, end) >= 0 or self._buffer.find(b"<?", close, end) >= 0:  # no copies
            return _careful_end(self._buffer, at, len(self._buffer) if self._eof else -1)
        return end + len(end_tag)

    def skip_rows(self) -> None:
        """Move past the rows without looking at them (for reading only the head and tail)."""
        data_end = b"</" + self.prefix + b"sheetData"
        while True:
            at = self._buffer.find(data_end, self._pos)
            if at >= 0:
                self._pos = at
                return
            self._pos = max(self._pos, len(self._buffer) - len(data_end))
            if not self._more():
                raise SheetXmlError("the sheet's <sheetData> is not closed")

    def tail(self) -> bytes:
        """Everything from </sheetData> to the end (call after the rows were read or skipped)."""
        parts = [self._buffer[self._pos:]]
        while chunk := self._stream.read(CHUNK):
            parts.append(chunk)
        self._buffer, self._pos = b"", 0
        return b"".join(parts)

    # -- the head and tail as XML ---------------------------------------------------------

    def _close(self) -> bytes:
        return b"</" + self.prefix + b"sheetData></" + self.root_name + b">"

    def head_tree(self) -> etree._Element:
        return parse(self.head + MARK + self._close())

    def tail_tree(self, tail: bytes) -> etree._Element:
        return parse(self.root_start + b"<" + self.prefix + b"sheetData>" + MARK + tail)

    def edited_head(self, edit: Callable[[etree._Element], None]) -> bytes:
        root = self.head_tree()
        edit(root)
        return self.prolog + _serialized(root).split(MARK, 1)[0]

    def edited_tail(self, tail: bytes, edit: Callable[[etree._Element], None]) -> bytes:
        root = self.tail_tree(tail)
        edit(root)
        return _serialized(root).split(MARK, 1)[1]


def outline(stream: IO[bytes]) -> bytes:
    """The worksheet's XML without its rows: everything Excel keeps around the cells."""
    sheet = SheetStream(stream)
    sheet.skip_rows()
    return sheet.head + MARK + sheet.tail()


def cell_pattern(prefix: bytes) -> re.Pattern:
    """A regular expression matching one whole <c> element of a row (prefix: the sheet's, e.g. b'x:')."""
    if prefix not in _CELL_PATTERNS:
        name = re.escape(prefix) + b"c"
        _CELL_PATTERNS[prefix] = re.compile(b"<" + name + rb"(?=[\s/>])(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?:/>|>.*?</"
                                            + name + b">)", re.S)
    return _CELL_PATTERNS[prefix]


_CELL_PATTERNS: dict[bytes, re.Pattern] = {}


def mask(xml: bytes) -> bytes:
    """xml with comments, CDATA and processing instructions blanked out (same length): safe to search for tags."""
    return _OPAQUE.sub(lambda found: b" " * len(found.group(0)), xml)


def _serialized(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _is_row(buffer: bytes, at: int, row_start: bytes) -> bool:
    return buffer.startswith(row_start, at) and buffer[at + len(row_start)] in b" \t\r\n/>"


def _tag_end(buffer: bytes, at: int) -> int:
    """Index of the '>' that ends the tag starting at `at` (quoted '>' skipped), or -1."""
    found = _TAG.match(buffer, at)
    return found.end() - 1 if found else -1


def _careful_end(buffer: bytes, at: int, complete: int) -> int:
    """End of the element at `at`, walking every tag (comments and CDATA may hide end tags)."""
    depth, pos = 0, at
    while True:
        found = _TAG.search(buffer, pos)
        if not found:
            if complete >= 0:
                raise SheetXmlError("a row of the sheet is not closed")
            return -1
        pos = found.end()
        if found.group(1) is None:
            continue
        if found.group(1) == b"/":
            depth -= 1
        elif found.group(2) != b"/":
            depth += 1
        if depth == 0:
            return pos


class Buffered:
    """Writes in chunks of a megabyte: one compress call per chunk, not per row."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.pieces: list[bytes] = []
        self.size = 0

    def write(self, piece: bytes) -> None:
        self.pieces.append(piece)
        self.size += len(piece)
        if self.size >= 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.out.write(b"".join(self.pieces))
        self.pieces, self.size = [], 0
