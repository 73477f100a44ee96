"""The README's workbook pictures are up to date: scripts/screenshots.py renders them again (here, into a
scratch folder) and what they show (text by line, cell fills, read from the PDF at a small size) must be what
docs/img/fingerprints.json records beside the pictures. Run the script to bring them up to date."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
ROOT = Path(__file__).parents[2]


def test_the_readme_pictures_show_what_xlcrm_writes_today(tmp_path):
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.render(tmp_path)
    stored = json.loads((ROOT / "docs" / "img" / script.FINGERPRINTS).read_text(encoding="utf-8"))
    now = json.loads((tmp_path / script.FINGERPRINTS).read_text(encoding="utf-8"))
    for name in script.SHOTS:
        assert (ROOT / "docs" / "img" / name).exists(), name
        assert now[name] == stored[name], f"{name} is out of date: run python scripts/screenshots.py"
