"""The hand-made JS fixtures obey the same schema as the exporter's output."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "src" / "gradbook" / "payload.schema.json").read_text())
FIXTURES = sorted((ROOT / "tests" / "js" / "fixtures").glob("*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_js_fixture_validates_against_the_schema(path: Path):
    data = json.loads(path.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    # It exercises the non-finite encodings the scene must decode.
    text = path.read_text()
    assert all(f'"{s}"' in text for s in ("inf", "-inf", "nan"))
