"""The scene payload: the one contract between the simulator and the Three.js scene.

This is the only module that knows the payload's layout (described by payload.schema.json
beside it). Payloads are strict JSON: non-finite numbers become the strings "inf", "-inf" and
"nan", and `dumps` refuses anything else that is not finite.
"""

from __future__ import annotations

import json
import math
from importlib import resources

import numpy as np

from . import colorscale, scenarios
from .config import MLPConfig, RNNConfig, TrainConfig
from .trace import Trace

SCHEMA_NAME = "gradbook-payload"
SCHEMA_VERSION = 1
# Wider layers are drawn by their first units. An RNN has a layer per time step, so it shows
# fewer units per step; both keep a chapter's payload under its 150 KB budget.
MAX_SHOWN_UNITS = {"mlp": 16, "rnn": 8}
MAX_FRAMES = {"mlp": 8, "rnn": 6}  # training steps per scenario in a payload
SIGNIFICANT = 3  # significant digits kept for scalars: the scene shows two
# JSON has no inf or NaN: payloads, and every file Python writes for JavaScript, spell them so.
INF, MINUS_INF, NAN = "inf", "-inf", "nan"


def schema() -> dict:
    """The JSON Schema that every payload must satisfy."""
    text = resources.files("gradbook").joinpath("payload.schema.json").read_text("utf-8")
    return json.loads(text)


def json_number(value) -> float | str:
    """A number as strict JSON holds it: itself if finite, else "inf", "-inf" or "nan"."""
    v = float(value)
    if math.isnan(v):
        return NAN
    if math.isinf(v):
        return INF if v > 0 else MINUS_INF
    return v


def encode(value, digits: int = SIGNIFICANT):
    """A number for strict JSON: finite numbers rounded, the rest as "inf", "-inf" or "nan"."""
    v = json_number(value)
    return v if isinstance(v, str) else float(f"{v:.{digits - 1}e}")


def _log10s(values: np.ndarray) -> list:
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.abs(values))
    # A tenth of a decade is finer than one step of the colour table over 18 decades... almost:
    # it is 1.4 steps, invisible to the eye, and it saves a fifth of the payload.
    return [encode(x) if not math.isfinite(x) else round(float(x), 1) for x in logs]


def color_scale() -> dict:
    return {
        "log10Min": colorscale.LOG10_MIN,
        "log10Max": colorscale.LOG10_MAX,
        "colormap": colorscale.COLORMAP,
        "table": colorscale.table(),
        "inf": colorscale.INF_COLOR,
        "nan": colorscale.NAN_COLOR,
    }


def _network(model) -> dict:
    c = model.config
    if model.kind == "rnn":
        hidden = [(f"t{t}", c.hidden) for t in range(1, c.steps + 1)]
    else:
        hidden = [(f"h{l}", c.width) for l in range(1, c.depth + 1)]
    layers = [{"name": "x", "role": "input", "units": c.input_dim}]
    layers += [{"name": name, "role": "hidden", "units": n} for name, n in hidden]
    layers.append({"name": "loss", "role": "output", "units": c.output_dim})
    for layer in layers:
        layer["shownUnits"] = min(layer["units"], MAX_SHOWN_UNITS[model.kind])
    return {"layers": layers, "timeSteps": c.steps if model.kind == "rnn" else None}


def _frame(step: int, trace: Trace, record, accuracy: float, model) -> dict:
    ratios = record.update_ratios
    names = model.weight_names()
    layers = []
    for i, layer in enumerate(trace.layers):
        # An RNN shares one W_hh across time steps, so no step has an update ratio of its own.
        ratio = ratios.get(names[i]) if model.kind == "mlp" else None
        layers.append(
            {
                "gradNorm": encode(layer.grad_norm),
                "factor": encode(layer.factor),
                "product": encode(layer.product),
                "weightGradNorm": encode(layer.weight_grad_norm),
                "updateRatio": None if ratio is None else encode(ratio),
                "neuronsLog10": _log10s(layer.neuron_grad[: MAX_SHOWN_UNITS[model.kind]]),
            }
        )
    return {
        "step": step,
        "loss": encode(trace.loss),
        "accuracy": encode(accuracy),
        "outputGradNorm": encode(trace.output_grad_norm),
        "clipped": bool(record.clipped),
        "layers": layers,
    }


def pick_frames(recorded: list[int], first_nonfinite: int | None, limit: int) -> list[int]:
    """At most `limit` recorded steps, evenly spread.

    The first step, the first non-finite one (where the scene shows training break down) and
    the last are kept, in that order of priority, as far as `limit` allows.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a whole number of frames, 1 or more, got {limit!r}")
    steps = sorted(recorded)
    if len(steps) <= limit:
        return steps
    keep: list[int] = []
    wanted = [steps[0], first_nonfinite, steps[-1]]
    wanted += [steps[i] for i in np.linspace(0, len(steps) - 1, limit).round().astype(int)]
    for step in wanted:
        if len(keep) == limit:
            break
        if step is not None and step in steps and step not in keep:
            keep.append(step)
    return sorted(keep)


def payload_config(model: MLPConfig | RNNConfig, training: TrainConfig, seed: int) -> dict:
    """A scenario's `config` in a payload: kind, seed, the model's fields and the training's
    with a train_ prefix, flat (what the scene shows and "Open this network in the lab" reads)."""
    kind = "rnn" if isinstance(model, RNNConfig) else "mlp"
    config = {"kind": kind, "seed": seed, **model.as_dict()}
    config.update({f"train_{k}": v for k, v in training.as_dict().items()})
    return config


def scenario_payload(scenario_id: str, max_frames: int | None = None) -> dict:
    """One scenario's entry in a payload: shape, configuration and recorded frames."""
    done = scenarios.trained(scenario_id)
    s, model, run = done.scenario, done.model, done.record
    limit = MAX_FRAMES[s.kind] if max_frames is None else max_frames
    frames = pick_frames(list(run.traces), run.first_nonfinite_step, limit)
    config = payload_config(s.model, s.training, s.seed)
    return {
        "id": s.id,
        "title": s.title,
        "summary": s.summary,
        "kind": s.kind,
        "config": config,
        "network": _network(model),
        "steps": [_frame(k, run.traces[k], run.steps[k], run.accuracy[k], model) for k in frames],
        "firstNonFiniteStep": run.first_nonfinite_step,
    }


def build_payload(scenario_ids: list[str], max_frames: int | None = None) -> dict:
    """A payload holding the named scenarios, in order, for one scene."""
    if isinstance(scenario_ids, str) or not scenario_ids:
        raise TypeError("scenario_ids must be a non-empty list of scenario ids")
    return {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "colorScale": color_scale(),
        "scenarios": [scenario_payload(sid, max_frames) for sid in scenario_ids],
    }


def dumps(payload: dict) -> str:
    """Strict, compact JSON: raises ValueError if a NaN or infinity slipped through."""
    return json.dumps(payload, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
