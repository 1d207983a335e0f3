// The lab's entry (docs/lab.md): wires the view (view.js), the scheduler (scheduler.js) and its
// worker (workerclient.js), the controls (form.js) and the address bar, which holds the whole
// configuration (../labconfig.js); a control change re-traces at once.
//
// Container contract (docs/_ext/gradbook_lab.py writes it):
//   <div class="gradbook-lab" data-colors="#id">  the id of an inline JSON colour scale (the
//   payload's colorScale, from gradbook.export.color_scale), so the lab draws on the book's scale.
// window.gradbook.lab is the Lab below: tests and the benchmark read its state() and settled.
//
// Module map of the lab (each file's first line says the same):
//   page.js         this entry: wiring, the address bar, state() for tests
//   view.js         the DOM: layout, messages, status, table and plots of one run
//   stage.js        the scene inside the view (a SceneInstance on the run's frames)
//   scheduler.js    what is computed where: preview on the page or the worker, one at a time
//   workerclient.js starts the worker; worker.js + worker-entry.js run inside it
//   run.js          one training run of the engine (engine/); frames.js its payload-shaped frames
//   form.js, table.js, plots.js   the controls, the per-layer table, the plots
//   ../labconfig.js the configuration <-> the URL's hash, and the engine's inputs (at the
//                   scene's level: chapters' scenes write lab links with it too)
//   runfile.js      a run recorded by gradbook.torch, read from a file ("Open a run")
//   inspector.js    the words for the layer under the pointer or selected

import { el, offerLink } from '../dom.js';
import { defaults, parseHash, writeHash } from '../labconfig.js';
import { buildForm, isImmediate, readForm, writeForm } from './form.js';
import { HELD_OUT_EVERY, HELD_OUT_SIZE } from './run.js';
import { parseRun, RunFileError, runView, sizeProblem } from './runfile.js';
import { Scheduler } from './scheduler.js';
import { LabView } from './view.js';
import { startWorker } from './workerclient.js';

export class Lab {
  constructor(root, colorScale) {
    this.view = new LabView(root, colorScale, {
      titles: {
        accuracy: `Accuracy on the held-out set (${HELD_OUT_SIZE} fixed examples, measured every ${HELD_OUT_EVERY} steps and at each single step)`,
      },
    });
    this.fields = buildForm(this.view.form);
    this.scheduler = new Scheduler({ view: this.view, startWorker });
    this.#wire();
    const { config, messages } = parseHash(window.location.hash);
    this.apply(config, { messages });
    window.addEventListener('hashchange', () => {
      const parsed = parseHash(window.location.hash);
      this.apply(parsed.config, { messages: parsed.messages });
    });
  }

  #wire() {
    const { form, buttons } = this.view;
    form.addEventListener('input', (e) => {
      if (isImmediate(e.target)) this.#fromForm(e.timeStamp);
    });
    form.addEventListener('change', (e) => {
      if (!isImmediate(e.target)) this.#fromForm(e.timeStamp);
    });
    buttons.train.addEventListener('click', () => this.scheduler.send('train'));
    buttons.pause.addEventListener('click', () => this.scheduler.send('pause'));
    buttons.step.addEventListener('click', () => this.scheduler.send('step'));
    buttons.reset.addEventListener('click', (e) => this.apply(defaults(), { t0: e.timeStamp }));
    buttons.copy.addEventListener('click', () => this.#copyLink());
    // A run recorded by gradbook.torch, opened or dropped: read on this machine, sent nowhere.
    const { fileInput, root } = this.view;
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) this.openFile(file);
      fileInput.value = ''; // the same file, opened again after a change, is read again
    });
    root.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault(); // else the browser navigates to the dropped file
      root.classList.add('is-dropping');
    });
    root.addEventListener('dragleave', (e) => {
      if (!root.contains(e.relatedTarget)) root.classList.remove('is-dropping');
    });
    root.addEventListener('drop', (e) => {
      root.classList.remove('is-dropping');
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      e.preventDefault();
      this.openFile(file);
    });
    this.view.back.addEventListener('click', (e) => this.apply(this.config, { t0: e.timeStamp }));
  }

  /**
   * Read a saved run (a File) and show it, or say in one message, at the top of the lab, why
   * it cannot be opened; the lab goes on as it was. Refused by its size before it is read.
   * Resolves to true when the run is shown.
   */
  async openFile(file) {
    const name = file.name || 'The file';
    const problem = sizeProblem(name, file.size);
    if (problem) return this.#refuse(problem);
    let shown;
    try {
      shown = runView(parseRun(await file.text(), name), name);
    } catch (err) {
      if (err instanceof RunFileError) return this.#refuse(err.message);
      return this.#refuse(`${name} could not be read (${err?.message ?? err}).`);
    }
    this.scheduler.hold();
    this.recorded = { name, layers: shown.run.labels.length, steps: shown.steps.length };
    this.view.warn([]);
    this.view.open(shown);
    const last = shown.steps.at(-1);
    const broke =
      shown.firstNonFiniteStep === null
        ? ''
        : ` At step ${shown.firstNonFiniteStep} the loss or a gradient became NaN or infinite; the scene shows that step, and the plots mark it.`;
    this.view.say(
      `Opened ${name} on this machine (nothing was sent anywhere): ${shown.run.title}, ${shown.steps.length} recorded steps up to step ${last}.${broke}`,
    );
    return true;
  }

  #refuse(message) {
    this.view.warn([`Cannot open this run: ${message}`]);
    return false;
  }

  #fromForm(t0) {
    const { config, messages } = parseHash(readForm(this.fields));
    this.apply(config, { messages, t0 });
  }

  /** Show `config` everywhere: the form, the messages, a fresh trace, and the URL (replaced). */
  apply(config, { messages = [], t0 = performance.now() } = {}) {
    this.config = config;
    if (this.recorded) {
      // Back to building networks: the link and the training buttons return.
      this.recorded = null;
      this.view.setRecorded(false);
    }
    writeForm(this.fields, config);
    this.view.warn(messages);
    this.#writeAddress(this.scheduler.configure(config, { messages, t0 }));
  }

  /**
   * Put `hash` in the address bar (replaced, not pushed) once the new network has been drawn:
   * while the scene draws, Chromium takes 2 to 25 ms over a replaceState, time the redraw must
   * not wait for. A drag writes its newest hash only.
   */
  #writeAddress(hash) {
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

  #copyLink() {
    const url = window.location.href.split('#')[0] + writeHash(this.config);
    return offerLink(this.view.linkOut, url, 'this network', (text) => this.view.say(text));
  }

  /** Nothing on its way: the network shown is the configuration's, and so is the address. */
  get settled() {
    return this.scheduler.settled && !this._addressQueued;
  }

  /** The hash of a network asked for and not shown yet, or null. */
  get pending() {
    return this.scheduler.pending;
  }

  get timings() {
    return this.scheduler.timings;
  }

  /** Steps brought on screen while training, one per redraw at most. */
  get updates() {
    return this.view.updates;
  }

  /** What the page shows, as data, for tests and the benchmark. */
  state() {
    const { records } = this.view;
    return {
      hash: writeHash(this.config),
      pending: this.scheduler.pending,
      running: this.scheduler.running,
      records: records.length,
      lastStep: records.at(-1)?.step ?? null,
      // Every held-out accuracy measured so far: [step, accuracy] (NaN: outputs not finite).
      accuracies: records.filter((r) => r.accuracy !== null).map((r) => [r.step, r.accuracy]),
      stoppedAt: this.view.stoppedAt,
      // The run opened from a file, { name, layers, steps }, or null while building networks.
      recorded: this.recorded ?? null,
      frames: this.view.source?.length ?? 0,
      updates: this.view.updates,
      timings: this.scheduler.timings.slice(),
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
