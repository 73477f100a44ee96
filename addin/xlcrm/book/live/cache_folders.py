"""Folders that empty themselves: where a workbook opened straight from an e-mail or from inside a .zip lives.

Outlook opens an attachment from its cache (...\\INetCache\\Content.Outlook\\<random>\\), Explorer a file inside a
.zip from a copy in %TEMP% (Temp1_<name>.zip\\); Outlook and Windows empty both. xlcrm keeps its outbox and the
send journal (the record that stops a message from going out twice) beside the workbook: there they would vanish,
and the next send from the team's real file would know nothing of the messages already sent.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from xlcrm.core.i18n import Msg

IN_CACHE = Msg("{book} is open from {where}, which is emptied by itself. xlcrm keeps its outbox and its send journal "
               "(the record that stops a message from going out twice) beside the workbook, and they would be lost "
               "there. Save the workbook to a folder on this computer first (File > Save As, e.g. Documents; a .zip: "
               "extract it first), open it from there and click again.",
               "{book} 是从{where}打开的,该文件夹会被自动清空。xlcrm 会把发件箱和发送日志(防止同一封邮件重复发出的"
               "记录)放在工作簿旁边,放在那里会丢失。请先把工作簿保存到本机的普通文件夹(“文件”>“另存为”,例如"
               "“文档”;.zip 请先解压),再从那里打开,然后再点一次。")
ATTACHMENT = Msg("an e-mail program's or browser's cache ({folder})", "邮件程序或浏览器的缓存文件夹({folder})")
INSIDE_ZIP = Msg("inside a .zip file, unpacked to a temporary folder ({folder})",
                 "一个 .zip 压缩包内(被解压到临时文件夹 {folder})")
TEMPORARY = Msg("a temporary folder ({folder})", "临时文件夹({folder})")

# Folder names (lower case) of caches: Outlook's attachments, Internet Explorer's and Office's downloads
CACHES = {"content.outlook", "inetcache", "temporary internet files", "content.ie5", "content.mso", "outlook temp"}
_EXPLORER_ZIP = re.compile(r"temp\d+_.*\.zip", re.IGNORECASE)  # Explorer's copy of a .zip's content


def cache_folder(fullname: str) -> Msg | None:
    """Where the workbook at fullname is, said for the user, if that folder empties by itself; None otherwise."""
    path: PurePath = PureWindowsPath(fullname)
    if not path.is_absolute():
        path = PurePosixPath(fullname)
    folder = str(path.parent)
    parts = [part.lower() for part in path.parent.parts]
    if any(part in CACHES for part in parts) or _in_outlook_for_mac(parts):
        return ATTACHMENT(folder=folder)
    if any(_EXPLORER_ZIP.fullmatch(part) for part in parts):
        return INSIDE_ZIP(folder=folder)
    if _within(parts, ["appdata", "local", "temp"]) or any(_under(parts, temp) for temp in _temp_folders()):
        return TEMPORARY(folder=folder)
    return None


def _in_outlook_for_mac(parts: list[str]) -> bool:
    """Outlook for Mac opens attachments from its sandbox (~/Library/Containers/com.microsoft.Outlook/...)."""
    return _within(parts, ["library", "containers", "com.microsoft.outlook"])


def _within(parts: list[str], run: list[str]) -> bool:
    return any(parts[i:i + len(run)] == run for i in range(len(parts) - len(run) + 1))


def _under(parts: list[str], folder: list[str]) -> bool:
    return len(folder) > 1 and parts[:len(folder)] == folder


def _temp_folders() -> list[list[str]]:
    """Windows' %TEMP% and %TMP% (elsewhere the temporary folder holds no workbook Excel opens)."""
    if not sys.platform.startswith("win"):
        return []
    return [[part.lower() for part in PureWindowsPath(value).parts]
            for value in (os.environ.get("TEMP"), os.environ.get("TMP")) if value]
