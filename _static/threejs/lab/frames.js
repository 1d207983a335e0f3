// The lab's live numbers in the shape the scene reads from a payload once decoded
// (payload.js): a network shape and one step per frame, so the view can draw a live run the
// way it replays a chapter's. Numbers are kept at full precision (a payload rounds them to
// three digits, and neuronsLog10 to a tenth of a decade). One field is the lab's own:
// accuracyStep, since the lab measures the held-out accuracy every few steps and a payload at
// every step it records; and, when asked for (`dead`), each layer's share of dead units
// (trace.js LayerTrace.dead) for the lab's table. Pure module.
import { SPEC } from '../spec.js';

// As export.MAX_SHOWN_UNITS: wider layers are drawn by their first units.
export const MAX_SHOWN_UNITS = SPEC.payload.maxShownUnits;

/** The decoded payload's `network`: input, one entry per hidden layer (or time step), output. */
export function networkOf(config, maxShown = MAX_SHOWN_UNITS[config.kind]) {
  const rnn = config.kind === 'rnn';
  const hidden = rnn
    ? Array.from({ length: config.steps }, (_, t) => [`t${t + 1}`, config.hidden])
    : Array.from({ length: config.depth }, (_, l) => [`h${l + 1}`, config.width]);
  const layers = [
    { name: 'x', role: 'input', units: config.input_dim },
    ...hidden.map(([name, units]) => ({ name, role: 'hidden', units })),
    { name: 'loss', role: 'output', units: config.output_dim },
  ].map((l) => ({ ...l, shownUnits: Math.min(l.units, maxShown) }));
  return { layers, timeSteps: rnn ? config.steps : null };
}

/**
 * One decoded payload step for `model`'s `trace` and, once the step has been taken, its `record`
 * (trainStep's): clipped, and each MLP layer's update ratio (an RNN shares W_hh across steps,
 * so its steps have none, as in export._frame). Before the step is taken both are unknown:
 * clipped false and updateRatio null. The accuracy is the record's, on the held-out set as in
 * the book's payloads. A step that was not measured (run.js HELD_OUT_EVERY), or not taken yet,
 * shows the newest measurement before it, `measured` ({ step, accuracy }), and accuracyStep
 * says which step that was; with none, accuracy is NaN (a payload's "nan": the payload's
 * reader wants a number there) and accuracyStep null.
 */
export function sceneStep(
  step,
  trace,
  record,
  model,
  { measured = null, dead = false, maxShown = MAX_SHOWN_UNITS[model.kind] } = {},
) {
  const mlp = model.kind === 'mlp';
  const names = mlp ? model.weightNames() : [];
  const own = record?.accuracy ?? null;
  const shown = own !== null ? { step, accuracy: own } : measured;
  return {
    step,
    loss: trace.loss,
    accuracy: shown?.accuracy ?? NaN,
    accuracyStep: shown?.step ?? null,
    outputGradNorm: trace.outputGradNorm,
    clipped: record ? record.clipped : false,
    layers: trace.layers.map((layer, i) => ({
      gradNorm: layer.gradNorm,
      factor: layer.factor,
      product: layer.product,
      weightGradNorm: layer.weightGradNorm,
      updateRatio: record && mlp ? record.updateRatios[names[i]] : null,
      neuronsLog10: Array.from(layer.neuronGrad.subarray(0, maxShown), (v) =>
        Math.log10(Math.abs(v)),
      ),
      ...(dead && { dead: layer.dead }),
    })),
  };
}
