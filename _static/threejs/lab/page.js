// Entry point of the lab bundle (docs/lab.md): the controls, the scene on a live frame source,
// the per-layer table, the live plots, and the Web Worker that traces and trains the network.
//
// Container contract (docs/_ext/gradbook_lab.py writes it):
//   <div class="gradbook-lab" data-colors="#id">  the id of an inline JSON colour scale (the
//   payload's colorScale, from gradbook.export.color_scale), so the lab draws on the book's scale.
// The whole configuration lives in the URL hash (labconfig.js); a control change re-traces at once.

import { el, offerLink } from '../dom.js';
import { LiveSource } from '../framesource.js';
import { SceneInstance } from '../instance.js';
import { defaults, parseHash, toEngine, writeHash } from '../labconfig.js';
import { buildForm, isImmediate, readForm, writeForm } from './form.js';
import { drawLines, drawStrip, makeChart } from './plots.js';
import { HELD_OUT_EVERY, HELD_OUT_SIZE, LabRun, PREVIEW_MAX_COST, traceCost } from './run.js';
import { renderTable } from './table.js';
import { configured } from './worker.js';
import { startWorker } from './workerclient.js';

const ID = 'lab'; // the live source's scenario id

/** A title for the network a configuration describes, in the scene's words. */
export function titleOf(c) {
  if (c.model === 'rnn') {
    return `A ${c['rnn-activation']} recurrent network over ${c.steps} time steps, ρ = ${c.rho}${c['clip-norm'] === null ? '' : `, clipped at norm ${c['clip-norm']}`}`;
  }
  const init = c.init.startsWith('normal:')
    ? `normal init, std ${c.init.slice(7)}`
    : `${c.init} init`;
  const extras = [c.batchnorm && 'batch norm', c.residual && 'residual connections'].filter(
    Boolean,
  );
  return `A ${c.depth}-layer ${c.activation} network, width ${c.width}, ${init}${extras.length ? `, ${extras.join(', ')}` : ''}`;
}

function scenarioOf(config, engine, msg) {
  return {
    id: ID,
    title: titleOf(config),
    summary: 'Built in the lab: change any control and the network is traced again at once.',
    kind: engine.kind,
    config: engine.config,
    network: msg.network,
    steps: [msg.scene],
    firstNonFiniteStep: null,
  };
}

/** The status line's words for the newest measured record (held-out accuracy at its step). */
export function accuracyText(r) {
  if (!r) return 'held-out accuracy not measured yet';
  if (Number.isNaN(r.accuracy))
    return `held-out accuracy none at step ${r.step} (the outputs were not finite)`;
  return `held-out accuracy ${(100 * r.accuracy).toFixed(0)}% at step ${r.step}`;
}

/** The table's frame for a scene frame: the same numbers, with each layer's 1-based index. */
function tableFrame(frame) {
  return { step: frame.step, layers: frame.layers.map((l, i) => ({ ...l, index: i + 1 })) };
}

class Lab {
  constructor(root, colorScale) {
    this.root = root;
    this.colorScale = colorScale;
    this.timings = []; // { hash, ms }: from a control's input to the redraw of the new network
    this.instance = null;
    this.records = [];
    this.running = false;
    this.stoppedAt = null;
    this.pending = null; // the hash of the network to show, not traced yet
    // The hash the worker is tracing now. One at a time: while it works, a newer change only
    // replaces `pending`, so a dragged slider costs at most the trace under way and the last
    // one, not a trace for every input event it fired.
    this._inFlight = null;
    this.updates = 0; // training steps brought on screen, one per redraw at most
    this._build();
    this.worker = startWorker((msg) => this._onMessage(msg));
    const { config, messages } = parseHash(window.location.hash);
    this.apply(config, { messages });
    window.addEventListener('hashchange', () => {
      const parsed = parseHash(window.location.hash);
      this.apply(parsed.config, { messages: parsed.messages });
    });
  }

  // ---- the page ---------------------------------------------------------------------------

  _build() {
    const r = this.root;
    r.replaceChildren();
    const controls = el('form', { class: 'gradbook-lab-controls', 'aria-label': 'Lab controls' });
    controls.addEventListener('submit', (e) => e.preventDefault());
    this.form = buildForm(controls);
    const button = (text, cls) => el('button', { type: 'button', class: cls, text });
    this.buttons = {
      train: button('Train', 'gradbook-lab-train'),
      pause: button('Pause', 'gradbook-lab-pause'),
      step: button('Train one step', 'gradbook-lab-stepone'),
      reset: button('Reset to defaults', 'gradbook-lab-reset'),
      copy: button('Copy link', 'gradbook-lab-copy'),
    };
    this.linkOut = el('input', {
      type: 'text',
      class: 'gradbook-lab-link',
      readonly: true,
      'aria-label': 'Link to this network',
      hidden: true,
    });
    const actions = el(
      'div',
      { class: 'gradbook-lab-actions', role: 'group', 'aria-label': 'Training' },
      ...Object.values(this.buttons),
      this.linkOut,
    );
    this.messages = el('div', { class: 'gradbook-lab-messages', role: 'status' });
    this.status = el('p', { class: 'gradbook-lab-status', 'aria-live': 'polite' });
    this.sceneBox = el('div', {
      class: 'gradbook-scene gradbook-lab-scene',
      // Mounted here, never by the chapters' scene script (main.js skips a container with a status).
      'data-gradbook-status': 'loading',
      role: 'region',
      'aria-label': 'Gradient-flow scene: the network built in the lab',
    });
    this.table = el('table', { class: 'gradbook-lab-table' });
    const plots = el('div', { class: 'gradbook-lab-plots' });
    // Each plot is a labelled group (not a <figure>: the book keeps figures for still images).
    let plotId = 0;
    const panel = (title) => {
      const id = `gradbook-lab-plot-${++plotId}`;
      const box = el('div', { class: 'gradbook-lab-plot', role: 'group', 'aria-labelledby': id });
      box.append(el('p', { class: 'gradbook-lab-plot-title', id, text: title }));
      plots.append(box);
      return box;
    };
    this.charts = {
      loss: makeChart(panel('Loss over training (log axis)'), 'Loss over training steps, log axis'),
      accuracy: makeChart(
        panel(
          `Accuracy on the held-out set (${HELD_OUT_SIZE} fixed examples, measured every ${HELD_OUT_EVERY} steps and at each single step)`,
        ),
        'Held-out accuracy over training steps',
      ),
      ratios: makeChart(
        panel(
          'Update-to-data ratio per weight matrix (log axis; the band is 10⁻⁴ to 10⁻², around the healthy 10⁻³)',
        ),
        'Update-to-data ratio of each weight matrix over training steps, log axis',
      ),
    };
    const stripFig = panel(
      'Gradient size at each layer over training, on the scene’s colour scale (layer 1 at the bottom)',
    );
    this.strip = el('canvas', {
      class: 'gradbook-lab-strip',
      width: 1, // drawStrip sizes it: one pixel per cell
      height: 1,
      role: 'img',
      'aria-label':
        'Gradient size of each layer at each training step, coloured on the book’s scale',
    });
    stripFig.append(this.strip);
    // A box that may scroll must take the focus, so that keyboard readers can scroll it too.
    const tableBox = el(
      'div',
      {
        class: 'gradbook-lab-tablebox',
        tabindex: 0,
        role: 'region',
        'aria-label': 'Per-layer table',
      },
      this.table,
    );
    r.append(controls, actions, this.messages, this.status, this.sceneBox, tableBox, plots);

    controls.addEventListener('input', (e) => {
      if (isImmediate(e.target)) this._fromForm(e.timeStamp);
    });
    controls.addEventListener('change', (e) => {
      if (!isImmediate(e.target)) this._fromForm(e.timeStamp);
    });
    this.buttons.train.addEventListener('click', () => this._send({ type: 'train' }, true));
    this.buttons.pause.addEventListener('click', () => this._send({ type: 'pause' }, false));
    this.buttons.step.addEventListener('click', () => this._send({ type: 'step' }, false));
    this.buttons.reset.addEventListener('click', (e) =>
      this.apply(defaults(), { t0: e.timeStamp }),
    );
    this.buttons.copy.addEventListener('click', () => this._copyLink());
  }

  _fromForm(t0) {
    const { config, messages } = parseHash(readForm(this.form));
    this.apply(config, { messages, t0 });
  }

  /** Show `config` everywhere: the form, the URL (replaced, not pushed), and a fresh trace. */
  apply(config, { messages = [], t0 = performance.now() } = {}) {
    this.config = config;
    this.engine = toEngine(config);
    writeForm(this.form, config);
    this.messages.replaceChildren(...messages.map((m) => el('p', { text: m })));
    const hash = writeHash(config);
    this.pending = hash;
    this._t0 = t0;
    this.running = false;
    this._previewed = null;
    // A small network is traced and drawn first; telling the worker can wait the few
    // milliseconds that takes.
    if (traceCost(this.engine) <= PREVIEW_MAX_COST) this._preview(config, messages, hash);
    this._configure();
    this._writeAddress(hash);
  }

  /**
   * Put `hash` in the address bar (replaced, not pushed) once the new network has been drawn:
   * while the scene draws, Chromium takes 2 to 25 ms over a replaceState, time the redraw must
   * not wait for. A drag writes its newest hash only.
   */
  _writeAddress(hash) {
    this._address = hash;
    if (this._addressQueued) return;
    this._addressQueued = true;
    const write = () => {
      this._addressQueued = false;
      if (window.location.hash === this._address) return;
      try {
        window.history.replaceState(null, '', this._address);
      } catch {
        /* a browser that refuses history changes on a page from disk: the link button still works */
      }
    };
    requestAnimationFrame(() => setTimeout(write, 0));
  }

  /** Nothing on its way: the network shown is the configuration's, and so is the address. */
  get settled() {
    return Boolean(this.source) && !this.pending && !this._addressQueued;
  }

  /**
   * Trace a small network here and now, so that it is drawn with the next frame; the worker,
   * told next, builds the same run for training, and its answer is then not drawn again.
   */
  _preview(config, messages, hash) {
    const start = performance.now();
    let msg;
    try {
      msg = configured(config, messages, new LabRun(this.engine), 0);
    } catch {
      return; // the worker will say what went wrong
    }
    this._arrived = performance.now();
    this._engineMs = this._arrived - start;
    this._previewed = hash;
    this._showNetwork(msg);
  }

  /** Send the pending configuration to the worker, unless it is still tracing another. */
  _configure() {
    if (this._inFlight || !this.pending) return;
    this._inFlight = this.pending;
    this.worker.post({ type: 'configure', hash: this.pending });
  }

  _send(message, running) {
    if (this.pending) return; // a new network is on its way; its trace comes first
    if (message.type === 'train') this.instance?.pause(); // the pulse would restart each update
    this.running = running;
    this.follow = true;
    this.worker.post(message);
    this._updateButtons();
  }

  _copyLink() {
    const url = window.location.href.split('#')[0] + writeHash(this.config);
    return offerLink(this.linkOut, url, 'this network', (text) => {
      this.status.textContent = text;
    });
  }

  // ---- the worker's answers ------------------------------------------------------------------

  _onMessage(msg) {
    if (msg.type === 'error') {
      this.status.textContent = `The lab's engine reported a problem: ${msg.message}`;
      const failed = this._inFlight;
      this._inFlight = null;
      if (failed && failed !== this.pending) this._configure(); // a newer one may still work
      return;
    }
    if (msg.type === 'configured') {
      this._inFlight = null;
      if (msg.hash !== this.pending) {
        this._configure(); // superseded while traced: trace the newest configuration now
        return;
      }
      this.pending = null;
      if (this._previewed === msg.hash) return; // drawn already, from the page's own trace
      this._arrived = performance.now();
      this._engineMs = msg.engineMs;
      this._showNetwork(msg);
      return;
    }
    if (this.pending) return; // the old network's last words
    if (msg.type === 'steps') this._onSteps(msg);
    else if (msg.type === 'paused') this.running = false;
    else if (msg.type === 'stopped') {
      this.running = false;
      if (msg.reason === 'nonfinite') {
        this.stoppedAt = msg.step;
        this.status.textContent = `At training step ${msg.step} the loss or a gradient became NaN or infinite: training stopped there. The plots mark the step.`;
      } else this.status.textContent = `Training stopped at the lab's limit of ${msg.step} steps.`;
      this._dirty();
    }
    this._updateButtons();
  }

  _showNetwork(msg) {
    const scenario = scenarioOf(this.config, this.engine, msg);
    this.records = [];
    this._measured = null; // the newest record with a held-out accuracy
    this._latest = null;
    this.stoppedAt = null;
    this.running = false;
    this.follow = true;
    this.source = new LiveSource(scenario, msg.scene);
    if (!this.instance) {
      if (!this._sceneFailed) this._mount(scenario);
    } else {
      Object.assign(this.instance.payload.scenarios[0], scenario);
      this.instance.sources = [this.source];
      this.instance.setScenario(ID, { announce: false });
    }
    this.status.textContent = `Traced: ${scenario.title}. Training step 0.`;
    this._showTable(msg.scene);
    this._dirty();
    this._updateButtons();
    const t0 = this._t0;
    const { hash } = msg;
    const shown = performance.now();
    // The scene asked for its frame before this callback was queued, so this runs after it.
    // ms: input to redraw; traced: until the worker's trace arrived; shown: until the page had
    // updated the scene, the table and the plots' data (the rest is waiting for the frame);
    // engine: the worker's own time to build the network and trace it.
    const engine = this._engineMs;
    requestAnimationFrame(() =>
      this.timings.push({
        hash,
        ms: performance.now() - t0,
        traced: this._arrived - t0,
        shown: shown - t0,
        engine,
      }),
    );
  }

  _mount(scenario) {
    const payload = { colorScale: this.colorScale, scenarios: [scenario] };
    let instance;
    try {
      instance = this._newScene(payload);
    } catch (err) {
      // No WebGL, say: the lab still works, through its table and plots.
      console.warn('gradbook lab: no scene:', err);
      this._sceneFailed = true;
      this.sceneBox.replaceChildren(
        el('p', {
          class: 'gradbook-scene-message',
          role: 'status',
          text: 'The 3D scene cannot run in this browser; the table and the plots below show the same numbers.',
        }),
      );
      this.sceneBox.dataset.gradbookStatus = 'fault';
      return;
    }
    this._wireScene(instance);
  }

  _newScene(payload) {
    return new SceneInstance(this.sceneBox, payload, {
      onLost: (s) => {
        s.dispose();
        this.sceneBox.replaceChildren(
          el('p', {
            class: 'gradbook-scene-message',
            role: 'status',
            text: 'The 3D scene stopped: the browser took back its WebGL context. The table and the plots still follow the network.',
          }),
        );
      },
    });
  }

  _wireScene(instance) {
    instance.sources = [this.source];
    instance.setScenario(ID, { announce: false });
    // The scene's own link button speaks of a chapter's views; the lab's link is the one above.
    instance.ui.copyLink.parentElement.hidden = true;
    instance.ui.labLink.parentElement.hidden = true; // this is the lab already
    instance.ui.scrub.addEventListener('input', () => {
      const i = Number(instance.ui.scrub.value);
      this.follow = i === this.source.length - 1;
      this._showTable(this.source.frame(i));
    });
    this.instance = instance;
    window.gradbook.scenes.push(instance);
  }

  _onSteps(msg) {
    for (const r of msg.records) {
      if (!r) continue;
      this.records.push(r);
      if (r.accuracy !== null) this._measured = r;
    }
    if (msg.scene) this._latest = msg.scene;
    this._dirty(); // the scene, the table and the plots follow once a frame, however many arrive
  }

  /** Show the newest step taken: in the scene (if the reader is not scrubbing back) and the table. */
  _showLatest() {
    const scene = this._latest;
    this._latest = null;
    const last = this.source.frame(this.source.length - 1);
    if (scene && scene.step > last.step) {
      this.updates += 1; // a newer step on screen: what "updates a second" counts
      this.source.push(scene);
      if (this.follow) this.instance?.setStep(this.source.length - 1);
    }
    if (this.follow) this._showTable(this.source.frame(this.source.length - 1));
    const r = this.records.at(-1);
    if (r && this.stoppedAt === null)
      this.status.textContent = `Training step ${r.step}: loss ${r.loss.toPrecision(3)}, ${accuracyText(this._measured)}.`;
  }

  _showTable(frame) {
    renderTable(this.table, tableFrame(frame), this.engine.kind);
  }

  _updateButtons() {
    const b = this.buttons;
    const stopped = this.stoppedAt !== null;
    // Read before disabling: a focused button that is disabled loses the focus to the page.
    const f = document.activeElement;
    b.train.disabled = this.running || stopped;
    b.pause.disabled = !this.running;
    b.step.disabled = stopped;
    b.train.setAttribute('aria-pressed', String(this.running));
    // Hand the focus to the neighbour that does what comes next, so Tab goes on from there.
    if (f instanceof HTMLButtonElement && f.disabled && Object.values(b).includes(f))
      [b.pause, b.train, b.step, b.reset].find((x) => !x.disabled).focus();
  }

  // ---- plots, at most once a frame -------------------------------------------------------------

  _dirty() {
    if (this._frameAsked) return;
    this._frameAsked = true;
    requestAnimationFrame(() => {
      this._frameAsked = false;
      if (this._latest) this._showLatest();
      this._drawPlots();
    });
  }

  _drawPlots() {
    const rs = this.records;
    const steps = rs.map((r) => r.step);
    const mark = this.stoppedAt;
    drawLines(this.charts.loss, {
      steps,
      lines: [{ values: rs.map((r) => r.loss) }],
      log: true,
      mark,
    });
    const measured = rs.filter((r) => r.accuracy !== null);
    drawLines(this.charts.accuracy, {
      steps: measured.map((r) => r.step),
      lines: [{ values: measured.map((r) => r.accuracy) }],
      yRange: [0, 1],
      mark,
    });
    const names = rs.length ? Object.keys(rs[0].updateRatios) : [];
    drawLines(this.charts.ratios, {
      steps,
      lines: names.map((k, i) => ({
        values: rs.map((r) => r.updateRatios[k]),
        cls: i === 0 ? 'is-first' : '',
      })),
      log: true,
      band: [1e-4, 1e-2],
      mark,
    });
    drawStrip(
      this.strip,
      rs.map((r) => r.gradNorms),
      this.colorScale,
    );
    this.root.dataset.records = String(rs.length);
  }

  /** What the page shows, as data, for tests and the benchmark. */
  state() {
    return {
      hash: writeHash(this.config),
      pending: this.pending,
      running: this.running,
      records: this.records.length,
      lastStep: this.records.at(-1)?.step ?? null,
      // Every held-out accuracy measured so far: [step, accuracy] (NaN: outputs not finite).
      accuracies: this.records.filter((r) => r.accuracy !== null).map((r) => [r.step, r.accuracy]),
      stoppedAt: this.stoppedAt,
      frames: this.source?.length ?? 0,
      updates: this.updates,
      timings: this.timings.slice(),
    };
  }
}

function start() {
  const root = document.querySelector('.gradbook-lab');
  if (!root) return;
  window.gradbook ??= {};
  window.gradbook.scenes ??= [];
  try {
    const ref = root.dataset.colors ?? '';
    const node = ref.startsWith('#') ? document.getElementById(ref.slice(1)) : null;
    if (!node) throw new Error('the lab has no colour scale on this page');
    window.gradbook.lab = new Lab(root, JSON.parse(node.textContent));
    root.dataset.gradbookStatus = 'ready';
  } catch (err) {
    console.warn('gradbook lab:', err);
    root.replaceChildren(
      el('p', {
        class: 'gradbook-scene-message',
        role: 'status',
        text: 'The lab could not start in this browser (it needs Web Workers and WebGL).',
      }),
    );
    root.dataset.gradbookStatus = 'fault';
  }
}

if (document.readyState === 'loading')
  document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
