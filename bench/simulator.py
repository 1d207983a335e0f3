"""Simulator benchmarks: trace and training times, and a comparison with PyTorch autograd.

Run with `nox -s bench` (or `python bench/simulator.py`). Prints a markdown report and writes
it to bench/report/simulator.md. Times are the median of several repeats; these machines are
shared, so compare the ratios in one run rather than absolute times across runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from gradbook import MLP, losses, scenarios

# The chapters' scene scenarios, by chapter: what one chapter's build must simulate.
CHAPTERS = {
    "1": ["tanh-xavier"],
    "2": ["relu-xavier", "relu-he"],
    "3": ["sigmoid-vanishing", "tanh-xavier"],
    "4": ["exploding-init", "rnn-exploding"],
    "5": ["sigmoid-vanishing", "exploding-init"],
    "6": ["sigmoid-vanishing", "relu-he", "batchnorm", "residual", "rnn-exploding", "rnn-clipped"],
    "7": ["sigmoid-vanishing", "exploding-init", "relu-xavier", "relu-he", "batchnorm", "residual"],
}
DEPTH, WIDTH, BATCH = 50, 256, 256


def timed(fn, repeats: int = 7) -> float:
    """Median wall time of fn() in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def gradbook_pass(activation: str = "tanh"):
    net = MLP(depth=DEPTH, width=WIDTH, activation=activation, init="xavier", seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(BATCH, 2)), rng.integers(0, 2, size=BATCH)

    def forward_backward():
        out, cache = net.forward(x)
        _, dout = losses.cross_entropy(out, y)
        net.backward(cache, dout)

    return net, x, y, forward_backward


def torch_pass(net: MLP, x: np.ndarray, y: np.ndarray):
    """The same network, weights and batch in PyTorch (float64), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    ws = [torch.tensor(net.params[f"W{l}"], requires_grad=True) for l in range(1, DEPTH + 1)]
    bs = [torch.tensor(net.params[f"b{l}"], requires_grad=True) for l in range(1, DEPTH + 1)]
    w_out = torch.tensor(net.params["W_out"], requires_grad=True)
    b_out = torch.tensor(net.params["b_out"], requires_grad=True)
    tx, ty = torch.tensor(x), torch.tensor(y)

    def forward_backward():
        h = tx
        for w, b in zip(ws, bs, strict=True):
            h = torch.tanh(h @ w + b)
        loss = torch.nn.functional.cross_entropy(h @ w_out + b_out, ty)
        loss.backward()

    return forward_backward


def matmul_floor(net: MLP, x: np.ndarray):
    """Only the 3 matrix products per layer that any backprop needs (1 forward, 2 backward)."""
    h = np.tanh(x @ net.params["W1"])
    w = net.params["W2"]

    def numpy_products():
        for _ in range(DEPTH):
            (h @ w, h.T @ h, h @ w.T)

    try:
        import torch
    except ImportError:
        return numpy_products, None
    th, tw = torch.tensor(h), torch.tensor(w)

    def torch_products():
        for _ in range(DEPTH):
            (th @ tw, th.T @ th, th @ tw.T)

    return numpy_products, torch_products


def main() -> int:
    lines = ["# Simulator benchmarks", ""]
    net, x, y, fb = gradbook_pass()
    t_pass = timed(fb)
    t_trace = timed(lambda: net.loss_and_trace(x, y))
    lines += [
        f"MLP depth {DEPTH}, width {WIDTH}, batch {BATCH}, tanh, float64:",
        "",
        f"- forward + backward: {t_pass * 1e3:.1f} ms",
        f"- full trace (adds per-layer norms, slopes, saturation): {t_trace * 1e3:.1f} ms",
    ]
    torch_fb = torch_pass(net, x, y)
    if torch_fb is None:
        lines.append("- PyTorch: not installed (`pip install torch` to compare)")
    else:
        import torch

        t_torch = timed(torch_fb)
        lines.append(
            f"- PyTorch {torch.__version__} autograd, same network: {t_torch * 1e3:.1f} ms "
            f"(gradbook / PyTorch = {t_pass / t_torch:.2f}; target 1.5 or less)"
        )
        np_products, torch_products = matmul_floor(net, x)
        t_np, t_tp = timed(np_products), timed(torch_products)
        lines.append(
            f"- the {3 * DEPTH} matrix products alone: numpy {t_np * 1e3:.1f} ms, PyTorch "
            f"{t_tp * 1e3:.1f} ms (ratio {t_np / t_tp:.2f}): the floor numpy's BLAS sets"
        )
    lines += ["", "Book scenarios (build + train, from scratch):", ""]
    lines += ["| scenario | steps | time (s) |", "|---|---|---|"]
    run_times = {}
    for sid, scenario in scenarios.SCENARIOS.items():
        start = time.perf_counter()
        scenarios.run.cache_clear()
        scenarios.run(sid)
        run_times[sid] = time.perf_counter() - start
        lines.append(f"| {sid} | {scenario.training.steps} | {run_times[sid]:.3f} |")
    largest = max(run_times, key=run_times.get)
    lines += ["", f"Largest scenario: {largest}.", ""]
    lines += ["Simulation work per chapter (each scenario once):", ""]
    lines += ["| chapter | scenarios | time (s) |", "|---|---|---|"]
    for chapter, ids in CHAPTERS.items():
        total = sum(run_times[i] for i in set(ids))
        lines.append(f"| {chapter} | {len(set(ids))} | {total:.3f} |")
    report = "\n".join(lines) + "\n"
    out = Path(__file__).parent / "report" / "simulator.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
