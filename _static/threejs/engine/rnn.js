// The vanilla RNN unrolled in time, with backpropagation through time (src/gradbook/rnn.py):
// h_t = f(h_{t-1} W_hh + x_t W_xh + b) from h_0 = 0, loss on h_T W_out + b_out. Pure module.
import * as activations from './activations.js';
import { add, addRow, colSum, Matrix, matmul, matmulBT, matmulTA } from './linalg.js';

export function weightNames() {
  return ['W_hh', 'W_xh', 'W_out'];
}

/** Step t's inputs (batch x input_dim) from x, a { data, shape: [batch, steps, input_dim] }. */
export function inputAt(x, t) {
  const [n, steps, d] = x.shape;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) out[i * d + k] = x.data[(i * steps + t) * d + k];
  }
  return new Matrix(n, d, out);
}

export function forward(config, params, x) {
  const act = activations.get(config.activation);
  const [n, steps] = x.shape;
  let h = new Matrix(n, config.hidden);
  const cache = [];
  for (let t = 0; t < steps; t++) {
    const xt = inputAt(x, t);
    const z = addRow(add(matmul(h, params.W_hh), matmul(xt, params.W_xh)), params.b);
    const a = new Matrix(z.rows, z.cols, act.f(z.data));
    cache.push({ h, z, a, xt });
    h = a;
  }
  return { out: addRow(matmul(h, params.W_out), params.b_out), cache: { steps: cache, top: h } };
}

export function backward(config, params, cache, dout) {
  const act = activations.get(config.activation);
  const { steps, top } = cache;
  const grads = {};
  for (const [k, v] of Object.entries(params)) {
    grads[k] = v instanceof Matrix ? new Matrix(v.rows, v.cols) : new Float64Array(v.length);
  }
  grads.W_out = matmulTA(top, dout);
  grads.b_out = colSum(dout);
  let dh = matmulBT(dout, params.W_out);
  const dhs = [];
  const dWs = [];
  const hs = [];
  const zas = [];
  for (let t = steps.length - 1; t >= 0; t--) {
    const { h, z, a, xt } = steps[t];
    const slope = act.slope(z.data, a.data);
    for (let i = 0; i < slope.length; i++) slope[i] *= dh.data[i];
    const dz = new Matrix(z.rows, z.cols, slope);
    const dWt = matmulTA(h, dz); // this step's share of dL/dW_hh
    accumulate(grads.W_hh.data, dWt.data);
    accumulate(grads.W_xh.data, matmulTA(xt, dz).data);
    accumulate(grads.b, colSum(dz));
    dhs.push(dh);
    dWs.push(dWt);
    hs.push(a);
    zas.push({ z, a });
    dh = matmulBT(dz, params.W_hh);
  }
  return { grads, dhs: dhs.reverse(), dWs: dWs.reverse(), hs: hs.reverse(), zas: zas.reverse() };
}

function accumulate(into, add) {
  for (let i = 0; i < into.length; i++) into[i] += add[i];
}
