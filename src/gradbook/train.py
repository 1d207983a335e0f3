"""SGD on the model's synthetic task, recording what the book plots at every step.

Every `record_every` steps (and at the last step) the run also keeps the step's full trace and
the model's accuracy on the task's fixed held-out set (`data.held_out`), measured with the
weights the step started from, so a step's loss, trace and accuracy describe one network.
With batch norm, the held-out set is normalized by its own statistics, as one batch.

Overflow is data: when the loss or a gradient turns inf or NaN, the run records that step as
`first_nonfinite_step` and stops cleanly, with no numpy warning and no exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import data, random
from .clipping import clip_by_global_norm, clip_by_value
from .config import TrainConfig
from .trace import Trace


@dataclass
class StepRecord:
    """What one training step did."""

    step: int
    loss: float
    grad_norms: np.ndarray  # |dL/dh| per hidden layer (or time step), first first
    weight_grad_norms: np.ndarray  # |dL/dW| per hidden layer (or time step)
    update_ratios: dict[str, float]  # std(update) / std(W) for each weight matrix
    global_norm: float  # of all parameter gradients, before clipping
    clipped: bool


@dataclass
class TrainingRun:
    """The record of a training run: one StepRecord per step taken, and chosen full traces."""

    config: TrainConfig
    steps: list[StepRecord] = field(default_factory=list)
    traces: dict[int, Trace] = field(default_factory=dict)  # step -> full trace
    accuracy: dict[int, float] = field(default_factory=dict)  # step -> held-out accuracy
    first_nonfinite_step: int | None = None

    @property
    def recorded_steps(self) -> list[int]:
        """The steps with a full trace and a held-out accuracy, in order."""
        return sorted(self.traces)

    @property
    def accuracies(self) -> np.ndarray:
        """Held-out accuracy at each recorded step (NaN where the output was not finite)."""
        return np.array([self.accuracy[s] for s in self.recorded_steps])

    def each_recorded(self, measure) -> np.ndarray:
        """`measure(trace)` at every recorded step, in order, stacked: how a story's cause is
        checked over the whole run, not only at its end. For example
        `run.each_recorded(lambda t: t.products[0])` is layer 1's share at every recorded step,
        and `run.each_recorded(lambda t: t.dead_shares)` a (steps, layers) array."""
        return np.array([measure(self.traces[s]) for s in self.recorded_steps])

    @property
    def final_accuracy(self) -> float:
        return self.accuracy[self.recorded_steps[-1]]

    @property
    def losses(self) -> np.ndarray:
        return np.array([s.loss for s in self.steps])

    @property
    def grad_norms(self) -> np.ndarray:
        """(steps, layers) array of backward-signal norms."""
        return np.array([s.grad_norms for s in self.steps])

    @property
    def global_norms(self) -> np.ndarray:
        return np.array([s.global_norm for s in self.steps])

    def update_ratios(self, name: str) -> np.ndarray:
        return np.array([s.update_ratios[name] for s in self.steps])


def held_out_accuracy(model, x: np.ndarray, labels: np.ndarray) -> float:
    """The share of held-out examples whose largest output is their class; NaN when the
    outputs are not all finite numbers (an overflowed network predicts nothing)."""
    with np.errstate(all="ignore"):
        out, _ = model.forward(x)
    if not np.all(np.isfinite(out)):
        return float("nan")
    return float(np.mean(np.argmax(out, axis=1) == labels))


def _update_ratio(update: np.ndarray, w: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        return float(np.std(update) / np.std(w))


def train(model, config: TrainConfig | None = None, *, seed: int = 0, **fields) -> TrainingRun:
    """Train `model` (an MLP or RNN, changed in place) with SGD and return the record.

    Each step draws a fresh seeded batch of the model's task. `config` or its fields as
    keywords (steps, lr, momentum, batch_size, clip_norm, clip_value, record_every).
    """
    if config is not None and fields:
        raise TypeError("pass either a TrainConfig or its fields as keywords, not both")
    if config is not None and not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    if not hasattr(model, "loss_and_trace"):
        raise TypeError(f"model must be a gradbook MLP or RNN, got {type(model).__name__}")
    config = config if config is not None else TrainConfig(**fields)
    rng = random.Generator(seed)
    velocity = {k: np.zeros_like(v) for k, v in model.params.items()}
    run = TrainingRun(config=config)
    weights = set(model.weight_names())
    x_held, labels_held = data.held_out(model.kind, model.config)
    for step in range(config.steps):
        x, y = data.task_batch(model.kind, model.config, config.batch_size, rng)
        trace = model.loss_and_trace(x, y)
        finite = trace.is_finite
        recorded = not finite or step % config.record_every == 0 or step == config.steps - 1
        if recorded:  # before the update: the weights this step's trace describes
            run.accuracy[step] = held_out_accuracy(model, x_held, labels_held)
        grads, norm, clipped = trace.grads, trace.global_grad_norm, False
        ratios = dict.fromkeys(weights & set(model.params), float("nan"))
        if finite:  # a non-finite step is recorded but never applied
            with np.errstate(all="ignore"):
                if config.clip_norm is not None:
                    grads, norm, clipped = clip_by_global_norm(grads, config.clip_norm)
                if config.clip_value is not None:
                    grads, by_value = clip_by_value(grads, config.clip_value)
                    clipped = clipped or by_value
                for k in model.params:
                    velocity[k] = config.momentum * velocity[k] + grads[k]
                    update = -config.lr * velocity[k]
                    if k in weights:
                        ratios[k] = _update_ratio(update, model.params[k])
                    model.params[k] = model.params[k] + update
        run.steps.append(
            StepRecord(
                step=step,
                loss=trace.loss,
                grad_norms=trace.grad_norms,
                weight_grad_norms=trace.weight_grad_norms,
                update_ratios=ratios,
                global_norm=norm,
                clipped=clipped,
            )
        )
        if recorded:
            run.traces[step] = trace
        if not finite:
            run.first_nonfinite_step = step
            break
    return run
