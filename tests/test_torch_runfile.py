"""The run file (gradbook.runfile, run.schema.json): the example runs the lab's tests open are
valid and read back unchanged, bad files get one clear error, the size stays in its budget, and
gradbook.plots draws a recorded run. Only the last test needs PyTorch."""

from __future__ import annotations

import copy
import json
import math

import jsonschema
import matplotlib
import numpy as np
import pytest

import run_fixtures
import torch_required
from gradbook import plots, runfile
from gradbook.runfile import LayerInfo, RecordedRun, RunFileError

matplotlib.use("Agg")

VALIDATOR = jsonschema.Draft202012Validator(runfile.schema())
FIXTURES = [run_fixtures.SMALL, run_fixtures.NONFINITE]


def _load_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(runfile.schema())


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_the_example_runs_are_valid_and_read_back_unchanged(path):
    data = _load_json(path)
    VALIDATOR.validate(data)
    run = runfile.load(path)
    assert run.to_dict() == data
    assert len(run) == len(data["steps"]) and run.layer_names == [x["name"] for x in data["layers"]]
    assert len(run.histograms) <= 12 + 1


def test_the_nonfinite_example_says_where_it_broke():
    run = runfile.load(run_fixtures.NONFINITE)
    k = run.first_nonfinite_step
    assert k is not None and k % run.every != 0  # caught between the regular records
    step = run.step(k)
    assert not step.is_finite and not math.isfinite(step.loss)
    assert all(s.is_finite for s in run.steps if s.step < k)
    assert "note: inf is a number too large" in step.table()
    assert k in run.histograms  # the first non-finite step keeps its histograms


def test_factors_and_products_follow_from_the_stored_norms():
    run = runfile.load(run_fixtures.SMALL)
    data = _load_json(run_fixtures.SMALL)
    g = 10.0 ** np.array(data["gradNormLog10"], dtype=float)
    out = 10.0 ** np.array(data["outputGradNormLog10"], dtype=float)
    above = np.concatenate([g[:, 1:], out[:, None]], axis=1)
    np.testing.assert_allclose(run.factors, g / above, rtol=1e-12)
    np.testing.assert_allclose(run.products, g / out[:, None], rtol=1e-12)


def test_a_step_prints_as_a_table_with_the_layers_names():
    run = runfile.load(run_fixtures.SMALL)
    lines = run.last.table().splitlines()
    assert lines[0].split() == ["layer", "name", "grad", "norm", "factor", "product", "|dL/dW|",
                                "update"]  # fmt: skip
    assert [line.split()[1] for line in lines[1:-2]] == run.layer_names
    assert lines[-1] == f"step {run.last.step}, loss {run.last.loss:.6g}"
    # The norm layer's scale starts at all ones (std 0): no update ratio at step 0, shown "-".
    first = run.steps[0].table().splitlines()[1 + run.layer_names.index("norm")]
    assert first.split()[-1] == "-"


# -- bad files ---------------------------------------------------------------------------------


def _write(tmp_path, text: str | bytes):
    path = tmp_path / "run.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _changed(change):
    data = _load_json(run_fixtures.SMALL)
    change(data)
    return json.dumps(data)


# (name, text, the error's words, whether the schema refuses it too: some rules, such as
# rows that match the steps, are beyond what a JSON Schema can say, so only the loader checks them)
BAD_FILES = [
    ("empty", "", "is empty", False),
    ("blank", "  \n", "is empty", False),
    ("not JSON", "this is not json", "is not JSON", False),
    (
        "truncated",
        run_fixtures.SMALL.read_text()[:5000],
        "is not JSON \\(or is cut short\\)",
        False,
    ),
    ("a list", "[1, 2]", "a run is a JSON object", True),
    ("a payload", json.dumps({"schema": "gradbook-payload", "version": 1}), "scene payload", True),
    ("no schema", json.dumps({"version": 1}), "is not a gradbook run", True),
    ("newer", _changed(lambda d: d.update(version=2)), "version 2 of the run format.*update", True),
    ("NaN literal", _changed(lambda d: d["loss"].__setitem__(0, math.nan)), "constant NaN", False),
    ("missing key", _changed(lambda d: d.pop("gradNormLog10")), '"gradNormLog10" is missing', True),
    ("a word", _changed(lambda d: d["gradNormLog10"][0].__setitem__(0, "big")), "'big'", True),
    ("bad layer", _changed(lambda d: d["layers"][1].pop("units")), '"units" is missing', True),
    ("hist grid", _changed(lambda d: d["histograms"].update(bins=10)), "the book's grid", True),
    ("hist steps", _changed(lambda d: d["histograms"].update(steps=3)), '"steps" array', True),
    ("every 0", _changed(lambda d: d.update(every=0)), '"every" must be 1 or more', True),
    ("short row", _changed(lambda d: d["gradNormLog10"][3].pop()), "row 3 must hold one", False),
    ("rows", _changed(lambda d: d["weightGradNormLog10"].pop()), "rows for 10 recorded", False),
    ("steps order", _changed(lambda d: d["steps"].reverse()), '"steps" must increase', False),
    ("stray", _changed(lambda d: d.update(firstNonFiniteStep=3)), "3 is not a recorded", False),
]


@pytest.mark.parametrize(
    ("name", "text", "message", "schema_too"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_file_gets_one_clear_error(tmp_path, name, text, message, schema_too):
    with pytest.raises(RunFileError, match=message):
        runfile.load(_write(tmp_path, text))
    if schema_too:
        assert not VALIDATOR.is_valid(json.loads(text)), f"the schema accepts the {name} file"


def test_a_file_that_is_not_text_gets_one_clear_error(tmp_path):
    with pytest.raises(RunFileError, match="not UTF-8 text"):
        runfile.load(_write(tmp_path, b"\x89PNG\r\n\x1a\n\xff\xfe"))


def test_an_older_version_would_be_read_and_changes_within_a_version_keep_valid():
    data = _load_json(run_fixtures.SMALL)
    other = copy.deepcopy(data)
    other["gradNormLog10"][0][0] = None  # a layer not reached at a step
    other["updateRatioLog10"] = None  # no optimizer
    other["optimizer"] = None
    other["gradNormLog10"][1][0] = 400  # past float64: read as the overflow it would be
    VALIDATOR.validate(other)
    run = runfile.from_dict(other)
    assert not run.measured[0, 0] and run.measured[0, 1:].all()
    assert run.grad_norms[1, 0] == math.inf
    assert run.steps[0].update_ratios == {}


def test_the_lab_s_verdicts_fixture_is_what_run_fixtures_writes():
    committed = run_fixtures.VERDICTS.read_text(encoding="utf-8")
    assert committed == run_fixtures.text(run_fixtures.verdicts()), (
        "run-verdicts.json is stale: run `python tests/run_fixtures.py` and commit the result"
    )
    cases = json.loads(committed)["cases"]
    # What the schema refuses, the loader refuses too; the loader also checks what the schema
    # cannot say (rows against steps and layers), and both take the unchanged file.
    assert all(c["loaderError"] for c in cases if not c["schemaValid"])
    assert any(c["loaderError"] and c["schemaValid"] for c in cases)
    assert cases[0] == {"name": "unchanged", "operations": [], "schemaValid": True,
                        "loaderError": None}  # fmt: skip


# -- size --------------------------------------------------------------------------------------

BUDGET = 1_000_000  # bytes per 1,000 recorded steps of a 50-layer model


def _synthetic(steps: int, layers: int = 50) -> RecordedRun:
    """A run whose every size takes the most room an entry can: log10 between 10 and 100
    decades from 1 ("-12.3", six characters with the comma), losses of four digits."""
    infos = [
        LayerInfo(f"blocks.{i}.conv1", "Conv2d", 256, 590_080, ("weight",)) for i in range(layers)
    ]
    run = RecordedRun(
        infos, model="Net", optimizer="SGD", recorder={"name": "test", "gradbook": "0"}
    )
    rng = np.random.default_rng(0)
    for k in range(steps):
        sizes = 10.0 ** -rng.uniform(10, 99.9, size=(3, layers))
        run.append(k * 1000, 1.234 + k, 10.0 ** -rng.uniform(10, 99), *sizes)
    return run


def test_a_50_layer_run_grows_by_at_most_1_mb_per_1000_recorded_steps():
    small, large = (len(_synthetic(n).dumps().encode()) for n in (1000, 2000))
    assert large - small <= BUDGET, f"{large - small} bytes per 1,000 steps"


# -- plots -------------------------------------------------------------------------------------


def test_plots_draw_a_recorded_step_as_they_draw_a_trace(ax):
    run = runfile.load(run_fixtures.SMALL)
    step = run.last
    line, _ = plots.gradient_profile(ax, step)
    np.testing.assert_array_equal(line.get_ydata(), step.grad_norms)
    assert ax.get_xlabel() == step.layer_axis
    ax.clear()
    bars, chain = plots.factor_chain(ax, step)
    np.testing.assert_allclose([b.get_height() for b in bars], step.factors)
    np.testing.assert_array_equal(chain.get_ydata(), step.products)


def test_plots_draw_a_recorded_run_against_its_training_steps(ax):
    run = runfile.load(run_fixtures.SMALL)
    (loss,) = plots.loss_curve(ax, run)
    np.testing.assert_array_equal(loss.get_xdata(), run.step_numbers)
    np.testing.assert_array_equal(loss.get_ydata(), run.losses)
    ax.clear()
    first, last = plots.norms_over_training(ax, run)
    np.testing.assert_array_equal(first.get_xdata(), run.step_numbers)
    np.testing.assert_array_equal(last.get_ydata(), run.grad_norms[:, -1])
    assert last.get_label() == f"layer {len(run.layers)}: {run.layer_names[-1]}"
    ax.clear()
    lines = plots.update_ratios(ax, run)
    assert [x.get_label() for x in lines[:-1]] == run.layer_names
    np.testing.assert_array_equal(lines[0].get_ydata(), run.ratios[:, 0])


def test_plots_mark_where_a_recorded_run_broke(ax):
    run = runfile.load(run_fixtures.NONFINITE)
    artists = plots.loss_curve(ax, run)
    k = run.first_nonfinite_step
    assert artists[1].get_xdata()[0] == k
    assert artists[2].get_text() == f"step {k}: loss is NaN"


def test_plots_draw_a_recorded_steps_histograms_where_it_kept_them(ax):
    run = runfile.load(run_fixtures.SMALL)
    step = run.step(min(run.histograms))
    lines = plots.histograms(ax, step, "dW")
    counts = step.layers[0].dW_hist.counts
    np.testing.assert_allclose(lines[0].get_ydata(), counts / counts.sum())
    del run.histograms[step.step]  # as for a step between those a long run keeps them for
    with pytest.raises(ValueError, match="keeps histograms for a few steps"):
        plots.histograms(ax, run.step(step.step))


# -- the examples are what the recorder writes -----------------------------------------------


def test_recording_again_gives_the_committed_example_runs():
    torch_required.torch()
    for path, data in run_fixtures.runs().items():
        committed = _load_json(path)
        for key in ("recorder",):  # the versions of the machine that wrote it
            committed.pop(key), data.pop(key)
        fresh = json.loads(json.dumps(data))
        assert fresh.keys() == committed.keys()
        for key in fresh:
            if key.endswith("Log10"):
                a = np.array(fresh[key], dtype=object)
                b = np.array(committed[key], dtype=object)
                assert a.shape == b.shape, key
                for x, y in zip(a.ravel(), b.ravel(), strict=True):
                    assert x == y or (isinstance(x, float) and isinstance(y, float)
                                      and abs(x - y) <= 0.011), (path.name, key, x, y)  # fmt: skip
            elif key != "loss" and key != "histograms":
                assert fresh[key] == committed[key], (path.name, key)
        np.testing.assert_allclose(
            [math.nan if isinstance(v, str) else v for v in fresh["loss"]],
            [math.nan if isinstance(v, str) else v for v in committed["loss"]],
            rtol=1e-3,
        )
