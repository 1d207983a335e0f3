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
--torch` measures both). That work is per weight, a step's is mostly per example: with many
weights and small batches (where a recorded step can cost a fifth of a step or more), record
every 10 or 100 steps, or pass no optimizer (no update ratios, so no copies). Memory: the
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

The package: `recorder` (the Recorder: its hooks and the record), `updates` (the update
ratios, from copies of the weights), `norms` (norms and spreads in a tensor's own precision),
`histograms` (on the book's grid, by bit patterns) and `graph` (where gradients arrive in the
autograd graph).
"""

from __future__ import annotations

try:
    import torch
except ImportError as error:  # the optional extra is not installed
    raise ImportError(
        "gradbook.torch records a PyTorch training run, and PyTorch is not installed: "
        'pip install "gradbook[torch]"'
    ) from error
from torch import nn

from .recorder import MAX_HISTOGRAM_STEPS, Recorder

__all__ = ["MAX_HISTOGRAM_STEPS", "Recorder", "watch"]


def watch(model: nn.Module, optimizer: torch.optim.Optimizer | None = None, *, every: int = 1):
    """Start recording `model` (and the updates of `optimizer`, if given): see the module's
    docstring. Returns a Recorder; call its `step(loss)` once per training step."""
    return Recorder(model, optimizer, every=every)
