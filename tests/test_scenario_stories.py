"""Every scenario's summary is a sentence of the book: each one's story is held against its run.

A summary that names a cause (vanishing, exploding, dead units, a straight-line network) or a
path (learns, then collapses; NaN within a few steps) is checked by measuring that cause over
the whole run (`TrainingRun.each_recorded`), not only its end. Each scenario has one function
here named `test_<id>_story` (dashes as underscores); its docstring quotes the words it holds.
`test_every_scenario_has_a_story` fails when a scenario has none, so a new one cannot slip by.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np

from gradbook import data, scenarios
from gradbook.train import train

COIN_FLIP = (0.4, 0.6)  # held-out accuracy of a network that only guesses between two classes
LEARNED = 0.95  # held-out accuracy of a network that has learned the rings


def run(scenario_id):
    return scenarios.trained(scenario_id).record


def accuracy_at(record):
    return dict(zip(record.recorded_steps, record.accuracies, strict=True))


def guesses_throughout(record) -> bool:
    low, high = COIN_FLIP
    return bool(np.all((record.accuracies >= low) & (record.accuracies <= high)))


def story_name(scenario_id: str) -> str:
    return f"test_{scenario_id.replace('-', '_')}_story"


def test_every_scenario_has_a_story():
    module = sys.modules[__name__]
    missing = [sid for sid in scenarios.SCENARIOS if not hasattr(module, story_name(sid))]
    assert not missing, f"scenarios whose summary no test holds: {missing}"


def test_chain_story():
    """'one unit per layer, so each layer's factor is one number, its weight times its slope,
    and the gradient at the bottom is their product' (at every recorded step)."""
    done = scenarios.trained("chain")
    assert done.scenario.model.width == 1
    for trace in done.record.traces.values():
        for below, above in zip(trace.layers[:-1], trace.layers[1:], strict=True):
            # dL/dh below = dL/dh above x slope above x weight above, example by example, so
            # the per-example ratio is one number for the whole batch.
            ratio = below.dh[:, 0] / (above.dh[:, 0] * above.slope[:, 0])
            np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
        np.testing.assert_allclose(trace.products[0], np.prod(trace.factors), rtol=1e-9)


def test_tanh_xavier_story():
    """'at the start each layer's factor is close to 1, so the gradient reaches the first
    layer at about the size it left the output, and the network learns the rings'."""
    record = run("tanh-xavier")
    start = record.traces[0]
    assert np.all((start.factors > 0.5) & (start.factors < 2))
    assert 0.5 < start.products[0] < 2
    assert record.first_nonfinite_step is None and record.final_accuracy >= LEARNED


def test_sigmoid_vanishing_story():
    """'each sigmoid layer passes on at most a quarter of the gradient, so the first layers
    get almost nothing, and from the first step to the last the network only guesses'."""
    record = run("sigmoid-vanishing")
    factors = record.each_recorded(lambda t: t.factors[:-1])  # the top one is the read-out's
    assert np.all(factors < 0.25)
    assert np.all(record.each_recorded(lambda t: t.products[0]) < 1e-6)
    assert guesses_throughout(record)


def test_exploding_init_story():
    """'weights with standard deviation 1 multiply the signal at every layer, forward and
    backward, and training turns to NaN within a few steps'."""
    record = run("exploding-init")
    start = record.traces[0]
    assert np.all(start.factors > 1)  # backward
    assert start.spreads[-1] > 1e3 * start.spreads[0]  # forward
    assert record.first_nonfinite_step is not None and record.first_nonfinite_step <= 5


def test_relu_xavier_story():
    """'layer 1 starts with about a hundredth of the output's gradient; the network still
    learns for about 100 steps, then one oversized update switches most units off for every
    example, layer 1's gradient collapses and the network only guesses'."""
    record = run("relu-xavier")
    acc = accuracy_at(record)
    assert 3e-3 < record.traces[0].products[0] < 3e-2  # about a hundredth
    assert acc[0] < 0.6 and acc[100] > 0.8  # learns for about 100 steps
    w1 = record.update_ratios("W1")
    spike = int(np.nanargmax(w1))
    assert 100 < spike < 150 and w1[spike] > 10 * np.median(w1[:100])  # one oversized update
    before = [s for s in record.recorded_steps if s <= spike]
    after = [s for s in record.recorded_steps if s > spike]
    dead = {s: record.traces[s].dead_shares for s in record.recorded_steps}
    share = {s: record.traces[s].products[0] for s in record.recorded_steps}
    # Dead: off for every example of the batch. About a quarter before, most after, every step.
    assert max(dead[s].mean() for s in before) < 0.35
    assert min(dead[s].mean() for s in after) > 0.6
    assert min(share[s] for s in before) > 1e-2 and max(share[s] for s in after) < 1e-4
    assert all(COIN_FLIP[0] <= acc[s] <= COIN_FLIP[1] for s in after)  # only guesses


def test_relu_too_large_story():
    """'weights with standard deviation 0.6 ... make every layer a factor above 1: the loss
    is NaN within a few steps'."""
    record = run("relu-too-large")
    assert np.all(record.traces[0].factors > 1)
    assert record.first_nonfinite_step is not None and record.first_nonfinite_step <= 5


def test_relu_he_story():
    """'ReLU passes the gradient with slope 1 and He init keeps its size layer after layer'
    (at the start), and the network learns."""
    record = run("relu-he")
    start = record.traces[0]
    for layer in start.layers:
        assert set(np.unique(layer.slope)) <= {0.0, 1.0}
    assert np.all((start.factors > 0.5) & (start.factors < 2)) and 0.2 < start.products[0] < 5
    assert record.final_accuracy >= LEARNED


def test_batchnorm_story():
    """'the examples stay apart layer after layer' (spread within 1.5 times across layers, at
    every recorded step) 'and the gradient reaches layer 1; it even grows a little per layer'."""
    record = run("batchnorm")
    spreads = record.each_recorded(lambda t: t.spreads)
    assert np.all(spreads.max(axis=1) < 1.5 * spreads.min(axis=1))
    shares = record.each_recorded(lambda t: t.products[0])
    assert np.all(shares > 1)  # reaches layer 1, grown, at every recorded step
    start = record.traces[0]
    assert 1 < start.products[0] ** (1 / len(start)) < 1.5  # a little per layer
    assert record.final_accuracy >= LEARNED


def test_residual_story():
    """'layer 1 gets about the output's gradient; but ... every unit stays in the sigmoid's
    nearly straight middle, so the network stays a nearly straight-line function of its input
    and never learns the rings'."""
    done = scenarios.trained("residual")
    record = done.record
    assert 0.2 < record.traces[0].products[0] < 5
    # Every unit's input, at every layer and recorded step, stays within +-2, where the
    # sigmoid is within 0.12 of its tangent line at 0 (a unit's output spans 0 to 1).
    largest = record.each_recorded(lambda t: max(np.abs(layer.z).max() for layer in t.layers))
    assert np.all(largest < 2)
    # A straight-line function of the point explains the output, before and after training.
    for model in (done.scenario.build(), done.model):
        assert straight_line_fit(model) > 0.99
    assert guesses_throughout(record)


def straight_line_fit(model) -> float:
    """R^2 of the best affine fit of the output's margin (logit 1 - logit 0) to the input."""
    x, _ = data.held_out("mlp", model.config)
    out, _ = model.forward(x)
    margin = out[:, 1] - out[:, 0]
    affine = np.c_[x, np.ones(len(x))]
    coef, *_ = np.linalg.lstsq(affine, margin, rcond=None)
    return 1 - np.var(margin - affine @ coef) / np.var(margin)


def test_residual_batchnorm_story():
    """'skip connections carry the gradient and batch norm keeps the examples apart' (at every
    recorded step), and it learns."""
    record = run("residual-batchnorm")
    shares = record.each_recorded(lambda t: t.products[0])
    assert np.all((shares > 0.1) & (shares < 100))
    assert np.all(record.each_recorded(lambda t: t.spreads.min()) > 0.1)
    assert record.final_accuracy >= LEARNED


def test_tanh_residual_story():
    """'a plain tanh network loses the gradient and only guesses; skip connections carry it to
    layer 1 and the same network learns the rings, without batch norm'."""
    scenario = scenarios.get("tanh-residual")
    assert not scenario.model.batchnorm
    record = run("tanh-residual")
    plain = scenarios.trained("tanh-vanishing")  # its plain twin
    assert scenario.variant(residual=False).model == plain.scenario.model
    assert np.all(plain.record.each_recorded(lambda t: t.products[0]) < 1e-2)
    assert guesses_throughout(plain.record)
    assert np.all(record.each_recorded(lambda t: t.products[0]) > 0.2)
    assert record.final_accuracy >= LEARNED


def test_rnn_exploding_story():
    """'step 1 gets 1.1 to the 39th power times step 40's gradient, the first update stretches
    the matrix further and the loss turns NaN within a few steps'."""
    scenario = scenarios.get("rnn-exploding")
    record = run("rnn-exploding")
    norms = record.traces[0].grad_norms
    np.testing.assert_allclose(norms[0] / norms[-1], scenario.model.rho**39, rtol=1e-6)
    model = scenario.build()
    train(model, replace(scenario.training, steps=1), seed=scenario.seed)
    assert np.linalg.norm(model.params["W_hh"], 2) > 2 * scenario.model.rho  # stretched
    assert record.first_nonfinite_step is not None and record.first_nonfinite_step <= 5


def test_rnn_tanh_story():
    """'the gradient explodes back through time (step 1 gets dozens of times step 40's), but
    tanh keeps every state between -1 and 1, so the loss stays finite and training itself tames
    the growth within a few steps'."""
    record = run("rnn-tanh")
    growth = record.each_recorded(lambda t: t.grad_norms[0] / t.grad_norms[-1])
    assert growth[0] > 24  # dozens
    states = record.each_recorded(lambda t: max(np.abs(layer.h).max() for layer in t.layers))
    assert np.all(states <= 1)
    assert record.first_nonfinite_step is None and np.all(np.isfinite(record.losses))
    later = [g for s, g in zip(record.recorded_steps, growth, strict=True) if s >= 5]
    assert max(later) < 10  # tamed within a few steps, for the rest of the run


def test_rnn_clipped_story():
    """'clipping caps the length of the few huge early updates, so the same net trains'."""
    record = run("rnn-clipped")
    cut = [s.step for s in record.steps if s.clipped]
    assert 0 < len(cut) < len(record.steps) / 4 and cut[-1] < len(record.steps) / 5
    assert record.first_nonfinite_step is None
    assert record.losses[-1] < 0.01 * record.losses[0]


# ---------------------------------------------------------------------------------------------
# tanh-vanishing
# ---------------------------------------------------------------------------------------------


def test_tanh_vanishing_story():
    """Its summary's three parts, each over the whole run: the factor, layer 1's share, the
    coin flip."""
    summary = scenarios.get("tanh-vanishing").summary
    # The words this test holds: change them and this test must be read again.
    for words in ("about 0.6", "less than a hundredth", "throughout", "coin flip", "1,000 steps"):
        assert words in summary, words
    done = scenarios.trained("tanh-vanishing")
    run = done.record
    assert run.first_nonfinite_step is None
    assert len(run.steps) == 1000
    # "each tanh layer keeps only about 0.6": the median hidden factor, at every recorded step
    # (the last factor is the read-out's, which the summary does not speak of).
    typical = run.each_recorded(lambda t: np.median(t.factors[:-1]))
    assert np.all((0.5 < typical) & (typical < 0.7)), typical
    # "layer 1 gets less than a hundredth of it throughout": at every recorded step.
    shares = run.each_recorded(lambda t: t.products[0])
    assert np.all(shares < 1e-2), shares
    # "stays at a coin flip for all 1,000 steps": held-out accuracy near 50% at every recorded
    # step, and the loss never leaves the 50/50 guess's ln 2 for long.
    assert np.all((0.4 <= run.accuracies) & (run.accuracies <= 0.6)), run.accuracies
    windows = run.losses.reshape(-1, 50).mean(axis=1)
    assert np.all(np.abs(windows - np.log(2)) < 0.02), windows
