"""Writes gradbook.spec as the ES module the JavaScript imports: `python tests/js_spec.py`.

_static/threejs/spec.js is committed, like the tests' fixtures, so the scene builds without
Python; tests/test_spec.py fails when it differs from what this writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from gradbook import spec

SPEC_JS = Path(__file__).resolve().parents[1] / "_static" / "threejs" / "spec.js"

HEADER = """\
// Written by tests/js_spec.py from src/gradbook/spec.py: do not edit. Python is the source of
// truth for every name, limit, default and threshold here; the engine, the lab's link and form
// and the scene read them from this one object, frozen so that no reader can change it for
// the others. Pure module.

const freeze = (o) => {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') freeze(v);
  return Object.freeze(o);
};
"""


def text() -> str:
    """spec.js's text: one exported object, as strict JSON (which JavaScript reads as it is)."""
    body = json.dumps(spec.build(), indent=2, allow_nan=False, ensure_ascii=False)
    return f"{HEADER}\nexport const SPEC = freeze({body});\n"


def main() -> None:
    SPEC_JS.write_text(text(), encoding="utf-8")
    print(f"wrote {SPEC_JS}")


if __name__ == "__main__":
    main()
