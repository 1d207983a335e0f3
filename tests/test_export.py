"""Payloads: valid against the schema, strict JSON, non-finite values encoded, reproducible."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import js_fixtures
from gradbook import book, colorscale, export, scenarios

VALIDATOR = jsonschema.Draft202012Validator(export.schema())
ALL_IDS = list(scenarios.SCENARIOS)


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(export.schema())


@pytest.mark.parametrize("scenario_id", ALL_IDS)
def test_every_scenario_exports_a_valid_payload(scenario_id):
    payload = export.build_payload([scenario_id])
    VALIDATOR.validate(payload)
    VALIDATOR.validate(json.loads(export.dumps(payload)))


def test_a_payload_can_hold_several_scenarios_in_order():
    ids = ["sigmoid-vanishing", "relu-he", "batchnorm", "residual"]
    payload = export.build_payload(ids)
    assert [s["id"] for s in payload["scenarios"]] == ids
    assert len(export.dumps(payload).encode()) <= 150_000  # a chapter's budget


def _strings(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


@pytest.mark.parametrize("scenario_id", ["exploding-init", "rnn-exploding"])
def test_an_exploding_payload_is_strict_json_with_nonfinite_values_encoded(scenario_id):
    payload = export.build_payload([scenario_id])
    text = export.dumps(payload)

    def refuse(name):
        raise ValueError(f"non-strict JSON constant {name}")

    parsed = json.loads(text, parse_constant=refuse)  # NaN / Infinity literals would raise
    scenario = parsed["scenarios"][0]
    assert scenario["firstNonFiniteStep"] is not None
    last = scenario["steps"][-1]
    assert last["step"] == scenario["firstNonFiniteStep"]
    assert {"inf", "nan"} & set(_strings(last))


def test_dumps_refuses_raw_nonfinite_numbers():
    with pytest.raises(ValueError):
        export.dumps({"x": float("nan")})


def test_encode():
    assert export.encode(float("inf")) == "inf"
    assert export.encode(float("-inf")) == "-inf"
    assert export.encode(float("nan")) == "nan"
    assert export.encode(0.000123456) == 0.000123


def test_payload_numbers_are_the_simulators():
    payload = export.build_payload(["sigmoid-vanishing"])
    run = scenarios.trained("sigmoid-vanishing").record
    frame = payload["scenarios"][0]["steps"][0]
    trace = run.traces[frame["step"]]
    for layer, exported in zip(trace.layers, frame["layers"], strict=False):
        assert exported["gradNorm"] == pytest.approx(layer.grad_norm, rel=1e-2)
        assert exported["factor"] == pytest.approx(layer.factor, rel=1e-2)
        assert exported["neuronsLog10"][0] == pytest.approx(
            math.log10(layer.neuron_grad[0]), abs=0.051
        )
    assert len(frame["layers"]) == scenarios.DEPTH


# Inferno's published 256 entries (van der Walt and Smith, 2015) at 15, 128 and 240: the
# entries nearest 0.06, the middle of the sampled range, and 0.94, where the table starts, is
# at entry 128 of 256 and ends. Written out here, not recomputed, so a change of colormap,
# range or sampling shows.
TABLE_FIRST = "#0a0722"  # inferno[15] = (0.037668, 0.025921, 0.132232)
TABLE_MIDDLE = "#bc3754"  # inferno[128] = (0.735683, 0.215906, 0.330245)
TABLE_LAST = "#f2ea69"  # inferno[240] = (0.947594, 0.917399, 0.410665)


def test_the_payloads_colour_table_is_inferno_from_0_06_to_0_94():
    scale = export.build_payload(["relu-he"])["colorScale"]
    assert len(scale["table"]) == 256 and scale["colormap"] == "inferno"
    # Entry 128 samples inferno at 0.06 + 128 * 0.88 / 255 = 0.5017, which is entry 128 of 256.
    assert scale["table"][0] == TABLE_FIRST
    assert scale["table"][128] == TABLE_MIDDLE
    assert scale["table"][-1] == TABLE_LAST
    assert (scale["log10Min"], scale["log10Max"]) == (-14, 4)
    assert (scale["inf"], scale["nan"]) == ("#22d3ee", "#e5e7eb")


@pytest.mark.parametrize(
    ("size", "color"),
    [
        (1e-14, TABLE_FIRST),  # the bottom of the range
        (1e-30, TABLE_FIRST),  # below it: clamped, not wrapped
        (0.0, TABLE_FIRST),  # an exact zero
        # 10⁻⁵ is halfway up the 18 decades: entry 0.5 * 255 = 127.5, a tie, rounded to even 128.
        (1e-5, TABLE_MIDDLE),
        (1e4, TABLE_LAST),
        (1e300, TABLE_LAST),
        (float("inf"), "#22d3ee"),
        (float("nan"), "#e5e7eb"),
        (-1.0, "#e5e7eb"),  # not a size: flagged like NaN, as the scene does
    ],
)
def test_color_of_at_known_sizes(size, color):
    assert colorscale.color_of(size) == color


def test_export_is_byte_identical_across_runs():
    scenarios.trained.cache_clear()
    first = export.dumps(export.build_payload(["rnn-exploding", "relu-he"]))
    scenarios.trained.cache_clear()
    assert export.dumps(export.build_payload(["rnn-exploding", "relu-he"])) == first


def test_payload_html_escapes_the_closing_tag():
    element = book.payload_html(export.build_payload(["relu-he"]), "p1")
    element.text = element.text[:-1] + ',"evil":"</script><b>"}'
    html = element._repr_html_()
    assert html.count("</script>") == 1 and html.endswith("</script>")
    body = html[html.index(">") + 1 : -len("</script>")]
    assert json.loads(body)["evil"] == "</script><b>"


def test_pick_frames_keeps_first_last_and_nonfinite():
    frames = export.pick_frames(list(range(100)), 57, 10)
    assert len(frames) == 10 and {0, 57, 99} <= set(frames)
    assert export.pick_frames([0, 1, 2], 2, 10) == [0, 1, 2]


@pytest.mark.parametrize(
    ("nonfinite", "limit", "frames"),
    [
        (5, 2, [0, 5]),  # first, then the breakdown, which the scene must show
        (5, 3, [0, 5, 9]),
        (None, 2, [0, 9]),
        (None, 1, [0]),
        (9, 2, [0, 9]),
        (0, 2, [0, 9]),
    ],
)
def test_pick_frames_never_returns_more_than_the_limit(nonfinite, limit, frames):
    assert export.pick_frames(list(range(10)), nonfinite, limit) == frames


@given(
    recorded=st.sets(st.integers(0, 500), min_size=1, max_size=60),
    limit=st.integers(1, 12),
    data=st.data(),
)
def test_pick_frames_keeps_within_the_limit_and_the_steps_that_matter(recorded, limit, data):
    steps = sorted(recorded)
    nonfinite = data.draw(st.one_of(st.none(), st.sampled_from(steps)))
    frames = export.pick_frames(steps, nonfinite, limit)
    assert len(frames) == min(limit, len(steps)) == len(set(frames))
    assert set(frames) <= recorded and frames == sorted(frames)
    assert frames[0] == steps[0]
    if nonfinite is not None and limit >= 2:
        assert nonfinite in frames
    if limit >= 3 or (limit == 2 and nonfinite in (None, steps[-1])):
        assert frames[-1] == steps[-1]


@pytest.mark.parametrize("limit", [0, -1, 1.5, True])
def test_pick_frames_refuses_a_limit_that_is_not_a_count(limit):
    with pytest.raises(ValueError, match="limit"):
        export.pick_frames([0, 1, 2], None, limit)


# The JS tests' fixtures come from Python (tests/js_fixtures.py); a committed copy that no
# longer matches what Python writes today would test the scene against stale facts.
@pytest.mark.parametrize(
    ("path", "build"),
    [(js_fixtures.VERDICTS, js_fixtures.verdicts), (js_fixtures.COLORS, js_fixtures.colors)],
    ids=["payload-verdicts", "colors"],
)
def test_committed_js_fixture_is_fresh(path, build):
    assert path.read_text(encoding="utf-8") == js_fixtures.text(build()), (
        f"{path.name} is stale: run `python tests/js_fixtures.py` and commit the result"
    )


def test_the_verdict_fixture_has_the_cases_it_promises():
    fixture = json.loads(js_fixtures.VERDICTS.read_text(encoding="utf-8"))
    cases = fixture["cases"]
    for base in fixture["bases"].values():
        VALIDATOR.validate(base)
    assert sum(not c["schemaValid"] for c in cases) >= 50
    assert [c["name"] for c in cases if c["schemaValid"] and not c["crossField"]][:2] == [
        "unchanged",
        "unchanged",
    ]
    # A cross-field case is one the schema cannot refuse: only payload.js's own checks can.
    assert all(c["schemaValid"] for c in cases if c["crossField"])
