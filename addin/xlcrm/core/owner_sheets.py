"""One customer sheet per owner (sheets 张三, 李四 ... with one header and no owner column): one team table.

The sheets' tables are put one under the other: row r of the k-th sheet is row k * ROW_SPAN + r of the
whole (Table.locate gives it back), and each record's owner is its sheet's name.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from xlcrm.core.parse import clean_text
from xlcrm.core.table import ROW_SPAN, Table

# Sheets of customers no longer worked: same shape as the customer sheets, not customers (setting skip_sheets)
ARCHIVE_WORDS = ("archive", "archived", "old", "former", "inactive", "lost", "churned", "deleted", "template",
                 "归档", "存档", "已流失", "流失", "历史", "离职", "停用", "作废", "删除", "回收", "公海", "模板", "旧")
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
                "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
                "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
                "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄"
                "丛仲虞敖巩明佘池查麻苑迟邝")
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "长孙", "夏侯", "独孤")
# Two or three characters that start with a surname yet name a place, a region or a kind of sheet
_NOT_PEOPLE_ZH = re.compile(r"(东|南|西|北|中|省|市|区|县|部|组|店|司|表|单|户|总|汇|计|库|区域|客户|订单|明细|数据)$"
                            r"|^(华东|华南|华北|华中|江苏|江西|安徽|黄埔|金华|温州|常州|明细|汇总|全部)")
_NOT_PEOPLE_EN = {"sheet", "customers", "customer", "clients", "client", "leads", "lead", "data", "list", "summary",
                  "orders", "order", "contacts", "contact", "north", "south", "east", "west", "central", "region",
                  "team", "total", "all", "main", "master", "new", "active", "pipeline", "deals", "accounts", "notes",
                  "readme", "instructions", "prospects", "sales", "report", "dashboard", "lookup", "lists", "vip"}


def looks_like_person(name: str) -> bool:
    """A sheet named like a salesperson: 张三, 欧阳娜娜, Alice, Bob Smith; not 2025, 华东, Leads, Sheet1."""
    text = unicodedata.normalize("NFKC", clean_text(name))
    if not text or any(c.isdigit() for c in text):  # 2024, 2025年, Q1: a sheet per period is another case
        return False
    if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", text):
        given = text[2:] if text.startswith(_COMPOUND) else text[1:] if text[0] in _SURNAMES else None
        return given is not None and 1 <= len(given) <= 2 and not _NOT_PEOPLE_ZH.search(text)
    words = re.split(r"[\s.]+", text.strip())
    return (1 <= len(words) <= 3 and all(re.fullmatch(r"[A-Za-z][A-Za-z'\-]{0,19}", w) for w in words)
            and not {w.lower() for w in words} & _NOT_PEOPLE_EN)


def skipped(name: str, listed: str) -> bool:
    """A sheet to leave out: named in the setting (comma separated), else, with the setting empty, named like an
    archive (Archive, 归档, 已流失...)."""
    key = unicodedata.normalize("NFKC", name).strip().casefold()
    names = {n.strip().casefold() for n in re.split(r"[,，;；、\n]+", unicodedata.normalize("NFKC", listed)) if n.strip()}
    if names:
        return key in names
    return any(word in re.split(r"[\s_\-()（）]+", key) if word.isascii() else word in key for word in ARCHIVE_WORDS)


def combined(tables: list[Table], records: list[pd.DataFrame]) -> tuple[Table, pd.DataFrame]:
    """The sheets' tables and records as one: rows renumbered by ROW_SPAN, each record's owner its sheet's name."""
    sheets = tuple(t.sheet for t in tables)
    width = max(len(t.headers) for t in tables)
    cells = pd.concat([t.cells.set_axis(t.cells.index + k * ROW_SPAN) for k, t in enumerate(tables)])
    cells = cells.reindex(columns=range(max(width, cells.shape[1]))).astype(object)
    cells = cells.where(cells.notna(), None)
    table = Table(", ".join(sheets), tables[0].header_row, tables[0].headers, cells, sheets,
                  date1904=tables[0].date1904)  # one workbook: one date system
    parts = [r.set_axis((r.index + k * ROW_SPAN).rename("row")).assign(owner=sheets[k]) for k, r in enumerate(records)]
    return table, pd.concat(parts)
