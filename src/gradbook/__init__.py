"""gradbook: exact gradient traces through deep networks and recurrent nets.

>>> import gradbook
>>> net = gradbook.MLP(depth=20, width=64, activation="sigmoid", init="xavier", seed=0)
>>> print(net.trace().table())  # doctest: +SKIP
"""

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
    "scenarios",
    "train",
]
__version__ = "0.1.0"
