"""The book's named scenarios show what their titles promise."""

from __future__ import annotations

import numpy as np

from gradbook import scenarios


def first_trace(scenario_id):
    return scenarios.run(scenario_id).run.traces[0]


def test_sigmoid_vanishing_loses_many_decades():
    assert first_trace("sigmoid-vanishing").products[0] < 1e-6


def test_exploding_init_grows_and_turns_nonfinite():
    done = scenarios.run("exploding-init")
    assert done.run.traces[0].products[0] > 1e3
    assert done.run.first_nonfinite_step is not None


def test_relu_he_keeps_the_gradient_within_a_decade():
    assert 0.1 < first_trace("relu-he").products[0] < 10


def test_residual_keeps_the_gradient_within_a_decade():
    assert 0.1 < first_trace("residual").products[0] < 10


def test_batchnorm_stops_the_vanishing():
    assert first_trace("batchnorm").products[0] > 1e3 * first_trace("sigmoid-vanishing").products[0]


def test_rnn_explodes_without_clipping_and_trains_with_it():
    plain = scenarios.run("rnn-exploding").run
    clipped = scenarios.run("rnn-clipped").run
    assert plain.first_nonfinite_step is not None
    assert clipped.first_nonfinite_step is None
    assert clipped.losses[-1] < 0.1 * clipped.losses[0]


def test_every_scenario_is_reproducible():
    for sid in scenarios.SCENARIOS:
        a = scenarios.get(sid).build()
        b = scenarios.get(sid).build()
        for name in a.params:
            np.testing.assert_array_equal(a.params[name], b.params[name])
