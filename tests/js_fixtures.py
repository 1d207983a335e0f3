"""Writes everything the JavaScript takes from Python: `python tests/js_fixtures.py`.

Here: the payload verdicts and the colours below. It also runs tests/engine_fixtures.py (the
engine's parity cases) and tests/js_spec.py (_static/threejs/spec.js), which can run alone.

- tests/js/fixtures/payload-verdicts.json: freshly exported payloads and a list of mutations,
  each with the verdict of the payload's JSON Schema (through jsonschema), so that
  tests/js/payload.test.js can check that payload.js agrees with the schema on every case.
- tests/js/fixtures/colors.json: the real colour table and the colour `gradbook.colorscale`
  gives many sizes, so that tests/js/colorscale.test.js can check the scene picks the same.

tests/test_export.py fails when a committed fixture differs from what this writes.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import jsonschema
import numpy as np

from gradbook import colorscale, export

FIXTURES = Path(__file__).resolve().parent / "js" / "fixtures"
VERDICTS = FIXTURES / "payload-verdicts.json"
COLORS = FIXTURES / "colors.json"

# Small but real: two MLP scenarios (one breaks down to inf/NaN) and an RNN, two frames each.
BASES = {
    "mlp": (["sigmoid-vanishing", "exploding-init"], 2),
    "rnn": (["rnn-exploding"], 2),
}

# Paths into the MLP base payload.
CS = ["colorScale"]
SC = ["scenarios", 0]
NET = [*SC, "network"]
LAYER = [*NET, "layers", 1]  # the first hidden layer's shape
STEP = [*SC, "steps", 0]
LS = [*STEP, "layers", 0]  # the first hidden layer in the first step


_INPUT = {"name": "x", "role": "input", "units": 2, "shownUnits": 2}
_OUTPUT = {"name": "loss", "role": "output", "units": 2, "shownUnits": 2}


def _set(path, value):
    return {"op": "set", "path": path, "value": value}


def _delete(path):
    return {"op": "delete", "path": path}


# (name, base, operations). Each breaks one rule of the schema, or changes something the schema
# allows (those must stay valid in the scene too). Written against the payload as it is now.
MUTATIONS = [
    ("unchanged", "mlp", []),
    ("unchanged", "rnn", []),
    # The payload itself
    ("not an object", "mlp", [_set([], [])]),
    ("another schema", "mlp", [_set(["schema"], "other")]),
    ("version 2", "mlp", [_set(["version"], 2)]),
    ("version as a string", "mlp", [_set(["version"], "1")]),
    ("missing colour scale", "mlp", [_delete(["colorScale"])]),
    ("missing scenarios", "mlp", [_delete(["scenarios"])]),
    ("unknown top-level field", "mlp", [_set(["extra"], 1)]),
    ("no scenarios", "mlp", [_set(["scenarios"], [])]),
    ("scenarios not an array", "mlp", [_set(["scenarios"], {})]),
    # Colour scale
    ("colour scale not an object", "mlp", [_set(CS, [])]),
    ("colour scale without a table", "mlp", [_delete([*CS, "table"])]),
    ("colour scale without a NaN colour", "mlp", [_delete([*CS, "nan"])]),
    ("unknown colour scale field", "mlp", [_set([*CS, "gamma"], 2.2)]),
    ("log10Min not whole", "mlp", [_set([*CS, "log10Min"], -14.5)]),
    ("log10Max as a string", "mlp", [_set([*CS, "log10Max"], "4")]),
    ("log10Min written as a float", "mlp", [_set([*CS, "log10Min"], -14.0)]),
    ("colormap not a string", "mlp", [_set([*CS, "colormap"], 3)]),
    ("empty colormap name", "mlp", [_set([*CS, "colormap"], "")]),
    ("a table of one colour", "mlp", [_set([*CS, "table"], ["#000000"])]),
    ("a table of two colours", "mlp", [_set([*CS, "table"], ["#000000", "#ffffff"])]),
    ("a table of 1025 colours", "mlp", [_set([*CS, "table"], ["#123456"] * 1025)]),
    ("a table of 1024 colours", "mlp", [_set([*CS, "table"], ["#123456"] * 1024)]),
    ("upper-case hex colour", "mlp", [_set([*CS, "table", 2], "#ABCDEF")]),
    ("short hex colour", "mlp", [_set([*CS, "table", 2], "#abc")]),
    ("colour not a string", "mlp", [_set([*CS, "table", 0], 0)]),
    ("inf colour without #", "mlp", [_set([*CS, "inf"], "22d3ee")]),
    # Scenario
    ("scenario not an object", "mlp", [_set(SC, "sigmoid")]),
    ("scenario without firstNonFiniteStep", "mlp", [_delete([*SC, "firstNonFiniteStep"])]),
    ("scenario without summary", "mlp", [_delete([*SC, "summary"])]),
    ("unknown scenario field", "mlp", [_set([*SC, "colour"], "red")]),
    ("id with spaces", "mlp", [_set([*SC, "id"], "Has Spaces")]),
    ("id starting with a dash", "mlp", [_set([*SC, "id"], "-relu")]),
    ("id not a string", "mlp", [_set([*SC, "id"], 5)]),
    ("empty title", "mlp", [_set([*SC, "title"], "")]),
    ("empty summary", "mlp", [_set([*SC, "summary"], "")]),
    ("summary not a string", "mlp", [_set([*SC, "summary"], 3)]),
    ("unknown kind", "mlp", [_set([*SC, "kind"], "cnn")]),
    ("config not an object", "mlp", [_set([*SC, "config"], [])]),
    ("config with a nested object", "mlp", [_set([*SC, "config", "nested"], {})]),
    ("config with a list", "mlp", [_set([*SC, "config", "sizes"], [1, 2])]),
    ("config with a null", "mlp", [_set([*SC, "config", "clip"], None)]),
    ("empty config", "mlp", [_set([*SC, "config"], {})]),
    ("firstNonFiniteStep not whole", "mlp", [_set([*SC, "firstNonFiniteStep"], 1.5)]),
    ("firstNonFiniteStep as a string", "mlp", [_set([*SC, "firstNonFiniteStep"], "1")]),
    ("no steps", "mlp", [_set([*SC, "steps"], [])]),
    ("steps not an array", "mlp", [_set([*SC, "steps"], {})]),
    # Network shape
    ("network without timeSteps", "mlp", [_delete([*NET, "timeSteps"])]),
    ("unknown network field", "mlp", [_set([*NET, "depth"], 12)]),
    ("input and output only", "mlp", [_set([*NET, "layers"], [_INPUT, _OUTPUT])]),
    ("timeSteps zero", "rnn", [_set(["scenarios", 0, "network", "timeSteps"], 0)]),
    ("timeSteps not whole", "rnn", [_set(["scenarios", 0, "network", "timeSteps"], 1.5)]),
    ("timeSteps as a string", "rnn", [_set(["scenarios", 0, "network", "timeSteps"], "40")]),
    ("layer shape without shownUnits", "mlp", [_delete([*LAYER, "shownUnits"])]),
    ("unknown layer shape field", "mlp", [_set([*LAYER, "bias"], True)]),
    ("empty layer name", "mlp", [_set([*LAYER, "name"], "")]),
    ("unknown role", "mlp", [_set([*LAYER, "role"], "middle")]),
    ("no units", "mlp", [_set([*LAYER, "units"], 0)]),
    ("units not whole", "mlp", [_set([*LAYER, "units"], 2.5)]),
    ("no units shown", "mlp", [_set([*LAYER, "shownUnits"], 0)]),
    # Training step
    ("step without loss", "mlp", [_delete([*STEP, "loss"])]),
    ("unknown step field", "mlp", [_set([*STEP, "lr"], 0.1)]),
    ("negative step", "mlp", [_set([*STEP, "step"], -1)]),
    ("step not whole", "mlp", [_set([*STEP, "step"], 1.5)]),
    ("step as a boolean", "mlp", [_set([*STEP, "step"], True)]),
    ("clipped as a number", "mlp", [_set([*STEP, "clipped"], 0)]),
    ("clipped as a string", "mlp", [_set([*STEP, "clipped"], "true")]),
    ("clipped null", "mlp", [_set([*STEP, "clipped"], None)]),
    ("step layers not an array", "mlp", [_set([*STEP, "layers"], {})]),
    ("loss as an unknown string", "mlp", [_set([*STEP, "loss"], "Infinity")]),
    ("loss as a numeric string", "mlp", [_set([*STEP, "loss"], "1.5")]),
    ("loss as nan", "mlp", [_set([*STEP, "loss"], "nan")]),
    ("loss as a whole number", "mlp", [_set([*STEP, "loss"], 1)]),
    # One layer in one step
    ("layer step without factor", "mlp", [_delete([*LS, "factor"])]),
    ("unknown layer step field", "mlp", [_set([*LS, "bias"], 0)]),
    ("gradNorm null", "mlp", [_set([*LS, "gradNorm"], None)]),
    ("gradNorm a boolean", "mlp", [_set([*LS, "gradNorm"], True)]),
    ("gradNorm upper-case NaN", "mlp", [_set([*LS, "gradNorm"], "NaN")]),
    ("gradNorm -inf", "mlp", [_set([*LS, "gradNorm"], "-inf")]),
    ("updateRatio as a word", "mlp", [_set([*LS, "updateRatio"], "none")]),
    ("updateRatio null", "mlp", [_set([*LS, "updateRatio"], None)]),
    ("updateRatio missing", "mlp", [_delete([*LS, "updateRatio"])]),
    ("neuronsLog10 not an array", "mlp", [_set([*LS, "neuronsLog10"], -3.2)]),
    ("neuronsLog10 with a bad string", "mlp", [_set([*LS, "neuronsLog10", 0], "-Infinity")]),
    ("neuronsLog10 with -inf", "mlp", [_set([*LS, "neuronsLog10", 0], "-inf")]),
    ("neuronsLog10 with null", "mlp", [_set([*LS, "neuronsLog10", 0], None)]),
]

# Rules the schema cannot state but the scene relies on: the schema accepts these, payload.js
# must refuse them (tests/test_export.py checks that the schema does accept them).
CROSS_FIELD = [
    ("empty colour range", "mlp", [_set([*CS, "log10Max"], -14)]),
    ("duplicate scenario id", "mlp", [_set(["scenarios", 1, "id"], "sigmoid-vanishing")]),
    ("input layer not first", "mlp", [_set([*NET, "layers", 0, "role"], "hidden")]),
    ("output layer not last", "mlp", [_set([*NET, "layers", -1, "role"], "hidden")]),
    ("a hidden layer marked as output", "mlp", [_set([*LAYER, "role"], "output")]),
    ("more units shown than the layer has", "mlp", [_set([*LAYER, "shownUnits"], 17)]),
    ("a step missing a layer", "mlp", [_delete([*STEP, "layers", -1])]),
    ("one neuron too many", "mlp", [_set([*LS, "neuronsLog10", 16], -3.0)]),
    ("one neuron too few", "mlp", [_delete([*LS, "neuronsLog10", -1])]),
]


def apply(payload, operations):
    """A copy of `payload` with each operation applied; a path [] replaces the whole."""
    out = copy.deepcopy(payload)
    for op in operations:
        *parents, last = op["path"] or [None]
        if last is None:
            out = copy.deepcopy(op["value"])
            continue
        target = out
        for key in parents:
            target = target[key]
        if op["op"] == "delete":
            del target[last]
        elif isinstance(target, list) and last == len(target):
            target.append(copy.deepcopy(op["value"]))
        else:
            target[last] = copy.deepcopy(op["value"])
    return out


def bases() -> dict:
    return {name: export.build_payload(ids, frames) for name, (ids, frames) in BASES.items()}


def verdicts() -> dict:
    """The payload fixture: bases, and every case with the schema's verdict."""
    validator = jsonschema.Draft202012Validator(export.schema())
    payloads = bases()
    cases = []
    for group, cross in ((MUTATIONS, False), (CROSS_FIELD, True)):
        for name, base, ops in group:
            mutated = apply(payloads[base], ops)
            cases.append(
                {
                    "name": name,
                    "base": base,
                    "operations": ops,
                    "schemaValid": validator.is_valid(mutated),
                    "crossField": cross,
                }
            )
    return {
        "about": "Written by tests/js_fixtures.py from gradbook.export and jsonschema; do not "
        "edit. payload.js must accept a case exactly when schemaValid is true and crossField "
        "is false.",
        "bases": payloads,
        "cases": cases,
    }


def colors() -> dict:
    """The real colour table and the colours colorscale gives sizes and log10 sizes."""
    lo, hi, n = colorscale.LOG10_MIN, colorscale.LOG10_MAX, colorscale.TABLE_SIZE
    span = hi - lo
    centres = [10.0 ** (lo + i * span / (n - 1)) for i in range(n)]  # one per table entry
    spread = 10.0 ** np.random.default_rng(0).uniform(lo - 2, hi + 2, 300)
    ends = [0.0, 5e-324, 10.0**lo, 1e-300, 10.0**hi, 1e300, math.inf, math.nan, -1.0]
    magnitudes = [*ends, *centres, *(float(v) for v in spread)]
    # The payload carries unit sizes as log10 with one decimal: every such value in range.
    log10s = [round(k / 10, 1) for k in range(10 * (lo - 2), 10 * (hi + 2) + 1)]
    log10s += [-math.inf, math.inf, math.nan]
    return {
        "about": "Written by tests/js_fixtures.py from gradbook.colorscale; do not edit.",
        "colorScale": export.color_scale(),
        "magnitudes": [
            {"value": export.json_number(v), "hex": colorscale.color_of(v)} for v in magnitudes
        ],
        "log10s": [
            {"log10": export.json_number(l), "hex": colorscale.color_of_log10(l)} for l in log10s
        ],
    }


def text(data: dict) -> str:
    """Strict JSON, one line per key and per list item at the top level: short diffs."""

    def dump(x) -> str:
        return json.dumps(x, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    def block(value) -> str:
        if isinstance(value, list):
            return "[\n  " + ",\n  ".join(dump(v) for v in value) + "\n]"
        if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
            return "{\n  " + ",\n  ".join(f"{dump(k)}:{dump(v)}" for k, v in value.items()) + "\n}"
        return dump(value)

    return "{\n" + ",\n".join(f"{dump(k)}:{block(v)}" for k, v in data.items()) + "\n}\n"


def main() -> None:
    import engine_fixtures
    import js_spec

    VERDICTS.write_text(text(verdicts()), encoding="utf-8")
    COLORS.write_text(text(colors()), encoding="utf-8")
    print(f"wrote {VERDICTS} and {COLORS}")
    for name, size in engine_fixtures.write().items():
        print(f"wrote {engine_fixtures.FIXTURE_DIR / name} ({size / 1024:.1f} KiB)")
    js_spec.main()


if __name__ == "__main__":
    main()
