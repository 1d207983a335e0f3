"""What gradbook.torch costs: time per training step, memory over a long run, file size.

    python bench/torch_recorder.py            # this part alone (needs PyTorch)
    nox -s bench -- --torch                   # with every other part, into bench/report

- Overhead: a training step (forward, loss, backward, SGD with momentum) of a 50-layer,
  256-wide MLP and of a small CNN, with the recorder recording every step and every 100 steps,
  against the same network unwatched. Copies of the network, same weights and batch, take
  blocks of steps in turn (A, B, A, B, ...: a slow patch of this shared machine hits both), and
  each cost is the median of the paired ratios B / A - 1: a recorded step (with and without
  histograms), a step between records (on one network, with the recorder's hook and without,
  and two unwatched blocks in a row for the noise floor). The targets are judged over a
  10,000-step training run: its recorded steps, the few of them that take histograms (counted
  on the memory run below), and its steps between. The MLP's recorded step is also measured
  at batch sizes 32, 128 and 512, and the arithmetic it needs timed alone, without hooks.
- Memory: 10,000 recorded steps of a 50-layer MLP; the process's resident memory and the number
  of live tensors every 1,000 steps. The record itself grows (about 1.4 KB a step for 50 layers,
  its numbers); anything beyond that, or a growing tensor count, would be a leak.
- File size: that run saved after 5,000 and after 10,000 steps; the growth per 1,000 steps.
"""

from __future__ import annotations

import copy
import gc
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import log, met, table

EVERY_STEP, EVERY_100 = 0.10, 0.01  # the overhead targets
FILE_BUDGET = 1_000_000  # bytes per 1,000 recorded steps of a 50-layer model
DEPTH, WIDTH, BATCH = 50, 256, 128
SWEEP_BATCHES = (32, 128, 512)  # the MLP's recorded step at each (batch_sweep)
MEMORY_STEPS, MEMORY_WIDTH, MEMORY_BATCH = 10_000, 32, 16
RUN_LENGTHS = (100, 1_000, 10_000)  # recorded steps after which histogram steps are counted
LONG_RUN = 10_000  # training steps of the run the targets are judged over


def _torch():
    try:
        import torch
    except ImportError:
        raise RuntimeError("PyTorch is not installed (nox -s bench -- --torch)") from None
    return torch


def _mlp(torch, depth: int, width: int, classes: int = 10):
    nn = torch.nn
    layers = []
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, classes))


def _cnn(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 8 * 8, 10),
    )  # fmt: skip


def _trainer(torch, model, x, y, every: int | None, *, ratios: bool = True):
    """A function that takes one training step of `model`, watched every `every` steps (or
    not at all), and the recorder. With `ratios=False` the recorder does not see the
    optimizer: no update ratios (and no copy of the weights)."""
    import gradbook.torch

    opt = _sgd(torch, model)
    watched = opt if ratios else None
    rec = None if every is None else gradbook.torch.watch(model, watched, every=every)
    train = _training_step(torch, model, opt, x, y)
    return lambda: train(rec), rec


def _sgd(torch, model):
    return torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)


def _training_step(torch, model, opt, x, y):
    """A function that takes one training step of `model` with `opt` on the batch (x, y), and
    tells the recorder it is given, if any."""
    loss_fn = torch.nn.functional.cross_entropy

    def step(rec=None):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if rec is not None:
            rec.step(loss)

    return step


def _paired(steps: dict, rounds: int, block: int, before_step=None) -> dict:
    """Each round times a block of steps of each of `steps` in turn, as CPU time of this
    process, in the reverse order every other round (a cache just filled by another favours
    none of them): the seconds per step of each block, per key."""
    times: dict = {k: [] for k in steps}
    for n in range(rounds):
        for key, step in list(steps.items())[:: 1 if n % 2 else -1]:
            start = time.process_time()
            for _ in range(block):
                if before_step is not None:
                    before_step()
                step()
            times[key].append((time.process_time() - start) / block)
    return times


def _cost_of(times: dict, key: str, base: str = "plain") -> tuple[float, list[float]]:
    """The median and quartiles of the per-round ratios of `key`'s blocks to `base`'s, less 1."""
    ratios = [b / a - 1 for a, b in zip(times[base], times[key], strict=True)]
    return statistics.median(ratios), statistics.quantiles(ratios, n=4)[::2]


def overhead(torch, name: str, build, x, y, rounds: int = 30, block: int = 4) -> dict:
    """The recorder's cost per step, measured on copies of one network, same weights and
    batch: unwatched; recording every step; recording every step without the optimizer (no
    update ratios); and recording with histograms (what a dozen steps of a run take); then a
    step between records, on one network (_between).

    Each round times a block of steps of each copy in turn (_paired: a slow patch of this
    shared machine hits all of them), as CPU time of this process (PyTorch runs on one thread
    here); the medians of the per-round ratios against the unwatched block give the costs.
    Recording every n steps costs one recorded step and n - 1 steps between, per n steps.
    """
    torch.manual_seed(0)
    model = build()
    steps, recs = _recording_copies(torch, model, x, y, histograms=True)
    log(f"torch: {name}: {rounds} rounds of {block} steps of each of {len(steps)} copies")
    times = _paired(steps, rounds, block, lambda: _histograms_only(recs))
    r: dict = {"plain_ms": statistics.median(times["plain"]) * 1e3}
    r["recorded_step"], r["recorded_quartiles"] = _cost_of(times, "every")
    r["no_ratios"], r["no_ratios_quartiles"] = _cost_of(times, "no ratios")
    r["histogram_step"], r["histogram_quartiles"] = _cost_of(times, "histograms")
    r["step_between"], r["between_quartiles"], r["null"], r["null_quartiles"] = _between(
        torch, copy.deepcopy(model), x, y, 4 * rounds
    )
    for rec in recs.values():
        rec.close()
    return r


def _recording_copies(torch, model, x, y, histograms: bool) -> tuple[dict, dict]:
    """Training steps of `model` unwatched ("plain") and of copies of it recording every step
    ("every"), the same without the optimizer ("no ratios"), and (if asked) recording with
    histograms at every step ("histograms"); warmed up. And their recorders, by key."""
    steps = {"plain": _trainer(torch, model, x, y, None)[0]}
    recs = {}
    keys = {"every": True, "no ratios": False} | ({"histograms": True} if histograms else {})
    for key, ratios in keys.items():
        steps[key], recs[key] = _trainer(torch, copy.deepcopy(model), x, y, 1, ratios=ratios)
    for step in steps.values():
        for _ in range(3):
            step()
    _histograms_only(recs)
    return steps, recs


def _histograms_only(recs: dict) -> None:
    """Before each step: a run keeps histograms for a dozen steps however long it is, so a
    typical recorded step takes none. The recorders' private switches say so: "every" and "no
    ratios" never take them, "histograms" always does, to price the few steps that do."""
    for key, rec in recs.items():
        rec._hist_stride = 1 if key == "histograms" else 10**9
        rec._histogram_step = key == "histograms"


def _between(torch, model, x, y, rounds: int, block: int = 12) -> tuple:
    """The cost of a step between records against the same network unwatched, and of an
    unwatched block against the one before it (the noise floor): medians and quartiles of the
    per-round ratios.

    A step between records costs a fraction of a percent, less than two copies of one network
    differ by (where their memory lies), so it is measured on ONE network and optimizer, in
    blocks of 12 steps in turn: watched by a recorder between its records (its step 0, taken
    once before the clock starts; then only the model output's hook, and step()) and unwatched
    (that hook taken away, step() not called). Making a recorder for each block instead would
    put its recorded step 0, which disturbs the caches, before every watched block."""
    import gradbook.torch

    opt = _sgd(torch, model)
    step = _training_step(torch, model, opt, x, y)
    for _ in range(3):
        step()
    rec = gradbook.torch.watch(model, opt, every=10**9)
    step(rec)  # its step 0, recorded: off the clock
    # The one hook a recorder keeps between records (private: the bench takes it away for the
    # unwatched blocks and puts it back for the watched ones).
    (output_hook,) = rec._handles
    output_hook.remove()

    def watched() -> None:
        handle = model.register_forward_hook(rec._on_model_output)
        try:
            for _ in range(block):
                step(rec)
        finally:
            handle.remove()

    def unwatched() -> None:
        for _ in range(block):
            step()

    times = _paired({"watched": watched, "plain": unwatched, "again": unwatched}, rounds, 1)
    rec.close()
    between, null = _cost_of(times, "watched"), _cost_of(times, "again")
    return between[0], between[1], null[0], null[1]


def kernels_alone(torch, rounds: int = 30) -> float:
    """The seconds of the arithmetic a recorded step of the MLP needs, with nothing else: per
    layer the norms of |dL/dh| and |dL/dW|, the weight's copy and its spread (sum, norm), then
    the update and its spread, on tensors of the MLP's shapes, each timed on its own with no
    hook, no Python bookkeeping and no number read back. The copies go into buffers evicted
    from the cache, and the comparison reads weights and copies evicted too, as in a training
    step; what backward has just read or written is in the cache. The median over rounds."""
    vn = torch.linalg.vector_norm
    weights = [torch.randn(WIDTH * WIDTH) * 0.05 for _ in range(DEPTH)]
    grads = [torch.randn(WIDTH * WIDTH) * 1e-4 for _ in range(DEPTH)]
    outs = [torch.randn(BATCH * WIDTH) * 1e-4 for _ in range(DEPTH)]
    copies = [torch.empty(WIDTH * WIDTH) for _ in range(DEPTH)]
    update = torch.empty(WIDTH * WIDTH)
    elsewhere = torch.randn(16 * 2**20)  # 64 MB: more than the machine's caches

    def evict() -> None:
        elsewhere.mul_(1.0)

    totals = []
    for _ in range(rounds):
        total = 0.0
        evict()
        for h, g, w, c in zip(outs, grads, weights, copies, strict=True):
            h.sum(), g.sum(), w.sum()  # in the cache, as backward leaves them
            start = time.perf_counter()
            vn(h), vn(g), c.copy_(w), c.sum(), vn(c)
            total += time.perf_counter() - start
        evict()
        for w, c in zip(weights, copies, strict=True):
            start = time.perf_counter()
            u = torch.sub(w, c, out=update)
            u.sum(), vn(u)
            total += time.perf_counter() - start
        totals.append(total)
    return statistics.median(totals)


def batch_sweep(torch, rounds: int = 12, block: int = 4) -> list[dict]:
    """The MLP's recorded step at several batch sizes: the recorder's work is mostly per weight
    (the update ratios' copies, the norms and histograms of dL/dW), the step's mostly per
    example, so its share falls as the batch grows."""
    rows = []
    for batch in SWEEP_BATCHES:
        torch.manual_seed(0)
        x, y = torch.randn(batch, WIDTH), torch.randint(0, 10, (batch,))
        steps, recs = _recording_copies(torch, _mlp(torch, DEPTH, WIDTH), x, y, False)
        log(f"torch: MLP, batch {batch}: {rounds} rounds of {block} steps of each")
        times = _paired(steps, rounds, block, lambda recs=recs: _histograms_only(recs))
        rows.append({
            "batch": batch, "plain_ms": statistics.median(times["plain"]) * 1e3,
            "recorded_step": _cost_of(times, "every")[0],
            "no_ratios": _cost_of(times, "no ratios")[0],
        })  # fmt: skip
        for rec in recs.values():
            rec.close()
    return rows


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _live_tensors(torch) -> int:
    gc.collect()
    with warnings.catch_warnings():  # isinstance on a deprecated torch object warns
        warnings.simplefilter("ignore")
        return sum(1 for o in gc.get_objects() if isinstance(o, torch.Tensor))


def memory_and_size(torch) -> dict:
    """10,000 recorded steps of a 50-layer MLP: memory every 1,000 steps, file at 5k and 10k."""
    torch.manual_seed(0)
    model = _mlp(torch, DEPTH, MEMORY_WIDTH)
    x, y = torch.randn(MEMORY_BATCH, MEMORY_WIDTH), torch.randint(0, 10, (MEMORY_BATCH,))
    step, rec = _trainer(torch, model, x, y, 1)
    samples, sizes = [], {}
    # How many recorded steps take histograms (the recorder keeps a dozen, spread over the run,
    # but takes more on the way, dropping every other one each time its quota fills).
    taken, keep = [0], rec._keep_histograms

    def counting(*args, **kwargs):
        taken[0] += 1
        return keep(*args, **kwargs)

    rec._keep_histograms = counting
    histograms_taken = {}
    log(f"torch: memory over {MEMORY_STEPS:,} recorded steps of a {DEPTH}-layer MLP")
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(1, MEMORY_STEPS + 1):
            step()
            if k in RUN_LENGTHS:
                histograms_taken[k] = taken[0]
            if k % 1000 == 0:
                grids = rec.run._grids.values()
                record = sum(g.values.nbytes + g.mask.nbytes for g in grids) / 2**20
                samples.append(
                    {"step": k, "rss_mb": _rss_mb(), "tensors": _live_tensors(torch),
                     "record_mb": record}
                )  # fmt: skip
            if k in (MEMORY_STEPS // 2, MEMORY_STEPS):
                path = rec.save(Path(tmp) / "run.json")
                text = path.read_text(encoding="utf-8")
                hists = json.dumps(json.loads(text)["histograms"], separators=(",", ":"))
                sizes[k] = {"file": len(text.encode()), "histograms": len(hists.encode())}
    rec.close()
    first, last = samples[0], samples[-1]
    thousands = (last["step"] - first["step"]) / 1000
    half = MEMORY_STEPS // 2

    def growing(size: dict) -> int:
        return size["file"] - size["histograms"]

    return {
        "samples": samples,
        "rss_growth_mb_per_1000": (last["rss_mb"] - first["rss_mb"]) / thousands,
        "record_growth_mb_per_1000": (last["record_mb"] - first["record_mb"]) / thousands,
        "tensors": [s["tensors"] for s in samples],
        "file_bytes": sizes,
        # The histograms (a dozen steps, however long the run) are a bounded part, left out.
        "file_growth_per_1000": (growing(sizes[MEMORY_STEPS]) - growing(sizes[half]))
        / ((MEMORY_STEPS - half) / 1000),
        "histogram_steps": len(rec.run.histograms),
        "histograms_taken": histograms_taken,
    }


def measure() -> dict:
    torch = _torch()
    # One thread: on these shared machines PyTorch's OpenMP threads spin against the other
    # sessions' work, which slows every small operation (the recorder's are small) by 10-100x
    # and says more about the machine's load than about the recorder.
    torch.set_num_threads(1)
    r: dict = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    x = torch.randn(BATCH, WIDTH)
    y = torch.randint(0, 10, (BATCH,))
    r["mlp"] = overhead(torch, f"MLP {DEPTH} x {WIDTH}", lambda: _mlp(torch, DEPTH, WIDTH), x, y)
    images, labels = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))
    r["cnn"] = overhead(torch, "small CNN", lambda: _cnn(torch), images, labels)
    r["sweep"] = batch_sweep(torch)
    r["kernels_ms"] = kernels_alone(torch) * 1e3
    r["memory"] = memory_and_size(torch)
    taken = r["memory"]["histograms_taken"]
    for model in ("mlp", "cnn"):
        m = r[model]
        # Over a run of LONG_RUN training steps, histograms included as the recorder takes them.
        extra = m["histogram_step"] - m["recorded_step"]
        m["every 1"] = m["recorded_step"] + taken[LONG_RUN] / LONG_RUN * extra
        for every in (10, 100):
            recorded = LONG_RUN // every
            m[f"every {every}"] = (
                recorded * m["recorded_step"] + taken[recorded] * extra
                + (LONG_RUN - recorded) * m["step_between"]
            ) / LONG_RUN  # fmt: skip
        m["every 1 over 1,000"] = m["recorded_step"] + taken[1000] / 1000 * extra
    return r


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _cost(m: dict, key: str, quartiles: str) -> str:
    low, high = m[quartiles]
    return f"{_pct(m[key])} ({_pct(low)} to {_pct(high)})"


def section(r: dict) -> list[str]:
    lines = ["## gradbook.torch", ""]
    lines.append(
        f"PyTorch {r['torch']} (CPU, {r['threads']} thread), float32. A training step is "
        "forward, cross-entropy, backward and SGD with momentum. Copies of a network (unwatched; "
        "recording every step; the same without the optimizer, so without update ratios; "
        "recording every step with histograms) take blocks of steps in turn, timed as this "
        "process's CPU time; each cost is the median of the per-round ratios against the "
        "unwatched block (quartiles beside it; blocks of 4 steps). A step between records "
        "costs less than two copies of a network differ by, so it is measured on one network, "
        "in blocks of 12 steps with the recorder's hook between records and without it, in "
        "turn; two unwatched blocks in a row give that method's noise floor. The targets are "
        "judged over a training run of "
        f"{LONG_RUN:,} steps, histograms included at the steps the recorder takes them: every "
        f"step records {LONG_RUN:,} steps, {r['memory']['histograms_taken'][LONG_RUN]} of "
        "them with histograms; every 100 records 100 steps, "
        f"{r['memory']['histograms_taken'][100]} with histograms, and takes "
        f"{LONG_RUN - 100:,} steps between. MLP: {DEPTH} Linear layers, {WIDTH} wide, "
        f"batch {BATCH}. CNN: four 3x3 convolutions (16, 16, 32, 32 channels, two max-pools) "
        "and a linear read-out, 32 x 32 RGB images, batch 64."
    )
    rows = []
    for model in ("mlp", "cnn"):
        m = r[model]
        rows.append([
            model.upper(), f"{m['plain_ms']:.1f}",
            _cost(m, "recorded_step", "recorded_quartiles"),
            _cost(m, "no_ratios", "no_ratios_quartiles"),
            _cost(m, "step_between", "between_quartiles"),
            _cost(m, "null", "null_quartiles"),
            f"{_pct(m['every 1'])}: {met(m['every 1'] <= EVERY_STEP)}",
            f"{_pct(m['every 100'])}: {met(m['every 100'] <= EVERY_100)}",
        ])  # fmt: skip
    header = ["network", "step (ms CPU)", "a recorded step", "without update ratios",
              "a step between", "unwatched again (noise)",
              f"every step ≤ 10% ({LONG_RUN:,}-step run)",
              f"every 100 ≤ 1% ({LONG_RUN:,}-step run)"]  # fmt: skip
    lines += ["", *table(header, rows, left=1)]
    mlp = r["mlp"]
    lines += [
        "",
        "The exact update ratio needs a copy of every weight before the optimizer's step (taken "
        "during backward, while the weight is in the cache) and a comparison after it: the "
        "MLP's step is mostly its weights (50 matrices of 256 x 256): that copy and "
        f"comparison are {_pct(1 - mlp['no_ratios'] / mlp['recorded_step'])} of its recording "
        "cost (a recorded step against one without the optimizer). The arithmetic a "
        f"recorded step needs, timed alone (kernels_alone), takes {r['kernels_ms']:.2f} ms, "
        f"{_pct(r['kernels_ms'] / mlp['plain_ms'])} of the MLP's step, before any hook or "
        "bookkeeping. A recorded step that also "
        "takes histograms of both gradients costs "
        + " and ".join(f"{_pct(r[m]['histogram_step'])} ({m.upper()})" for m in ("mlp", "cnn"))
        + " more than an unwatched step. A run keeps histograms of a dozen steps however long "
        "it is, but takes more on the way (each time its quota fills it drops every other "
        f"one): {r['memory']['histograms_taken'][1000]} of 1,000 recorded steps, so that a "
        "1,000-step run recording every step costs "
        + " and ".join(f"{_pct(r[m]['every 1 over 1,000'])} ({m.upper()})" for m in ("mlp", "cnn"))
        + " a step. Recording every 10 steps of a 10,000-step run costs "
        + " and ".join(f"{_pct(r[m]['every 10'])} ({m.upper()})" for m in ("mlp", "cnn"))
        + ".",
    ]
    lines += [
        "",
        "The MLP's recorded step (without histograms) at other batch sizes: the recorder's work "
        "is mostly per weight, the step's mostly per example.",
        "",
        *table(
            ["batch", "step (ms CPU)", "a recorded step", "without update ratios"],
            [[str(b["batch"]), f"{b['plain_ms']:.1f}", _pct(b["recorded_step"]),
              _pct(b["no_ratios"])] for b in r["sweep"]],
            left=1,
        ),
    ]  # fmt: skip
    mem = r["memory"]
    s = mem["samples"]
    lines += [
        "",
        f"Memory over {MEMORY_STEPS:,} steps, every one recorded, of a {DEPTH}-layer MLP "
        f"({MEMORY_WIDTH} wide, batch {MEMORY_BATCH}): resident memory {s[0]['rss_mb']:.0f} MB "
        f"at step 1,000 and {s[-1]['rss_mb']:.0f} MB at step {MEMORY_STEPS:,}, "
        f"{mem['rss_growth_mb_per_1000']:.2f} MB per 1,000 steps, of which the record's own "
        f"numbers are {mem['record_growth_mb_per_1000']:.2f} MB (they grow by doubling, so "
        "the two agree over a long run, not step by step); live tensors at each 1,000 steps: "
        f"{', '.join(str(t) for t in mem['tensors'])}.",
        "",
        f"The saved run: {mem['file_bytes'][MEMORY_STEPS // 2]['file'] / 1e6:.2f} MB after "
        f"{MEMORY_STEPS // 2:,} steps, {mem['file_bytes'][MEMORY_STEPS]['file'] / 1e6:.2f} MB "
        f"after {MEMORY_STEPS:,}, of which histograms (of {mem['histogram_steps']} steps, a "
        f"bounded part) {mem['file_bytes'][MEMORY_STEPS]['histograms'] / 1e6:.2f} MB: the rest "
        f"grows by {mem['file_growth_per_1000'] / 1e6:.3f} MB per 1,000 recorded steps "
        "(1 MB = 10^6 bytes).",
    ]
    return lines


def summary(r: dict) -> list[list[str]]:
    rows = []
    for model in ("mlp", "cnn"):
        for every, target in (("every 1", EVERY_STEP), ("every 100", EVERY_100)):
            m = r[model][every]
            rows.append([
                "gradbook.torch",
                f"recording {every} step(s) of the {model.upper()} costs ≤ {_pct(target)} "
                f"(a {LONG_RUN:,}-step run)",
                _pct(m), met(m <= target),
            ])  # fmt: skip
    mem = r["memory"]
    flat = len(set(mem["tensors"])) == 1
    rows.append([
        "gradbook.torch", f"no tensor outlives its step ({MEMORY_STEPS:,} steps)",
        f"live tensors {min(mem['tensors'])}–{max(mem['tensors'])}", met(flat),
    ])  # fmt: skip
    growth = mem["file_growth_per_1000"]
    rows.append([
        "gradbook.torch", "a 50-layer run's file grows ≤ 1 MB per 1,000 recorded steps",
        f"{growth / 1e6:.3f} MB", met(growth <= FILE_BUDGET),
    ])  # fmt: skip
    return rows


if __name__ == "__main__":
    result = measure()
    print("\n".join(section(result)))
    print("\n".join(table(["part", "target", "measured", ""], summary(result), left=2)))
    print(json.dumps(result, indent=1), file=sys.stderr)
