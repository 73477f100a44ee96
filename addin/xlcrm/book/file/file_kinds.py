"""What a file given as a workbook really is, when it is not a usable .xlsx/.xlsm: said before anything reads it."""

from __future__ import annotations

from pathlib import Path

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg

SUFFIXES = {".xlsx", ".xlsm"}

WRONG_TYPE = Msg("{path}: xlcrm works on .xlsx and .xlsm workbooks; save this file as .xlsx in Excel first.",
                 "{path}:xlcrm 只处理 .xlsx 和 .xlsm 工作簿;请先在 Excel 中另存为 .xlsx。")
SAVE_AS = Msg("In Excel: File > Save As > 'Excel Workbook (*.xlsx)', then run xlcrm on the new .xlsx file. "
              "Nothing was changed.",
              "在 Excel 中:文件 > 另存为 >“Excel 工作簿(*.xlsx)”,再对新的 .xlsx 文件运行 xlcrm。原文件未做任何改动。")
KINDS = {  # what the file really is (by its content, or its name when the content says nothing)
    "xls": Msg("{path} is an old Excel 97-2003 workbook (.xls), which xlcrm cannot write without losing parts of it.",
               "{path} 是旧版 Excel 97-2003 工作簿(.xls),xlcrm 无法在不丢失内容的情况下写入这种格式。"),
    "encrypted": Msg("{path} is protected with a password to open it; xlcrm cannot read an encrypted workbook. "
                     "In Excel: File > Info > Protect Workbook > Encrypt with Password, clear the password and save, "
                     "or save an unprotected copy as .xlsx.",
                     "{path} 设置了打开密码(已加密),xlcrm 无法读取加密的工作簿。请在 Excel 中:文件 > 信息 > 保护工作簿 > "
                     "用密码进行加密,清空密码后保存;或另存一份不加密的 .xlsx。"),
    "xlsb": Msg("{path} is an Excel binary workbook (.xlsb), which xlcrm cannot write.",
                "{path} 是 Excel 二进制工作簿(.xlsb),xlcrm 无法写入这种格式。"),
    "ods": Msg("{path} is an OpenDocument spreadsheet (.ods).", "{path} 是 OpenDocument 电子表格(.ods)。"),
    "csv": Msg("{path} is a text file (CSV or similar): one sheet, no formats, no room for xlcrm's settings sheet.",
               "{path} 是文本文件(CSV 等):只有一张表,没有格式,也放不下 xlcrm 的设置表。"),
    "html": Msg("{path} is a web page (HTML) saved with an Excel name, as some systems export it.",
                "{path} 其实是网页(HTML)文件,只是用了 Excel 的文件名(有些系统导出时如此)。"),
}
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # the container of .xls files and of encrypted .xlsx files


def file_kind(path: Path) -> str | None:
    """What a file that is not a usable .xlsx/.xlsm really is, judged by its first bytes (then its name); None: go on."""
    with path.open("rb") as stream:
        head = stream.read(4096)
        if head.startswith(OLE_MAGIC):  # an encrypted .xlsx hides its package in the same container as a .xls
            return "encrypted" if "EncryptionInfo".encode("utf-16-le") in head + stream.read() else "xls"
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument" in head[:200]:
            return "ods"
        return {".xlsb": "xlsb", ".ods": "ods"}.get(suffix, None if suffix in SUFFIXES else "other")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and (b"<html" in text or b"<table" in text or b"office:spreadsheet" in text):
        return "xls" if b"office:spreadsheet" in text else "html"
    if suffix in (".csv", ".txt", ".tsv", ".prn"):
        return "csv"
    return None if suffix in SUFFIXES else "other"


def kind_error(path: Path, kind: str) -> XlcrmError:
    if kind == "encrypted":
        return XlcrmError(KINDS[kind](path=path.name))
    if kind == "other":
        return XlcrmError(WRONG_TYPE(path=path.name))
    return XlcrmError(Msg("{what} {todo}", "{what}{todo}")(what=KINDS[kind](path=path.name), todo=SAVE_AS))
