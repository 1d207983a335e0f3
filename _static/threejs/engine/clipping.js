// Gradient clipping (src/gradbook/clipping.py): by global norm (all parameters as one vector)
// and by value. Each returns new gradients and leaves the ones it is given alone. Pure module.
import { Matrix } from './linalg.js';
import { globalNorm, valuesOf } from './norm.js';

/** g * s as a new array of g's shape. */
function scaled(g, s) {
  const src = valuesOf(g);
  const v = new Float64Array(src.length);
  for (let i = 0; i < v.length; i++) v[i] = src[i] * s;
  return g instanceof Matrix ? new Matrix(g.rows, g.cols, v) : v;
}

/**
 * clip_by_global_norm: if the global norm exceeds `threshold`, every gradient scaled by
 * threshold / norm. { grads, norm (before clipping), clipped }.
 */
export function clipByGlobalNorm(grads, threshold) {
  const total = globalNorm(grads);
  if (!Number.isFinite(total) || total <= threshold) return { grads, norm: total, clipped: false };
  const scale = threshold / total;
  const out = {};
  for (const [k, g] of Object.entries(grads)) out[k] = scaled(g, scale);
  return { grads: out, norm: total, clipped: true };
}

/** clip_by_value: every entry clamped to [-limit, limit]; clipped if any entry moved. */
export function clipByValue(grads, limit) {
  const out = {};
  let changed = false;
  for (const [k, g] of Object.entries(grads)) {
    const v = valuesOf(g).map((e) => {
      if (Math.abs(e) > limit) changed = true;
      return Math.min(Math.max(e, -limit), limit);
    });
    out[k] = g instanceof Matrix ? new Matrix(g.rows, g.cols, v) : v;
  }
  return { grads: out, clipped: changed };
}
