// The backward pulse's timeline: which training step is shown and how far the pulse has come.
// Pure: no three, no DOM, no clock of its own (the caller passes elapsed milliseconds), so tests
// can drive it exactly.
//
// progress runs from 0 (the gradient has just left the loss and lights the output layer) to
// `hidden` (it has reached the first hidden layer). Hidden layer i (1 = first) is lit once
// progress >= hidden - i + 1. After a full pulse the player holds, then moves to the next
// recorded training step and plays again, until the last step.

/** Time the pulse takes per layer at speed 1, in ms, for a network with `hidden` hidden layers. */
export function msPerLayer(hidden) {
  return Math.min(700, Math.max(120, 5000 / (hidden + 1)));
}

/** Pause after a pulse reaches the first layer, before the next training step, in ms at speed 1. */
export const HOLD_MS = 1200;

export class Player {
  /** @param {{hidden: number, steps: number, reducedMotion?: boolean}} options steps: frames to play */
  constructor({ hidden, steps, reducedMotion = false }) {
    this.hidden = hidden;
    this.steps = steps;
    this.reducedMotion = reducedMotion;
    this.stepIndex = 0;
    this.progress = hidden; // start with the whole profile visible until something plays
    this.playing = false;
    this.speed = 1;
    this._hold = 0;
  }

  /** Number of hidden layers lit: the integer part of progress. */
  get lit() {
    return Math.min(this.hidden, Math.floor(this.progress + 1e-9));
  }

  /**
   * Whether the pulse has reached layer `li` (an index into network.layers): the one answer the
   * scene, its labels and state() all use. The output (hidden + 1) is lit from the pulse's start;
   * the input (0) never is, since no gradient is computed for the data; hidden layer li is lit
   * once the pulse has come down `hidden - li + 1` layers.
   */
  isLit(li) {
    if (li === this.hidden + 1) return true;
    return li >= 1 && li <= this.hidden && li >= this.hidden - this.lit + 1;
  }

  /** Index into network.layers of the layer at the pulse front (output = hidden + 1). */
  get pulseLayer() {
    return this.hidden + 1 - this.lit;
  }

  get complete() {
    return this.progress >= this.hidden;
  }

  /** Where the drawn wavefront is: whole layers only under reduced motion. */
  get displayProgress() {
    return this.reducedMotion ? this.lit : this.progress;
  }

  play() {
    // From a finished pulse, play starts the current step's pulse again at the output.
    if (this.complete) this.progress = 0;
    this._hold = 0;
    this.playing = true;
  }

  pause() {
    this.playing = false;
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Advance the pulse by one layer and pause. From a finished pulse, start over at the output. */
  stepLayer() {
    this.pause();
    this.progress = this.complete ? 0 : this.lit + 1;
  }

  /** A live source has recorded more frames: play on into them. */
  setStepCount(n) {
    this.steps = Math.max(1, n);
    if (this.stepIndex > this.steps - 1) this.stepIndex = this.steps - 1;
  }

  /** Show training step i with its whole profile lit (or restart the pulse there if playing). */
  setStep(i) {
    this.stepIndex = Math.min(this.steps - 1, Math.max(0, i));
    this.progress = this.playing ? 0 : this.hidden;
    this._hold = 0;
  }

  /**
   * Advance time by dt ms. Returns true when something visible changed.
   * Under reduced motion progress still advances with time, but only whole layers are drawn.
   */
  tick(dt) {
    if (!this.playing) return false;
    const per = msPerLayer(this.hidden) / this.speed;
    if (!this.complete) {
      this.progress = Math.min(this.hidden, this.progress + dt / per);
      return true;
    }
    this._hold += dt * this.speed;
    if (this._hold < HOLD_MS) return false;
    this._hold = 0;
    if (this.stepIndex < this.steps - 1) {
      this.stepIndex += 1;
      this.progress = 0;
    } else {
      this.playing = false;
    }
    return true;
  }
}
