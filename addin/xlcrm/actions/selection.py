"""Which customer a selected row is (for Log contact on the ribbon): named by its row, so that of two customers of
one name (core/followups/log_match.py) the log takes the one selected."""

from __future__ import annotations

from xlcrm.actions.people import lookup_frame
from xlcrm.actions.session import open_session
from xlcrm.book import Book
from xlcrm.core.errors import XlcrmError
from xlcrm.core.followups.contact_log import log_label
from xlcrm.core.i18n import Msg
from xlcrm.core.table import ROW_SPAN

NOT_A_CUSTOMER_ROW = Msg(
    "Select a customer's row in sheet '{sheet}' (rows {first} to {last}) first; the selection is row {row} "
    "of sheet '{selected}'.",
    "请先在工作表“{sheet}”中选中一个客户所在的行(第 {first} 至 {last} 行);当前选中的是工作表“{selected}”的第 {row} 行。")
NOTHING_SELECTED = Msg("Select a customer's row in sheet '{sheet}' first.", "请先在工作表“{sheet}”中选中一个客户所在的行。")


def customer_at(book: Book, selected: tuple[str, int] | None) -> str:
    """The customer of the selected row of the customer table as `xlcrm log --customer` takes it: its row
    ('客户跟踪表!45'), which names it alone even when another customer has its name; a clear error for any other
    cell. On a sheet whose name has a '!' a row cannot be written so: there, the name as the contact log writes it
    (a namesake's with its phone, e-mail or address)."""
    session = open_session(book)
    customers = session.customers
    table = customers.table
    if selected is None:
        raise XlcrmError(NOTHING_SELECTED(sheet=table.sheet))
    sheet, row = selected
    record = row
    if sheet in table.sheets:  # one sheet per owner: the row of that sheet in the table they make together
        record += table.sheets.index(sheet) * ROW_SPAN
    elif sheet != table.sheet:
        record = -1
    if record not in customers.records.index:
        raise XlcrmError(NOT_A_CUSTOMER_ROW(sheet=table.sheet, first=table.header_row + 1, last=table.last_row,
                                            row=row, selected=sheet))
    if "!" in sheet or "！" in sheet:
        return log_label(lookup_frame(session), [record], table.sheet, table.locate)
    return f"{sheet}!{row}"
