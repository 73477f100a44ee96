"""Render the built CRM workbooks to the PNGs the README shows (LibreOffice + pdftoppm).

    .venv/bin/python scripts/screenshots.py [OUT_DIR]     (default docs/img)

Builds with a fixed day, exports each workbook to PDF with one page per sheet, and
renders the top of the chosen sheets. Needs LibreOffice (soffice) and poppler-utils.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

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


if __name__ == "__main__":
    for path in render(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/img")):
        print(path)
