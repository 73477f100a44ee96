"""Every settings block, in the order the settings sheet shows them.

The one core module that knows each feature: features define their own blocks on top of
core/settings.py and never import this module, so the settings sheet knows no feature.
"""

from __future__ import annotations

from typing import Any

from xlcrm.core.followups.care import HOLIDAYS
from xlcrm.core.followups.followup_rules import CADENCE, CALENDAR_EXTRA, FOLLOWUP, TOUCHES
from xlcrm.core.followups.funnel import FUNNEL
from xlcrm.core.mailmerge.sender_profile import OWNERS, SENDER
from xlcrm.core.report.sections import REPORT_BLOCK
from xlcrm.core.scores.buying_rhythm import CHURN_BLOCK
from xlcrm.core.scores.customer_classes import CLASS_BLOCK
from xlcrm.core.scores.rfm import SCORE_BLOCK
from xlcrm.core.scores.segments import SEGMENT_BLOCK
from xlcrm.core.settings import GENERAL, MAPPING, Block, Settings, parse_sheet, render

BLOCKS: tuple[Block, ...] = (GENERAL, MAPPING, SCORE_BLOCK, SEGMENT_BLOCK, CLASS_BLOCK, CHURN_BLOCK,
                             FOLLOWUP, CADENCE, TOUCHES, HOLIDAYS, CALENDAR_EXTRA, FUNNEL, SENDER, OWNERS, REPORT_BLOCK)


def settings_from_user(user: dict[str, list[dict[str, Any]]], present: bool = True) -> Settings:
    """The user's rows over every block's defaults."""
    return Settings.from_user(user, BLOCKS, present)


def read_settings_grid(grid: list[list]) -> dict[str, list[dict[str, Any]]]:
    """The user's rows per block id, from the settings sheet as read."""
    return parse_sheet(grid, BLOCKS)


def settings_grid(settings: Settings, lang: str) -> tuple[list[list[Any]], dict[int, str]]:
    """The whole settings sheet, every block, in `lang`."""
    return render(settings, BLOCKS, lang)
