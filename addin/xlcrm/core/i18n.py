"""Bilingual text: every sentence a user sees exists in English and Chinese."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

LANGS = ("zh", "en")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Msg:
    """A sentence in both languages, with named fields filled in on display."""

    en: str
    zh: str
    args: dict[str, Any] = field(default_factory=dict)

    def __call__(self, **args: Any) -> "Msg":
        return Msg(self.en, self.zh, {**self.args, **args})

    def text(self, lang: str) -> str:
        template = self.zh if lang == "zh" else self.en
        args = {k: (v.text(lang) if isinstance(v, Msg) else v) for k, v in self.args.items()}
        return template.format(**args)

    def __str__(self) -> str:
        return self.text(default_lang())


def pick(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def counted(count: int, one: str, many: str) -> str:
    """'1 order', '3 orders': English counts take the noun's number (Chinese needs none)."""
    return f"{count:,} {one if count == 1 else many}"


def listing(names: list[str], shown: int = 8) -> Msg:
    """Names as each language lists them ('A, B and 2 more' / 'A、B 等 2 个'): the first `shown`, then how many more."""
    head = [str(n) for n in names[:shown]]
    rest = len(names) - len(head)
    en = ", ".join(head) + (f" and {rest} more" if rest else "")
    zh = "、".join(head) + (f" 等 {rest} 个" if rest else "")
    return Msg("{en}", "{zh}", {"en": en, "zh": zh})


def has_cjk(text: object) -> bool:
    return isinstance(text, str) and bool(_CJK.search(text))


def lang_of(texts: Sequence[object]) -> str:
    """The language a sheet is written in, judged from its headers."""
    return "zh" if any(has_cjk(t) for t in texts) else "en"


def normalize_lang(value: object, fallback: str) -> str:
    text = str(value or "").strip().lower()
    if text in ("zh", "cn", "zh-cn", "zh_cn", "chinese", "中文", "简体中文"):
        return "zh"
    if text in ("en", "english", "英文", "英语"):
        return "en"
    return fallback


def default_lang() -> str:
    """Language before a workbook is read: XLCRM_LANG, else the OS locale."""
    env = os.environ.get("XLCRM_LANG") or os.environ.get("LANG", "")
    return "zh" if env.lower().startswith("zh") else normalize_lang(env, "en")
