"""The demo: the bundled sample workbook made in a folder, and xlcrm's main job run on it step by step
(check, refresh, follow-ups, the mail merge's preview, the report), as a new user would run them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from xlcrm.actions.check import check
from xlcrm.actions.followups import followups
from xlcrm.actions.progress import Progress, quiet
from xlcrm.actions.refresh import refresh
from xlcrm.actions.remind import remind
from xlcrm.actions.report import report
from xlcrm.book import Book
from xlcrm.book import file as file_book
from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.sample import SHEET_NAMES, make_sample

SAMPLE_WRITTEN = Msg("Sample workbook written: {path} ({customers} customers)",
                     "示例工作簿已生成:{path}(共 {customers} 个客户)")
DEMO_STEP = Msg("== {step} ==", "== {step} ==")
REMIND_STEP = Msg("xlcrm remind (preview, nothing is sent)", "xlcrm remind(预览,不发送)")
REPORT_STEP = Msg("xlcrm report (this week's report: HTML page and report sheet)", "xlcrm report(本周报告:HTML 页面和报告工作表)")


@dataclass
class DemoResult:
    path: Path
    customers: int
    sheet_lang: str
    # (step, its result; or the problem it met and the demo went past; or None: the step it stopped at)
    steps: list[tuple[str | Msg, Any]] = field(default_factory=list)
    stopped: XlcrmError | None = None  # why the demo stopped, for the caller to show as any error

    @property
    def elsewhere(self) -> bool:
        """The last step's results went to a copy, not into the workbook (the demo stopped there)."""
        saved = getattr(self.steps[-1][1], "saved", None) if self.steps else None
        return saved is not None and saved.elsewhere

    def lines(self, lang: str | None) -> list[str]:
        """The steps' headings in the sample's language, each step's lines in `lang` (default: the workbook's)."""
        lines = [SAMPLE_WRITTEN(path=self.path, customers=self.customers).text(self.sheet_lang)]
        for step, outcome in self.steps:
            lines.append(DEMO_STEP(step=step).text(self.sheet_lang))
            if isinstance(outcome, XlcrmError):
                lines.append(outcome.text(lang or self.sheet_lang))
            elif outcome is not None:
                lines += outcome.lines(lang or outcome.session.lang)
        return lines


def write_sample(out: Path, customers: int, sheet_lang: str, seed: int = 1, today: dt.date | None = None) -> Path:
    """A realistic sample tracking workbook (.xlsx): the same seed and day give the same workbook."""
    return file_book.create(out, make_sample(customers, sheet_lang, seed, today))


def demo(folder: Path, customers: int, sheet_lang: str, open_book: Callable[[Path], Book],
         progress: Progress = quiet) -> DemoResult:
    """Write the sample into `folder` and run the steps on it through `open_book`."""
    file_book.make_folder(folder)
    path = write_sample(folder / f"{SHEET_NAMES[sheet_lang][0]}.xlsx", customers, sheet_lang)
    result = DemoResult(path, customers, sheet_lang)
    steps: list[tuple[str | Msg, Callable[[Book], Any]]] = [
        ("xlcrm check", check),
        ("xlcrm refresh", lambda book: refresh(book, progress=progress)),
        ("xlcrm followups", lambda book: followups(book, progress=progress)),
        (REMIND_STEP, lambda book: _going_on(lambda: remind(book, progress=progress))),
        (REPORT_STEP, lambda book: report(book, progress=progress)),
    ]
    for step, run in steps:
        try:
            result.steps.append((step, run(open_book(path))))
        except XlcrmError as error:
            result.steps.append((step, None))
            result.stopped = error
            return result
        if result.elsewhere:  # the workbook could not take the results: the next steps would not see them
            return result
    return result


def _going_on(run: Callable[[], Any]) -> Any:
    """The mail merge's preview: its problem (e.g. a template the sample does not fill) is shown, and the
    demo goes on."""
    try:
        return run()
    except XlcrmError as error:
        return error
