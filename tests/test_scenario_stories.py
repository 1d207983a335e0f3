"""Each scenario's summary is a sentence too: these tests hold its story against its whole run,
the way the book's claims hold its prose (a cause or a path is measured at every recorded step,
not only at the end)."""

from __future__ import annotations

import numpy as np

from gradbook import scenarios

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
