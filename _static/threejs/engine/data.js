// The simulator's synthetic tasks (src/gradbook/data.py), drawn from the shared generator:
// two concentric circles for MLPs, "remember the first input" for RNNs, and the fixed
// held-out set that accuracy is measured on (data.held_out). Pure module.

import { SPEC } from '../spec.js';
import { Matrix } from './linalg.js';
import { Generator } from './random.js';

/** Examples in the held-out set that accuracy is measured on, as data.HELD_OUT_SIZE. */
export const HELD_OUT_SIZE = SPEC.heldOut.size;
/** The held-out set's own seed, one no training run uses by default: data.HELD_OUT_SEED. */
export const HELD_OUT_SEED = SPEC.heldOut.seed;

/**
 * n points on two concentric circles (radius `inner` is class 1, radius 1 class 0), jittered by
 * Gaussian noise, and their labels: data.circles, drawn in the same order.
 */
export function circles(n, rng, noise = 0.1, inner = 0.5) {
  const labels = rng.integers(0, 2, n);
  const angle = rng.uniform(0, 2 * Math.PI, n);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const radius = labels[i] === 1 ? inner : 1;
    x[2 * i] = radius * Math.cos(angle[i]);
    x[2 * i + 1] = radius * Math.sin(angle[i]);
  }
  const z = rng.normal(0, 1, 2 * n);
  for (let i = 0; i < x.length; i++) x[i] += noise * z[i];
  return { x: new Matrix(n, 2, x), labels };
}

/** Sequences whose label is the sign of the first input; the rest is noise (n, steps, d). */
export function rememberFirst(n, steps, rng, inputDim = 1) {
  const labels = rng.integers(0, 2, n);
  const z = rng.normal(0, 1, n * steps * inputDim);
  const data = z.map((v) => 0.2 * v);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputDim; k++) data[i * steps * inputDim + k] = labels[i] === 1 ? 1 : -1;
  }
  return { x: { data, shape: [n, steps, inputDim] }, labels };
}

/** n examples { x, labels } of the task that fits the config (its kind, shapes), as task_examples. */
export function taskExamples(config, n, rng) {
  if (config.kind === 'rnn') return rememberFirst(n, config.steps, rng, config.input_dim);
  if (config.input_dim === 2) return circles(n, rng);
  const x = new Matrix(n, config.input_dim, rng.normal(0, 1, n * config.input_dim));
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < config.input_dim; k++) s += x.data[i * config.input_dim + k];
    labels[i] = s > 0 ? 1 : 0;
  }
  return { x, labels };
}

/** A batch { x, y } of the task that fits the configuration (shapes, loss), as task_batch. */
export function taskBatch(config, n, rng) {
  const { x, labels } = taskExamples(config, n, rng);
  const k = config.output_dim;
  if (config.loss === 'mse') {
    const y = new Matrix(n, k);
    for (let i = 0; i < n; i++) y.data[i * k + (labels[i] % k)] = 1;
    return { x, y };
  }
  return { x, y: labels.map((v) => v % k) };
}

/**
 * The fixed held-out set for networks of this shape, as data.held_out: HELD_OUT_SIZE examples
 * of the task from a generator of their own (HELD_OUT_SEED), the same for every network of a
 * given kind, input width, output width and (for the RNN) number of time steps. { x, labels }.
 */
export function heldOut(config) {
  const { x, labels } = taskExamples(config, HELD_OUT_SIZE, new Generator(HELD_OUT_SEED));
  return { x, labels: labels.map((v) => v % config.output_dim) };
}
