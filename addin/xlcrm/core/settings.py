"""The settings sheet: blocks a user can read and edit, each a title, a header row and rows.

A block is found by its title in either language; its columns by their labels in either
language. Rows of a keyed block are merged with the defaults by key, so a new xlcrm
version adds its new settings without touching the user's values. Columns marked
`shown` are explanations xlcrm rewrites in the current language; the rest are the user's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from xlcrm.core.fields import FIELDS, norm_header
from xlcrm.core.i18n import Msg, normalize_lang
from xlcrm.core.parse import clean_text, parse_amount, parse_flag


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
    for row in grid:
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
            found[current.id].append({k: v for k, v in record.items() if not _is_shown(current, k)})
    return found


def _is_shown(block: Block, column_id: str) -> bool:
    return any(c.id == column_id and c.shown for c in block.columns)


@dataclass(frozen=True)
class Settings:
    """Every block's rows: the user's values over the defaults."""

    blocks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    present: bool = False  # whether the workbook had a settings sheet

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
        return bool(parse_flag(self.value(key, block))[0]) or self.text(key, block) in ("是", "开", "on")

    def lang(self, fallback: str) -> str:
        return normalize_lang(self.text("language"), fallback)

    def with_values(self, block: str, values: dict[str, Any], overwrite: bool = False) -> "Settings":
        """Fill values by key (only where the user left them empty, unless overwrite)."""
        rows = [dict(r, value=values[r["key"]]) if r.get("key") in values and
                (overwrite or not clean_text(r.get("value"))) else r for r in self.blocks[block]]
        return replace(self, blocks={**self.blocks, block: rows})


def _merge(block: Block, user: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if user is None:
        return block.defaults()
    if block.key is None:  # the user's rows whole: no defaults worked out (the holidays' need the calendar)
        return user
    defaults = block.defaults()
    by_key = {clean_text(r.get(block.key)): r for r in user if clean_text(r.get(block.key))}
    merged = [{**d, **_user_part(by_key.pop(d[block.key], {}))} for d in defaults]
    return merged + list(by_key.values())


def _user_part(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


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
            grid.append([_cell(row.get(c.id), lang) for c in block.columns])
    return grid, styles


def _cell(value: Any, lang: str) -> Any:
    return value.text(lang) if isinstance(value, Msg) else value
