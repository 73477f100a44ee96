"""Which of the team's columns holds which field: detected from headers, then the user's edits win."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field as dataclass_field

import pandas as pd

from xlcrm.core import parse
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import BY_ID, fields_of, norm_header
from xlcrm.core.i18n import Msg, listing
from xlcrm.core.table import WEAK, Table, column_letter, match, synonym_index

UNMAPPED = {"-", "—", "none", "(none)", "无", "不使用", "(不使用)", "（不使用）"}

MISSING = Msg(
    "Sheet '{sheet}': no column found for {fields}. Headers seen in row {row}: {headers}. "
    "Rename the column that holds it (e.g. to {examples}), or name it in the column mapping of the settings sheet.",
    "工作表“{sheet}”:找不到{fields}列。第 {row} 行的表头为:{headers}。"
    "请修改对应列的列名(如改为 {examples}),或在设置表的列映射中填写对应的列名。",
)
MISSING_ORDER_CUSTOMER = Msg(
    "Sheet '{sheet}': no column found for {fields}. Headers seen in row {row}: {headers}. xlcrm matches each order "
    "to its customer by the customer's name, as the customer sheet writes it: rename the column that holds the name "
    "(e.g. to {examples}), or name it in the column mapping of the settings sheet. If the sheet holds only a "
    "customer code, add a column of names beside it (in Excel: =XLOOKUP(the code, the customer sheet's code column, "
    "its name column)).",
    "工作表“{sheet}”:找不到{fields}列。第 {row} 行的表头为:{headers}。xlcrm 按客户名称(与客户表写法一致)把每笔订单"
    "对应到客户:请修改存放客户名称的列的列名(如改为 {examples}),或在设置表的列映射中填写对应的列名。如果该表只有客户"
    "编号,请在旁边加一列客户名称(Excel 中可用 =XLOOKUP(编号, 客户表的编号列, 客户表的名称列))。",
)
HEADER_GONE = Msg(
    "Sheet '{sheet}': {cell} maps {field} to the column '{header}', which is not in row {row}: the column was "
    "looked for by its header instead. Write the header as it is in row {row} there, or clear {cell}.",
    "工作表“{sheet}”:{cell} 把{field}对应到列“{header}”,但第 {row} 行没有这一列:已按表头自动识别。"
    "请在该处填写第 {row} 行中的列名,或清空 {cell}。",
)

TAKEN = Msg(
    "Sheet '{sheet}': no column for {field}: {cell} maps {other} to '{header}', column {column}, which is the "
    "{field} column. A column holds one field: clear {cell} (or write the header of the {other} column there) "
    "and run again.",
    "工作表“{sheet}”:找不到{field}列:{cell} 把{other}设为“{header}”,而 {column} 列“{header}”就是{field}列。"
    "一列只能对应一个字段:请清空 {cell}(或填写{other}所在列的列名)后再运行。")
SET_TO_NONE = Msg(
    "Sheet '{sheet}': no column for {field}: {cell} sets it to '{value}' (none), but xlcrm needs it{seen}. "
    "Clear {cell} to let xlcrm find it, or write the header of the column that holds it there.",
    "工作表“{sheet}”:找不到{field}列:{cell} 把{field}设为“{value}”(没有),但 xlcrm 需要这一列{seen}。"
    "请清空 {cell} 由 xlcrm 自动识别,或在该处填写对应列的列名。")
LOOKS_LIKE = Msg(" (column {column} '{header}' looks like it)", "({column} 列“{header}”看来就是)")
MAPPED_TWICE = Msg(
    "Sheet '{sheet}': {cell} and {other_cell} both map column {column} '{header}' ({field} and {other}); a column "
    "holds one field, so it is read as {field} ({cell}) and {other} is looked for elsewhere. Correct one of them.",
    "工作表“{sheet}”:{cell} 和 {other_cell} 都指向 {column} 列“{header}”({field}和{other});一列只能对应一个字段,"
    "已按 {cell} 读作{field},{other}另行识别。请改正其中之一。")
SHARED_HEADER = Msg(
    "Sheet '{sheet}': columns {columns} are all headed '{header}': {field} is read from column {column}. "
    "Rename the others to tell them apart.",
    "工作表“{sheet}”:{columns} 列的表头都是“{header}”:{field}按 {column} 列读取。请修改其余列的表头以便区分。")
SETTING_ROW = Msg("the settings sheet's column mapping, row '{key}',", "设置表列映射 {key} 行的值")

PEOPLE_AS_CUSTOMERS = Msg(
    "Sheet '{sheet}' has no company column: the names in column {column} are taken as the customers "
    "(individual customers). If another column names them, enter its header for 'customer' in the settings sheet.",
    "工作表“{sheet}”没有客户名称(公司)列:已把 {column} 列的姓名作为客户(个人客户)。"
    "如客户名称在其他列,请在设置表中为“customer”填写该列的表头。")

PERSON_NAMES = {norm_header(h) for h in ("姓名", "名字", "name", "full name", "name of customer")}


TO_FILL = "?"  # what a refusal writes in the settings for a field it did not find: the user's to fill in
WROTE_SETTINGS = Msg(
    "{missing} xlcrm wrote its settings sheet '{sheet}' with the columns it did find; the missing one is marked "
    "'?': write its header there and run again. Nothing else in the workbook was changed.",
    "{missing} xlcrm 已写入设置表“{sheet}”,列出已找到的列;缺少的一项标为“?”:请在该处填写对应的列名后再运行。"
    "工作簿的其他内容均未改动。")


class MissingColumns(XlcrmError):
    """A required field has no column: the table and what was found, so the settings can be written for it."""

    def __init__(self, msg: Msg, table: "Table", mapping: "Mapping", missing: list[str]):
        super().__init__(msg)
        self.table, self.mapping, self.missing = table, mapping, missing


@dataclass
class Mapping:
    columns: dict[str, int]  # field id -> 0-based column index
    notes: list[Msg]  # user mappings that could not be followed
    why_missing: dict[str, Msg] = dataclass_field(default_factory=dict)  # a field the settings left without column

    def header(self, table: Table, field: str) -> str:
        return table.header_of(self.columns[field]) if field in self.columns else ""


def detect(table: Table, kind: str, reserved: AbstractSet[str] = frozenset()) -> dict[str, int]:
    """Field -> column from header synonyms, matched as whole words. Where several columns name a field,
    one holding values that fit it beats an empty one, then the surer header, then the leftmost; a header
    that only has a field's word among others ('Mail status') is taken when its values fit the field.

    reserved holds normalised headers of xlcrm's own columns, which are never the team's data.
    """
    synonyms = synonym_index(fields_of(kind))
    candidates = []  # (fit, strength, -column, field, column)
    for column, header in enumerate(table.headers):
        if norm_header(header) in reserved:
            continue
        field, strength = match(header, synonyms)
        if field is None:
            continue
        fit = content_fit(table.cells[column] if column in table.cells else None, BY_ID[field].kind)
        if strength == WEAK and fit < 2:
            continue
        candidates.append((fit > 0, strength, -column, field, column))
    found: dict[str, int] = {}
    for _, _, _, field, column in sorted(candidates, reverse=True):
        if field not in found and column not in found.values():
            found[field] = column
    return found


_FIT_PARSERS = {"date": parse.parse_date, "birthday": parse.parse_date, "amount": parse.parse_amount,
                "int": parse.parse_amount, "cadence": parse.parse_amount, "phone": parse.parse_phone}
_SAMPLE = 200


def content_fit(values: pd.Series | None, kind: str) -> int:
    """How a column's values fit a kind of field: 0 empty, 1 filled (nothing to prove), 2 most values are of
    the kind (dates for a date, phone-like text for a phone, addresses for an e-mail), -1 most are not."""
    if values is None:
        return 0
    filled = []  # the first _SAMPLE values that are not empty, among the first few hundred
    for value in values.head(5 * _SAMPLE).tolist():
        text = parse.clean_text(value)
        if text and text.lower() not in parse.PLACEHOLDERS:
            filled.append(value)
            if len(filled) == _SAMPLE:
                break
    if not filled:
        return 0
    if kind == "email":
        good = sum("@" in str(v) or "＠" in str(v) for v in filled)
    elif kind == "phone":
        good = sum(_phone_like(v) for v in filled)
    elif kind in _FIT_PARSERS:
        good = sum(_FIT_PARSERS[kind](v)[1] is None for v in filled)
    else:
        return 1
    return 2 if 2 * good > len(filled) else -1


def _phone_like(value) -> bool:
    text = parse.clean_text(value)
    digits = sum(map(str.isdigit, text))
    return digits >= 6 and digits >= 0.6 * len(re.sub(r"[\s+\-()（）]", "", text))


def resolve(table: Table, kind: str, user: dict[str, object], reserved: AbstractSet[str] = frozenset(),
            cells: AbstractMapping[str, Msg | str] | None = None) -> Mapping:
    """Detected mapping overridden by the user's: a header name maps, '-' unmaps, blank means detect.

    cells: where each field's setting is (CRM设置!C15, from Settings.cell), so what goes wrong names it.
    A field the settings leave without a column (set to '-', or its column given to another field) gets the
    reason in why_missing, for `require` to say.
    """
    detected = detect(table, kind, reserved)
    columns = dict(detected)
    by_header = headed_alike(table)
    notes: list[Msg] = []
    why: dict[str, Msg] = {}
    set_by_user: dict[int, str] = {}  # column -> the field the settings gave it

    def cell(field: str) -> Msg | str:
        return (cells or {}).get(field) or SETTING_ROW(key=field)

    for field, header in user.items():
        text = str(header or "").strip()
        if field not in BY_ID or BY_ID[field].table != kind or not text or text == TO_FILL:
            continue
        if text.lower() in UNMAPPED:
            columns.pop(field, None)
            found = detected.get(field)
            seen = LOOKS_LIKE(column=column_letter(found), header=table.headers[found]) if found is not None else ""
            why[field] = SET_TO_NONE(sheet=table.sheet, field=BY_ID[field].name, cell=cell(field), value=text,
                                     seen=seen)
        elif norm_header(text) in by_header:
            column = chosen_among(by_header[norm_header(text)], field, detected, columns, table)
            if column in set_by_user and set_by_user[column] != field:  # the first setting of the column stands
                first = set_by_user[column]
                notes.append(MAPPED_TWICE(sheet=table.sheet, cell=cell(first), other_cell=cell(field),
                                          column=column_letter(column), header=table.headers[column],
                                          field=BY_ID[first].name, other=BY_ID[field].name))
                if columns.get(field) == column:
                    del columns[field]
                continue
            for other in [f for f, c in columns.items() if c == column and f != field]:
                del columns[other]
                why[other] = TAKEN(sheet=table.sheet, field=BY_ID[other].name, cell=cell(field),
                                   other=BY_ID[field].name, header=table.headers[column], column=column_letter(column))
            columns[field] = column
            set_by_user[column] = field
        else:  # the header was renamed or removed: keep whatever detection found, and say so
            notes.append(HEADER_GONE(sheet=table.sheet, cell=cell(field), field=BY_ID[field].name, header=text,
                                     row=table.header_row))
    notes += shared_header_notes(table, columns, by_header)
    return Mapping(columns, notes, {f: m for f, m in why.items() if f not in columns})


def headed_alike(table: Table) -> dict[str, list[int]]:
    """Normalised header -> its columns, left to right (a header may head several)."""
    found: dict[str, list[int]] = {}
    for column, header in enumerate(table.headers):
        if header:
            found.setdefault(norm_header(header), []).append(column)
    return found


def chosen_among(same: list[int], field: str, detected: dict[str, int], columns: dict[str, int],
                 table: Table) -> int:
    """Of the columns sharing the header the settings name for a field, the one detection reads: the settings
    keep only a header, so a side table of the same header (客户名称 in J:K) must never take the field over
    from one run to the next. Else, as detection ranks: a column no other field holds, filled, the leftmost."""
    if detected.get(field) in same:
        return detected[field]
    free = [c for c in same if c not in columns.values() or columns.get(field) == c] or same
    kind = BY_ID[field].kind
    return max(free, key=lambda c: (content_fit(table.cells[c] if c in table.cells else None, kind) > 0, -c))


def shared_header_notes(table: Table, columns: dict[str, int], by_header: dict[str, list[int]]) -> list[Msg]:
    """A field read from one of several columns of the same header: say which, so that it is never a silent pick."""
    notes = []
    for field, column in columns.items():
        same = by_header.get(norm_header(table.header_of(column)), [])
        if len(same) > 1 and column in same:
            notes.append(SHARED_HEADER(sheet=table.sheet, columns=listing([column_letter(c) for c in same]),
                                       header=table.headers[column], field=BY_ID[field].name,
                                       column=column_letter(column)))
    return notes


def require(table: Table, mapping: Mapping, fields: tuple[str, ...]) -> None:
    missing = [f for f in fields if f not in mapping.columns]
    if missing:
        said = [mapping.why_missing[f] for f in missing if f in mapping.why_missing]
        if said:  # the settings say why: name their cell rather than the headers
            raise MissingColumns(said[0], table, mapping, missing)
        seen = ", ".join(f"{column_letter(i)}={h}" for i, h in enumerate(table.headers) if h) or "-"
        names = Msg(", ".join(BY_ID[f].en for f in missing), "、".join(BY_ID[f].zh for f in missing))
        examples = ", ".join(f"'{BY_ID[f].zh}' / '{BY_ID[f].en}'" for f in missing)
        said_missing = MISSING_ORDER_CUSTOMER if "order_customer" in missing else MISSING  # a code is no name
        raise MissingColumns(said_missing(sheet=table.sheet, fields=names, row=table.header_row, headers=seen,
                                          examples=examples), table, mapping, missing)


def people_as_customers(table: Table, mapping: Mapping) -> Mapping:
    """No company column, but a person's name: a shop's members or an agent's clients are people,
    so the name column is the customer (rather than stopping a new user at the first run)."""
    if "customer" in mapping.columns or "contact" not in mapping.columns:
        return mapping
    if norm_header(table.header_of(mapping.columns["contact"])) not in PERSON_NAMES:
        return mapping  # 联系人 / Contact person: someone at a company the sheet should name
    columns = {("customer" if f == "contact" else f): c for f, c in mapping.columns.items()}
    where = f"{column_letter(columns['customer'])} {table.header_of(columns['customer'])}"
    return Mapping(columns, mapping.notes + [PEOPLE_AS_CUSTOMERS(sheet=table.sheet, column=where)])
