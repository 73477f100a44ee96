"""Templates rendered with Jinja2 in a sandbox: the team writes them, so they may not reach Python.

Every template is compiled and checked once before anything is rendered: a syntax error or a
field the sheet does not have is reported with the template's name, row and column, and that
template's messages are not made (the other templates' are). HTML bodies are autoescaped (a
customer named <b> stays text) and get a plain-text alternative.

The work of one message is bounded: loop steps and calls (MAX_STEPS), time (MAX_SECONDS), the
size of any text or list it builds (MAX_OUTPUT) and recursion. A template that exceeds a bound
is refused within seconds, named with its sheet and row, and not tried again in the same run.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import json
import operator
import re
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateAssertionError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup, escape

from xlcrm.core.errors import XlcrmError
from xlcrm.core.i18n import Msg
from xlcrm.core.mailmerge.merge_fields import MADE
from xlcrm.core.mailmerge.templates_sheet import Template
from xlcrm.mail.html_text import html_to_text

MAX_REPEAT = 10_000  # 'x' * n and n ** m in a template stay small
MAX_OUTPUT = 1_000_000
MAX_STEPS = 200_000  # loop turns, calls and filters per message; a real mail template takes a few hundred
MAX_SECONDS = 3.0

BAD_SYNTAX = Msg("Template '{name}' (sheet {sheet}, row {row}, {part}) cannot be read: {why} (line {line}). Each "
                 "{{{{ needs its }}}}, each {{% if %}} its {{% endif %}}, each {{% for %}} its {{% endfor %}}. Nothing was "
                 "sent with it.",
                 "模板“{name}”(工作表 {sheet},第 {row} 行,{part})有语法错误:{why}(第 {line} 行)。每个 {{{{ 都要有对应的 }}}},"
                 "每个 {{% if %}} 都要有 {{% endif %}},每个 {{% for %}} 都要有 {{% endfor %}}。使用该模板的邮件均未发送。")
NO_FILTER = Msg("Template '{name}' (sheet {sheet}, row {row}, {part}) uses '| {filter}', which is not a filter "
                "templates know{hint}. Nothing was sent with it.",
                "模板“{name}”(工作表 {sheet},第 {row} 行,{part})用到了“| {filter}”,没有这个过滤器{hint}。使用该模板的邮件均未发送。")
DID_YOU_MEAN = Msg(" (did you mean {{{{ {field} }}}}?)", "(是否想写 {{{{ {field} }}}}?)")
FILTER_MEANT = Msg(" (did you mean '| {filter}'?)", "(是否想写“| {filter}”?)")
EMPTY_FIELD = Msg("{{{{ {field} }}}} is empty for this customer: fill in the cell, or write {{{{ {field} or \"...\" }}}} "
                  "in the template for a wording without it", "该客户的 {{{{ {field} }}}} 为空:请填写该单元格,或在模板中写 "
                  "{{{{ {field} or \"…\" }}}} 给出没有它时的用语")
UNKNOWN_FIELD = Msg("Template '{name}' (sheet {sheet}, row {row}, {part}) uses {{{{ {field} }}}}, which is not a "
                    "column of the customer sheet nor an xlcrm field{hint}. Fields you can use: {known}",
                    "模板“{name}”(工作表 {sheet},第 {row} 行,{part})用到了 {{{{ {field} }}}},客户表中没有这一列,"
                    "也不是 xlcrm 的字段{hint}。可用的字段:{known}")
FULL_WIDTH = str.maketrans({"｛": "{", "｝": "}", "％": "%"})  # braces typed with a Chinese input method
MARK = re.compile(r"\{\{(.+?)\}\}", re.S)
TAG = re.compile(r"\{\{.+?\}\}|\{%.+?%\}", re.S)
CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
OPTIONAL = frozenset(MADE) - {"greeting_name"}  # xlcrm's own words: a blank one leaves no gap in the text
NOT_ALLOWED = Msg("Template '{name}' (sheet {sheet}, row {row}) tried to use something templates may not use ({why}); "
                  "nothing was sent with it.",
                  "模板“{name}”(工作表 {sheet},第 {row} 行)试图访问模板不允许使用的内容({why});使用该模板的邮件均未发送。")
TOO_MUCH_WORK = Msg("the template does more than {steps} steps or runs longer than {seconds} s for one message "
                    "(loops inside loops?)", "模板生成一封邮件超过 {steps} 步或 {seconds} 秒(循环套循环?)")
TOO_DEEP = Msg("the template calls itself without end (a macro calling itself?)", "模板无休止地调用自身(宏调用自身?)")
NO_MEMORY = Msg("the template needs more memory than the computer has", "模板需要的内存超出电脑可用内存")
TOO_LONG = Msg("the text grows beyond {limit} characters (a loop too big?); no mail is that long",
               "生成的文字超过 {limit} 个字符(循环过大?);邮件不会这么长")
FAILED = Msg("Template '{name}' (sheet {sheet}, row {row}) failed for {customer}: {why}. Its messages are not sent; "
             "the others are.", "模板“{name}”(工作表 {sheet},第 {row} 行)在生成给 {customer} 的邮件时出错:{why}。"
             "使用该模板的邮件未发送,其他邮件照常发送。")
FAILED_FOR = Msg("Template '{name}' (sheet {sheet}, row {row}) failed for {customer}: {why}",
                 "模板“{name}”(工作表 {sheet},第 {row} 行)在生成给 {customer} 的邮件时出错:{why}")
PARTS = {"subject": Msg("Subject", "主题"), "body": Msg("Body", "正文"), "attachments": Msg("Attachments", "附件")}


class Refused(Exception):
    """This message cannot be made as asked; the reason says why (the batch goes on)."""

    def __init__(self, reason: Msg):
        super().__init__(reason.text("en"))
        self.reason = reason


class BlankField(Refused):
    """A field the text needs is blank for this customer: the message is refused, the batch goes on."""


class BrokenTemplate(Refused):
    """The template cannot make any message (syntax, unknown field, a bound exceeded): its messages are refused,
    the others go out."""


class TooLong(Exception):
    pass


class TooMuchWork(Exception):
    pass


class _Budget:
    """What one message may still spend; checked at every loop turn, call, filter and assignment."""

    def __init__(self):
        self.steps, self.deadline = 0, time.monotonic() + MAX_SECONDS

    def spend(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS or (self.steps % 256 == 0 and time.monotonic() > self.deadline):
            raise TooMuchWork()


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("render_budget", default=None)


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend()


def _sized(value: Any) -> Any:
    if isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_OUTPUT:
        raise TooLong()
    return value


def _counted(iterable: Any) -> Iterator:
    """Each turn of a {% for %} loop costs a step (nested loops that print nothing still end)."""
    for item in iterable:
        _spend()
        yield item


class _BoundedNamespace(Namespace):
    """namespace() whose values cannot grow past any mail (doubling a string in a loop)."""

    def __setitem__(self, name: str, value: Any) -> None:
        _spend()
        super().__setitem__(name, _sized(value))


def _guarded(function):
    @functools.wraps(function)  # keeps jinja's pass_context / pass_eval_context marks
    def guarded(*args, **kwargs):
        _spend()
        return _sized(function(*args, **kwargs))

    return guarded


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None
    attachments: tuple[str, ...]


class _Sandbox(ImmutableSandboxedEnvironment):
    """The stock sandbox, plus a bound on repetition and powers that would eat the machine's memory."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def call_binop(self, context, op: str, left: Any, right: Any) -> Any:
        _spend()
        if op == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("power too large")
        if op == "*" and any(isinstance(v, (str, list, tuple)) for v in (left, right)):
            count, repeated = (right, left) if isinstance(right, int) else (left, right)
            if isinstance(count, int) and (count > MAX_REPEAT or count * len(repeated) > MAX_OUTPUT):
                raise SecurityError("repetition too large")
        return _sized({"*": operator.mul, "**": operator.pow, "+": operator.add}[op](left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - jinja's own signature
        _spend()
        return _sized(super().call(__context, __obj, *args, **kwargs))


def _nl2br(value: Any) -> Markup:
    return Markup("<br>\n").join(escape(str(value)).split("\n"))


def _env(autoescape: bool) -> _Sandbox:
    env = _Sandbox(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=False)
    env.filters["nl2br"] = _nl2br
    env.filters = {name: _guarded(function) for name, function in env.filters.items()}
    env.filters["xlcrm_counted"] = _counted
    env.globals["namespace"] = _BoundedNamespace
    return env


class Renderer:
    """Compiled templates, checked against the fields the sheet offers."""

    def __init__(self, templates: list[Template], fields: set[str], digest_fields: set[str], sheet: str,
                 headers: Iterable[object] = ()):
        self._text_env, self._html_env = _env(False), _env(True)
        self.sheet = sheet
        self._headers = {h.strip(): h for h in headers if isinstance(h, str) and h.strip()}
        self._required: dict[str, list[tuple[str, str | None]]] = {}
        self._compiled: dict[str, dict[str, Any]] = {}
        self.broken: dict[str, Msg] = {}  # template name -> why none of its messages can be made
        self.fields_read: set[str] = set()  # the names the customer templates read (not the digests')
        for template in templates:
            known = digest_fields if template.is_digest else fields
            try:
                self._compiled[template.name] = {
                    "template": template,
                    "subject": self._compile(template, "subject", template.subject, self._text_env, known),
                    "body": self._compile(template, "body", template.body,
                                          self._html_env if template.html else self._text_env, known),
                    "attachments": self._compile(template, "attachments", template.attachments, self._text_env,
                                                 known)}
            except XlcrmError as error:  # this template's messages are refused; the others go out
                self.broken[template.name] = error.msg

    def _compile(self, template: Template, part: str, source: str, env: _Sandbox, known: set[str]):
        where = dict(name=template.name, sheet=self.sheet, row=template.row, part=PARTS[part])
        try:
            tree = env.parse(self._own_spelling(source))
        except TemplateSyntaxError as error:
            raise XlcrmError(BAD_SYNTAX(**where, why=error.message or str(error), line=error.lineno)) from None
        try:
            return self._checked(template, part, env, known, tree, where)
        except TemplateAssertionError as error:  # a filter or test that does not exist
            name = (re.findall(r"'([^']+)'", error.message or "") or ["?"])[0]
            close = difflib.get_close_matches(name, sorted(env.filters), n=1)
            raise XlcrmError(NO_FILTER(**where, filter=name, hint=FILTER_MEANT(filter=close[0]) if close else "")) \
                from None

    def _checked(self, template: Template, part: str, env: _Sandbox, known: set[str], tree: nodes.Template,
                 where: dict):
        allowed = known | set(env.globals)
        unknown = sorted(meta.find_undeclared_variables(tree) - allowed)
        if unknown:
            choices = sorted(known - {"row"})
            close = difflib.get_close_matches(unknown[0], choices, n=1, cutoff=0.5)
            raise XlcrmError(UNKNOWN_FIELD(**where, field=unknown[0], known=", ".join(choices))(
                hint=DID_YOU_MEAN(field=close[0]) if close else ""))
        _refuse_dunder(tree, where)
        if not template.is_digest:
            self.fields_read |= meta.find_undeclared_variables(tree)
            if part != "attachments":
                self._required.setdefault(template.name, []).extend(_required(tree))
        for loop in tree.find_all(nodes.For):  # every turn of every loop counts against the message's budget
            loop.iter = nodes.Filter(loop.iter, "xlcrm_counted", [], [], None, None, lineno=loop.lineno)
        compiled = env.from_string(tree)
        compiled.globals = dict(compiled.globals)  # jinja copies them into every render: a ChainMap item by item
        return compiled

    def _own_spelling(self, source: str) -> str:
        """The team's way of writing a field: full-width braces, a header that is not a name ({{ 金额(元) }})."""
        def field(match: re.Match) -> str:
            header = self._headers.get(match.group(1).strip())
            return "{{ row[%s] }}" % json.dumps(header, ensure_ascii=False) if header and not header.isidentifier() \
                else match.group(0)

        return TAG.sub(_ascii_quotes, MARK.sub(field, source.translate(FULL_WIDTH)))

    def render(self, name: str, context: dict, who: str) -> Rendered:
        if name in self.broken:
            raise BrokenTemplate(self.broken[name])
        parts = self._compiled[name]
        template: Template = parts["template"]
        where = dict(name=name, sheet=self.sheet, row=template.row, customer=who)
        for field, key in self._required.get(name, ()):
            value = context.get(field) if key is None else (context.get("row") or {}).get(key)
            if value is None or str(value).strip() == "":
                raise BlankField(EMPTY_FIELD(field=field if key is None else f'row["{key}"]'))
        budget = _BUDGET.set(_Budget())
        try:
            subject = _bounded(parts["subject"], context).strip()
            body = _bounded(parts["body"], context)
            # most templates attach nothing: a blank part renders blank, without a third pass through Jinja
            attachments = _bounded(parts["attachments"], context) if template.attachments.strip() else ""
        except TooLong:
            raise self._break(name, FAILED(**where, why=TOO_LONG(limit=f"{MAX_OUTPUT:,}"))) from None
        except TooMuchWork:
            raise self._break(name, FAILED(**where, why=TOO_MUCH_WORK(steps=f"{MAX_STEPS:,}", seconds=MAX_SECONDS))) \
                from None
        except RecursionError:
            raise self._break(name, FAILED(**where, why=TOO_DEEP)) from None
        except MemoryError:
            raise self._break(name, FAILED(**where, why=NO_MEMORY)) from None
        except SecurityError as error:
            raise self._break(name, NOT_ALLOWED(name=name, sheet=self.sheet, row=template.row, why=str(error))) \
                from None
        except (UndefinedError, TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
            raise Refused(FAILED_FOR(**where, why=str(error))) from None  # this customer's values: this message
        finally:
            _BUDGET.reset(budget)
        files = tuple(p.strip() for p in attachments.replace(";", "\n").replace(",", "\n").splitlines() if p.strip())
        if template.html:
            return Rendered(subject, html_to_text(body), body, files)
        return Rendered(subject, body.strip() + "\n", None, files)

    def _break(self, name: str, reason: Msg) -> BrokenTemplate:
        """A bound exceeded is the template's doing: its other messages are refused at once, not tried again."""
        self.broken[name] = reason
        return BrokenTemplate(reason)


def _ascii_quotes(match: re.Match) -> str:
    """{{ 联系人 or “客户” }}: quotes typed the Chinese way inside a tag are the template's quotes."""
    tag = match.group(0)
    return tag if '"' in tag or "'" in tag else tag.translate(CURLY_QUOTES)


def _bounded(template, context: dict) -> str:
    """The template's text, stopped as soon as it outgrows any mail (a loop over a huge range, nested loops)."""
    chunks, size = [], 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise TooLong()
        chunks.append(chunk)
    return "".join(chunks)


def _required(tree: nodes.Template) -> list[tuple[str, str | None]]:
    """Fields printed as they are in the template's main text (not under an if, a loop or a default):
    a blank one would leave a gap such as 'Dear ,'. (name, None) or ("row", header)."""
    found: list[tuple[str, str | None]] = []
    for output in (node for node in tree.body if isinstance(node, nodes.Output)):
        for node in output.nodes:
            if isinstance(node, nodes.Name) and node.name not in OPTIONAL:
                found.append((node.name, None))
            elif isinstance(node, nodes.Getitem) and isinstance(node.node, nodes.Name) and node.node.name == "row" \
                    and isinstance(node.arg, nodes.Const):
                found.append(("row", str(node.arg.value)))
    return found


def _refuse_dunder(tree: nodes.Template, where: dict) -> None:
    """Names like __class__ never make sense in a mail template; refuse them before running anything."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = getattr(node, "attr", None)
        if attr is None and isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value
        if isinstance(attr, str) and attr.startswith("_"):
            raise XlcrmError(NOT_ALLOWED(name=where["name"], sheet=where["sheet"], row=where["row"], why=attr))
