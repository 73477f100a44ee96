"""Render the built CRM workbooks and the weekly report to the PNGs the README shows.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]     (default docs/img)

Builds with a fixed day, exports each workbook to PDF with one page per sheet, and
renders the top of the chosen sheets; makes a team's week on the sample workbook and
photographs its HTML report in headless Chromium and its report sheet. Needs LibreOffice
(soffice), poppler-utils and Chromium.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from PIL import Image

from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.actions.report import report
from xlcrm.book import file as file_book
from xlcrm.book.file import FileBook
from xlcrm.core.edits import DATE, PutSheet
from xlcrm.core.sample import make_sample
from xlcrm.workbook.build import build

DAY = dt.date(2026, 11, 23)
PDF = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
SHOTS = {  # png name -> (workbook, sheet, crop height in pixels at 80 dpi)
    "crm-zh-customers.png": ("CRM-zh.xlsm", "客户跟踪表", 400),
    "crm-zh-settings.png": ("CRM-zh.xlsm", "CRM设置", 330),
    "crm-en-customers.png": ("CRM-en.xlsm", "Customers", 400),
}


def render(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="xlcrm-shots-") as scratch:
        work = Path(scratch)
        build(work / "dist", DAY)
        for name, (workbook, sheet, height) in SHOTS.items():
            source = work / "dist" / workbook
            pages = [s.title for s in openpyxl.load_workbook(source, read_only=True).worksheets
                     if s.sheet_state == "visible"]
            pdf = work / f"{source.stem}.pdf"
            if not pdf.exists():
                subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless",
                                "--norestore", "--convert-to", PDF, "--outdir", str(work), str(source)],
                               check=True, capture_output=True, timeout=240)
            if not pdf.exists():  # LibreOffice exits 0 even when it wrote nothing
                raise SystemExit(f"LibreOffice did not export {source.name}")
            page = pages.index(sheet) + 1
            stem = work / name.removesuffix(".png")
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
                            "-x", "0", "-y", "0", "-W", "1300", "-H", str(height), str(pdf), str(stem)], check=True)
            written.append(Path(shutil.copy(f"{stem}.png", out / name)))
    return written


CHROMIUM = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            "--force-device-scale-factor=1")
REPORT_SHOTS = {"report-zh.png": (1000, 1450), "report-zh-sheet.png": (900, 900)}  # width, crop height in pixels


def team_week(folder: Path) -> Path:
    """The sample workbook after a week of work: scored, follow-ups worked out, contacts logged."""
    sheets = make_sample(60, "zh", 1, DAY)
    customers = [row for row in sheets[0].rows[2:] if row]
    log = [["日期", "客户名称", "负责人", "联系方式", "备注"]]
    for number, row in enumerate(customers[:45]):
        log.append([DAY - dt.timedelta(days=number % 12), row[1], row[7], ("电话", "拜访", "微信")[number % 3], None])
    sheets.append(PutSheet("跟进记录", log, row_styles={0: "header"}, formats={0: DATE}))
    path = file_book.create(folder / "客户跟踪表.xlsx", sheets)
    refresh(FileBook(path), DAY)
    followups(FileBook(path), DAY)
    return path


def render_report(out: Path) -> list[Path]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("Chromium is needed for the report's screenshot (Debian package chromium)")
    written = []
    with tempfile.TemporaryDirectory(prefix="xlcrm-report-shots-") as scratch:
        work = Path(scratch)
        path = team_week(work)
        html = report(FileBook(path), today=DAY).html
        width, height = REPORT_SHOTS["report-zh.png"]
        shot = work / "report.png"
        subprocess.run([chromium, *CHROMIUM, f"--user-data-dir={work}/chromium", f"--window-size={width},{height}",
                        f"--screenshot={shot}", html.as_uri()], check=True, capture_output=True, timeout=120)
        written.append(Path(shutil.copy(shot, out / "report-zh.png")))
        only = work / "report-sheet.xlsx"  # the report sheet alone, so it is the PDF's only page
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            sheet.sheet_state = "visible" if sheet.title == "CRM报告" else "hidden"
        book.active = book.sheetnames.index("CRM报告")
        book.save(only)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                        "--convert-to", PDF, "--outdir", str(work), str(only)], check=True, capture_output=True,
                       timeout=240)
        pdf = only.with_suffix(".pdf")
        if not pdf.exists():
            raise SystemExit("LibreOffice did not export the report sheet")
        pages = int(subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
                    .split("Pages:")[1].split()[0])
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(pages), "-l", str(pages), "-singlefile",
                        str(pdf), str(work / "sheet")], check=True)
        width, height = REPORT_SHOTS["report-zh-sheet.png"]
        image = Image.open(work / "sheet.png")
        image.crop((0, 0, min(width, image.width), min(height, image.height))).save(out / "report-zh-sheet.png")
        written.append(out / "report-zh-sheet.png")
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/img")
    for path in render(target) + render_report(target):
        print(path)
