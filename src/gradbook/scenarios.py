"""The book's named scenarios: a model, how to train it, a seed, and what it shows.

Every chapter, figure and scene payload refers to these by id, so a number in the prose, a
curve in a figure and a colour in the scene all come from the same seeded run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .config import MLPConfig, RNNConfig, TrainConfig
from .mlp import MLP
from .rnn import RNN
from .train import TrainingRun, train

# The book's MLPs are small enough for the scene to draw every unit, deep enough to show decay.
DEPTH, WIDTH = 12, 16


@dataclass(frozen=True)
class Scenario:
    """A named, seeded experiment."""

    id: str
    title: str
    summary: str  # one sentence: what the reader should see
    model: MLPConfig | RNNConfig
    training: TrainConfig
    seed: int = 0

    @property
    def kind(self) -> str:
        return "rnn" if isinstance(self.model, RNNConfig) else "mlp"

    def build(self) -> MLP | RNN:
        """A freshly initialized model for this scenario."""
        cls = RNN if self.kind == "rnn" else MLP
        return cls(self.model, seed=self.seed)


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario after training: the trained model and the training record."""

    scenario: Scenario
    model: MLP | RNN
    run: TrainingRun


def _mlp(activation: str, init: str, **extra) -> MLPConfig:
    return MLPConfig(depth=DEPTH, width=WIDTH, activation=activation, init=init, **extra)


_MLP_TRAINING = TrainConfig(steps=200, lr=0.1, momentum=0.9, batch_size=64, record_every=1)
# A linear RNN with a squared-error read-out: nothing bounds its states, so once the gradient
# explodes the loss runs to inf and NaN within a few steps, as real RNNs do without clipping.
_RNN = RNNConfig(steps=40, hidden=16, activation="linear", rho=1.1, loss="mse")
_RNN_TRAINING = TrainConfig(steps=150, lr=0.01, batch_size=64, record_every=1)

SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in [
        Scenario(
            "tanh-xavier",
            "Tanh with Xavier init: a healthy flow",
            "Each layer's factor is close to 1, so the gradient reaches the first layer at about "
            "the size it left the output.",
            _mlp("tanh", "xavier"),
            _MLP_TRAINING,
        ),
        Scenario(
            "sigmoid-vanishing",
            "Sigmoid, 12 layers: the gradient dies",
            "Each sigmoid layer passes on at most a quarter of the gradient, so the first "
            "layers get almost nothing.",
            _mlp("sigmoid", "standard"),
            _MLP_TRAINING,
        ),
        Scenario(
            "exploding-init",
            "ReLU with large weights: the gradient explodes",
            "Weights drawn with standard deviation 1 multiply the gradient at every layer, and "
            "training turns to NaN within a few steps.",
            _mlp("relu", "normal:1.0"),
            _MLP_TRAINING,
        ),
        Scenario(
            "relu-xavier",
            "ReLU with Xavier init: a slow leak",
            "Xavier init ignores that ReLU switches off half its units, so the gradient shrinks "
            "by about 0.7 per layer.",
            _mlp("relu", "xavier"),
            _MLP_TRAINING,
        ),
        Scenario(
            "relu-he",
            "ReLU with He init: the gradient arrives",
            "ReLU passes the gradient with slope 1 and He init keeps its size layer after layer.",
            _mlp("relu", "he"),
            _MLP_TRAINING,
        ),
        Scenario(
            "batchnorm",
            "Sigmoid with batch norm",
            "Batch norm keeps every layer's inputs in the sigmoid's steep middle, so each layer "
            "passes on more of the gradient.",
            _mlp("sigmoid", "standard", batchnorm=True),
            _MLP_TRAINING,
        ),
        Scenario(
            "residual",
            "Sigmoid with residual connections",
            "A skip connection hands the gradient down unchanged beside each layer, so it "
            "reaches the first layer undiminished.",
            _mlp("sigmoid", "standard", residual=True),
            _MLP_TRAINING,
        ),
        Scenario(
            "rnn-exploding",
            "A recurrent net over 40 steps: the gradient explodes",
            "The same recurrent weights multiply the gradient at every time step; with largest "
            "singular value 1.1 it grows until the loss turns NaN.",
            _RNN,
            _RNN_TRAINING,
        ),
        Scenario(
            "rnn-clipped",
            "The same recurrent net with gradient clipping",
            "Clipping caps the length of each update, so the same net keeps training.",
            _RNN,
            TrainConfig(steps=150, lr=0.01, batch_size=64, record_every=1, clip_norm=1.0),
        ),
    ]
}


def get(scenario_id: str) -> Scenario:
    """The scenario called `scenario_id`."""
    if scenario_id not in SCENARIOS:
        raise ValueError(
            f"unknown scenario {scenario_id!r}: allowed values are {', '.join(SCENARIOS)}"
        )
    return SCENARIOS[scenario_id]


@cache
def run(scenario_id: str) -> ScenarioRun:
    """Build and train a scenario (once per process: the result is deterministic)."""
    scenario = get(scenario_id)
    model = scenario.build()
    record = train(model, scenario.training, seed=scenario.seed)
    return ScenarioRun(scenario, model, record)
