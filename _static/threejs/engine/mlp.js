// A multilayer perceptron with exact backpropagation, in matrix form (src/gradbook/mlp.py), in
// float64 with the simulator's operation order. Hidden layer l computes z = h W + b, then
// optional batch norm, then a = f(z); its output is h_next = a. A residual block (`residual`,
// where the widths match) ends in a linear layer, as ResNet's do, and adds its input back:
// h_next = h + (a R + r). Backward runs the same steps in reverse:
//
//     da = dh R^T,  dR = a^T dh,  dr = sum of dh over the batch     (residual blocks only)
//     dz = f'(z) * da                     (the activation; batch norm's backward follows if used)
//     dW = h^T dz,  db = sum of dz over the batch,  dh_below = dz W^T
//     dh_below += dh                      (the skip path hands the gradient down unchanged)
// Pure module.

import * as skip from '../skip.js';
import * as activations from './activations.js';
import * as batchnorm from './batchnorm.js';
import * as init from './init.js';
import { add, addRow, colSum, Matrix, matmul, matmulBT, matmulTA } from './linalg.js';
import { Model } from './model.js';

/** z = h W + b. */
export function denseForward(h, W, b) {
  return addRow(matmul(h, W), b);
}

/** dL/dh, dL/dW and dL/db from dL/dz. */
export function denseBackward(dz, h, W) {
  return { dh: matmulBT(dz, W), dW: matmulTA(h, dz), db: colSum(dz) };
}

const ones = (n) => new Float64Array(n).fill(1);

/** A seeded MLP for a config of kind "mlp": new MLP(config, { seed }). */
export class MLP extends Model {
  static kind = 'mlp';

  /**
   * The parameters in the simulator's draw order: per hidden layer W (and batch norm's gamma,
   * beta), then the read-out, always Xavier, then each residual block's last layer R.
   */
  initParams(rng) {
    const c = this.config;
    const dims = [c.input_dim, ...Array(c.depth).fill(c.width)];
    const p = {};
    for (let l = 1; l <= c.depth; l++) {
      p[`W${l}`] = init.weights(c.init, dims[l - 1], dims[l], rng);
      p[`b${l}`] = new Float64Array(dims[l]);
      if (c.batchnorm) {
        p[`gamma${l}`] = ones(dims[l]);
        p[`beta${l}`] = new Float64Array(dims[l]);
      }
    }
    // The read-out is always Xavier: the experiment is about the hidden layers.
    p.W_out = init.weights('xavier', c.width, c.output_dim, rng);
    p.b_out = new Float64Array(c.output_dim);
    // Residual blocks' last layers are drawn last, so a residual network's W and read-out are
    // those of the plain network with the same seed.
    for (let l = 1; l <= c.depth; l++) {
      if (this.hasSkip(l)) {
        p[`R${l}`] = init.weights(c.init, c.width, c.width, rng);
        p[`r${l}`] = new Float64Array(c.width);
      }
    }
    return p;
  }

  /** The weight matrix feeding each hidden layer, first layer first. */
  weightNames() {
    return Array.from({ length: this.config.depth }, (_, i) => `W${i + 1}`);
  }

  /** Whether hidden layer l adds its input back (only where the widths match). */
  hasSkip(l) {
    const c = this.config;
    return skip.hasSkip(c.residual, l === 1 ? c.input_dim : c.width, c.width);
  }

  /** The output (Matrix) for inputs x (Matrix, batch x input_dim), and the cache for backward. */
  forward(x) {
    const c = this.config;
    const p = this.params;
    const act = activations.get(c.activation, c.leaky_slope);
    let h = x;
    const layers = [];
    for (let l = 1; l <= c.depth; l++) {
      let z = denseForward(h, p[`W${l}`], p[`b${l}`]);
      let bn = null;
      if (c.batchnorm) {
        const out = batchnorm.forward(z, p[`gamma${l}`], p[`beta${l}`], c.bn_eps);
        z = out.y;
        bn = out.cache;
      }
      const a = new Matrix(z.rows, z.cols, act.f(z.data));
      const hNext = this.hasSkip(l) ? add(h, denseForward(a, p[`R${l}`], p[`r${l}`])) : a;
      layers.push({ h, z, a, bn, hNext });
      h = hNext;
    }
    return { out: denseForward(h, p.W_out, p.b_out), cache: { layers, top: h } };
  }

  /** Parameter gradients and one LayerPass per hidden layer (first first), from dL/dout. */
  backward(cache, dout) {
    const c = this.config;
    const p = this.params;
    const act = activations.get(c.activation, c.leaky_slope);
    const { layers, top } = cache;
    const grads = {};
    const read = denseBackward(dout, top, p.W_out);
    grads.W_out = read.dW;
    grads.b_out = read.db;
    let dh = read.dh;
    const passes = [];
    for (let l = c.depth; l >= 1; l--) {
      const { h, z, a, bn, hNext } = layers[l - 1];
      const skip = this.hasSkip(l);
      let da = dh;
      if (skip) {
        const branch = denseBackward(dh, a, p[`R${l}`]);
        da = branch.dh;
        grads[`R${l}`] = branch.dW;
        grads[`r${l}`] = branch.db;
      }
      const slope = act.slope(z.data, a.data); // a new array: dz = f'(z) * da, in place
      for (let i = 0; i < slope.length; i++) slope[i] *= da.data[i];
      let dz = new Matrix(z.rows, z.cols, slope);
      if (bn !== null) {
        const back = batchnorm.backward(dz, bn);
        dz = back.dz;
        grads[`gamma${l}`] = back.dgamma;
        grads[`beta${l}`] = back.dbeta;
      }
      const below = denseBackward(dz, h, p[`W${l}`]);
      grads[`W${l}`] = below.dW;
      grads[`b${l}`] = below.db;
      passes.push({ dh, dW: below.dW, h: hNext, z, a, activation: act });
      dh = skip ? add(below.dh, dh) : below.dh;
    }
    return { grads, passes: passes.reverse() };
  }
}
