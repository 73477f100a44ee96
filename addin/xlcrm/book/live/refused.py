"""When Excel will not take xlcrm's writes: said in the user's words, never as a raw COM error.

A protected sheet (teams lock theirs so that only the data cells can be edited; xlcrm's new columns are locked
cells) or a protected workbook structure is found before anything is written, with one call per sheet written.
Anything else Excel raises while writing (a dialog box open, a cell being edited) becomes an XlcrmError naming
the workbook and the sheet being written, so that an action can say what it had already done (Send reminders:
the messages went out) instead of a bare 'com_error'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlcrm.core.edits import Edit, PutSheet, SetCells, SetHighlights
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

PROTECTED_SHEETS = Msg("In {book}, these sheets xlcrm writes to are protected, so Excel does not let it write: "
                       "{sheets}. Nothing was written; the workbook is as it was. Unprotect them (Review > Unprotect "
                       "Sheet; you may need the password), click the button again, and protect them again "
                       "afterwards if you like.",
                       "{book} 中 xlcrm 要写入的以下工作表受保护,Excel 不允许写入:{sheets}。本次未写入任何内容,"
                       "工作簿保持原样。请先撤消工作表保护(“审阅”>“撤消工作表保护”,可能需要密码),再点一次按钮;"
                       "之后可以重新保护。")
PROTECTED_STRUCTURE = Msg("The structure of {book} is protected, so Excel does not let xlcrm add or rename its sheet "
                          "'{sheet}'. Nothing was written; the workbook is as it was. Turn the protection off (Review > "
                          "Protect Workbook; you may need the password) and click the button again.",
                          "{book} 的工作簿结构受保护,Excel 不允许 xlcrm 添加或重命名工作表“{sheet}”。本次未写入任何"
                          "内容,工作簿保持原样。请先取消保护(“审阅”>“保护工作簿”,可能需要密码),再点一次按钮。")
EXCEL_REFUSED = Msg("Excel did not let xlcrm write to {place} (Excel said: {excel}). If the sheet is protected, "
                    "unprotect it (Review > Unprotect Sheet); if a dialog box is open or a cell is being edited, close "
                    "the dialog or press Enter or Esc; then click the button again. xlcrm stopped there: what it had "
                    "written before stays, the rest of the workbook is as it was, nothing of yours was lost.",
                    "Excel 未允许 xlcrm 写入{place}(Excel 提示:{excel})。如果该工作表受保护,请先撤消保护"
                    "(“审阅”>“撤消工作表保护”);如果有对话框开着或某个单元格正在编辑,请关闭对话框或按 Enter 或 Esc;"
                    "然后再点一次按钮。xlcrm 已在此停下:之前写入的内容保留,工作簿其余部分保持原样,您的数据没有丢失。")
SHEET_OF = Msg("sheet '{sheet}' of {book}", "{book} 的工作表“{sheet}”")
BOOK = Msg("{book}", "{book}")


def target(edit: Edit) -> tuple[str, ...]:
    """The names the sheet an edit writes may have (an owned sheet: its name in either language)."""
    if isinstance(edit, PutSheet):
        return (edit.name, *edit.aliases)
    if isinstance(edit, (SetCells, SetHighlights)):
        return (edit.sheet,)
    return ()


def refuse_protected(book: Any, edits: Sequence[Edit], name: str) -> None:
    """Raise before anything is written when Excel would refuse: a protected sheet among those written, or a
    protected workbook structure when a sheet is to be added or renamed. Engines that cannot tell (xlwings
    Server) pass."""
    names = [sheet.name for sheet in book.sheets]
    written = dict.fromkeys(_existing(edit, names) for edit in edits)  # each sheet once, in the edits' order
    protected = [n for n in written if n and _asked(book.sheets[n].api, "ProtectContents", "protect_contents")]
    if protected:
        sheets = Msg("{en}", "{zh}", {"en": ", ".join(f"'{n}'" for n in protected),
                                      "zh": "、".join(f"“{n}”" for n in protected)})
        raise XlcrmError(PROTECTED_SHEETS(book=name, sheets=sheets))
    changed = [edit.name for edit in edits if isinstance(edit, PutSheet) and _existing(edit, names) != edit.name]
    if changed and _asked(book.api, "ProtectStructure", "protect_structure"):
        raise XlcrmError(PROTECTED_STRUCTURE(book=name, sheet=changed[0]))


def _existing(edit: Edit, names: list[str]) -> str | None:
    return next((n for n in target(edit) if n in names), None)


def _asked(api: Any, com: str, appscript: str) -> bool:
    """A yes/no property of an Excel object: pywin32 (Windows), then appscript (macOS); False where neither answers."""
    for ask in (lambda: getattr(api, com), lambda: getattr(api, appscript).get()):
        try:
            answer = ask()
        except Exception:  # noqa: BLE001 - not this platform's api, or an engine without one (xlwings Server)
            continue
        if isinstance(answer, bool):  # a stand-in object is no answer
            return answer
    return False


def refused(book: str, sheet: str | None, error: Exception) -> XlcrmError:
    place = SHEET_OF(sheet=sheet, book=book) if sheet else BOOK(book=book)
    return XlcrmError(EXCEL_REFUSED(place=place, excel=excel_said(error)))


def excel_said(error: Exception) -> str:
    """Excel's own sentence from a COM error (pywintypes.com_error: args (hresult, text, excepinfo, argerror),
    excepinfo's third item the description), else the error's first line."""
    info = getattr(error, "excepinfo", None)
    if info is None and len(error.args) > 2 and isinstance(error.args[2], tuple):
        info = error.args[2]
    if isinstance(info, tuple) and len(info) > 2 and info[2]:
        return " ".join(str(info[2]).split())[:300].rstrip("。. ")  # the message's own bracket ends it
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:300]}" if lines else type(error).__name__
