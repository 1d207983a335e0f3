"""The simulator against the theory of gradient flow, each test with the paper it checks:

- Glorot and Bengio 2010, "Understanding the difficulty of training deep feedforward neural
  networks" (AISTATS): activation slopes, the variance argument, Xavier init;
- He, Zhang, Ren and Sun 2015, "Delving deep into rectifiers" (ICCV): ReLU halves the variance,
  He init keeps it;
- Ioffe and Szegedy 2015, "Batch normalization" (ICML): invariance to the scale of W;
- He, Zhang, Ren and Sun 2016, "Deep residual learning for image recognition" (CVPR): the skip
  path hands the gradient down unchanged;
- Pascanu, Mikolov and Bengio 2013, "On the difficulty of training recurrent neural networks"
  (ICML): rho^t growth and decay in RNNs, clipping by the global norm.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradbook import MLP, RNN, activations, train
from gradbook.clipping import clip_by_global_norm
from gradbook.trace import global_norm


@given(st.floats(-1e3, 1e3, allow_nan=False))
def test_sigmoid_slope_never_exceeds_a_quarter(z):
    sig = activations.SIGMOID
    assert sig.slope(np.array(z), sig.f(np.array(z))) <= 0.25


@pytest.mark.parametrize(
    ("x", "sigmoid_slope", "tanh_slope"),
    [(0, "0.25", "1.0"), (1, "0.197", "0.420"), (2, "0.105", "0.071"), (4, "0.018", "0.0013")],
)
def test_slopes_match_their_closed_forms_at_known_points(x, sigmoid_slope, tanh_slope):
    # sigmoid' = s (1 - s) and tanh' = 1 - tanh^2, rounded to the places written.
    for act, text in ((activations.SIGMOID, sigmoid_slope), (activations.TANH, tanh_slope)):
        z = np.array(float(x))
        decimals = len(text.split(".")[1])  # the table is rounded to this many places
        assert act.slope(z, act.f(z)) == pytest.approx(float(text), abs=0.5 * 10**-decimals)


def test_relu_passes_half_the_units_of_a_symmetric_input():  # He et al. 2015
    z = np.random.default_rng(0).normal(size=200_000)
    relu = activations.RELU
    assert np.mean(relu.slope(z, relu.f(z))) == pytest.approx(0.5, abs=0.01)
    assert np.mean(relu.f(z) ** 2) == pytest.approx(0.5, rel=0.02)  # E[ReLU(z)^2] = Var(z)/2


def _first_to_last(activation, init, depth=30, width=256, seed=0):
    trace = MLP(depth=depth, width=width, activation=activation, init=init, seed=seed).trace(
        batch_size=256, seed=seed
    )
    return trace, trace.grad_norms[0] / trace.grad_norms[-1]


@pytest.mark.parametrize(("activation", "init"), [("relu", "he"), ("tanh", "xavier")])
def test_good_pairs_keep_the_gradient_within_a_decade_over_30_layers(activation, init):
    # Glorot and Bengio 2010 for tanh + Xavier; He et al. 2015 for ReLU + He (30 layers, as theirs).
    _, ratio = _first_to_last(activation, init)
    assert 0.1 < ratio < 10


def test_xavier_with_relu_shrinks_the_gradient_by_one_over_root_two_per_layer():
    # He et al. 2015: Xavier ignores that ReLU zeroes half its inputs, so the variance halves.
    _trace, ratio = _first_to_last("relu", "xavier")
    per_layer = ratio ** (1 / 29)
    assert per_layer == pytest.approx(2**-0.5, rel=0.05)
    # And it really is a decay: dozens of layers lose several decades.
    assert ratio < 1e-3


def test_sigmoid_with_weights_ignored_loses_a_quarter_per_layer():
    # Linear read-out, identity-like weights are not possible for sigmoid, so check the bound:
    # every layer's factor is at most 0.25 times the largest singular value of its weights.
    net = MLP(depth=10, width=64, activation="sigmoid", init="xavier", seed=1)
    trace = net.trace()
    for l in range(1, 10):
        sigma = np.linalg.svd(net.params[f"W{l + 1}"], compute_uv=False)[0]
        assert trace.layers[l - 1].factor <= 0.25 * sigma + 1e-12


def test_one_wide_layer_of_unit_normal_weights_multiplies_the_signal_by_root_n():
    # Var(z) = n Var(W) Var(x) (Glorot and Bengio 2010): the std grows by sqrt(1000) = 31.6.
    net = MLP(depth=1, width=1000, input_dim=1000, activation="linear", init="normal:1.0", seed=2)
    x = np.random.default_rng(3).normal(size=(512, 1000))
    _, (_layers, h) = net.forward(x)
    assert np.std(h) / np.std(x) == pytest.approx(np.sqrt(1000), rel=0.03)


@pytest.mark.parametrize("c", [0.1, 3.0, 50.0])
def test_batchnorm_makes_the_backward_pass_invariant_to_the_scale_of_w(c):
    # Ioffe and Szegedy 2015, section 3.
    net = MLP(depth=4, width=32, activation="tanh", batchnorm=True, bn_eps=0.0, seed=4)
    base = net.trace(batch_size=64)
    net.params["W3"] = net.params["W3"] * c
    scaled = net.trace(batch_size=64)
    # The gradient reaching the layers below the scaled one is unchanged ...
    for l in (0, 1):
        np.testing.assert_allclose(scaled.layers[l].dh, base.layers[l].dh, rtol=1e-9, atol=1e-15)
    # ... and the scaled weights' own gradient shrinks by 1/c.
    np.testing.assert_allclose(scaled.grads["W3"], base.grads["W3"] / c, rtol=1e-9, atol=1e-15)


def test_without_batchnorm_the_same_rescaling_changes_the_gradient():
    net = MLP(depth=4, width=32, activation="tanh", seed=4)
    base = net.trace(batch_size=64)
    net.params["W3"] = net.params["W3"] * 3.0
    assert not np.allclose(net.trace(batch_size=64).layers[0].dh, base.layers[0].dh)


@pytest.mark.parametrize("rho", [0.8, 1.0, 1.25])
def test_a_linear_rnn_gradient_scales_as_rho_to_the_t(rho):
    # Pascanu et al. 2013: exactly rho^t, since every singular value of W_hh equals rho.
    # Squared error: a confident cross-entropy can round its gradient to exactly 0 at rho 1.25.
    rnn = RNN(steps=30, hidden=8, activation="linear", rho=rho, loss="mse", seed=5)
    trace = rnn.trace(batch_size=16)
    norms = trace.grad_norms  # step 1 first
    steps_back = np.arange(len(norms))[::-1]  # the last step is 0 steps back
    np.testing.assert_allclose(norms, norms[-1] * rho**steps_back, rtol=1e-9)
    np.testing.assert_allclose(trace.factors[:-1], rho, rtol=1e-9)


def test_tanh_rnn_below_one_over_gamma_vanishes():
    # Pascanu et al. 2013: a largest singular value below 1/gamma (gamma = max |f'| = 1 for
    # tanh) is sufficient for vanishing.
    trace = RNN(steps=60, hidden=16, activation="tanh", rho=0.9, seed=6).trace()
    assert trace.grad_norms[0] < 0.9**59 * trace.grad_norms[-1] * (1 + 1e-9)


def test_clipping_by_norm_leaves_the_global_norm_exactly_at_the_threshold():  # Pascanu 2013
    rng = np.random.default_rng(7)
    grads = {
        "W1": rng.normal(size=(5, 4)) * 100,
        "b1": rng.normal(size=4),
        "W2": rng.normal(size=3),
    }
    clipped, before, did = clip_by_global_norm(grads, 2.5)
    assert did and before > 2.5
    assert global_norm(clipped) == pytest.approx(2.5, rel=1e-12)
    for name in grads:  # same direction
        np.testing.assert_allclose(clipped[name] * before / 2.5, grads[name], rtol=1e-12)


def test_clipping_leaves_small_gradients_alone():
    grads = {"W": np.full((2, 2), 0.1)}
    clipped, _, did = clip_by_global_norm(grads, 1.0)
    assert not did and clipped["W"] is grads["W"]


def test_an_exploding_configuration_records_its_first_nonfinite_step(recwarn):
    net = MLP(depth=12, width=16, activation="relu", init="normal:1.0", seed=0)
    run = train(net, steps=50, lr=0.1, momentum=0.9)
    k = run.first_nonfinite_step
    assert k is not None and 0 < k < 50
    assert len(run.steps) == k + 1  # stopped right there
    assert all(np.isfinite(s.loss) for s in run.steps[:k])
    last = run.steps[k]
    assert not (np.isfinite(last.loss) and np.all(np.isfinite(last.grad_norms)))
    assert k in run.traces
    assert len(recwarn) == 0  # no numpy warning leaked


def test_clipping_does_nothing_for_vanishing_gradients():  # Pascanu et al. 2013
    net_a = MLP(depth=12, width=16, activation="sigmoid", init="standard", seed=0)
    net_b = MLP(depth=12, width=16, activation="sigmoid", init="standard", seed=0)
    plain = train(net_a, steps=20, lr=0.1)
    clipped = train(net_b, steps=20, lr=0.1, clip_norm=1.0)
    assert not any(s.clipped for s in clipped.steps)  # the gradient never gets that big
    np.testing.assert_array_equal(plain.losses, clipped.losses)


def test_the_skip_path_hands_the_gradient_down_unchanged():
    """He et al. 2016: with h_{l+1} = h_l + F(h_l), dL/dh_l = dL/dh_{l+1} (I + dF/dh_l). With
    every branch's last layer R set to 0, dF/dh = 0 and each residual layer's factor is 1."""
    net = MLP(depth=8, width=16, activation="sigmoid", init="standard", residual=True, seed=3)
    for l in range(2, 9):
        net.params[f"R{l}"] = np.zeros((16, 16))
    trace = net.trace()
    for l in range(1, 8):  # layer l's factor comes from layer l + 1's block
        np.testing.assert_array_equal(trace.layers[l - 1].dh, trace.layers[l].dh)
    # Without the skip, the same sigmoid network loses most of the gradient.
    plain = MLP(depth=8, width=16, activation="sigmoid", init="standard", seed=3).trace()
    assert plain.products[0] < 1e-4 * trace.products[0]


def test_batch_norm_removes_the_bias_before_it():
    """Ioffe and Szegedy 2015, section 3.2: the mean subtraction cancels b, so dL/db = 0."""
    trace = MLP(depth=4, width=8, activation="tanh", batchnorm=True, seed=1).trace()
    for l in range(1, 5):
        assert np.max(np.abs(trace.grads[f"b{l}"])) < 1e-12 * np.max(np.abs(trace.grads[f"W{l}"]))
