"""Every sheet xlcrm writes, printed through LibreOffice and looked at as a person would: no ###, no header
cut by its neighbour, mail bodies on several lines, the customer sheet one page wide with xlcrm's columns and
their header colour beside the team's; in both languages and for a large workbook."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from conftest import TODAY, make_book
from helpers.libreoffice import convert
from helpers.mailbook import remind_on
from helpers.render import Word, page_count, render, words
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook
from xlcrm.core.sheets import COLUMNS, sheet_name

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
HEADER_FILL = (221, 235, 247)


def after_a_run(folder: Path, lang: str, customers: int) -> Path:
    path = make_book(folder, lang, customers=customers)
    refresh(FileBook(path), TODAY)
    followups(FileBook(path), TODAY)
    remind_on(path)
    report(FileBook(path), today=TODAY)
    return path


def printed(path: Path) -> tuple[Path, list[list[Word]]]:
    pdf = convert(path, "pdf", path.parent / "pdf")
    return pdf, [words(pdf, n) for n in range(1, page_count(pdf) + 1)]


def lines_of(page: list[Word]) -> list[list[Word]]:
    """The words of a page by line (same baseline), left to right."""
    found: dict[int, list[Word]] = {}
    for word in page:
        found.setdefault(round(word.y1), []).append(word)
    return [sorted(line, key=lambda w: w.x0) for _, line in sorted(found.items())]


def assert_nothing_cut(pages: list[list[Word]], headers: set[str]) -> None:
    for number, page in enumerate(pages, start=1):
        assert not [w.text for w in page if "###" in w.text], f"page {number} shows ###"
        for line in lines_of(page):
            for left, right in zip(line, line[1:]):
                if left.text in headers:
                    assert left.x1 <= right.x0 + 1, f"page {number}: header '{left.text}' runs into '{right.text}'"


@pytest.fixture(scope="module", params=["zh", "en"])
def run(request, tmp_path_factory):
    lang = request.param
    path = after_a_run(tmp_path_factory.mktemp(f"looks-{lang}"), lang, 60)
    pdf, pages = printed(path)
    return lang, path, pdf, pages


def test_no_sheet_shows_hashes_or_cut_headers(run):
    lang, path, pdf, pages = run
    own = {word for en, zh in COLUMNS.values() for word in (zh if lang == "zh" else en).split()}
    assert_nothing_cut(pages, own)


def test_the_customer_sheet_prints_one_page_wide_with_xlcrms_columns_in_their_colour(run):
    lang, path, pdf, pages = run
    first = next(i for i, page in enumerate(pages) if any(w.text in ("客户名称", "Customer") for w in page))
    texts = {w.text for w in pages[first]}
    for en, zh in (("Segment", "客户分群"), ("Next due", "下次跟进日")):
        label = zh if lang == "zh" else en.split()[0]
        assert label in texts, f"xlcrm's column {label} is not on the customer sheet's first page"
    header = next(w for w in pages[first] if w.text == ("客户分群" if lang == "zh" else "Segment"))
    image = render(pdf, first + 1, dpi=150)
    steps = [header.y0 + (header.y1 - header.y0) * i / 10 for i in range(11)]  # the fill shows between the glyphs
    assert HEADER_FILL in {image.main_colour(header.x0, header.x1, y) for y in steps}
    assert len(pages) < 40, f"{len(pages)} pages: the sheets do not fit the page width"


def test_mail_bodies_wrap_onto_several_lines(run):
    lang, path, pdf, pages = run
    sheet = openpyxl.load_workbook(path)[sheet_name("preview", lang)]
    body = next((c.value for (c,) in sheet.iter_rows(min_row=2, min_col=11, max_col=11)
                 if isinstance(c.value, str) and c.value.count("\n") >= 2), None)
    assert body, "the preview has a message of several lines"
    last = [line for line in body.split("\n") if line.strip()][-1].split()[0]
    first = body.split("\n")[0].split()[0]
    preview = next(page for page in pages if any(w.text == first for w in page) and any(w.text == last for w in page))
    top = next(w for w in preview if w.text == first)
    bottom = next(w for w in preview if w.text == last and w.y0 > top.y0)
    assert bottom.y0 - top.y1 > 10, "the body's last line is not below its first: the cell does not wrap"


def test_a_large_workbook_shows_no_hashes_either(tmp_path):
    path = after_a_run(tmp_path, "zh", 1500)
    pdf, pages = printed(path)
    own = {zh for _, zh in COLUMNS.values()}
    assert_nothing_cut(pages, own)


def customer_page(pages: list[list[Word]]) -> list[Word]:
    return next(page for page in pages if any(w.text in ("客户名称", "Customer") for w in page))


def column_under(page: list[Word], header: Word) -> list[tuple[Word, Word | None]]:
    """The words of the data lines below a header that overlap its span, each with the word on its left."""
    found = []
    for line in lines_of(page):
        if line[0].y0 <= header.y1:
            continue
        for left, word in zip([None, *line], line):
            if word.x0 < header.x1 and word.x1 > header.x0:
                found.append((word, left))
    return found


def test_the_rfm_code_reads_as_three_digits_apart_from_the_m_score(run):
    lang, path, pdf, pages = run
    page = customer_page(pages)
    header = next(w for w in page if w.text == "RFM")
    codes = column_under(page, header)
    assert len(codes) > 20, "the RFM column shows its codes"
    for code, left in codes:
        assert code.text.isdigit() and len(code.text) == 3, f"an RFM cell reads '{code.text}'"
        digit = (code.x1 - code.x0) / 3
        assert left is None or code.x0 - left.x1 > digit, \
            f"the RFM code {code.text} sits against '{left.text}' on its left: they read as one number"


def test_a_header_stands_over_its_numbers(run):
    lang, path, pdf, pages = run
    page = customer_page(pages)
    header = next(w for w in page if w.text == ("消费金额" if lang == "zh" else "Monetary"))
    amounts = [w for w, _ in column_under(page, header) if w.text.replace(",", "").replace(".", "").isdigit()]
    assert len(amounts) > 20, "the amounts are under their header"
    assert all(abs(w.x1 - header.x1) < 1.5 for w in amounts), "the amounts' right edges are not under the header's"



FIGURE = re.compile(r"-?[\d,]+(\.\d+)?%?$")
PERIOD_HEADERS = {"zh": ("本期", "上期", "变化"), "en": ("This period", "Previous period", "Change")}


def headers_on(line: list[Word], titles: tuple[str, ...]) -> dict[str, Word]:
    """Each title found on the line (its words side by side) as one word spanning them."""
    found = {}
    for title in titles:
        wanted = title.split()
        for start in range(len(line) - len(wanted) + 1):
            words = line[start:start + len(wanted)]
            if [w.text for w in words] == wanted:
                found[title] = Word(title, words[0].x0, words[0].y0, words[-1].x1, words[-1].y1)
    return found


def test_on_the_report_sheet_a_tables_header_stands_over_its_numbers(run):
    lang, path, pdf, pages = run
    titles = PERIOD_HEADERS[lang]
    page, headers = next((page, found) for page in pages for line in lines_of(page)
                         if len(found := headers_on(line, titles)) == len(titles))
    for title, header in headers.items():
        figures = []
        for word, _ in column_under(page, header):  # the table's rows, down to the first word that is not a figure
            if not FIGURE.match(word.text):
                break
            figures.append(word)
        assert len(figures) >= 4, f"the figures under '{title}' are in its column"
        assert all(abs(w.x1 - header.x1) < 1.5 for w in figures), \
            f"'{title}' does not end where its figures do: {header.x1:.1f} vs {[round(w.x1, 1) for w in figures]}"
