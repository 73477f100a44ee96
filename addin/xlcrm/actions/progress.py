"""Progress on long work: the CLI shows a bar, the ribbon Excel's status bar, tests nothing."""

from __future__ import annotations

from typing import Iterable, Protocol, TypeVar

from xlcrm.core.i18n import Msg

T = TypeVar("T")


class Progress(Protocol):
    def __call__(self, items: Iterable[T], total: int, label: Msg) -> Iterable[T]: ...


def quiet(items: Iterable[T], total: int, label: Msg) -> Iterable[T]:
    return items
