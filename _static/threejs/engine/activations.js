// The simulator's activations (src/gradbook/activations.py), each with its slope f'(z) beside
// it, computed with the same operations so float64 results agree. Pure module.

export const NAMES = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'];

function map(src, fn) {
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = fn(src[i]);
  return out;
}


/** { f(z), slope(z, a) } on Float64Arrays, for the activation called `name`. */
export function get(name, leakySlope = 0.01) {
  switch (name) {
    case 'sigmoid':
      return {
        // 0.5 (1 + tanh(z/2)): equal to 1 / (1 + e^-z) and never overflows, as in Python.
        f: (z) => map(z, (v) => 0.5 * (1 + Math.tanh(0.5 * v))),
        slope: (z, a) => map(a, (s) => (1 - s) * s),
      };
    case 'tanh':
      return { f: (z) => map(z, Math.tanh), slope: (z, a) => map(a, (s) => 1 - s * s) };
    case 'relu':
      // Math.max keeps NaN as NaN, as np.maximum does.
      return { f: (z) => map(z, (v) => Math.max(v, 0)), slope: (z) => map(z, (v) => (v > 0 ? 1 : 0)) };
    case 'leaky_relu':
      return {
        f: (z) => map(z, (v) => (v > 0 ? v : leakySlope * v)),
        slope: (z) => map(z, (v) => (v > 0 ? 1 : leakySlope)),
      };
    case 'linear':
      return { f: (z) => z.slice(), slope: (z) => new Float64Array(z.length).fill(1) };
    default:
      throw new RangeError(`unknown activation ${JSON.stringify(name)}: allowed values are ${NAMES.join(', ')}`);
  }
}

