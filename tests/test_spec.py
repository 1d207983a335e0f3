"""The shared specification: _static/threejs/spec.js is fresh, and the lab's settings are ones
the simulator accepts."""

from __future__ import annotations

import pytest

from gradbook import config, scenarios, spec
from gradbook.config import MLPConfig, RNNConfig, TrainConfig
from js_spec import SPEC_JS, text

SPEC = spec.build()
KEYS = SPEC["lab"]["keys"]


def test_committed_spec_module_is_fresh():
    assert SPEC_JS.read_text(encoding="utf-8") == text(), "re-run python tests/js_spec.py"


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        ("depth", config.MAX_DEPTH),
        ("width", config.MAX_WIDTH),
        ("steps", config.MAX_TIME_STEPS),
        ("batch-size", config.MAX_BATCH_SIZE),
        ("seed", config.MAX_SEED),
    ],
)
def test_the_labs_ranges_lie_inside_the_simulators_limits(key, limit):
    low, high = KEYS[key]["int"]
    assert 0 <= low <= KEYS[key]["default"] <= high <= limit


def test_the_labs_defaults_are_a_network_and_a_training_the_simulator_accepts():
    d = {k: v["default"] for k, v in KEYS.items()}
    MLPConfig(depth=d["depth"], width=d["width"], activation=d["activation"], init=d["init"])
    RNNConfig(steps=d["steps"], hidden=d["width"], activation=d["rnn-activation"], rho=d["rho"])
    TrainConfig(lr=d["lr"], momentum=d["momentum"], batch_size=d["batch-size"])
    assert d["batch-size"] >= config.MIN_BATCHNORM_BATCH  # batch norm may be switched on


def test_the_lab_starts_with_the_books_training():
    book = scenarios.get("tanh-xavier").training
    assert (KEYS["lr"]["default"], KEYS["momentum"]["default"]) == (book.lr, book.momentum)


def test_every_key_is_written_in_a_link_and_every_choice_is_a_simulator_name():
    order = SPEC["lab"]["order"]
    assert set(order["mlp"] + order["rnn"] + order["shared"]) == set(KEYS)
    names = SPEC["names"]
    assert KEYS["activation"]["choices"] == names["activation"]
    assert KEYS["rnn-activation"]["choices"] == names["rnnActivation"]
    assert KEYS["loss"]["choices"] == names["loss"]
