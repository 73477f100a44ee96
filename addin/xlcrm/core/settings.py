"""The settings sheet: blocks a user can read and edit, each a title, a header row and rows.

A block is found by its title in either language; its columns by their labels in either
language. Rows of a keyed block are merged with the defaults by key, so a new xlcrm
version adds its new settings without touching the user's values. Columns marked
`shown` are explanations xlcrm rewrites in the current language; the rest are the user's.

Nothing the team typed is dropped without a word: an emptied value gets its default back with a note,
an unclear yes/no keeps the default with a note, and a value-like entry typed in an explanation column
is kept where it is (not erased by the rewrite) with a note saying where the value goes. Notes and refusals
name the cell the setting was read from (e.g. CRM设置!C95, or on the sheet the team renamed), or where xlcrm
writes it when the sheet does not have it: `Settings.notes` and `Settings.cell`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from xlcrm.core.fields import FIELDS, norm_header
from xlcrm.core.i18n import Msg, normalize_lang
from xlcrm.core.parse import clean_text, parse_amount, parse_cadence, parse_date
from xlcrm.core.sheets import SHEETS
from xlcrm.core.table import column_letter


@dataclass(frozen=True)
class Col:
    id: str
    en: str
    zh: str
    shown: bool = False  # rewritten by xlcrm in the current language, not read back


@dataclass(frozen=True)
class Block:
    id: str
    title: Msg
    columns: tuple[Col, ...]
    defaults: Callable[[], list[dict[str, Any]]]
    key: str | None = "key"  # None: the user's rows replace the defaults as a whole
    note: Msg | None = None

    def __post_init__(self) -> None:
        _LAYOUTS[self.id] = self.columns  # where each column is written, for notes naming a cell


_LAYOUTS: dict[str, tuple[Col, ...]] = {}

# yes/no as teams type them, in both languages (full-width is folded by clean_text first)
YES_WORDS = frozenset({"yes", "y", "true", "t", "on", "1", "x", "√", "✓", "✔", "是", "是的", "对", "对的", "开",
                       "开启", "启用", "打开", "要", "需要", "enable", "enabled"})
NO_WORDS = frozenset({"no", "n", "false", "f", "off", "0", "×", "✗", "✘", "否", "不", "不是", "不要", "关", "关闭",
                      "停用", "禁用", "disable", "disabled"})


def read_switch(value: Any) -> bool | None:
    """True or False for a clear yes or no in either language; None when empty or unclear."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Msg):
        return read_switch(value.en)
    text = clean_text(value).lower()
    return True if text in YES_WORDS else False if text in NO_WORDS else None


def _is_switch(default: Any) -> bool:
    """A default of yes or no marks a yes/no setting (a default of 1 or 0 days does not)."""
    return isinstance(default, (Msg, str)) and read_switch(default) is not None


KV_COLUMNS = (Col("key", "Key", "键"), Col("name", "Setting", "设置项", shown=True),
              Col("value", "Value", "值"), Col("note", "Note", "说明", shown=True))


def kv(key: str, value: Any, name: Msg, note: Msg | None = None) -> dict[str, Any]:
    """One row of a key/value block."""
    return {"key": key, "name": name, "value": value, "note": note}


GENERAL = Block(
    "general", Msg("General", "常规"), KV_COLUMNS,
    lambda: [
        kv("language", "", Msg("Language (zh or en)", "语言(zh 或 en)"),
           Msg("Language of everything xlcrm writes and says; empty follows the sheet's headers.",
               "xlcrm 写入和提示所用的语言;留空则跟随表头的语言。")),
        kv("customer_sheet", "", Msg("Customer sheet", "客户表"),
           Msg("Empty: xlcrm finds the sheet itself.", "留空:由 xlcrm 自动查找。")),
        kv("orders_sheet", "", Msg("Orders sheet", "订单表"),
           Msg("Empty: found automatically; '-' for none.", "留空:自动查找;填 - 表示没有订单表。")),
        kv("skip_sheets", "", Msg("Sheets that are not customers", "不是客户的工作表"),
           Msg("Sheets shaped like the customer sheet to leave out (e.g. Archive, 归档), separated by commas. Empty: "
               "those named like an archive (Archive, 归档, 已流失...).",
               "与客户表结构相同但不读取的工作表(如 Archive、归档),用逗号分隔。留空:名称像归档的工作表(Archive、归档、已流失等)。")),
        kv("day_first", "no", Msg("Dates like 5/3/2026 are day first", "5/3/2026 这类日期日在前"),
           Msg("yes: 5 March; no: May 3. Dates with the year first are never ambiguous.",
               "是:3月5日;否:5月3日。年份在前的日期不受影响。")),
        kv("store", "", Msg("Team store", "团队数据库"),
           Msg("Team mode: sqlite:///PATH (one PC) or postgresql://USER@HOST/DB (a team); empty: this workbook "
               "alone. The password goes in the keyring or XLCRM_STORE_PASSWORD, never here.",
               "团队模式:sqlite:///路径(单台电脑)或 postgresql://用户@主机/库(团队);留空则只用本工作簿。"
               "密码存入钥匙串或 XLCRM_STORE_PASSWORD,不要填在这里。")),
    ],
)

MAPPING = Block(
    "mapping", Msg("Column mapping", "列映射"),
    (Col("key", "Field", "字段键"), Col("name", "Meaning", "含义", shown=True),
     Col("value", "Your column header", "您的列名"), Col("note", "Note", "说明", shown=True)),
    lambda: [kv(f.id, "", f.name, Msg("orders sheet", "订单表") if f.table == "orders" else None)
             for f in FIELDS],
    note=Msg("Type the header of the column that holds each field; '-' means you have none; "
             "empty lets xlcrm look for it.",
             "填写存放该字段的列名;填 - 表示没有;留空由 xlcrm 自动识别。"),
)


def _block_for_title(text: str, blocks: tuple[Block, ...]) -> Block | None:
    key = norm_header(text.lstrip("■").strip())
    return next((b for b in blocks if key in (norm_header(b.title.en), norm_header(b.title.zh))), None)


def parse_sheet(grid: list[list], blocks: tuple[Block, ...]) -> dict[str, list[dict[str, Any]]]:
    """The user's rows per block id, read from a settings sheet grid."""
    found: dict[str, list[dict[str, Any]]] = {}
    current: Block | None = None
    positions: dict[int, str] | None = None
    for number, row in enumerate(grid, start=1):
        cells = [clean_text(v) for v in row]
        first = next((c for c in cells if c), "")
        block = _block_for_title(first, blocks) if first else None
        if block:
            current, positions = block, None
            found[block.id] = []
        elif not first or current is None:
            continue
        elif positions is None:
            labels = {norm_header(lbl): c.id for c in current.columns for lbl in (c.en, c.zh)}
            positions = {i: labels[norm_header(t)] for i, t in enumerate(cells) if norm_header(t) in labels}
        else:
            record = {cid: (row[i] if i < len(row) else None) for i, cid in positions.items()}
            typed = {k: v for k, v in record.items() if _is_shown(current, k) and clean_text(v)}
            at = {cid: f"{column_letter(i)}{number}" for i, cid in positions.items()}
            found[current.id].append({k: v for k, v in record.items() if not _is_shown(current, k)}
                                     | ({SHOWN: typed} if typed else {}) | {AT: at})
    return found


def _is_shown(block: Block, column_id: str) -> bool:
    return any(c.id == column_id and c.shown for c in block.columns)


@dataclass(frozen=True)
class Settings:
    """Every block's rows: the user's values over the defaults."""

    blocks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    present: bool = False  # whether the workbook had a settings sheet
    sheet: str = ""  # the settings sheet's name when read from a workbook (the team may have renamed it)

    @classmethod
    def from_user(cls, user: dict[str, list[dict[str, Any]]], blocks: tuple[Block, ...],
                  present: bool = True) -> "Settings":
        return cls({b.id: _merge(b, user.get(b.id)) for b in blocks}, present)

    def rows(self, block: str) -> list[dict[str, Any]]:
        return self.blocks[block]

    def value(self, key: str, block: str = "general") -> Any:
        return next((r.get("value") for r in self.blocks[block] if r.get("key") == key), None)

    def text(self, key: str, block: str = "general") -> str:
        return clean_text(self.value(key, block))

    def number(self, key: str, block: str = "general", default: float | None = None) -> float | None:
        amount, _ = parse_amount(self.value(key, block))
        return default if amount is None else amount

    def flag(self, key: str, block: str = "general") -> bool:
        """A yes/no setting; an unclear value reads as the default (and Settings.notes says so)."""
        row = next((r for r in self.blocks[block] if r.get("key") == key), {})
        found = read_switch(row.get("value"))
        return bool(read_switch(row.get(FALLBACK, {}).get("value")) if found is None else found)

    def cell(self, block: str, row: str | int, column: str) -> Msg:
        """Where a setting is on the settings sheet, e.g. CRM设置!C95 (row: the key, or the row's index in a block
        without keys): the cell it was read from, else where xlcrm writes it. Just the sheet when the block or
        row is unknown."""
        rows = self.blocks.get(block, [])
        index = row if isinstance(row, int) else next((i for i, r in enumerate(rows) if r.get("key") == row), None)
        read_at = rows[index].get(AT, {}).get(column) if index is not None and index < len(rows) else None
        if read_at:
            return self._on_sheet(read_at)
        columns = [c.id for c in _LAYOUTS.get(block, ())]
        if index is None or column not in columns:
            return self._on_sheet("")
        return self._on_sheet(f"{column_letter(columns.index(column))}{self._first_row(block) + index}")

    def _on_sheet(self, at: str) -> Msg:
        """A cell of the settings sheet: on the sheet the team renamed, else on xlcrm's in the message's language."""
        en, zh = (self.sheet, self.sheet) if self.sheet and self.sheet not in SHEETS["settings"] else SHEETS["settings"]
        where = {"en": f"{en}!{at}" if at else en, "zh": f"{zh}!{at}" if at else zh}
        return Msg("{en}", "{zh}", where)  # the name as data: a team's sheet name may hold braces

    def _first_row(self, block: str) -> int:
        """The Excel row of a block's first setting, as render lays the sheet out."""
        row = 1  # the sheet's title
        for block_id, rows in self.blocks.items():
            if block_id == block:
                return row + 4  # a blank row, the block's title, its header
            row += 3 + len(rows)
        return row

    def notes(self) -> list[Msg]:
        """What reading the sheet met: emptied values (default used), unclear yes/no values (default used) and
        value-like entries typed where xlcrm writes its own text (kept as typed, not read)."""
        found = []
        for block, rows in self.blocks.items():
            for index, row in enumerate(rows):
                for kind, column, value in row.get(MARKS, ()):
                    found.append(self._note(block, index, row, kind, column, value))
        return found

    def _note(self, block: str, index: int, row: dict[str, Any], kind: str, column: str, value: Any) -> Msg:
        cell = self.cell(block, index, column)
        name = row.get("name") or row.get("key") or ""
        if kind == EMPTIED:
            return EMPTIED_NOTE(cell=cell, name=name, default=_shown_value(value))
        if kind == UNCLEAR:
            return UNCLEAR_NOTE(cell=cell, name=name, value=clean_text(value),
                                default=_shown_value(row[FALLBACK].get(column)))
        cols = _LAYOUTS.get(block, ())
        label = next((Msg(c.en, c.zh) for c in cols if c.id == column), Msg(column, column))
        readable = [c.id for c in cols if not c.shown and c.id != "key"]
        cells = [self.cell(block, index, c) for c in readable]
        target = Msg("{en}", "{zh}", {"en": ", ".join(c.text("en") for c in cells),
                                      "zh": "、".join(c.text("zh") for c in cells)})
        if len(readable) == 1:
            return NOT_READ_USED(cell=cell, column=label, name=name, value=clean_text(value), target=target,
                                 used=_shown_value(row.get(readable[0])))
        return NOT_READ(cell=cell, column=label, name=name, value=clean_text(value), target=target)

    def lang(self, fallback: str) -> str:
        return normalize_lang(self.text("language"), fallback)

    def with_values(self, block: str, values: dict[str, Any], overwrite: bool = False) -> "Settings":
        """Fill values by key (only where the user left them empty, unless overwrite)."""
        rows = [dict(r, value=values[r["key"]]) if r.get("key") in values and
                (overwrite or not clean_text(r.get("value"))) else r for r in self.blocks[block]]
        return replace(self, blocks={**self.blocks, block: rows})


SHOWN, MARKS, FALLBACK, KEPT, AT = "_shown", "_marks", "_fallback", "_kept", "_at"  # private keys of a row
EMPTIED, UNCLEAR, NOT_READ_HERE = "emptied", "unclear", "not_read"

EMPTIED_NOTE = Msg("{cell} ('{name}') is empty: used the default {default}, written back in the cell.",
                   "{cell}(“{name}”)为空:已按默认值 {default} 处理,并已填回该单元格。")
UNCLEAR_NOTE = Msg("{cell} ('{name}') = '{value}' is not a clear yes or no (yes/no, on/off, 是/否, 开启/关闭, 1/0): "
                   "used the default {default}.",
                   "{cell}(“{name}”)的值“{value}”不是明确的是或否(是/否、开启/关闭、yes/no、1/0):已按默认值 {default} 处理。")
NOT_READ_USED = Msg("{cell} ({column} column of '{name}') holds '{value}', which xlcrm does not read (it writes its own "
                    "text there): kept as typed; the setting stays {used}. Type the value in {target}.",
                    "{cell}(“{name}”的“{column}”列)中的“{value}”不会被读取(该列由 xlcrm 填写):已原样保留,"
                    "该设置仍为 {used}。请把值填在 {target}。")
NOT_READ = Msg("{cell} ({column} column of '{name}') holds '{value}', which xlcrm does not read (it writes its own "
               "text there): kept as typed. Type the values in {target}.",
               "{cell}(“{name}”的“{column}”列)中的“{value}”不会被读取(该列由 xlcrm 填写):已原样保留。"
               "请把值填在 {target}。")


def _merge(block: Block, user: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if user is None:
        return block.defaults()
    if block.key is None:  # the user's rows whole: no defaults worked out (the holidays' need the calendar)
        return user
    defaults = block.defaults()
    by_key = {clean_text(r.get(block.key)): r for r in user if clean_text(r.get(block.key))}
    merged = [_over(block, d, by_key.pop(d[block.key])) if d[block.key] in by_key else d for d in defaults]
    extra = [{**{k: v for k, v in r.items() if k != SHOWN}, **r.get(SHOWN, {})} for r in by_key.values()]
    return merged + extra  # a row of the team's own: its explanations are the team's too


def _over(block: Block, default: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The user's row over the default one, marking what the notes must say."""
    row = {**default, **{k: v for k, v in user.items() if v is not None and k != SHOWN}}
    marks: list[tuple[str, str, Any]] = []
    for column in (c.id for c in block.columns if not c.shown and c.id != block.key and c.id in user):
        fallback = default.get(column)
        if not clean_text(user[column]) and clean_text(_plain(fallback)):
            row[column] = fallback  # an emptied value: its default, said and written back
            marks.append((EMPTIED, column, fallback))
        elif clean_text(user[column]) and _is_switch(fallback) and read_switch(user[column]) is None:
            row.setdefault(FALLBACK, {})[column] = fallback
            marks.append((UNCLEAR, column, user[column]))
    kept = {cid: typed for cid, typed in user.get(SHOWN, {}).items()
            if not _is_xlcrms(typed, default.get(cid)) and _value_like(typed)}
    if kept:
        row[KEPT] = kept
        marks += [(NOT_READ_HERE, cid, typed) for cid, typed in kept.items()]
    if marks:
        row[MARKS] = marks
    return row


def _plain(value: Any) -> Any:
    return value.en if isinstance(value, Msg) else value


def _is_xlcrms(typed: Any, written: Any) -> bool:
    """The text xlcrm writes in an explanation cell, in either language."""
    if not isinstance(written, Msg):
        return clean_text(typed) == clean_text(written)
    return clean_text(typed) in {clean_text(written.text("en")), clean_text(written.text("zh"))}


def _value_like(typed: Any) -> bool:
    """An entry that reads as a setting's value (a number, a percentage, a day count, a date, yes or no), not as
    an explanation: one typed in the wrong column, kept rather than erased."""
    if isinstance(typed, (bool, int, float, dt.date)):
        return True
    text = clean_text(typed)
    return (text == "-" or read_switch(text) is not None or parse_amount(text.rstrip("%"))[0] is not None
            or parse_cadence(text)[0] is not None or isinstance(parse_date(text)[0], dt.date))


def _shown_value(value: Any) -> Msg | str:
    """A value as a note shows it: 7, not 7.0; yes/是 in the note's language; '-' for none."""
    return value if isinstance(value, Msg) else (clean_text(value) or "-")


def render(settings: Settings, blocks: tuple[Block, ...], lang: str) -> tuple[list[list[Any]], dict[int, str]]:
    """The settings sheet as a grid, with the style of the title and header rows."""
    grid: list[list[Any]] = [[Msg("xlcrm settings: edit the values; the next run uses them.",
                                  "xlcrm 设置:可直接修改各项的值,下次运行时生效。").text(lang)]]
    styles = {0: "title"}
    for block in blocks:
        grid.append([])
        styles[len(grid)] = "section"
        grid.append(["■ " + block.title.text(lang)] + ([block.note.text(lang)] if block.note else []))
        styles[len(grid)] = "header"
        grid.append([c.zh if lang == "zh" else c.en for c in block.columns])
        for row in settings.rows(block.id):
            kept = row.get(KEPT, {})  # the team's entry in an explanation cell stays where they typed it
            grid.append([_cell(kept[c.id] if c.id in kept else row.get(c.id), lang) for c in block.columns])
    return grid, styles


def _cell(value: Any, lang: str) -> Any:
    return value.text(lang) if isinstance(value, Msg) else value
