"""The report's charts keep their labels as text that the reader's browser draws with its own CJK fonts:
they do not depend on matplotlib's font cache (one built before the CJK fonts were installed never learns
them and drew every Chinese label as boxes). Count axes tick in whole numbers."""

from __future__ import annotations

import json
import re
from html import unescape

import pandas as pd
import pytest
from PIL import Image, ImageChops

from conftest import TODAY
from helpers import chromium
from helpers.reportbook import customer_sheet, team_book
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook
from xlcrm.core.edits import INT
from xlcrm.core.i18n import Msg
from xlcrm.core.report.sections import ChartSpec, Column, Table
from xlcrm.reports import charts

pytestmark = pytest.mark.libreoffice

LABELS = """<script>
(() => {
  const labels = [...document.querySelectorAll('figure.chart[data-chart="segments"] svg text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};
  });
  const height = document.documentElement.scrollHeight;
  document.documentElement.setAttribute('data-labels', JSON.stringify({labels, height}));
})();
</script>"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The report of the team's book, made where matplotlib's font list knows no Chinese font."""
    folder = tmp_path_factory.mktemp("chart-text")
    path = team_book(folder, "zh")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "cjk_font", lambda: None)
        made = report(FileBook(path), today=TODAY)
    return path, made.html, folder


def chart(html: str, chart_id: str) -> str:
    return re.search(rf'data-chart="{chart_id}".*?(<svg.*?</svg>)', html, re.S).group(1)


def texts(svg: str) -> list[str]:
    return [unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def y_ticks(svg: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<g id="ytick_\d+">.*?<text\b[^>]*>([^<]*)</text>', svg, re.S)]


def test_chart_labels_are_the_chinese_words_as_text_in_the_pages_fonts(page):
    path, html, _ = page
    text = html.read_text(encoding="utf-8")
    sheet = customer_sheet(path, "zh")
    segments = chart(text, "segments")
    assert set(sheet["segment"].dropna()) <= set(texts(segments))
    assert set(sheet["owner"].dropna()) <= set(texts(chart(text, "followups")))
    assert "<path id=\"WenQuanYi" not in text and "glyph" not in segments  # no outlines drawn from a font file
    assert "font-family" not in segments  # the page's list (with the CJK fonts) applies
    assert re.search(r"body \{[^}]*font:[^}]*\"Noto Sans CJK SC\"", text, re.S)


def test_chromium_draws_the_labels_as_distinct_characters_not_boxes(page):
    _, html, folder = page
    measured = folder / "labels.html"
    measured.write_text(html.read_text(encoding="utf-8").replace("</body>", LABELS + "</body>", 1), encoding="utf-8")
    dom = chromium.run(f"--window-size={chromium.WIDTH},900", "--dump-dom", measured.as_uri()).stdout
    found = json.loads(unescape(dom.split('data-labels="', 1)[1].split('"', 1)[0]))
    shot_path = folder / "labels.png"
    chromium.run(f"--window-size={chromium.WIDTH},{found['height']}", f"--screenshot={shot_path}", measured.as_uri())
    shot = Image.open(shot_path).convert("L")
    crops = {}
    for label in found["labels"]:
        if re.fullmatch(r"[\u4e00-\u9fff]{4,}", label["text"]):
            box = (int(label["x"]), int(label["y"]), int(label["x"] + label["w"]) + 1, int(label["y"] + label["h"]) + 1)
            crops[label["text"]] = shot.crop(box)
    assert len(crops) >= 2, found["labels"]
    for name, image in crops.items():
        assert sum(image.histogram()[:128]) > 20, f"{name} is not drawn"
    same_length = [(a, b) for a in crops for b in crops if a < b and len(a) == len(b)]
    assert same_length, list(crops)
    for a, b in same_length:  # boxes (□) look alike whatever the word; characters do not
        size = (min(crops[a].width, crops[b].width), min(crops[a].height, crops[b].height))
        difference = ImageChops.difference(crops[a].crop((0, 0, *size)), crops[b].crop((0, 0, *size)))
        assert sum(difference.histogram()[97:]) > 20, f"{a} and {b} are drawn alike: boxes?"


def test_count_axes_tick_in_whole_numbers(page):
    _, html, _ = page
    text = html.read_text(encoding="utf-8")
    for chart_id in ("followups", "contacts"):
        ticks = y_ticks(chart(text, chart_id))
        assert ticks and len(ticks) == len(set(ticks)), (chart_id, ticks)
        assert all(re.fullmatch(r"[\d,]+", t) for t in ticks), (chart_id, ticks)
    owners = Table((Column("owner", Msg("Owner", "负责人")), Column("overdue", Msg("Overdue", "逾期"), INT)),
                   pd.DataFrame({"owner": ["张伟", "李娜", "王芳"], "overdue": [1, 0, 1]}))
    svg = charts.chart_svg(ChartSpec("column", Msg("Overdue", "逾期"), "owner", ("overdue",)), owners,
                           {"overdue": "逾期"}, "few")
    assert y_ticks(svg) == ["0", "1"]  # not 0 0 0 1 1 1
