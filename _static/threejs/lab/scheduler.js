// Decides what the lab computes, and where: one trace at a time in the worker, a small network
// traced on the page itself first (the preview), a dragged control coalesced to its newest
// value, and the worker's answers turned into the run the view shows. No DOM of its own: the
// view (view.js), the worker (workerclient.js), the clock and the animation frame are given.
//
// `settled` (no configuration on its way) is what the browser tests and the lab's benchmark
// wait on; `timings` holds, per network shown, the time from the control's input to its redraw.
import { toEngine, writeHash } from '../labconfig.js';
import { SPEC } from '../spec.js';
import { LabRun, PREVIEW_MAX_COST, showsDeadUnits, traceCost } from './run.js';
import { configured } from './worker.js';

/** A title for the network a configuration describes, in the scene's words. */
export function titleOf(c) {
  if (c.model === 'rnn') {
    return `A ${c['rnn-activation']} recurrent network over ${c.steps} time steps, ρ = ${c.rho}${c['clip-norm'] === null ? '' : `, clipped at norm ${c['clip-norm']}`}`;
  }
  const init = c.init.startsWith(SPEC.normalPrefix)
    ? `normal init, std ${c.init.slice(SPEC.normalPrefix.length)}`
    : `${c.init} init`;
  const extras = [c.batchnorm && 'batch norm', c.residual && 'residual connections'].filter(
    Boolean,
  );
  return `A ${c.depth}-layer ${c.activation} network, width ${c.width}, ${init}${extras.length ? `, ${extras.join(', ')}` : ''}`;
}

/** The run the view shows (view.js load) for a configuration and the worker's 'configured'. */
export function runOf(config, engine, msg) {
  const { kind } = engine.config;
  return {
    title: titleOf(config),
    summary: 'Built in the lab: change any control and the network is traced again at once.',
    kind,
    config: engine.config,
    network: msg.network,
    frame: msg.scene,
    dead: showsDeadUnits(engine.config),
    accuracy: true,
  };
}

export class Scheduler {
  /**
   * `view`: a LabView (or anything with its load, append, stop, say and setButtons);
   * `startWorker(onMessage)`: workerclient.js's, returning { post }; `now` and `nextFrame`:
   * performance.now and requestAnimationFrame, or fakes in tests.
   */
  constructor({
    view,
    startWorker,
    now = () => performance.now(),
    nextFrame = (fn) => requestAnimationFrame(fn),
  }) {
    this.view = view;
    this.now = now;
    this.nextFrame = nextFrame;
    this.timings = []; // { hash, ms, traced, shown, engine }: input to redraw, per network shown
    this.config = null;
    this.engine = null;
    this.running = false;
    this.pending = null; // the hash of the network to show, not traced yet
    // The hash the worker is tracing now. One at a time: while it works, a newer change only
    // replaces `pending`, so a dragged slider costs at most the trace under way and the last
    // one, not a trace for every input event it fired.
    this.inFlight = null;
    this.previewed = null; // the hash the page traced itself, whose worker answer is not drawn
    this.worker = startWorker((msg) => this.onMessage(msg));
  }

  /** Nothing on its way: the network shown is the configuration's (or a run from a file). */
  get settled() {
    return this.view.hasRun && (this.held || !this.pending);
  }

  /**
   * Stop showing what the worker makes: a run opened from a file is shown instead. Training
   * is paused; a trace on its way is taken but not drawn. configure() ends the hold.
   */
  hold() {
    if (this.running) this.worker.post({ type: 'pause' });
    this.running = false;
    this.held = true;
  }

  /**
   * Trace `config` (a parsed lab configuration) and show it: on the page at once if it is
   * small, and in the worker, which keeps it for training. `t0` is when the reader asked.
   * Returns its canonical hash.
   */
  configure(config, { messages = [], t0 = this.now() } = {}) {
    this.held = false;
    this.config = config;
    this.engine = toEngine(config);
    const hash = writeHash(config);
    this.pending = hash;
    this.t0 = t0;
    this.running = false;
    this.previewed = null;
    // A small network is traced and drawn first; telling the worker can wait the few
    // milliseconds that takes.
    if (traceCost(this.engine) <= PREVIEW_MAX_COST) this.#preview(config, messages, hash);
    this.#post();
    return hash;
  }

  /** Ask the worker to 'train', 'pause' or take one 'step'; not while a new network is coming. */
  send(type) {
    if (this.pending || this.held) return; // a new network is on its way; its trace comes first
    if (type === 'train') this.view.pauseScene(); // the pulse would restart each update
    this.running = type === 'train';
    this.view.follow = true;
    this.worker.post({ type });
    this.view.setButtons({ running: this.running });
  }

  /**
   * Trace a small network here and now, so that it is drawn with the next frame; the worker,
   * told next, builds the same run for training, and its answer is then not drawn again.
   */
  #preview(config, messages, hash) {
    const start = this.now();
    let msg;
    try {
      msg = configured(config, messages, new LabRun(this.engine), 0);
    } catch {
      return; // the worker will say what went wrong
    }
    this.arrived = this.now();
    this.engineMs = this.arrived - start;
    this.previewed = hash;
    this.#show(msg);
  }

  /** Send the pending configuration to the worker, unless it is still tracing another. */
  #post() {
    if (this.inFlight || !this.pending) return;
    this.inFlight = this.pending;
    this.worker.post({ type: 'configure', hash: this.pending });
  }

  /** The worker's answers (worker.js lists them). */
  onMessage(msg) {
    if (msg.type === 'error') {
      this.view.say(`The lab's engine reported a problem: ${msg.message}`);
      const failed = this.inFlight;
      this.inFlight = null;
      if (failed && failed !== this.pending) this.#post(); // a newer one may still work
      return;
    }
    if (msg.type === 'configured') {
      this.inFlight = null;
      if (msg.hash !== this.pending) {
        this.#post(); // superseded while traced: trace the newest configuration now
        return;
      }
      this.pending = null;
      if (this.previewed === msg.hash || this.held) return; // drawn already, or a file is shown
      this.arrived = this.now();
      this.engineMs = msg.engineMs;
      this.#show(msg);
      return;
    }
    if (this.pending || this.held) return; // the old network's last words, or a file shown
    if (msg.type === 'steps')
      this.view.append({
        records: msg.records.filter(Boolean),
        frames: msg.scene ? [msg.scene] : [],
      });
    else if (msg.type === 'paused') this.running = false;
    else if (msg.type === 'stopped') {
      this.running = false;
      this.view.stop({ step: msg.step, reason: msg.reason });
    }
    this.view.setButtons({ running: this.running });
  }

  #show(msg) {
    const run = runOf(this.config, this.engine, msg);
    this.running = false;
    this.view.load(run);
    this.view.say(`Traced: ${run.title}. Training step 0.`);
    this.view.setButtons({ running: false });
    const t0 = this.t0;
    const { hash } = msg;
    const { arrived, engineMs: engine } = this;
    const shown = this.now();
    // The scene asked for its frame before this callback was queued, so this runs after it.
    // ms: input to redraw; traced: until the trace arrived; shown: until the page had updated
    // the scene, the table and the plots' data (the rest is waiting for the frame); engine:
    // the engine's own time to build the network and trace it.
    this.nextFrame(() =>
      this.timings.push({
        hash,
        ms: this.now() - t0,
        traced: arrived - t0,
        shown: shown - t0,
        engine,
      }),
    );
  }
}
