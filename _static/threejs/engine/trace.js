// One forward and backward pass, layer by layer, as the simulator's Trace
// (src/gradbook/model.py, trace.py): the loss, each hidden layer's (or time step's) gradient
// norm, weight-gradient norm, factor and running product, and every parameter's gradient.
// Overflow is data: inf and NaN stay in the numbers. Pure module.

import { SPEC } from '../spec.js';
import * as activations from './activations.js';
import { Matrix } from './linalg.js';
import * as losses from './losses.js';
import * as mlp from './mlp.js';
import { allFinite, globalNorm, norm, std } from './norm.js';
import * as rnn from './rnn.js';

/** The smallest batch batch norm accepts, as the simulator's config.MIN_BATCHNORM_BATCH. */
export const MIN_BATCHNORM_BATCH = SPEC.limits.minBatchnormBatch;

const MODELS = { mlp, rnn };

/** The module (forward, backward, weightNames) for kind "mlp" or "rnn". */
export function modelOf(kind) {
  const m = MODELS[kind];
  if (!m)
    throw new RangeError(`unknown model ${JSON.stringify(kind)}: allowed values are mlp, rnn`);
  return m;
}

/** x / 0 is inf and 0 / 0 is NaN, as numpy's float64 division gives (trace._ratio). */
const ratio = (top, bottom) => top / bottom;

/** Each unit's backward-signal size: the norm of its column of dL/dh over the batch. */
export function neuronGrad(dh) {
  const { rows: n, cols: m, data } = dh;
  const out = new Float64Array(m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) out[j] += data[i * m + j] * data[i * m + j];
  for (let j = 0; j < m; j++) out[j] = Math.sqrt(out[j]);
  return out;
}

function mean(values) {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

function meanAbs(values) {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.abs(values[i]);
  return s / values.length;
}

/**
 * The per-layer statistics of trace.LayerTrace (first layer first): gradNorm, weightGradNorm,
 * factor, product and each unit's neuronGrad; given `act` (the activation, for slopes), `zas`
 * (each layer's { z, a }) and `hs` (each layer's output), also meanSlope, saturated (share of
 * saturated units), activationMean and activationStd.
 */
export function assemble(loss, dout, dhs, dWs, grads, { act, zas, hs } = {}) {
  const outNorm = norm(dout);
  const norms = dhs.map(norm);
  const above = [...norms.slice(1), outNorm];
  const layers = norms.map((g, i) => {
    const layer = {
      index: i + 1,
      gradNorm: g,
      weightGradNorm: norm(dWs[i]),
      factor: ratio(g, above[i]),
      product: ratio(g, outNorm),
      neuronGrad: neuronGrad(dhs[i]),
    };
    if (act) {
      const { z, a } = zas[i];
      layer.meanSlope = meanAbs(act.slope(z.data, a.data));
      layer.saturated = act.saturatedCount(z.data, a.data) / z.data.length;
      layer.activationMean = mean(hs[i].data);
      layer.activationStd = std(hs[i].data);
    }
    return layer;
  });
  const finite = Number.isFinite(loss) && Object.values(grads).every(allFinite);
  return {
    loss,
    outputGradNorm: outNorm,
    layers,
    grads,
    isFinite: finite,
    globalGradNorm: globalNorm(grads),
  };
}

/** Check a batch against the configuration with one clear message, as model.check_batch does. */
export function checkBatch(kind, config, batch) {
  const { x, y } = batch;
  const n = kind === 'rnn' ? x.shape[0] : x.rows;
  const width = kind === 'rnn' ? x.shape[2] : x.cols;
  if (n < 1) throw new RangeError('a batch needs at least 1 example');
  if (width !== config.input_dim)
    throw new RangeError(`x must have ${config.input_dim} features, got ${width}`);
  if (kind === 'rnn' && x.shape[1] !== config.steps) {
    throw new RangeError(`x must have ${config.steps} time steps, got ${x.shape[1]}`);
  }
  if (!allFinite(x.data)) throw new RangeError('x must hold finite numbers only');
  // As model.MIN_BATCHNORM_BATCH: with fewer, normalizing over the batch leaves the gradient
  // almost nothing (2 examples) or swinging wildly between batches (3).
  if (config.batchnorm && n < MIN_BATCHNORM_BATCH)
    throw new RangeError(
      `batch norm needs at least ${MIN_BATCHNORM_BATCH} examples in a batch, got ${n}`,
    );
  if (config.loss === 'cross_entropy') {
    if (y.length !== n)
      throw new RangeError(`x and y must hold the same number of examples: ${n} vs ${y.length}`);
    for (const label of y) {
      if (!Number.isInteger(label) || label < 0 || label >= config.output_dim) {
        throw new RangeError(`class labels must be integers from 0 to ${config.output_dim - 1}`);
      }
    }
  } else if (!(y instanceof Matrix) || y.rows !== n || y.cols !== config.output_dim) {
    throw new RangeError(`with mse, y must be a ${n} x ${config.output_dim} matrix`);
  }
}

/**
 * The share of examples the output gets right: the largest output is the label (or, with mse,
 * the target's largest entry). A row with a non-finite output counts as wrong.
 */
export function accuracy(out, y) {
  const { rows: n, cols: k } = out;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let finite = true;
    for (let j = 0; j < k; j++) {
      const v = out.data[i * k + j];
      if (!Number.isFinite(v)) finite = false;
      if (v > out.data[i * k + best]) best = j;
    }
    let label = y[i];
    if (y instanceof Matrix) {
      label = 0;
      for (let j = 1; j < k; j++) if (y.data[i * k + j] > y.data[i * k + label]) label = j;
    }
    if (finite && best === label) right++;
  }
  return right / n;
}

/**
 * The accuracy on a held-out set { x, labels } (data.js heldOut), as train.held_out_accuracy:
 * a forward pass only (with batch norm the set is normalized by its own statistics, as one
 * batch), the share of examples whose largest output is their class, and NaN when the outputs
 * are not all finite (an overflowed network predicts nothing).
 */
export function heldOutAccuracy(kind, config, params, { x, labels }) {
  const { out } = modelOf(kind).forward(config, params, x);
  if (!allFinite(out.data)) return NaN;
  return accuracy(out, labels);
}

/**
 * One forward and backward pass on batch { x, y } with the given parameters. `activity: false`
 * leaves out the statistics of the forward signal (meanSlope, saturated, activationMean,
 * activationStd), which the lab does not show: a fifth of a trace's time at 50 x 64.
 */
export function lossAndTrace(kind, config, params, batch, { activity = true } = {}) {
  const model = modelOf(kind);
  checkBatch(kind, config, batch);
  const { out, cache } = model.forward(config, params, batch.x);
  const { loss, dout } = losses.get(config.loss)(out, batch.y);
  const { grads, dhs, dWs, hs, zas } = model.backward(config, params, cache, dout);
  if (!activity) return assemble(loss, dout, dhs, dWs, grads);
  const act = activations.get(config.activation, config.leaky_slope);
  return assemble(loss, dout, dhs, dWs, grads, { act, zas, hs });
}
