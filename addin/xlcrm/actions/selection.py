"""Which customer a selected row is (for Log contact on the ribbon)."""

from __future__ import annotations

from xlcrm.actions.session import open_session
from xlcrm.book import Book
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.table import ROW_SPAN

NOT_A_CUSTOMER_ROW = Msg(
    "Select a customer's row in sheet '{sheet}' (rows {first} to {last}) first; the selection is row {row} "
    "of sheet '{selected}'.",
    "请先在工作表“{sheet}”中选中一个客户所在的行(第 {first} 至 {last} 行);当前选中的是工作表“{selected}”的第 {row} 行。")
NOTHING_SELECTED = Msg("Select a customer's row in sheet '{sheet}' first.", "请先在工作表“{sheet}”中选中一个客户所在的行。")


def customer_at(book: Book, selected: tuple[str, int] | None) -> str:
    """The customer named in the selected row of the customer table; a clear error for any other cell."""
    customers = open_session(book).customers
    table = customers.table
    if selected is None:
        raise XlcrmError(NOTHING_SELECTED(sheet=table.sheet))
    sheet, row = selected
    if sheet in table.sheets:  # one sheet per owner: the row of that sheet in the table they make together
        row += table.sheets.index(sheet) * ROW_SPAN
        sheet = table.sheet
    if sheet != table.sheet or row not in customers.records.index:
        raise XlcrmError(NOT_A_CUSTOMER_ROW(sheet=table.sheet, first=table.header_row + 1, last=table.last_row,
                                            row=row, selected=sheet))
    return str(customers.records.at[row, "customer"])
