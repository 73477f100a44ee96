"""Opt-out fails closed: only a clear 'may mail' leaves a customer mailable; an unclear mark opts out and is
listed as a data problem naming what was written."""

import datetime as dt

import pytest

from xlcrm.core.fields import BY_ID
from xlcrm.core.parse import parse_opt_out


@pytest.mark.parametrize("mark", ["客户要求退订", "是(客户要求)", "不要发邮件", "勿扰", dt.date(2026, 3, 1), "★",
                                  "yes please"])
def test_an_unclear_mark_opts_out_and_is_a_problem(mark):
    opted_out, problem = parse_opt_out(mark)
    assert opted_out is True and problem is not None
    assert "opted out" in problem.text("en") and "退订" in problem.text("zh")


@pytest.mark.parametrize("mark", [None, "", "否", "no", "No", 0, "0", "false", "无", "-"])
def test_a_clear_may_mail_leaves_the_customer_mailable(mark):
    assert parse_opt_out(mark) == (False, None)


@pytest.mark.parametrize("mark", ["是", "√", "x", "yes", "退订", True])
def test_a_clear_yes_opts_out_without_a_problem(mark):
    assert parse_opt_out(mark) == (True, None)


def test_the_opt_out_column_is_read_this_way():
    assert BY_ID["opt_out"].kind == "opt_out"
