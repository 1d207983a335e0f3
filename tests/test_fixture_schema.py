"""The hand-made JS payload fixtures obey the same schema as the exporter's output."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from gradbook import export

FIXTURES = Path(__file__).resolve().parent / "js" / "fixtures"
# Only the fixtures that are payloads: others hold tables of cases (numbers, colours, verdicts).
PAYLOADS = sorted(
    p
    for p in FIXTURES.glob("*.json")
    if json.loads(p.read_text()).get("schema") == "gradbook-payload"
)


def test_there_is_a_hand_made_payload_fixture():
    assert "tiny.json" in [p.name for p in PAYLOADS]  # so the test below is not vacuous


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.name)
def test_js_fixture_validates_against_the_schema(path: Path):
    jsonschema.Draft202012Validator(export.schema()).validate(json.loads(path.read_text()))
    # It exercises the non-finite encodings the scene must decode.
    text = path.read_text()
    assert all(f'"{s}"' in text for s in ("inf", "-inf", "nan"))
