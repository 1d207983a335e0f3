"""gradbook.torch against autograd, computed here independently: each layer's outputs kept with
retain_grad() by hooks of the test's own, each weight's p.grad, the weights copied around the
optimizer's step; on an MLP, a CNN, a model with residual blocks in its own forward (and a
module called twice), and a recurrent model. Then overflow, every > 1, and the hooks' lifetime.
"""

from __future__ import annotations

import copy
import gc
import json
import math
import weakref
from collections import defaultdict

import jsonschema
import numpy as np
import pytest

import torch_required
from gradbook.trace import log_histogram, norm

torch = torch_required.torch()
from torch import nn  # noqa: E402

import gradbook.torch  # noqa: E402

RTOL = 1e-12  # float64 models: the recorder and numpy sum the same squares in another order


def _tensors(value) -> list:
    if isinstance(value, torch.Tensor):
        return [value] if value.requires_grad else []
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return []


def _numpy(tensors) -> np.ndarray:
    return np.concatenate([t.detach().reshape(-1).numpy() for t in tensors])


class Reference:
    """What autograd says, step by step, kept by the test's own hooks (not the recorder's)."""

    def __init__(self, model: nn.Module):
        self.modules = {
            m: path for path, m in model.named_modules() if list(m.parameters(recurse=False))
        }
        self.outputs: dict = defaultdict(list)
        self.calls: dict = defaultdict(int)
        self.order: list = []
        for m in self.modules:
            m.register_forward_hook(self._keep)

    def _keep(self, module, inputs, output) -> None:
        if module not in self.order:
            self.order.append(module)
        self.calls[module] += 1
        for t in _tensors(output):
            t.retain_grad()
            self.outputs[module].append(t)

    @staticmethod
    def weights(module) -> list:
        own = list(module.named_parameters(recurse=False))
        matrix = any(p.ndim >= 2 for _, p in own)
        return [p for n, p in own if "bias" not in n and (p.ndim >= 2 or not matrix)]

    def step(self, model, optimizer, x, y, loss_fn) -> dict:
        """One training step, with autograd's numbers for it."""
        self.outputs.clear()
        self.calls.clear()
        out = model(x)
        for t in _tensors(out):
            t.retain_grad()
        loss = loss_fn(out, y)
        if optimizer is not None:
            optimizer.zero_grad()
        else:
            model.zero_grad()
        loss.backward()
        grads = {}
        for m in self.order:
            got = [t.grad for t in self.outputs[m] if t.grad is not None]
            grads[m] = norm(_numpy(got)) if got else None
        out_norm = norm(_numpy([t.grad for t in _tensors(out) if t.grad is not None]))
        weights = {m: self.weights(m) for m in self.order}
        dw = {m: norm(_numpy([p.grad for p in ws])) for m, ws in weights.items()}
        dh_hist = {
            m: log_histogram(_numpy([t.grad for t in self.outputs[m] if t.grad is not None]))
            for m in self.order
        }
        dw_hist = {m: log_histogram(_numpy([p.grad for p in ws])) for m, ws in weights.items()}
        ratios = {}
        if optimizer is not None:
            before = {m: _numpy(ws).copy() for m, ws in weights.items()}
            optimizer.step()
            for m, ws in weights.items():
                spread = np.std(before[m])
                ratios[m] = None if spread == 0 else np.std(_numpy(ws) - before[m]) / spread
        return {
            "loss": float(loss.detach()),
            "names": [self.modules[m] for m in self.order],
            "grad": [grads[m] for m in self.order],
            "out": out_norm,
            "dw": [dw[m] for m in self.order],
            "ratio": [ratios.get(m) for m in self.order],
            "dh_hist": [dh_hist[m] for m in self.order],
            "dw_hist": [dw_hist[m] for m in self.order],
            "calls": [self.calls[m] for m in self.order],
            "loss_tensor": loss,
        }


def assert_close(got, expected, what: str) -> None:
    assert (got is None) == (expected is None) or (
        got is not None and math.isnan(got) and expected is None
    ), f"{what}: {got} vs {expected}"
    if expected is not None:
        assert got == pytest.approx(expected, rel=RTOL, abs=0), f"{what}: {got} vs {expected}"


def check_step(rec, expected: dict, with_optimizer: bool) -> None:
    """The recorder's last step against autograd's numbers for it."""
    step = rec.run.last
    assert rec.layers == expected["names"]
    assert step.loss == pytest.approx(expected["loss"], rel=RTOL)
    assert step.output_grad_norm == pytest.approx(expected["out"], rel=RTOL)
    grads = expected["grad"]
    above = [*grads[1:], expected["out"]]
    for i, layer in enumerate(step.layers):
        name = layer.name
        assert_close(layer.grad_norm, grads[i], f"{name} |dL/d(output)|")
        # The book's definitions, from autograd's norms.
        assert_close(layer.factor, grads[i] / above[i], f"{name} factor")
        assert_close(layer.product, grads[i] / expected["out"], f"{name} product")
        assert_close(layer.weight_grad_norm, expected["dw"][i], f"{name} |dL/dW|")
        if with_optimizer:
            ratio = layer.update_ratio if layer.ratio_measured else None
            assert_close(ratio, expected["ratio"][i], f"{name} update ratio")
        else:
            assert not layer.ratio_measured
    assert list(step.update_ratios) == (expected["names"] if with_optimizer else [])


def train_and_check(model, optimizer, batches, loss_fn, steps: int = 3):
    ref = Reference(model)
    with gradbook.torch.watch(model, optimizer) as rec:
        for k in range(steps):
            x, y = batches(k)
            expected = ref.step(model, optimizer, x, y, loss_fn)
            rec.step(expected["loss_tensor"])
            check_step(rec, expected, optimizer is not None)
            if k == 0:  # the first recorded step always keeps histograms
                for i, layer in enumerate(rec.run.last.layers):
                    for got, want in ((layer.dh_hist, expected["dh_hist"][i]),
                                      (layer.dW_hist, expected["dw_hist"][i])):  # fmt: skip
                        assert np.array_equal(got.counts, want.counts), layer.name
                        assert (got.below, got.above, got.zero, got.nonfinite) == (
                            want.below, want.above, want.zero, want.nonfinite
                        )  # fmt: skip
    assert [info.calls for info in rec.run.layers] == expected["calls"]
    return rec


def _classes(n: int, shape, classes: int = 3):
    def batch(k: int):
        g = torch.Generator().manual_seed(100 + k)
        x = torch.randn(n, *shape, generator=g, dtype=torch.float64)
        return x, torch.randint(0, classes, (n,), generator=g)

    return batch


def test_an_mlp_matches_autograd():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)
    ).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rec = train_and_check(model, opt, _classes(32, (5,)), nn.functional.cross_entropy)
    assert rec.layers == ["0", "2", "4"]
    assert [i.type for i in rec.run.layers] == ["Linear"] * 3
    assert [i.units for i in rec.run.layers] == [16, 16, 3]
    assert [i.params for i in rec.run.layers] == [5 * 16 + 16, 16 * 16 + 16, 16 * 3 + 3]


def test_a_cnn_with_batch_norm_matches_autograd():
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 2 * 2, 3),
    ).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rec = train_and_check(model, opt, _classes(16, (1, 8, 8)), nn.functional.cross_entropy)
    assert [i.type for i in rec.run.layers] == ["Conv2d", "BatchNorm2d", "Conv2d", "Linear"]
    assert [i.units for i in rec.run.layers] == [4, 4, 8, 3]
    # The norm layer's scale starts at all ones: std 0, so no update ratio at step 0 (and
    # one at step 1, once its entries differ).
    ratios = rec.run.ratios[:, 1]
    assert np.isnan(ratios[0]) and np.all(np.isfinite(ratios[1:]))


class Block(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, x):
        return x + self.fc2(torch.relu(self.norm(self.fc1(x))))


class ResidualNet(nn.Module):
    """Residual blocks in its own forward, and one Linear used twice (shared weights)."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 16)
        self.blocks = nn.ModuleList([Block(16) for _ in range(3)])
        self.shared = nn.Linear(16, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        h = torch.relu(self.inp(x))
        for block in self.blocks:
            h = block(h)
        return self.out(self.shared(torch.tanh(self.shared(h))))


def test_residual_blocks_and_a_module_called_twice_match_autograd():
    torch.manual_seed(2)
    model = ResidualNet().double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rec = train_and_check(model, opt, _classes(24, (4,)), nn.functional.cross_entropy)
    blocks = [f"blocks.{b}.{n}" for b in range(3) for n in ("fc1", "norm", "fc2")]
    assert rec.layers == ["inp", *blocks, "shared", "out"]
    # The shared Linear is one layer, measured over both calls' outputs together.
    assert rec.run.layers[-2].calls == 2
    assert all(info.calls == 1 for info in rec.run.layers if info.name != "shared")


class Recurrent(nn.Module):
    """Tokens -> embedding -> LSTM -> tanh RNN -> linear read-out of the last time step."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 8)
        self.lstm = nn.LSTM(8, 12, batch_first=True)
        self.rnn = nn.RNN(12, 6, batch_first=True)
        self.head = nn.Linear(6, 3)

    def forward(self, tokens):
        seq, _ = self.lstm(self.embed(tokens))
        seq, _ = self.rnn(seq)
        return self.head(seq[:, -1])


def test_a_recurrent_model_matches_autograd_as_whole_modules():
    torch.manual_seed(3)
    model = Recurrent().double()

    def batches(k):
        g = torch.Generator().manual_seed(200 + k)
        return torch.randint(0, 10, (16, 7), generator=g), torch.randint(0, 3, (16,), generator=g)

    rec = train_and_check(model, None, batches, nn.functional.cross_entropy)
    assert rec.layers == ["embed", "lstm", "rnn", "head"]
    lstm = rec.run.layers[1]
    assert lstm.type == "LSTM" and lstm.units == 12
    assert lstm.weights == ("weight_ih_l0", "weight_hh_l0")
    # No optimizer: no update ratios, in memory or in the file.
    assert rec.run.to_dict()["updateRatioLog10"] is None
    assert rec.run.last.update_ratios == {}


def test_an_in_place_activation_after_a_layer_leaves_its_gradient_right():
    # An in-place ReLU rewrites the convolution's output tensor; the recorder still measures
    # dL/d(the convolution's output), which the same network without in-place ops gives.
    def net(inplace: bool):
        torch.manual_seed(4)
        return nn.Sequential(
            nn.Conv2d(1, 3, 3), nn.ReLU(inplace=inplace), nn.Flatten(), nn.Linear(3 * 36, 2)
        ).double()

    x, y = _classes(8, (1, 8, 8), classes=2)(0)
    norms = []
    for inplace in (True, False):
        model = net(inplace)
        with gradbook.torch.watch(model) as rec:
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            rec.step(loss)
        norms.append(rec.run.grad_norms[0])
    np.testing.assert_allclose(norms[0], norms[1], rtol=RTOL)
    assert np.all(norms[0] > 0)


def _overflowing_mlp():
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    return model, torch.optim.SGD(model.parameters(), lr=1e3)


def test_overflow_is_recorded_as_data_never_raised(tmp_path):
    model, opt = _overflowing_mlp()
    with torch.no_grad():
        model[2].weight.mul_(1e30)  # float32: the read-out overflows to inf
        model[4].weight.mul_(1e30)
    x, y = _classes(8, (4,), classes=2)(0)
    x = x.float()
    with gradbook.torch.watch(model, opt) as rec:
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        rec.step(loss)
    step = rec.run.last
    assert not math.isfinite(step.loss)
    assert rec.run.first_nonfinite_step == 0 and not step.is_finite
    assert not np.all(np.isfinite(step.grad_norms))
    assert "note: inf is a number too large" in rec.table()
    text = rec.save(tmp_path / "run.json").read_text()
    assert "NaN" not in text and "Infinity" not in text and '"nan"' in text
    assert gradbook.runfile.load(tmp_path / "run.json").first_nonfinite_step == 0


def test_every_records_every_nth_step_and_the_first_nonfinite_one_between():
    model, opt = _overflowing_mlp()
    batches = _classes(8, (4,), classes=2)
    first_bad = None
    with gradbook.torch.watch(model, opt, every=4) as rec:
        for k in range(12):
            x, y = batches(k)
            out = model(x.float())
            loss = nn.functional.cross_entropy(out, y)
            bad = not (torch.isfinite(out).all() and torch.isfinite(loss))
            if bad and first_bad is None:
                first_bad = k
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec.step(loss)
    assert first_bad is not None and first_bad % 4 != 0, "the test needs an off-grid overflow"
    assert rec.run.first_nonfinite_step == first_bad
    assert rec.run.recorded_steps == sorted({*range(0, 12, 4), first_bad})
    # The off-grid step was measured in full, not only its loss.
    assert rec.run.step(first_bad).measured.all()


class WithSideOutput(nn.Module):
    """An MLP that also returns a side output the loss does not use; it is non-finite at the
    steps that ask for it, while every gradient stays finite."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 6), nn.ReLU())
        self.head = nn.Linear(6, 2)
        self.spoil = False

    def forward(self, x):
        h = self.body(x)
        side = h * (math.inf if self.spoil else 1.0)
        return self.head(h), side


class Squash(nn.Module):
    """A custom layer with a weight of its own whose output is computed by an activation, not
    by the node that takes the weight: not to be found in the graph from its weight."""

    def __init__(self, width: int):
        super().__init__()
        self.gain = nn.Parameter(torch.linspace(0.5, 1.5, width))

    def forward(self, x):
        return torch.tanh(x * self.gain)


class TokensWithSideOutput(nn.Module):
    """Layers on (batch, tokens, features), as in a transformer: a Linear whose product is
    reshaped back to three dimensions, a LayerNorm, a Squash; and a spoilable side output."""

    def __init__(self):
        super().__init__()
        self.embed, self.norm, self.squash = nn.Linear(4, 6), nn.LayerNorm(6), Squash(6)
        self.head = nn.Linear(6, 2)
        self.spoil = False

    def forward(self, x):
        h = self.squash(self.norm(self.embed(x.reshape(len(x), 2, 2).repeat(1, 1, 2))))
        side = h * (math.inf if self.spoil else 1.0)
        return self.head(h.mean(dim=1)), side


@pytest.mark.parametrize("build", [WithSideOutput, TokensWithSideOutput])
def test_a_step_measured_because_its_output_turned_nonfinite_matches_one_measured_anyway(build):
    # Between recorded steps the layers have no hooks; when the model's output turns
    # non-finite, the recorder finds each layer's output in the graph from its weights (the
    # kind of node that computed it at the recorded steps) and hooks it there. Its numbers must
    # be those of the same step measured from the start (a twin recording every step), for
    # every layer but one whose output no node taking its weight computes (Squash): that one
    # is not measured at that step.
    torch.manual_seed(11)
    model = build().double()
    twin = copy.deepcopy(model)
    batches = _classes(8, (4,), classes=2)
    recs = []
    for m, every in ((model, 10), (twin, 1)):
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        with gradbook.torch.watch(m, opt, every=every) as rec:
            for k in range(4):
                m.spoil = k == 2
                logits, _ = m(batches(k)[0])
                loss = nn.functional.cross_entropy(logits, batches(k)[1])
                opt.zero_grad()
                loss.backward()
                opt.step()
                rec.step(loss)
        recs.append(rec.run)
    between, every_step = recs
    assert between.recorded_steps == [0, 2]  # step 2 for its non-finite side output
    got, want = between.step(2), every_step.step(2)
    assert np.all(np.isfinite(want.grad_norms)) and np.all(np.isfinite(want.weight_grad_norms))
    modules = dict(model.named_modules())
    found = np.array([not isinstance(modules[layer.name], Squash) for layer in between.layers])
    assert list(got.measured) == list(found) and found.sum() >= 3
    np.testing.assert_array_equal(got.grad_norms[found], want.grad_norms[found])
    np.testing.assert_array_equal(got.weight_grad_norms, want.weight_grad_norms)
    assert got.update_ratios == want.update_ratios


def test_every_n_steps_matches_autograd_at_the_recorded_steps():
    torch.manual_seed(6)
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref, batches = Reference(model), _classes(16, (5,))
    with gradbook.torch.watch(model, opt, every=4) as rec:
        for k in range(10):
            expected = ref.step(model, opt, *batches(k), nn.functional.cross_entropy)
            rec.step(expected["loss_tensor"])
            if k % 4 == 0:
                check_step(rec, expected, True)
    assert rec.run.recorded_steps == [0, 4, 8]


def test_a_loss_that_overflows_alone_is_recorded_between_steps():
    # The output stays finite; only the loss (log of 0) is not: the step is recorded, with its
    # loss, and its layers as not measured (the hooks had already let the step pass).
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    with gradbook.torch.watch(model, every=5) as rec:
        for k in range(3):
            out = model(torch.randn(4, 3))
            loss = out.sum() if k < 2 else (out * 0).sum().log()  # log(0) at step 2
            loss.backward()
            rec.step(loss)
    assert rec.run.recorded_steps == [0, 2]
    assert rec.run.first_nonfinite_step == 2
    assert rec.run.losses[-1] == -math.inf
    assert not rec.run.measured[-1].any()


def _hook_count(model, optimizer) -> int:
    """Every hook on the model's modules, its parameters and the optimizer, counted here."""
    modules = sum(len(m._forward_hooks) for m in model.modules())
    params = sum(len(p._post_accumulate_grad_hooks or {}) for p in model.parameters())
    steps = len(optimizer._optimizer_step_pre_hooks) + len(optimizer._optimizer_step_post_hooks)
    return modules + params + steps


def test_between_recorded_steps_only_the_models_output_is_hooked():
    # Between records the layers' and the optimizer's hooks are gone (PyTorch's dispatch of
    # them costs a step time for nothing); they are back for each recorded step.
    model = ResidualNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = _hook_count(model, opt)
    counts = []
    with gradbook.torch.watch(model, opt, every=3) as rec:
        for _ in range(6):
            counts.append(_hook_count(model, opt) - before)  # at the start of each step
            loss = model(torch.randn(4, 4)).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec.step(loss)
    layers = len(rec.layers)
    assert layers >= 3
    recorded = 1 + layers + 2  # the model's output, each layer, the optimizer's two
    assert counts == [recorded, 1, 1, recorded, 1, 1]
    assert rec.run.recorded_steps == [0, 3]


def test_close_removes_every_hook_and_the_with_statement_does_too():
    model = ResidualNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = _hook_count(model, opt)
    rec = gradbook.torch.watch(model, opt)
    assert _hook_count(model, opt) - before == rec.hook_count > 0
    rec.close()
    assert _hook_count(model, opt) == before and rec.hook_count == 0
    with pytest.raises(RuntimeError, match="closed"):
        rec.step(1.0)
    with gradbook.torch.watch(model, opt) as rec:
        assert _hook_count(model, opt) > before
    assert _hook_count(model, opt) == before
    # The model still trains, untouched, with no recorder.
    loss = model(torch.randn(2, 4)).sum()
    loss.backward()
    opt.step()


def test_no_tensor_outlives_its_step():
    torch.manual_seed(8)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    rec = gradbook.torch.watch(model, opt)
    out = model(torch.randn(4, 4))
    gone = weakref.ref(out)
    loss = out.sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    rec.step(loss)
    del out, loss
    gc.collect()
    assert gone() is None, "the recorder kept the step's output alive"

    def tensors(value, depth=0):
        if isinstance(value, torch.Tensor):
            yield value
        elif isinstance(value, dict) and depth < 3:
            for k, v in value.items():
                yield from tensors(k, depth + 1)
                yield from tensors(v, depth + 1)
        elif isinstance(value, (list, tuple)) and depth < 3:
            for v in value:
                yield from tensors(v, depth + 1)

    # What stays is the recorder's fixed workspace: one buffer per weight for its copy before
    # the optimizer's step (the update ratios' pool), and one scratch buffer per dtype, the same
    # tensors at every step.
    updates = rec._updates
    kept = {k: v for k, v in vars(rec).items() if k not in ("model", "optimizer", "_scratch")}
    kept |= {f"updates.{k}": v for k, v in vars(updates).items() if k not in ("_pool", "_scratch")}
    params = {id(p) for p in model.parameters()}
    assert [t for t in tensors(kept) if id(t) not in params] == []
    weights = [model[0].weight, model[2].weight]
    assert sorted(updates._pool) == sorted(id(w) for w in weights)
    assert all(updates._pool[id(w)].numel() == w.numel() for w in weights)

    def workspace() -> set[int]:
        return {id(t) for t in tensors([rec._scratch, updates._pool])}

    held = workspace()
    for _ in range(3):
        loss = model(torch.randn(4, 4)).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        rec.step(loss)
    assert workspace() == held
    rec.close()
    assert workspace() == set()


def test_bad_arguments_get_one_clear_error():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        gradbook.torch.watch("model")
    with pytest.raises(TypeError, match="Optimizer"):
        gradbook.torch.watch(model, "sgd")
    for every in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="every must be a whole number"):
            gradbook.torch.watch(model, every=every)
    with gradbook.torch.watch(model) as rec:
        with pytest.raises(ValueError, match="nothing recorded yet"):
            rec.table()
        with pytest.raises(TypeError, match="loss must be"):
            rec.step("0.5")
        with pytest.raises(ValueError, match="one number"):
            rec.step(torch.ones(2))
        rec.step(0.5)  # a plain number is a loss too
    assert rec.run.losses.tolist() == [0.5]


def test_gradient_accumulation_measures_the_whole_batch():
    # Two micro-batches, two backward passes, one optimizer step: a layer's signal is over
    # both halves (the step's whole batch), and |dL/dW| is of the summed gradient.
    torch.manual_seed(9)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref = Reference(model)
    x, y = _classes(16, (4,), classes=2)(0)
    with gradbook.torch.watch(model, opt) as rec:
        opt.zero_grad()
        losses = []
        for half in (slice(0, 8), slice(8, 16)):
            loss = nn.functional.cross_entropy(model(x[half]), y[half]) / 2
            loss.backward()
            losses.append(loss.detach())
        expected = [norm(_numpy([t.grad for t in ref.outputs[m]])) for m in ref.order]
        dw = [norm(m.weight.grad.numpy()) for m in ref.order]
        opt.step()
        rec.step(sum(losses))
    np.testing.assert_allclose(rec.run.grad_norms[0], expected, rtol=RTOL)
    np.testing.assert_allclose(rec.run.weight_grad_norms[0], dw, rtol=RTOL)
    assert [info.calls for info in rec.run.layers] == [2, 2]


def test_weights_changed_between_backward_and_the_optimizer_step_are_compared_as_stepped():
    # The copy for the update ratio is taken during backward; a weight changed after it (a
    # max-norm constraint, a manual decay) is copied again, so the ratio compares the weights
    # the optimizer's step started from, as without that shortcut.
    torch.manual_seed(10)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = _classes(16, (4,), classes=2)(0)
    with gradbook.torch.watch(model, opt) as rec:
        for _ in range(2):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            with torch.no_grad():
                model[0].weight.mul_(0.5)
            before = [m.weight.detach().numpy().copy() for m in (model[0], model[2])]
            opt.step()
            rec.step(loss)
            after = [m.weight.detach().numpy() for m in (model[0], model[2])]
            expected = [np.std(a - b) / np.std(b) for a, b in zip(after, before, strict=True)]
            np.testing.assert_allclose(rec.run.ratios[-1], expected, rtol=RTOL)


class Branchy(nn.Module):
    """A layer that only some steps reach, and one first reached at step 1."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)
        self.extra = nn.Linear(3, 3)
        self.out = nn.Linear(3, 2)
        self.use_extra = False

    def forward(self, x):
        h = self.a(x)
        if self.use_extra:
            h = self.extra(h)
        return self.out(h)


def test_a_layer_not_reached_at_a_step_is_not_measured_there(tmp_path):
    torch.manual_seed(10)
    model = Branchy()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with gradbook.torch.watch(model, opt) as rec:
        for k in range(4):
            model.use_extra = k % 2 == 1
            loss = model(torch.randn(5, 3)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec.step(loss)
    # "extra" was first reached at step 1, after "out": the order is that of first reach.
    assert rec.layers == ["a", "out", "extra"]
    extra = rec.run.measured[:, 2]
    assert extra.tolist() == [False, True, False, True]
    assert rec.run.measured[:, :2].all()
    data = json.loads(rec.save(tmp_path / "run.json").read_text())
    jsonschema.Draft202012Validator(gradbook.runfile.schema()).validate(data)
    assert [row[2] is None for row in data["gradNormLog10"]] == [True, False, True, False]
    assert "-" in rec.run.steps[0].table().splitlines()[3]


def test_histograms_are_kept_for_a_bounded_number_of_steps_spread_over_the_run():
    torch.manual_seed(11)
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 2))
    with gradbook.torch.watch(model) as rec:
        for _ in range(100):
            loss = model(torch.randn(4, 3)).pow(2).mean()
            model.zero_grad()
            loss.backward()
            rec.step(loss)
    kept = sorted(rec.run.histograms)
    assert 6 <= len(kept) <= gradbook.torch.MAX_HISTOGRAM_STEPS
    assert kept[0] == 0 and kept[-1] >= 80  # from the start to near the end
    gaps = np.diff(kept)
    assert gaps.min() == gaps.max()  # evenly spread


BUDGET = 1_000_000  # bytes per 1,000 recorded steps of a 50-layer model


def _size_beside_histograms(path) -> int:
    """The file's size less its histograms' (which do not grow with the run)."""
    text = path.read_text(encoding="utf-8")
    hists = json.dumps(json.loads(text)["histograms"], separators=(",", ":"))
    assert hists in text
    return len(text.encode()) - len(hists.encode())


def test_a_real_50_layer_runs_file_grows_by_at_most_1_mb_per_1000_steps(tmp_path):
    # A 50-layer sigmoid MLP: its gradients vanish to 1e-10 and below, whose log10s take the
    # most room an entry can ("-23.4,"). The growth between two saves is the per-step cost;
    # the histograms are a bounded part apart (a dozen steps however long the run), so they
    # are left out of it.
    torch.manual_seed(12)
    layers = []
    for _ in range(49):
        layers += [nn.Linear(4, 4), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(4, 2)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = _classes(8, (4,), classes=2)(0)
    sizes = {}
    with gradbook.torch.watch(model, opt) as rec:
        for k in range(1, 301):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec.step(loss)
            if k in (100, 300):
                sizes[k] = _size_beside_histograms(rec.save(tmp_path / f"run-{k}.json"))
    assert len(rec.layers) == 50
    assert rec.run.products[-1, 0] < 1e-10  # the entries are the long ones
    per_1000 = (sizes[300] - sizes[100]) / 200 * 1000
    assert per_1000 <= BUDGET, f"{per_1000:.0f} bytes per 1,000 recorded steps"


@pytest.mark.parametrize("hint", [None, -100, 0, 60, 100])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "case",
    ["plain", "tiny", "huge", "scale near 1", "zeros", "nan", "inf", "one entry", "one giant",
     "long and tiny"],
)  # fmt: skip
def test_norms_and_spreads_match_numpys_where_float_arithmetic_is_tight(dtype, case, hint):
    # The recorder's fast paths (a sum of squares in the tensor's own precision, scaled by the
    # power of two a place's last step needed, a spread from the sum and sum of squares)
    # against gradbook.trace.norm and np.std on the same numbers in float64, including entries
    # whose squares underflow or overflow, and from hints that fit or are far off (None: none).
    rng = np.random.default_rng(13)
    giant = rng.normal(size=5000) * 1e-30
    giant[17] = 1e-3
    values = {
        "plain": rng.normal(size=5000),
        "tiny": rng.normal(size=5000) * 1e-25,
        "huge": rng.normal(size=5000) * (1e25 if dtype == "float32" else 1e200),
        "scale near 1": 1 + rng.normal(size=5000) * 1e-3,
        "zeros": np.zeros(100),
        "nan": np.array([1.0, np.nan, 2.0]),
        "inf": np.array([1.0, np.inf, 2.0]),
        "one entry": np.array([3.0]),
        "one giant": giant,  # the scale must suit the largest entry, not the typical one
        "long and tiny": rng.normal(size=3 * gradbook.torch.norms.CHUNK + 5) * 1e-22,  # in chunks
    }[case]
    t = torch.tensor(values, dtype=getattr(torch, dtype))
    exact = t.double().numpy()  # the numbers the tensor holds
    scale, scratch = gradbook.torch.norms.Scale(), {} if hint is not None else None
    scale.k = hint or 0
    got_norm = float(gradbook.torch.norms.norm(t, scale, scratch))
    again = float(gradbook.torch.norms.norm(t, scale, scratch))  # from the scale it settled on
    got_std = float(gradbook.torch.norms.std(t, gradbook.torch.norms.Scale(), scratch))
    with np.errstate(all="ignore"):
        want_std = float(np.std(exact)) if case != "huge" else float(np.std(exact / 1e100)) * 1e100
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for got, want in ((got_norm, norm(exact)), (again, norm(exact)), (got_std, want_std)):
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want, rel=rtol, abs=0), (got, want)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_histograms_match_the_simulators_at_every_bin_bound(dtype):
    # The recorder bins by a log in the tensor's own precision, corrected against the exact
    # bounds of each bin; every count must be gradbook.trace.log_histogram's (numpy, float64),
    # for the values right at each bound and either side of it, and everything off the grid.
    torch_dtype = getattr(torch, dtype)
    exact = torch_dtype if dtype in ("float32", "float64") else torch.float32
    bounds = torch.from_numpy(gradbook.torch.histograms.bounds_of(exact))
    neighbours = [
        torch.nextafter(bounds, torch.zeros_like(bounds)),
        bounds,
        torch.nextafter(bounds, torch.full_like(bounds, math.inf)),
    ]
    rng = np.random.default_rng(21)
    spread = torch.from_numpy(10.0 ** rng.uniform(-30, 30, 20000)) * torch.from_numpy(
        rng.choice([-1.0, 1.0], 20000)
    )
    special = torch.tensor([0.0, -0.0, math.nan, math.inf, -math.inf, 1e-300, 1e300])
    values = torch.cat([*(b.double() for b in neighbours), spread, special])
    t = values.to(torch_dtype)  # what the tensor holds (rounded, flushed or overflowed)
    counts = gradbook.torch.histograms.histogram(t).tolist()
    got = gradbook.torch.histograms.to_histogram(counts)
    want = log_histogram(t.double().numpy())
    assert got.counts.tolist() == want.counts.tolist()
    assert (got.below, got.above, got.zero, got.nonfinite) == (
        want.below,
        want.above,
        want.zero,
        want.nonfinite,
    )
    assert sum(counts) == t.numel()
