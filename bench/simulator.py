"""Simulator benchmarks: the book's scenarios, a deep MLP's backward pass, and PyTorch.

Part of `nox -s bench` (see bench/run.py); also runs alone: `python bench/simulator.py`.
Times are medians; gradbook and PyTorch are timed in turn and compared by the median of the
per-pair ratios, so a noisy machine slows both sides of a comparison alike.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPORT_DIR, log, met, paired, table, timed

from gradbook import MLP, losses, scenarios
from gradbook.train import train

DEPTH, WIDTH, BATCH = 50, 256, 256
TARGET_RATIO = 1.5  # gradbook / PyTorch, same forward and backward pass


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def gradbook_pass():
    """A forward and backward pass of the depth-50 tanh MLP, and what PyTorch needs to match."""
    net = MLP(depth=DEPTH, width=WIDTH, activation="tanh", init="xavier", seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(BATCH, 2)), rng.integers(0, 2, size=BATCH)

    def forward_backward():
        out, cache = net.forward(x)
        _, dout = losses.cross_entropy(out, y)
        net.backward(cache, dout)

    return net, x, y, forward_backward


def torch_pass(torch, net: MLP, x: np.ndarray, y: np.ndarray):
    """The same network, weights and batch in PyTorch autograd (float64)."""
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


def products(torch, net: MLP, x: np.ndarray):
    """The matrix products any backprop of this net needs (per hidden layer: one forward, two
    backward), into reused outputs: the BLAS work alone, with no allocation. numpy and torch."""
    h = np.tanh(x @ net.params["W1"])
    w = net.params["W2"]
    out = np.empty((WIDTH, WIDTH))

    def numpy_products():
        for _ in range(DEPTH):
            np.matmul(h, w, out=out)
            np.matmul(h.T, h, out=out)
            np.matmul(h, w.T, out=out)

    if torch is None:
        return numpy_products, None
    th, tw, tout = torch.tensor(h), torch.tensor(w), torch.empty(WIDTH, WIDTH, dtype=torch.float64)

    def torch_products():
        for _ in range(DEPTH):
            torch.matmul(th, tw, out=tout)
            torch.matmul(th.T, th, out=tout)
            torch.matmul(th, tw.T, out=tout)

    return numpy_products, torch_products


def minor_faults(fn) -> float:
    """Minor page faults per call of fn (fresh memory from the kernel costs a fault a page)."""
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5


def measure(torch_wanted: bool = True, repeats: int = 15) -> dict:
    torch = _torch() if torch_wanted else None
    r: dict = {"cpus": os.cpu_count(), "numpy": np.__version__}
    log("simulator: the book's scenarios")
    r["scenarios"] = {}
    for sid, scenario in scenarios.SCENARIOS.items():
        t_trace = timed(lambda scenario=scenario: scenario.build().trace(), repeats=5)
        t_train = timed(
            lambda scenario=scenario: train(
                scenario.build(), scenario.training, seed=scenario.seed
            ),
            repeats=3,
        )
        r["scenarios"][sid] = {
            "steps": scenario.training.steps,
            "trace": t_trace,
            "train": t_train,
        }

    log(f"simulator: MLP depth {DEPTH}, width {WIDTH}, batch {BATCH}")
    net, x, y, fb = gradbook_pass()
    r["trace"] = timed(lambda: net.loss_and_trace(x, y), repeats=repeats)
    r["faults"] = minor_faults(fb)
    np_products, torch_products = products(torch, net, x)
    if torch is None:
        r["gradbook"] = timed(fb, repeats=repeats)
        r["numpy_products"] = timed(np_products, repeats=repeats)
        return r
    r["torch"] = torch.__version__
    r["torch_threads"] = torch.get_num_threads()
    r["gradbook"], r["pytorch"], r["ratio"] = paired(fb, torch_pass(torch, net, x, y), repeats)
    r["numpy_products"], r["torch_products"], r["products_ratio"] = paired(
        np_products, torch_products, repeats
    )
    return r


def section(r: dict) -> list[str]:
    ms = lambda t: f"{t * 1e3:.1f}"  # noqa: E731
    lines = ["## Simulator", ""]
    lines += [
        f"numpy {r['numpy']}, {r['cpus']} CPUs. Median times; comparisons are medians of "
        "per-pair ratios, measured in turn.",
        "",
        f"MLP of depth {DEPTH}, width {WIDTH}, batch {BATCH}, tanh, float64:",
        "",
    ]
    rows = [["gradbook forward + backward", ms(r["gradbook"]), ""]]
    rows.append(["gradbook full trace (adds per-layer norms and factors)", ms(r["trace"]), ""])
    if "pytorch" in r:
        rows.append(
            [
                f"PyTorch {r['torch']} CPU autograd ({r['torch_threads']} threads), same net",
                ms(r["pytorch"]),
                f"gradbook / PyTorch **{r['ratio']:.2f}**",
            ]
        )
        rows.append(
            [
                f"its {3 * DEPTH} matrix products alone: numpy",
                ms(r["numpy_products"]),
                f"numpy / PyTorch {r['products_ratio']:.2f}",
            ]
        )
        rows.append(
            [f"its {3 * DEPTH} matrix products alone: PyTorch", ms(r["torch_products"]), ""]
        )
    else:
        rows.append([f"its {3 * DEPTH} matrix products alone: numpy", ms(r["numpy_products"]), ""])
    lines += table(["what", "ms", "ratio"], rows)
    lines.append("")
    lines.append(
        f"Minor page faults per gradbook forward + backward: {r['faults']:.0f} "
        f"({r['faults'] * 4 / 1024:.1f} MB of fresh 4 KB pages)."
    )
    if "pytorch" in r:
        ok = r["ratio"] <= TARGET_RATIO
        lines += ["", f"Target gradbook / PyTorch ≤ {TARGET_RATIO}: {met(ok)}."]
        if not ok:
            lines.append(
                f"What limits it: the matrix products alone take numpy {ms(r['numpy_products'])} "
                f"ms against PyTorch's {ms(r['torch_products'])} ms; with every other operation "
                "free, gradbook / PyTorch would still be "
                f"{r['numpy_products'] / r['pytorch']:.2f}. "
                f"Beyond its products, gradbook spends "
                f"{ms(r['gradbook'] - r['numpy_products'])} ms (element-wise work and fresh "
                f"memory), PyTorch {ms(r['pytorch'] - r['torch_products'])} ms."
            )
    else:
        lines += ["", "PyTorch is not installed: run `nox -s bench -- --torch` to compare."]
    lines += [
        "",
        "The book's scenarios (a trace of one batch of 256; a training run from scratch):",
    ]
    lines.append("")
    rows = [[sid, s["steps"], ms(s["trace"]), ms(s["train"])] for sid, s in r["scenarios"].items()]
    total = sum(s["train"] for s in r["scenarios"].values())
    rows.append(["all nine", "", "", ms(total)])
    lines += table(["scenario", "training steps", "trace (ms)", "training (ms)"], rows)
    return lines


def summary(r: dict) -> list[list[str]]:
    what = f"forward + backward, MLP {DEPTH} x {WIDTH}, batch {BATCH}"
    if "ratio" not in r:
        return [["simulator", f"gradbook / PyTorch ≤ {TARGET_RATIO}", "PyTorch not installed", ""]]
    return [
        [
            "simulator",
            f"gradbook / PyTorch ≤ {TARGET_RATIO} ({what})",
            f"{r['ratio']:.2f} ({r['gradbook'] * 1e3:.0f} ms / {r['pytorch'] * 1e3:.0f} ms; "
            f"matrix products alone {r['products_ratio']:.2f})",
            met(r["ratio"] <= TARGET_RATIO),
        ]
    ]


def main() -> int:
    r = measure(torch_wanted="--no-torch" not in sys.argv)
    text = "\n".join(section(r)) + "\n"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "simulator.md").write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
