// SGD with momentum and optional clipping, one step at a time (src/gradbook/train.py,
// clipping.py). A non-finite step (loss or any gradient inf or NaN) is recorded and never
// applied; the caller stops there, as the simulator's run does. Pure module.
import { Matrix } from './linalg.js';
import { globalNorm, std, valuesOf } from './norm.js';
import { lossAndTrace, modelOf } from './trace.js';

function scaled(g, s) {
  const src = valuesOf(g);
  const v = new Float64Array(src.length);
  for (let i = 0; i < v.length; i++) v[i] = src[i] * s;
  return g instanceof Matrix ? new Matrix(g.rows, g.cols, v) : v;
}

/** Zeros shaped like g, as np.zeros_like. */
function zerosLike(g) {
  const v = new Float64Array(valuesOf(g).length);
  return g instanceof Matrix ? new Matrix(g.rows, g.cols, v) : v;
}

/** clipping.clip_by_global_norm: { grads, norm (before clipping), clipped }. */
export function clipByGlobalNorm(grads, threshold) {
  const total = globalNorm(grads);
  if (!Number.isFinite(total) || total <= threshold) return { grads, norm: total, clipped: false };
  const scale = threshold / total;
  const out = {};
  for (const [k, g] of Object.entries(grads)) out[k] = scaled(g, scale);
  return { grads: out, norm: total, clipped: true };
}

/** clipping.clip_by_value: every entry clamped to [-limit, limit]; clipped if any moved. */
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

/** Zero velocities shaped like the parameters. */
export function zeroVelocity(params) {
  const v = {};
  for (const [k, p] of Object.entries(params)) v[k] = zerosLike(p);
  return v;
}

/**
 * One SGD step on `batch`, changing `state.params` and `state.velocity` in place unless the
 * step is non-finite. `training` holds lr, momentum and optionally clip_norm and clip_value.
 * Returns the step's record (as train.StepRecord) and its trace; `trace`, if given, must be
 * the trace of this batch with the current parameters (the lab has it already, on screen).
 */
export function trainStep(
  kind,
  config,
  training,
  state,
  batch,
  trace = lossAndTrace(kind, config, state.params, batch),
) {
  let grads = trace.grads;
  let total = trace.globalGradNorm;
  let clipped = false;
  const ratios = {};
  const weights = modelOf(kind)
    .weightNames(config)
    .filter((k) => k in state.params);
  for (const k of weights) ratios[k] = NaN;
  if (trace.isFinite) {
    if (training.clip_norm != null)
      ({ grads, norm: total, clipped } = clipByGlobalNorm(grads, training.clip_norm));
    if (training.clip_value != null) {
      const byValue = clipByValue(grads, training.clip_value);
      grads = byValue.grads;
      clipped = clipped || byValue.clipped;
    }
    const momentum = training.momentum ?? 0;
    for (const k of Object.keys(state.params)) {
      const p = valuesOf(state.params[k]);
      const v = valuesOf(state.velocity[k]);
      const g = valuesOf(grads[k]);
      const update = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) {
        v[i] = momentum * v[i] + g[i];
        update[i] = -training.lr * v[i];
      }
      if (k in ratios) ratios[k] = std(update) / std(p);
      for (let i = 0; i < p.length; i++) p[i] += update[i];
    }
  }
  const record = {
    loss: trace.loss,
    gradNorms: trace.layers.map((l) => l.gradNorm),
    weightGradNorms: trace.layers.map((l) => l.weightGradNorm),
    updateRatios: ratios,
    globalNorm: total,
    clipped,
    finite: trace.isFinite,
  };
  return { record, trace };
}
