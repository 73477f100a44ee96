"""`xlcrm install`: put the CRM tab into desktop Excel on Windows or macOS.

Excel loads every add-in in the user's startup folder (XLSTART) when it starts, so the
install copies xlcrm.xlam (built here, see build.py) and xlwings' own add-in there, and
tells the add-in which Python to run: xlwings reads INTERPRETER_WIN / INTERPRETER_MAC from
xlcrm's config file (the PROJECT_NAME of the built VBA module). On macOS, Excel may only
run scripts from its Application Scripts folder, so xlwings' RunPython AppleScript goes
there. Nothing else is touched: an existing xlwings config is left as it is.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from xlcrm import files
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.workbook.build import ADDIN, PROJECT_NAME, build_addin

NO_EXCEL = Msg(
    "xlcrm install sets up desktop Excel, which runs on Windows and macOS; this is {system}, where Excel "
    "cannot run. Run `pip install xlcrm` and `xlcrm install` on the Windows or Mac computer that has Excel. "
    "Here the command line works on the workbook file itself, e.g. `xlcrm check BOOK.xlsx`.",
    "xlcrm install 用于在桌面版 Excel 中安装 CRM 选项卡,Excel 只能在 Windows 和 macOS 上运行;当前系统是 {system},"
    "无法运行 Excel。请在装有 Excel 的 Windows 或 Mac 电脑上执行 `pip install xlcrm` 和 `xlcrm install`。"
    "在这里可以直接用命令行处理工作簿文件,例如 `xlcrm check 工作簿.xlsx`。")
EXCEL_OPEN = Msg("Cannot write {path}: {why}. Quit Excel and run `xlcrm install` again.",
                 "无法写入 {path}:{why}。请先退出 Excel,再运行 `xlcrm install`。")
COPY = Msg("Copy {what} to {path}", "把 {what} 复制到 {path}")
BUILD_ADDIN = Msg("Build xlcrm.xlam and copy it to {path} (Excel loads it at start: the CRM tab)",
                  "生成 xlcrm.xlam 并复制到 {path}(Excel 启动时加载,即 CRM 选项卡)")
CONFIG = Msg("Write {path}: Excel's buttons run {python}", "写入 {path}:Excel 的按钮将使用 {python}")
XLWINGS_CONFIG = Msg("Write {path} for the xlwings add-in ({python}), as it does not exist yet",
                     "写入 {path}(供 xlwings 加载项使用,{python}),因为它还不存在")
DONE = Msg("Done. Quit Excel completely and start it again: the CRM tab appears on every workbook.",
           "完成。请完全退出 Excel 后重新打开:每个工作簿都会出现 CRM 选项卡。")
DRY_RUN = Msg("xlcrm install would:", "xlcrm install 将会:")
XLWINGS_ADDIN = Msg("xlwings' add-in (xlwings.xlam)", "xlwings 加载项(xlwings.xlam)")
APPLESCRIPT = Msg("xlwings' RunPython AppleScript", "xlwings 的 RunPython AppleScript")


@dataclass(frozen=True)
class Step:
    what: Msg
    run: Callable[[], None]


@dataclass(frozen=True)
class Places:
    """Where Excel looks, per platform (the defaults of a per-user Office installation)."""

    startup: Path
    config: Path
    xlwings_config: Path
    scripts: Path | None = None

    @classmethod
    def of(cls, platform: str, home: Path, appdata: Path | None = None) -> "Places":
        if platform.startswith("win"):
            appdata = appdata or Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
            return cls(appdata / "Microsoft" / "Excel" / "XLSTART", home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf",
                       home / ".xlwings" / "xlwings.conf")
        if platform == "darwin":
            sandbox = home / "Library" / "Containers" / "com.microsoft.Excel" / "Data"  # Excel's $HOME
            office = home / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
            return cls(office / "Startup.localized" / "Excel", sandbox / f"{PROJECT_NAME}.conf",
                       sandbox / "xlwings.conf", home / "Library" / "Application Scripts" / "com.microsoft.Excel")
        raise XlcrmError(NO_EXCEL(system=_system_name(platform)))


def _system_name(platform: str) -> str:
    return {"linux": "Linux"}.get(platform, platform)


def _xlwings_dir() -> Path:
    return Path(importlib.util.find_spec("xlwings").origin).parent


def _xlwings_version() -> str:
    from importlib.metadata import version

    return version("xlwings")


def plan(platform: str = sys.platform, home: Path | None = None, appdata: Path | None = None,
         python: str = sys.executable) -> list[Step]:
    """What an install does, step by step (nothing is done until a step runs)."""
    places = Places.of(platform, home or Path.home(), appdata)
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    steps = [
        Step(BUILD_ADDIN(path=places.startup / ADDIN), lambda: _install_addin(places.startup / ADDIN)),
        Step(COPY(what=XLWINGS_ADDIN, path=places.startup / "xlwings.xlam"),
             lambda: _copy(_xlwings_dir() / "addin" / "xlwings.xlam", places.startup / "xlwings.xlam")),
        Step(CONFIG(path=places.config, python=python), lambda: _write(places.config, f'"{key}","{python}"\n')),
    ]
    if not places.xlwings_config.exists():
        steps.append(Step(XLWINGS_CONFIG(path=places.xlwings_config, python=python),
                          lambda: _write(places.xlwings_config, f'"{key}","{python}"\n')))
    if places.scripts:
        script = f"xlwings-{_xlwings_version()}.applescript"
        steps.append(Step(COPY(what=APPLESCRIPT, path=places.scripts / script),
                          lambda: _copy(_xlwings_dir() / script, places.scripts / script)))
    return steps


def _install_addin(target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="xlcrm-install-") as scratch:
        _copy(build_addin(Path(scratch)), target)


def _copy(source: Path, target: Path) -> None:
    """Whole or not at all: Excel never starts on half an add-in."""
    _guarded(target, lambda: (target.parent.mkdir(parents=True, exist_ok=True),
                              files.write_bytes(target, source.read_bytes())))


def _write(target: Path, text: str) -> None:
    _guarded(target, lambda: (target.parent.mkdir(parents=True, exist_ok=True), files.write_text(target, text)))


def _guarded(target: Path, write: Callable[[], object]) -> None:
    try:
        write()
    except OSError as error:  # most often: Excel is running and holds the add-in open
        raise XlcrmError(EXCEL_OPEN(path=target, why=error.strerror or str(error))) from error


def install(dry_run: bool = False, platform: str = sys.platform, home: Path | None = None,
            appdata: Path | None = None, python: str = sys.executable) -> list[Msg]:
    """Carry out (or with dry_run only describe) the install; returns the lines to show."""
    steps = plan(platform, home, appdata, python)
    if dry_run:
        return [DRY_RUN] + [Msg("  - " + s.what.en, "  - " + s.what.zh, s.what.args) for s in steps]
    for step in steps:
        step.run()
    return [Msg("✓ " + s.what.en, "✓ " + s.what.zh, s.what.args) for s in steps] + [DONE]
