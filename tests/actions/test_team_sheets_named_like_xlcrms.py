"""A team's own sheet that has the name of one of xlcrm's (their 待跟进 to-do list, 数据问题 QA notes, 发送记录
shipping log, CRM报告) is the team's: no command writes over it, in the workbook or in its backup; xlcrm writes its own
sheet as '待跟进 (xlcrm)' and says so once. A customer sheet named 待跟进 or 跟进记录 is read as the customer sheet.
A sheet xlcrm wrote (recorded in _xlcrm, or laid out as xlcrm writes it, earlier versions included) stays xlcrm's."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from helpers.cli import run
from helpers.workbooks import cells, sheet_rows, workbook_of

TODAY = "2026-11-23"
CUSTOMERS = [["客户名称", "联系人", "邮箱", "负责人", "最近联系日期"],
             ["上海恒信电子", "王总", "wang@hx.example", "张三", "2026/11/3"],
             ["杭州远大贸易", "李经理", "li@yd.example", "李四", "2026/11/10"]]
TEAM_SHEETS = {
    "待跟进": [["事项", "截止", "负责人", "完成"], ["给王总寄样品", dt.datetime(2026, 11, 25), "张三", "否"],
            ["年会场地", dt.datetime(2026, 12, 10), "李四", "否"]],
    "数据问题": [["问题", "提出人"], ["客户电话缺失很多", "王经理"]],
    "发送记录": [["日期", "客户", "寄送内容", "快递单号"], [dt.datetime(2026, 11, 5), "上海恒信电子", "样品 3 件", "SF1234567890"]],
    "CRM报告": [["月份", "新增客户"], ["10月", 5]],
}


def ok(*args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_teams_sheets_named_like_xlcrms_are_never_written_over_nor_lost_from_the_backup(tmp_path):
    path = workbook_of(tmp_path / "团队.xlsx", {"客户": CUSTOMERS, **TEAM_SHEETS})
    team = {name: cells(path, name) for name in TEAM_SHEETS}
    said = []
    for _ in range(2):  # the second run finds xlcrm's sheets where it put them
        for command in (("check", path), ("followups", path, "--today", TODAY), ("remind", path, "--today", TODAY),
                        ("report", path, "--today", TODAY, "--out", tmp_path / "报告")):
            said.append(ok(*command))
            for saved in (path, tmp_path / "团队.backup.xlsx"):
                assert {name: cells(saved, name) for name in TEAM_SHEETS} == team, (command, saved)
    names = openpyxl.load_workbook(path).sheetnames
    assert {"待跟进 (xlcrm)", "数据问题 (xlcrm)", "发送记录 (xlcrm)", "CRM报告 (xlcrm)"} <= set(names), names
    assert sheet_rows(path, "数据问题 (xlcrm)")[0][:5] == ["工作表", "行", "列", "内容", "问题"]
    assert str(sheet_rows(path, "待跟进 (xlcrm)")[0][0]).startswith("待跟进事项")
    assert sheet_rows(path, "发送记录 (xlcrm)")[0][:3] == ["时间", "状态", "客户"]
    assert str(sheet_rows(path, "CRM报告 (xlcrm)")[0][0]).startswith("CRM周报")
    first_run, second_run = "\n".join(said[:4]), "\n".join(said[4:])
    for name in TEAM_SHEETS:
        assert first_run.count(f"工作表“{name}”是您自己的") == 1, first_run  # said once, by the run that made it
        assert f"工作表“{name}”是您自己的" not in second_run, second_run
    assert "见工作表“数据问题 (xlcrm)”" in first_run and "工作表“待跟进 (xlcrm)”" in first_run


@pytest.mark.parametrize("name", ["待跟进", "跟进记录", "数据问题"])
def test_a_customer_sheet_named_like_one_of_xlcrms_is_read_and_kept(tmp_path, name):
    path = workbook_of(tmp_path / "客户.xlsx", {name: CUSTOMERS})
    typed = cells(path, name)
    said = ok("check", path)
    assert f"客户表:工作表“{name}”,表头在第 1 行,共 2 行" in said, said
    for _ in range(2):
        ok("followups", path, "--today", TODAY)
        after = cells(path, name)
        assert {ref: after.get(ref) for ref in typed} == typed  # xlcrm's columns beside the team's are new
        assert [row[:2] for row in sheet_rows(path, name)[1:]] == [r[:2] for r in CUSTOMERS[1:]]
    due = "待跟进 (xlcrm)" if name == "待跟进" else "待跟进"
    assert str(sheet_rows(path, due)[0][0]).startswith("待跟进事项")


def test_xlcrms_sheets_of_an_earlier_version_stay_xlcrms_beside_a_teams_sheet_named_like_one(tmp_path):
    """An earlier version kept no record of its sheets, and its data problems had five columns: its sheets are known
    by their layout, written where they are, never put apart, while the team's 待跟进 is left alone."""
    path = workbook_of(tmp_path / "旧版.xlsx", {"客户": CUSTOMERS})
    ok("followups", path, "--today", TODAY)
    book = openpyxl.load_workbook(path)
    del book["_xlcrm"]  # as an earlier version left it: no record of xlcrm's sheets
    book["数据问题"].delete_cols(6)  # 工作表 | 行 | 列 | 内容 | 问题, no 发现于
    book["待跟进"].title = "Due follow-ups"  # the English workbook's, before the team wrote in Chinese
    team = book.create_sheet("待跟进")
    for row in TEAM_SHEETS["待跟进"]:
        team.append(row)
    book.save(path)
    typed = cells(path, "待跟进")
    for _ in range(2):
        ok("check", path)
        ok("followups", path, "--today", TODAY)
        assert cells(path, "待跟进") == typed
    names = openpyxl.load_workbook(path).sheetnames
    assert "数据问题 (xlcrm)" not in names and "数据问题" in names, names
    assert sheet_rows(path, "数据问题")[0] == ["工作表", "行", "列", "内容", "问题", "发现于"]
    # xlcrm's English due list is its own: renamed into the Chinese one, which the team's name puts apart
    assert "Due follow-ups" not in names and "待跟进 (xlcrm)" in names, names
