"""Segment names stay true to absolute facts: scores are relative (quintiles), so in a book where everyone
has been silent for years somebody still scores R 5, but nobody silent past their churn horizon is called
Champions (重要价值客户), Loyal, New or any other name that says they are buying."""

import datetime as dt

import pandas as pd
import pytest

from conftest import TODAY, make_book
from helpers.workbooks import values
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook
from xlcrm.core.scores.segments import DEFAULT_RULES

SHEET = {"zh": "客户跟踪表", "en": "Customers"}
HEADERS = {"zh": ("客户名称", "R分", "客户分群", "流失风险", "最近购买距今(天)"),
           "en": ("Customer", "R score", "Segment", "Churn risk", "Recency (days)")}
HIGH = {"zh": "高", "en": "High"}


def active_names(lang: str) -> set[str]:
    """The default segments whose rule asks for an R of 3 or more: names that say the customer is buying."""
    return {rule[lang] for rule in DEFAULT_RULES if rule["r"] and min(int(c) for c in rule["r"] if c.isdigit()) >= 3}


def customers(path, lang) -> pd.DataFrame:
    rows = values(path)[SHEET[lang]]
    frame = pd.DataFrame(rows[2:], columns=[str(h) for h in rows[1]]).replace("", None)
    name, r_score, segment, risk, recency = HEADERS[lang]
    frame = frame[frame[name].notna() & frame[r_score].notna()]
    return frame.rename(columns={r_score: "r", segment: "segment", risk: "risk", recency: "recency"})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nobody_silent_for_years_is_named_as_a_buying_customer(tmp_path, lang):
    path = make_book(tmp_path, lang, customers=60, today=TODAY - dt.timedelta(days=4 * 365))
    refresh(FileBook(path), TODAY)
    frame = customers(path, lang)
    assert (frame["recency"].astype(int) > 3 * 365).all()
    assert frame["risk"].eq(HIGH[lang]).all()
    assert set(frame["r"].astype(int)) == {1, 2, 3, 4, 5}  # the scores stay relative
    assert "重要价值客户" in active_names("zh") and "Champions" in active_names("en")
    assert not set(frame["segment"]) & active_names(lang), frame["segment"].value_counts()
    top = frame[frame["r"].astype(int) == 5]
    assert top["segment"].notna().all() and len(top)


def test_a_book_of_recent_buyers_still_has_champions(zh_book):
    refresh(FileBook(zh_book), TODAY)
    frame = customers(zh_book, "zh")
    assert "重要价值客户" in set(frame["segment"])
    lapsed = frame[frame["risk"].eq("高")]
    assert not set(lapsed["segment"]) & active_names("zh")
