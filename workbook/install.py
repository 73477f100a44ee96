"""`xlcrm install` / `xlcrm uninstall`: the CRM tab in desktop Excel on Windows or macOS.

Excel loads every add-in in the user's startup folder (XLSTART) when it starts, so the
install copies xlcrm.xlam there (built here, see build.py; it carries xlwings' VBA, so
xlwings' own add-in and tab are not needed) and tells it which Python to run: its VBA reads
INTERPRETER_WIN / INTERPRETER_MAC from xlcrm.conf with `Input #`, which decodes the bytes in
the system's ANSI code page (cp936 on a Chinese Windows), not UTF-8, so the file is written
in that code page. It also keeps the workbook's folder off Python's path (ADD_WORKBOOK_TO_PYTHONPATH),
and the add-in reads no setting from the workbook or its folder (see build.py). On macOS, Excel may
only run scripts from its Application Scripts folder, so xlwings' RunPython AppleScript goes there.
What an install placed is listed beside the config file, and `xlcrm uninstall` removes exactly that.
"""

from __future__ import annotations

import importlib.util
import os
import functools
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Callable

from xlcrm import files
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.workbook.build import ADDIN, PROJECT_NAME, build_addin

WINDOWS, MAC = "windows", "mac"
MANIFEST = "xlcrm-installed.txt"

NO_EXCEL = Msg(
    "xlcrm {command} sets up desktop Excel, which runs on Windows and macOS; this is {system}, where Excel "
    "cannot run. Run it on the Windows or Mac computer that has Excel (see the README, Install on Windows); "
    "`xlcrm {command} --dry-run --platform windows` (or mac) shows here what it would do there. "
    "Here the command line works on the workbook file itself, e.g. `xlcrm check BOOK.xlsx`.",
    "xlcrm {command} 用于设置桌面版 Excel,Excel 只能在 Windows 和 macOS 上运行;当前系统是 {system},无法运行 Excel。"
    "请在装有 Excel 的 Windows 或 Mac 电脑上运行(见 README 的安装说明);"
    "`xlcrm {command} --dry-run --platform windows`(或 mac)可在这里查看它在那台电脑上会做什么。"
    "在这里可以直接用命令行处理工作簿文件,例如 `xlcrm check 工作簿.xlsx`。")
ONLY_DESCRIBED = Msg("Run `xlcrm {command}` on the {system} computer that has Excel; on this {here} computer, "
                     "--platform {system} only shows the plan (with --dry-run).",
                     "请在装有 Excel 的那台 {system} 电脑上运行 `xlcrm {command}`;在这台 {here} 电脑上,"
                     "--platform {system} 只能查看计划(加 --dry-run)。")
NOT_READABLE = Msg(
    "The path of this Python, {python}, cannot be written so that Excel's macros read it back: they read "
    "xlcrm.conf in {codepage}, which has no {chars}. Install Python in a folder whose path has only "
    "characters of that code page (e.g. for all users, under C:\\Program Files), install xlcrm into it, "
    "and run `xlcrm install` with it.",
    "当前 Python 的路径 {python} 无法写成 Excel 宏能正确读回的形式:宏按 {codepage} 编码读取 xlcrm.conf,"
    "而该编码没有“{chars}”。请把 Python 安装到路径中只含该编码字符的文件夹(例如为所有用户安装到 C:\\Program Files 下),"
    "在其中安装 xlcrm,再用它运行 `xlcrm install`。")
HOME_NOT_READABLE = Msg(
    "Excel's macros cannot find your user folder {folder}: they read its name in {codepage}, which has no {chars}, "
    "so every CRM button would say that xlcrm.conf is missing. Either set Windows' language for non-Unicode "
    "programs to one that has them (Control Panel > Region > Administrative > Change system locale: e.g. Chinese "
    "(Simplified) for a Chinese name, or tick Beta: Use Unicode UTF-8), restart Windows and run `xlcrm install` "
    "again; or install from a Windows user account whose folder name has only characters of {codepage}.",
    "Excel 宏找不到您的用户文件夹 {folder}:宏按 {codepage} 编码读取其名称,而该编码没有“{chars}”,"
    "因此每个 CRM 按钮都会提示缺少 xlcrm.conf。请把 Windows 的“非 Unicode 程序的语言”设为包含这些字符的语言"
    "(控制面板 > 区域 > 管理 > 更改系统区域设置:例如中文名用“中文(简体,中国)”,或勾选“Beta 版:使用 Unicode UTF-8”),"
    "重启 Windows 后再次运行 `xlcrm install`;或改用用户文件夹名只含 {codepage} 字符的 Windows 帐户安装。")
TEMP_NOT_READABLE = Msg(
    "Excel's macros cannot use your temporary folder {folder} (the TEMP variable): they read its name in "
    "{codepage}, which has no {chars}, so Excel could not start Python. Set TEMP and TMP for your account to a "
    "folder whose path has only characters of {codepage}, e.g. C:\\Temp (Start: search \"environment "
    "variables\", Edit environment variables for your account), sign out and in again, and run `xlcrm install` "
    "again.",
    "Excel 宏无法使用您的临时文件夹 {folder}(TEMP 环境变量):宏按 {codepage} 编码读取其名称,而该编码没有“{chars}”,"
    "因此 Excel 无法启动 Python。请把您帐户的 TEMP 和 TMP 设为路径只含 {codepage} 字符的文件夹,例如 C:\\Temp"
    "(开始菜单搜索“环境变量”,选择“编辑您的帐户的环境变量”),注销并重新登录后再次运行 `xlcrm install`。")
STORE_PYTHON = Msg(
    "This Python, {python}, is the Microsoft Store's. Windows keeps the files it writes into your AppData in the "
    "Store app's own private copy, so Excel would never find the add-in (no CRM tab). Install Python with the "
    "installer from https://www.python.org/downloads/windows/, install xlcrm into it (README: Install on Windows), "
    "and run `xlcrm install` with that Python.",
    "当前 Python {python} 来自 Microsoft Store。Windows 会把它写入 AppData 的文件放进 Store 应用自己的私有副本,"
    "Excel 因而找不到加载项(不会出现 CRM 选项卡)。请用 https://www.python.org/downloads/windows/ 的安装程序安装 "
    "Python,在其中安装 xlcrm(见 README 的 Windows 安装说明),再用该 Python 运行 `xlcrm install`。")
NOT_FOR_MAC_SHELL = Msg(
    "The path of this Python, {python}, has {chars}, which Excel on a Mac cannot pass on to the shell that starts "
    "Python (xlwings' RunPython script splits its arguments at | and reads \\ as an escape). Install Python, or "
    "make the virtual environment, in a folder whose path has neither, install xlcrm into it, and run "
    "`xlcrm install` with it. (Spaces in the path are fine.)",
    "当前 Python 的路径 {python} 含有“{chars}”,Mac 上的 Excel 无法把它交给启动 Python 的 shell"
    "(xlwings 的 RunPython 脚本用 | 分隔参数,并把 \\ 当作转义符)。请把 Python 或虚拟环境安装到路径中不含这些字符的文件夹,"
    "在其中安装 xlcrm,再用它运行 `xlcrm install`。(路径中有空格没有问题。)")
EXCEL_OPEN = Msg("Cannot change {path}: {why}. Quit Excel and run `xlcrm {command}` again.",
                 "无法修改 {path}:{why}。请先退出 Excel,再运行 `xlcrm {command}`。")
BUILD_ADDIN = Msg("Build xlcrm.xlam and copy it to {path} (Excel loads it at start: the CRM tab)",
                  "生成 xlcrm.xlam 并复制到 {path}(Excel 启动时加载,即 CRM 选项卡)")
CONFIG = Msg("Write {path} in {codepage}, as Excel's macros read it: the buttons run {python}",
             "以 {codepage} 编码写入 {path}(Excel 宏按此编码读取):按钮将使用 {python}")
COPY = Msg("Copy {what} to {path}", "把 {what} 复制到 {path}")
APPLESCRIPT = Msg("xlwings' RunPython AppleScript", "xlwings 的 RunPython AppleScript")
RECORD = Msg("Write {path}: the list of these files, for `xlcrm uninstall`",
             "写入 {path}:以上文件的清单,供 `xlcrm uninstall` 使用")
REMOVE = Msg("Remove {path}", "删除 {path}")
XLWINGS_ADDIN_STAYS = Msg("{path} stays: xlcrm no longer needs xlwings' add-in; delete it if you do not use "
                          "the xlwings tab yourself.",
                          "{path} 保留不动:xlcrm 已不再需要 xlwings 加载项;如果您自己不用 xlwings 选项卡,可以删除它。")
NOTHING_INSTALLED = Msg("Nothing of xlcrm is installed in Excel here.", "这里的 Excel 中没有安装 xlcrm 的任何文件。")
INSTALLED = Msg("Done. Quit Excel completely and start it again: the CRM tab appears on every workbook.",
                "完成。请完全退出 Excel 后重新打开:每个工作簿都会出现 CRM 选项卡。")
UNINSTALLED = Msg("Done. Start Excel again: the CRM tab is gone; your workbooks are untouched.",
                  "完成。重新打开 Excel 后 CRM 选项卡即消失;您的工作簿不受影响。")
WOULD = Msg("xlcrm {command} would:", "xlcrm {command} 将会:")
ANSI_THERE = Msg("the ANSI code page of that Windows (cp936 on a Chinese Windows, cp1252 on a Western one)",
                 "那台 Windows 的 ANSI 代码页(中文 Windows 为 cp936,西文为 cp1252)")
PYTHON_THERE = Msg("the Python that runs `xlcrm install` there", "在那台电脑上运行 `xlcrm install` 的 Python")


@dataclass(frozen=True)
class Target:
    """The computer an install is for: its system, its user's folders, its Python and the code page its VBA reads."""

    system: str  # WINDOWS or MAC
    home: PurePath
    python: str | Msg
    codepage: str | Msg  # a Python codec name, or (when described from elsewhere) what it will be
    appdata: PurePath | None = None
    here: bool = True  # False: another computer's plan, to be described only
    temp: PurePath | None = None  # Windows: %TEMP%, where xlwings' VBA sends Python's error output
    base: PurePath | None = None  # the Python installation behind python (sys.base_prefix: a venv's own Python)

    @classmethod
    def this_computer(cls, command: str = "install") -> "Target":
        system = {"win32": WINDOWS, "darwin": MAC}.get(sys.platform)
        if system is None:
            raise XlcrmError(NO_EXCEL(command=command, system=_system_name(sys.platform)))
        appdata = Path(os.environ["APPDATA"]) if system == WINDOWS and os.environ.get("APPDATA") else None
        temp = Path(os.environ["TEMP"]) if system == WINDOWS and os.environ.get("TEMP") else None
        return cls(system, Path.home(), sys.executable, _ansi_codepage() if system == WINDOWS else "ascii", appdata,
                   temp=temp, base=Path(sys.base_prefix))

    @classmethod
    def described(cls, system: str) -> "Target":
        """Another system's install, told with its folders as that system's user would read them."""
        if system == WINDOWS:
            return cls(WINDOWS, PureWindowsPath("%USERPROFILE%"), PYTHON_THERE, ANSI_THERE,
                       PureWindowsPath("%APPDATA%"), here=False)
        return cls(MAC, PurePosixPath("~"), PYTHON_THERE, "ascii", here=False)


def target_for(platform: str | None, command: str) -> Target:
    """The computer `--platform` names (described), or this one."""
    if platform is None or _this_system() == platform:
        return Target.this_computer(command)
    return Target.described(platform)


def _this_system() -> str | None:
    return {"win32": WINDOWS, "darwin": MAC}.get(sys.platform)


def _system_name(platform: str) -> str:
    return {"linux": "Linux"}.get(platform, platform)


def _ansi_codepage() -> str:
    """What VBA's `Input #` decodes with: the system's ANSI code page (cp65001 where Windows runs UTF-8)."""
    import ctypes

    return f"cp{ctypes.windll.kernel32.GetACP()}"  # type: ignore[attr-defined]  # windll: Windows only, mypy checks as Linux


@dataclass(frozen=True)
class Places:
    """Where Excel looks, per platform (the defaults of a per-user Office installation)."""

    startup: PurePath
    config: PurePath
    scripts: PurePath | None = None
    manifest: PurePath = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "manifest", self.config.parent / MANIFEST)

    @classmethod
    def of(cls, target: Target) -> "Places":
        home = target.home
        if target.system == WINDOWS:
            appdata = target.appdata or home / "AppData" / "Roaming"
            return cls(appdata / "Microsoft" / "Excel" / "XLSTART", home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf")
        sandbox = home / "Library" / "Containers" / "com.microsoft.Excel" / "Data"  # Excel's $HOME
        office = home / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
        return cls(office / "Startup.localized" / "Excel", sandbox / f"{PROJECT_NAME}.conf",
                   home / "Library" / "Application Scripts" / "com.microsoft.Excel")


@dataclass(frozen=True)
class Step:
    what: Msg
    run: Callable[[], None]
    placed: PurePath | None = None  # the file this step puts on the computer


def config_text(target: Target) -> bytes:
    """xlcrm.conf as xlwings' VBA reads it back (`Input #` in the code page), or a clear refusal."""
    key = "INTERPRETER_MAC" if target.system == MAC else "INTERPRETER_WIN"
    if target.system == WINDOWS:
        _folders_readable(target)
    python = str(target.python)
    unreadable = sorted({c for c in python if c == '"' or not _encodes(c, str(target.codepage))})
    if unreadable:
        raise XlcrmError(NOT_READABLE(python=python, codepage=target.codepage, chars="".join(unreadable)))
    # On a Mac the VBA hands the path to xlwings' AppleScript, quoted for the shell (build.py: a space is fine),
    # in one string it splits at "|"; on its way ToPosixPath puts it into an AppleScript literal, where \ escapes.
    unpassable = sorted(set(python) & {"|", "\\"}) if target.system == MAC else []
    if unpassable:
        raise XlcrmError(NOT_FOR_MAC_SHELL(python=python, chars="".join(unpassable)))
    # xlwings' default "true" puts the workbook's folder first on sys.path: a module planted beside a
    # downloaded workbook (Downloads) would run on a click. GetConfigFromFile compares names ignoring case.
    lines = [(key, python), ("ADD_WORKBOOK_TO_PYTHONPATH", "false")]
    return "".join(f'"{name}","{value}"\r\n' for name, value in lines).encode(str(target.codepage))


def _folders_readable(target: Target) -> None:
    """VBA's Environ and file statements go through the ANSI code page too: the config under the user's folder
    (Environ("USERPROFILE")) and the file xlwings sends Python's errors to (Environ("Temp")) must survive it.
    Checked before the Python's path: no other Python would help."""
    for folder, refusal in ((target.home, HOME_NOT_READABLE), (target.temp, TEMP_NOT_READABLE)):
        unreadable = dict.fromkeys(c for c in str(folder or "") if not _encodes(c, str(target.codepage)))
        if unreadable:
            raise XlcrmError(refusal(folder=folder, codepage=target.codepage, chars="".join(unreadable)))


def _from_the_store(target: Target) -> bool:
    """A Microsoft Store Python (or a venv made from one): it runs from a WindowsApps folder, as a packaged app."""
    paths = (str(target.python), str(target.base or ""))
    return any("windowsapps" in (part.lower() for part in PureWindowsPath(path).parts) for path in paths)


def _encodes(char: str, codepage: str) -> bool:
    try:
        char.encode(codepage)
    except UnicodeEncodeError:
        return False
    return True


def _xlwings_dir() -> Path:
    spec = importlib.util.find_spec("xlwings")
    assert spec is not None and spec.origin is not None  # a dependency of xlcrm
    return Path(spec.origin).parent


def _applescript() -> str:
    from importlib.metadata import version

    return f"xlwings-{version('xlwings')}.applescript"


def install_plan(target: Target) -> list[Step]:
    """What an install does, step by step (nothing is done until a step runs)."""
    places = Places.of(target)
    addin = places.startup / ADDIN
    if target.here and target.system == WINDOWS and _from_the_store(target):
        raise XlcrmError(STORE_PYTHON(python=target.python))
    steps = [Step(BUILD_ADDIN(path=addin), lambda: _install_addin(Path(addin)), addin)]
    if target.here:
        conf = config_text(target)
        steps.append(Step(CONFIG(path=places.config, codepage=target.codepage, python=target.python),
                          lambda: _write(Path(places.config), conf, "install"), places.config))
    else:
        steps.append(Step(CONFIG(path=places.config, codepage=target.codepage, python=target.python),
                          _described, places.config))
    if places.scripts is not None:
        script = places.scripts / _applescript()
        if not (target.here and Path(script).exists()):  # one already there is someone else's: left alone
            steps.append(Step(COPY(what=APPLESCRIPT, path=script),
                              lambda: _copy(_xlwings_dir() / script.name, Path(script)), script))
    placed = [str(s.placed) for s in steps]
    steps.append(Step(RECORD(path=places.manifest),
                      lambda: _write(Path(places.manifest), ("\n".join(placed) + "\n").encode("utf-8"), "install")))
    return steps


def uninstall_plan(target: Target) -> list[Step]:
    """Removing exactly what install placed (its list; without one, xlcrm's own two files)."""
    places = Places.of(target)
    if target.here and Path(places.manifest).exists():
        listed = [PurePath(line) for line in Path(places.manifest).read_text(encoding="utf-8").splitlines() if line]
    else:
        listed = [places.startup / ADDIN, places.config]
        if places.scripts is not None and not target.here:
            listed.append(places.scripts / _applescript())  # when the install placed it
    listed.append(places.manifest)
    present = [p for p in listed if not target.here or Path(p).exists()]
    return [Step(REMOVE(path=p), functools.partial(_remove, Path(p)) if target.here else _described, p) for p in present]


def _described() -> None:
    raise AssertionError("a described plan is never carried out")


def _install_addin(target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="xlcrm-install-") as scratch:
        _copy(build_addin(Path(scratch)), target)


def _copy(source: Path, target: Path) -> None:
    """Whole or not at all: Excel never starts on half an add-in."""
    def copy() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        files.write_bytes(target, source.read_bytes())

    _guarded(target, "install", copy)


def _write(target: Path, data: bytes, command: str) -> None:
    def write() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        files.write_bytes(target, data)

    _guarded(target, command, write)


def _remove(target: Path) -> None:
    _guarded(target, "uninstall", lambda: target.unlink(missing_ok=True))
    if target.name == MANIFEST and target.parent.name == f".{PROJECT_NAME}":
        try:
            target.parent.rmdir()  # only when empty: the ribbon's log file may live there
        except OSError:
            pass


def _guarded(target: Path, command: str, change: Callable[[], object]) -> None:
    try:
        change()
    except OSError as error:  # most often: Excel is running and holds the add-in open
        raise XlcrmError(EXCEL_OPEN(path=target, why=error.strerror or str(error), command=command)) from error


def install(target: Target, dry_run: bool = False) -> list[Msg]:
    """Carry out (or with dry_run only describe) the install; returns the lines to show."""
    return _carry_out("install", target, install_plan(target), dry_run, INSTALLED, _leftovers(target))


def uninstall(target: Target, dry_run: bool = False) -> list[Msg]:
    steps = uninstall_plan(target)
    if not steps:
        return [NOTHING_INSTALLED]
    return _carry_out("uninstall", target, steps, dry_run, UNINSTALLED, _leftovers(target))


def _leftovers(target: Target) -> list[Msg]:
    """xlwings' add-in, which earlier xlcrm versions (or the user) put into the startup folder, is not ours to remove."""
    xlwings_addin = Places.of(target).startup / "xlwings.xlam"
    return [XLWINGS_ADDIN_STAYS(path=xlwings_addin)] if target.here and Path(xlwings_addin).exists() else []


def _carry_out(command: str, target: Target, steps: list[Step], dry_run: bool, done: Msg,
               notes: list[Msg]) -> list[Msg]:
    if not target.here and not dry_run:
        raise XlcrmError(ONLY_DESCRIBED(system=target.system, command=command,
                                        here=_system_name(sys.platform)))
    if dry_run:
        return [WOULD(command=command)] + [_prefixed("  - ", s.what) for s in steps] + notes
    for step in steps:
        step.run()
    return [_prefixed("✓ ", s.what) for s in steps] + notes + [done]


def _prefixed(prefix: str, message: Msg) -> Msg:
    return Msg(prefix + message.en, prefix + message.zh, message.args)
