"""The outside programs the tests look through (LibreOffice, poppler, Chromium), found on PATH."""

from __future__ import annotations

import os
import shutil

import pytest


def program(names: tuple[str, ...], missing: str, required_by: str) -> str:
    """The first of `names` on PATH. Without it the test is skipped with `missing` as the reason, or fails
    where the environment variable `required_by` is set (CI, whose scripts/test.sh installs it)."""
    found = next((path for path in map(shutil.which, names) if path), None)
    if found:
        return found
    if os.environ.get(required_by):
        pytest.fail(missing)
    pytest.skip(missing)
