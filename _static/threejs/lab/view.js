// The lab's DOM: its layout, the messages and the status line, and one run drawn in the scene
// (stage.js, on a live frame source), the per-layer table and the plots. No engine, no worker:
// whatever made a run, the engine training in the worker (scheduler.js) or a run recorded
// elsewhere and opened from a file, shows through these calls:
//
//   view.load(run)   a new run; the scene, the table and the plots start over. `run` is
//     { title, summary   words for the scene's title
//       kind             'mlp' or 'rnn': how the scene draws the layers (an RNN's time steps
//                        share W_hh); a run recorded from any other network is drawn as 'mlp'
//       config           carried as the scene payload's config ({} will do)
//       network          the shape, as payload.js decodes it: { layers: [{ name, role: 'input' |
//                        'hidden' | 'output', units, shownUnits }], timeSteps (null: not an RNN) }
//       frame            the first step shown: a decoded payload step (payload.js): { step, loss,
//                        accuracy (NaN: none), outputGradNorm, clipped, layers: [{ gradNorm,
//                        factor, product, weightGradNorm, updateRatio (or null), neuronsLog10,
//                        dead (optional: the share of dead units) }], one per hidden layer }
//       labels           optional: the table's name for each hidden layer (else "layer 1"...)
//       dead             whether the table shows the dead-units column (from each layer's dead)
//       accuracy }       whether records carry a held-out accuracy: its plot and status words
//   view.append({ records, frames })   more of the same run, drawn at the next animation
//     frame however many arrive. records, one per step, for the plots: { step, loss,
//     accuracy (a number, or null where not measured), gradNorms: [per hidden layer],
//     updateRatios: { [weight name]: ratio } }; frames, decoded payload steps in step order,
//     for the scene's slider and the table.
//   view.stop({ step, reason })   the run ended: reason 'nonfinite' (the plots mark the step)
//     or 'limit'.
//   view.open({ run, steps, frameAt, records, firstNonFiniteStep })   a run recorded elsewhere
//     and opened from a file (runfile.js runView), whole: `run` as for load (with labels,
//     layerInfo and recorded: true), each step's frame made by frameAt(i) when shown, every
//     record at once; Copy link and training are off until setRecorded(false).
//   view.say(text), view.warn(messages)   the status line; the messages about a bad link or a
//     bad file, at the top of the lab, where the reader looks first.
//   view.select(li)   select hidden layer li in the scene and the table (the inspector line
//     under the scene names it, with its numbers; the pointer over a column does the same).
// The controls are view.form (form.js fills it) and view.buttons; setButtons({ running })
// enables them for what the run can do next.

import { el } from '../dom.js';
import { formatPowerOfTen } from '../format.js';
import { LazySource, LiveSource } from '../framesource.js';
import { SPEC } from '../spec.js';
import { HINT, inspectText, nearestColumn } from './inspector.js';
import { drawLines, drawStrip, makeChart, sampleIndices } from './plots.js';
import { LabStage } from './stage.js';
import { renderTable } from './table.js';

// The healthy update-to-data ratio and its band, as exponents of ten (gradbook.spec): the band
// is shaded on the ratio plot and its title says both, written by the axis's own formatter.
const { healthyLog10, bandLog10 } = SPEC.updateRatio;
const [bandLow, bandHigh] = bandLog10.map(formatPowerOfTen);
const RATIO_TITLE =
  'Update-to-data ratio per weight matrix (log axis; ' +
  `the band is ${bandLow} to ${bandHigh}, around the healthy ${formatPowerOfTen(healthyLog10)})`;

/** The status line's words for the newest measured record (held-out accuracy at its step). */
export function accuracyText(r) {
  if (!r) return 'held-out accuracy not measured yet';
  if (Number.isNaN(r.accuracy))
    return `held-out accuracy none at step ${r.step} (the outputs were not finite)`;
  return `held-out accuracy ${(100 * r.accuracy).toFixed(0)}% at step ${r.step}`;
}

export class LabView {
  /**
   * Lay the lab out in `root`: the messages, the controls and their buttons, the status line,
   * the scene, the table and the plots. `titles.accuracy` is the accuracy plot's title.
   */
  constructor(root, colorScale, { titles = {} } = {}) {
    this.root = root;
    this.colorScale = colorScale;
    this.run = null;
    this.source = null; // the scene's frames of the current run
    this.records = [];
    this.stoppedAt = null;
    this.updates = 0; // steps brought on screen, one per redraw at most
    this._build(titles);
  }

  _build(titles) {
    const r = this.root;
    r.replaceChildren();
    // First in the lab: a bad link or a bad file is named before anything else is read.
    this.messages = el('div', { class: 'gradbook-lab-messages', role: 'status' });
    this.form = el('form', { class: 'gradbook-lab-controls', 'aria-label': 'Lab controls' });
    this.form.addEventListener('submit', (e) => e.preventDefault());
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
    // While a run opened from a file is shown: why there is no link, and the way back.
    this.linkNote = el('span', {
      class: 'gradbook-lab-linknote',
      id: 'gradbook-lab-linknote',
      hidden: true,
      text: 'A run opened from a file cannot go in the address bar: to share it, send the file.',
    });
    this.back = button('Back to building networks', 'gradbook-lab-back');
    this.back.hidden = true;
    // "Open a run": read here, on this machine (runfile.js); nothing is sent anywhere.
    this.fileInput = el('input', {
      type: 'file',
      id: 'gradbook-lab-file',
      class: 'gradbook-lab-file',
      accept: '.json,application/json',
    });
    const open = el(
      'span',
      { class: 'gradbook-lab-open' },
      el('label', { for: 'gradbook-lab-file', text: 'Open a run' }),
      this.fileInput,
    );
    const actions = el(
      'div',
      { class: 'gradbook-lab-actions', role: 'group', 'aria-label': 'Training' },
      ...Object.values(this.buttons),
      this.back,
      this.linkNote,
      this.linkOut,
      open,
    );
    this.status = el('p', { class: 'gradbook-lab-status', 'aria-live': 'polite' });
    this.sceneBox = el('div', {
      class: 'gradbook-scene gradbook-lab-scene',
      // Mounted here, never by the chapters' scene script (main.js skips a container with a status).
      'data-gradbook-status': 'loading',
      role: 'region',
      'aria-label': 'Gradient-flow scene: the network built in the lab',
    });
    this.stage = new LabStage(this.sceneBox, this.colorScale, {
      onScrub: (i) => {
        this.follow = i === this.source.length - 1;
        this._showTable(this.source.frame(i));
      },
    });
    // What the pointer is over in the scene, or the layer selected there or in the table.
    // Not a live region: the pointer would make it chatter; the table holds the same numbers.
    this.inspector = el('p', { class: 'gradbook-lab-inspector', text: HINT });
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
        panel(titles.accuracy ?? 'Accuracy on the held-out set'),
        'Held-out accuracy over training steps',
      ),
      ratios: makeChart(
        panel(RATIO_TITLE),
        'Update-to-data ratio of each weight matrix over training steps, log axis',
      ),
    };
    this.accuracyPanel = this.charts.accuracy.parentElement;
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
        'aria-label': 'Per-layer table: the up and down arrow keys select a layer',
      },
      this.table,
    );
    this.tableBox = tableBox;
    // A tool's layout (gradbook-lab.css): the controls over the whole width, the scene as wide
    // as the window allows, the table beside it on a wide screen, the plots below.
    const top = el('div', { class: 'gradbook-lab-top' }, this.form, actions);
    // The inspector line just over the scene: the numbers of the column under the pointer.
    const stage = el(
      'div',
      { class: 'gradbook-lab-stage' },
      this.status,
      this.inspector,
      this.sceneBox,
    );
    const side = el('div', { class: 'gradbook-lab-side' }, tableBox);
    r.append(el('div', { class: 'gradbook-lab-grid' }, this.messages, top, stage, side, plots));
    this._wireInspector();
  }

  /** Show a layer's name and numbers: the one under the pointer, else the selected one. */
  _wireInspector() {
    const box = this.sceneBox;
    let down = null;
    // Over the stage: the canvas, or the labels drawn over it.
    const onStage = (e) => e.target.closest?.('.gradbook-scene-stage') != null;
    box.addEventListener('pointermove', (e) => {
      if (!onStage(e)) return;
      this._hover = this._columnAt(e);
      this._inspect();
    });
    box.addEventListener('pointerleave', () => {
      this._hover = null;
      this._inspect();
    });
    box.addEventListener('pointerdown', (e) => {
      down = [e.clientX, e.clientY];
    });
    // A click (not a drag that turned the camera) selects the column under the pointer.
    box.addEventListener('click', (e) => {
      if (!onStage(e) || !down) return;
      if (Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
      this.select(this._columnAt(e));
    });
    // The table is the scene's text alternative: a row selects its layer in the scene too.
    this.table.addEventListener('click', (e) => {
      const tr = e.target.closest('tbody tr');
      if (tr) this.select(tr.sectionRowIndex + 1);
    });
    // The keyboard's way to the same: the table's box takes the focus, and the arrow keys move
    // the selection a row up or down (Home and End: the first and the last layer).
    this.tableBox.addEventListener('keydown', (e) => {
      const rows = this.table.tBodies[0]?.rows.length ?? 0;
      const at = this.selected ?? 0;
      const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 1, End: rows }[e.key];
      if (to === undefined || rows === 0) return;
      e.preventDefault(); // the box would scroll instead
      this.select(Math.min(rows, Math.max(1, to)));
    });
  }

  /** The hidden layer (1-based) whose column is nearest the pointer, or null. */
  _columnAt(e) {
    const scene = this.instance?.scene;
    if (!scene?.layout) return null;
    const rect = scene.canvas.getBoundingClientRect();
    const H = this.source.network.layers.length - 2;
    const xs = [];
    const pt = {};
    for (let li = 1; li <= H; li++) xs.push(scene.project(scene.layout.layerX[li], 0, 0, pt).x);
    return nearestColumn(xs, e.clientX - rect.left);
  }

  /** Select hidden layer li (1-based) in the scene and the table, or nothing (null). */
  select(li) {
    this.selected = li;
    this.instance?.selectLayer(li);
    for (const tr of this.table.tBodies[0]?.rows ?? []) {
      const on = tr.sectionRowIndex + 1 === li;
      tr.classList.toggle('is-selected', on);
      // The table box scrolls to the row (a 300-layer run's row may be far down it).
      const box = this.tableBox;
      if (on)
        box.scrollTop += tr.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
    }
    this._inspect();
  }

  _inspect() {
    const li = this._hover ?? this.selected;
    const frame = this._tableFrame;
    if (!li || !frame || li > frame.layers.length) {
      this.inspector.textContent = HINT;
      return;
    }
    this.inspector.textContent = inspectText(this.run, frame, li, {
      selected: li === this.selected,
    });
  }

  // ---- words ----------------------------------------------------------------------------------

  say(text) {
    this.status.textContent = text;
  }

  warn(messages) {
    this.messages.replaceChildren(...messages.map((m) => el('p', { text: m })));
  }

  /** Enable the buttons for what comes next; the focus goes on from a button just disabled. */
  setButtons({ running }) {
    const b = this.buttons;
    const stopped = this.stoppedAt !== null;
    // Read before disabling: a focused button that is disabled loses the focus to the page.
    const f = document.activeElement;
    const recorded = this.recorded === true; // a run from a file is not trained here
    b.train.disabled = running || stopped || recorded;
    b.pause.disabled = !running || recorded;
    b.step.disabled = stopped || recorded;
    b.train.setAttribute('aria-pressed', String(running));
    // Hand the focus to the neighbour that does what comes next, so Tab goes on from there.
    if (f instanceof HTMLButtonElement && f.disabled && Object.values(b).includes(f))
      [b.pause, b.train, b.step, b.reset].find((x) => !x.disabled && !x.hidden).focus();
  }

  // ---- a run ----------------------------------------------------------------------------------

  /** The scene (a SceneInstance), once mounted; null without WebGL. */
  get instance() {
    return this.stage.instance;
  }

  /** Whether a run is shown. */
  get hasRun() {
    return this.run !== null;
  }

  /** Show a new run (see the header): its first frame in the scene and the table, no records. */
  load(run) {
    const scenario = {
      id: 'lab',
      title: run.title,
      summary: run.summary,
      kind: run.kind,
      config: run.config,
      network: run.network,
      steps: [run.frame],
      firstNonFiniteStep: null,
    };
    this.run = run;
    this.selected = null;
    this._hover = null;
    this.records = [];
    this._measured = null; // the newest record with a held-out accuracy
    this._queued = []; // frames on their way to the scene, drawn at the next animation frame
    this.stoppedAt = null;
    this.follow = true; // the table follows the newest step unless the reader scrubs back
    // A recorded run comes whole, its frames made when shown; a live one grows as it trains.
    this.source = run.lazy
      ? new LazySource(scenario, run.lazy.steps, run.lazy.frameAt)
      : new LiveSource(scenario, run.frame);
    this.accuracyPanel.hidden = !run.accuracy;
    this.stage.show(scenario, this.source);
    this._showTable(run.frame);
    this._dirty();
  }

  /**
   * Show a run recorded elsewhere and opened from a file (runfile.js runView): every recorded
   * step at once, the scene and the table at the first non-finite step if there is one (the
   * plots mark it), else at the last; training off and Copy link replaced by a note, until
   * the reader goes back to building networks (setRecorded(false)).
   */
  open({ run, steps, frameAt, records, firstNonFiniteStep }) {
    this.load({ ...run, lazy: { steps, frameAt } });
    this.records = records.slice();
    this.stoppedAt = firstNonFiniteStep;
    const i = firstNonFiniteStep === null ? steps.length - 1 : steps.indexOf(firstNonFiniteStep);
    this.follow = i === steps.length - 1;
    this.stage.setStep(i);
    this._showTable(this.source.frame(i));
    this.setRecorded(true);
    this._dirty();
  }

  /** Whether a run opened from a file is shown: it has no link, and cannot be trained here. */
  setRecorded(on) {
    this.recorded = on;
    const { copy } = this.buttons;
    copy.disabled = on;
    if (on) {
      copy.setAttribute('aria-describedby', this.linkNote.id);
      this.linkOut.hidden = true;
    } else copy.removeAttribute('aria-describedby');
    this.linkNote.hidden = !on;
    this.back.hidden = !on;
    this.sceneBox.setAttribute(
      'aria-label',
      on
        ? 'Gradient-flow scene: the run opened from a file'
        : 'Gradient-flow scene: the network built in the lab',
    );
    this.setButtons({ running: false });
  }

  /** More steps of the run shown (see the header). */
  append({ records = [], frames = [] }) {
    for (const r of records) {
      this.records.push(r);
      if (r.accuracy !== null && r.accuracy !== undefined) this._measured = r;
    }
    this._queued.push(...frames);
    this._dirty(); // the scene, the table and the plots follow once a frame, however many arrive
  }

  /** The run ended at `step`: 'nonfinite' (the plots mark the step) or at the 'limit'. */
  stop({ step, reason }) {
    if (reason === 'nonfinite') {
      this.stoppedAt = step;
      this.say(
        `At training step ${step} the loss or a gradient became NaN or infinite: training stopped there. The plots mark the step.`,
      );
    } else this.say(`Training stopped at the lab's limit of ${step} steps.`);
    this._dirty();
  }

  /** Hold the scene's backward pulse (it would restart at every new step while training). */
  pauseScene() {
    this.stage.pause();
  }

  // ---- drawing, at most once a frame ----------------------------------------------------------

  _dirty() {
    if (this._frameAsked) return;
    this._frameAsked = true;
    requestAnimationFrame(() => {
      this._frameAsked = false;
      if (this._queued.length) this._showLatest();
      this._drawPlots();
    });
  }

  /** Show the newest steps: in the scene (if the reader is not scrubbing back) and the table. */
  _showLatest() {
    const frames = this._queued;
    this._queued = [];
    let last = this.source.frame(this.source.length - 1);
    let pushed = false;
    for (const frame of frames) {
      if (frame.step <= last.step) continue;
      this.source.push(frame);
      last = frame;
      pushed = true;
    }
    if (pushed) {
      this.updates += 1; // a newer step on screen: what "updates a second" counts
      if (this.follow) this.stage.setStep(this.source.length - 1);
    }
    if (this.follow) this._showTable(last);
    const r = this.records.at(-1);
    if (r && this.stoppedAt === null) {
      const accuracy = this.run.accuracy ? `, ${accuracyText(this._measured)}` : '';
      this.say(`Training step ${r.step}: loss ${r.loss.toPrecision(3)}${accuracy}.`);
    }
  }

  _showTable(frame) {
    const { kind, dead, labels, recorded = false } = this.run;
    renderTable(this.table, frame, { kind, dead, labels, recorded });
    this._tableFrame = frame;
    this._inspect();
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
    const measured = rs.filter((r) => r.accuracy !== null && r.accuracy !== undefined);
    drawLines(this.charts.accuracy, {
      steps: measured.map((r) => r.step),
      lines: [{ values: measured.map((r) => r.accuracy) }],
      yRange: [0, 1],
      mark,
    });
    // One line per weight matrix (hundreds, in a recorded run): read only the records the
    // chart draws (drawLines would sample the same ones), not every record of a long run.
    const shown = sampleIndices(rs.length).map((i) => rs[i]);
    const names = rs.length ? Object.keys(rs[0].updateRatios) : [];
    drawLines(this.charts.ratios, {
      steps: shown.map((r) => r.step),
      lines: names.map((k, i) => ({
        values: shown.map((r) => r.updateRatios[k]),
        cls: i === 0 ? 'is-first' : '',
      })),
      log: true,
      band: bandLog10, // a log axis: the band in exponents, as its ticks
      mark,
    });
    drawStrip(
      this.strip,
      rs.map((r) => r.gradNorms),
      this.colorScale,
    );
    this.root.dataset.records = String(rs.length);
  }
}
