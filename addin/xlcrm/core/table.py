"""Finding the team's table in a sheet: the header row need not be row 1.

A grid is what a back-end read: a list of rows, each a list of cell values, starting
at cell A1. Row numbers here are Excel's (1-based) so messages can name them. A back-end's
grid (book.Grid) also says its workbook's date system and where formulas were never
calculated; the table keeps both (a plain list of rows means neither).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from xlcrm.core.fields import FIELDS, Field, fields_of, norm_header
from xlcrm.core.parse import clean_text
from xlcrm.core.sheets import CLASH_SUFFIX, owned_headers

HEADER_SCAN_ROWS = 30
# A table read from several sheets (one per owner) numbers row r of its k-th sheet k * ROW_SPAN + r: more rows
# than Excel has, so the first sheet keeps its own row numbers and every row says its sheet
ROW_SPAN = 1 << 21


@dataclass
class Table:
    sheet: str
    header_row: int  # Excel row number of the header
    headers: list[str]  # one per column, '' where a column has no header
    cells: pd.DataFrame  # raw values of the data rows: index = Excel row, columns = 0-based column index
    sheets: tuple[str, ...] = ()  # the sheets of a table read from several (see ROW_SPAN); () for one sheet
    date1904: bool = False  # the workbook counts its days from 1904: a bare number in a date column counts from there
    # of a 0-based column, Excel row -> formula of the cells holding a formula never calculated (they read as empty):
    # the back-end reads the sheet again to say, so it is asked only about needed cells found empty
    uncalculated: Callable[[int], dict[int, str | None]] | None = None

    @property
    def last_row(self) -> int:
        return int(self.cells.index.max()) if len(self.cells) else self.header_row

    def locate(self, row: int) -> tuple[str, int]:
        """(sheet, Excel row) of one of the table's rows."""
        if not self.sheets:
            return self.sheet, int(row)
        part, excel_row = divmod(int(row), ROW_SPAN)
        return self.sheets[part], excel_row

    def header_of(self, column: int) -> str:
        return self.headers[column] if column < len(self.headers) else ""

    def uncalculated_among(self, column: int, rows: list[int]) -> dict[int, str | None]:
        """Of the rows (empty in the column, and needed), those whose cell there holds a formula never calculated:
        row -> its formula (None if not known). The sheet is read again only when there are such rows to ask about."""
        if not rows or self.uncalculated is None or self.sheets:
            return {}
        found = self.uncalculated(column)
        return {row: found[row] for row in rows if row in found}


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@functools.lru_cache(maxsize=None)
def synonym_index(fields: tuple[Field, ...]) -> dict[str, str]:
    """Normalised synonym -> field id (one shared dict per set of fields: do not change it)."""
    return {norm_header(s): f.id for f in fields for s in f.synonyms}


UNIT = re.compile(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*$")  # a unit or remark in brackets after a header
NAMES = {"customer", "contact", "owner", "order_customer"}
# A header naming a code of a customer, not the customer: Customer ID, Account No., Client code, 客户编号
_CODE = re.compile(r"(id|no|nr|number|num|code|ref|key|编号|代码|代号|编码|号码|序号)$")
# How surely a header names a field: its whole text, its head words, or only a word of it (then the values decide)
EXACT, GOOD, WEAK = 3, 2, 1
# Words that name a facet of anything: 'Project Name', 'Ship Date', 'Mail Status' say whose by their other words
GENERIC = {"name", "date", "number", "no", "id", "total", "value", "amount", "title", "type", "status", "code", "item",
           "account", "company", "client", "member", "created", "orders", "note", "notes", "role", "position", "rep",
           "cell", "mail", "tel", "mobile", "invoice", "sales", "contact", "customer", "orders", "comments", "class"}
# A date planned or hoped for is never one that happened: Expected close date is no deal won
PLANNED = {"expected", "planned", "plan", "target", "forecast", "forecasted", "estimated", "projected", "est",
           "anticipated", "scheduled", "proposed", "due"}
PLANNED_ZH = ("预计", "计划", "预期", "目标", "预测", "预估", "拟")
EVENTS = {"deal_won", "delivery", "first_contact", "last_contact", "last_order", "order_date", "stage_since"}
_WORD = re.compile(r"[a-z0-9]+|[^\x00-\x7f]+")


def header_words(header: str) -> list[str]:
    """The words of a header, full-width folded and lower case; a run of CJK is one word."""
    folded = unicodedata.normalize("NFKC", str(header or "")).lower()
    return _WORD.findall(re.sub(r"[\s\-_.:：*()（）\[\]【】/\\#'\"]+", " ", folded))


def _span(words: list[str], key: str) -> tuple[int, int] | None:
    """Where a synonym's letters make whole words of the header: 'e mail' and 'email' both hold 'email'."""
    for i in range(len(words)):
        joined = ""
        for j in range(i, len(words)):
            joined += words[j]
            if joined == key:
                return i, j
            if not key.startswith(joined):
                break
    return None


def _strength(words: list[str], key: str) -> int:
    if key.isascii():
        span = _span(words, key)
        if span is None:
            return 0
        tail = [w for w in words[span[1] + 1:] if not w.isdigit()]  # Phone 2 is a phone
        if span[0] == 0 and not tail:
            return EXACT
        return WEAK if tail or key in GENERIC else GOOD  # Primary Email / Project Name, Customer Type
    return GOOD if len(key) >= 3 and key in "".join(words) else 0  # CJK has no spaces: a name inside


def match(header: str, synonyms: dict[str, str]) -> tuple[str | None, int]:
    key = (header, id(synonyms))
    if key not in _MATCHED:
        if len(_MATCHED) > 100_000:  # a sheet of a million distinct first rows must not grow it forever
            _MATCHED.clear()
        _MATCHED[key] = _match(header, synonyms)
    return _MATCHED[key]


_MATCHED: dict[tuple[str, int], tuple[str | None, int]] = {}  # synonym dicts are the cached, lasting ones


def _match(header: str, synonyms: dict[str, str]) -> tuple[str | None, int]:
    """(the field a header names, how surely: EXACT, GOOD or WEAK); (None, 0) when it names none.

    Synonyms match whole words only ('tel' is not in 'Win Rate (Lead)'); a planned date is never an event;
    a code column ('Customer ID') does not name the customer."""
    key = norm_header(header)
    if not key:
        return None, 0
    words = header_words(header)
    planned = bool(PLANNED & set(words)) or any(p in key for p in PLANNED_ZH)
    best: tuple[str | None, int, int] = (None, 0, 0)
    for synonym in _candidates(words, key, synonyms):
        named = synonyms[synonym]
        if planned and named in EVENTS:
            continue
        strength = EXACT if synonym == key else _strength(words, synonym)
        if strength and (strength, len(synonym)) > best[1:]:
            best = (named, strength, len(synonym))
    field, strength = best[0], best[1]
    if strength < EXACT and UNIT.search(header):  # 金额(元), Amount (USD): the name before the unit
        inner = _match(UNIT.sub("", header), synonyms)
        if inner[1] >= strength:
            return inner
    base = norm_header(UNIT.sub("", header)) or key  # Customer ID (internal) is still a code
    if field in NAMES and strength < EXACT and _CODE.search(base):
        return None, 0
    return field, strength


class _Lookup:
    """Where to look for the synonyms a header may hold, instead of trying each of hundreds on every cell of
    the rows scanned for a header: an ASCII synonym starts with one of the header's words, a CJK one (3+
    letters) holds two letters found side by side in it."""

    def __init__(self, synonyms: dict[str, str]):
        self.synonyms = synonyms  # held, so that its id is not reused while this lookup lives
        self.order = {s: i for i, s in enumerate(synonyms)}  # ties go to the first synonym, as before
        self.by_prefix: dict[str, list[str]] = {}
        self.by_pair: dict[str, list[str]] = {}
        for synonym in synonyms:
            if synonym.isascii():
                for end in range(1, len(synonym) + 1):
                    self.by_prefix.setdefault(synonym[:end], []).append(synonym)
            elif len(synonym) >= 3:
                self.by_pair.setdefault(synonym[:2], []).append(synonym)

    def candidates(self, words: list[str], key: str) -> list[str]:
        found = {s for w in words for s in self.by_prefix.get(w, ())}
        joined = "".join(words)
        found.update(s for i in range(len(joined) - 1) for s in self.by_pair.get(joined[i:i + 2], ()))
        if key in self.synonyms:
            found.add(key)
        return sorted(found, key=self.order.__getitem__)


_LOOKUPS: dict[int, _Lookup] = {}


def _candidates(words: list[str], key: str, synonyms: dict[str, str]) -> list[str]:
    lookup = _LOOKUPS.get(id(synonyms))
    if lookup is None or lookup.synonyms is not synonyms:
        lookup = _LOOKUPS[id(synonyms)] = _Lookup(synonyms)
    return lookup.candidates(words, key)


def match_field(header: str, synonyms: dict[str, str]) -> str | None:
    """The field a header surely names (a weak match needs the column's values, see mapping.detect)."""
    field, strength = match(header, synonyms)
    return field if strength >= GOOD else None


def header_score(row: list, synonyms: dict[str, str]) -> int:
    return len({match_field(clean_text(v), synonyms) for v in row} - {None})


def find_header_row(grid: list[list], table: str) -> tuple[int, int]:
    """(Excel row number of the best header candidate, how many fields it names)."""
    synonyms = synonym_index(fields_of(table))
    best = (0, 0)
    for number, row in enumerate(grid[:HEADER_SCAN_ROWS], start=1):
        score = header_score(row, synonyms)
        if score > best[1]:
            best = (number, score)
    return best


def _filled(value) -> bool:
    """A cell with something in it (spaces, full-width ones too, are nothing)."""
    return value is not None and not (isinstance(value, str) and not value.strip()) and value == value  # NaN


# What a formula shows for nothing (IFERROR(...,"-"), #N/A) or a person types for it: a row of only these is empty
EMPTY_MARKS = {"-", "--", "---", "—", "——", "–", "/", "n/a", "na", "#n/a", "none", "null", "nil", "无", "暂无", "空",
               "#value!", "#ref!", "#div/0!", "#name?", "#null!", "#num!", "#getting_data"}
_LONGEST_MARK = max(map(len, EMPTY_MARKS))
# The first words of a legend or notes block under a table: 说明: / 注: / Legend / Notes: ...
_LEGEND = re.compile(r"^\s*(说明|注意|注[:：]|注\s|备注[:：]|图例|填表说明|legend|notes?\s*[:：]|key\s*[:：]|[*※])",
                     re.IGNORECASE)


def _data(value) -> bool:
    """A cell with data in it: not empty, and not a mark for nothing such as '-' or #N/A."""
    if value is None:
        return False
    if type(value) is str:  # _filled's test inlined: this runs on every row of a million-row sheet
        text = value.strip()
        if text and not value.isascii():  # NFKC leaves ASCII as it is
            text = unicodedata.normalize("NFKC", value).strip()
            return len(text) > _LONGEST_MARK or text.lower() not in EMPTY_MARKS
        return bool(text) and (len(text) > _LONGEST_MARK or text.lower() not in EMPTY_MARKS)
    if isinstance(value, str):
        return _data(str(value))  # a str subclass
    return value == value  # NaN


def _data_row(row: list) -> bool:
    """A row with data in it; its first cell tells for most rows (a number or date, a name or an id)."""
    if not row:
        return False
    first = row[0]
    if type(first) is str:
        if first.isascii():  # _data's test inlined: this runs on every row of a million-row sheet
            text = first.strip()
            if text and (len(text) > _LONGEST_MARK or text.lower() not in EMPTY_MARKS):
                return True
    elif first is not None and not isinstance(first, str) and first == first:  # not NaN
        return True
    return any(map(_data, row))


def _before_legend(numbers: list[int], grid: list[list]) -> list[int]:
    """Data rows up to a legend or notes block that follows an empty row under the table."""
    for previous, number in zip(numbers, numbers[1:]):
        if number == previous + 1:
            continue
        first = next((v for v in grid[number - 1] if _filled(v)), None)
        if isinstance(first, str) and _LEGEND.match(first):
            return [n for n in numbers if n < number]
    return numbers


def _header_text(value) -> str:
    """A header as the user wrote it (full-width kept); a line break inside the cell, or a run of
    spaces, reads as one space, so messages and settings show it on one line."""
    return " ".join(str(value).split()) if clean_text(value) else ""


def header_band(grid: list[list], header_row: int) -> tuple[int, list]:
    """(Excel row of the header's last row, its cells). A header may take two rows: a group title merged
    over its parts (联系方式 over 电话 | 邮箱) while other names fill both rows (客户名称 merged down).
    The lower row's name wins where both rows have one."""
    synonyms = synonym_index(FIELDS)
    for upper, lower, other in ((header_row, header_row + 1, header_row + 1), (header_row - 1, header_row, header_row - 1)):
        if upper < 1 or lower > len(grid) or not _header_like(grid[other - 1], synonyms):
            continue
        top, bottom = grid[upper - 1], grid[lower - 1]
        width = max(len(top), len(bottom))
        top, bottom = list(top) + [None] * (width - len(top)), list(bottom) + [None] * (width - len(bottom))
        chosen = grid[header_row - 1]
        if any(_filled(o) and not (c < len(chosen) and _filled(chosen[c])) for c, o in enumerate(grid[other - 1])):
            return lower, [b if _filled(b) else t for t, b in zip(top, bottom)]
    return header_row, list(grid[header_row - 1])


def _header_like(row: list, synonyms: dict[str, str]) -> bool:
    """A row of names, not of data: all text, at least two fields named, most of the team's cells naming one.
    xlcrm's own column headers (written there by an earlier run) do not count against it, so the header
    found on the first run is the header found on every run."""
    filled = [v for v in row if _filled(v)]
    if not filled or not all(isinstance(v, str) for v in filled):
        return False
    named = [match_field(clean_text(v), synonyms) for v in filled]
    theirs = [n for v, n in zip(filled, named) if not _own_header(v)]
    return bool(theirs) and len(set(named) - {None}) >= 2 and 2 * sum(n is not None for n in theirs) >= len(theirs)


_OWN_HEADERS = frozenset(owned_headers())


def _own_header(text: str) -> bool:
    """One of xlcrm's column headers, in either language, with or without its clash suffix."""
    text = " ".join(text.split())
    return norm_header(text.removesuffix(CLASH_SUFFIX.strip()).strip()) in _OWN_HEADERS


def _repeats(row: list, named: list[tuple[int, str]]) -> bool:
    """A copy of the header row further down (a second section, a pasted block): not a customer.
    named: the header's (column, name) pairs."""
    if not named or named[0][0] >= len(row) or not isinstance(row[named[0][0]], str) \
            or row[named[0][0]].strip() != named[0][1]:
        return False  # the cheap test first: most rows are data
    named = [(c, h) for c, h in named if c < len(row)]
    same = sum(isinstance(row[c], str) and " ".join(row[c].split()) == h for c, h in named)
    return same >= max(2, (len(named) + 1) // 2)


def extract_table(sheet: str, grid: list[list], header_row: int) -> Table:
    """The data under a header row (one or two rows), blank rows and an Excel Table's Total Row dropped, trailing
    empty columns trimmed."""
    header_row, cells = header_band(grid, header_row)
    header = [_header_text(v) for v in cells]
    body = grid[header_row:]
    width = max([len(header), *(len(r) for r in body)] or [0])
    numbers = [header_row + 1 + offset for offset, row in enumerate(body) if _data_row(row)]
    numbers = _before_legend(numbers, grid)
    if totals := getattr(grid, "total_rows", None):  # an Excel Table's Total Row, labelled or not
        numbers = [n for n in numbers if n not in totals]
    named = [(c, h) for c, h in enumerate(header) if h]
    if named:  # the cheap test of _repeats inlined (the first header's cell), for a million rows
        first, name = named[0]
        numbers = [n for n in numbers if not (first < len(row := grid[n - 1]) and isinstance(row[first], str)
                                                   and row[first].strip() == name and _repeats(row, named))]
    rows = [row if len(row := grid[n - 1]) == width else list(row) + [None] * (width - len(row)) for n in numbers]
    cells = pd.DataFrame(rows, index=numbers, columns=range(width), dtype=object)
    used = [c for c in range(width) if (c < len(header) and header[c]) or any(map(_filled, cells[c].tolist()))]
    width = (max(used) + 1) if used else 0
    if width < len(cells.columns):  # not a copy of a million rows' cells when no column is trimmed
        cells = cells.loc[:, list(range(width))]
    # xlcrm's own columns, appended after a side block by an earlier run, do not hide that block
    beside = _beside_only([c for c in used if not (c < len(header) and _own_header(header[c]))], cells)
    if beside.any():
        cells = cells[~beside]
    return Table(sheet, header_row, (header + [""] * width)[:width], cells, date1904=getattr(grid, "date1904", False),
                 uncalculated=getattr(grid, "uncalculated", None))


def _beside_only(used: list[int], cells: pd.DataFrame) -> pd.Series:
    """Rows below the table filled only beside it, past an empty column (a legend or notes block longer
    than the table): not rows of the table. Its columns stay, so that nothing is written over them."""
    none = pd.Series(False, index=cells.index)
    for gap, (before, after) in enumerate(zip(used, used[1:]), start=1):
        if after > before + 1 and 2 <= gap and len(used) - gap < gap:  # a smaller block beside a table
            left = _rows_filled(cells.loc[:, :before])
            last = left[left].index.max() if left.any() else 0
            beside = _rows_filled(cells.loc[:, after:]) & ~left & (cells.index > last)
            return beside
    return none


def _rows_filled(cells: pd.DataFrame) -> pd.Series:
    return pd.Series([any(map(_filled, row)) for row in cells.itertuples(index=False)], index=cells.index, dtype=bool)
