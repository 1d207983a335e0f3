// The simulator's losses (src/gradbook/losses.py): the loss and dL/d(output) together.
// Pure module.
import { SPEC } from '../spec.js';
import { Matrix } from './linalg.js';

export const NAMES = SPEC.names.loss;

/** Mean softmax cross-entropy over the batch of logits (Matrix) for integer labels. */
export function crossEntropy(logits, labels) {
  const { rows: n, cols: k } = logits;
  const d = new Float64Array(n * k);
  let picked = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.data.subarray(i * k, (i + 1) * k);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v); // NaN wins, as with numpy's max
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const logZ = Math.log(sum);
    for (let j = 0; j < k; j++) {
      const logP = row[j] - max - logZ;
      d[i * k + j] = Math.exp(logP);
      if (j === labels[i]) picked += logP;
    }
    d[i * k + labels[i]] -= 1;
  }
  for (let i = 0; i < d.length; i++) d[i] /= n;
  return { loss: -(picked / n), dout: new Matrix(n, k, d) };
}

/** Half the squared error summed over outputs, averaged over the batch. */
export function mse(outputs, targets) {
  const n = outputs.rows;
  const diff = new Float64Array(outputs.data.length);
  let s = 0;
  for (let i = 0; i < diff.length; i++) {
    diff[i] = outputs.data[i] - targets.data[i];
    s += diff[i] * diff[i];
  }
  for (let i = 0; i < diff.length; i++) diff[i] /= n;
  return { loss: (0.5 * s) / n, dout: new Matrix(n, outputs.cols, diff) };
}

export function get(name) {
  if (name === 'cross_entropy') return crossEntropy;
  if (name === 'mse') return mse;
  throw new RangeError(
    `unknown loss ${JSON.stringify(name)}: allowed values are ${NAMES.join(', ')}`,
  );
}
