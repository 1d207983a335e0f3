"""Payloads: valid against the schema, strict JSON, non-finite values encoded, reproducible."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest

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
    run = scenarios.run("sigmoid-vanishing").run
    frame = payload["scenarios"][0]["steps"][0]
    trace = run.traces[frame["step"]]
    for layer, exported in zip(trace.layers, frame["layers"], strict=False):
        assert exported["gradNorm"] == pytest.approx(layer.grad_norm, rel=1e-2)
        assert exported["factor"] == pytest.approx(layer.factor, rel=1e-2)
        assert exported["neuronsLog10"][0] == pytest.approx(
            math.log10(layer.neuron_grad[0]), abs=0.051
        )
    assert len(frame["layers"]) == scenarios.DEPTH


def test_the_colour_table_comes_from_the_figures_colormap():
    scale = export.build_payload(["relu-he"])["colorScale"]
    assert scale["table"] == colorscale.table()
    assert scale["log10Min"] == colorscale.LOG10_MIN and scale["colormap"] == "inferno"
    assert colorscale.color_of(10.0**colorscale.LOG10_MIN) == scale["table"][0]
    assert colorscale.color_of(1e300) == scale["table"][-1]
    assert colorscale.color_of(float("inf")) == scale["inf"]


def test_export_is_byte_identical_across_runs():
    scenarios.run.cache_clear()
    first = export.dumps(export.build_payload(["rnn-exploding", "relu-he"]))
    scenarios.run.cache_clear()
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
