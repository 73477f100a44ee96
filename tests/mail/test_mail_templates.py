"""The templates sheet and rendering: defaults added but the team's rows never lost, clear errors,
the sandbox holding, HTML escaped, header injection refused."""

import openpyxl
import pandas as pd
import pytest

from helpers.mailbook import remind_on, set_settings
from helpers.workbooks import edit, find_row, sheet_rows
from xlcrm.core.errors import XlcrmError
from xlcrm.core.mailmerge.default_templates import DEFAULTS


run = remind_on


def template_rows(path, sheet="邮件模板"):
    return sheet_rows(path, sheet)


def set_template(path, name, column, value, sheet="邮件模板"):
    row = find_row(path, sheet, name)
    edit(path, sheet, {f"{column}{row}": value})


def test_a_new_workbook_gets_every_default_template_in_its_language(zh_book, en_book):
    run(zh_book)
    names = [r[0] for r in template_rows(zh_book)[1:]]
    assert names == [d["name"]["zh"] for d in DEFAULTS]
    assert template_rows(zh_book)[0][:3] == ["模板名称", "启用", "场合"]
    remind_on(en_book)
    assert [r[0] for r in template_rows(en_book, "Mail templates")[1:]] == [d["name"]["en"] for d in DEFAULTS]


def test_the_teams_rows_are_kept_and_only_missing_defaults_come_back(zh_book):
    run(zh_book)
    book = openpyxl.load_workbook(zh_book)
    sheet = book["邮件模板"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "生日祝福":
            row[0].value = "生日快乐"  # renamed: still the birthday template
            row[7].value = "{{ greeting_name }}，生日快乐！\n\n{{ signature }}"
        if row[0].value == "节日问候":
            sheet.delete_rows(row[0].row)  # deleted: nothing covers holidays any more
            break
    sheet.append(["新品推荐", "否", "定期跟进", "逾期", "A", "", "新品上市", "{{ customer }} 您好", "text"])
    book.save(zh_book)
    before = [r for r in template_rows(zh_book)]
    run(zh_book)
    after = template_rows(zh_book)
    assert after[:len(before)] == before  # every row the team had, exactly as they left it
    added = [r[0] for r in after[len(before):]]
    assert added == ["节日问候"]
    run(zh_book)
    assert len(template_rows(zh_book)) == len(after)  # a third run adds nothing more


def test_a_team_column_can_be_used_by_its_header(zh_book):
    run(zh_book)
    set_template(zh_book, "久未联系问候", "H", "{{ greeting_name }}，您好！来源:{{ 客户来源 }},职务:{{ 职务 }}")
    result = run(zh_book)
    bodies = result.plan.loc[result.plan["template"].eq("久未联系问候"), "body"].dropna()
    assert len(bodies) and all("来源:" in b and "来源:," not in b for b in bodies)


def test_a_message_is_merged_from_just_the_fields_its_template_names_with_the_values_of_every_field(zh_book):
    """Only what the templates name is made into text per customer (a wide sheet made every column's); a field,
    a team column by its header and by row[...] still read the customer's own values."""
    from xlcrm.actions.session import open_session
    from xlcrm.book.file import FileBook
    from xlcrm.core.mailmerge.merge_fields import customer_contexts

    session = open_session(FileBook(zh_book))
    table = session.customers.table
    every = customer_contexts(session.customers.records, table.cells, table.headers, "zh")
    named = customer_contexts(session.customers.records, table.cells, table.headers, "zh",
                              fields={"last_contact", "职务", "greeting_name"})
    assert every.keys() == named.keys()
    for row, context in named.items():
        assert {"last_contact", "职务", "customer", "contact"} <= context.keys() and "address" not in context
        assert all(context[k] == every[row][k] for k in context if k != "row")
    by_row = customer_contexts(session.customers.records, table.cells, table.headers, "zh", fields={"row"})
    assert all(by_row[row]["row"] == every[row]["row"] for row in every)  # row["any header"]: every column

    run(zh_book)
    set_template(zh_book, "久未联系问候", "H", "{{ greeting_name }}|{{ last_contact }}|{{ 职务 }}|{{ row['职务'] }}")
    result = run(zh_book)
    mine = result.plan[result.plan["template"].eq("久未联系问候") & result.plan["body"].notna()]
    assert len(mine)
    for _, message in mine.iterrows():
        context = every[int(message["row"])]
        assert message["body"].strip().split("|")[1:] == [context["last_contact"], context["职务"], context["职务"]]


def refused_for(result, template: str) -> list[str]:
    """The reasons given for the template's messages, which must all be refused, while other templates' go on."""
    mine = result.plan[result.plan["template"].eq(template)]
    assert len(mine) and set(mine["decision"]) <= {"refused", "skip", "done"}, mine[["decision", "reason"]]
    assert result.plan.loc[~result.plan["template"].eq(template), "decision"].eq("send").any()  # the others go out
    return [r.text("zh") + "\n" + r.text("en") for r in mine.loc[mine["decision"].eq("refused"), "reason"]]


def test_an_unknown_field_names_the_template_row_column_and_field_and_only_its_messages_are_refused(zh_book):
    run(zh_book)
    set_template(zh_book, "跟进问候", "H", "{{ 联系人名 }},您好")
    result = run(zh_book)
    text = refused_for(result, "跟进问候")[0]
    row = find_row(zh_book, "邮件模板", "跟进问候")
    assert "跟进问候" in text and "联系人名" in text and f"第 {row} 行" in text and "正文" in text
    assert "联系人" in text  # the fields one can use are listed
    assert any("跟进问候" in line for line in result.lines("zh"))  # named in what the run says


def test_a_syntax_error_says_where(zh_book):
    run(zh_book)
    set_template(zh_book, "跟进问候", "G", "{{ greeting_name }")
    text = refused_for(run(zh_book), "跟进问候")[0]
    assert "跟进问候" in text and "Subject" in text


def test_a_word_that_is_not_an_occasion_is_reported_with_sheet_row_and_column(zh_book):
    run(zh_book)
    set_template(zh_book, "跟进问候", "C", "定期跟进, 周年庆")
    with pytest.raises(XlcrmError) as error:
        run(zh_book)
    row = find_row(zh_book, "邮件模板", "跟进问候")
    assert f"邮件模板!C{row}" in error.value.text("zh") and "周年庆" in error.value.text("zh")


@pytest.mark.parametrize("escape", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''|attr('__class__') }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ self._TemplateReference__context }}",
    "{% set x = namespace() %}{{ x|attr('_Namespace__attrs') }}",
    "{{ (lipsum|attr('__globals__'))['os'] }}",
    "{{ 'x' * 100000000 }}",
    "{{ 10 ** 100000000 }}",
])
def test_a_template_cannot_reach_python_internals(zh_book, escape):
    run(zh_book)
    set_template(zh_book, "久未联系问候", "H", escape)
    result = run(zh_book)
    text = refused_for(result, "久未联系问候")[0]
    assert "久未联系问候" in text and "may not use" in text
    assert not any("久未联系问候" in p.name for p in zh_book.parent.glob("*.outbox/*.eml"))


@pytest.mark.parametrize("hog, why", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "steps"),
    ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "characters"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}", "calls itself"),
])
def test_a_template_that_hangs_or_eats_memory_is_refused_within_seconds_naming_sheet_and_row(zh_book, hog, why):
    import time

    run(zh_book)
    set_template(zh_book, "久未联系问候", "H", hog)
    started = time.monotonic()
    result = run(zh_book)
    assert time.monotonic() - started < 30
    text = refused_for(result, "久未联系问候")[0]
    row = find_row(zh_book, "邮件模板", "久未联系问候")
    assert why in text and "邮件模板" in text and f"row {row}" in text


def test_html_templates_escape_customer_data_and_carry_a_text_part(zh_book):
    result = run(zh_book)
    set_settings(zh_book, {"company": "恒信科技有限公司"})
    row = int(result.plan.loc[result.plan["template"].eq("久未联系问候"), "row"].iloc[0])
    edit(zh_book, "客户跟踪表", {f"D{row}": "<b>王总</b> & 团队"})
    set_template(zh_book, "久未联系问候", "I", "html")
    set_template(zh_book, "久未联系问候", "H", "<p>{{ greeting_name }}，您好！</p><p>{{ signature|nl2br }}</p>")
    again = run(zh_book)
    item = again.plan[again.plan["row"].eq(row) & again.plan["template"].eq("久未联系问候")].iloc[0]
    eml = next(zh_book.parent.glob(f"*.outbox/{item['file']}"))
    from email import message_from_bytes, policy

    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "&lt;b&gt;王总&lt;/b&gt; &amp; 团队" in html and "<b>王总" not in html
    assert text.startswith("<b>王总</b> & 团队，您好！") and "<p>" not in text
    assert "<br>\r\n恒信科技有限公司" in html  # the signature's lines, escaped and broken


def test_a_line_break_in_a_header_field_refuses_that_message_only(zh_book):
    first = run(zh_book)
    set_template(zh_book, "久未联系问候", "G", "{{ greeting_name }}:{{ 客户来源 }}")
    row = int(first.plan.loc[first.plan["template"].eq("久未联系问候"), "row"].iloc[0])
    edit(zh_book, "客户跟踪表", {f"I{row}": "展会\r\nBcc: everyone@example.com"})
    result = run(zh_book)
    refused = result.plan[result.plan["decision"].eq("refused")]
    assert list(refused["row"]) == [row] and "换行" in refused["reason"].iloc[0].text("zh")
    assert result.counts()["send"] == first.counts()["send"] - 1
    for eml in zh_book.parent.glob("*.outbox/*.eml"):
        assert b"everyone@example.com" not in eml.read_bytes()


def test_a_subject_written_on_two_lines_is_a_template_error(zh_book):
    run(zh_book)
    set_template(zh_book, "跟进问候", "G", "您好\n请查收")
    with pytest.raises(XlcrmError) as error:
        run(zh_book)
    assert "换行" in error.value.text("zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_new_lead_gets_a_first_reply_of_its_own_never_long_time_no_see(lang):

    from xlcrm.core.mailmerge.send_plan import match_templates
    from xlcrm.core.mailmerge.templates_sheet import default_templates
    templates = default_templates(lang)
    touches = pd.DataFrame({"row": [3, 4, 5], "occasion": ["first_answer", "first_answer", "followup"],
                            "status": ["due_today", "overdue", "overdue"]})
    marks = pd.DataFrame({"class_norm": None, "segment_norm": None}, index=[3, 4, 5])
    chosen = match_templates(touches, marks, templates).tolist()
    first = {"zh": "新线索首次回复", "en": "Thanks for getting in touch"}[lang]
    assert chosen[:2] == [first, first] and chosen[2] != first
    text = next(t for t in templates if t.name == first)
    assert not any(word in text.subject + text.body for word in ("好久不见", "有一阵子", "a while", "since we last"))


def test_the_thank_you_promises_nothing_about_a_delivery_that_may_already_have_happened():
    from xlcrm.core.mailmerge.templates_sheet import default_templates
    for lang in ("zh", "en"):
        thanks = next(t for t in default_templates(lang) if "thanks" in t.occasions)
        assert not any(word in thanks.body for word in ("按时交付", "确保", "arrives on time"))
