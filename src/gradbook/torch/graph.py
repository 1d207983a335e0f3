"""The autograd graph, as the recorder reads it: where a module's output gradients arrive, which
weights a graph node takes, and hooks on the graph's nodes."""

from __future__ import annotations

import torch


def tensors(value) -> list[torch.Tensor]:
    """The floating-point tensors that need a gradient in a module's output (a tensor, or
    tuples, lists and dicts of them, as an LSTM or a model returning a dict gives)."""
    if isinstance(value, torch.Tensor):
        return [value] if value.requires_grad and value.is_floating_point() else []
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in tensors(v)]
    return []


def sites(value) -> list:
    """Where the gradients of a module's output tensors will arrive: for each, the graph node
    that made it and which of that node's outputs it is (the tensor itself if it is a leaf),
    hooked there by hook_sites."""
    return [(t.grad_fn, t.output_nr) if t.grad_fn is not None else t for t in tensors(value)]


# Graph nodes that only rearrange a tensor's entries (a view, a transpose): the gradient through
# one has the same entries, so the same norm and histogram, as the gradient it passes on.
_REARRANGING = frozenset(
    {"ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0", "AliasBackward0",
     "TBackward0", "TransposeBackward0", "TransposeBackward1", "PermuteBackward0"}
)  # fmt: skip


def leaves_taken(node, depth: int = 2) -> set[int]:
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
            ids |= leaves_taken(below, depth - 1)
    return ids


def computing_site(t: torch.Tensor) -> tuple | None:
    """The (node, output nr) that computed t, past any views taken of it afterwards (a Linear
    on a (batch, tokens, features) input reshapes its matrix product's result), or None."""
    node, nr = t.grad_fn, t.output_nr
    while node is not None and node.name() in _REARRANGING:
        node, nr = node.next_functions[0]
    return None if node is None else (node, nr)


def hook_sites(sites: list, hook) -> None:
    """Pass the gradient arriving at each of `sites` (see sites) to `hook`: a pre-hook on the
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
