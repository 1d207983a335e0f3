"""gradbook: exact gradient traces through deep networks and recurrent nets.

Trace one forward and backward pass and read it layer by layer:

>>> import gradbook
>>> net = gradbook.MLP(depth=20, width=64, activation="sigmoid", init="xavier", seed=0)
>>> print(net.trace().table())  # doctest: +SKIP

Draw the book's figures with `gradbook.plots` (it needs matplotlib, which `import gradbook`
does not load until you use it). Each function draws on a matplotlib `ax` you give it:

>>> import matplotlib.pyplot as plt  # doctest: +SKIP
>>> fig, ax = plt.subplots()  # doctest: +SKIP
>>> gradbook.plots.gradient_profile(ax, net.trace())  # doctest: +SKIP
>>> gradbook.plots.add_colorbar(fig, ax)  # doctest: +SKIP

The book's own networks are `gradbook.scenarios` (`scenarios.trained("sigmoid-vanishing")`), and
`gradbook.export` writes the payloads its 3D scene plays. `gradbook.torch` records your own
PyTorch training run (it needs PyTorch, which nothing else here imports), and
`gradbook.runfile.load` reads such a run back.
"""

from importlib import import_module

from . import data, export, scenarios
from .config import MLPConfig, RNNConfig, TrainConfig
from .mlp import MLP
from .rnn import RNN
from .trace import HIST_EDGES, Histogram, LayerTrace, Trace
from .train import StepRecord, TrainingRun, train

__all__ = [
    "HIST_EDGES",
    "MLP",
    "RNN",
    "Histogram",
    "LayerTrace",
    "MLPConfig",
    "RNNConfig",
    "StepRecord",
    "Trace",
    "TrainConfig",
    "TrainingRun",
    "data",
    "export",
    "plots",
    "runfile",
    "scenarios",
    "train",
]
__version__ = "0.1.0"

# Imported on first use, so that `import gradbook` and the command line need numpy alone.
_LAZY = ("plots", "runfile")


def __getattr__(name: str):
    if name in _LAZY:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
