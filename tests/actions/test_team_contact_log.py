"""A team's own contact log, named as xlcrm names its log (跟进记录), headed as Chinese teams head it: 跟进时间,
客户, 跟进方式, 跟进内容, 跟进人. Its contacts count: a visit on 18 November is the last contact, so no
follow-up falls due a week later. A log sheet xlcrm cannot read is named in the data problems of the runs that
rely on it, not passed over in silence."""

from __future__ import annotations

import datetime as dt

import openpyxl

from helpers.cli import run
from helpers.workbooks import column_values, sheet_rows

HEADERS = ["客户名称", "联系人", "邮箱", "负责人", "最近联系日期"]


def team_book(path, log_header):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(HEADERS)
    sheet.append(["上海恒信电子", "王总", "wang@hx.example", "张三", "2026/11/3"])
    sheet.append(["杭州远大贸易", "李经理", "li@yd.example", "李四", "2026/11/10"])
    log = book.create_sheet("跟进记录")
    log.append(log_header)
    log.append([1, dt.date(2026, 11, 18), "杭州远大贸易", "拜访", "报价 12 万", "李四"])
    book.save(path)
    return path


def test_a_log_headed_with_gen_jin_shi_jian_counts(tmp_path):
    path = team_book(tmp_path / "客户.xlsx", ["序号", "跟进时间", "客户", "跟进方式", "跟进内容", "跟进人"])
    result = run("followups", path, "--today", "2026-11-24")
    assert result.exit_code == 0, result.output
    last = dict(zip(column_values(path, "客户", "客户名称"), column_values(path, "客户", "下次跟进日")))
    assert last["杭州远大贸易"] > dt.datetime(2026, 11, 25), last  # counted from the 18th, not the 10th
    result = run("remind", path, "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    mailed = [row for row in sheet_rows(path, "邮件预览")[1:] if "li@yd.example" in row]
    assert not mailed, mailed


def test_a_log_xlcrm_cannot_read_is_named_in_the_follow_up_run(tmp_path):
    path = team_book(tmp_path / "客户.xlsx", ["序号", "什么时候", "谁", "怎么联系", "说了啥", "跟进人"])
    result = run("followups", path, "--today", "2026-11-24")
    assert result.exit_code == 0, result.output
    problems = [row for row in sheet_rows(path, "数据问题")[1:] if row[0] == "跟进记录"]
    assert problems and "其中的联系记录均不计入" in problems[0][4], sheet_rows(path, "数据问题")
