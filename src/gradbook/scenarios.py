"""The book's named scenarios: a model, how to train it, a seed, and what it shows.

Chapters, figures and scene payloads build their networks from these ids
(`get(id).build()`, `trained(id)`), never by retyping a configuration, so a number in the
prose, a curve in a figure and a colour in the scene all come from the same seeded run.

One rule for "the network's gradient": a scenario's numbers at step 0 are those of its
training run's first step, one batch of `TrainConfig.batch_size` (64) examples, which is also
what `model.trace()` draws by default with the same seed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .config import MLPConfig, RNNConfig, TrainConfig
from .digest import simulator_digest
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

    def variant(self, **changes) -> Scenario:
        """This scenario with some model fields changed (e.g. `rho=0.9`), everything else,
        training and seed included, kept: how a chapter asks "what if?" without retyping."""
        label = ", ".join(f"{k}={v}" for k, v in changes.items())
        return replace(
            self,
            id=f"{self.id}+{label}",
            title=f"{self.title} ({label})",
            model=replace(self.model, **changes),
        )


@dataclass(frozen=True)
class TrainedScenario:
    """A scenario after training: the trained model and the training record."""

    scenario: Scenario
    model: MLP | RNN
    record: TrainingRun

    @property
    def start(self):
        """The trace at step 0: the freshly initialized network on its first batch."""
        return self.record.traces[0]


def _mlp(activation: str, init: str, **extra) -> MLPConfig:
    return MLPConfig(depth=DEPTH, width=WIDTH, activation=activation, init=init, **extra)


# On the two circles, 1,000 steps of SGD with momentum teach every healthy 12 x 16 network
# the ring (held-out accuracy above 95%), while a vanishing one stays at a coin flip.
_MLP_TRAINING = TrainConfig(steps=1000, lr=0.05, momentum=0.9, batch_size=64, record_every=50)
# A linear RNN with a squared-error read-out: nothing bounds its states, so once the gradient
# explodes the loss runs to inf and NaN within a few steps, as real RNNs do without clipping.
_RNN = RNNConfig(steps=40, hidden=16, activation="linear", rho=1.1, loss="mse")
# The same task with tanh: its states cannot grow past 1, so a larger rho is needed to explode
# (at 1.1 the slopes pull each step's factor below 1), and the loss never overflows.
_RNN_TANH = replace(_RNN, activation="tanh", rho=2.0)
_RNN_TRAINING = TrainConfig(steps=150, lr=0.01, batch_size=64, record_every=5)
# Large enough that ordinary steps pass untouched; only the early, exploding ones are cut.
RNN_CLIP_NORM = 10.0

SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in [
        Scenario(
            "chain",
            "A chain of four sigmoid units",
            "One unit per layer, so each layer's factor is one number, its weight times its "
            "slope, and the gradient at the bottom is their product.",
            MLPConfig(depth=4, width=1, activation="sigmoid", init="xavier"),
            _MLP_TRAINING,
        ),
        Scenario(
            "tanh-xavier",
            "Tanh with Xavier init: a healthy flow",
            "At the start each layer's factor is close to 1, so the gradient reaches the first "
            "layer at about the size it left the output, and the network learns the rings.",
            _mlp("tanh", "xavier"),
            _MLP_TRAINING,
        ),
        Scenario(
            "sigmoid-vanishing",
            "Sigmoid, 12 layers: the gradient dies",
            "Each sigmoid layer passes on at most a quarter of the gradient, so the first "
            "layers get almost nothing, and from the first step to the last the network only "
            "guesses.",
            _mlp("sigmoid", "standard"),
            _MLP_TRAINING,
        ),
        Scenario(
            "tanh-vanishing",
            "Tanh, 12 layers, standard init: the gradient fades",
            "With the old standard weights each tanh layer keeps only about 0.6 of the gradient, "
            "so layer 1 gets less than a hundredth of it throughout and the network stays at a "
            "coin flip for all 1,000 steps.",
            _mlp("tanh", "standard"),
            _MLP_TRAINING,
        ),
        Scenario(
            "exploding-init",
            "ReLU with large weights: the gradient explodes",
            "Weights drawn with standard deviation 1 multiply the signal at every layer, forward "
            "and backward, and training turns to NaN within a few steps.",
            _mlp("relu", "normal:1.0"),
            _MLP_TRAINING,
        ),
        Scenario(
            "relu-xavier",
            "ReLU with Xavier init: learns, then its units die",
            "Xavier init ignores that ReLU switches off half its units, so layer 1 starts with "
            "about a hundredth of the output's gradient; the network still learns for about 100 "
            "steps, then one oversized update switches most units off for every example, layer "
            "1's gradient collapses and the network only guesses.",
            _mlp("relu", "xavier"),
            _MLP_TRAINING,
        ),
        Scenario(
            "relu-too-large",
            "ReLU with weights a little too large",
            "Weights with standard deviation 0.6, not quite twice He's 0.35, make every layer "
            "a factor above 1: the loss is NaN within a few steps.",
            _mlp("relu", "normal:0.6"),
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
            "Batch norm rescales each layer over the batch, so the examples stay apart layer "
            "after layer and the gradient reaches layer 1; it even grows a little per layer.",
            _mlp("sigmoid", "standard", batchnorm=True),
            _MLP_TRAINING,
        ),
        Scenario(
            "residual",
            "Sigmoid with residual connections",
            "A skip connection hands the gradient down beside each block, so layer 1 gets about "
            "the output's gradient; but with small weights every unit stays in the sigmoid's "
            "nearly straight middle, so the network stays a nearly straight-line function of its "
            "input and never learns the rings.",
            _mlp("sigmoid", "standard", residual=True),
            _MLP_TRAINING,
        ),
        Scenario(
            "residual-batchnorm",
            "Sigmoid with residual blocks and batch norm, as in ResNet",
            "Skip connections carry the gradient and batch norm keeps the examples apart: the "
            "pairing ResNet uses.",
            _mlp("sigmoid", "standard", batchnorm=True, residual=True),
            _MLP_TRAINING,
        ),
        Scenario(
            "tanh-residual",
            "Tanh with residual connections, no batch norm",
            "With the small standard init a plain tanh network loses the gradient and only "
            "guesses; skip connections carry it to layer 1 and the same network learns the "
            "rings, without batch norm.",
            _mlp("tanh", "standard", residual=True),
            _MLP_TRAINING,
        ),
        Scenario(
            "rnn-exploding",
            "A recurrent net over 40 steps: the gradient explodes",
            "The same recurrent weights multiply the gradient at every time step: with largest "
            "singular value 1.1, step 1 gets 1.1 to the 39th power times step 40's gradient, the "
            "first update stretches the matrix further and the loss turns NaN within a few steps.",
            _RNN,
            _RNN_TRAINING,
        ),
        Scenario(
            "rnn-tanh",
            "A tanh recurrent net with largest singular value 2",
            "The gradient explodes back through time (step 1 gets dozens of times step 40's), "
            "but tanh keeps every state between -1 and 1, so the loss stays finite and "
            "training itself tames the growth within a few steps.",
            _RNN_TANH,
            _RNN_TRAINING,
        ),
        Scenario(
            "rnn-clipped",
            "The same recurrent net with gradient clipping",
            "Clipping caps the length of the few huge early updates, so the same net trains.",
            _RNN,
            replace(_RNN_TRAINING, clip_norm=RNN_CLIP_NORM),
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


# Where trained scenarios are kept between processes (each chapter runs in its own kernel), if
# set; the book's build sets it. A file is named by a digest of the scenario and of the simulator
# (gradbook.digest, which names the book's executed chapters too), so an edit to the simulator
# can never bring back an old result.
CACHE_ENV = "GRADBOOK_CACHE"


@cache
def _simulator_digest() -> str:
    return simulator_digest()  # once per process: the files do not change under a running book


def _cache_file(scenario: Scenario) -> Path | None:
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return None
    key = hashlib.sha256((repr(scenario) + _simulator_digest()).encode()).hexdigest()[:24]
    return Path(folder) / f"{scenario.id}-{key}.pickle"


@cache
def trained(scenario: str | Scenario) -> TrainedScenario:
    """Build and train a scenario, named by its id or given as a `Scenario` (a `.variant` of
    one), once per process, and once per build where the book's build sets GRADBOOK_CACHE:
    the result is deterministic."""
    if isinstance(scenario, str):
        scenario = get(scenario)
    elif not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an id or a Scenario, got {type(scenario).__name__}")
    path = _cache_file(scenario)
    if path is not None and path.exists():
        with path.open("rb") as f:
            return pickle.load(f)
    model = scenario.build()
    record = train(model, scenario.training, seed=scenario.seed)
    done = TrainedScenario(scenario, model, record)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")  # written whole, then renamed
        with partial.open("wb") as f:
            pickle.dump(done, f, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    return done
