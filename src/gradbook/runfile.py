"""A recorded training run of a real network: what `gradbook.torch` writes and the lab opens.

This module is the only one that knows the run file's layout (described by run.schema.json
beside it). It needs numpy alone, never PyTorch: `load(path)` reads a run on any machine, and
`gradbook.plots` draws what it returns as it draws the simulator's traces and runs.

The file is strict JSON, built to stay small (a 50-layer model grows by under 1 MB per 1,000
recorded steps): each quantity is one array of rows, a row per recorded step and an entry per
layer; sizes are stored as log10 to three significant digits and at most two decimals (0.01 of
a decade, 2% apart, where |log10| < 10; 0.1 beyond, as the payload's per-unit sizes);
factors and products are not stored but derived from the norms on load, by the book's
definitions; histograms are kept for a few steps spread over the run. A non-finite number is the
string "inf", "-inf" or "nan", as in the scene payload; in a log10 column "-inf" is an exact 0;
null is "not measured at this step" (a layer the forward pass did not reach, or a weight that got
no gradient), which is not the same as NaN.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np

from .export import encode
from .trace import HIST_EDGES, Histogram

SCHEMA_NAME = "gradbook-run"
SCHEMA_VERSION = 1


# Every stored size is log10 rounded to 0.01 of a decade (a step of 2.3%, finer than the colour
# table's 0.07 decades) where |log10| < 10, to 0.1 from 10 (1.2e-12 is -11.9, never -11.92)
# and to 1 from 100. Each entry is then at most six characters with its comma: what keeps a
# 50-layer run under 1 MB per 1,000 recorded steps.
LOG10_DECIMALS = ((10, 2), (100, 1), (math.inf, 0))  # (below this |log10|, decimals)
LOSS_DIGITS = 4  # significant digits of the loss
NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class RunFileError(ValueError):
    """A file that is not a gradbook run this version can read; the message says why."""


def schema() -> dict:
    """The JSON Schema that every run file satisfies."""
    text = resources.files("gradbook").joinpath("run.schema.json").read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class LayerInfo:
    """One layer of the recorded model: a module holding weights of its own."""

    name: str  # its path in the model, e.g. "blocks.3.conv1"
    type: str  # its class, e.g. "Conv2d"
    units: int  # output features (channels for a convolution, hidden size for an RNN)
    params: int  # how many numbers its own parameters hold
    weights: tuple[str, ...]  # the parameters |dL/dW| and the update ratio are taken over
    calls: int = 1  # the most times one forward pass called it (weights shared across calls)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "units": self.units,
            "params": self.params,
            "weights": list(self.weights),
            "calls": self.calls,
        }


@dataclass(frozen=True, eq=False)
class RecordedLayer:
    """One layer at one recorded step, shaped like `trace.LayerTrace` where it can be.

    A value that was not measured at this step is NaN here and `measured` says so."""

    index: int  # from 1, in the order the forward pass first reaches the layers
    name: str
    type: str
    grad_norm: float  # |dL/d(its output)| over the batch
    factor: float  # grad_norm / grad_norm of the layer above (the model output for the top one)
    product: float  # grad_norm / the model output's gradient norm
    weight_grad_norm: float  # |dL/dW| of its weights
    update_ratio: float  # std(W after - W before) / std(W before); NaN without an optimizer
    measured: bool  # whether grad_norm (so factor and product) was measured at this step
    weight_measured: bool
    ratio_measured: bool
    dh_hist: Histogram | None = None  # only at the steps the run keeps histograms for
    dW_hist: Histogram | None = None


class RecordedStep:
    """A recorded training step, shaped like `trace.Trace`: `plots.gradient_profile` and
    `plots.factor_chain` draw it, and `table()` prints it as `Trace.table()` does."""

    kind = "torch"
    layer_axis = "layer, in the order the forward pass reaches it (1 = first)"

    def __init__(self, run: RecordedRun, row: int):
        self._run, self._row = run, row
        self.step = int(run.step_numbers[row])
        self.loss = float(run.losses[row])
        self.output_grad_norm = float(run.output_grad_norms[row])

    def __len__(self) -> int:
        return len(self._run.layers)

    def __repr__(self) -> str:
        return (
            f"RecordedStep(step={self.step}, loss={self.loss:.6g}, {len(self)} layers, "
            f"output_grad_norm={self.output_grad_norm:.3e})"
        )

    def _column(self, table: np.ndarray) -> np.ndarray:
        return table[self._row].copy()

    @property
    def grad_norms(self) -> np.ndarray:
        return self._column(self._run.grad_norms)

    @property
    def factors(self) -> np.ndarray:
        return self._column(self._run.factors)

    @property
    def products(self) -> np.ndarray:
        return self._column(self._run.products)

    @property
    def weight_grad_norms(self) -> np.ndarray:
        return self._column(self._run.weight_grad_norms)

    @property
    def measured(self) -> np.ndarray:
        return self._column(self._run.measured)

    @property
    def update_ratios(self) -> dict[str, float]:
        """Each layer's update ratio by its name (empty when no optimizer was watched), as
        `StepRecord.update_ratios` holds one per weight matrix."""
        if not self._run.has_update_ratios:
            return {}
        return dict(zip(self._run.layer_names, self._run.ratios[self._row].tolist(), strict=True))

    @property
    def is_finite(self) -> bool:
        return self._run.finite_rows[self._row]

    @cached_property
    def layers(self) -> tuple[RecordedLayer, ...]:
        run, r = self._run, self._row
        hists = run.histograms.get(self.step)
        return tuple(
            RecordedLayer(
                index=i + 1,
                name=info.name,
                type=info.type,
                grad_norm=float(run.grad_norms[r, i]),
                factor=float(run.factors[r, i]),
                product=float(run.products[r, i]),
                weight_grad_norm=float(run.weight_grad_norms[r, i]),
                update_ratio=float(run.ratios[r, i]),
                measured=bool(run.measured[r, i]),
                weight_measured=bool(run._table("weight_m")[r, i]),
                ratio_measured=bool(run._table("ratio_m")[r, i]),
                dh_hist=_nth(hists[0], i) if hists else None,
                dW_hist=_nth(hists[1], i) if hists else None,
            )
            for i, info in enumerate(run.layers)
        )

    def table(self) -> str:
        """The step layer by layer, first reached first, in scientific notation, as
        `Trace.table()` prints a simulated pass; "-" is a value not measured at this step."""
        width = max([4, *(len(n) for n in self._run.layer_names)])
        head = f"{'layer':>6}  {'name':<{width}}  {'grad norm':>10}  {'factor':>10}  "
        head += f"{'product':>10}  {'|dL/dW|':>10}  {'update':>10}"
        lines = [head]
        shown = [self.loss, self.output_grad_norm]
        for layer in self.layers:
            values = [layer.grad_norm, layer.factor, layer.product, layer.weight_grad_norm]
            values.append(layer.update_ratio)
            flags = [layer.measured] * 3 + [layer.weight_measured, layer.ratio_measured]
            cells = [_cell(v, f) for v, f in zip(values, flags, strict=True)]
            lines.append(f"{layer.index:>6}  {layer.name:<{width}}  " + "  ".join(cells))
            shown += [v for v, f in zip(values, flags, strict=True) if f]
        out = _cell(self.output_grad_norm, bool(self._run._table("out_m")[self._row]))
        lines.append(f"{'output':>6}  {'':<{width}}  {out}")
        lines.append(f"step {self.step}, loss {self.loss:.6g}")
        if not np.all(np.isfinite(shown)):
            lines.append(
                "note: inf is a number too large for its float type (it overflowed); nan is no "
                "number at all (0/0 or inf/inf, e.g. the factor of a layer whose gradient is 0)"
            )
        return "\n".join(lines)


def _nth(items: tuple, i: int):
    """items[i], or None for a layer found after the step that `items` describes."""
    return items[i] if i < len(items) else None


def _cell(value: float, measured: bool) -> str:
    return f"{value:>10.3e}" if measured else f"{'-':>10}"


class _Steps(Sequence):
    """The run's recorded steps as RecordedStep objects, made when read (a long run has many)."""

    def __init__(self, run: RecordedRun):
        self._run = run

    def __len__(self) -> int:
        return len(self._run.step_numbers)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"recorded step index {i} out of range for {n} recorded steps")
        return RecordedStep(self._run, i % n)


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """top / bottom elementwise, where 0/0 is nan and x/0 is inf, without numpy warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(top, dtype=float) / np.asarray(bottom, dtype=float)


class RecordedRun:
    """A recorded training run, shaped like `train.TrainingRun` where it can be: `losses`,
    `grad_norms` (recorded steps x layers), `update_ratios(name)`, `first_nonfinite_step`,
    `steps` (each a RecordedStep) and `each_recorded(measure)`. `gradbook.plots` draws it.

    `gradbook.torch` fills one while it records; `load(path)` reads one back from a file.
    Unlike a simulator run, not every step need be recorded: `step_numbers` says which were.
    """

    layer_axis = RecordedStep.layer_axis

    def __init__(
        self,
        layers: Sequence[LayerInfo] = (),
        *,
        every: int = 1,
        has_update_ratios: bool = True,
        model: str = "",
        optimizer: str | None = None,
        recorder: dict | None = None,
    ):
        self.layers: list[LayerInfo] = list(layers)
        self.every = every
        self.has_update_ratios = has_update_ratios
        self.model = model
        self.optimizer = optimizer
        self.recorder = dict(recorder or {})
        self.first_nonfinite_step: int | None = None
        # step -> (dL/dh histogram per layer, dL/dW histogram per layer); None where unmeasured
        self.histograms: dict[int, tuple[tuple, tuple]] = {}
        # Numbers, not objects: a 50-layer run takes 1.4 KB a recorded step in memory.
        self._scalars = _Grid()  # step, loss, the output's gradient norm
        self._grids = {"grad": _Grid(), "weight": _Grid(), "ratio": _Grid()}
        self._tables: dict | None = None

    # -- filling -----------------------------------------------------------------------------

    def append(
        self, step: int, loss: float, output_grad_norm, grad_norms, weight_norms, ratios
    ) -> None:
        """Add a recorded step. The per-layer sequences hold a number or None (not measured)
        for each layer known so far; a layer found later is unmeasured at earlier steps."""
        n = self._scalars.n
        if n and step <= self._scalars.values[n - 1, 0]:
            raise ValueError(f"steps must increase: {step} after {int(self.step_numbers[-1])}")
        self._scalars.append((int(step), float(loss), output_grad_norm))
        for key, cells in (("grad", grad_norms), ("weight", weight_norms), ("ratio", ratios)):
            self._grids[key].append(cells)
        self._tables = None

    def add_layer(self, info: LayerInfo) -> None:
        self.layers.append(info)
        self._tables = None

    def update_layer(self, index: int, info: LayerInfo) -> None:
        self.layers[index] = info

    # -- reading, as TrainingRun ---------------------------------------------------------------

    def _table(self, name: str) -> np.ndarray:
        if self._tables is None:
            self._tables = self._build_tables()
        return self._tables[name]

    def _build_tables(self) -> dict:
        width = len(self.layers)
        t: dict = {}
        for key, grid in self._grids.items():
            t[key], t[f"{key}_m"] = grid.table(width)
        scalars, known = self._scalars.table(3)
        t["steps"] = scalars[:, 0].astype(np.int64)
        t["loss"] = scalars[:, 1].copy()
        t["out"], t["out_m"] = scalars[:, 2].copy(), known[:, 2].copy()
        t["measured"] = t["grad_m"]
        # The book's definitions (trace.assemble): a layer's factor is its norm over that of the
        # layer above it, the model output's gradient for the top layer; its product is its
        # norm over the output's, the factors from the output down multiplied together.
        above = np.concatenate([t["grad"][:, 1:], t["out"][:, None]], axis=1)
        t["factor"] = _ratio(t["grad"], above)
        t["product"] = _ratio(t["grad"], t["out"][:, None])
        # A row is finite when every measured number in it is (update ratios aside: they are
        # taken only where std(W before) is not 0, so one that is not finite is an overflow
        # that the weights' gradients show as well).
        finite = np.isfinite(t["loss"]) & (np.isfinite(t["out"]) | ~t["out_m"])
        for key in ("grad", "weight"):
            finite &= np.all(np.isfinite(t[key]) | ~t[f"{key}_m"], axis=1)
        t["finite"] = finite.tolist()
        return t

    @property
    def layer_names(self) -> list[str]:
        return [info.name for info in self.layers]

    @property
    def step_numbers(self) -> np.ndarray:
        """The training step of each recorded row (0 is the first step taken)."""
        return self._table("steps")

    @property
    def recorded_steps(self) -> list[int]:
        return self.step_numbers.tolist()

    @property
    def losses(self) -> np.ndarray:
        return self._table("loss")

    @property
    def output_grad_norms(self) -> np.ndarray:
        return self._table("out")

    @property
    def grad_norms(self) -> np.ndarray:
        """(recorded steps, layers): |dL/d(layer output)|, NaN where not measured."""
        return self._table("grad")

    @property
    def weight_grad_norms(self) -> np.ndarray:
        return self._table("weight")

    @property
    def ratios(self) -> np.ndarray:
        """(recorded steps, layers): each layer's update ratio."""
        return self._table("ratio")

    @property
    def factors(self) -> np.ndarray:
        return self._table("factor")

    @property
    def products(self) -> np.ndarray:
        return self._table("product")

    @property
    def measured(self) -> np.ndarray:
        """(recorded steps, layers): whether the layer's gradient was measured at that step."""
        return self._table("measured")

    @property
    def finite_rows(self) -> list[bool]:
        return self._table("finite")

    @property
    def steps(self) -> Sequence[RecordedStep]:
        return _Steps(self)

    @property
    def last(self) -> RecordedStep:
        if not len(self):
            raise ValueError("nothing recorded yet: call step(loss) after a training step")
        return self.steps[-1]

    def step(self, number: int) -> RecordedStep:
        """The recorded step with this training-step number."""
        where = np.flatnonzero(self.step_numbers == number)
        if where.size == 0:
            shown = self.recorded_steps
            more = ", ..." if len(shown) > 12 else ""
            raise KeyError(f"step {number} was not recorded; recorded: {shown[:12]}{more}")
        return RecordedStep(self, int(where[0]))

    def update_ratios(self, name: str) -> np.ndarray:
        """One layer's update ratio at every recorded step, as `TrainingRun.update_ratios`."""
        if name not in self.layer_names:
            raise KeyError(f"no layer named {name!r}; layers: {self.layer_names}")
        return self.ratios[:, self.layer_names.index(name)].copy()

    def each_recorded(self, measure) -> np.ndarray:
        """`measure(step)` at every recorded step, stacked, as `TrainingRun.each_recorded`."""
        return np.array([measure(s) for s in self.steps])

    def __len__(self) -> int:
        return self._scalars.n

    def __repr__(self) -> str:
        return (
            f"RecordedRun(model={self.model!r}, {len(self.layers)} layers, {len(self)} recorded "
            f"steps, first_nonfinite_step={self.first_nonfinite_step})"
        )

    # -- the file ----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The run as the file holds it (see run.schema.json)."""
        width = len(self.layers)

        def rows(key: str) -> list:
            return _log10_rows(*self._grids[key].table(width))

        out = _log10_rows(self.output_grad_norms[:, None], self._table("out_m")[:, None])
        return {
            "schema": SCHEMA_NAME,
            "version": SCHEMA_VERSION,
            "recorder": self.recorder,
            "model": self.model,
            "optimizer": self.optimizer,
            "every": self.every,
            "layers": [info.as_dict() for info in self.layers],
            "steps": self.step_numbers.tolist(),
            "loss": [encode(v, LOSS_DIGITS) for v in self.losses.tolist()],
            "outputGradNormLog10": [row[0] for row in out],
            "gradNormLog10": rows("grad"),
            "weightGradNormLog10": rows("weight"),
            "updateRatioLog10": rows("ratio") if self.has_update_ratios else None,
            "histograms": {
                "log10Min": float(HIST_EDGES[0]),
                "log10Max": float(HIST_EDGES[-1]),
                "bins": len(HIST_EDGES) - 1,
                "steps": [
                    {
                        "step": step,
                        "dh": [_hist(_nth(dh, i)) for i in range(width)],
                        "dW": [_hist(_nth(dw, i)) for i in range(width)],
                    }
                    for step, (dh, dw) in sorted(self.histograms.items())
                ],
            },
            "firstNonFiniteStep": self.first_nonfinite_step,
        }

    def dumps(self) -> str:
        """Strict, compact JSON: raises ValueError if a NaN or infinity slipped through."""
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    def save(self, path) -> Path:
        """Write the run to `path` (JSON) and return the path."""
        path = Path(path)
        path.write_text(self.dumps(), encoding="utf-8")
        return path


class _Grid:
    """A float64 table that grows by rows (and columns, as layers are found), with a mask of
    the entries that hold a number: None, "not measured", is NaN there and False in the mask."""

    def __init__(self):
        self.values = np.full((16, 0), np.nan)
        self.mask = np.zeros((16, 0), dtype=bool)
        self.n = 0

    def append(self, cells) -> None:
        rows, width = self.values.shape
        if self.n == rows or len(cells) > width:
            grown = (rows * 2 if self.n == rows else rows, max(width, len(cells)))
            values, mask = np.full(grown, np.nan), np.zeros(grown, dtype=bool)
            values[: self.n, :width], mask[: self.n, :width] = (
                self.values[: self.n],
                self.mask[: self.n],
            )
            self.values, self.mask = values, mask
        for i, v in enumerate(cells):
            if v is not None:
                self.values[self.n, i] = v
                self.mask[self.n, i] = True
        self.n += 1

    def table(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the values and the mask, (rows, width): unmeasured beyond the last column."""
        values, mask = np.full((self.n, width), np.nan), np.zeros((self.n, width), dtype=bool)
        have = min(width, self.values.shape[1])
        values[:, :have], mask[:, :have] = self.values[: self.n, :have], self.mask[: self.n, :have]
        return values, mask


def _log10(value: float):
    """A size that has no finite log10, as the file writes it: 0 is "-inf", inf "inf", NaN "nan"."""
    return "-inf" if value == 0 else encode(value)


def _log10_rows(values: np.ndarray, mask: np.ndarray) -> list[list]:
    """The sizes as the file stores them, row by row: log10 rounded as LOG10_DECIMALS says,
    the sizes with no finite log10 by `_log10`, and None where the mask says not measured."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.abs(values))
    rounded = np.full_like(logs, np.nan)
    for limit, decimals in reversed(LOG10_DECIMALS):
        rounded = np.where(np.abs(logs) < limit, np.round(logs, decimals), rounded)
    out = rounded.tolist()
    for r, c in zip(*np.nonzero(~mask | ~np.isfinite(logs)), strict=True):
        out[r][c] = None if not mask[r, c] else _log10(float(values[r, c]))
    return out


def _hist(h: Histogram | None):
    if h is None:
        return None
    nonzero = np.flatnonzero(h.counts)
    first = int(nonzero[0]) if nonzero.size else 0
    last = int(nonzero[-1]) + 1 if nonzero.size else 0
    return {
        "first": first,
        "counts": [int(c) for c in h.counts[first:last]],
        "below": int(h.below),
        "above": int(h.above),
        "zero": int(h.zero),
        "nonfinite": int(h.nonfinite),
    }


# -- reading a file ------------------------------------------------------------------------------


def load(path) -> RecordedRun:
    """Read a run file written by `gradbook.torch` (or `RecordedRun.save`).

    Raises RunFileError, naming the problem, for a file that is empty, not JSON, not a run, of
    a newer format version, or inconsistent (rows that do not match the layers or the steps)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RunFileError(f"{path} is not a gradbook run: it is not UTF-8 text ({e})") from None
    return loads(text, source=str(path))


def loads(text: str, source: str = "the run") -> RecordedRun:
    """A run from the text of a run file; see `load`."""
    if not text.strip():
        raise RunFileError(f"{source} is empty: a run file is a JSON object")

    def refuse(name):
        raise RunFileError(
            f"{source} holds the JSON constant {name}; a run writes non-finite numbers as the "
            'strings "inf", "-inf" and "nan"'
        )

    try:
        data = json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as e:
        raise RunFileError(
            f"{source} is not JSON (or is cut short): {e.msg} at line {e.lineno}, column {e.colno}"
        ) from None
    return from_dict(data, source)


def from_dict(data, source: str = "the run") -> RecordedRun:
    """A run from a parsed run file; see `load`."""
    if not isinstance(data, dict):
        raise RunFileError(f"{source} is not a gradbook run: a run is a JSON object")
    kind = data.get("schema")
    if kind != SCHEMA_NAME:
        what = "a scene payload" if kind == "gradbook-payload" else f"schema {kind!r}"
        raise RunFileError(
            f"{source} is not a gradbook run: it says it is {what} (a run says "
            f'"schema": "{SCHEMA_NAME}")'
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RunFileError(f"{source} has no valid format version (got {version!r})")
    if version > SCHEMA_VERSION:
        raise RunFileError(
            f"{source} is version {version} of the run format; this gradbook reads version "
            f"{SCHEMA_VERSION} and older: update gradbook to open it"
        )
    return _Reader(data, source).run()


_KEYS = {
    "schema", "version", "recorder", "model", "optimizer", "every", "layers", "steps", "loss",
    "outputGradNormLog10", "gradNormLog10", "weightGradNormLog10", "updateRatioLog10",
    "histograms", "firstNonFiniteStep",
}  # fmt: skip


class _Reader:
    """Checks a parsed run file part by part, so that an error names the part."""

    def __init__(self, data: dict, source: str):
        self.data, self.source = data, source

    def fail(self, what: str) -> RunFileError:
        return RunFileError(f"{self.source} is not a valid gradbook run: {what}")

    def get(self, key: str, kind, *, nullable: bool = False):
        if key not in self.data:
            raise self.fail(f'"{key}" is missing')
        value = self.data[key]
        if value is None and nullable:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(f'"{key}" must be {_kind_name(kind)}, got {type(value).__name__}')
        return value

    def number(self, key: str, value, *, log10: bool):
        if isinstance(value, str) and value in NONFINITE:
            value = NONFINITE[value]
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(
                f'"{key}" holds {value!r}, which is not a number, "inf", "-inf" or "nan"'
            )
        if not log10:
            return float(value)
        try:
            return 10.0 ** float(value)  # 10^-inf is 0, 10^inf is inf, 10^nan is nan
        except OverflowError:  # a log10 past 308: beyond float64, as an overflowed size is
            return math.inf

    def table(self, key: str, n: int, width: int, *, nullable: bool = False):
        rows = self.get(key, list, nullable=nullable)
        if rows is None:
            return None
        if len(rows) != n:
            raise self.fail(f'"{key}" has {len(rows)} rows for {n} recorded steps')
        out = []
        for r, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != width:
                got = len(row) if isinstance(row, list) else type(row).__name__
                raise self.fail(
                    f'"{key}" row {r} must hold one entry per layer ({width}), got {got}'
                )
            out.append(tuple(None if v is None else self.number(key, v, log10=True) for v in row))
        return out

    def layers(self) -> list[LayerInfo]:
        infos = []
        for i, layer in enumerate(self.get("layers", list)):
            try:
                unknown = sorted(set(_typed(layer, dict)) - set(LayerInfo.__dataclass_fields__))
                if unknown:
                    raise TypeError(f"unknown keys {unknown}")
                weights = tuple(_typed(w, str) for w in _typed(layer["weights"], list))
                infos.append(
                    LayerInfo(
                        name=_typed(layer["name"], str),
                        type=_typed(layer["type"], str),
                        units=_typed(layer["units"], int),
                        params=_typed(layer["params"], int),
                        weights=weights,
                        calls=_typed(layer["calls"], int),
                    )
                )
            except KeyError as e:
                raise self.fail(f'layer {i} is malformed: "{e.args[0]}" is missing') from None
            except TypeError as e:
                raise self.fail(f"layer {i} is malformed ({e})") from None
        return infos

    def histograms(self, steps: set[int], width: int) -> dict:
        block = self.get("histograms", dict)
        bins = len(HIST_EDGES) - 1
        if (block.get("log10Min"), block.get("log10Max"), block.get("bins")) != (
            HIST_EDGES[0],
            HIST_EDGES[-1],
            bins,
        ):
            raise self.fail(f"histograms must use the book's grid: {bins} bins from 1e-16 to 1e8")
        entries = block.get("steps")
        if not isinstance(entries, list):
            raise self.fail('"histograms" must hold a "steps" array')
        out = {}
        for entry in entries:
            step = entry.get("step") if isinstance(entry, dict) else None
            if step not in steps:
                raise self.fail(f"a histogram is of step {step!r}, which was not recorded")
            pair = []
            for key in ("dh", "dW"):
                hists = entry.get(key)
                if not isinstance(hists, list) or len(hists) != width:
                    raise self.fail(f'the histograms of step {step} need one "{key}" per layer')
                pair.append(tuple(self.histogram(h, bins, step) for h in hists))
            out[step] = tuple(pair)
        return out

    def histogram(self, h, bins: int, step: int) -> Histogram | None:
        if h is None:
            return None
        try:
            first, counts = _typed(h["first"], int), _typed(h["counts"], list)
            full = np.zeros(bins, dtype=np.int64)
            if first < 0 or first + len(counts) > bins:
                raise TypeError(f"counts from bin {first} run past bin {bins}")
            full[first : first + len(counts)] = [_typed(c, int) for c in counts]
            return Histogram(
                counts=full,
                below=_typed(h["below"], int),
                above=_typed(h["above"], int),
                zero=_typed(h["zero"], int),
                nonfinite=_typed(h["nonfinite"], int),
            )
        except KeyError as e:
            raise self.fail(f'a histogram of step {step} has no "{e.args[0]}"') from None
        except TypeError as e:
            raise self.fail(f"a histogram of step {step} is malformed ({e})") from None

    def run(self) -> RecordedRun:
        unknown = sorted(set(self.data) - _KEYS)
        if unknown:
            raise self.fail(f"unknown keys {unknown} (a version 1 run has {sorted(_KEYS)})")
        infos = self.layers()
        width = len(infos)
        steps = self.get("steps", list)
        if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in steps):
            raise self.fail('"steps" must be whole step numbers, 0 or more')
        if any(b <= a for a, b in itertools.pairwise(steps)):
            raise self.fail('"steps" must increase')
        n = len(steps)
        losses = self.get("loss", list)
        out = self.get("outputGradNormLog10", list)
        for key, column in (("loss", losses), ("outputGradNormLog10", out)):
            if len(column) != n:
                raise self.fail(f'"{key}" has {len(column)} entries for {n} recorded steps')
        grad = self.table("gradNormLog10", n, width)
        weight = self.table("weightGradNormLog10", n, width)
        ratio = self.table("updateRatioLog10", n, width, nullable=True)
        every = self.get("every", int)
        if every < 1:
            raise self.fail(f'"every" must be 1 or more, got {every}')
        first = self.get("firstNonFiniteStep", int, nullable=True)
        if first is not None and first not in steps:
            raise self.fail(f'"firstNonFiniteStep" {first} is not a recorded step')
        run = RecordedRun(
            infos,
            every=every,
            has_update_ratios=ratio is not None,
            model=self.get("model", str),
            optimizer=self.get("optimizer", str, nullable=True),
            recorder=self.get("recorder", dict),
        )
        for r, step in enumerate(steps):
            run.append(
                step,
                self.number("loss", losses[r], log10=False),
                None if out[r] is None else self.number("outputGradNormLog10", out[r], log10=True),
                grad[r],
                weight[r],
                ratio[r] if ratio is not None else (None,) * width,
            )
        run.first_nonfinite_step = first
        run.histograms = self.histograms(set(steps), width)
        return run


def _typed(value, kind):
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise TypeError(f"expected {_kind_name(kind)}, got {value!r}")
    return value


def _kind_name(kind) -> str:
    return {str: "a string", int: "a whole number", list: "an array", dict: "an object"}.get(
        kind, kind.__name__
    )
