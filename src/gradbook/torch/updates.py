"""The exact update-to-data ratio of each layer's weights at a measured step:
std(W after - W before) / std(W before), population std as `gradbook.train` takes it, from a
copy of the weights taken before the optimizer's step and compared after it.

The recorder hands each weight over as backward accumulates its gradient (`copy`), and calls
`before_step` and `after_step` from the optimizer's step hooks; `ratios` then holds the step's
(std of the update, std of W before) per layer, until `clear`.
"""

from __future__ import annotations

import torch

from . import norms


class Updates:
    """The copies and ratios of the measured step in progress, and the buffers they reuse."""

    def __init__(self, optimizer: torch.optim.Optimizer, scratch: dict):
        self.optimizer = optimizer
        self._scratch = scratch  # see norms.norm
        # id(weight) -> a buffer its copy is taken into (_copy_of): as much memory as the
        # weights, held while recording (a recorded step needs it anyway).
        self._pool: dict[int, torch.Tensor] = {}
        self._spread_scales: dict[int, norms.Scale] = {}  # id(weight) -> where its std is taken
        self.clear()

    def clear(self) -> None:
        """Forget the step's copies and ratios (every tensor of the step but the pool)."""
        self._copies: dict[int, tuple] = {}  # id(weight) -> its version, a copy, their spread
        self._before: dict = {}  # layer -> its weights, a copy of them, their spread
        self.ratios: dict = {}  # layer -> (std of the update, std of W before)

    def close(self) -> None:
        """Let the buffers go too."""
        self._pool = {}
        self.clear()

    def copy(self, param: torch.Tensor) -> None:
        """Copy a weight whose gradient backward has just accumulated. Taken now, while backward
        has just read the weight (it is in the cache), rather than at the optimizer's step, when
        it has long been evicted by the other layers'. Its version tells that step whether the
        weight was changed in between (then it is copied again)."""
        scale = self._spread_scales.get(id(param))
        if scale is None:
            scale = self._spread_scales[id(param)] = norms.Scale()
        copy = self._copy_of(param)
        self._copies[id(param)] = (param._version, copy, norms.std(copy, scale, self._scratch))

    def _copy_of(self, param: torch.Tensor) -> torch.Tensor:
        """A flat copy of the weight, into its buffer in the pool. A fresh tensor at each step
        would be new memory every time, each page of it faulted in, and would leave the
        allocator less to reuse for the step's own gradients: measured on a 50-layer MLP, the
        copies cost 5x as much and the step's own matrix products slowed by a quarter."""
        flat = param.detach().reshape(-1)
        buffer = self._pool.get(id(param))
        if buffer is None or buffer.dtype != flat.dtype or buffer.shape != flat.shape:
            buffer = self._pool[id(param)] = torch.empty_like(flat)
        return buffer.copy_(flat)

    def before_step(self, layers) -> None:
        """Just before the optimizer's step: each layer's (its `weights` that the optimizer
        holds) copy before it, from backward's copies where the weight is unchanged since."""
        held = {id(p) for group in self.optimizer.param_groups for p in group["params"]}
        copies, self._copies = self._copies, {}
        for layer in layers:
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
            self._before[layer] = (params, before, norms.std(before, None, self._scratch))

    def after_step(self) -> None:
        """Just after the optimizer's step: each layer's update and its ratio's two stds (the
        update's taken where the layer's `update_scale` says)."""
        # Last layer first: the optimizer has just updated the weights in order, so the last
        # ones are the likeliest to be still in the cache.
        for layer, (params, before, spread) in reversed(self._before.items()):
            flat = [p.detach().reshape(-1) for p in params]
            after = flat[0] if len(flat) == 1 else torch.cat(flat)
            update = torch.sub(after, before, out=before)  # the copy becomes the update
            self.ratios[layer] = (norms.std(update, layer.update_scale, self._scratch), spread)
        self._before = {}
