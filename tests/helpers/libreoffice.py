"""LibreOffice headless as an independent reader of the workbooks xlcrm writes.

LibreOffice exits 0 even when a conversion fails, so every call checks the output file.
Each call gets its own user profile, so conversions never wait on each other's lock.
"""

from __future__ import annotations

import csv
import subprocess
import tempfile
from pathlib import Path

from helpers.programs import program

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str:
    return program(("soffice", "libreoffice"), "LibreOffice (soffice) is not installed; scripts/test.sh installs it "
                   "on Debian/Ubuntu", "XLCRM_REQUIRE_LIBREOFFICE")


def convert(source: Path, target_format: str, outdir: Path, expect: str | None = None) -> Path:
    """Convert with LibreOffice; returns the written file (expect: its name, if not stem.ext)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        result = subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", target_format, "--outdir", str(outdir), str(source)],
            capture_output=True, text=True, timeout=240,
        )
    written = outdir / (expect or f"{source.stem}.{target_format.split(':')[0]}")
    if not written.exists() or written.stat().st_size == 0:
        raise AssertionError(f"LibreOffice did not write {written.name}\n{result.stdout}\n{result.stderr}")
    return written


def resave_all(sources: list[Path], outdir: Path, target_format: str = "xlsx") -> dict[Path, Path]:
    """Open and save each file with LibreOffice in one run (one start for all): source -> written file."""
    outdir.mkdir(parents=True, exist_ok=True)
    assert all(s.parent != outdir for s in sources), "LibreOffice would write over its sources"
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        result = subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", target_format, "--outdir", str(outdir), *map(str, sources)],
            capture_output=True, text=True, timeout=600,
        )
    written = {s: outdir / f"{s.stem}.{target_format.split(':')[0]}" for s in sources}
    missing = [w.name for w in written.values() if not w.exists() or w.stat().st_size == 0]
    if missing:
        raise AssertionError(f"LibreOffice did not write {missing}\n{result.stdout}\n{result.stderr}")
    return written


def saved_by_libreoffice(book, folder: Path, name: str) -> Path:
    """An openpyxl workbook saved as typed (folder/typed/name), then opened and saved by LibreOffice, its formulas
    calculated as Excel saves them: the file written (folder/saved/name)."""
    typed = folder / "typed" / name
    typed.parent.mkdir(parents=True, exist_ok=True)
    book.save(typed)
    return resave_all([typed], folder / "saved")[typed]


def sheets_as_csv(source: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice computes and shows it: sheet name -> rows of text."""
    outdir.mkdir(parents=True, exist_ok=True)
    _convert_all(source, outdir)
    sheets = {}
    for path in sorted(outdir.glob(f"{source.stem}-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[path.stem[len(source.stem) + 1:]] = list(csv.reader(handle))
    if not sheets:
        raise AssertionError(f"LibreOffice wrote no CSV for {source.name}")
    return sheets


def _convert_all(source: Path, outdir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", CSV_ALL_SHEETS, "--outdir", str(outdir), str(source)],
            capture_output=True, text=True, timeout=240,
        )
