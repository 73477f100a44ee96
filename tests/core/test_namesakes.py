"""Customers whose name repeats (core/records.py): the same person listed again merges into the first row of that
person; a namesake with another phone, e-mail or address stays a customer of their own, and both are listed."""

import pandas as pd

from xlcrm.core.records import duplicate_problems, separate_namesakes


class Sheet:  # what duplicate_problems reads of the table: its name and a column's header
    sheet = "客户"

    @staticmethod
    def header_of(column):
        return "客户名称"


class Mapping:
    columns = {"customer": 0}


def frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (Excel row, name, phone, e-mail)."""
    return pd.DataFrame([{"customer": name, "key": name, "phone": phone, "email": email}
                         for _, name, phone, email in rows], index=pd.Index([r[0] for r in rows], name="row"))


def test_a_person_listed_again_merges_and_a_namesake_stays_apart_naming_the_field_that_differs():
    records = frame([
        (2, "王先生", "138 0000 0001", None),
        (3, "王先生", "13800000002", "w2@x.cn"),  # another phone: another person
        (4, "王先生", "+86 13800000001", "W1@X.CN"),  # the first one, written otherwise
        (5, "王先生", None, "w2@x.cn"),  # no phone: the e-mail says it is row 3's person
        (6, "李女士", "13900000009", None),
        (7, "李女士", None, None),  # nothing tells her apart: the same customer
    ])
    apart = separate_namesakes(records)
    assert apart == {3: (2, "phone")}
    assert records["key"].tolist() == ["王先生", "王先生#3", "王先生", "王先生#3", "李女士", "李女士"]
    problems = duplicate_problems(records, Sheet(), Mapping(), "customer", apart)
    said = [(p.row, p.value, p.why.text("zh")) for p in problems]
    assert said == [(3, "王先生", "与第 2 行同名,但电话不同:视为不同的客户"),
                    (4, "王先生", "与第 2 行是同一客户"),
                    (5, "王先生", "与第 3 行是同一客户"),
                    (7, "李女士", "与第 6 行是同一客户")]


def test_a_visit_log_repeating_every_name_keeps_one_customer_per_person():
    lines = [(n + 2, f"客户{n % 300}", f"1390000{n % 300:04d}" if n % 5 else None, None) for n in range(3000)]
    lines.append((3002, "客户7", "13700000000", None))  # a namesake on the last line
    records = frame(lines)
    apart = separate_namesakes(records)
    assert apart == {3002: (9, "phone")}
    assert records["key"].nunique() == 301
    problems = duplicate_problems(records, Sheet(), Mapping(), "customer", apart)
    assert len(problems) == 3000 - 300 + 1 and problems[0].row == 302


def test_a_phone_kept_as_a_number_is_the_same_phone_as_the_text():
    records = frame([
        (2, "赵总", 13800000001.0, None),  # the cell held a number: pandas reads it as a float
        (3, "赵总", "138-0000-0001", None),  # the same person typed again, the phone as text
    ])
    apart = separate_namesakes(records)
    assert apart == {}
    assert records["key"].tolist() == ["赵总", "赵总"]
    said = [(p.row, p.why.text("en")) for p in duplicate_problems(records, Sheet(), Mapping(), "customer", apart)]
    assert said == [(3, "same customer as row 2")]
