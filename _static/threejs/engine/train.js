// SGD with momentum and optional clipping, one step at a time (src/gradbook/train.py), and the
// held-out accuracy measured as train.py measures it. A non-finite step (loss or any gradient
// inf or NaN) is recorded and never applied; the caller stops there, as the simulator's run
// does. The loop itself is the caller's (lab/run.js): it keeps one step's record at a time.
// Pure module.
import { clipByGlobalNorm, clipByValue } from './clipping.js';
import { Matrix } from './linalg.js';
import { allFinite, std, valuesOf } from './norm.js';

/** Zeros shaped like g, as np.zeros_like. */
function zerosLike(g) {
  const v = new Float64Array(valuesOf(g).length);
  return g instanceof Matrix ? new Matrix(g.rows, g.cols, v) : v;
}

/** Zero velocities shaped like the parameters. */
export function zeroVelocity(params) {
  const v = {};
  for (const [k, p] of Object.entries(params)) v[k] = zerosLike(p);
  return v;
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
 * train.held_out_accuracy: the model's accuracy on a held-out set { x, labels } (data.js
 * heldOut), a forward pass only (with batch norm the set is normalized by its own statistics,
 * as one batch), and NaN when the outputs are not all finite (an overflowed network predicts
 * nothing).
 */
export function heldOutAccuracy(model, { x, labels }) {
  const { out } = model.forward(x);
  if (!allFinite(out.data)) return NaN;
  return accuracy(out, labels);
}

/**
 * One SGD step of `model` on `batch`, changing model.params and `velocity` (zeroVelocity's) in
 * place unless the step is non-finite. `training` holds lr, momentum and optionally clip_norm
 * and clip_value, as TrainConfig. `trace`, if given, must be the trace of this batch with the
 * current parameters (the lab has it already, on screen). Returns the step's record, as
 * train.StepRecord without its step number: { loss, gradNorms, weightGradNorms, updateRatios
 * (std(update) / std(W) per weight matrix), globalNorm (before clipping), clipped, finite }.
 */
export function trainStep(model, training, velocity, batch, trace = model.lossAndTrace(batch)) {
  const params = model.params;
  let grads = trace.grads;
  let total = trace.globalGradNorm;
  let clipped = false;
  const ratios = {};
  for (const k of model.weightNames()) if (k in params) ratios[k] = NaN;
  if (trace.isFinite) {
    if (training.clip_norm != null)
      ({ grads, norm: total, clipped } = clipByGlobalNorm(grads, training.clip_norm));
    if (training.clip_value != null) {
      const byValue = clipByValue(grads, training.clip_value);
      grads = byValue.grads;
      clipped = clipped || byValue.clipped;
    }
    const momentum = training.momentum ?? 0;
    for (const k of Object.keys(params)) {
      const p = valuesOf(params[k]);
      const v = valuesOf(velocity[k]);
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
  return {
    loss: trace.loss,
    gradNorms: trace.gradNorms,
    weightGradNorms: trace.weightGradNorms,
    updateRatios: ratios,
    globalNorm: total,
    clipped,
    finite: trace.isFinite,
  };
}
