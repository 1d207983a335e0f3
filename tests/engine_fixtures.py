"""Test vectors that hold the JavaScript engine to the Python simulator.

`python tests/engine_fixtures.py` writes two JSON files into tests/js/engine/fixtures/ (here,
beside the tests, not in the package: only the tests need them):

- `random.json`: streams of gradbook.random for several seeds (words, uniforms, normals,
  integers, a sequence of mixed draws), initial weights as each model draws them from
  gradbook.random, task batches drawn by `data.task_batch` from it, and
  scaled orthogonal matrices. node --test checks random.js and the engine's init against them.
- `parity.json` (see `parity_fixtures`): configurations, their initial weights and batches, the
  simulator's trace and its first training steps with the held-out accuracy at each, and a
  sample of the held-out sets themselves (`held_out_sample`).

Floats are written with Python's repr (shortest round-trip, so every float64 survives exactly);
JSON has no NaN or infinity, so those are written as a payload writes them (export.json_number):
the strings "inf", "-inf" and "nan".
tests/test_random.py and tests/test_parity_fixtures.py regenerate both in memory and fail when
the committed files are stale: re-run this module after changing the simulator.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

from gradbook import data, export
from gradbook.config import MLPConfig, RNNConfig, TrainConfig
from gradbook.mlp import MLP
from gradbook.random import Generator
from gradbook.rnn import RNN, scaled_orthogonal
from gradbook.train import train

FIXTURE_DIR = Path(__file__).resolve().parent / "js" / "engine" / "fixtures"

RANDOM_SEEDS = (0, 1, 42, 2**32 - 1, 2**32, 2**53 - 1)


def encode(value):
    """JSON-ready copy of value: arrays become nested lists, non-finite floats become strings."""
    if isinstance(value, np.ndarray):
        return encode(value.tolist())
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return export.json_number(value)  # exact; inf and NaN spelled as in a payload
    return value


def _streams(seed: int) -> dict:
    g = Generator(seed)
    out = {"seed": seed, "key": [int(k) for k in g.key], "words": g.words(8)}
    far = Generator(seed)
    far.counter = 2**32 - 4  # the end of the stream: counters near 2**32 wrap nowhere
    out["last_words"] = far.words(4)
    out["random"] = Generator(seed).random(8)
    out["uniform"] = Generator(seed).uniform(-3.0, 5.0, size=8)
    out["normal"] = Generator(seed).normal(0.5, 2.0, size=8)
    out["integers"] = {
        f"{lo},{hi}": Generator(seed).integers(lo, hi, size=16)
        for lo, hi in ((0, 2), (0, 3), (-5, 7), (0, 2**31 + 1), (0, 2**32))
    }
    return out


def _mixed_sequence(seed: int) -> dict:
    """Draws of every kind one after another: the counter must advance the same on both sides."""
    g = Generator(seed)
    calls = [
        ("normal", [0.0, 1.0, [2, 3]]),
        ("uniform", [-1.0, 1.0, [5]]),
        ("integers", [0, 2**31 + 1, [7]]),  # rejects about half its words
        ("normal", [1.0, 0.1, [4]]),
        ("integers", [0, 2, [3]]),
        ("random", [[2]]),
    ]
    steps = []
    for name, args in calls:
        *params, size = args
        values = getattr(g, name)(*params, size=tuple(size))
        steps.append({"call": name, "args": args, "values": values, "counter": g.counter})
    return {"seed": seed, "steps": steps}


_INIT_CONFIGS = (
    {"model": "mlp", "depth": 3, "width": 4, "init": "standard", "seed": 0},
    {"model": "mlp", "depth": 2, "width": 5, "init": "xavier", "batchnorm": True, "seed": 3},
    {"model": "mlp", "depth": 2, "width": 3, "init": "xavier-uniform", "seed": 1},
    {"model": "mlp", "depth": 2, "width": 4, "init": "he", "seed": 7},
    {"model": "mlp", "depth": 3, "width": 4, "init": "normal:0.3", "residual": True, "seed": 2},
    {"model": "rnn", "steps": 5, "hidden": 6, "rho": 1.1, "seed": 0},
    {"model": "rnn", "steps": 3, "hidden": 4, "rho": 0.5, "activation": "linear", "seed": 9},
)


def build_config(entry: dict):
    """An MLPConfig or RNNConfig from a fixture entry (its "model" and "seed" keys aside)."""
    fields = {k: v for k, v in entry.items() if k not in ("model", "seed")}
    return (RNNConfig if entry["model"] == "rnn" else MLPConfig)(**fields)


def _seeded_init(entry: dict) -> dict:
    cls = RNN if entry["model"] == "rnn" else MLP
    model = cls(build_config(entry), seed=entry["seed"])  # drawn from gradbook.random
    return {"config": entry, "params": model.params}


_DATA_CASES = (
    {"model": "mlp", "depth": 1, "width": 2, "n": 6, "seed": 0},
    {"model": "mlp", "depth": 1, "width": 2, "n": 5, "seed": 4, "loss": "mse", "output_dim": 3},
    {"model": "mlp", "depth": 1, "width": 2, "n": 4, "seed": 5, "input_dim": 3},
    {"model": "rnn", "steps": 4, "hidden": 2, "n": 3, "seed": 6},
    {"model": "rnn", "steps": 3, "hidden": 2, "n": 3, "seed": 8, "input_dim": 2, "loss": "mse"},
)


def _task(entry: dict) -> dict:
    config = build_config({k: v for k, v in entry.items() if k != "n"})
    x, y = data.task_batch(entry["model"], config, entry["n"], Generator(entry["seed"]))
    return {"config": entry, "x": x, "y": y}


def random_fixtures() -> dict:
    """Everything random.json holds, as plain JSON-ready data."""
    return encode(
        {
            "about": "gradbook.random streams; written by python tests/engine_fixtures.py",
            "streams": [_streams(s) for s in RANDOM_SEEDS],
            "mixed": [_mixed_sequence(s) for s in (0, 5)],
            "orthogonal": [
                {"n": n, "rho": rho, "seed": s, "matrix": scaled_orthogonal(n, rho, Generator(s))}
                for n, rho, s in ((1, 0.7, 0), (3, 1.0, 1), (8, 1.1, 2), (16, 0.9, 3))
            ],
            "init": [_seeded_init(e) for e in _INIT_CONFIGS],
            "data": [_task(e) for e in _DATA_CASES],
        }
    )


def _mlp(name, depth, width, activation, init, seed, training=None, **extra):
    fields = {"depth": depth, "width": width, "activation": activation, "init": init, **extra}
    return name, fields, training or {}, seed


def _rnn(name, steps, hidden, activation, rho, seed, training=None, **extra):
    fields = {"steps": steps, "hidden": hidden, "activation": activation, "rho": rho, **extra}
    return name, fields, training or {}, seed


# Each parity case: a name, the model's fields, its training's fields, and a seed. Small on
# purpose (depth <= 12, width <= 16, batch <= 32, steps <= 20) so parity.json stays modest.
MSE = {"loss": "mse"}
PARITY_CASES = (
    _mlp("sigmoid-standard-deep", 12, 16, "sigmoid", "standard", 0),
    _mlp("sigmoid-xavier", 6, 8, "sigmoid", "xavier", 1, {"momentum": 0.9}),
    _mlp("tanh-xavier", 8, 8, "tanh", "xavier", 2),
    _mlp("tanh-normal-saturating", 12, 8, "tanh", "normal:1.0", 3),
    _mlp("relu-he", 10, 8, "relu", "he", 4, {"momentum": 0.5}),
    _mlp("relu-xavier-halving", 10, 8, "relu", "xavier", 5),
    _mlp("leaky-he", 6, 8, "leaky_relu", "he", 6),
    _mlp("linear-xavier-uniform", 5, 6, "linear", "xavier-uniform", 7),
    _mlp("linear-standard-mse", 4, 4, "linear", "standard", 8, **MSE),
    _mlp("tanh-batchnorm", 6, 8, "tanh", "xavier", 9, batchnorm=True),
    _mlp("relu-he-batchnorm-mse", 8, 8, "relu", "he", 10, {"momentum": 0.9}, batchnorm=True, **MSE),
    _mlp("sigmoid-batchnorm-clip-value", 5, 6, "sigmoid", "xavier", 11, {"clip_value": 0.01},
         batchnorm=True),
    _mlp("tanh-residual", 8, 8, "tanh", "xavier", 12, residual=True),
    _mlp("relu-residual-batchnorm", 6, 8, "relu", "he", 13, {"momentum": 0.9}, residual=True,
         batchnorm=True),
    _mlp("sigmoid-residual-mse", 6, 6, "sigmoid", "standard", 14, residual=True, **MSE),
    _mlp("leaky-residual-normal", 5, 8, "leaky_relu", "normal:0.5", 15, residual=True),
    _mlp("relu-exploding-mse-clip-norm", 12, 8, "relu", "normal:1.0", 16, {"clip_norm": 1.0},
         **MSE),
    _mlp("three-inputs-three-classes", 3, 5, "tanh", "he", 17, input_dim=3, output_dim=3),
    _rnn("rnn-tanh-vanishing", 20, 8, "tanh", 0.7, 18),
    _rnn("rnn-tanh-exploding-clip-norm", 20, 8, "tanh", 1.5, 19, {"clip_norm": 1.0}),
    _rnn("rnn-linear-mse", 10, 6, "linear", 1.0, 20, {"momentum": 0.9}, **MSE),
    _rnn("rnn-linear-to-nan", 20, 8, "linear", 1.5, 21, {"lr": 0.5}, **MSE),
    _rnn("rnn-tanh-clip-value", 12, 6, "tanh", 1.2, 22, {"clip_value": 0.05}, input_dim=2),
)  # fmt: skip

# Cases that also carry export's payload frame for step 0 (the scene's view of the same numbers).
SCENE_CASES = (
    "sigmoid-standard-deep",
    "relu-he-batchnorm-mse",
    "sigmoid-batchnorm-clip-value",
    "tanh-residual",
    "rnn-tanh-exploding-clip-norm",
    "rnn-linear-mse",
)
PARITY_BATCH = 16
PARITY_STEPS = 3


def _batch(x, y) -> dict:
    return {"x": np.asarray(x), "shape": list(np.shape(x)), "y": np.asarray(y)}


def _trace_numbers(trace) -> dict:
    return {
        "loss": trace.loss,
        "output_grad_norm": trace.output_grad_norm,
        "grad_norms": trace.grad_norms,
        "weight_grad_norms": trace.weight_grad_norms,
        "factors": trace.factors,
        "products": trace.products,
        "global_grad_norm": trace.global_grad_norm,
        "is_finite": trace.is_finite,
        # What the scene and the lab's plots read besides the norms.
        "neuron_grad": [layer.neuron_grad for layer in trace.layers],
        "mean_slope": [layer.mean_slope for layer in trace.layers],
        "saturated": [layer.saturated for layer in trace.layers],
        "activation_mean": [layer.activation_mean for layer in trace.layers],
        "activation_std": [layer.activation_std for layer in trace.layers],
        "dead": [layer.dead for layer in trace.layers],
    }


def _batches_of(model, training: TrainConfig, seed: int, steps: int) -> list[dict]:
    """The batches train() drew for its first `steps` steps: its generator (seeded alike, used
    for nothing else) drawn again. test_parity_fixtures checks that step 0's loss agrees."""
    rng = Generator(seed)
    return [
        _batch(*data.task_batch(model.kind, model.config, training.batch_size, rng))
        for _ in range(steps)
    ]


def _step_records(run, names: list[str]) -> list[dict]:
    return [
        {
            "loss": s.loss,
            "grad_norms": s.grad_norms,
            "weight_grad_norms": s.weight_grad_norms,
            # train.py keys these by a set: written in weight_names order, so the file is stable
            "update_ratios": {k: s.update_ratios[k] for k in names if k in s.update_ratios},
            "global_norm": s.global_norm,
            "clipped": s.clipped,
        }
        for s in run.steps
    ]


def parity_case(name: str, fields: dict, training_fields: dict, seed: int) -> dict:
    """One configuration, its initial weights and batches, and what the simulator computes."""
    kind = "rnn" if "steps" in fields else "mlp"
    config = (RNNConfig if kind == "rnn" else MLPConfig)(**fields)
    model = (RNN if kind == "rnn" else MLP)(config, seed=seed)
    params = {k: v.copy() for k, v in model.params.items()}
    x, y = data.task_batch(kind, config, PARITY_BATCH, Generator(seed))
    trace = model.trace(x, y)
    training = TrainConfig(
        steps=PARITY_STEPS, batch_size=PARITY_BATCH, record_every=1, **training_fields
    )
    run = train(model, training, seed=seed)
    batches = _batches_of(model, training, seed, len(run.steps))
    steps = _step_records(run, model.weight_names())
    case = {
        "name": name,
        "model": kind,
        "config": config.as_dict(),
        "training": {k: v for k, v in training.as_dict().items() if k != "record_every"},
        "seed": seed,
        "weight_names": model.weight_names(),
        "params": params,
        "batch": _batch(x, y),
        "trace": _trace_numbers(trace),
        "train": {
            "batches": batches,
            "steps": steps,
            # Held-out accuracy at each step, with the weights the step started from.
            "accuracy": [run.accuracy[s] for s in range(len(run.steps))],
            "first_nonfinite_step": run.first_nonfinite_step,
        },
    }
    if name in SCENE_CASES:
        # A chapter's payload for this network: its shape and step 0 as export writes them
        # (rounded to 3 digits), which the lab's live frames must match in shape and value.
        case["scene"] = {
            "network": export._network(model),
            "step0": export._frame(0, run.traces[0], run.steps[0], run.accuracy[0], model),
        }
    return case


# Seeded runs: nothing but a lab link. The lab draws the weights and every batch from the seed
# and must reproduce the simulator's first steps, as "Open this network in the lab" promises.
SEEDED_CASES = (
    _mlp("seeded-sigmoid-standard", 12, 16, "sigmoid", "standard", 0, {"momentum": 0.9}),
    _mlp("seeded-relu-he-batchnorm", 10, 8, "relu", "he", 3, {"lr": 0.05}, batchnorm=True),
    _mlp("seeded-tanh-normal-mse", 6, 8, "tanh", "normal:0.3", 5, {"momentum": 0.5}, **MSE),
    _rnn("seeded-rnn-tanh-clip", 20, 8, "tanh", 1.3, 7, {"clip_norm": 1.0, "lr": 0.05}),
    _rnn("seeded-rnn-linear-mse", 15, 6, "linear", 1.1, 9, {"lr": 0.01}, **MSE),
)
SEEDED_BATCH = 32
SEEDED_STEPS = 5


def seeded_case(name: str, fields: dict, training_fields: dict, seed: int) -> dict:
    """The simulator's first steps with weights and batches drawn from gradbook.random."""
    kind = "rnn" if "steps" in fields else "mlp"
    config = (RNNConfig if kind == "rnn" else MLPConfig)(**fields)
    model = (RNN if kind == "rnn" else MLP)(config, seed=seed)
    training = TrainConfig(
        steps=SEEDED_STEPS, batch_size=SEEDED_BATCH, record_every=1, **training_fields
    )
    run = train(model, training, seed=seed)
    return {
        "name": name,
        # What a chapter's payload says of this network: the lab opens it from this alone.
        "payload_config": export.payload_config(config, training, seed),
        "model": kind,
        "config": config.as_dict(),
        "steps": _step_records(run, model.weight_names()),
        "accuracy": [run.accuracy[s] for s in range(len(run.steps))],
        "first_nonfinite_step": run.first_nonfinite_step,
    }


# The held-out sets sampled in parity.json: every shape of task (MLP with 2 or 3 inputs, RNN
# with 1 or 2 inputs per step). Labels in full; of the inputs the first and last examples and
# the sum of every entry and of their sizes, which a shifted stream could not keep.
HELD_OUT_SHAPES = (
    ("mlp", {"depth": 1, "width": 2}),
    ("mlp", {"depth": 1, "width": 2, "input_dim": 3, "output_dim": 3}),
    ("rnn", {"steps": 20, "hidden": 2}),
    ("rnn", {"steps": 12, "hidden": 2, "input_dim": 2}),
)
HELD_OUT_ROWS = 3


def held_out_sample(kind: str, fields: dict) -> dict:
    config = (RNNConfig if kind == "rnn" else MLPConfig)(**fields)
    x, labels = data.held_out(kind, config)
    k = HELD_OUT_ROWS
    return {
        "model": kind,
        "config": config.as_dict(),
        "size": data.HELD_OUT_SIZE,
        "seed": data.HELD_OUT_SEED,
        "shape": list(x.shape),
        "labels": "".join(str(int(v)) for v in labels),  # one digit per example
        "head": x[:k],
        "tail": x[-k:],
        "sum": float(np.sum(x)),
        "abs_sum": float(np.sum(np.abs(x))),
    }


def parity_fixtures() -> dict:
    """Everything parity.json holds, as plain JSON-ready data."""
    with np.errstate(all="ignore"):  # overflow is data in the exploding cases
        cases = [parity_case(*case) for case in PARITY_CASES]
        seeded = [seeded_case(*case) for case in SEEDED_CASES]
    return encode(
        {
            "about": "gradbook parity cases; written by python tests/engine_fixtures.py",
            "cases": cases,
            "seeded": seeded,
            "held_out": [held_out_sample(kind, fields) for kind, fields in HELD_OUT_SHAPES],
        }
    )


def differences(committed, fresh, rtol: float, path: str = "") -> list[str]:
    """Where two decoded fixtures differ: paths of unequal entries (floats within rtol agree).

    Floats are compared with a tolerance, not bit for bit, because BLAS and numpy's vectorized
    log and cos may round differently on another CPU; anything stale moves far more than rtol.
    """
    if isinstance(fresh, dict) and isinstance(committed, dict):
        if committed.keys() != fresh.keys():
            return [f"{path or '/'}: keys {sorted(committed)} != {sorted(fresh)}"]
        return [d for k in fresh for d in differences(committed[k], fresh[k], rtol, f"{path}/{k}")]
    if isinstance(fresh, list) and isinstance(committed, list):
        if len(committed) != len(fresh):
            return [f"{path}: {len(committed)} entries != {len(fresh)}"]
        out = []
        for i, (c, f) in enumerate(zip(committed, fresh, strict=True)):
            out += differences(c, f, rtol, f"{path}/{i}")
            if len(out) > 20:
                break
        return out
    if isinstance(fresh, float) and isinstance(committed, (int, float)) and committed is not True:
        same = math.isclose(committed, fresh, rel_tol=rtol, abs_tol=1e-300)
        return [] if same else [f"{path}: {committed!r} != {fresh!r}"]
    return (
        []
        if committed == fresh and type(committed) is type(fresh)
        else [f"{path}: {committed!r} != {fresh!r}"]
    )


def dumps(fixture: dict) -> str:
    return json.dumps(fixture, allow_nan=False, separators=(",", ":")) + "\n"


def write(directory: Path = FIXTURE_DIR) -> dict[str, int]:
    """Write every fixture file into `directory`; return each file's size in bytes."""
    sizes = {}
    for name, make in (("random.json", random_fixtures), ("parity.json", parity_fixtures)):
        text = dumps(make())
        (directory / name).write_text(text)
        sizes[name] = len(text.encode())
    return sizes


if __name__ == "__main__":
    for name, size in write(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE_DIR).items():
        print(f"{name}: {size / 1024:.1f} KiB")
