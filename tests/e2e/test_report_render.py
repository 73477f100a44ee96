"""The Done-when of reports: the HTML page rendered by headless Chromium and the report sheet rendered by
LibreOffice, looked at as pixels (the charts are drawn where they are) and as text (the tables hold the
figures the test works out from the customer sheet)."""

from __future__ import annotations

import math
import subprocess

import pandas as pd
import pytest
from PIL import Image

from conftest import TODAY
from helpers import chromium
from helpers.libreoffice import convert, sheets_as_csv
from helpers.render import page_count, poppler, render, words
from helpers.reportbook import customer_sheet, team_book
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

CHARTS = {"segments": "各分群客户数", "classes": "各等级收入占比", "pareto": "累计收入占比", "funnel": "各阶段商机数",
          "followups": "各负责人待跟进", "contacts": "跟进次数"}
SINGLE_PAGE = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    path = team_book(folder, "zh")
    return path, report(FileBook(path), today=TODAY), folder


def coloured(image: Image.Image) -> int:
    """Pixels with a clear colour (bars, slices, lines), not white, grey or black text."""
    pixels = image.convert("RGB").tobytes()
    return sum(1 for i in range(0, len(pixels), 3)
               if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 60)


def expected_segments(path) -> dict[str, list[str]]:
    """The segments table as the test works it out from the customer sheet, in the report's number format."""
    sheet = customer_sheet(path, "zh")
    grouped = sheet.groupby("segment").agg(customers=("customer", "size"), revenue=("monetary", "sum"))
    total, revenue = len(sheet), sheet["monetary"].sum()
    return {row.Index: [f"{row.customers:,}", f"{row.customers / total:.1%}", f"{row.revenue:,.2f}",
                        f"{row.revenue / revenue:.1%}"] for row in grouped.itertuples()}


def number(text: str) -> float:
    """A figure as shown: 1,234.56 or 12.5% (a share of 1)."""
    value = float(text.replace(",", "").rstrip("%"))
    return value / 100 if text.endswith("%") else value


def expected_followups(path) -> dict[str, list[str]]:
    sheet = customer_sheet(path, "zh")
    days = (pd.to_datetime(sheet["next_due"]) - pd.Timestamp(TODAY)).dt.days
    return {owner: [str(int((d < 0).sum())), str(int((d == 0).sum())), str(int(d.between(1, 7).sum()))]
            for owner, d in days.groupby(sheet["owner"])}


def test_chromium_draws_every_chart_and_shows_the_sheets_figures(team):
    path, result, folder = team
    measured = chromium.layout(result.html, folder)
    boxes = {box.id: box for box in measured.boxes}
    assert set(CHARTS) <= set(boxes)
    shot = Image.open(chromium.screenshot(measured, folder / "report.png")).convert("RGB")
    assert shot.size[1] >= measured.height - 1
    for name in CHARTS:
        box = boxes[name]
        assert box.w > 200 and box.h > 120, name
        chart = shot.crop((int(box.x), int(box.y), int(box.x + box.w), int(box.y + box.h)))
        assert coloured(chart) > 300, f"chart {name} is blank"
    blank = shot.crop((0, 0, 40, measured.height))  # the page's left margin: nothing drawn there
    assert coloured(blank) == 0
    tables = chromium.tables(measured.dom)
    segments = {row[0]: row[1:5] for row in tables["segments-0"][1:]}
    for name, figures in expected_segments(path).items():
        assert segments[name] == figures, name
    followups = {row[0]: row[1:4] for row in tables["followups-0"][1:]}
    assert followups == expected_followups(path)


def test_the_page_prints_on_a4_with_the_big_sections_on_their_own_pages(team):
    path, result, folder = team
    pdf = chromium.print_pdf(result.html, folder / "printed.pdf")
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert math.isclose(width, 595.9, abs_tol=2) and math.isclose(height, 842, abs_tol=2)  # A4
    pages = page_count(pdf)
    assert pages >= 3
    starts = {}
    for number in range(1, pages + 1):
        found = words(pdf, number)
        top = min(found, key=lambda w: w.y0)
        starts[top.text] = number
        for caption in ("各分群客户数", "各阶段商机数"):
            word = next((w for w in found if w.text == caption), None)
            if word:  # the chart is printed just above its caption, on the same page
                page = render(pdf, number, dpi=72)
                above = Image.frombytes("RGB", (page.width, page.height), page.pixels).crop(
                    (0, max(0, int(word.y0) - 160), page.width, int(word.y0)))
                assert coloured(above) > 400, caption
    assert "销售漏斗" in starts and "各负责人的跟进记录" in starts  # each starts a printed page


def test_libreoffice_shows_the_report_sheet_with_its_native_charts(team):
    path, _, folder = team
    shown = sheets_as_csv(path, folder / "csv")["CRM报告"]
    title = max(i for i, r in enumerate(shown) if r and r[0] == "各分群客户" and not any(r[1:]))
    header = next(i for i in range(title, len(shown)) if shown[i][:2] == ["分群", "客户数"])
    rows = {r[0]: [number(v) for v in r[1:5]] for r in shown[header + 1:header + 14] if r and r[1]}
    expected = expected_segments(path)
    for name, figures in expected.items():
        assert all(math.isclose(a, number(b), abs_tol=0.06) for a, b in zip(rows[name], figures)), name
    pdf = convert(path, SINGLE_PAGE, folder / "pdf", expect=f"{path.stem}.pdf")
    sheet_page = next(n for n in range(1, page_count(pdf) + 1) if any(w.text == "CRM周报" for w in words(pdf, n)))
    found = words(pdf, sheet_page)
    page = render(pdf, sheet_page, dpi=72)
    image = Image.frombytes("RGB", (page.width, page.height), page.pixels)
    cell_height = max(w.y1 - w.y0 for w in found if w.text == "建议行动")  # a header cell's text
    shown_words = {w.text for w in found}
    assert all(figures[2] in shown_words for figures in expected.values())  # money as 1,234.56: formats applied
    for name, title in CHARTS.items():
        word = max((w for w in found if w.text == title), key=lambda w: w.y1 - w.y0, default=None)
        assert word is not None and word.y1 - word.y0 > 1.2 * cell_height, f"no chart titled {title}"
        middle = (word.x0 + word.x1) / 2
        chart = image.crop((int(middle - 180), int(word.y1), int(middle + 180), int(word.y1 + 160)))
        assert coloured(chart) > 300, f"chart {title} is blank"
