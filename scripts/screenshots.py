"""Render the built CRM workbooks and the weekly report to the PNGs the README shows.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]     (default docs/img)

Builds with a fixed day (a built CRM workbook is the sample after a first run), exports the
chosen sheets to PDF, and renders their top: the customer sheet with a few of the team's
columns and xlcrm's, in their colours (a picture is as wide as the sheet, up to 1,500 pixels; the three
scores are left out where the sheet is wider: the RFM code spells them out). Beside the pictures, fingerprints.json records
what each shows (text and fills); tests/e2e/test_screenshots.py fails when it is out of date. It also makes a team's
week on the sample workbook and
photographs its HTML report in headless Chromium and its report sheet. Needs LibreOffice
(soffice), poppler-utils and Chromium.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
from PIL import Image, ImageOps

from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.actions.report import report
from xlcrm.book import file as file_book
from xlcrm.book.file import FileBook
from xlcrm.core.edits import DATE, PutSheet
from xlcrm.core.sheets import COLUMNS
from xlcrm.core.sample import make_sample
from xlcrm.workbook.build import build

DAY = dt.date(2026, 11, 23)
PDF = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
SHOTS = {  # png name -> (workbook, sheet, crop height in pixels at 80 dpi)
    "crm-zh-customers.png": ("CRM-zh.xlsm", "客户跟踪表", 400),
    "crm-zh-settings.png": ("CRM-zh.xlsm", "CRM设置", 330),
    "crm-en-customers.png": ("CRM-en.xlsm", "Customers", 400),
}
WIDEST = 1500  # a picture is as wide as its sheet, up to this many pixels at 80 dpi


SHOWN_TEAM_COLUMNS = {"客户名称", "负责人", "Customer", "Owner"}
# Left out, in this order, while the customer sheet is wider than WIDEST: the three scores (the RFM code spells
# them out), so that the follow-up columns at the right end show whole.
SPARE_COLUMNS = (COLUMNS["r_score"], COLUMNS["f_score"], COLUMNS["m_score"])
FINGERPRINTS = "fingerprints.json"
_WORD = re.compile(r'xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">([^<]*)<')


def _customer_view(source: Path, sheet: str, target: Path, trim: bool, spared: int = 0) -> int:
    """A copy whose customer sheet shows a few of the team's columns, then xlcrm's but the first `spared` of
    SPARE_COLUMNS; the other sheets are hidden. Returns the sheet's page in the PDF: LibreOffice's one-page-a-
    sheet export has a page for every sheet, hidden ones too."""
    book = openpyxl.load_workbook(source)
    for other in book.worksheets:
        other.sheet_state = "visible" if other.title == sheet else "hidden"
        _as_of_day(other)
    book.active = book.sheetnames.index(sheet)
    customers = book[sheet]
    if not trim:
        book.save(target)
        return book.sheetnames.index(sheet) + 1
    header = next(row for row in customers.iter_rows(max_row=10) if sum(c.value is not None for c in row) > 3)
    own = {label for labels in COLUMNS.values() for label in labels}
    left_out = {label for labels in SPARE_COLUMNS[:spared] for label in labels}
    for cell in header:
        if cell.column > 1 and (cell.value not in SHOWN_TEAM_COLUMNS and cell.value not in own or cell.value in left_out):
            customers.column_dimensions[cell.column_letter].hidden = True
    book.save(target)
    return book.sheetnames.index(sheet) + 1


def _as_of_day(sheet) -> None:
    """The status formulas and row colours follow TODAY() in Excel; the pictures show them as of DAY, so that the
    pictures (and their fingerprints) do not change with the day they are rendered on."""
    day = f"DATE({DAY.year},{DAY.month},{DAY.day})"
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("=") and "TODAY()" in cell.value:
                cell.value = cell.value.replace("TODAY()", day)
    for rules in sheet.conditional_formatting:
        for rule in rules.rules:
            rule.formula = [formula.replace("TODAY()", day) for formula in (rule.formula or [])]


def _pdf(source: Path, work: Path) -> Path:
    pdf = work / f"{source.stem}.pdf"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                    "--convert-to", PDF, "--outdir", str(work), str(source)], check=True, capture_output=True,
                   timeout=240)
    if not pdf.exists():  # LibreOffice exits 0 even when it wrote nothing
        raise SystemExit(f"LibreOffice did not export {source.name}")
    return pdf


def _words(pdf: Path, page: int) -> list[tuple[str, str, str, str, str]]:
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return _WORD.findall(xml)


def _width(pdf: Path, page: int) -> int:
    """A page's width in pixels at 80 dpi (a sheet exported as one page: the sheet's width)."""
    info = subprocess.run(["pdfinfo", "-f", str(page), "-l", str(page), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return math.ceil(float(re.search(rf"Page\s+{page} size:\s+([\d.]+)", info)[1]) * 80 / 72)


def _trimmed(picture: Path, target: Path) -> int:
    """The picture without the blank page margin on its right (a sheet's page is wider than its cells where a
    long text runs on); returns its width."""
    image = Image.open(picture).convert("RGB")
    inked = ImageOps.invert(image).getbbox()
    width = min(image.width, (inked[2] if inked else image.width) + 4)
    image.crop((0, 0, width, image.height)).save(target)
    return width


def fingerprint(pdf: Path, page: int, width: int, height: int, dpi: int = 20) -> dict:
    """What the picture shows, independent of its pixels: the text by line and the cell fills (colours covering
    at least 1% of it), read from the PDF at a small size."""
    right, bottom = width * 72 / 80, height * 72 / 80
    lines: dict[int, list[tuple[float, str]]] = {}
    for x0, y0, x1, y1, text in _words(pdf, page):
        if float(y1) <= bottom and float(x1) <= right:
            lines.setdefault(round(float(y1)), []).append((float(x0), text))
    small = pdf.with_name(f"{pdf.stem}-small")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(small)], check=True)
    image = Image.open(f"{small}.png").convert("RGB")
    image = image.crop((0, 0, min(image.width, round(right * dpi / 72)), min(image.height, round(bottom * dpi / 72))))
    colours = image.getcolors(image.width * image.height) or []
    total = image.width * image.height
    return {"text": [" ".join(t for _, t in sorted(words)) for _, words in sorted(lines.items())],
            "fills": sorted(f"{r:02X}{g:02X}{b:02X}" for n, (r, g, b) in colours if n >= total / 100)}


def render(out: Path) -> list[Path]:
    """The workbook pictures into out, and beside them the fingerprint of what each shows."""
    out.mkdir(parents=True, exist_ok=True)
    written, prints = [], {}
    with tempfile.TemporaryDirectory(prefix="xlcrm-shots-") as scratch:
        work = Path(scratch)
        build(work / "dist", DAY)
        for name, (workbook, sheet, height) in SHOTS.items():
            view = work / name.replace(".png", ".xlsx")
            trim = "customers" in name
            for spared in range(len(SPARE_COLUMNS) + 1 if trim else 1):
                page = _customer_view(work / "dist" / workbook, sheet, view, trim, spared)
                pdf = _pdf(view, work)
                width = _width(pdf, page)
                if width <= WIDEST:
                    break
            else:
                if trim:
                    raise SystemExit(f"{name}: the customer sheet is wider than {WIDEST} pixels even without "
                                     f"{', '.join(labels[0] for labels in SPARE_COLUMNS)}")
            stem = work / name.removesuffix(".png")
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
                            "-x", "0", "-y", "0", "-W", str(min(width, WIDEST)), "-H", str(height), str(pdf),
                            str(stem)], check=True)
            width = _trimmed(Path(f"{stem}.png"), out / name)
            written.append(out / name)
            prints[name] = fingerprint(pdf, page, width, height)
    (out / FINGERPRINTS).write_text(json.dumps(prints, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written + [out / FINGERPRINTS]


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
    parser = argparse.ArgumentParser(description="Render the README's pictures and their fingerprints.")
    parser.add_argument("target", nargs="?", type=Path, default=Path("docs/img"))
    parser.add_argument("--workbooks-only", action="store_true", help="leave the report's pictures as they are")
    options = parser.parse_args()
    for path in render(options.target) + ([] if options.workbooks_only else render_report(options.target)):
        print(path)
