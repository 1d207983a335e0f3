"""gradbook.random: the documented generator shared with JavaScript, and its fixture."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine_fixtures import FIXTURE_DIR, differences, random_fixtures
from gradbook import data, init, random
from gradbook.config import MLPConfig


def test_committed_random_fixture_is_fresh():
    committed = json.loads((FIXTURE_DIR / "random.json").read_text())
    stale = differences(committed, random_fixtures(), rtol=1e-12)
    assert not stale, "re-run python tests/engine_fixtures.py; first differences: " + "; ".join(
        stale
    )


def test_words_follow_the_documented_formula_one_at_a_time():
    g = random.Generator(42)
    k0, k1 = g.key
    lo = np.uint32(42)
    assert k0 == random.mix(np.array([lo ^ np.uint32(0x9E3779B9)]))[0]
    batch = g.words(5)
    for i, w in enumerate(batch):
        one = random.mix(random.mix(np.array([np.uint32(i) ^ k0])) + k1)[0]
        assert w == one
    assert g.counter == 5


def test_the_seed_splits_into_two_halves_so_large_seeds_differ():
    streams = {s: tuple(random.Generator(s).words(4)) for s in (0, 1, 2**32, 2**32 + 1, 2**53 - 1)}
    assert len(set(streams.values())) == len(streams)


def test_draws_continue_the_stream_instead_of_restarting_it():
    g = random.Generator(3)
    first, second = g.random(4), g.random(4)
    assert np.array_equal(np.concatenate([first, second]), random.Generator(3).random(8))
    assert g.counter == 16  # two words per uniform


def test_shapes_and_scalars_mirror_numpy():
    g = random.Generator(0)
    assert isinstance(g.normal(), float)
    assert isinstance(g.integers(0, 5), int)
    assert g.normal(0.0, 2.0, size=(3, 4)).shape == (3, 4)
    assert g.uniform(-1.0, 1.0, size=7).shape == (7,)
    ints = g.integers(0, 5, size=(2, 3))
    assert ints.shape == (2, 3) and ints.dtype == np.int64
    assert g.integers(3, size=4).max() < 3  # integers(high) means [0, high), as in numpy
    assert g.normal(size=0).shape == (0,)


def test_uniform_and_normal_use_loc_scale_low_high_as_numpy_does():
    u = random.Generator(5).random(10)
    assert np.array_equal(random.Generator(5).uniform(2.0, 6.0, size=10), 2.0 + 4.0 * u)
    z = random.Generator(6).normal(size=10)
    assert np.array_equal(random.Generator(6).normal(1.5, 3.0, size=10), 1.5 + 3.0 * z)


def test_integers_reject_words_that_would_bias_small_values():
    # k = 2**31 + 1 accepts only words below 2**31 + 1: about half of them.
    g = random.Generator(0)
    words = random.Generator(0).words(64).astype(np.int64)
    accepted = words[words < 2**31 + 1][:20]
    assert np.array_equal(g.integers(0, 2**31 + 1, size=20), accepted)
    assert g.counter == int(np.flatnonzero(words < 2**31 + 1)[19]) + 1


def test_statistics_look_like_the_distributions_they_claim():
    u = random.Generator(11).random(200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    z = random.Generator(12).normal(size=200_000)
    assert abs(z.mean()) < 5 / np.sqrt(z.size)
    assert abs(z.std() - 1.0) < 5 * np.sqrt(0.5 / z.size)
    assert abs(np.mean(z**4) - 3.0) < 0.1
    counts = np.bincount(random.Generator(13).integers(0, 6, size=60_000), minlength=6)
    chi2 = float(np.sum((counts - 10_000) ** 2 / 10_000))
    assert chi2 < 25.0  # chi-square with 5 degrees of freedom: p about 1e-4
    # Neighbouring words and neighbouring seeds are uncorrelated.
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.02
    other = random.Generator(14).random(200_000)
    assert abs(np.corrcoef(u, other)[0, 1]) < 0.02


@pytest.mark.parametrize("seed", [-1, 2**53, 1.0, True, "0"])
def test_bad_seeds_are_refused_with_the_allowed_range(seed):
    with pytest.raises((TypeError, ValueError), match="seed must be"):
        random.Generator(seed)


def test_bad_ranges_and_sizes_are_refused():
    with pytest.raises(ValueError, match="1 <= high - low <= 2\\*\\*32"):
        random.Generator(0).integers(2, 2)
    with pytest.raises(TypeError, match="size must be"):
        random.Generator(0).normal(size=(2, -1))
    g = random.Generator(0)
    g.counter = 2**32 - 1
    with pytest.raises(ValueError, match="2\\*\\*32 words"):
        g.random(1)


def test_the_simulator_can_draw_weights_and_data_from_it():
    w = init.weights("xavier-uniform", 4, 3, random.Generator(0))
    limit = np.sqrt(6 / 7)
    assert w.shape == (4, 3) and np.all(np.abs(w) <= limit)
    x, y = data.task_batch("mlp", MLPConfig(depth=2, width=3), 8, random.Generator(1))
    again, _ = data.task_batch("mlp", MLPConfig(depth=2, width=3), 8, random.Generator(1))
    assert x.shape == (8, 2) and set(np.unique(y)) <= {0, 1}
    assert np.array_equal(x, again)


def test_the_freshness_check_sees_a_changed_number():
    fixture = random_fixtures()
    changed = json.loads(json.dumps(fixture))
    changed["streams"][0]["normal"][3] *= 1 + 1e-9
    changed["streams"][1]["words"][0] += 1
    found = differences(changed, fixture, rtol=1e-12)
    assert [p.split(":")[0] for p in found] == ["/streams/0/normal/3", "/streams/1/words/0"]
