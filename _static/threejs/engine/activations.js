// The simulator's activations (src/gradbook/activations.py), each with its slope f'(z) beside
// it, computed with the same operations so float64 results agree. Pure module.
import { SPEC } from '../spec.js';

export const NAMES = SPEC.names.activation;
const SATURATED = SPEC.saturatedOutside; // name -> [low, high]: saturated outside

// Each function is its own loop rather than one shared map(src, fn): a shared loop calling a
// different closure for every activation is megamorphic in V8 and took a tenth of a trace.
const loop = {
  sigmoid(z) {
    const out = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) out[i] = 0.5 * (1 + Math.tanh(0.5 * z[i]));
    return out;
  },
  sigmoidSlope(a) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = (1 - a[i]) * a[i];
    return out;
  },
  tanh(z) {
    const out = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) out[i] = Math.tanh(z[i]);
    return out;
  },
  tanhSlope(a) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = 1 - a[i] * a[i];
    return out;
  },
  relu(z) {
    const out = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) out[i] = Math.max(z[i], 0);
    return out;
  },
  step(z, below) {
    const out = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) out[i] = z[i] > 0 ? 1 : below;
    return out;
  },
  leaky(z, slope) {
    const out = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) out[i] = z[i] > 0 ? z[i] : slope * z[i];
    return out;
  },
};

// saturated(z, a) counts the (example, unit) pairs that pass (almost) no gradient.
function countOutside(a, lo, hi) {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] < lo || a[i] > hi) n++;
  return n;
}

function countAtMost(z, limit) {
  let n = 0;
  for (let i = 0; i < z.length; i++) if (z[i] <= limit) n++;
  return n;
}

/** { f(z), slope(z, a), saturatedCount(z, a) } on Float64Arrays, for the activation `name`. */
export function get(name, leakySlope = SPEC.defaults.mlp.leaky_slope) {
  switch (name) {
    case 'sigmoid':
      return {
        // 0.5 (1 + tanh(z/2)): equal to 1 / (1 + e^-z) and never overflows, as in Python.
        f: loop.sigmoid,
        slope: (_z, a) => loop.sigmoidSlope(a),
        // Near 0 or 1 the slope is under an eighth of its best value.
        saturatedCount: (_z, a) => countOutside(a, ...SATURATED.sigmoid),
      };
    case 'tanh':
      return {
        f: loop.tanh,
        slope: (_z, a) => loop.tanhSlope(a),
        saturatedCount: (_z, a) => countOutside(a, ...SATURATED.tanh),
      };
    case 'relu':
      // Math.max keeps NaN as NaN, as np.maximum does. An off unit passes no gradient at all.
      return {
        f: loop.relu,
        slope: (z) => loop.step(z, 0),
        saturatedCount: (z) => countAtMost(z, 0),
      };
    case 'leaky_relu':
      return {
        f: (z) => loop.leaky(z, leakySlope),
        slope: (z) => loop.step(z, leakySlope),
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
