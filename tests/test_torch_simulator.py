"""gradbook.torch against the simulator: the book's `sigmoid-vanishing` network, rebuilt in
PyTorch (float64) with gradbook's own weights and batches, gives the simulator's per-layer
numbers within 1e-9, for one pass and over training steps (update ratios included).

How the two line up. The simulator's layers are its 12 hidden layers, each h_l = sigmoid(h W_l +
b_l), and its Trace measures dL/dh_l, the gradient at the hidden layer's output, after the
activation; the read-out (h W_out + b_out) is not a layer there, and the trace's
output_grad_norm is |dL/d(its output)|, where the backward pass starts. In PyTorch a
`Linear` + `Sigmoid` pair would put the gradient at the Linear's output, before the activation,
which is another number (the activation's slope times dL/dh). So the rebuild makes each hidden
layer one module holding its own W and b and returning sigmoid(h W + b): the recorder's layers
1-12 are then the simulator's hidden layers 1-12 exactly, and its layer 13 is the read-out,
whose output is the model's output: its gradient is the simulator's output_grad_norm, its
factor and product are 1, and its |dL/dW| is the simulator's |dL/dW_out|.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import torch_required
from gradbook import data, random, scenarios, train
from gradbook.trace import norm

torch = torch_required.torch()
from torch import nn  # noqa: E402

import gradbook.torch  # noqa: E402

RTOL = 1e-9
SCENARIO = scenarios.get("sigmoid-vanishing")


class Dense(nn.Module):
    """One layer as gradbook computes it: f(h W + b), with W stored (inputs, outputs)."""

    def __init__(self, W: np.ndarray, b: np.ndarray, f):
        super().__init__()
        self.W = nn.Parameter(torch.tensor(W, dtype=torch.float64))
        self.b = nn.Parameter(torch.tensor(b, dtype=torch.float64))
        self.f = f

    def forward(self, h):
        return self.f(h @ self.W + self.b)


def rebuild(net) -> nn.Sequential:
    """The simulator's network in PyTorch, with its weights."""
    assert net.config.activation == "sigmoid" and not net.config.batchnorm
    assert not net.config.residual and net.config.loss == "cross_entropy"
    p = net.params
    hidden = [Dense(p[f"W{l}"], p[f"b{l}"], torch.sigmoid) for l in range(1, net.config.depth + 1)]
    return nn.Sequential(*hidden, Dense(p["W_out"], p["b_out"], lambda z: z))


def test_one_pass_gives_the_simulators_numbers():
    net = SCENARIO.build()
    trace = net.trace()  # the scenario's step 0: seed 0, its first batch of 64
    x, y = data.task_batch("mlp", net.config, 64, random.Generator(0))
    model = rebuild(net)
    with gradbook.torch.watch(model) as rec:
        loss = nn.functional.cross_entropy(model(torch.tensor(x)), torch.tensor(y))
        loss.backward()
        rec.step(loss)
    step = rec.run.last
    depth = len(trace)
    assert len(step) == depth + 1  # the hidden layers, then the read-out
    assert step.loss == pytest.approx(trace.loss, rel=RTOL)
    assert step.output_grad_norm == pytest.approx(trace.output_grad_norm, rel=RTOL)
    for got, expected in [
        (step.grad_norms[:depth], trace.grad_norms),
        (step.factors[:depth], trace.factors),
        (step.products[:depth], trace.products),
        (step.weight_grad_norms[:depth], trace.weight_grad_norms),
    ]:
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)
    readout = step.layers[depth]
    assert readout.grad_norm == pytest.approx(trace.output_grad_norm, rel=RTOL)
    assert (readout.factor, readout.product) == (1.0, 1.0)
    assert readout.weight_grad_norm == pytest.approx(norm(trace.grads["W_out"]), rel=RTOL)
    # The network does vanish: layer 1 gets a tiny share of the output's gradient.
    assert step.products[0] < 1e-4


def test_training_steps_give_the_simulators_numbers_and_update_ratios():
    # gradbook.train's SGD with momentum (v = momentum v + g; W -= lr v) is PyTorch's SGD with
    # momentum and no dampening, and both draw the scenario's seeded batches in turn.
    steps = 5
    config = replace(SCENARIO.training, steps=steps)
    run = train(SCENARIO.build(), config, seed=SCENARIO.seed)
    net = SCENARIO.build()
    model = rebuild(net)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    rng = random.Generator(SCENARIO.seed)
    with gradbook.torch.watch(model, opt) as rec:
        for _ in range(steps):
            x, y = data.task_batch("mlp", net.config, config.batch_size, rng)
            loss = nn.functional.cross_entropy(model(torch.tensor(x)), torch.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec.step(loss)
    depth = net.config.depth
    weights = [f"W{l}" for l in range(1, depth + 1)]
    np.testing.assert_allclose(rec.run.losses, run.losses, rtol=RTOL)
    np.testing.assert_allclose(rec.run.grad_norms[:, :depth], run.grad_norms, rtol=RTOL)
    sim_dw = np.array([s.weight_grad_norms for s in run.steps])
    np.testing.assert_allclose(rec.run.weight_grad_norms[:, :depth], sim_dw, rtol=RTOL)
    # The update ratio, std(update) / std(W before), per weight matrix. The simulator takes the
    # update it computed (-lr v); the recorder the one the weights show, W after - W before,
    # which float64 resolves only to about eps |W|: the early layers' updates are 1e-13 of
    # their weights, so their ratios agree to that absolute resolution, the rest to 1e-9.
    sim_ratios = np.array([[s.update_ratios[w] for w in weights] for s in run.steps])
    resolution = 4 * np.finfo(np.float64).eps
    np.testing.assert_allclose(rec.run.ratios[:, :depth], sim_ratios, rtol=RTOL, atol=resolution)
    assert np.all(sim_ratios[:, -3:] > 1e3 * resolution)  # so the top layers meet rtol alone
