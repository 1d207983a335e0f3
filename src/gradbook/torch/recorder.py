"""The Recorder: its hooks, what they measure at a recorded step, and the record (see the
package's docstring, `help(gradbook.torch)`)."""

from __future__ import annotations

import math
import platform
from collections import defaultdict
from dataclasses import replace

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..runfile import LayerInfo, RecordedRun
from ..trace import Histogram
from . import graph, histograms, norms
from .updates import Updates

# Steps with histograms: at most this many spread over the run, however long (plus the first
# non-finite step). When the quota fills, every other one is dropped and the spacing doubles.
MAX_HISTOGRAM_STEPS = 12


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
        self.out_scale, self.update_scale = norms.Scale(), norms.Scale()
        self.on_grad = None  # the hook its output's gradients go to (set by the recorder)
        self.weight_ids = {id(p) for _, p in self.weights}
        # The kind of graph node (and its output nr) that computes each of its outputs, when
        # that node takes one of its weights: where to find them in the graph (_learn_where).
        self.kinds: tuple | None = None
        first = next(iter(graph.tensors(output)), None) if output is not None else None
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
        self._model_scale = norms.Scale()
        self._grad_scales: dict[int, norms.Scale] = {}  # id(weight) -> where |dL/dW| is taken
        self._scratch: dict = {}  # a buffer per dtype for norms.norm to scale entries into
        # With an optimizer, the update ratios (their copies of the weights, and their buffers).
        self._updates = None if optimizer is None else Updates(optimizer, self._scratch)
        self._reset()
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
        if self._updates is not None:
            self._updates.clear()
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
        self._watch_sites(layer, graph.sites(output))
        if self.every > 1:  # (recording every step, no step is ever measured unforeseen)
            self._learn_where(layer, output)

    def _learn_where(self, layer: _Layer, output) -> None:
        """Note the kind of graph node that computes each of the layer's outputs, if that node
        takes one of the layer's own weights: then, at a step found to need measuring only after
        its forward pass (_on_model_output), the layer's outputs can be found in the graph from
        its weights. A layer whose output comes from another kind of node (a custom module
        ending in an activation) is not found there, and is not measured at such a step."""
        kinds = []
        for t in graph.tensors(output):
            site = graph.computing_site(t)
            if site is None or not (graph.leaves_taken(site[0]) & layer.weight_ids):
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
        graph.hook_sites(sites, layer.on_grad)

    def _on_output_grad(self, layer: _Layer):
        def hook(grad):
            self._out_norms[layer].append(norms.norm(grad, layer.out_scale, self._scratch))
            if self._histogram_step:
                self._dh_hists[layer].append(histograms.histogram(grad))

        return hook

    def _on_model_output(self, module, inputs, output) -> None:
        tensors = graph.tensors(output) if torch.is_grad_enabled() else []
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
            graph.hook_sites(graph.sites(output), self._on_model_grad)

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
            taken = {layer for i in graph.leaves_taken(node) for layer in owners.get(i, ())}
            for layer in taken:
                nrs = [nr for kind, nr in layer.kinds or () if kind == node.name()]
                # A weight shared by two layers leaves the node's owner unknown: not measured.
                if nrs and all(len(owners[i]) == 1 for i in layer.weight_ids):
                    self._watch_sites(layer, [(node, nr) for nr in nrs])

    def _on_model_grad(self, grad) -> None:
        self._model_norms.append(norms.norm(grad, self._model_scale, self._scratch))

    def _on_grad(self, param: torch.Tensor) -> None:
        # Called once per backward when the parameter's .grad has been accumulated; with several
        # backward passes in a step the last call holds the sum, which is what the step uses.
        if self._armed and param.grad is not None:
            scale = self._grad_scales.get(id(param))
            if scale is None:
                scale = self._grad_scales[id(param)] = norms.Scale()
            self._grad_norms[id(param)] = norms.norm(param.grad, scale, self._scratch)
            if self._histogram_step:
                self._dw_hists[id(param)] = histograms.histogram(param.grad)
            if self._updates is not None:
                self._updates.copy(param)

    def _before_update(self, optimizer, args, kwargs) -> None:
        if self._armed:
            self._updates.before_step(self._layers.values())

    def _after_update(self, optimizer, args, kwargs) -> None:
        if self._armed:
            self._updates.after_step()

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
        ratios = {} if self._updates is None else self._updates.ratios
        for layer in layers:
            put(("out", layer), self._out_norms.get(layer, []))
            dw = [self._grad_norms.get(id(p)) for _, p in layer.weights]
            put(("dw", layer), [n for n in dw if n is not None])
            put(("ratio", layer), list(ratios.get(layer, ())))
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
            return histograms.to_histogram(total.tolist())

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
        if self._updates is not None:
            self._updates.close()
        self._scratch.clear()
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
