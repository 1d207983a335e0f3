"""Watch a real PyTorch training run, layer by layer, with hooks only.

    import gradbook.torch

    rec = gradbook.torch.watch(model, optimizer)  # hooks only: the model's code is untouched
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        rec.step(loss)  # records this step
    rec.save("run.json")  # open it in the lab
    print(rec.table())  # the last recorded step, layer by layer

PyTorch is an optional dependency (`pip install "gradbook[torch]"`); nothing else in gradbook
imports this module.

**A layer** is each module that holds parameters of its own (Linear, Conv, Embedding, a norm
layer's scale, an RNN, a custom module with its own nn.Parameter), named by its path in the
model and ordered by when the forward pass first reaches it (at a recorded step). Containers
(Sequential, a block whose weights all sit in its children) are not layers.

**Recorded** at steps 0, every, 2 * every, ... and at the first step where anything turned
non-finite, all copied out as plain numbers at `step()` (no tensor outlives its step):

- the loss;
- each layer's backward signal |dL/d(its output)|, the norm over the whole batch (as
  `gradbook.trace.norm`). A module that returns several tensors (an LSTM's output and its
  (h, c)) is measured over all of them together; a module called several times in one forward
  pass (weights shared across places) is one layer, measured over the outputs of all its calls
  together, and the file says how many calls it had. A recurrent module is measured as a
  whole: its time steps run inside one fused operation that hooks cannot enter, so the signal
  per time step (what the book's RNN chapter draws) is not available from outside;
- the model output's gradient, from which each layer's factor and running product follow as
  the book defines them (`gradbook.runfile`);
- |dL/dW| of each layer's weights (its parameters other than biases), as accumulated by
  backward, before any clipping;
- with an optimizer, the exact update ratio std(W after - W before) / std(W before) of each
  layer's weights (population std, as `gradbook.train`), from copies taken as backward
  accumulates each weight's gradient (again at the optimizer's step if the weight changed in
  between) and compared after the optimizer's step; none (null) while a weight's entries are
  all equal, as a norm layer's scale is before its first update, since std(W before) is then 0;
- for a few steps spread over the run (and the first non-finite one), histograms of both
  gradients on the book's fixed grid.

What it costs: a recorded step reads each gradient once and, for the update ratios, copies
each weight during backward (while it is still in the cache) and compares it after the
optimizer's step; between recorded steps the hooks only pass things on (`nox -s bench --
--torch` measures both). With a large model, record every 10 or 100 steps. Memory: the
recorder keeps a buffer the size of each weight for those copies (an optimizer with momentum
keeps as much), and one of 2**18 numbers per dtype for scaling; `close()` lets both go.

Overflow is data: inf and NaN are recorded, never raised. Between recorded steps the layers
and the optimizer have no hooks (PyTorch's dispatch of them alone would cost most of a percent
of a step); the recorder looks only at the model's output and the loss, so a step whose output
or loss turns non-finite is recorded. When the output is what overflowed, the step is measured
after its forward pass: each layer's output is found in the autograd graph from the layer's
weights, through the kind of node that computed it at the recorded steps (a Linear's or a
convolution's product, a norm layer's normalization, with any reshape after it). A layer
whose output no node taking its own weights computes (a custom module that ends in an
activation, an LSTM, whose states come from other nodes) is not measured at that step (null);
its |dL/dW| and update ratio are. A gradient that overflows while the output and loss stay
finite shows up one step later, when the weights it reached make the output non-finite.
"""

from __future__ import annotations

import math
import platform
from collections import defaultdict
from dataclasses import replace

import numpy as np
import torch
from torch import nn

from . import __version__
from .runfile import LayerInfo, RecordedRun
from .trace import HIST_EDGES, Histogram

# Steps with histograms: at most this many spread over the run, however long (plus the first
# non-finite step). When the quota fills, every other one is dropped and the spacing doubles.
MAX_HISTOGRAM_STEPS = 12
_BINS = len(HIST_EDGES) - 1


def watch(model: nn.Module, optimizer: torch.optim.Optimizer | None = None, *, every: int = 1):
    """Start recording `model` (and the updates of `optimizer`, if given): see the module's
    docstring. Returns a Recorder; call its `step(loss)` once per training step."""
    return Recorder(model, optimizer, every=every)


def _tensors(value) -> list[torch.Tensor]:
    """The floating-point tensors that need a gradient in a module's output (a tensor, or
    tuples, lists and dicts of them, as an LSTM or a model returning a dict gives)."""
    if isinstance(value, torch.Tensor):
        return [value] if value.requires_grad and value.is_floating_point() else []
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


# A plain sum of squares in float32 (float64) loses nothing to underflow or overflow when the
# norm it gives is finite and at least sqrt(entries) times this: the squares of the entries it
# may have lost are below the smallest normal number, too few to matter (1e-8 of the result).
_PLAIN_FLOOR = {torch.float32: 1e-15, torch.float64: 1e-145}
# A sum of squares that comes to 0 has lost every entry below 2**-lost (the square root of the
# smallest number, 2**-149 and 2**-1074); scaled by 2**jump, those entries' squares fit.
_LOST = {torch.float32: (75, 100), torch.float64: (537, 600)}
# The scale 2**k stays a normal number of the dtype: |k| at most this.
_MAX_K = {torch.float32: 126, torch.float64: 1022}


def _sites(value) -> list:
    """Where the gradients of a module's output tensors will arrive: for each, the graph node
    that made it and which of that node's outputs it is (the tensor itself if it is a leaf),
    hooked there by _hook_sites."""
    return [(t.grad_fn, t.output_nr) if t.grad_fn is not None else t for t in _tensors(value)]


# Graph nodes that only rearrange a tensor's entries (a view, a transpose): the gradient through
# one has the same entries, so the same norm and histogram, as the gradient it passes on.
_REARRANGING = frozenset(
    {"ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0", "AliasBackward0",
     "TBackward0", "TransposeBackward0", "TransposeBackward1", "PermuteBackward0"}
)  # fmt: skip


def _leaves_taken(node, depth: int = 2) -> set[int]:
    """The ids of the leaf tensors (weights) a graph node takes as inputs, directly or through
    rearranging nodes (a Linear's weight reaches its matrix product through a transpose)."""
    ids: set[int] = set()
    for below, _ in node.next_functions:
        if below is None:
            continue
        leaf = getattr(below, "variable", None)  # an AccumulateGrad node holds its leaf
        if leaf is not None:
            ids.add(id(leaf))
        elif depth and below.name() in _REARRANGING:
            ids |= _leaves_taken(below, depth - 1)
    return ids


def _computing_site(t: torch.Tensor) -> tuple | None:
    """The (node, output nr) that computed t, past any views taken of it afterwards (a Linear
    on a (batch, tokens, features) input reshapes its matrix product's result), or None."""
    node, nr = t.grad_fn, t.output_nr
    while node is not None and node.name() in _REARRANGING:
        node, nr = node.next_functions[0]
    return None if node is None else (node, nr)


def _hook_sites(sites: list, hook) -> None:
    """Pass the gradient arriving at each of `sites` (see _sites) to `hook`: a pre-hook on the
    graph's node (a tenth of the cost of Tensor.register_hook, measured), a tensor hook on a
    leaf."""
    for site in sites:
        if isinstance(site, torch.Tensor):
            site.register_hook(hook)
        else:
            node, nr = site
            node.register_prehook(_taking(nr, hook))


def _taking(nr: int, hook):
    """A node's pre-hook that passes the gradient of its output `nr` to `hook`."""

    def prehook(grad_outputs):
        if grad_outputs[nr] is not None:
            hook(grad_outputs[nr])

    return prehook


class _Scale:
    """The power of two, 2**k, that last brought the entries at one place where the recorder
    takes a norm (a layer's output gradient, a weight's gradient...) near 1: tried first at the
    next step, where the entries are most likely of the same size again."""

    __slots__ = ("k",)

    def __init__(self) -> None:
        self.k = 0


# Entries scaled at a time: the size of the recorder's scratch buffer for them (1 MB of float32).
_CHUNK = 1 << 18


def _scaled_norm(t: torch.Tensor, k: int, scratch: dict | None) -> float:
    """The 2-norm of the entries of t (on the CPU) times 2**k (k != 0), in t's precision.

    Scaled into `scratch` (a dict the caller keeps, holding one buffer per dtype), a chunk at a
    time: a fresh tensor of the scaled entries would cost more than the norm itself (a large
    allocation is new memory, every page of it faulted in: measured, 36 us of a 45 us norm of
    a 256 x 256 gradient)."""
    factor = 2.0**k
    if scratch is None:
        return float(torch.linalg.vector_norm(t * factor))
    buffer = scratch.get(t.dtype)
    if buffer is None:
        buffer = scratch[t.dtype] = torch.empty(_CHUNK, dtype=t.dtype)
    flat = t.reshape(-1)
    parts = []
    for start in range(0, flat.numel(), _CHUNK):
        chunk = flat[start : start + _CHUNK]
        scaled = torch.mul(chunk, factor, out=buffer[: chunk.numel()])
        parts.append(float(torch.linalg.vector_norm(scaled)))
    return parts[0] if len(parts) == 1 else math.hypot(*parts)


def _norm(t: torch.Tensor, scale: _Scale | None = None, scratch: dict | None = None):
    """The 2-norm of all entries, as `gradbook.trace.norm` takes it: a float on the CPU (where
    reading a number back costs nothing), else a float64 0-d tensor (without waiting for the
    device). A NaN anywhere gives NaN; an inf (and no NaN) inf.

    On the CPU the sum of squares is taken in t's own precision, of t scaled by 2**k (exact,
    a power of two), and kept when no square can have been lost (see _PLAIN_FLOOR) or have
    overflowed; k is the one `scale` remembers, else 0, then one aimed at the entries' size.
    In a deep network whose gradients vanish most layers' entries are far below 1, and a
    float64 copy of each would cost more than the rest of the record (measured: 3x the time
    of a scaled float32 norm). `scratch`: see _scaled_norm. Otherwise, and on other devices,
    `_safe_norm`."""
    t = t.detach()
    floor = _PLAIN_FLOOR.get(t.dtype)
    if not t.is_cpu or floor is None or t.numel() == 0:
        value = _safe_norm(t)
        return float(value) if t.is_cpu else value
    root_n = math.sqrt(t.numel())
    k = scale.k if scale is not None else 0
    for _ in range(3):
        tried = k
        # (k == 0, the usual case, as directly as can be: this runs hundreds of times a step)
        v = float(torch.linalg.vector_norm(t)) if k == 0 else _scaled_norm(t, k, scratch)
        if floor * root_n <= v < math.inf:
            if scale is not None:
                scale.k = k
            return math.ldexp(v, -k)
        if math.isnan(v):
            return v
        if v == math.inf:
            # The entries grew since the hint (try them as they are), or their squares
            # overflow (an exploding network's: scale them down), or one of them is inf.
            k = 0 if k > 0 else k - 100
        elif 0 < v < math.inf:
            k -= math.frexp(v / root_n)[1]  # their root mean square to about 1
        elif v == 0:
            # Every square was lost (each entry times 2**k is below 2**(-lost)), or every entry
            # is 0, as a weight's update is when the weight is too big for its gradient to move
            # it (w + update == w), step after step. Scaled up by 2**jump, the entries' squares
            # cannot all be lost again; once k is past `lost`, each entry is below the smallest
            # number there is: 0.
            lost, jump = _LOST[t.dtype]
            if k >= lost:
                if scale is not None:
                    scale.k = k
                return 0.0
            k += jump
        k = max(-_MAX_K[t.dtype], min(_MAX_K[t.dtype], k))
        if k == tried:
            break  # the scale can go no further: the safe way
    value = float(_safe_norm(t))
    if scale is not None and 0 < value < math.inf:
        scale.k = -math.frexp(value / root_n)[1]
    return value


def _safe_norm(t: torch.Tensor) -> torch.Tensor:
    """The 2-norm of all entries as a float64 0-d tensor on t's device, safe from underflow
    and overflow: float32 and smaller summed in float64 (where their squares can do neither),
    float64 scaled by its largest entry first."""
    if t.numel() == 0:
        return torch.zeros((), dtype=torch.float64, device=t.device)
    if t.dtype != torch.float64:
        return torch.linalg.vector_norm(t, dtype=torch.float64)
    biggest = t.abs().amax()
    usable = torch.isfinite(biggest) & (biggest > 0)
    scale = torch.where(usable, biggest, torch.ones_like(biggest))
    return torch.where(usable, scale * torch.linalg.vector_norm(t / scale), biggest)


def _std(t: torch.Tensor, scale: _Scale | None = None, scratch: dict | None = None):
    """The population standard deviation of all entries (numpy's np.std, as gradbook.train
    takes it): a float on the CPU, else a float64 0-d tensor.

    The norm of the deviations from the mean over sqrt(n). On the CPU the sum and the sum of
    squares are tried first (no copy of t); they are kept unless the mean is so large against
    the spread (a norm layer's scale, all near 1) that subtracting them would lose digits."""
    n = max(t.numel(), 1)
    if t.device.type == "cpu":
        mean, rms = float(t.sum()) / n, _norm(t, scale, scratch) / math.sqrt(n)
        if rms == 0:
            return 0.0  # every entry is 0
        if abs(mean) < 1e150 and 1e-150 < rms < 1e150:  # squares in range (NaN fails too)
            var = rms * rms - mean * mean
            if var >= 1e-3 * mean * mean:
                return math.sqrt(var)
    return _norm(t - t.mean()) / math.sqrt(n)


# Positive floats order as their bit patterns do. The histogram splits the patterns into cells
# of 2**shift consecutive ones (1/64 of an octave in float32, 1/32 in float64): a cell holds
# at most one bound of the grid, which is 1/4 of a decade, so a lookup table tells each cell's
# slot, and where in it the slot changes. Per dtype: numpy's float and integer of its size, torch's
# integer, the shift.
_PATTERNS = {
    torch.float32: (np.float32, np.int32, torch.int32, 17),
    torch.float64: (np.float64, np.int64, torch.int64, 47),
}


def _bounds_of(dtype: torch.dtype) -> np.ndarray:
    """The smallest value of the dtype whose log10 (numpy's, in float64, as
    `gradbook.trace.log_histogram` takes it) reaches each edge: at least edges 0 to 95 (where
    the bins start), more than edge 96 (where "above" starts, the last bin being closed).

    Found once by bisection on the values' bit patterns, which order positive floats as their
    values do, all 97 edges at once (numpy's array log10, as the simulator uses it)."""
    real, bits = _PATTERNS[dtype][:2]
    low = np.ones(_BINS + 1, dtype=np.int64)  # the smallest positive number: reaches none
    high = np.full(_BINS + 1, int(np.array(np.inf, real).view(bits)), dtype=np.int64)  # inf: all
    while np.any(low < high):
        mid = low + (high - low) // 2  # (low + high would overflow int64 for float64)
        logs = np.log10(mid.astype(bits).view(real).astype(np.float64))
        yes = np.append(logs[:-1] >= HIST_EDGES[:-1], logs[-1] > HIST_EDGES[-1])
        high = np.where(yes, mid, high)
        low = np.where(yes, low, mid + 1)
    return high.astype(bits).view(real)


_TABLES: dict = {}  # (dtype, device) -> the packed table of _table_of

# The histogram's slots in the order of the bit patterns they hold: zero, below the grid, its
# bins, above it, non-finite (inf and NaN). A cell that holds a bound of the grid splits
# between two slots in a row, so a value's slot is its cell's upper slot, less one below the
# bound: no choice between two lookups.
_ZERO, _BELOW, _ABOVE, _NONFINITE = 0, 1, _BINS + 2, _BINS + 3


def _table_of(dtype: torch.dtype) -> np.ndarray:
    """For each cell of the dtype's bit patterns (see _PATTERNS), packed into one integer of
    the dtype's size: where in the cell its bound lies (0 if it holds none) above 7 bits of
    the slot of the values at or past it (the slot of the cell's values, if it holds none);
    values before the bound take the slot before."""
    real, ints, _, shift = _PATTERNS[dtype]
    bound_bits = _bounds_of(dtype).view(ints).astype(np.int64)
    cells = 1 << (8 * np.dtype(real).itemsize - 1 - shift)
    first = np.arange(cells, dtype=np.int64) << shift
    last = first + ((1 << shift) - 1)
    below = np.searchsorted(bound_bits, first, side="right")  # bounds reached: 0 to 97
    above = np.searchsorted(bound_bits, last, side="right")
    assert np.all(above - below <= 1), "a cell holds two bounds of the grid"
    assert above[0] == 0, "the first cell, of zero, holds a bound of the grid"
    offset = np.where(above > below, bound_bits[np.minimum(below, _BINS)] - first, 0)
    top = _BELOW + above  # bounds reached -> slot: none is below, one is bin 0, all is above
    offset[0] = 1  # +0.0 is the first pattern of cell 0, the rest are below the grid
    infinite = int(np.array(np.inf, real).view(ints)) >> shift
    top[infinite:], offset[infinite:] = _NONFINITE, 0  # inf and NaN, from a cell's start
    # The slot fits in 7 bits; the offset in a cell in `shift` bits (an int32 for float32).
    return ((offset << 7) | top).astype(ints)


def _histogram(t: torch.Tensor) -> torch.Tensor:
    """`gradbook.trace.log_histogram` in torch, on t's device: the counts of log10|t| in its
    slots (_ZERO, _BELOW, the 96 bins on HIST_EDGES, _ABOVE, _NONFINITE; int64, length 100),
    which _to_histogram reads.

    Without a log: each |value|'s bit pattern is looked up in a table of the bounds of the
    grid's bins (_table_of, from _bounds_of: numpy's float64 log10, as the simulator takes it),
    so every count is the simulator's. A few whole-tensor integer operations, in place where
    they can be, and a count: on a 256 x 256 gradient 1.5x as fast as choosing between two
    looked-up slots by a comparison, which was 16x as fast as taking float64 logs (measured)."""
    x = t.detach().reshape(-1)
    if x.dtype not in _PATTERNS:
        x = x.to(torch.float32)  # half precision, bfloat16: exactly
    key = (x.dtype, x.device)
    if key not in _TABLES:
        _TABLES[key] = torch.from_numpy(_table_of(x.dtype)).to(x.device)
    _, _, ints, shift = _PATTERNS[x.dtype]
    bits = x.abs().view(ints)
    packed = _TABLES[key].index_select(0, bits >> shift)  # (5x as fast as indexing with [])
    # before = -1 where the value lies before its cell's bound, else 0: the sign of the
    # difference, shifted down (integer operations in place: a comparison makes a bool tensor
    # and adding it costs twice as much, measured).
    before = bits & ((1 << shift) - 1)
    before -= packed >> 7
    before >>= 8 * before.element_size() - 1
    slot = packed.bitwise_and_(127).add_(before)
    return torch.bincount(slot, minlength=_NONFINITE + 1)


def _to_histogram(counts: list[int]) -> Histogram:
    bins = np.array(counts[_BELOW + 1 : _ABOVE], dtype=np.int64)
    return Histogram(bins, counts[_BELOW], counts[_ABOVE], counts[_ZERO], counts[_NONFINITE])


def _fetch(values: list) -> list:
    """The values (tensors, or numbers already read) as Python numbers, in order: one copy to
    the host per device."""
    out: list = [v if not isinstance(v, torch.Tensor) else None for v in values]
    by_device = defaultdict(list)
    for i, v in enumerate(values):
        if isinstance(v, torch.Tensor):
            by_device[v.device].append(i)
    for indices in by_device.values():
        stacked = torch.stack([values[i] for i in indices]).cpu().tolist()
        for i, v in zip(indices, stacked, strict=True):
            out[i] = v
    return out


def _finite(t: torch.Tensor) -> bool:
    """Whether every entry of t is finite. Its sum is finite when they are, unless they are so
    large that the sum overflows (then each is checked): one pass with no tensor made, where
    torch.isfinite makes one and takes 20 times as long right after a forward pass (measured,
    a 50-layer MLP's output: most of a recorder's cost between records)."""
    t = t.detach()
    return math.isfinite(float(t.sum())) or bool(torch.isfinite(t).all())


def _removed(handles: list) -> list:
    """Remove each hook of `handles`; the empty list that is left."""
    for handle in handles:
        handle.remove()
    return []


def _hypot(values: list[float]) -> float | None:
    """The norm of several parts' norms taken together (None if there are none), which is the
    norm of all their entries as one vector; math.hypot neither overflows nor underflows."""
    return math.hypot(*values) if values else None


def _units(module: nn.Module, output: torch.Tensor | None) -> int:
    """A layer's output features: what its class says, else the output's feature dimension."""
    for attr in ("out_features", "out_channels", "embedding_dim", "num_features", "embed_dim"):
        value = getattr(module, attr, None)
        if isinstance(value, int):
            return value
    if isinstance(module, nn.RNNBase):
        return module.hidden_size * (2 if module.bidirectional else 1)
    shape = getattr(module, "normalized_shape", None)
    if shape is not None:
        return math.prod(shape)
    if output is None or output.ndim == 0:
        return 0
    return int(output.shape[-1] if output.ndim <= 2 else output.shape[1])  # (N, C, ...) images


def _weights(module: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """A layer's weights: its own parameters except its biases (named "bias"..., or 1-D beside
    a matrix or kernel), or all its own parameters when that leaves none."""
    own = list(module.named_parameters(recurse=False))
    has_matrix = any(p.ndim >= 2 for _, p in own)
    weights = [(n, p) for n, p in own if "bias" not in n and (p.ndim >= 2 or not has_matrix)]
    return weights or own


class _Layer:
    """What the recorder knows about one layer, and the step's measurements in progress."""

    def __init__(self, index: int, name: str, module: nn.Module, output):
        self.index, self.name, self.module = index, name, module
        self.weights = _weights(module)
        # Where its norms are taken, step after step: its output's gradient, its update.
        self.out_scale, self.update_scale = _Scale(), _Scale()
        self.on_grad = None  # the hook its output's gradients go to (set by the recorder)
        self.weight_ids = {id(p) for _, p in self.weights}
        # The kind of graph node (and its output nr) that computes each of its outputs, when
        # that node takes one of its weights: where to find them in the graph (_learn_where).
        self.kinds: tuple | None = None
        first = next(iter(_tensors(output)), None) if output is not None else None
        self.info = LayerInfo(
            name=name,
            type=type(module).__name__,
            units=_units(module, first),
            params=sum(p.numel() for p in module.parameters(recurse=False)),
            weights=tuple(n for n, _ in self.weights),
            calls=1,
        )


class Recorder:
    """Records a training run through hooks; made by `watch`. Use it as a context manager, or
    call `close()`, to remove every hook."""

    def __init__(self, model: nn.Module, optimizer=None, *, every: int = 1):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"optimizer must be a torch.optim.Optimizer or None, got {type(optimizer).__name__}"
            )
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number of steps, 1 or more, got {every!r}")
        self.model, self.optimizer, self.every = model, optimizer, every
        versions = {"name": "gradbook.torch", "gradbook": __version__, "torch": torch.__version__}
        versions["python"] = platform.python_version()
        self.run = RecordedRun(
            every=every,
            has_update_ratios=optimizer is not None,
            model=type(model).__name__,
            optimizer=None if optimizer is None else type(optimizer).__name__,
            recorder=versions,
        )
        self._layers: dict[nn.Module, _Layer] = {}  # in the order the forward pass reached them
        self._handles: list = []
        self._step = 0  # the training step in progress (steps recorded so far count from 0)
        self._armed = True  # whether this step is being measured
        self._hist_stride = 1  # histograms at recorded steps whose index is a multiple of it
        self._recorded = 0  # how many steps have been recorded
        self._nonfinite_histograms: int | None = None  # the step whose histograms always stay
        self._closed = False
        self._reset()
        # A module reachable by two paths is one layer, under the first path.
        self._names: dict[nn.Module, str] = {}
        for path, module in model.named_modules():
            if next(module.parameters(recurse=False), None) is not None:
                self._names[module] = path or type(model).__name__
        # The layers' own hooks are in place for the measured steps only: between them PyTorch's
        # dispatch of a module's hooks alone costs most of a percent of a 50-layer MLP's step
        # (measured), so only the model's output is watched there (_on_model_output).
        self._layer_handles: list = []
        self._handles.append(model.register_forward_hook(self._on_model_output))
        # The weights' gradient hooks are put in place for the measured steps only (by the first
        # forward pass that needs them) and taken away by step(): between measured steps they
        # would cost a call per weight per backward pass for nothing.
        weights = {id(p): p for _, m in model.named_modules() for _, p in _weights(m)}
        self._weight_params = [p for p in weights.values() if p.requires_grad]  # tied: once
        self._grad_handles: list = []
        self._model_scale = _Scale()
        self._scratch: dict = {}  # see _scaled_norm
        # id(weight) -> a buffer its copy before the optimizer's step is taken into (_copy_of):
        # as much memory as the weights, held while recording (a recorded step needs it anyway).
        self._copy_pool: dict[int, torch.Tensor] = {}
        self._scales: dict[int, tuple[_Scale, _Scale]] = {}  # id(weight) -> its gradient's, its own
        # The optimizer's hooks too are in place for the measured steps only (measured: a few
        # tenths of a percent of a step between records, for nothing).
        self._optimizer_handles: list = []
        self._arm()  # step 0 is measured

    # -- per-step scratch: every tensor in here is dropped by step() -----------------------------

    def _reset(self) -> None:
        self._out_norms: dict[_Layer, list] = defaultdict(list)  # per call and output tensor
        self._calls: dict[_Layer, int] = defaultdict(int)
        self._model_norms: list = []
        self._grad_norms: dict[int, torch.Tensor] = {}  # id(param) -> |dL/dW|
        self._dh_hists: dict[_Layer, list] = defaultdict(list)
        self._dw_hists: dict[int, torch.Tensor] = {}
        self._before: dict[_Layer, tuple] = {}  # its weights, a copy of them, their spread
        self._copies: dict[int, tuple] = {}  # id(weight) -> its version, a copy, their spread
        self._ratios: dict[_Layer, tuple] = {}  # (std of the update, std of W before)
        self._histogram_step = self._armed and self._recorded % self._hist_stride == 0

    @property
    def layers(self) -> list[str]:
        """The layers' names, in the order the forward pass first reached them."""
        return [layer.name for layer in self._layers.values()]

    @property
    def hook_count(self) -> int:
        """How many hooks the recorder has in place (0 once closed)."""
        hooks = self._handles, self._layer_handles, self._optimizer_handles, self._grad_handles
        return sum(len(h) for h in hooks)

    # -- hooks ---------------------------------------------------------------------------------

    def _layer(self, module: nn.Module, output) -> _Layer:
        layer = self._layers.get(module)
        if layer is None:
            index, name = len(self._layers), self._names[module]
            layer = self._layers[module] = _Layer(index, name, module, output)
            layer.on_grad = self._on_output_grad(layer)
            self.run.add_layer(layer.info)
        return layer

    def _arm(self) -> None:
        """Put in place the hooks a measured step needs from its forward pass on: the layers'
        and the optimizer's (the weights' follow with the first output hooked)."""
        if not self._layer_handles:
            self._layer_handles = [m.register_forward_hook(self._on_forward) for m in self._names]
        self._hook_optimizer()

    def _hook_optimizer(self) -> None:
        if self.optimizer is not None and not self._optimizer_handles:
            self._optimizer_handles = [
                self.optimizer.register_step_pre_hook(self._before_update),
                self.optimizer.register_step_post_hook(self._after_update),
            ]

    def _disarm(self) -> None:
        """Take away every hook but the model output's: between measured steps they would cost
        PyTorch's dispatch of them, for nothing."""
        self._layer_handles = _removed(self._layer_handles)
        self._optimizer_handles = _removed(self._optimizer_handles)
        self._grad_handles = _removed(self._grad_handles)

    def _on_forward(self, module: nn.Module, inputs, output) -> None:
        layer = self._layer(module, output)
        if not torch.is_grad_enabled() or not self._armed:
            return
        self._watch_sites(layer, _sites(output))
        if self.every > 1:  # (recording every step, no step is ever measured unforeseen)
            self._learn_where(layer, output)

    def _learn_where(self, layer: _Layer, output) -> None:
        """Note the kind of graph node that computes each of the layer's outputs, if that node
        takes one of the layer's own weights: then, at a step found to need measuring only after
        its forward pass (_on_model_output), the layer's outputs can be found in the graph from
        its weights. A layer whose output comes from another kind of node (a custom module
        ending in an activation) is not found there, and is not measured at such a step."""
        kinds = []
        for t in _tensors(output):
            site = _computing_site(t)
            if site is None or not (_leaves_taken(site[0]) & layer.weight_ids):
                layer.kinds = None
                return
            kinds.append((site[0].name(), site[1]))
        if kinds:
            layer.kinds = tuple(kinds)

    def _watch_weights(self) -> None:
        if not self._grad_handles:
            self._grad_handles = [
                p.register_post_accumulate_grad_hook(self._on_grad) for p in self._weight_params
            ]

    def _watch_sites(self, layer: _Layer, sites: list) -> None:
        """Measure the gradients of a layer's output at this step, arriving at `sites`."""
        if not sites:
            return
        self._watch_weights()
        self._calls[layer] += 1
        _hook_sites(sites, layer.on_grad)

    def _on_output_grad(self, layer: _Layer):
        def hook(grad):
            self._out_norms[layer].append(_norm(grad, layer.out_scale, self._scratch))
            if self._histogram_step:
                self._dh_hists[layer].append(_histogram(grad))

        return hook

    def _on_model_output(self, module, inputs, output) -> None:
        tensors = _tensors(output) if torch.is_grad_enabled() else []
        if not tensors:
            return
        if self.run.first_nonfinite_step is None and not all(_finite(t) for t in tensors):
            # The output overflowed for the first time: this step is measured, between recorded
            # ones too, and keeps its histograms.
            self._histogram_step = True
            if not self._armed:
                self._armed = True
                self._hook_optimizer()
                self._watch_found(tensors)
        if self._armed:
            self._watch_weights()
            _hook_sites(_sites(output), self._on_model_grad)

    def _watch_found(self, outputs: list[torch.Tensor]) -> None:
        """Measure, at a step whose forward pass ran without the layers' hooks, each layer whose
        outputs can be found in the graph (_learn_where): walk it from the model's outputs, and
        hook every node of a layer's kind that takes one of its weights (one per call)."""
        owners: dict[int, list[_Layer]] = defaultdict(list)
        for layer in self._layers.values():
            for i in layer.weight_ids:
                owners[i].append(layer)
        seen: set = set()
        stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(below for below, _ in node.next_functions if below is not None)
            taken = {layer for i in _leaves_taken(node) for layer in owners.get(i, ())}
            for layer in taken:
                nrs = [nr for kind, nr in layer.kinds or () if kind == node.name()]
                # A weight shared by two layers leaves the node's owner unknown: not measured.
                if nrs and all(len(owners[i]) == 1 for i in layer.weight_ids):
                    self._watch_sites(layer, [(node, nr) for nr in nrs])

    def _on_model_grad(self, grad) -> None:
        self._model_norms.append(_norm(grad, self._model_scale, self._scratch))

    def _on_grad(self, param: torch.Tensor) -> None:
        # Called once per backward when the parameter's .grad has been accumulated; with several
        # backward passes in a step the last call holds the sum, which is what the step uses.
        if self._armed and param.grad is not None:
            grad_scale, spread_scale = self._param_scales(param)
            self._grad_norms[id(param)] = _norm(param.grad, grad_scale, self._scratch)
            if self._histogram_step:
                self._dw_hists[id(param)] = _histogram(param.grad)
            if self.optimizer is not None:
                # The copy for the update ratio, taken now while backward has just read the
                # weight (it is in the cache) rather than at the optimizer's step, when it has
                # long been evicted by the other layers'. Its version tells that step whether
                # the weight was changed in between (then it is copied again).
                copy = self._copy_of(param)
                spread = _std(copy, spread_scale, self._scratch)
                self._copies[id(param)] = (param._version, copy, spread)

    def _copy_of(self, param: torch.Tensor) -> torch.Tensor:
        """A flat copy of the weight, into its buffer in the pool. A fresh tensor at each step
        would be new memory every time, each page of it faulted in, and would leave the
        allocator less to reuse for the step's own gradients: measured on a 50-layer MLP, the
        copies cost 5x as much and the step's own matrix products slowed by a quarter."""
        flat = param.detach().reshape(-1)
        buffer = self._copy_pool.get(id(param))
        if buffer is None or buffer.dtype != flat.dtype or buffer.shape != flat.shape:
            buffer = self._copy_pool[id(param)] = torch.empty_like(flat)
        return buffer.copy_(flat)

    def _param_scales(self, param) -> tuple[_Scale, _Scale]:
        scales = self._scales.get(id(param))
        if scales is None:
            scales = self._scales[id(param)] = (_Scale(), _Scale())
        return scales

    def _optimized(self) -> set[int]:
        return {id(p) for group in self.optimizer.param_groups for p in group["params"]}

    def _before_update(self, optimizer, args, kwargs) -> None:
        if not self._armed:
            return
        held = self._optimized()
        copies, self._copies = self._copies, {}
        for layer in self._layers.values():
            params = [p for _, p in layer.weights if id(p) in held]
            if not params:
                continue
            # Each copy serves once: a weight shared by two layers gets a second copy below,
            # since the first becomes its layer's update in place.
            copy = copies.pop(id(params[0]), None) if len(params) == 1 else None
            if copy is not None and copy[0] == params[0]._version:
                self._before[layer] = (params, copy[1], copy[2])
                continue
            flat = [p.detach().reshape(-1) for p in params]
            before = flat[0].clone() if len(flat) == 1 else torch.cat(flat)
            # Its spread now, while the copy is fresh in the cache: the step's weights are
            # read from memory twice in all (once here, once after the update).
            self._before[layer] = (params, before, _std(before, None, self._scratch))

    def _after_update(self, optimizer, args, kwargs) -> None:
        if not self._armed:
            return
        # Last layer first: the optimizer has just updated the weights in order, so the last
        # ones are the likeliest to be still in the cache.
        for layer, (params, before, spread) in reversed(self._before.items()):
            flat = [p.detach().reshape(-1) for p in params]
            after = flat[0] if len(flat) == 1 else torch.cat(flat)
            update = torch.sub(after, before, out=before)  # the copy becomes the update
            self._ratios[layer] = (_std(update, layer.update_scale, self._scratch), spread)
        self._before = {}

    # -- the record --------------------------------------------------------------------------

    def step(self, loss) -> None:
        """Record the training step just taken (call it after `optimizer.step()`); `loss` is
        the step's loss, a one-element tensor or a number."""
        if self._closed:
            raise RuntimeError("this recorder is closed: watch the model again to record more")
        value = _loss_value(loss)
        step = self._step
        if not self._armed and not math.isfinite(value) and self.run.first_nonfinite_step is None:
            # The loss overflowed although the output did not: too late to measure the layers.
            self.run.append(step, value, None, [], [], [])
            self.run.first_nonfinite_step = step
        elif self._armed:
            self._record(step, value)
        measured = self._armed
        self._step += 1
        self._armed = self._step % self.every == 0
        if self._armed:
            self._arm()
        else:
            self._disarm()
        if measured or self._armed:  # (between records there is nothing to clear)
            self._reset()

    def _record(self, step: int, loss: float) -> None:
        layers = list(self._layers.values())
        # Every scalar of the step in one list, copied to the host in one go.
        scalars: list[torch.Tensor] = []
        spans: dict = {}

        def put(key, tensors) -> None:
            spans[key] = (len(scalars), len(tensors))
            scalars.extend(tensors)

        put("model", self._model_norms)
        for layer in layers:
            put(("out", layer), self._out_norms.get(layer, []))
            norms = [self._grad_norms.get(id(p)) for _, p in layer.weights]
            put(("dw", layer), [n for n in norms if n is not None])
            put(("ratio", layer), list(self._ratios.get(layer, ())))
        values = _fetch(scalars) if scalars else []

        def get(key) -> list[float]:
            start, n = spans[key]
            return values[start : start + n]

        model_norm = _hypot(get("model"))
        grad = [_hypot(get(("out", layer))) for layer in layers]
        weight = [_hypot(get(("dw", layer))) for layer in layers]
        ratio = []
        for layer in layers:
            pair = get(("ratio", layer))
            # A weight whose entries are all equal (a norm layer's scale, all 1 at the start) has
            # no spread to compare the update with: no ratio, rather than an "inf" that would
            # read as an overflow.
            # (Python's own division: inf / inf is nan, and a quotient too large is inf.)
            ratio.append(pair[0] / pair[1] if pair and pair[1] != 0 else None)
        for layer in layers:
            calls = self._calls.get(layer, 0)
            if calls > layer.info.calls:
                layer.info = replace(layer.info, calls=calls)
                self.run.update_layer(layer.index, layer.info)
        self.run.append(step, loss, model_norm, grad, weight, ratio)
        finite = all(v is None or math.isfinite(v) for v in [loss, model_norm, *grad, *weight])
        first = not finite and self.run.first_nonfinite_step is None
        if first:
            self.run.first_nonfinite_step = step
        if self._histogram_step:
            self._keep_histograms(step, layers, first)
        self._recorded += 1

    def _keep_histograms(self, step: int, layers: list[_Layer], first: bool):
        dh_parts = [self._dh_hists.get(layer, []) for layer in layers]
        dw_parts = [
            [self._dw_hists[id(p)] for _, p in layer.weights if id(p) in self._dw_hists]
            for layer in layers
        ]
        flat = [t for parts in dh_parts + dw_parts for t in parts]
        counts = iter(_fetch(flat)) if flat else iter(())

        def combined(parts) -> Histogram | None:
            if not parts:
                return None
            total = np.sum([next(counts) for _ in parts], axis=0)
            return _to_histogram(total.tolist())

        dh = tuple(combined(parts) for parts in dh_parts)
        dw = tuple(combined(parts) for parts in dw_parts)
        self.run.histograms[step] = (dh, dw)
        if first:
            self._nonfinite_histograms = step
        kept = [s for s in sorted(self.run.histograms) if s != self._nonfinite_histograms]
        if len(kept) > MAX_HISTOGRAM_STEPS:
            # Keep every other one (the first included) and space the next ones twice as far.
            for s in kept[1::2]:
                del self.run.histograms[s]
            self._hist_stride *= 2

    def save(self, path):
        """Write the run so far to `path` (see `gradbook.runfile`); returns the path."""
        return self.run.save(path)

    def table(self) -> str:
        """The last recorded step, layer by layer, as `Trace.table()` prints a simulated pass."""
        return self.run.last.table()

    def close(self) -> None:
        """Remove every hook; the record stays readable and savable."""
        self._handles = _removed(self._handles)
        self._disarm()
        self._closed = True
        self._copy_pool, self._scratch = {}, {}
        self._reset()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.hook_count} hooks"
        return f"Recorder({len(self._layers)} layers, {len(self.run)} steps recorded, {state})"


def _loss_value(loss) -> float:
    if isinstance(loss, torch.Tensor):
        if loss.numel() != 1:
            raise ValueError(
                "loss must be one number (a reduced loss), got a tensor of shape "
                f"{tuple(loss.shape)}"
            )
        return float(loss.detach())  # (exactly: any float's value is a Python float's)
    if isinstance(loss, bool) or not isinstance(loss, (int, float, np.floating, np.integer)):
        raise TypeError(f"loss must be a one-element tensor or a number, got {type(loss).__name__}")
    return float(loss)
