"""The CRM tab against Microsoft's own references (tests/excel/reference/README.md says where they come
from): the ribbon XML validates against the customUI14 schema, and every icon is an Excel control name."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from xlcrm.workbook import build as builder

REFERENCE = Path(__file__).parent / "reference"
EXCEL_CONTROLS = set((REFERENCE / "excel-control-names.txt").read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(REFERENCE / "customui14.xsd"))


def test_the_ribbon_validates_against_microsofts_customui14_schema(schema):
    schema.validate(builder.ribbon_xml().decode("utf-8"))


def test_the_schema_would_catch_a_mistake(schema):
    wrong = builder.ribbon_xml().decode("utf-8").replace('size="large"', 'size="huge"', 1)
    assert not schema.is_valid(wrong)
    assert not schema.is_valid(builder.ribbon_xml().decode("utf-8").replace("onAction=", "onClick=", 1))


def test_every_icon_is_one_of_excels_own_control_names():
    tree = ElementTree.fromstring(builder.ribbon_xml())
    icons = {element.get("imageMso") for element in tree.iter() if element.get("imageMso")}
    assert icons and len(EXCEL_CONTROLS) > 2000
    assert icons <= EXCEL_CONTROLS, sorted(icons - EXCEL_CONTROLS)
    assert "CreateReport" not in EXCEL_CONTROLS  # an Access control: no icon in Excel
