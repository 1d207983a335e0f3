// The simulator's activations (src/gradbook/activations.py), each with its slope f'(z) beside
// it, computed with the same operations so float64 results agree. Pure module.

export const NAMES = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'];

function map(src, fn) {
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = fn(src[i]);
  return out;
}

// saturated(z, a) counts the (example, unit) pairs that pass (almost) no gradient.
const countIf = (src, pred) => {
  let n = 0;
  for (const v of src) if (pred(v)) n++;
  return n;
};

/** { f(z), slope(z, a), saturatedCount(z, a) } on Float64Arrays, for the activation `name`. */
export function get(name, leakySlope = 0.01) {
  switch (name) {
    case 'sigmoid':
      return {
        // 0.5 (1 + tanh(z/2)): equal to 1 / (1 + e^-z) and never overflows, as in Python.
        f: (z) => map(z, (v) => 0.5 * (1 + Math.tanh(0.5 * v))),
        slope: (_z, a) => map(a, (s) => (1 - s) * s),
        // Near 0 or 1 the slope is under an eighth of its best value.
        saturatedCount: (_z, a) => countIf(a, (v) => v < 0.03 || v > 0.97),
      };
    case 'tanh':
      return {
        f: (z) => map(z, Math.tanh),
        slope: (_z, a) => map(a, (s) => 1 - s * s),
        saturatedCount: (_z, a) => countIf(a, (v) => Math.abs(v) > 0.97),
      };
    case 'relu':
      // Math.max keeps NaN as NaN, as np.maximum does. An off unit passes no gradient at all.
      return {
        f: (z) => map(z, (v) => Math.max(v, 0)),
        slope: (z) => map(z, (v) => (v > 0 ? 1 : 0)),
        saturatedCount: (z) => countIf(z, (v) => v <= 0),
      };
    case 'leaky_relu':
      return {
        f: (z) => map(z, (v) => (v > 0 ? v : leakySlope * v)),
        slope: (z) => map(z, (v) => (v > 0 ? 1 : leakySlope)),
        saturatedCount: () => 0,
      };
    case 'linear':
      return {
        f: (z) => z.slice(),
        slope: (z) => new Float64Array(z.length).fill(1),
        saturatedCount: () => 0,
      };
    default:
      throw new RangeError(
        `unknown activation ${JSON.stringify(name)}: allowed values are ${NAMES.join(', ')}`,
      );
  }
}
