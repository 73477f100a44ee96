"""The scores on real purchases nobody here generated: CDNOW (see helpers/cdnow.py).

1. Recency and frequency agree, customer by customer, with Fader and Hardie's published summary.
2. The scores say something true about the future: scored as of 1997-09-30, the customers flagged
   High churn risk bought again in the next nine months far less often than those flagged Low,
   and Champions more often than Lost or Hibernating customers.
"""

import pandas as pd
import pytest

from helpers import cdnow
from helpers.workbooks import values
from xlcrm.actions.refresh import refresh
from xlcrm.book.file import FileBook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(cdnow.folder() is None,
                                 reason="the CDNOW data set ships in the PyPI package Lifetimes (test extra)")]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    lines = cdnow.purchases("CDNOW_sample.txt")
    path = cdnow.workbook(tmp_path_factory.mktemp("cdnow") / "cdnow.xlsx", lines)
    result = refresh(FileBook(path), cdnow.CALIBRATION_END)
    rows = values(path)["Customers"]
    frame = pd.DataFrame(rows[1:], columns=rows[0]).replace("", None).set_index("Customer")
    return lines, frame, result


def test_recency_and_frequency_match_fader_and_hardies_summary(scored):
    _, frame, result = scored
    published = cdnow.fader_hardie_summary()
    assert len(frame) == len(published) == 2357 and result.scored == 2357
    ours = frame.loc[published.index]
    assert (ours["Frequency"].astype(int) == published["x"] + 1).all()
    days = ((published["T"] - published["t_x"]) * 7).round()
    assert (ours["Recency (days)"].astype(int) - days).abs().max() <= 1


def test_monetary_matches_the_published_average_of_repeat_purchases(scored):
    lines, frame, _ = scored
    used = lines[lines["date"] <= pd.Timestamp(cdnow.CALIBRATION_END)]
    first_day = used.groupby("customer")["date"].transform("min")
    first_spend = used[used["date"] == first_day].groupby("customer")["dollars"].sum()
    published = cdnow.fader_hardie_summary()
    expected = first_spend.reindex(published.index) + published["x"] * published["zbar"]
    assert (frame.loc[published.index, "Monetary"].astype(float) - expected).abs().max() < 0.01 * published["x"].max()


def test_scores_predict_who_buys_again(scored):
    lines, frame, _ = scored
    later = lines[(lines["date"] > pd.Timestamp(cdnow.CALIBRATION_END))
                  & (lines["date"] <= pd.Timestamp(cdnow.HOLDOUT_END))]
    frame["bought_again"] = frame.index.isin(later["customer"])
    by_risk = frame.groupby("Churn risk")["bought_again"].mean()
    assert by_risk["Low"] > 2 * by_risk["High"]
    by_segment = frame.groupby("Segment")["bought_again"].mean()
    assert by_segment["Champions"] > 2 * max(by_segment["Lost"], by_segment["Hibernating"])
    by_class = frame.groupby("Class")["bought_again"].mean()
    assert by_class["A"] > by_class["D"]


def test_quintiles_on_real_amounts_split_customers_evenly(scored):
    _, frame, _ = scored
    shares = frame["M score"].astype(int).value_counts(normalize=True)
    assert shares.between(0.17, 0.23).all() and len(shares) == 5
