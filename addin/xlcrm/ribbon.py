"""What the CRM tab's buttons run: macros/xlcrm_ribbon.bas calls these through xlwings' RunPython.

Each entry point is thin: the workbook the button was clicked in, wrapped in the live
back-end, goes to the same action the command line runs; progress shows in Excel's
status bar and the outcome in one short message box. A problem the user can fix shows
its message; anything else a short note, with the details in a log file, never a
traceback. Each button imports its action when clicked, so a missing one only
affects its own button. `lang` comes from the ribbon (Excel's UI language).
"""

from __future__ import annotations

import logging
import logging.handlers
import struct
from pathlib import Path
from typing import Any, Callable, Sequence

from xlcrm import bootstrap
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg, default_lang

MAX_LINES, MAX_CHARS = 24, 1000  # a message box shows about this much
LOG_FILE = Path.home() / ".xlcrm" / "xlcrm.log"

BUTTONS = {
    "refresh_scores": Msg("Refresh scores", "刷新评分"),
    "highlight_followups": Msg("Highlight follow-ups", "标出待跟进"),
    "log_contact": Msg("Log contact", "记录跟进"),
    "preview_reminders": Msg("Preview reminders", "预览提醒"),
    "send_reminders": Msg("Send reminders", "发送提醒"),
    "build_report": Msg("Build report", "生成报告"),
    "settings": Msg("Settings", "设置"),
}
# What the VBA side asks before calling Python (kept there as \u escapes: VBA source is not Unicode).
PROMPTS = {
    "channel": Msg("How did you contact the customer in row {row}? (phone, visit, e-mail, WeChat, ...)",
                   "第 {row} 行的客户是怎样联系的?(电话、拜访、邮件、微信……)"),
    "channel_default": Msg("phone", "电话"),
    "note": Msg("What was said or agreed? (may be left empty)", "沟通内容或约定(可留空)"),
    "send": Msg("Send the due reminders now? Use Preview reminders first to check them.",
                "现在发送到期的提醒邮件吗?可先用“预览提醒”检查。"),
    # Said by VBA before Python runs (a click with nothing to work on, no Python), or instead of its traceback.
    "starting": Msg("xlcrm: starting Python ...", "xlcrm:正在启动 Python……"),
    "no_workbook": Msg("Open your customer workbook first, then click the button again.",
                       "请先打开客户跟踪工作簿,再点击此按钮。"),
    "protected_view": Msg("This workbook is open in Protected View, where nothing can change it. Click Enable "
                          "Editing in the yellow bar, then the button again.",
                          "此工作簿在受保护的视图中打开,无法修改。请点击黄色提示栏中的“启用编辑”,再点击此按钮。"),
    "not_a_worksheet": Msg("The active sheet is not a worksheet (a chart sheet?). Click the tab of your customer "
                           "sheet, then the button again.",
                           "当前选中的不是工作表(可能是图表工作表)。请点击客户表的工作表标签,再点击此按钮。"),
    "no_python": Msg("xlcrm does not know which Python to run: xlcrm.conf is missing. Install xlcrm (README: "
                     "Install on Windows / macOS), run `xlcrm install`, then start Excel again.",
                     "xlcrm 不知道该使用哪个 Python:缺少 xlcrm.conf。请安装 xlcrm(见 README 的安装说明),"
                     "运行 `xlcrm install`,然后重新打开 Excel。"),
    "python_gone": Msg("The Python that xlcrm was installed with is not there any more: {python}. Install xlcrm "
                       "into the Python you use now and run `xlcrm install` again.",
                       "安装 xlcrm 时使用的 Python 已不存在:{python}。请在现在使用的 Python 中安装 xlcrm,"
                       "并再次运行 `xlcrm install`。"),
    "not_installed": Msg("xlcrm is not installed in the Python Excel runs ({python}). Install it there (README: "
                         "Install on Windows / macOS) and run `xlcrm install` again. Details: {log}",
                         "Excel 所用的 Python({python})中没有安装 xlcrm。请在其中安装 xlcrm(见 README 的安装说明),"
                         "并再次运行 `xlcrm install`。详细信息:{log}"),
    "python_failed": Msg("Python stopped before xlcrm could say why. The details are in {log}: please send that "
                         "file with a short note of what you clicked.",
                         "Python 在 xlcrm 说明原因之前就停止了。详细信息在 {log},请把该文件连同操作说明一起发给维护人员。"),
    # A workbook whose path xlwings' RunPython cannot hand to the shell safely (Mac: $ ` " \ |; Windows: ^).
    "unsafe_name": Msg("xlcrm does not run on this workbook: its file name or folder has {chars}, which Excel would "
                       "hand to the command that starts Python, where they can run commands hidden in the name. Save "
                       "the workbook (File > Save As) under a name and in a folder without them, then click the "
                       "button again.",
                       "xlcrm 不能处理此工作簿:它的文件名或所在文件夹含有“{chars}”,Excel 会把这些字符交给启动 Python "
                       "的命令,名称中暗藏的命令可能因此被执行。请用“文件 > 另存为”以不含这些字符的名称保存到不含这些字符的"
                       "文件夹,再点击此按钮。"),
    # Log contact clicked on one of xlcrm's own sheets (the due list, most often): said before the two questions.
    "own_sheet": Msg("'{sheet}' is a sheet xlcrm writes: it has no customer to log. Select the customer's row in your "
                     "customer sheet (on the due list, its Row column says which), then click Log contact again.",
                     "“{sheet}”是 xlcrm 生成的工作表,其中没有可记录的客户。请在客户表中选中该客户所在的行"
                     "(待跟进清单的“行号”列给出了行号),再点击“记录跟进”。"),
    # On a Mac, instead of xlwings' "run 'xlwings runpython install'": Excel cannot run the script that starts Python.
    "no_run_script": Msg("Excel cannot run xlwings' RunPython script {script} (it belongs in ~/Library/Application "
                         "Scripts/com.microsoft.Excel). Quit Excel, run `xlcrm install` again, then start Excel and "
                         "click the button again.",
                         "Excel 无法运行 xlwings 的 RunPython 脚本 {script}(应在 ~/Library/Application Scripts/"
                         "com.microsoft.Excel 中)。请退出 Excel,再次运行 `xlcrm install`,然后重新打开 Excel "
                         "并再次点击此按钮。"),
}
TITLE = Msg("xlcrm: {button}", "xlcrm:{button}")
MORE = Msg("… ({count} more lines)", "……(另有 {count} 行)")
NOT_AVAILABLE = Msg("'{button}' is not available in this version of xlcrm. Update it: pip install -U xlcrm",
                    "此版本的 xlcrm 还没有“{button}”功能。请更新:pip install -U xlcrm")
UNEXPECTED = Msg("Something went wrong: {error}\n\nThe details are in {log}. Please send that file with a short "
                 "note of what you clicked.",
                 "运行出错:{error}\n\n详细信息已写入 {log},请把该文件连同操作说明一起发给维护人员。")


def refresh_scores(lang: str | None = None) -> None:
    def run(book, progress, window):
        from xlcrm.actions.refresh import refresh

        return refresh(book, progress=progress, team=bootstrap.store_connector())

    _click("refresh_scores", lang, run)


def highlight_followups(lang: str | None = None) -> None:
    def run(book, progress, window):
        from xlcrm.actions.followups import followups

        return followups(book, progress=progress, team=bootstrap.store_connector())

    _click("highlight_followups", lang, run)


def log_contact(channel: Sequence[int] | str, note: Sequence[int] | str, sheet: Sequence[int] | str = (),
                row: int = 0, lang: str | None = None) -> None:
    """channel, note and the sheet's name arrive as UTF-16 code units: text typed by the user never becomes Python
    code. sheet and row are the selection the ribbon asked about (row 0: no cells were selected): on a Mac Python
    starts seconds later, when another row may be selected, so the selection is not read again here. An add-in
    built before these were passed calls log_contact(channel, note, lang): then the selection is all there is."""
    from_older_addin = isinstance(sheet, str) and row == 0 and lang is None
    if from_older_addin:
        lang, sheet = str(sheet), ()

    def run(book, progress, window):
        from xlcrm.actions.contact_log import log_contact as log
        from xlcrm.actions.selection import customer_at

        asked = window.selected_row() if from_older_addin else (_text(sheet), row) if row > 0 else None
        return log(book, customer=customer_at(book, asked), channel=_text(channel), note=_text(note),
                   team=bootstrap.store_connector())

    _click("log_contact", lang, run)


def preview_reminders(lang: str | None = None) -> None:
    def run(book, progress, window):
        from xlcrm.actions.remind import RemindRequest, remind

        return remind(book, RemindRequest(send=False), progress=progress, team=bootstrap.store_connector())

    _click("preview_reminders", lang, run)


def send_reminders(lang: str | None = None) -> None:
    """The ribbon has asked the user to confirm before calling this."""

    def run(book, progress, window):
        from xlcrm.actions.remind import RemindRequest, remind

        return remind(book, RemindRequest(send=True), mailer=bootstrap.mailer(), progress=progress,
                      team=bootstrap.store_connector())

    _click("send_reminders", lang, run)


def build_report(lang: str | None = None) -> None:
    def run(book, progress, window):
        from xlcrm.actions.report import report

        return report(book, progress=progress, team=bootstrap.store_connector())

    _click("build_report", lang, run)


def settings(lang: str | None = None) -> None:
    def run(book, progress, window):
        from xlcrm.actions.check import check
        from xlcrm.core.sheets import sheet_name

        result = check(book, team=bootstrap.store_connector())
        session = result.session  # the settings sheet the session used: renamed by the team, or by its name
        window.activate(session.own_sheet("settings") or sheet_name("settings", session.lang))
        return result

    _click("settings", lang, run)


def _text(units: Sequence[int] | str) -> str:
    if isinstance(units, str):
        return units
    return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", "replace")


def _click(button: str, lang: str | None, run: Callable[..., Any]) -> None:
    """Caller book -> live back-end -> action -> status bar progress -> message box."""
    from xlcrm.book.live.excel import ExcelWindow, status_progress

    lang = lang if lang in ("zh", "en") else default_lang()
    window = None
    try:
        window = ExcelWindow.caller()
        with bootstrap.collector_paused():
            result = run(bootstrap.live_book(window.book), status_progress(window, lang), window)
        lang = getattr(getattr(result, "session", None), "lang", None) or lang
        window.message(message_text(result.lines(lang), lang), TITLE(button=BUTTONS[button]).text(lang))
    except XlcrmError as error:
        if error.__cause__ is not None and not isinstance(error.__cause__, XlcrmError):
            _log(button)  # Excel's own failure, said in words: its traceback kept for whoever looks into it
        _show(window, error.text(lang), button, lang)
    except Exception as error:  # a bug or an Excel hiccup: a short note here, the traceback in the log
        if isinstance(error, ModuleNotFoundError) and (error.name or "").startswith("xlcrm."):  # a partial install
            _show(window, NOT_AVAILABLE(button=BUTTONS[button]).text(lang), button, lang)
            return
        _show(window, UNEXPECTED(error=f"{type(error).__name__}: {error}", log=_log(button)).text(lang), button, lang)
    finally:
        if window is not None:
            _quietly(window.clear_status)


def message_text(lines: list[str], lang: str) -> str:
    """The result's lines as a message box can show them: every headline, fewer details when long."""
    for keep in (None, 8, 4, 2, 1, 0):
        shown = _details_cut(lines, keep, lang)
        if len(shown) <= MAX_LINES and sum(map(len, shown)) <= MAX_CHARS:
            break
    return "\n".join(shown[:MAX_LINES])


def _details_cut(lines: list[str], keep: int | None, lang: str) -> list[str]:
    """Indented detail lines after each headline cut to `keep`, with a line saying how many more."""
    shown: list[str] = []
    run = hidden = 0
    for line in [*lines, None]:
        if line is not None and line.startswith(" "):
            run += 1
            if keep is None or run <= keep:
                shown.append(line)
            else:
                hidden += 1
            continue
        if hidden:
            shown.append("  " + MORE(count=hidden).text(lang))
        run = hidden = 0
        if line is not None:
            shown.append(line)
    return shown


def _show(window, text: str, button: str, lang: str) -> None:
    if window is None:  # Excel could not be reached: nowhere to show it but the log
        _log(button)
        return
    _quietly(lambda: window.message(text, TITLE(button=BUTTONS[button]).text(lang), error=True))


def _quietly(call: Callable[[], Any]) -> None:
    try:
        call()
    except Exception:  # Excel went away while we were reporting: the log has the story
        _log("report")


def _log(button: str) -> Path:
    """The current exception, with its traceback, appended to the log file (kept under 1 MB)."""
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("xlcrm.ribbon")
    if not logger.handlers:
        handler = logging.handlers.RotatingFileHandler(LOG_FILE, maxBytes=1_000_000, backupCount=1, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.exception("button %s failed", button)
    return LOG_FILE
