"""Short, readable summaries of what an action did, shared by the CLI and the ribbon's message box."""

from __future__ import annotations

from xlcrm.actions.session import Session, Source
from xlcrm.book import SaveResult
from xlcrm.core.fields import BY_ID
from xlcrm.core.i18n import Msg, counted, pick
from xlcrm.core.problems import group_text, grouped
from xlcrm.core.sheets import owned_column_id
from xlcrm.core.table import column_letter

SHOWN_PROBLEMS = 15

TABLE = Msg("{what}: sheet '{sheet}', header in row {row}, {rows}",
            "{what}:工作表“{sheet}”,表头在第 {row} 行,共 {count} 行")
CUSTOMERS = Msg("Customers", "客户表")
ORDERS = Msg("Orders", "订单表")
NO_ORDERS = Msg("Orders: no orders sheet found", "订单表:未找到")
MAPPED = Msg("Columns understood:", "已识别的列:")
SHEET_HEAD = Msg("sheet '{sheet}':", "工作表“{sheet}”:")
UNMAPPED = Msg("Columns left as they are (not used by xlcrm): {columns}", "未使用的列(保持原样):{columns}")
PROBLEMS = Msg("Data problems: {count} (listed in sheet '{sheet}')", "数据问题:{count} 处(见工作表“{sheet}”)")
MORE = Msg("... and {count} more", "……另有 {count} 处")
SAVED = Msg("Saved {target} (previous version kept as {backup})", "已保存 {target}(原文件备份为 {backup})")
SAVED_LIVE = Msg("Updated {target}", "已更新 {target}")
ELSEWHERE = Msg(
    "NOT saved into your workbook: saving it here would drop {lost}. Your workbook is unchanged; "
    "the results were written to {target} instead.",
    "未写入原工作簿:直接保存会丢失 {lost}。原工作簿保持不变,结果已写入 {target}。")


def table_lines(session: Session, lang: str) -> list[str]:
    lines = [_table_line(CUSTOMERS, session.customers, lang)]
    lines.append(_table_line(ORDERS, session.orders, lang) if session.orders else NO_ORDERS.text(lang))
    lines.append(MAPPED.text(lang))
    for source in filter(None, (session.customers, session.orders)):
        lines.append("  " + SHEET_HEAD(sheet=source.table.sheet).text(lang))  # two sheets may share headers
        for field, column in source.mapping.columns.items():
            header = source.table.header_of(column)
            lines.append(f"    {BY_ID[field].label(lang)} ← {column_letter(column)} {header}")
    used = set(session.customers.mapping.columns.values())
    if session.orders and session.orders.table is session.customers.table:  # one sheet, read as both
        used |= set(session.orders.mapping.columns.values())
    headers = session.customers.table.headers
    used |= {c for c, h in enumerate(headers) if owned_column_id(h)}  # xlcrm's own columns are used, by xlcrm
    unused = [f"{column_letter(c)} {h}" for c, h in enumerate(headers) if h and c not in used]
    if unused:
        lines.append(UNMAPPED(columns=", ".join(unused)).text(lang))
    lines += [note.text(lang) for note in session.notes]
    return lines


def _table_line(what: Msg, source: Source, lang: str) -> str:
    return TABLE(what=what, sheet=source.table.sheet, row=source.table.header_row,
                 count=len(source.records), rows=counted(len(source.records), "row", "rows")).text(lang)


def problem_lines(session: Session, sheet: str, lang: str) -> list[str]:
    """The count, then one line per column and cause (its count and first rows), the first SHOWN_PROBLEMS."""
    problems = session.located_problems()
    lines = [PROBLEMS(count=len(problems), sheet=sheet).text(lang)]
    groups = grouped(problems)
    lines += ["  " + group_text(g, lang) for g in groups[:SHOWN_PROBLEMS]]
    rest = sum(len(g) for g in groups[SHOWN_PROBLEMS:])
    if rest:
        lines.append("  " + MORE(count=rest).text(lang))
    return lines


def saved_lines(saved: SaveResult, lang: str) -> list[str]:
    if saved.elsewhere:
        lost = pick(lang, ", ", "、").join(m.text(lang) for m in saved.lost)
        return [ELSEWHERE(lost=lost, target=saved.target).text(lang)]
    if saved.backup:
        return [SAVED(target=saved.target, backup=saved.backup).text(lang)]
    return [SAVED_LIVE(target=saved.target).text(lang)]
