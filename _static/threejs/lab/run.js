// One training run of the lab: the network a configuration and a seed name, trained step by
// step with SGD on the simulator's task, keeping every step's record for the plots and the
// scrubber. Batches come from the shared generator seeded like train.py's, so a book scenario
// and its lab link train on the same batches. Accuracy is measured as train.py measures it: on
// the task's fixed held-out set (data.js heldOut), every HELD_OUT_EVERY steps, with the weights
// the step starts from. Pure module: no DOM, no worker globals.
import { HELD_OUT_SIZE, heldOut, taskBatch } from '../engine/data.js';
import { build } from '../engine/index.js';
import { Generator } from '../engine/random.js';
import { heldOutAccuracy, trainStep, zeroVelocity } from '../engine/train.js';
import { SPEC } from '../spec.js';
import { networkOf, sceneStep } from './frames.js';

export const MAX_STEPS = 5000; // a run stops here: its history stays a few megabytes at most

// The held-out accuracy is measured every this many steps, as TrainConfig.record_every's
// default: a forward pass over HELD_OUT_SIZE examples costs about five training steps on a
// batch of 32 (176 ms at 50 x 64 in node, against 46 ms for a step), so measuring every step
// would cut the training speed about sixfold; every 10th costs a third more time at most.
export const HELD_OUT_EVERY = SPEC.defaults.train.record_every;
export { HELD_OUT_SIZE };

/**
 * Networks whose first trace costs at most this many multiply-adds (a forward pass's, layers x
 * width^2 x batch; the backward pass costs about twice that again) are traced on the page
 * itself the moment a control changes, a few milliseconds, so the redraw comes with the next
 * frame; the worker builds the same network (the run is deterministic) to train it. Larger
 * ones are traced only in the worker, where they cannot block the page: 12 x 16 at a batch of
 * 64 costs 196,608; 50 x 64, 13 million.
 */
export const PREVIEW_MAX_COST = 500_000;

/** The forward pass's multiply-adds for an engine configuration (labconfig.js toEngine's). */
export function traceCost({ config, batchSize }) {
  const rnn = config.kind === 'rnn';
  const width = rnn ? config.hidden : config.width;
  const layers = rnn ? config.steps : config.depth;
  return layers * width * width * batchSize;
}

// Activations whose units can switch off for a whole batch (slope exactly 0): the lab's table
// shows their share of dead units. Other networks skip the measure, a slope per layer per step.
const RELU_FAMILY = ['relu', 'leaky_relu'];

/** Whether the lab shows the share of dead units (trace.js LayerTrace.dead) for this config. */
export function showsDeadUnits(config) {
  return config.kind === 'mlp' && RELU_FAMILY.includes(config.activation);
}

/**
 * A trace's numbers as plain data, cheap to post to the page: its loss and its layers', with
 * each layer's share of dead units if `dead`.
 */
export function frameOf(step, trace, { dead = false } = {}) {
  return {
    step,
    loss: trace.loss,
    finite: trace.isFinite,
    outputGradNorm: trace.outputGradNorm,
    globalGradNorm: trace.globalGradNorm,
    layers: trace.layers.map((l) => ({
      index: l.index,
      gradNorm: l.gradNorm,
      weightGradNorm: l.weightGradNorm,
      factor: l.factor,
      product: l.product,
      ...(dead && { dead: l.dead }),
    })),
  };
}

export class LabRun {
  /**
   * `engine` is labconfig.js toEngine's result: { config (with its kind), training, seed, batchSize }.
   * `heldOutEvery`: measure the held-out accuracy at the steps that are multiples of it.
   */
  constructor(engine, { heldOutEvery = HELD_OUT_EVERY } = {}) {
    this.engine = engine;
    this.heldOutEvery = heldOutEvery;
    this.heldOut = null; // drawn at the first measurement: { x, labels }
    this.model = build(engine.config, { seed: engine.seed });
    this.dead = showsDeadUnits(engine.config); // the frames carry each layer's dead share
    this.velocity = zeroVelocity(this.model.params);
    this.rng = new Generator(engine.seed); // train.py draws step s's batch as the s-th from this seed
    this.step = 0; // the step whose batch and trace are current (not yet applied)
    this.history = []; // one record per step taken
    this.stoppedAt = null; // the step whose loss or gradient was not finite
    this.lastScene = null; // the last step taken, as a payload step (its trace and record)
    this.measured = null; // the newest held-out measurement: { step, accuracy }
    this.#load();
  }

  #load() {
    this.batch = taskBatch(this.engine.config, this.engine.batchSize, this.rng);
    this.trace = this.model.lossAndTrace(this.batch);
  }

  get stopped() {
    return this.stoppedAt !== null || this.step >= MAX_STEPS;
  }

  /** The current network: traced on the batch its next step trains on. */
  frame() {
    return frameOf(this.step, this.trace, { dead: this.dead });
  }

  /** The network's shape as the scene reads it from a payload. */
  network() {
    return networkOf(this.engine.config);
  }

  /** The current trace as a payload step, with the last step's record once it is taken. */
  sceneStep() {
    const taken = this.history.at(-1);
    const record = taken && taken.step === this.step ? taken : null; // only a non-finite last step
    return sceneStep(this.step, this.trace, record, this.model, {
      measured: this.measured,
      dead: this.dead,
    });
  }

  /** The held-out accuracy of the current network (before its step is applied). */
  measure() {
    this.heldOut ??= heldOut(this.engine.config);
    return heldOutAccuracy(this.model, this.heldOut);
  }

  /** Whether the current step's record carries the held-out accuracy (as train.py's). */
  measuresNow() {
    return this.step % this.heldOutEvery === 0 || !this.trace.isFinite;
  }

  /**
   * Take one SGD step; returns its record (with `step`, and `accuracy`: the held-out accuracy
   * with the weights the step started from, at the steps measuresNow names or when `measure`
   * asks, else null), or null once the run has stopped. `lastScene` becomes that step as a
   * chapter's payload records it: its trace and what it did.
   */
  advance({ measure = false } = {}) {
    if (this.stopped) return null;
    const accuracy = measure || this.measuresNow() ? this.measure() : null;
    const { model, velocity, batch, trace } = this;
    const record = trainStep(model, this.engine.training, velocity, batch, trace);
    const out = { step: this.step, accuracy, ...record };
    if (accuracy !== null) this.measured = { step: this.step, accuracy };
    this.lastScene = sceneStep(this.step, trace, out, model, {
      measured: this.measured,
      dead: this.dead,
    });
    this.history.push(out);
    if (!record.finite) {
      this.stoppedAt = this.step; // recorded, never applied: the frame keeps showing it
      return out;
    }
    this.step += 1;
    this.#load();
    return out;
  }
}
