// What every engine network shares (src/gradbook/model.py): building from a config and a seed,
// and tracing one batch. A subclass (mlp.js, rnn.js) names its `kind`, draws its parameters in
// initParams, and writes forward and backward; tracing and input checks live here once.
//
// A config is one plain object with the simulator's field names and its `kind` ("mlp" or
// "rnn", what the Python config's type says): { kind: 'mlp', depth, width, activation, ... }.
// It travels whole; nothing takes a kind and a config apart. Pure module.

import { SPEC } from '../spec.js';
import { Matrix } from './linalg.js';
import * as losses from './losses.js';
import { allFinite } from './norm.js';
import { Generator } from './random.js';
import { assemble } from './trace.js';

/** The smallest batch batch norm accepts, as the simulator's config.MIN_BATCHNORM_BATCH. */
export const MIN_BATCHNORM_BATCH = SPEC.limits.minBatchnormBatch;

export class Model {
  /**
   * A network for `config`, its parameters drawn from `seed` as the simulator draws them, or
   * the given `params` ({ name: Matrix | Float64Array }, used as they are: tests load a
   * fixture's weights so).
   */
  constructor(config, { seed = 0, params = null } = {}) {
    const kind = this.constructor.kind;
    if (config?.kind !== kind)
      throw new TypeError(`a ${kind} needs a config with kind "${kind}", got ${config?.kind}`);
    this.config = config;
    this.seed = seed;
    this.params = params ?? this.initParams(new Generator(seed));
  }

  get kind() {
    return this.config.kind;
  }

  /** How many steps an input sequence has, or null for a plain (batch, features) input. */
  timeSteps() {
    return null;
  }

  /** One forward and backward pass on batch { x, y }, as a Trace. Overflow stays in the numbers. */
  lossAndTrace(batch) {
    checkBatch(this.config, batch, this.timeSteps());
    const { out, cache } = this.forward(batch.x);
    const { loss, dout } = losses.get(this.config.loss)(out, batch.y);
    const { grads, passes } = this.backward(cache, dout);
    return assemble(this.kind, loss, dout, grads, passes);
  }
}

/**
 * Check a batch { x, y } against the config with one clear message, as model.check_batch does.
 * x is a Matrix (batch x input_dim) or, with `timeSteps`, { data, shape: [batch, steps, dim] }.
 */
export function checkBatch(config, { x, y }, timeSteps = null) {
  const n = timeSteps === null ? x.rows : x.shape[0];
  const width = timeSteps === null ? x.cols : x.shape[2];
  if (n < 1) throw new RangeError('a batch needs at least 1 example');
  if (width !== config.input_dim)
    throw new RangeError(`x must have ${config.input_dim} features, got ${width}`);
  if (timeSteps !== null && x.shape[1] !== timeSteps) {
    throw new RangeError(`x must have ${timeSteps} time steps, got ${x.shape[1]}`);
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
