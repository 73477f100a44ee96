"""`xlcrm refresh` and the demo's refresh step from the command line."""


from helpers.cli import run
from helpers.workbooks import sheet_rows


def test_refresh_from_the_command_line_as_of_a_day(tmp_path):
    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 15, "--seed", 3, "--today", "2026-11-23")
    result = run("refresh", book, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "截至 2026-11-23" in result.output and "客户等级:" in result.output
    assert sheet_rows(book, "客户跟踪表")[1][-2:] == ["流失风险", "预计下次购买"]
    english = run("--lang", "en", "refresh", book, "--today", "2026-12-01")
    assert "as of 2026-12-01" in english.output and "Classes: A" in english.output


def test_a_bad_day_is_refused_before_anything_is_read(tmp_path):
    book = tmp_path / "team.xlsx"
    run("sample", book, "--customers", 5)
    result = run("refresh", book, "--today", "23/11/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_demo_refreshes_the_sample(tmp_path):
    result = run("demo", "--dir", tmp_path / "demo", "--customers", 12)
    assert result.exit_code == 0, result.output
    assert "== xlcrm refresh ==" in result.output and "CRM概览" in result.output
