"""The mail templates sheet: rows the team writes and edits, read back as Template records.

Each row is one template: a name, whether it is active, its audience (occasions, follow-up
statuses, classes, segments), a subject and body with {{ fields }} from the customer row, a
format (text or HTML), attachments and an optional sending window. The sheet belongs to the
team: xlcrm only adds the default templates that are missing, below their rows.
Rendering is not done here (core imports no template engine): see mail/render.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlcrm.core.mailmerge.default_templates import DEFAULTS, DIGEST
from xlcrm.core.fields import norm_header
from xlcrm.core.i18n import Msg
from xlcrm.core.parse import clean_text
from xlcrm.core.problems import Problem
from xlcrm.core.scores.class_choice import normalize_class
from xlcrm.core.settings import Col, read_switch
from xlcrm.core.table import column_letter
from xlcrm.core.followups.touches import OCCASIONS, STATUSES

COLUMNS = (
    Col("name", "Template", "模板名称"), Col("active", "Active", "启用"), Col("occasions", "Occasions", "场合"),
    Col("statuses", "Follow-up statuses", "跟进状态"), Col("classes", "Classes", "客户等级"),
    Col("segments", "Segments", "客户分群"), Col("subject", "Subject", "主题"), Col("body", "Body", "正文"),
    Col("format", "Format", "格式"), Col("attachments", "Attachments", "附件"),
    Col("days", "Sending days", "发送日"), Col("hours", "Sending hours", "发送时段"),
)
DIGEST_NAME = Msg("Daily digest to owners", "每日待办汇总(发给负责人)")
ALL_OCCASIONS = {**OCCASIONS, DIGEST: DIGEST_NAME}
DUE = frozenset({"overdue", "due_today"})

UNKNOWN_WORD = Msg("'{value}' is not one of: {known}", "“{value}”不在可选值中:{known}")
NO_SUBJECT = Msg("the template has no subject", "模板没有主题")
NO_BODY = Msg("the template has no body", "模板没有正文")
LINE_BREAK = Msg("the subject has a line break; a subject must be one line", "主题中有换行;主题只能是一行")
BAD_FORMAT = Msg("'{value}' is not text or html", "“{value}”不是 text 或 html")
NO_NAME = Msg("this row has a subject or body but no template name, so it is not used; give it a name",
              "这一行有主题或正文,但没有模板名称,因此不会使用;请填写模板名称")
SAME_NAME = Msg("another template above has the same name", "与上方的模板同名")
NO_HEADER = Msg("rows 1-20 have no header row naming the template, subject and body",
                "第 1-20 行中没有包含模板名称、主题、正文的表头行")
HEADER_ROWS = "1:20"  # where the header was looked for (find_header), as Excel names rows
UNCLEAR_ACTIVE = Msg("'{value}' is not a clear yes or no (是/否, 启用/停用, yes/no, on/off, 1/0); write 是 to use the "
                     "template, 否 to switch it off", "“{value}”不是明确的是或否(是/否、启用/停用、yes/no、1/0);"
                     "使用该模板请填 是,停用请填 否")
NOT_A_CLASS = Msg("'{value}' is not a class: one of A, B, C, D", "“{value}”不是客户等级:应为 A、B、C、D 之一")


@dataclass(frozen=True)
class Template:
    name: str
    row: int  # Excel row in the templates sheet (0 for a default not yet written)
    occasions: frozenset[str]  # empty: any occasion (the digest is never picked by "any")
    statuses: frozenset[str]  # empty: due (overdue or due today)
    classes: frozenset[str]  # normalised; empty: any
    segments: frozenset[str]
    subject: str
    body: str
    html: bool = False
    attachments: str = ""
    days: str = ""
    hours: str = ""
    active: bool = True

    @property
    def is_digest(self) -> bool:
        return self.occasions == {DIGEST}


def _header_positions(row: list) -> dict[str, int]:
    labels = {norm_header(lbl): c.id for c in COLUMNS for lbl in (c.en, c.zh)}
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        cid = labels.get(norm_header(clean_text(value)))
        if cid and cid not in found:
            found[cid] = index
    return found


def find_header(grid: list[list]) -> tuple[int, dict[str, int]] | None:
    """(0-based header row, column id -> 0-based column) of a templates sheet."""
    for number, row in enumerate(grid[:20]):
        positions = _header_positions(row)
        if {"name", "subject", "body"} <= positions.keys():
            return number, positions
    return None


def _words(text: str, known: dict[str, Msg], where: tuple[str, int, str], problems: list[Problem]) -> frozenset[str]:
    index = {norm_header(k): k for k in known}
    index.update({norm_header(m.en): k for k, m in known.items()})
    index.update({norm_header(m.zh): k for k, m in known.items()})
    found = set()
    for word in filter(None, (w.strip() for w in _split(text))):
        key = index.get(norm_header(word))
        if key is None:
            listing = ", ".join(f"{k} ({m.zh})" for k, m in known.items())
            problems.append(Problem(*where, word, UNKNOWN_WORD(value=word, known=listing)))
        else:
            found.add(key)
    return frozenset(found)


def _split(text: str) -> list[str]:
    for sep in "，、;；\n":
        text = text.replace(sep, ",")
    return text.split(",")


def _classes(text: str, where: tuple[str, int, str], problems: list[Problem]) -> frozenset[str]:
    """A, B, C, D (also a, Ａ, A类, A级) as the customers' class column is matched: normalised letters."""
    found = set()
    for word in filter(None, (w.strip() for w in _split(text))):
        letter = normalize_class(word)
        if letter:
            found.add(norm_header(letter))
        else:
            problems.append(Problem(*where, word, NOT_A_CLASS(value=word)))
    return frozenset(found)


def _free_words(text: str) -> frozenset[str]:
    return frozenset(norm_header(w) for w in _split(text) if w.strip())


def read_templates(sheet: str, grid: list[list]) -> tuple[list[Template], list[Problem]]:
    """Every row of the sheet as a Template, with the problems found (sheet, row, column named)."""
    header = find_header(grid)
    if header is None:
        return [], [Problem(sheet, None, HEADER_ROWS, None, NO_HEADER)]
    header_row, positions = header
    titles = {cid: f"{column_letter(col)} {clean_text(grid[header_row][col])}" for cid, col in positions.items()}
    templates: list[Template] = []
    problems: list[Problem] = []
    for offset, row in enumerate(grid[header_row + 1:], start=header_row + 2):
        cell = {cid: (row[col] if col < len(row) else None) for cid, col in positions.items()}
        if not clean_text(cell.get("name")):
            if _text(cell.get("subject")) or _text(cell.get("body")):  # written, but unusable without a name
                problems.append(Problem(sheet, offset, titles["name"], None, NO_NAME))
            continue
        template = _template(sheet, offset, cell, titles, problems)
        if any(t.name == template.name for t in templates):
            problems.append(Problem(sheet, offset, titles["name"], template.name, SAME_NAME))
        templates.append(template)
    return templates, problems


def _text(value) -> str:
    """Cell text with the user's line breaks kept (clean_text would fold them)."""
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _template(sheet: str, row: int, cell: dict, titles: dict[str, str], problems: list[Problem]) -> Template:
    def where(cid: str) -> tuple[str, int, str]:
        return sheet, row, titles.get(cid, cid)

    name = clean_text(cell.get("name"))
    subject, body = _text(cell.get("subject")), _text(cell.get("body"))
    active_text = clean_text(cell.get("active"))
    switch = read_switch(cell.get("active"))
    active = True if switch is None else switch  # empty: in use; unclear: a cell error, so nothing goes out unsure
    if active_text and switch is None:
        problems.append(Problem(*where("active"), active_text, UNCLEAR_ACTIVE(value=active_text)))
    if active:
        if not subject:
            problems.append(Problem(*where("subject"), None, NO_SUBJECT))
        if "\n" in subject or "\r" in subject:
            problems.append(Problem(*where("subject"), subject, LINE_BREAK))
        if not body:
            problems.append(Problem(*where("body"), None, NO_BODY))
    fmt = clean_text(cell.get("format")).lower()
    if fmt not in ("", "text", "html", "文本", "纯文本", "网页"):
        problems.append(Problem(*where("format"), fmt, BAD_FORMAT(value=fmt)))
    occasion_problems = problems if active else []
    return Template(
        name=name, row=row,
        occasions=_words(clean_text(cell.get("occasions")), ALL_OCCASIONS, where("occasions"), occasion_problems),
        statuses=_words(clean_text(cell.get("statuses")), STATUSES, where("statuses"), occasion_problems),
        classes=_classes(clean_text(cell.get("classes")), where("classes"), occasion_problems),
        segments=_free_words(clean_text(cell.get("segments"))),
        subject=subject, body=body, html=fmt in ("html", "网页"),
        attachments=_text(cell.get("attachments")), days=clean_text(cell.get("days")),
        hours=clean_text(cell.get("hours")), active=active)


def default_templates(lang: str) -> list[Template]:
    return [Template(name=d["name"][lang], row=0, occasions=frozenset(d["occasions"]),
                     statuses=frozenset(d.get("statuses", ())), classes=frozenset(), segments=frozenset(),
                     subject=d["subject"][lang], body=d["body"][lang], html=d.get("html", False))
            for d in DEFAULTS]


def missing_defaults(existing: list[Template], lang: str) -> list[Template]:
    """Defaults the sheet lacks: no row has their name (in either language) nor covers their audience."""
    names = {norm_header(t.name) for t in existing}
    audiences = {(t.occasions, t.statuses or DUE) for t in existing}
    missing = []
    for default, spec in zip(default_templates(lang), DEFAULTS):
        spelled = {norm_header(spec["name"]["zh"]), norm_header(spec["name"]["en"])}
        if not (spelled & names) and (default.occasions, default.statuses or DUE) not in audiences:
            missing.append(default)
    return missing


def template_row(template: Template, lang: str) -> dict[str, str]:
    """A template as the sheet shows it: column id -> text."""
    def words(keys: frozenset[str], known: dict[str, Msg]) -> str:
        return ", ".join(known[k].text(lang) for k in known if k in keys)

    return {"name": template.name, "active": "是" if lang == "zh" else "yes",
            "occasions": words(template.occasions, ALL_OCCASIONS), "statuses": words(template.statuses, STATUSES),
            "classes": "", "segments": "", "subject": template.subject, "body": template.body,
            "format": "html" if template.html else "text", "attachments": template.attachments,
            "days": template.days, "hours": template.hours}


def header_row(lang: str) -> list[str]:
    return [c.zh if lang == "zh" else c.en for c in COLUMNS]
