"""`xlcrm followups` and the demo step, as a user runs them."""

from helpers.cli import run
from helpers.workbooks import sheet_rows


def test_followups_from_the_command_line_with_a_chosen_day(tmp_path):
    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 20, "--seed", 3, "--today", "2026-11-23")
    result = run("followups", book, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "截至 2026-11-23 的跟进" in result.output and "待跟进" in result.output
    assert sheet_rows(book, "待跟进")[0][0] == "待跟进事项(2026-11-23)"
    result = run("--lang", "en", "followups", book, "--today", "2027-02-01")
    assert "Follow-ups as of 2027-02-01" in result.output and "Holiday greeting" in result.output


def test_a_wrong_day_is_refused_before_anything_is_read(tmp_path):
    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 5)
    original = book.read_bytes()
    result = run("followups", book, "--today", "23/11/2026")
    assert result.exit_code == 2 and "--today" in result.output and "YYYY-MM-DD" in result.output
    assert book.read_bytes() == original


def test_the_demo_runs_followups_after_check(tmp_path):
    result = run("demo", "--dir", tmp_path / "demo", "--customers", 15)
    assert result.exit_code == 0, result.output
    assert result.output.index("== xlcrm check ==") < result.output.index("== xlcrm followups ==")
    assert "本周到期" in result.output
