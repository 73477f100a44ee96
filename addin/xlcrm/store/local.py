"""What a workbook keeps about team mode beside itself: its id in the store (a file next to the journal)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from xlcrm.files import write_text

SUFFIX = ".xlcrm-team.json"


def workbook_id(folder: Path, book_name: str) -> str:
    """The workbook's id in the team store, made on its first sync; a copy without this file is another workbook."""
    path = Path(folder) / (Path(book_name).stem + SUFFIX)
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["workbook_id"])
    except (OSError, ValueError, KeyError, TypeError):
        made = uuid.uuid4().hex
        write_text(path, json.dumps({"workbook_id": made}) + "\n")
        return made
