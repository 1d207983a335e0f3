// What one forward and backward pass reveals, layer by layer (src/gradbook/trace.py): a Trace
// holds the loss, the output gradient's norm, every parameter's gradient and one LayerTrace per
// hidden layer (or RNN time step), first layer first. A model's backward hands over one
// LayerPass per layer, { dh, dW, h, z, a, activation } as trace.LayerPass; `assemble` works out
// the norms, factors and running products, and every other statistic is computed when first
// read, as trace.py's cached properties are. Overflow is data: inf and NaN stay in the numbers.
// Pure module.
import { allFinite, globalNorm, norm, std } from './norm.js';

/** x / 0 is inf and 0 / 0 is NaN, as numpy's float64 division gives (trace._ratio). */
const ratio = (top, bottom) => top / bottom;

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

/** Each unit's backward-signal size: the norm of its column of dL/dh over the batch. */
export function neuronGrad(dh) {
  const { rows: n, cols: m, data } = dh;
  const out = new Float64Array(m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) out[j] += data[i * m + j] * data[i * m + j];
  for (let j = 0; j < m; j++) out[j] = Math.sqrt(out[j]);
  return out;
}

/** The share of columns (units) of a rows x cols slope whose every entry is exactly 0. */
export function deadShare(slope, rows, cols) {
  let dead = 0;
  for (let j = 0; j < cols; j++) {
    let off = true;
    for (let i = 0; i < rows && off; i++) off = slope[i * cols + j] === 0;
    if (off) dead++;
  }
  return dead / cols;
}

/**
 * One hidden layer (or one time step) in one backward pass, as trace.LayerTrace. `index`
 * counts from 1; gradNorm, factor and product are set; the rest is computed on first read.
 */
export class LayerTrace {
  #memo = new Map();

  constructor(index, pass, { gradNorm, factor, product }) {
    this.index = index;
    // The fields of LayerPass, in its order.
    this.dh = pass.dh; // dL/dh reaching this layer's output (batch x units)
    this.dW = pass.dW; // dL/dW for the weights that feed this layer
    this.h = pass.h; // the layer's output
    this.z = pass.z; // the activation's input (after batch norm, if any)
    this.a = pass.a; // f(z)
    this.activation = pass.activation;
    this.gradNorm = gradNorm; // the norm of dh over the whole batch
    this.factor = factor; // gradNorm / the layer above's (the output's for the top layer)
    this.product = product; // gradNorm / the output's: the factors multiplied together
  }

  #once(key, compute) {
    if (!this.#memo.has(key)) this.#memo.set(key, compute());
    return this.#memo.get(key);
  }

  get weightGradNorm() {
    return this.#once('weightGradNorm', () => norm(this.dW));
  }

  /** f'(z) for each example and unit (read it, never change it). */
  get slope() {
    return this.#once('slope', () => this.activation.slope(this.z.data, this.a.data));
  }

  get meanSlope() {
    return this.#once('meanSlope', () => meanAbs(this.slope));
  }

  get activationMean() {
    return this.#once('activationMean', () => mean(this.h.data));
  }

  get activationStd() {
    return this.#once('activationStd', () => std(this.h.data));
  }

  /** The share of (example, unit) pairs whose unit is saturated. */
  get saturated() {
    return this.#once(
      'saturated',
      () => this.activation.saturatedCount(this.z.data, this.a.data) / this.z.data.length,
    );
  }

  /**
   * The share of this layer's units that pass no gradient for any example of the batch: slope
   * exactly 0 everywhere (a ReLU unit whose input is never positive), as LayerTrace.dead.
   */
  get dead() {
    return this.#once('dead', () => deadShare(this.slope, this.z.rows, this.z.cols));
  }

  /** Each unit's backward-signal size: the norm of its column of dL/dh over the batch. */
  get neuronGrad() {
    return this.#once('neuronGrad', () => neuronGrad(this.dh));
  }
}

/** A whole forward and backward pass: the loss, the output gradient and every layer. */
export class Trace {
  #memo = new Map();

  constructor({ kind, loss, outputGradNorm, layers, grads }) {
    this.kind = kind; // "mlp" or "rnn"
    this.loss = loss;
    this.outputGradNorm = outputGradNorm; // where the backward pass starts
    this.layers = layers; // LayerTrace, first hidden layer (or time step 1) first
    this.grads = grads; // dL/d(parameter) for every parameter, by name
  }

  get gradNorms() {
    return this.layers.map((l) => l.gradNorm);
  }

  get weightGradNorms() {
    return this.layers.map((l) => l.weightGradNorm);
  }

  get factors() {
    return this.layers.map((l) => l.factor);
  }

  get products() {
    return this.layers.map((l) => l.product);
  }

  get deadShares() {
    return this.layers.map((l) => l.dead);
  }

  get saturatedShares() {
    return this.layers.map((l) => l.saturated);
  }

  /** The norm of all parameter gradients taken together as one vector. */
  get globalGradNorm() {
    if (!this.#memo.has('global')) this.#memo.set('global', globalNorm(this.grads));
    return this.#memo.get('global');
  }

  get isFinite() {
    if (!this.#memo.has('finite'))
      this.#memo.set(
        'finite',
        Number.isFinite(this.loss) && Object.values(this.grads).every(allFinite),
      );
    return this.#memo.get('finite');
  }
}

/**
 * A Trace from a backward pass (trace.assemble): dL/d(output), the parameter gradients and one
 * LayerPass per hidden layer (or time step), first layer first. Factors and products are worked
 * out here.
 */
export function assemble(kind, loss, dout, grads, passes) {
  const outNorm = norm(dout);
  const norms = passes.map((p) => norm(p.dh));
  const above = [...norms.slice(1), outNorm];
  const layers = passes.map(
    (p, i) =>
      new LayerTrace(i + 1, p, {
        gradNorm: norms[i],
        factor: ratio(norms[i], above[i]),
        product: ratio(norms[i], outNorm),
      }),
  );
  return new Trace({ kind, loss, outputGradNorm: outNorm, layers, grads });
}
