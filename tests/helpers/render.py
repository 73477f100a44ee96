"""Looking at a rendered workbook the way a user's eyes would: PDF pages as pixels, words with positions.

LibreOffice writes the PDF (see libreoffice.convert); poppler's pdftoppm turns a page into a
PPM image (a format simple enough to read here without an imaging library) and pdftotext
gives every word's box in PDF points.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from helpers.programs import program

_WORD = re.compile(r'xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">([^<]*)<')
_PPM = re.compile(rb"P6\s+(\d+)\s+(\d+)\s+255\s")


def poppler(tool: str) -> str:
    return program((tool,), f"{tool} (poppler-utils) is not installed; scripts/test.sh installs it on Debian/Ubuntu",
                   "XLCRM_REQUIRE_LIBREOFFICE")


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    width: int
    height: int
    pixels: bytes
    dpi: int

    def colour(self, x_pt: float, y_pt: float) -> tuple[int, int, int]:
        x, y = int(x_pt * self.dpi / 72), int(y_pt * self.dpi / 72)
        i = (y * self.width + x) * 3
        return tuple(self.pixels[i:i + 3])

    def main_colour(self, x0_pt: float, x1_pt: float, y_pt: float) -> tuple[int, int, int]:
        """The colour most pixels have along a horizontal line (the cell fill, not the text)."""
        step = 72 / self.dpi
        count = Counter(self.colour(x0_pt + i * step, y_pt) for i in range(int((x1_pt - x0_pt) / step)))
        return count.most_common(1)[0][0]


def words(pdf: Path, page: int) -> list[Word]:
    xml = subprocess.run([poppler("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [Word(t, *map(float, box)) for *box, t in _WORD.findall(xml)]


def render(pdf: Path, page: int, dpi: int = 100) -> Page:
    target = pdf.with_name(f"{pdf.stem}-page{page}")
    subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(target)], check=True, capture_output=True)
    data = target.with_suffix(".ppm").read_bytes()
    header = _PPM.match(data)
    if not header:
        raise AssertionError(f"pdftoppm did not write a PPM image for page {page} of {pdf.name}")
    return Page(int(header[1]), int(header[2]), data[header.end():], dpi)


def page_count(pdf: Path) -> int:
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])
