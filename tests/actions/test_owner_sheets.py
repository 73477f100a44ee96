"""One customer sheet per salesperson (helpers/corpus.owner_sheets): read as one team table, the owner from the
sheet name, every row written back to its own sheet, the archive sheet left alone, no original cell changed."""

import pytest

from helpers.corpus import owner_sheets_book
from helpers.snapshot import snapshot
from helpers.workbooks import sheet_rows
from xlcrm.actions.check import check
from xlcrm.actions.followups import followups
from xlcrm.actions.refresh import refresh
from xlcrm.actions.remind import RemindRequest, remind
from xlcrm.actions.report import report
from xlcrm.book.file import FileBook
from xlcrm.core.owner_sheets import looks_like_person, skipped
from conftest import TODAY

TEAM = ("张三", "李四", "王五", "归档")


@pytest.fixture
def path(tmp_path):
    return owner_sheets_book(tmp_path / "分人客户.xlsx")


def team_cells(path):
    shot = snapshot(path)
    return {s: shot[f"cells {s}"] for s in TEAM}


def unchanged(before, after):
    """Every cell the team wrote is as it was (xlcrm's columns beside them may be new)."""
    return all({ref: after[s].get(ref) for ref in before[s]} == before[s] for s in before)


def column(path, sheet, header):
    rows = sheet_rows(path, sheet)
    top = next(i for i, r in enumerate(rows) if "客户名称" in r)
    at = rows[top].index(header)
    return {r[0]: r[at] for r in rows[top + 1:] if r[0]}


def test_check_reads_every_owner_sheet_and_names_each_problem_on_its_own_sheet_and_row(path):
    before = team_cells(path)
    session = check(FileBook(path)).session
    records = session.customers.records
    assert sorted(zip(records["customer"], records["owner"])) == sorted(
        [("甲公司", "张三"), ("乙公司", "张三"), ("丙公司", "李四"), ("丁公司", "李四"), ("戊公司", "王五"),
         ("甲公司", "王五")])  # nothing of 归档
    texts = [p.text("zh") for p in session.located_problems()]
    assert any(t.startswith("李四!E3 ") for t in texts), texts  # the unreadable birthday
    assert any(t.startswith("王五!A4 ") and "与工作表“张三”第 2 行是同一客户" in t for t in texts), texts
    lines = "\n".join(check(FileBook(path)).lines("zh"))  # the second run finds the same table
    assert "'张三', '李四', '王五' 各为一位负责人的客户" in lines and "工作表“归档”" in lines, lines
    assert "看起来也是客户表" not in lines
    problems = sheet_rows(path, "数据问题")
    assert ["李四", 3] in [row[:2] for row in problems] and ["王五", 4] in [row[:2] for row in problems]
    assert unchanged(before, team_cells(path))
    settings = {row[0]: row[2] for row in sheet_rows(path, "CRM设置") if row and row[0]}
    assert settings["customer_sheet"] == "张三" and settings["skip_sheets"] in (None, "")


def test_refresh_and_followups_write_each_row_on_its_own_sheet_and_leave_the_archive_alone(path):
    before = team_cells(path)
    archive = snapshot(path)["cells 归档"]
    refresh(FileBook(path), TODAY)
    result = followups(FileBook(path), TODAY)
    assert unchanged(before, team_cells(path))
    assert snapshot(path)["cells 归档"] == archive
    assert sheet_rows(path, "归档")[0] == ["客户名称", "联系人", "电话", "邮箱", "生日", "最近联系日期", "最近下单日期",
                                          "订单数", "累计成交金额"]
    for sheet, names in (("张三", {"甲公司", "乙公司"}), ("李四", {"丙公司", "丁公司"}), ("王五", {"戊公司", "甲公司"})):
        due = column(path, sheet, "下次跟进日")
        assert set(due) == names and all(due.values()), (sheet, due)
        assert set(column(path, sheet, "客户等级")) == names
        status = column(path, sheet, "跟进状态")
        first = 3 if sheet == "王五" else 2  # 王五's header is in row 2: the formula names its own row
        assert status[next(iter(status))].startswith("=IF(ISNUMBER(") and f"{first})" in status[next(iter(status))]
    counts = {line.split(":")[0].strip(): line for line in result.lines("zh") if line.startswith("  ")}
    assert {"张三", "李四", "王五"} <= set(counts) and "归档" not in counts, counts
    due_list = sheet_rows(path, "待跟进")
    links = [c for row in due_list for c in row if isinstance(c, str) and c.startswith("=HYPERLINK")]
    assert any("#'王五'!A3" in link for link in links) and any("#'李四'!A2" in link for link in links), links
    assert not any("己公司" in str(row) for row in due_list)
    records = followups(FileBook(path), TODAY).session.customers.records  # a second run reads its own columns back
    assert len(records) == 6


def test_report_and_a_dry_reminder_run_read_the_combined_table(path):
    before = team_cells(path)
    made = report(FileBook(path), today=TODAY)
    html = made.html.read_text(encoding="utf-8")
    assert all(owner in html for owner in ("张三", "李四", "王五")) and "己公司" not in html
    planned = remind(FileBook(path), RemindRequest(today=TODAY)).plan
    assert "甲公司" in set(planned["customer"]) and "己公司" not in set(planned["customer"])  # 甲's birthday, not 己's
    preview = [c for row in sheet_rows(path, "邮件预览") for c in row]
    assert "张三!2" in preview, preview  # the row on its own sheet
    assert unchanged(before, team_cells(path))


def test_a_sheet_per_year_or_region_is_not_an_owner():
    assert all(map(looks_like_person, ["张三", "欧阳娜娜", "王小明", "Alice", "Bob Smith"]))
    assert not any(map(looks_like_person, ["2024", "2025年", "华东", "江苏", "客户", "Leads", "Sheet1", "汇总", "Q1"]))


def test_archive_like_names_are_left_out_unless_the_setting_lists_others():
    assert all(skipped(n, "") for n in ("归档", "已流失", "Archive", "archived 2024", "离职员工客户"))
    assert not any(skipped(n, "") for n in ("张三", "Alice", "Oldham"))
    assert skipped("老客户", "老客户, 测试") and not skipped("归档", "老客户, 测试")


def test_logging_a_contact_names_the_customers_own_sheet_and_row(path):
    """丙公司 is on 李四's sheet, its first row: the message says so, not the combined table's row number."""
    from xlcrm.actions.contact_log import log_contact

    result = log_contact(FileBook(path), "丙公司", "visit", today=TODAY)
    said = result.lines("zh")[0]
    assert "丙公司(第 李四!2 行)" in said, said
