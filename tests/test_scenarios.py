"""The book's named scenarios show what their titles promise, and learn (or fail) as it says."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradbook import scenarios

COIN_FLIP = np.log(2)  # the cross-entropy of a 50/50 guess between two classes
LEARNS = ["tanh-xavier", "relu-he", "batchnorm", "residual-batchnorm", "tanh-residual"]
# End on the coin-flip plateau: the vanishing one from the start, the others by other paths
# (relu-xavier learns, then its units die; residual never leaves the straight-line regime).
# tests/test_scenario_stories.py holds each one's path.
STUCK = ["sigmoid-vanishing", "relu-xavier", "residual"]
EXPLODES = ["exploding-init", "rnn-exploding"]


def start(scenario_id):
    return scenarios.trained(scenario_id).start


def record(scenario_id):
    return scenarios.trained(scenario_id).record


@pytest.mark.parametrize("scenario_id", LEARNS)
def test_healthy_and_fixed_networks_learn_the_circles(scenario_id):
    run = record(scenario_id)
    assert run.first_nonfinite_step is None
    assert run.final_accuracy >= 0.95
    assert np.median(run.losses[-50:]) < COIN_FLIP / 4  # the median: momentum makes spikes


@pytest.mark.parametrize("scenario_id", STUCK)
def test_stuck_networks_end_on_the_coin_flip_plateau(scenario_id):
    run = record(scenario_id)
    assert 0.4 <= run.final_accuracy <= 0.6
    assert abs(np.mean(run.losses[-50:]) - COIN_FLIP) < 0.02


@pytest.mark.parametrize("scenario_id", EXPLODES)
def test_exploding_networks_reach_nan_within_a_few_steps(scenario_id):
    run = record(scenario_id)
    assert run.first_nonfinite_step is not None and run.first_nonfinite_step <= 5
    assert np.isnan(run.final_accuracy)


def test_accuracy_is_recorded_at_every_recorded_step():
    run = record("relu-he")
    assert run.recorded_steps == sorted(run.accuracy)
    assert run.recorded_steps[0] == 0 and run.recorded_steps[-1] == run.config.steps - 1
    assert run.accuracies.shape == (len(run.traces),)
    assert 0.3 < run.accuracy[0] < 0.7  # an untrained network guesses


def test_sigmoid_vanishing_loses_many_decades():
    assert start("sigmoid-vanishing").products[0] < 1e-6


def test_exploding_init_grows_and_its_forward_pass_explodes_too():
    assert start("exploding-init").products[0] > 1e3
    assert start("exploding-init").loss > 100  # the loss is huge before any update


def test_relu_he_keeps_the_gradient_within_a_decade():
    assert 0.1 < start("relu-he").products[0] < 10


def test_residual_keeps_the_gradient_within_a_decade():
    assert 0.1 < start("residual").products[0] < 10


def test_batchnorm_stops_the_vanishing():
    assert start("batchnorm").products[0] > 1e3 * start("sigmoid-vanishing").products[0]


def test_rnn_explodes_without_clipping_and_trains_with_it():
    plain = record("rnn-exploding")
    clipped = record("rnn-clipped")
    assert plain.first_nonfinite_step is not None
    assert clipped.first_nonfinite_step is None
    assert clipped.losses[-1] < 0.01 * clipped.losses[0]
    assert clipped.final_accuracy >= 0.95
    share = np.mean([s.clipped for s in clipped.steps])
    assert 0 < share < 0.25  # clipping catches the spikes; it is not on at every step


def test_the_tanh_rnn_explodes_back_through_time_but_never_overflows():
    run = record("rnn-tanh")
    norms = run.traces[0].grad_norms
    assert norms[0] > 10 * norms[-1]
    assert run.first_nonfinite_step is None


def test_a_variant_can_be_trained_like_a_named_scenario():
    variant = scenarios.get("chain").variant(depth=2)
    done = scenarios.trained(variant)
    assert done.scenario == variant and len(done.start) == 2
    with pytest.raises(TypeError, match="an id or a Scenario"):
        scenarios.trained(3)


def test_a_variant_changes_only_what_it_names():
    base = scenarios.get("rnn-exploding")
    small = base.variant(rho=0.9)
    assert small.model.rho == 0.9 and small.model.steps == base.model.steps
    assert small.training == base.training and small.seed == base.seed
    assert small.id != base.id


def test_every_scenario_is_reproducible():
    for sid in scenarios.SCENARIOS:
        a = scenarios.get(sid).build()
        b = scenarios.get(sid).build()
        for name in a.params:
            np.testing.assert_array_equal(a.params[name], b.params[name])


# Run in a new process: what `scenarios.trained` returns there, and which gradbook it imported.
KEPT_CHILD = """
import json, sys
from dataclasses import replace
import gradbook
from gradbook import scenarios
if "--other-seed" in sys.argv:  # the same id, another scenario
    s = scenarios.SCENARIOS["rnn-exploding"]
    scenarios.SCENARIOS["rnn-exploding"] = replace(s, seed=s.seed + 1)
done = scenarios.trained("rnn-exploding")
print(json.dumps({"accuracy": done.record.accuracy[0], "package": gradbook.__file__}))
"""
MARK = 0.123456  # no held-out accuracy of 512 points: a value only the test writes


def test_trained_scenarios_are_kept_between_processes_by_digest(tmp_path):
    cache = tmp_path / "cache"
    package = Path(scenarios.__file__).parent

    def child(*args, path=None):
        env = {**os.environ, scenarios.CACHE_ENV: str(cache)}
        if path is not None:
            env["PYTHONPATH"] = str(path)
        result = subprocess.run(
            [sys.executable, "-c", KEPT_CHILD, *args],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def kept():
        return sorted(cache.glob("rnn-exploding*"))

    first = child()
    (path,) = kept()  # one process trained it and kept it
    # Mark the kept result: a later process returns the mark only if it reads the file
    # instead of training again (which would give the same numbers, so could not be told).
    with path.open("rb") as f:
        done = pickle.load(f)
    done.record.accuracy[0] = MARK
    with path.open("wb") as f:
        pickle.dump(done, f)
    assert child()["accuracy"] == MARK
    assert kept() == [path]
    # The same scenario and another simulator (a comment added to a copy of the package):
    # trained anew, kept in another file, the marked one left alone.
    edited = tmp_path / "edited"
    shutil.copytree(package, edited / "gradbook", ignore=shutil.ignore_patterns("__pycache__"))
    with (edited / "gradbook" / "text.py").open("a") as f:
        f.write("\n# an edit to the simulator's source\n")
    other = child(path=edited)
    assert Path(other["package"]).parent == edited / "gradbook"
    assert other["accuracy"] == first["accuracy"] != MARK
    assert len(kept()) == 2 and path in kept()
    # The same id and simulator, another scenario: trained anew as well.
    assert child("--other-seed")["accuracy"] != MARK
    assert len(kept()) == 3
