"""The parity fixtures that hold the JavaScript engine to the simulator: fresh and sound."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradbook import MLP, RNN
from gradbook.config import MLPConfig, RNNConfig
from gradbook.fixtures import FIXTURE_DIR, PARITY_CASES, differences, parity_fixtures


@pytest.fixture(scope="module")
def fresh() -> dict:
    return parity_fixtures()


def test_committed_parity_fixture_is_fresh(fresh):
    committed = json.loads((FIXTURE_DIR / "parity.json").read_text())
    # 1e-9 as the JS side: another CPU's BLAS may round a deep exploding case differently.
    stale = differences(committed, fresh, rtol=1e-9)
    assert not stale, "re-run python -m gradbook.fixtures; first differences: " + "; ".join(stale)


def test_cases_stay_small_so_the_committed_json_stays_modest(fresh):
    assert len(fresh["cases"]) >= 20
    for case in fresh["cases"]:
        c = case["config"]
        if case["model"] == "mlp":
            assert c["depth"] <= 12 and c["width"] <= 16, case["name"]
        else:
            assert c["steps"] <= 20 and c["hidden"] <= 16, case["name"]
        assert len(case["batch"]["y"]) <= 32
    assert (FIXTURE_DIR / "parity.json").stat().st_size < 600_000


@pytest.mark.parametrize("index", range(len(PARITY_CASES)))
def test_recorded_batches_are_the_ones_training_used(fresh, index):
    # Re-tracing the first recorded batch with the initial weights gives step 0's loss exactly:
    # the exporter kept what train() drew, not a look-alike.
    case = fresh["cases"][index]
    config = (RNNConfig if case["model"] == "rnn" else MLPConfig)(**case["config"])
    model = (RNN if case["model"] == "rnn" else MLP)(config, seed=case["seed"])
    for name, value in case["params"].items():
        assert np.array_equal(model.params[name], np.asarray(value, dtype=float)), name
    first = case["train"]["batches"][0]
    y = np.asarray(first["y"])
    trace = model.loss_and_trace(np.asarray(first["x"]), y)
    assert trace.loss == case["train"]["steps"][0]["loss"]
    assert len(case["train"]["batches"]) == len(case["train"]["steps"])


def test_the_set_covers_both_ends_of_the_story(fresh):
    cases = {c["name"]: c for c in fresh["cases"]}
    assert cases["sigmoid-standard-deep"]["trace"]["products"][0] < 1e-9
    to_nan = cases["rnn-linear-to-nan"]["train"]
    assert to_nan["first_nonfinite_step"] == len(to_nan["steps"]) - 1
    assert to_nan["steps"][-1]["loss"] in ("NaN", "Infinity")
    assert any(s["clipped"] for s in cases["rnn-tanh-exploding-clip-norm"]["train"]["steps"])


def test_the_engine_refuses_the_same_small_batch_norm_batches_as_the_simulator():
    import re
    from pathlib import Path

    from gradbook.config import MIN_BATCHNORM_BATCH

    js = Path(__file__).parent.parent / "_static" / "threejs" / "engine" / "model.js"
    found = re.search(r"export const MIN_BATCHNORM_BATCH = (\d+);", js.read_text("utf-8"))
    assert found and int(found[1]) == MIN_BATCHNORM_BATCH


def test_the_engine_measures_accuracy_on_the_simulators_held_out_set():
    import re
    from pathlib import Path

    from gradbook import data

    js = (Path(__file__).parent.parent / "_static" / "threejs" / "engine" / "data.js").read_text(
        "utf-8"
    )
    for name in ("HELD_OUT_SIZE", "HELD_OUT_SEED"):
        found = re.search(rf"export const {name} = ([\d_]+);", js)
        assert found and int(found[1].replace("_", "")) == getattr(data, name), name
