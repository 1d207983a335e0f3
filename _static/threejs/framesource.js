// Where the view's frames come from. The scene draws frames and does not care who made them:
// the replay of a payload (the book, today) or an engine training live (the lab, later, from a
// Web Worker). Pure: no three, no DOM.
//
// A frame source is any object with:
//   id, title, summary, kind, config  what the network is (constant)
//   network                           its shape, {layers, timeSteps} (constant)
//   length                            how many frames there are now (at least 1)
//   frame(i)                          frame i, 0 <= i < length: {step, loss, outputGradNorm,
//                                     clipped, layers: [{gradNorm, factor, product, neuronsLog10}]}
//                                     with one entry per hidden layer, first hidden layer first
//   indexOfStep(step)                 the index of the frame of training step `step`, or -1
//   subscribe(fn)                     fn(length) runs whenever frames are added; returns an unsubscribe
// Frames are never changed once given out, so the view may keep the one it is showing.

/** Frames replayed from a scenario of a payload that payload.js has read. */
export class ReplaySource {
  constructor(scenario) {
    this.id = scenario.id;
    this.title = scenario.title;
    this.summary = scenario.summary;
    this.kind = scenario.kind;
    this.config = scenario.config;
    this.network = scenario.network;
    this._steps = scenario.steps;
  }

  get length() {
    return this._steps.length;
  }

  frame(i) {
    return this._steps[i];
  }

  indexOfStep(step) {
    return this._steps.findIndex((s) => s.step === step);
  }

  /** A replay never grows. */
  subscribe() {
    return () => {};
  }
}

/**
 * Frames pushed as they are computed: the lab's Worker posts each training step's frame and the
 * page calls push(frame). Frames must be in increasing training steps and match the shape.
 */
export class LiveSource {
  constructor({ id, title, summary = '', kind, config = {}, network }, firstFrame) {
    Object.assign(this, { id, title, summary, kind, config, network });
    this._frames = [];
    this._listeners = new Set();
    this.push(firstFrame);
  }

  get length() {
    return this._frames.length;
  }

  frame(i) {
    return this._frames[i];
  }

  indexOfStep(step) {
    return this._frames.findIndex((s) => s.step === step);
  }

  push(frame) {
    const hidden = this.network.layers.length - 2;
    if (!frame || !Array.isArray(frame.layers) || frame.layers.length !== hidden) {
      throw new TypeError(
        `a frame needs one entry per hidden layer (${hidden}), got ${frame?.layers?.length ?? 'none'}`,
      );
    }
    const last = this._frames.at(-1);
    if (last && !(frame.step > last.step))
      throw new RangeError(`frame for step ${frame.step} comes after step ${last.step}`);
    this._frames.push(frame);
    for (const fn of this._listeners) fn(this._frames.length);
  }

  subscribe(fn) {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }
}

/** Frames a LazySource keeps once made; the scene holds one, the table another. */
export const LAZY_KEPT = 64;

/**
 * Frames made when first read by `frameAt(i)`, for `steps` (each frame's training step, in
 * order): a run opened from a file may hold thousands of steps of hundreds of layers, of which
 * a reader sees a few. The last LAZY_KEPT frames made are kept, so that the frame the scene
 * shows is the same object when read again (it redraws only for another one).
 */
export class LazySource {
  constructor({ id, title, summary = '', kind, config = {}, network }, steps, frameAt) {
    Object.assign(this, { id, title, summary, kind, config, network });
    this._steps = steps;
    this._frameAt = frameAt;
    this._kept = new Map();
  }

  get length() {
    return this._steps.length;
  }

  frame(i) {
    let f = this._kept.get(i);
    if (f) return f;
    f = this._frameAt(i);
    this._kept.set(i, f);
    if (this._kept.size > LAZY_KEPT) this._kept.delete(this._kept.keys().next().value);
    return f;
  }

  indexOfStep(step) {
    return this._steps.indexOf(step);
  }

  /** Its frames are all there from the start. */
  subscribe() {
    return () => {};
  }
}
