// A vanilla recurrent net unrolled in time, with backpropagation through time
// (src/gradbook/rnn.py): h_t = f(h_{t-1} W_hh + x_t W_xh + b) for t = 1..T from h_0 = 0; the
// loss is taken on h_T W_out + b_out. Going back one step multiplies the backward signal by
// diag(f'(z_t)) W_hh^T, so its size after many steps is governed by W_hh's largest singular
// value. Pure module.
import * as activations from './activations.js';
import * as init from './init.js';
import { add, addRow, colSum, Matrix, matmul, matmulBT, matmulTA, qrPositive } from './linalg.js';
import { Model } from './model.js';

/** rnn.scaled_orthogonal: rho times a random n x n orthogonal matrix (every singular value rho). */
export function scaledOrthogonal(n, rho, rng) {
  const { q } = qrPositive(new Matrix(n, n, rng.normal(0, 1, n * n)));
  for (let i = 0; i < q.data.length; i++) q.data[i] *= rho;
  return q;
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

function accumulate(into, more) {
  for (let i = 0; i < into.length; i++) into[i] += more[i];
}

/** A seeded vanilla RNN for a config of kind "rnn": new RNN(config, { seed }). */
export class RNN extends Model {
  static kind = 'rnn';

  initParams(rng) {
    const c = this.config;
    return {
      W_hh: scaledOrthogonal(c.hidden, c.rho, rng),
      W_xh: init.weights('xavier', c.input_dim, c.hidden, rng),
      b: new Float64Array(c.hidden),
      W_out: init.weights('xavier', c.hidden, c.output_dim, rng),
      b_out: new Float64Array(c.output_dim),
    };
  }

  weightNames() {
    return ['W_hh', 'W_xh', 'W_out'];
  }

  timeSteps() {
    return this.config.steps;
  }

  /** The output for sequences x ({ data, shape: [batch, steps, input_dim] }), and the cache. */
  forward(x) {
    const p = this.params;
    const act = activations.get(this.config.activation);
    const [n, steps] = x.shape;
    let h = new Matrix(n, this.config.hidden);
    const cache = [];
    for (let t = 0; t < steps; t++) {
      const xt = inputAt(x, t);
      const z = addRow(add(matmul(h, p.W_hh), matmul(xt, p.W_xh)), p.b);
      const a = new Matrix(z.rows, z.cols, act.f(z.data));
      cache.push({ h, z, a, xt }); // h_{t-1}, z_t, h_t, x_t
      h = a;
    }
    return { out: addRow(matmul(h, p.W_out), p.b_out), cache: { steps: cache, top: h } };
  }

  /**
   * Parameter gradients and one LayerPass per time step (step 1 first), from dL/dout. Every
   * step uses the same weights, so each adds its share to their gradients.
   */
  backward(cache, dout) {
    const p = this.params;
    const act = activations.get(this.config.activation);
    const { steps, top } = cache;
    const grads = {};
    for (const [k, v] of Object.entries(p)) {
      grads[k] = v instanceof Matrix ? new Matrix(v.rows, v.cols) : new Float64Array(v.length);
    }
    grads.W_out = matmulTA(top, dout);
    grads.b_out = colSum(dout);
    let dh = matmulBT(dout, p.W_out);
    const passes = [];
    for (let t = steps.length - 1; t >= 0; t--) {
      const { h, z, a, xt } = steps[t];
      const slope = act.slope(z.data, a.data); // a new array: dz = f'(z) * dh, in place
      for (let i = 0; i < slope.length; i++) slope[i] *= dh.data[i];
      const dz = new Matrix(z.rows, z.cols, slope);
      const dWhh = matmulTA(h, dz); // this step's share of dL/dW_hh
      accumulate(grads.W_hh.data, dWhh.data);
      accumulate(grads.W_xh.data, matmulTA(xt, dz).data);
      accumulate(grads.b, colSum(dz));
      passes.push({ dh, dW: dWhh, h: a, z, a, activation: act });
      dh = matmulBT(dz, p.W_hh);
    }
    return { grads, passes: passes.reverse() };
  }
}
