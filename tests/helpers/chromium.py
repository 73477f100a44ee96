"""Headless Chromium as an independent reader of the HTML report: the page as a browser lays it out.

Each call gets a fresh profile and no network services. `layout` measures where the charts are
(a copy of the page with a small script that writes the boxes into the DOM, read back with
--dump-dom); `screenshot` photographs that same copy at the same width, so the boxes are the
places to look at in the PNG.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from helpers.programs import program

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--force-device-scale-factor=1", "--disable-extensions", "--mute-audio")
WIDTH = 1100
MEASURE = """<script>
(() => {
  const boxes = [...document.querySelectorAll('figure.chart')].map(f => {
    const r = f.querySelector('svg').getBoundingClientRect();
    return {id: f.dataset.chart, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};
  });
  const size = {width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight};
  document.documentElement.setAttribute('data-layout', JSON.stringify({boxes, ...size}));
})();
</script>"""


def chromium() -> str:
    return program(("chromium", "chromium-browser", "google-chrome"), "Chromium is not installed; scripts/test.sh "
                   "installs it (Debian package chromium)", "XLCRM_REQUIRE_CHROMIUM")


def run(*arguments: str, timeout: int = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *arguments], capture_output=True,
                              text=True, timeout=timeout)


@dataclass
class Box:
    id: str
    x: float
    y: float
    w: float
    h: float


@dataclass
class Layout:
    boxes: list[Box]
    width: int
    height: int
    dom: str
    page: Path  # the measured copy of the page


def layout(html: Path, scratch: Path) -> Layout:
    """The page laid out by Chromium at WIDTH pixels: where each chart is, and the DOM after loading."""
    page = scratch / f"measured-{html.name}"
    text = html.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", MEASURE + "</body>", 1), encoding="utf-8")
    result = run(f"--window-size={WIDTH},900", "--dump-dom", page.as_uri())
    marker = 'data-layout="'
    if marker not in result.stdout:
        raise AssertionError(f"Chromium did not lay out {html.name}\n{result.stderr[-2000:]}")
    raw = result.stdout.split(marker, 1)[1].split('"', 1)[0]
    found = json.loads(raw.replace("&quot;", '"').replace("&amp;", "&"))
    return Layout([Box(**b) for b in found["boxes"]], found["width"], found["height"], result.stdout, page)


def screenshot(measured: Layout, png: Path) -> Path:
    """The whole page as a PNG, WIDTH pixels wide."""
    run(f"--window-size={WIDTH},{measured.height}", f"--screenshot={png}", measured.page.as_uri())
    if not png.exists() or png.stat().st_size == 0:
        raise AssertionError(f"Chromium wrote no screenshot {png.name}")
    return png


def print_pdf(html: Path, pdf: Path) -> Path:
    run("--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise AssertionError(f"Chromium printed no PDF for {html.name}")
    return pdf


class _Tables(HTMLParser):
    """Every <table data-table="..."> as rows of cell texts (header row first)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "data-table" in attributes:
            self.current = self.tables.setdefault(attributes["data-table"], [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.current is not None:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(dom: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(dom)
    return parser.tables
