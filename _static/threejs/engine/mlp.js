// The MLP's forward and backward passes (src/gradbook/mlp.py), in float64 with the simulator's
// operation order. Hidden layer l: z = h W_l + b_l, optional batch norm, a = f(z); with a skip
// (residual on and widths matching) h_next = h + F(h) where F(h) = a R_l + r_l, the block
// ending in a linear layer as ResNet's do. Pure module.

import * as skip from '../skip.js';
import * as activations from './activations.js';
import * as batchnorm from './batchnorm.js';
import { add, addRow, colSum, Matrix, matmul, matmulBT, matmulTA } from './linalg.js';

/** The residual branch's parameter names: R_l (width x width) and its bias r_l. */
export const RESIDUAL_NAMES = { weight: (l) => `R${l}`, bias: (l) => `r${l}` };

/** Whether hidden layer l adds its input back (only where the widths match). */
export function hasSkip(config, l) {
  return skip.hasSkip(config.residual, l === 1 ? config.input_dim : config.width, config.width);
}

/** The weight matrix feeding each hidden layer, first layer first (the trace's dW). */
export function weightNames(config) {
  return Array.from({ length: config.depth }, (_, i) => `W${i + 1}`);
}

/** Output (Matrix) for inputs x (Matrix, batch x input_dim), and the cache for backward. */
export function forward(config, params, x) {
  const act = activations.get(config.activation, config.leaky_slope);
  let h = x;
  const layers = [];
  for (let l = 1; l <= config.depth; l++) {
    let z = addRow(matmul(h, params[`W${l}`]), params[`b${l}`]);
    let bn = null;
    if (config.batchnorm) {
      const out = batchnorm.forward(z, params[`gamma${l}`], params[`beta${l}`], config.bn_eps);
      z = out.y;
      bn = out.cache;
    }
    const a = new Matrix(z.rows, z.cols, act.f(z.data));
    let next = a;
    if (hasSkip(config, l)) {
      const R = params[RESIDUAL_NAMES.weight(l)];
      next = add(h, addRow(matmul(a, R), params[RESIDUAL_NAMES.bias(l)]));
    }
    layers.push({ h, z, a, bn, next });
    h = next;
  }
  const out = addRow(matmul(h, params.W_out), params.b_out);
  return { out, cache: { layers, top: h } };
}

/**
 * Parameter gradients (in the simulator's insertion order) and per-layer arrays, first layer
 * first: dhs (dL/dh reaching each layer's output), dWs (dL/dW_l), hs (each layer's output),
 * zas (each layer's pre-activation z and activation a, for slopes and saturation).
 */
export function backward(config, params, cache, dout) {
  const act = activations.get(config.activation, config.leaky_slope);
  const { layers, top } = cache;
  const grads = { W_out: matmulTA(top, dout), b_out: colSum(dout) };
  let dh = matmulBT(dout, params.W_out);
  const dhs = [];
  const dWs = [];
  const hs = [];
  const zas = [];
  for (let l = config.depth; l >= 1; l--) {
    const { h, z, a, bn, next } = layers[l - 1];
    dhs.push(dh);
    hs.push(next);
    zas.push({ z, a });
    const skip = hasSkip(config, l);
    let da = dh;
    if (skip) {
      grads[RESIDUAL_NAMES.weight(l)] = matmulTA(a, dh);
      grads[RESIDUAL_NAMES.bias(l)] = colSum(dh);
      da = matmulBT(dh, params[RESIDUAL_NAMES.weight(l)]);
    }
    const slope = act.slope(z.data, a.data);
    for (let i = 0; i < slope.length; i++) slope[i] *= da.data[i];
    let dz = new Matrix(z.rows, z.cols, slope);
    if (bn !== null) {
      const back = batchnorm.backward(dz, bn);
      dz = back.dz;
      grads[`gamma${l}`] = back.dgamma;
      grads[`beta${l}`] = back.dbeta;
    }
    grads[`W${l}`] = matmulTA(h, dz);
    grads[`b${l}`] = colSum(dz);
    dWs.push(grads[`W${l}`]);
    const dhIn = matmulBT(dz, params[`W${l}`]);
    // The skip path hands the gradient down unchanged: dL/dh_l = dL/dh_{l+1} (I + dF/dh).
    dh = skip ? add(dhIn, dh) : dhIn;
  }
  return { grads, dhs: dhs.reverse(), dWs: dWs.reverse(), hs: hs.reverse(), zas: zas.reverse() };
}
