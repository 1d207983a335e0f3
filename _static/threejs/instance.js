// One scene in one container: wires the frame sources (framesource.js), the pulse timeline
// (player.js), one pane per network shown (pane.js: the drawing and its labels) and the DOM
// (controls.js), follows the page (pagewatch.js) and shows views that links ask for
// (viewlink.js). Everything it adds, it removes in dispose().

import { buildShell, setLegendMarks, setStructureKeys } from './controls.js';
import { offerLink } from './dom.js';
import { formatNumber } from './format.js';
import { ReplaySource } from './framesource.js';
import { readPixel, sceneState, unitPosition } from './inspect.js';
import { fromScenario, writeHash } from './labconfig.js';
import { prefersReducedMotion, themeOfPage, watchPage } from './pagewatch.js';
import { Pane } from './pane.js';
import { Player } from './player.js';
import { formatViewHash, resolveView } from './viewlink.js';
import { accuracyWords, describeLayerAt, describeShare, describeView } from './words.js';

/** Room the camera leaves for the factor labels under the top strip, and for the two rows of
 * names and shares under the meter, in CSS px. */
const FACTOR_ROW = 26;
const NAME_ROWS = 72;

/**
 * The two scenarios a data-compare="a,b" attribute asks for, or a sentence saying why they cannot
 * be compared (then the scene shows one network as usual).
 */
export function compareSources(attr, sources) {
  if (!attr) return { pair: null, problem: null };
  const ids = attr
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const pair = ids.map((id) => sources.find((s) => s.id === id));
  if (ids.length !== 2 || ids[0] === ids[1])
    return { pair: null, problem: 'Compare mode needs two different scenarios.' };
  const missing = ids.filter((_, i) => !pair[i])[0];
  if (missing)
    return { pair: null, problem: `Compare mode: this scene has no scenario "${missing}".` };
  const [a, b] = pair;
  // One pulse runs through both: they must have as many layers (or time steps). Their recorded
  // training steps may differ: the second shows its latest frame at or before the first's step.
  if (a.network.layers.length !== b.network.layers.length) {
    return {
      pair: null,
      problem: `Compare mode: "${a.title}" and "${b.title}" differ in depth.`,
    };
  }
  return { pair, problem: null };
}

/**
 * The lab page opened on `scenario`'s network: lab.html at the book's root (Sphinx writes the
 * way there as the page's data-content_root), with the lab's hash for its configuration.
 */
export function labHref(scenario, root = document.documentElement.dataset.content_root ?? '') {
  return `${root}lab.html${writeHash(fromScenario(scenario.config))}`;
}

export class SceneInstance {
  /**
   * @param {HTMLElement} container the .gradbook-scene element
   * @param {object} payload a payload already read by payload.js
   * @param {{onLost?: (s: SceneInstance) => void, onDispose?: (s: SceneInstance) => void}} hooks
   *   onLost: the browser took the WebGL context away (the scene cannot draw any more)
   */
  constructor(container, payload, hooks = {}) {
    this.container = container;
    this.payload = payload;
    this._hooks = hooks;
    this._cleanups = [];
    this.sources = payload.scenarios.map((sc) => new ReplaySource(sc));
    const { pair, problem } = compareSources(container.dataset.compare, this.sources);
    this.compare = pair;
    const wanted = container.dataset.scenario;
    let first = pair?.[0] ?? this.sources.find((s) => s.id === wanted);
    if (wanted && !first)
      console.warn(
        `gradbook: scenario "${wanted}" is not in the payload; showing "${this.sources[0].id}".`,
      );
    first ??= this.sources[0];

    this.reducedMotion = prefersReducedMotion();
    this.ui = buildShell(
      container,
      payload,
      payload.scenarios.find((s) => s.id === first.id),
      { panes: pair ? 2 : 1 },
    );
    this.panes = this.ui.panes.map(
      (parts, i) =>
        new Pane(parts, payload.colorScale, {
          reducedMotion: this.reducedMotion,
          onFrame: i === 0 ? (dt, now) => this._onFrame(dt, now) : null,
        }),
    );
    for (const pane of this.panes) pane.scene.afterRender = () => pane.place(this.player);
    this.scene = this.panes[0].scene;
    this._wire();
    this.setScenario(first.id, { announce: false });
    if (problem) this.notify(problem);
    this._stopWatching = watchPage(
      container,
      this.panes.map((p) => p.parts.stage),
      {
        resize: (w, h) => this._resize(w, h),
        active: (on) => this._setActive(on),
        theme: (t) => {
          for (const p of this.panes) p.scene.setTheme(t);
        },
        motion: (reduced) => this._setMotion(reduced),
      },
    );
    for (const pane of this.panes) pane.scene.setTheme(themeOfPage());
    container.dataset.gradbookStatus = 'ready';
  }

  // ---- what is shown ----------------------------------------------------------------------

  /** The primary pane's frame source: what the controls and the status line speak of. */
  get source() {
    return this.panes[0].source;
  }

  /** Show another scenario (in compare mode the pair stays; the selector is hidden there). */
  setScenario(id, { announce = true } = {}) {
    const source = this.sources.find((s) => s.id === id);
    if (!source) throw new Error(`no scenario "${id}"`);
    const shown = this.compare ?? [source];
    this.scenario = this.payload.scenarios.find((s) => s.id === shown[0].id);
    const H = shown[0].network.layers.length - 2;
    const wasPlaying = this.player?.playing ?? false;
    this.player = new Player({
      hidden: H,
      steps: shown[0].length,
      reducedMotion: this.reducedMotion,
    });
    this.player.speed = Number(this.ui.speed.value);
    this._unsubscribe?.();
    // A live source grows while it is shown: the player and the slider follow it.
    this._unsubscribe = shown[0].subscribe((n) => {
      this.player.setStepCount(n);
      this.ui.scrub.max = String(n - 1);
      this.ui.scrub.disabled = n < 2;
      this._show();
    });
    shown.forEach((s, i) => {
      this.panes[i].setSource(s);
    });
    this.selectedLayer = null;
    // The legend keys every structure on the stage (in compare mode, both networks').
    const structures = this.panes.map((pane) => pane.structure);
    setStructureKeys(this.ui.legend, {
      skips: structures.flatMap((st) => st.skips),
      batchnorm: structures.some((st) => st.batchnorm),
      rnn: structures.some((st) => st.rnn),
    });
    this.ui.labLink.href = labHref(this.scenario);
    this.ui.title.textContent = this.compare
      ? `${shown[0].title} and ${shown[1].title}, side by side`
      : shown[0].title;
    this.ui.summary.textContent = this.compare
      ? 'One pulse, one training step, one colour scale for both networks.'
      : shown[0].summary;
    this.ui.scenarioSel.value = shown[0].id;
    this.ui.scrub.max = String(shown[0].length - 1);
    this.ui.scrub.disabled = shown[0].length < 2;
    this.ui.stepLayer.textContent = this.panes[0].structure.rnn
      ? 'Step back one time step'
      : 'Step one layer';
    this._statusKey = null;
    if (wasPlaying) this.player.play();
    this._show();
    if (announce) this._announce(this._describe());
  }

  /** Push the player's position into every pane and the DOM; outside a frame, ask for one. */
  _show(now = performance.now(), { request = true } = {}) {
    let animating = false;
    const step = this.source.frame(this.player.stepIndex).step;
    for (const pane of this.panes) if (pane.show(this.player, now, step)) animating = true;
    this._updateControls();
    this.panes.forEach((pane, i) => {
      if (request || i > 0) pane.scene.requestRender();
    });
    return animating;
  }

  _onFrame(dt, now) {
    const p = this.player;
    const wasComplete = p.complete;
    const wasPlaying = p.playing;
    p.tick(dt);
    const animating = this._show(now, { request: false });
    if (wasPlaying && !p.playing) this._announce(this._describe());
    else if (!wasComplete && p.complete && this.reducedMotion) this._announce(this._describe());
    return p.playing || animating;
  }

  _describe({ ascii = true } = {}) {
    const p = this.player;
    const text = this._describeOne({ ascii });
    if (!this.compare) return text;
    // Compare mode: the same layer of the other network, on the same training step.
    const other = this.panes[1];
    const li = this.selectedLayer ?? (p.complete ? 1 : p.pulseLayer);
    const frame = other.frameAt(this.source.frame(p.stepIndex).step);
    const clause = describeShare(other.source, other.structure, frame, li, { ascii });
    const right = accuracyWords(frame, 'of new examples right');
    const score = right ? `${right}, and ` : '';
    return `${text} In ${other.source.title}, ${score}${clause}.`;
  }

  _describeOne({ ascii }) {
    const p = this.player;
    const src = this.source;
    return describeView(
      src,
      this.panes[0].structure,
      {
        frame: src.frame(p.stepIndex),
        stepNumber: src.frame(p.stepIndex).step,
        lastStep: src.frame(src.length - 1).step,
        // A selected layer (a view link's) is what the reader was pointed at.
        pulseLayer: this.selectedLayer ?? p.pulseLayer,
        complete: this.selectedLayer == null && p.complete,
      },
      { ascii },
    );
  }

  /**
   * The legend's marks: the read-out's gradient and the described layer's (the selected one, or
   * where the pulse is, layer 1 once it has arrived), in each network shown, once reached.
   */
  _legendMarks() {
    const p = this.player;
    const li = this.selectedLayer ?? (p.complete ? 1 : p.pulseLayer);
    const step = this.source.frame(p.stepIndex).step;
    const marks = [];
    this.panes.forEach((pane, i) => {
      const frame = pane.frameAt(step);
      const side = this.compare ? (i === 0 ? ' (left)' : ' (right)') : '';
      if (i === 0 && p.lit > 0) marks.push({ text: 'read-out', size: frame.outputGradNorm });
      if (li >= 1 && li <= pane.structure.hidden && p.isLit(li))
        marks.push({
          text: `${pane.structure.displayName(li)}${side}`,
          size: frame.layers[li - 1].gradNorm,
        });
    });
    return marks;
  }

  _updateControls() {
    const p = this.player;
    const ui = this.ui;
    const key = `${this.source.id}:${p.stepIndex}:${p.lit}:${p.complete}:${this.selectedLayer}`;
    if (this._statusKey !== key) {
      this._statusKey = key;
      const title = this.compare ? `${this.compare[0].title} (left)` : this.source.title;
      ui.desc.textContent = `${title}. ${this._describe()}`;
      ui.status.textContent = this._describe({ ascii: false });
      setLegendMarks(ui.legend, this.payload.colorScale, this._legendMarks());
    }
    ui.play.textContent = p.playing ? 'Pause' : 'Play';
    ui.play.setAttribute('aria-pressed', String(p.playing));
    if (Number(ui.scrub.value) !== p.stepIndex) ui.scrub.value = String(p.stepIndex);
    const s = this.source.frame(p.stepIndex);
    const last = this.source.frame(this.source.length - 1).step;
    const right = accuracyWords(s);
    const text = `step ${s.step} of ${last}, loss ${formatNumber(s.loss, { digits: 3 })}${right ? `, ${right}` : ''}${s.clipped ? ', clipped' : ''}`;
    if (ui.stepOut.textContent !== text) {
      ui.stepOut.textContent = text;
      ui.scrub.setAttribute('aria-valuetext', text);
    }
  }

  // ---- views: links that pin what is shown ---------------------------------------------------

  /**
   * Show a view {scenario?, step?, layer?} (see viewlink.js): paused, with the whole profile lit
   * and the layer selected. A view that cannot be shown leaves the scene as it is and says why.
   * Returns true when the view was shown.
   */
  setView(view, { scroll = true, announce = true } = {}) {
    const candidates = this.compare ?? this.sources;
    const current = this.source;
    const r = resolveView(view, candidates, current);
    if (r.error) {
      this.notify(r.error);
      return false;
    }
    if (!this.compare && r.source !== current) this.setScenario(r.source.id, { announce: false });
    this._userStarted = true; // a pinned view is not autoplayed away
    this.player.pause();
    this.player.setStep(r.stepIndex ?? this.player.stepIndex);
    this.selectedLayer = r.layer;
    for (const pane of this.panes) pane.select(r.layer);
    this._show();
    this.notify(null);
    if (scroll) this.container.scrollIntoView({ block: 'start' });
    if (announce) {
      const frame = this.source.frame(this.player.stepIndex);
      const layer = r.layer
        ? ` ${describeLayerAt(this.source, this.panes[0].structure, frame, r.layer)}`
        : '';
      this._announce(`Showing ${this.source.title}, training step ${frame.step}.${layer}`);
    }
    return true;
  }

  /** Select hidden layer li (1-based), as a view link's layer does, or none (null): no scroll, no pause. */
  selectLayer(li) {
    this.selectedLayer = li;
    for (const pane of this.panes) pane.select(li);
    this._show();
  }

  /** The hash of what is shown now; `index` is this scene's place among the page's scenes (0-based). */
  viewHash(index = 0) {
    const p = this.player;
    let layer = this.selectedLayer;
    // Paused part way down: the layer the pulse has reached is what the reader is looking at.
    if (
      layer == null &&
      !p.playing &&
      !p.complete &&
      p.pulseLayer <= this.panes[0].structure.hidden
    )
      layer = p.pulseLayer;
    return formatViewHash({
      scenario: this.source.id,
      step: this.source.frame(p.stepIndex).step,
      layer: layer ?? undefined,
      scene: index + 1,
    });
  }

  /** A short note over the stage (null clears it): a view link that cannot be shown, say. */
  notify(text) {
    this.ui.notice.textContent = text ?? '';
    this.ui.notice.hidden = !text;
  }

  _copyLink() {
    const index = [...document.querySelectorAll('.gradbook-scene')].indexOf(this.container);
    const url = `${window.location.href.split('#')[0]}${this.viewHash(Math.max(0, index))}`;
    return offerLink(this.ui.linkOut, url, 'this view', (text) => this._announce(text));
  }

  // ---- controls ---------------------------------------------------------------------------

  _wire() {
    const ui = this.ui;
    const on = (target, type, fn, opts) => {
      target.addEventListener(type, fn, opts);
      this._cleanups.push(() => target.removeEventListener(type, fn, opts));
    };
    const deselect = () => {
      if (this.selectedLayer == null) return;
      this.selectedLayer = null;
      for (const pane of this.panes) pane.select(null);
    };
    this._deselect = deselect;
    on(ui.play, 'click', () => {
      this.player.toggle();
      this._userStarted = true;
      deselect();
      this._show();
      if (!this.player.playing) this._announce(`Paused. ${this._describe()}`);
    });
    on(ui.stepLayer, 'click', () => {
      this._userStarted = true; // the reader drives it now: autoplay must not take over
      this.player.stepLayer();
      deselect();
      this._show();
      this._announceLayer();
    });
    on(ui.scrub, 'input', () => {
      this._userStarted = true;
      this.player.setStep(Number(ui.scrub.value));
      this._statusKey = null;
      this._show();
      clearTimeout(this._scrubTimer);
      // Announce once the reader stops moving the slider, not at every value it passes.
      this._scrubTimer = setTimeout(() => this._announce(this._describe()), 400);
    });
    on(ui.speed, 'change', () => {
      this.player.speed = Number(ui.speed.value);
    });
    on(ui.scenarioSel, 'change', () => this.setScenario(ui.scenarioSel.value));
    for (const pane of this.panes) {
      // A GPU reset, or too many scenes on the page: the canvas cannot draw any more.
      on(pane.scene.canvas, 'webglcontextlost', () => this._hooks.onLost?.(this));
    }
    on(ui.resetCam, 'click', () => {
      for (const p of this.panes) p.scene.resetCamera();
    });
    on(ui.copyLink, 'click', () => this._copyLink());
    on(ui.full, 'click', () => {
      if (document.fullscreenElement === this.container) document.exitFullscreen().catch(() => {});
      else this.container.requestFullscreen?.().catch(() => {});
    });
    on(document, 'fullscreenchange', () => {
      ui.full.textContent =
        document.fullscreenElement === this.container ? 'Exit full screen' : 'Full screen';
    });
  }

  _announceLayer() {
    const p = this.player;
    const src = this.source;
    if (p.lit === 0) {
      this._announce(
        `The gradient leaves the loss at the read-out (step ${src.frame(p.stepIndex).step}).`,
      );
      return;
    }
    this._announce(
      describeLayerAt(src, this.panes[0].structure, src.frame(p.stepIndex), p.pulseLayer),
    );
  }

  _announce(text) {
    // A newer announcement wins over the slider's pending one.
    clearTimeout(this._scrubTimer);
    this.ui.live.textContent = text;
  }

  // ---- the page around the scene ----------------------------------------------------------

  _resize(w, h) {
    for (const pane of this.panes) {
      const { scene, parts } = pane;
      // The top strip may wrap to another line; the camera keeps the label strips clear.
      scene.margins.top = parts.topbar.offsetHeight + FACTOR_ROW;
      scene.margins.bottom = NAME_ROWS;
      pane.overlay._sizedKey = null;
      const width = parts.stage.getBoundingClientRect().width || w;
      scene.resize(width, h);
    }
  }

  _setActive(active) {
    for (const pane of this.panes) pane.scene.setActive(active);
    // Autoplay once, the first time the scene is seen, unless the reader asked for less motion.
    if (active && !this._autoplayed && !this.reducedMotion && !this._userStarted) {
      this._autoplayed = true;
      this.player.setStep(0);
      this.player.play();
      this._show();
    }
  }

  _setMotion(reduced) {
    this.reducedMotion = reduced;
    this.player.reducedMotion = reduced;
    for (const pane of this.panes) pane.scene.reducedMotion = reduced;
    this._show();
  }

  // ---- for tests, the benchmark and the book's own scripts --------------------------------

  play() {
    this.player.play();
    this._userStarted = true;
    this._show();
  }

  pause() {
    this.player.pause();
    this._show();
  }

  setStep(i) {
    this.player.setStep(i);
    this._show();
  }

  /** Everything the reader sees, as data (inspect.js): for tests, the benchmark and scripts. */
  state() {
    return sceneState(this);
  }

  /** Where a neuron is drawn: CSS px in the page, and device px in the canvas (of pane `pane`). */
  unitPosition(layerIndex, unit, pane = 0) {
    return unitPosition(this.panes[pane].scene, layerIndex, unit);
  }

  /** Draw now and read one pixel of a pane's canvas (device px from the top left) as '#rrggbb'. */
  readPixel(x, y, pane = 0) {
    return readPixel(this.panes[pane].scene, x, y);
  }

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    clearTimeout(this._scrubTimer);
    this._unsubscribe?.();
    for (const undo of this._cleanups) undo();
    this._stopWatching();
    for (const pane of this.panes) pane.dispose();
    for (const child of [...this.container.children])
      if (child.tagName !== 'NOSCRIPT') child.remove();
    this.container.dataset.gradbookStatus = 'disposed';
    this._hooks.onDispose?.(this);
  }
}
