"""Opening a workbook for an action: settings, the team's tables, their mapping and records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from xlcrm.actions.column_mapping import mapped_columns, own_columns, read_memory, read_state, reserved_headers
from xlcrm.actions.own_sheets import SheetPlaces, remember_places, sheet_places
from xlcrm.actions.team_tables import alike_sheets, choose_sheet, named_sheet
from xlcrm.book import Book
from xlcrm.core.all_settings import read_settings_grid, settings_from_user
from xlcrm.core.errors import XlcrmError
from xlcrm.core.fields import CUSTOMERS, ORDERS, REQUIRED, norm_header
from xlcrm.core.i18n import Msg, lang_of, normalize_lang
from xlcrm.core.mailmerge.sender_profile import sender_profile
from xlcrm.core.mapping import Mapping, people_as_customers, require
from xlcrm.core.problems import Problem
from xlcrm.core.owner_sheets import combined, looks_like_person, skipped
from xlcrm.core.records import DUPLICATE, NAMESAKE, NO_CUSTOMER, column_day_first, duplicate_problems, read_records, separate_namesakes, unit_notes
from xlcrm.core.settings import Settings
from xlcrm.core.sheets import SHEETS, column_label, find_sheet, own_label, place_columns, sheet_name
from xlcrm.core.parse import clean_text
from xlcrm.core.table import HEADER_SCAN_ROWS, ROW_SPAN, column_letter, Table, extract_table, find_header_row

NO_TABLE = Msg(
    "No sheet holds a customer table: none of {sheets} has a header row (within the first {rows} rows) "
    "naming the customer and at least one other field, e.g. 客户名称 / Customer and 联系人 / Contact.",
    "没有找到客户表:{sheets} 的前 {rows} 行中都没有同时包含客户名称和其他字段(如 联系人、电话)的表头行。")
UNKNOWN_LANG = Msg("The settings' language is '{value}', which is neither zh nor en; xlcrm wrote in {lang} (the "
                   "language of the sheet's headers). Write zh or en there.",
                   "设置表中的语言为“{value}”,既不是 zh 也不是 en;xlcrm 按表头的语言使用 {lang}。请在该处填写 zh 或 en。")
ALSO_TABLES = Msg(
    "Sheets {sheets} look like customer tables too, but xlcrm reads one customer sheet: '{used}' (customer_sheet "
    "in the settings). To include their customers, put all customers in one sheet (an owner column tells whose "
    "they are).",
    "工作表 {sheets} 看起来也是客户表,但 xlcrm 只读取一个客户表:“{used}”(设置中的 customer_sheet)。"
    "如需包含其中的客户,请把所有客户放在同一个工作表(用负责人列区分)。")
ALSO_TABLES_GUESSED = Msg(
    "Sheets {sheets} look like customer tables too, but xlcrm reads one customer sheet: '{used}', whose header names "
    "the most fields. To include their customers, put all customers in one sheet (an owner column tells whose they "
    "are); to read another, name it in customer_sheet in the settings.",
    "工作表 {sheets} 看起来也是客户表,但 xlcrm 只读取一个客户表:“{used}”(其表头识别出的字段最多)。"
    "如需包含其中的客户,请把所有客户放在同一个工作表(用负责人列区分);如需读取其他工作表,请在设置的 customer_sheet 中填写。")
ORDERS_IN_PLACE = Msg(
    "Sheet '{sheet}' lists one row per order (customers repeat, with an order date and an amount): it is read as "
    "the orders too, and a customer on several rows is one customer.",
    "工作表“{sheet}”每行一笔订单(客户重复出现,并有下单日期和金额):同时作为订单表读取,多行同名客户视为同一客户。")
OWNER_SHEETS = Msg(
    "Sheets {sheets} hold one owner's customers each (the same fields, no owner column): read as one table, each "
    "customer's owner the name of their sheet.",
    "工作表 {sheets} 各为一位负责人的客户(字段相同,无负责人列):合并为一个客户表读取,负责人取自所在工作表的名称。")
SKIPPED_SHEET = Msg(
    "Sheet '{sheet}' has the customer table's header but is left out (setting skip_sheets: empty leaves out sheets "
    "named like an archive).",
    "工作表“{sheet}”与客户表表头相同,但未读取(设置“不是客户的工作表”;留空时不读取名称像归档的工作表)。")
DUPLICATE_ON = Msg("same customer as row {row} of sheet '{sheet}'", "与工作表“{sheet}”第 {row} 行是同一客户")
NAMESAKE_ON = Msg("same name as row {row} of sheet '{sheet}', but another {field}: read as a different customer",
                  "与工作表“{sheet}”第 {row} 行同名,但{field}不同:视为不同的客户")
NO_ORDERS = {"-", "—", "none", "无", "没有"}
RENAMED_SHEET = Msg("Sheet '{sheet}' is xlcrm's '{was}' sheet under a new name: xlcrm reads and writes it as '{sheet}' "
                    "(and makes no new '{was}').", "工作表“{sheet}”是改过名的 xlcrm“{was}”表:xlcrm 按新名称读取和写入它(不再另建“{was}”)。")
LAST_COLUMN = 16_384  # XFD: Excel has no column past it
NO_ROOM = Msg("Sheet '{sheet}' has no room for xlcrm's columns ({columns}): they go right of the table, and it reaches "
              "column {last}, Excel's last. Nothing was changed. Move what is in the far right columns next to the "
              "table (or delete it), save, and run again.",
              "工作表“{sheet}”放不下 xlcrm 的列({columns}):它们要写在表格右侧,而表格已用到 Excel 的最后一列 {last}。"
              "原文件未做任何改动。请把最右侧各列的内容移到表格旁(或删除),保存后再运行。")


@dataclass
class Source:
    """One of the team's tables, understood: where it is, which column is which, its typed rows."""

    table: Table
    mapping: Mapping
    records: pd.DataFrame  # index: Excel row
    problems: list[Problem]
    own: dict[str, int] = field(default_factory=dict)  # xlcrm's own columns on this sheet: id -> 0-based column
    parts: list[Source] = field(default_factory=list)  # a table of one sheet per owner: each sheet's own Source

    def owned(self, column_id: str) -> pd.Series | None:
        """Raw values of one of xlcrm's own columns (written by an earlier run), by record row."""
        if self.parts:
            found = [(k, part.owned(column_id)) for k, part in enumerate(self.parts)]
            if all(values is None for _, values in found):
                return None
            shifted = [v.set_axis(v.index + k * ROW_SPAN) for k, v in found if v is not None]
            return pd.concat(shifted).reindex(self.records.index)
        column = self.own.get(column_id)
        return None if column is None else self.table.cells[column].reindex(self.records.index)

    def by_sheet(self, values: pd.DataFrame) -> list[tuple[Source, pd.DataFrame]]:
        """Values by record row as (sheet's Source, its values by that sheet's Excel rows), one per sheet."""
        if not self.parts:
            return [(self, values)]
        part_of = values.index // ROW_SPAN
        return [(part, values[part_of == k].set_axis(values.index[part_of == k] - k * ROW_SPAN))
                for k, part in enumerate(self.parts)]

    def located(self, problem: Problem) -> Problem:
        """A problem met in a table of several sheets, naming its own sheet and row."""
        if not self.table.sheets or problem.sheet != self.table.sheet or not problem.row:
            return problem
        sheet, row = self.table.locate(problem.row)
        why = problem.why
        if why.en in (DUPLICATE.en, NAMESAKE.en):  # the earlier row may be on another sheet
            other, first = self.table.locate(why.args["row"])
            why = (why(row=first) if other == sheet else
                   (DUPLICATE_ON if why.en == DUPLICATE.en else NAMESAKE_ON)(**{**why.args, "row": first, "sheet": other}))
        return replace(problem, sheet=sheet, row=row, why=why)

    def place(self, column_ids: list[str]) -> dict[str, int]:
        """Where xlcrm's columns go on this sheet: where they are, else after the last used column."""
        places = place_columns(self.table.headers, column_ids, self.own)
        past = [cid for cid, column in places.items() if column >= LAST_COLUMN]
        if past:
            english, chinese = (", ".join(column_label(cid, lang) for cid in past).replace("{", "{{")
                                for lang in ("en", "zh"))
            names = Msg(english, chinese)
            raise XlcrmError(NO_ROOM(sheet=self.table.sheet, columns=names, last=column_letter(LAST_COLUMN - 1)))
        return places

    def typed(self, keep: tuple[str, ...]) -> Source:
        """The source without the raw cells its records were typed from, but those of the fields in keep (a future
        order's date is shown as typed) and of xlcrm's own columns; the rows stay."""
        columns = sorted({self.mapping.columns[f] for f in keep if f in self.mapping.columns} | set(self.own.values()))
        return replace(self, table=replace(self.table, cells=self.table.cells[columns]))

    def reserved(self) -> set[str]:
        """xlcrm's own columns' headers on this sheet: never mapped as the team's data."""
        return reserved_headers(self.table, self.own)

    def label(self, column_id: str, lang: str) -> str:
        """The header xlcrm writes for one of its columns, never the name of one of the team's."""
        return own_label(column_id, lang, self.table.headers, self.own)


@dataclass
class Session:
    book: Book
    settings: Settings
    lang: str
    customers: Source
    orders: Source | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)
    read_count: int = 0  # problems[:read_count] were met reading the sheets; the rest by the action
    memory: dict[str, pd.DataFrame] = field(default_factory=dict)  # the hidden state sheet's sections
    sheets: dict[str, str] = field(default_factory=dict)  # xlcrm's sheets the team renamed: id -> their name
    places: SheetPlaces | None = None  # which sheets are xlcrm's, and the name each of its sheets is written under
    customer_sheet_guessed: bool = False  # chosen by xlcrm among several alike: not written into the settings

    def own_sheet(self, sheet_id: str) -> str | None:
        """xlcrm's sheet of this id as it is in the workbook (never a team's sheet of its name): by its name, else
        the one the team renamed."""
        if self.places is not None:
            return self.places.existing(sheet_id)
        return find_sheet(self.book.sheet_names(), sheet_id) or self.sheets.get(sheet_id)

    def written_name(self, sheet_id: str) -> str:
        """The name xlcrm writes its sheet of this id under (put apart from a team's sheet of its name)."""
        return self.places.target(sheet_id, self.lang) if self.places else sheet_name(sheet_id, self.lang)

    def located_problems(self) -> list[Problem]:
        """The problems, each naming its own sheet and row (a table may span one sheet per owner)."""
        sources = [s for s in (self.customers, self.orders) if s and s.table.sheets]
        problems = self.problems
        for source in sources:
            problems = [source.located(p) for p in problems]
        return problems


def workbook_places(book: Book, names: list[str] | None = None) -> SheetPlaces:
    """Which of the workbook's sheets are xlcrm's (own_sheets), for a run that opens no session."""
    names = book.sheet_names() if names is None else names
    return sheet_places(book, names, read_state(book, names))


def read_settings(book: Book, places: SheetPlaces | None = None) -> Settings:
    """The workbook's settings sheet over the defaults (the defaults alone when it has none)."""
    name = (places or workbook_places(book)).existing("settings")
    user = read_settings_grid(book.read_sheet(name)) if name else {}
    return replace(settings_from_user(user, present=bool(name)), sheet=name or "")


def open_session(book: Book, required: tuple[str, ...] = REQUIRED[CUSTOMERS], today: dt.date | None = None) -> Session:
    names = book.sheet_names()
    memory = read_state(book, names)
    places = sheet_places(book, names, memory)
    settings = read_settings(book, places)
    renamed = places.renamed
    candidates = [n for n in names if n not in places.xlcrm_sheets()]  # a team's sheet named like xlcrm's is one
    memory = read_memory(memory, places)
    remember_places(memory, places)
    notes = [RENAMED_SHEET(sheet=n, was=Msg(*SHEETS[sid])) for sid, n in renamed.items()]
    named = named_sheet(settings.value("customer_sheet"), candidates)
    customer_sheet = choose_sheet(book, named, candidates, CUSTOMERS, notes)
    orders_only = False
    if customer_sheet is None:  # a sheet of orders alone (客户名称 / 下单日期 / 金额) names its customers too
        customer_sheet = choose_sheet(book, "", candidates, ORDERS, [])
        orders_only = customer_sheet is not None
    if customer_sheet is None:
        raise XlcrmError(NO_TABLE(sheets=", ".join(candidates) or "-", rows=HEADER_SCAN_ROWS))
    day_first = settings.flag("day_first")
    customers = _source(book, customer_sheet, CUSTOMERS, settings, "customer", day_first, memory, today)
    require(customers.table, customers.mapping, required)
    alike = alike_sheets(book, customer_sheet, [n for n in candidates if n != customer_sheet])
    customers = _per_owner(book, customers, alike, settings, memory, notes, today)
    grouped = customers.table.sheets or (customer_sheet,)
    problems = list(customers.problems)
    orders_name = named_sheet(settings.value("orders_sheet"), names)
    orders = None
    if clean_text(orders_name).lower() not in NO_ORDERS:
        others = [n for n in candidates if n not in grouped]
        same = orders_name == customer_sheet  # the settings say: the customer sheet lists the orders
        orders_sheet = None if same else choose_sheet(book, orders_name, others, ORDERS, notes)
        if orders_sheet:
            orders = _source(book, orders_sheet, ORDERS, settings, "order_customer", day_first, memory, today)
        else:
            orders = _orders_in_place(book, customers, settings, day_first, notes, orders_only, today)
        if orders and orders.table is customers.table:  # one sheet read twice: each cell's problem once
            table = customers.table
            read = {f"{column_letter(c)} {table.header_of(c)}" for c in customers.mapping.columns.values()}
            problems += [p for p in orders.problems if p.column not in read and p.why is not NO_CUSTOMER]
        elif orders:
            problems += orders.problems
    if not (orders and orders.table is customers.table):  # one row per order: repeats are the point
        apart = separate_namesakes(customers.records)  # before anything looks customers up by key
        problems += duplicate_problems(customers.records, customers.table, customers.mapping, "customer", apart)
    lang = settings.lang(lang_of(customers.table.headers))
    if not settings.sheet and places.target("settings", lang) != sheet_name("settings", lang):  # cells named on it
        settings = replace(settings, sheet=places.target("settings", lang))
    written = settings.text("language")
    notes += [UNKNOWN_LANG(value=written, lang=lang)] if written and not normalize_lang(written, "") else []
    rest = [n for n in alike if n not in (*grouped, orders.table.sheet if orders else None)]
    alike = [n for n in rest if not (customers.parts and skipped(n, settings.text("skip_sheets")))]
    # one sheet per year or region: say what is left aside
    guessed = bool(alike) and customer_sheet != named
    also = ALSO_TABLES_GUESSED if guessed else ALSO_TABLES
    notes += [also(sheets=", ".join(f"'{n}'" for n in alike), used=customer_sheet)] if alike else []
    notes += customers.mapping.notes + (orders.mapping.notes if orders else [])
    notes += [n for source in (customers, orders) if source for n in date_order_notes(source, day_first)]
    notes = list({n.text(lang): n for n in notes}.values())  # one sheet read as customers and orders: said once
    if orders and orders.table is not customers.table:
        orders = orders.typed(keep=("order_date",))  # a million order lines' cells, no longer needed once typed
    return Session(book, settings, lang, customers, orders, problems, notes, len(problems), memory, renamed, places,
                   guessed)


def book_lang(book: Book) -> str | None:
    """The language to speak about a workbook before or without a session (e.g. for an error):
    its language setting, else the language of its own sheets' first rows; None if it cannot be read."""
    try:
        names = book.sheet_names()
        places = workbook_places(book, names)
        settings = read_settings(book, places)
        ours = places.xlcrm_sheets()
        texts = [v for n in names if n not in ours for row in book.read_sheet(n, HEADER_SCAN_ROWS) for v in row]
        return settings.lang(lang_of(texts))
    except Exception:  # the error to be shown may well be that the workbook cannot be read
        return None


def smtp_login(book: Book) -> str:
    """The SMTP login the workbook's settings name (smtp_user, or a well-known mailbox's), '' if none."""
    return sender_profile(read_settings(book)).user


def date_order_notes(source: Source, day_first: bool) -> list[Msg]:
    """How ambiguous dates such as 05/03/2026, and amounts in a unit such as 万元, were read, column by column."""
    return column_day_first(source.table, source.mapping, day_first)[1] + unit_notes(source.table, source.mapping)


def _orders_in_place(book: Book, customers: Source, settings: Settings, day_first: bool,
                     notes: list[Msg], orders_only: bool = False, today: dt.date | None = None) -> Source | None:
    """The customer sheet read as the orders too, when it lists one row per order: it has an order date and
    an amount that are not its summary columns (last order date, total...), and customers repeat, or it has
    an order id, or its date and amount mean nothing about a customer (a sales log, an invoice list)."""
    table = customers.table
    mapping = mapped_columns(table, ORDERS, settings, customers.reserved())
    summary = {customers.mapping.columns.get(f) for f in ("last_order", "order_count", "total_amount")} - {None}
    needed = REQUIRED[ORDERS]
    if any(f not in mapping.columns for f in needed) or {mapping.columns[f] for f in needed[1:]} & summary:
        return None
    per_order = (orders_only or customers.records["key"].duplicated().any() or "order_id" in mapping.columns
                 or not {mapping.columns[f] for f in needed[1:]} & set(customers.mapping.columns.values()))
    if not per_order:
        return None
    notes.append(ORDERS_IN_PLACE(sheet=table.sheet))
    return Source(table, mapping, *read_records(table, mapping, "order_customer", day_first, today), own=customers.own)


def _per_owner(book: Book, customers: Source, alike: list[str], settings: Settings,
               memory: dict[str, pd.DataFrame], notes: list[Msg], today: dt.date | None) -> Source:
    """The customer sheet with the other sheets of its header, when each is one owner's customers: named like
    people, no owner column. A column more or less on one of them, another order, a title row above: each sheet
    is read by its own columns, as the customer sheet's fields. Sheets named like an archive (or listed in the
    setting skip_sheets) are left out. Otherwise the customer sheet alone."""
    listed = settings.text("skip_sheets")
    owners = [n for n in alike if not skipped(n, listed)]
    sheets = [customers.table.sheet, *owners]
    if "owner" in customers.mapping.columns or not owners or not all(map(looks_like_person, sheets)):
        return customers
    fields = {f: customers.table.header_of(c) for f, c in customers.mapping.columns.items()}
    parts = [customers] + [_source(book, n, CUSTOMERS, settings, "customer", settings.flag("day_first"), memory, today,
                                   fields) for n in owners]
    table, records = combined([customers.table] + [_aligned(p, customers) for p in parts[1:]],
                              [customers.records] + [_alike(p.records, customers.records) for p in parts[1:]])
    notes.append(OWNER_SHEETS(sheets=", ".join(f"'{n}'" for n in sheets)))
    notes += [SKIPPED_SHEET(sheet=n) for n in alike if n not in owners]
    own = {cid: c for cid, c in customers.own.items() if all(cid in p.own for p in parts)}
    return Source(table, customers.mapping, records, [p for part in parts for p in part.problems], own, parts)


def _aligned(part: Source, first: Source) -> Table:
    """One owner's sheet with its cells where the first sheet has their field, header or xlcrm column: the table of
    all the sheets is read by the first sheet's columns (each sheet keeps its own for what is written to it)."""
    if part.table.headers == first.table.headers and part.own == first.own:
        return part.table
    at = {c: part.mapping.columns[f] for f, c in first.mapping.columns.items() if f in part.mapping.columns}
    at |= {c: part.own[cid] for cid, c in first.own.items() if cid in part.own}
    headed = {norm_header(h): c for c, h in reversed(list(enumerate(part.table.headers))) if h}  # the leftmost
    at |= {c: headed[norm_header(h)] for c, h in enumerate(first.table.headers)
           if c not in at and h and norm_header(h) in headed}
    cells = part.table.cells
    empty = pd.Series(None, index=cells.index, dtype=object)
    aligned = pd.DataFrame({c: cells[at[c]] if at.get(c) in cells else empty for c in range(len(first.table.headers))},
                           index=cells.index)
    return replace(part.table, headers=first.table.headers, cells=aligned)


def _alike(records: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """One owner's records as the first sheet's: a field that sheet has and this one has no column for empty, as an
    empty cell reads (of the same type: a flag no, a date none); a field only this one has left out, as a column
    the table of all the sheets does not read."""
    missing = [c for c in first.columns if c not in records]
    empty = {c: first[c].iloc[:0].reindex(records.index) for c in missing}
    empty = {c: v.fillna(False).astype(bool) if first[c].dtype == bool else v for c, v in empty.items()}
    return (records.assign(**empty) if empty else records)[list(first.columns)]


def _source(book: Book, sheet: str, kind: str, settings: Settings, key: str, day_first: bool,
            memory: dict[str, pd.DataFrame], today: dt.date | None, like: dict[str, str] | None = None) -> Source:
    """like: the headers of another sheet's mapping, that this sheet's columns must follow. today: the day the
    action runs as of, on which a day typed without a year in a past-event column is placed (core/records)."""
    grid = book.read_sheet(sheet)
    header_row, _ = find_header_row(grid, kind)
    table = extract_table(sheet, grid, header_row)
    own = own_columns(table, memory, book.sheet_names())
    mapping = mapped_columns(table, kind, settings, reserved_headers(table, own), like)
    if kind == CUSTOMERS:
        mapping = people_as_customers(table, mapping)
    require(table, mapping, (key,) if kind == CUSTOMERS else REQUIRED[ORDERS])
    return Source(table, mapping, *read_records(table, mapping, key, day_first, today), own=own)
