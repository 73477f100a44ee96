"""Counting the calls a back-end makes into Excel.

On desktop Excel every property read or write and every method call on an xlwings object
(Book, Sheet, Range, Font, Chart, ...) goes to Excel. `counted(book)` hands out the real
xlwings objects wrapped so that each such touch is counted; values (lists, numbers, text)
come back unwrapped. The actions xlwings Server records are the writes Excel carries out.
"""

from __future__ import annotations

from typing import Any


class Counter:
    def __init__(self):
        self.calls = 0


def _is_xlwings(value: Any) -> bool:
    return type(value).__module__.startswith("xlwings") and not isinstance(value, type)


def _wrap(value: Any, counter: Counter) -> Any:
    return Counted(value, counter) if _is_xlwings(value) else value


def _unwrap(value: Any) -> Any:
    return object.__getattribute__(value, "_target") if isinstance(value, Counted) else value


class Counted:
    def __init__(self, target: Any, counter: Counter):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_counter", counter)

    def __getattr__(self, name: str) -> Any:
        counter = object.__getattribute__(self, "_counter")
        value = getattr(object.__getattribute__(self, "_target"), name)
        if callable(value) and not _is_xlwings(value):
            def call(*args, **kwargs):
                counter.calls += 1
                result = value(*map(_unwrap, args), **{k: _unwrap(v) for k, v in kwargs.items()})
                return _wrap(result, counter)
            return call
        counter.calls += 1
        return _wrap(value, counter)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__getattribute__(self, "_counter").calls += 1
        setattr(object.__getattribute__(self, "_target"), name, _unwrap(value))

    def __getitem__(self, key: Any) -> Any:
        counter = object.__getattribute__(self, "_counter")
        counter.calls += 1
        return _wrap(object.__getattribute__(self, "_target")[key], counter)

    def __iter__(self):
        counter = object.__getattribute__(self, "_counter")
        counter.calls += 1
        return (_wrap(item, counter) for item in object.__getattribute__(self, "_target"))

    def __len__(self) -> int:
        object.__getattribute__(self, "_counter").calls += 1
        return len(object.__getattribute__(self, "_target"))

    def __call__(self, *args, **kwargs):
        counter = object.__getattribute__(self, "_counter")
        counter.calls += 1
        result = object.__getattribute__(self, "_target")(*map(_unwrap, args), **{k: _unwrap(v) for k, v in
                                                                                     kwargs.items()})
        return _wrap(result, counter)

    def __eq__(self, other: Any) -> bool:
        return object.__getattribute__(self, "_target") == _unwrap(other)

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_target"))


def counted(book: Any) -> tuple[Counted, Counter]:
    counter = Counter()
    return Counted(book, counter), counter
