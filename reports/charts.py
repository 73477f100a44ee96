"""The report's charts as inline SVG, drawn by matplotlib (no pyplot: no global state, no window).

Text stays text (`svg.fonttype: none`) without a font of its own: it takes the page's font list
(report.css: Microsoft YaHei, PingFang, Noto Sans CJK, WenQuanYi ...), and the reader's browser
draws the labels with its fonts. So they do not depend on what matplotlib's font cache happens to
know (a cache built before the CJK fonts were installed never learns them, and outlines drawn from
it are boxes); matplotlib's font only measures the text for the layout. The SVG keeps no comments,
metadata or external references.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlcrm.core.edits import INT, PERCENT
from xlcrm.core.report.sections import ChartSpec, Table

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn
    from matplotlib.typing import RcKeyType

CJK_FONTS = ("Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Noto Sans SC",
             "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei",
             "Heiti SC", "STHeiti", "Arial Unicode MS", "Droid Sans Fallback")
COLOURS = ("#2F6DB5", "#E07B39", "#F2C14E", "#7FB069", "#8E6BBF", "#D95D67", "#4BA3A8", "#9C8F80")
SERIES_COLOURS = {"overdue": "#D9534F", "due_today": "#F0A030", "due_week": "#F2D04E"}
PAD_INCHES = 0.1  # around the tight box, as savefig's default
_HEAD = re.compile(r"\A.*?(?=<svg)", re.S)
_DROP = re.compile(r"<!--.*?-->|<metadata>.*?</metadata>|font-family: [^;\"]*(; )?", re.S)


def prepare() -> None:
    """Load matplotlib's figure, its SVG back-end and its font list now: the command line does it while the
    workbook is still being read, so that drawing the first chart later waits for none of it."""
    from matplotlib.backends import backend_agg, backend_svg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401

    cjk_font()


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first CJK font matplotlib's font list knows, to measure labels with; the browser draws them anyway."""
    from matplotlib.font_manager import fontManager

    installed = {font.name for font in fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def chart_svg(spec: ChartSpec, table: Table, names: dict[str, str], key: str) -> str | None:
    """The chart as SVG markup (an <svg> element), or None when there is nothing to draw."""
    rows = table.rows if spec.rows is None else table.rows.head(spec.rows)
    values = rows[list(spec.series)].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    if not len(rows) or (spec.kind == "pie" and values.iloc[:, 0].clip(lower=0).sum() <= 0):
        return None
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    fonts = [f for f in (cjk_font(), "DejaVu Sans") if f]
    settings: dict[RcKeyType, Any] = {"font.family": "sans-serif", "font.sans-serif": fonts, "svg.fonttype": "none",
                "axes.unicode_minus": False, "svg.hashsalt": f"xlcrm-{key}", "font.size": 9}
    with rc_context(settings), warnings.catch_warnings(), _quiet_fonts():
        warnings.simplefilter("ignore")  # a glyph matplotlib cannot measure: the browser still draws it
        figure = Figure(figsize=_size(spec, len(rows)), dpi=100)
        axes = figure.add_subplot()
        labels = [str(v) if v is not None else "" for v in rows[spec.category]]
        DRAW[spec.kind](axes, labels, values, spec, names, table)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches=_tight_box(figure), metadata={"Date": None})
    return _clean(buffer.getvalue())


def _tight_box(figure) -> Any:
    """The box around what the chart draws, as bbox_inches="tight" finds it, but measured by the raster
    back-end without drawing: "tight" draws the whole chart once more in SVG just to measure it (half the
    time of a chart). The box may come out a point wider, for the raster back-end's hinted text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return figure.get_tightbbox(FigureCanvasAgg(figure).get_renderer()).padded(PAD_INCHES)


@contextmanager
def _quiet_fonts():
    """matplotlib logs a line when a font has no 'normal' weight (WenQuanYi's is 500): nothing a user can act on."""
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _size(spec: ChartSpec, count: int) -> tuple[float, float]:
    """Inches: a pie stays small, horizontal bars grow with their number."""
    if spec.kind == "pie":
        return 4.6, 3.0
    if spec.kind == "bar":
        return 7.2, max(2.0, 0.26 * count + 0.6)
    return 7.2, 3.0


def _bar(axes, labels, values, spec, names, table) -> None:
    series = values.iloc[:, 0]
    positions = range(len(labels))
    bars = axes.barh(positions, series, color=COLOURS[0])
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.bar_label(bars, labels=[_number(v) for v in series], padding=3, fontsize=8)
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)


def _column(axes, labels, values, spec, names, table) -> None:
    count = len(spec.series)
    width = 0.8 / count
    for index, column in enumerate(spec.series):
        offsets = [i + (index - (count - 1) / 2) * width for i in range(len(labels))]
        colour = SERIES_COLOURS.get(column, COLOURS[index % len(COLOURS)])
        bars = axes.bar(offsets, values[column], width, label=names[column], color=colour)
        if len(labels) * count <= 16:
            axes.bar_label(bars, labels=[_number(v) for v in values[column]], padding=2, fontsize=7)
    crowded = len(labels) > 6 or sum(len(label) for label in labels) > 36  # long names would overlap: slant them
    axes.set_xticks(list(range(len(labels))), labels, rotation=25 if crowded else 0, ha="right" if crowded else "center",
                    rotation_mode="anchor")
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if all(table.column(column).kind == INT for column in spec.series):  # counts: 0 1 2, never 0 0 0 1 1 1
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    if count > 1:
        axes.legend(frameon=False, fontsize=8, ncols=count, loc="upper center", bbox_to_anchor=(0.5, 1.12))


def _pie(axes, labels, values, spec, names, table) -> None:
    series = values.iloc[:, 0].clip(lower=0)
    shown = series > 0
    axes.pie(series[shown], labels=[label for label, keep in zip(labels, shown) if keep], autopct="%1.0f%%",
             colors=[COLOURS[i % len(COLOURS)] for i, keep in enumerate(shown) if keep], startangle=90,
             counterclock=False, wedgeprops={"linewidth": 1, "edgecolor": "white"}, textprops={"fontsize": 9})
    axes.set_aspect("equal")


def _line(axes, labels, values, spec, names, table) -> None:
    series = values.iloc[:, 0]
    shares = list(pd.to_numeric(table.rows["customer_share"], errors="coerce")) if "customer_share" in table.rows \
        else list(range(1, len(labels) + 1))
    axes.plot([0.0] + shares, [0.0] + list(series), marker="o", markersize=3, color=COLOURS[0])
    axes.axhline(0.8, color="#999999", linewidth=0.8, linestyle="--")
    axes.set_ylim(0, 1.02)
    axes.set_xlim(0, 1.0)
    percent = table.column(spec.series[0]).kind == PERCENT
    if percent:
        from matplotlib.ticker import PercentFormatter

        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_xlabel(names.get("customer_share", ""))
    axes.set_ylabel(names[spec.series[0]])
    axes.grid(True, color="#eeeeee", linewidth=0.6)


DRAW = {"bar": _bar, "column": _column, "pie": _pie, "line": _line}


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _clean(svg: str) -> str:
    """The <svg> element alone: no XML prolog, doctype, comments, metadata or font names (the page's apply)."""
    return _DROP.sub("", _HEAD.sub("", svg, count=1)).strip()
