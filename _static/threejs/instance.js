// One scene in one container: wires the payload, the pulse timeline (player.js), the three
// scene (scene.js) and the DOM (controls.js), and watches the page (size, visibility, theme,
// reduced motion). Everything it adds, it removes in dispose().

import { colorForLog10, log10OfMagnitude } from './colorscale.js';
import { buildLayerLabels, buildShell } from './controls.js';
import { describeLayer, describeStep, formatFactor, formatNumber } from './format.js';
import { placeLabels } from './labels.js';
import { Player } from './player.js';
import { GradientScene } from './scene.js';

/** Least room between two labels of a row, and the least room a label takes, in CSS px. */
const LABEL_GAP = 8;
const LABEL_MIN_W = 40;
/** Room the camera leaves for the factor labels under the top strip, and for the two rows of
 * names and shares under the bars, in CSS px. */
const FACTOR_ROW = 26;
const NAME_ROWS = 72;
/** Stage height as a share of its width, within these CSS px bounds. */
const STAGE_ASPECT = 0.56;
const STAGE_MIN_H = 300;
const STAGE_MAX_H = 620;

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
    const wanted = container.dataset.scenario;
    let scenario = payload.scenarios.find((s) => s.id === wanted);
    if (wanted && !scenario) console.warn(`gradbook: scenario "${wanted}" is not in the payload; showing "${payload.scenarios[0].id}".`);
    scenario ??= payload.scenarios[0];

    this.motionQuery = window.matchMedia('(prefers-reduced-motion: reduce)');
    this.reducedMotion = this.motionQuery.matches;
    this.ui = buildShell(container, payload, scenario);
    this.scene = new GradientScene(this.ui.stage, payload.colorScale, {
      reducedMotion: this.reducedMotion,
      onFrame: (dt, now) => this._onFrame(dt, now),
    });
    this.scene.afterRender = () => this._placeLabels();
    this._wire();
    this.setScenario(scenario.id, { announce: false });
    this._watchPage();
    container.dataset.gradbookStatus = 'ready';
  }

  // ---- what is shown ----------------------------------------------------------------------

  setScenario(id, { announce = true } = {}) {
    const scenario = this.payload.scenarios.find((s) => s.id === id);
    if (!scenario) throw new Error(`no scenario "${id}"`);
    this.scenario = scenario;
    const H = scenario.network.layers.length - 2;
    const wasPlaying = this.player?.playing ?? false;
    this.player = new Player({ hidden: H, steps: scenario.steps.length, reducedMotion: this.reducedMotion });
    this.player.speed = Number(this.ui.speed.value);
    this.scene.setScenario(scenario);
    this.labels = buildLayerLabels(this.ui.labels, scenario);
    this.ui.title.textContent = scenario.title;
    this.ui.summary.textContent = scenario.summary;
    this.ui.scenarioSel.value = scenario.id;
    this.ui.scrub.max = String(scenario.steps.length - 1);
    this.ui.scrub.disabled = scenario.steps.length < 2;
    this._labelKey = null;
    if (wasPlaying) this.player.play();
    this._show();
    if (announce) this._announce(describeStep(scenario, this.player.stepIndex));
  }

  /**
   * Push the player's position into the scene and the DOM. Outside a frame it also asks for
   * one; inside a frame (_onFrame) the frame loop decides from the return value instead.
   */
  _show(now = performance.now(), { request = true } = {}) {
    const p = this.player;
    const animating = this.scene.update(p.stepIndex, p.displayProgress, { now, wave: !p.complete });
    this._updateControls();
    this._updateLabelText();
    if (request) this.scene.requestRender();
    return animating;
  }

  _onFrame(dt, now) {
    const p = this.player;
    const wasComplete = p.complete;
    const wasPlaying = p.playing;
    p.tick(dt);
    const animating = this._show(now, { request: false });
    if (wasPlaying && !p.playing) this._announce(describeStep(this.scenario, p.stepIndex));
    else if (!wasComplete && p.complete && this.reducedMotion) this._announce(describeStep(this.scenario, p.stepIndex));
    return p.playing || animating;
  }

  _updateControls() {
    const p = this.player;
    const ui = this.ui;
    const key = `${this.scenario.id}:${p.stepIndex}`;
    if (this._descKey !== key) {
      this._descKey = key;
      ui.desc.textContent = describeStep(this.scenario, p.stepIndex);
    }
    ui.play.textContent = p.playing ? 'Pause' : 'Play';
    ui.play.setAttribute('aria-pressed', String(p.playing));
    if (Number(ui.scrub.value) !== p.stepIndex) ui.scrub.value = String(p.stepIndex);
    const s = this.scenario.steps[p.stepIndex];
    const text = `step ${s.step} of ${this.scenario.steps.at(-1).step}, loss ${formatNumber(s.loss, { digits: 3 })}${s.clipped ? ', clipped' : ''}`;
    if (ui.stepOut.textContent !== text) {
      ui.stepOut.textContent = text;
      ui.scrub.setAttribute('aria-valuetext', text);
    }
  }

  // ---- labels over the canvas -------------------------------------------------------------

  /** Label texts change only when the step or the pulse's layer changes. */
  _updateLabelText() {
    const p = this.player;
    const key = `${p.stepIndex}:${p.lit}`;
    if (key === this._labelKey) return;
    this._labelKey = key;
    const sc = this.scenario;
    const step = sc.steps[p.stepIndex];
    const H = sc.network.layers.length - 2;
    const scale = this.payload.colorScale;
    for (const lab of this.labels) {
      const { li } = lab;
      const lit = li === H + 1 || (li >= 1 && li >= H - p.lit + 1);
      lab.top.classList.toggle('is-pulse', li === p.pulseLayer && !p.complete);
      lab.bottom.classList.toggle('is-pulse', li === p.pulseLayer && !p.complete);
      lab.bottom.classList.toggle('is-unlit', !lit && li !== 0);
      if (li === 0) {
        lab.top.textContent = '';
        lab.value.textContent = 'data';
      } else if (li === H + 1) {
        lab.top.textContent = '';
        lab.value.textContent = '';
      } else if (!lit) {
        lab.top.textContent = '';
        lab.value.textContent = '';
      } else {
        const ls = step.layers[li - 1];
        lab.top.textContent = formatFactor(ls.factor);
        lab.value.textContent = formatNumber(ls.product);
        const c = colorForLog10(log10OfMagnitude(ls.product), scale);
        lab.value.classList.toggle('is-nonfinite', c.kind === 'inf' || c.kind === 'nan');
        lab.top.classList.toggle('is-nonfinite', !Number.isFinite(ls.factor));
      }
    }
    const loss = step.loss;
    this.ui.loss.textContent = `loss ${formatNumber(loss, { digits: 3 })}`;
    this.ui.loss.classList.toggle('is-nonfinite', !Number.isFinite(loss));
  }

  /**
   * After each frame, move the labels to where their layers are drawn: names and shares under
   * the bars in up to two rows, factors above the columns under the top strip. Labels that would
   * cover another are left out (labels.js); the pulse's layer, the input and the output go first.
   */
  _placeLabels() {
    const { scene, labels } = this;
    const lay = scene.layout;
    const H = lay.layerX.length - 2;
    const width = scene.canvas.clientWidth;
    const height = scene.canvas.clientHeight;
    if (this._sizedKey !== this._labelKey) {
      // Sizes change with the text only, and reading them forces a layout: once per change.
      // Thinned labels are shown for it (not painted: placing them below hides them again).
      this._sizedKey = this._labelKey;
      for (const lab of labels) lab.top.hidden = lab.bottom.hidden = false;
      for (const lab of labels) {
        lab.tw = lab.top.textContent ? lab.top.offsetWidth : 0;
        lab.bw = lab.bottom.offsetWidth;
      }
      this._rowH = Math.max(...labels.map((l) => l.bottom.offsetHeight)) + 4;
      this._minTop = this.ui.topbar.offsetHeight + Math.max(...labels.map((l) => l.top.offsetHeight));
    }
    const pt = this._pt ?? (this._pt = {});
    const pulse = this.player.complete ? -1 : this.player.pulseLayer;
    const rank = (li) => (li === pulse ? 2 : li === 0 || li === H + 1 ? 1 : 0);
    let low = 0;
    const bottom = labels.map((lab) => {
      scene.project(lay.layerX[lab.li], scene.barBase - 0.35, 0, pt);
      low = Math.max(low, pt.y);
      // A name without a number stays in the first row: the second is for numbers.
      return { x: pt.x, y: pt.y, w: pt.visible ? lab.bw : 0, rank: rank(lab.li), rows: lab.value.textContent ? 2 : 1 };
    });
    const rowH = this._rowH;
    const rows = low + 2 * rowH <= height ? 2 : 1;
    const below = placeLabels(bottom, { gap: LABEL_GAP, rows, width, minW: LABEL_MIN_W });
    // A factor is shown only over a layer whose name is shown.
    const topY = Math.max(...lay.layerTop) + 0.75;
    const top = labels.map((lab, i) => {
      scene.project(lay.layerX[lab.li], topY, 0, pt);
      return { x: pt.x, y: pt.y, w: below[i].show && pt.visible ? lab.tw : 0, rank: rank(lab.li) };
    });
    const above = placeLabels(top, { gap: LABEL_GAP, width });
    labels.forEach((lab, i) => {
      place(lab.bottom, below[i].x, Math.min(bottom[i].y, height - rows * rowH) + below[i].row * rowH, below[i].show);
      place(lab.top, above[i].x, Math.min(height, Math.max(top[i].y, this._minTop)), above[i].show);
    });
  }

  // ---- controls ---------------------------------------------------------------------------

  _wire() {
    const ui = this.ui;
    const on = (target, type, fn, opts) => {
      target.addEventListener(type, fn, opts);
      this._cleanups.push(() => target.removeEventListener(type, fn, opts));
    };
    on(ui.play, 'click', () => {
      this.player.toggle();
      this._userStarted = true;
      this._show();
      if (!this.player.playing) this._announce(`Paused. ${describeStep(this.scenario, this.player.stepIndex)}`);
    });
    on(ui.stepLayer, 'click', () => {
      this.player.stepLayer();
      this._show();
      this._announceLayer();
    });
    on(ui.scrub, 'input', () => {
      this.player.setStep(Number(ui.scrub.value));
      this._show();
      clearTimeout(this._scrubTimer);
      // Announce once the reader stops moving the slider, not at every value it passes.
      this._scrubTimer = setTimeout(() => this._announce(describeStep(this.scenario, this.player.stepIndex)), 400);
    });
    on(ui.speed, 'change', () => {
      this.player.speed = Number(ui.speed.value);
    });
    on(ui.scenarioSel, 'change', () => this.setScenario(ui.scenarioSel.value));
    // A GPU reset, or too many scenes on the page: the canvas cannot draw any more.
    on(this.scene.canvas, 'webglcontextlost', () => this._hooks.onLost?.(this));
    on(ui.resetCam, 'click', () => this.scene.resetCamera());
    on(ui.full, 'click', () => {
      if (document.fullscreenElement === this.container) document.exitFullscreen().catch(() => {});
      else this.container.requestFullscreen?.().catch(() => {});
    });
    on(document, 'fullscreenchange', () => {
      ui.full.textContent = document.fullscreenElement === this.container ? 'Exit full screen' : 'Full screen';
    });
  }

  _announceLayer() {
    const p = this.player;
    const sc = this.scenario;
    const H = sc.network.layers.length - 2;
    if (p.lit === 0) {
      this._announce(`The gradient leaves the loss at the output (step ${sc.steps[p.stepIndex].step}).`);
      return;
    }
    const li = H + 1 - p.lit;
    const ls = sc.steps[p.stepIndex].layers[li - 1];
    this._announce(`${describeLayer(sc.network.layers[li].name, ls.product)} Factor at this layer ${formatFactor(ls.factor)}.`);
  }

  _announce(text) {
    this.ui.live.textContent = text;
  }

  // ---- the page around the scene ----------------------------------------------------------

  _watchPage() {
    const { container, scene, ui } = this;
    this._onScreen = false;
    const update = () => {
      const active = this._onScreen && !document.hidden;
      scene.setActive(active);
      // Autoplay once, the first time the scene is seen, unless the reader asked for less motion.
      if (active && !this._autoplayed && !this.reducedMotion && !this._userStarted) {
        this._autoplayed = true;
        this.player.setStep(0);
        this.player.play();
        this._show();
      }
    };
    this.resizeObserver = new ResizeObserver((entries) => {
      const w = entries[0].contentRect.width;
      const h = document.fullscreenElement === container
        ? Math.max(STAGE_MIN_H, window.innerHeight - ui.stage.getBoundingClientRect().top - 160)
        : Math.round(Math.min(STAGE_MAX_H, Math.max(STAGE_MIN_H, w * STAGE_ASPECT)));
      ui.stage.style.height = `${h}px`;
      // The top strip may wrap to another line; the camera keeps the label strips clear.
      scene.margins.top = ui.topbar.offsetHeight + FACTOR_ROW;
      scene.margins.bottom = NAME_ROWS;
      this._sizedKey = null;
      scene.resize(w, h);
    });
    this.resizeObserver.observe(ui.stage);
    this.intersectionObserver = new IntersectionObserver((entries) => {
      this._onScreen = entries.at(-1).isIntersecting;
      update();
    });
    this.intersectionObserver.observe(container);
    const onVisibility = () => update();
    document.addEventListener('visibilitychange', onVisibility);
    this._cleanups.push(() => document.removeEventListener('visibilitychange', onVisibility));
    // The book theme sets data-theme on <html>; the stage follows it.
    this.themeObserver = new MutationObserver(() => scene.setTheme(document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'));
    this.themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const onMotion = () => {
      this.reducedMotion = this.motionQuery.matches;
      this.player.reducedMotion = this.reducedMotion;
      scene.reducedMotion = this.reducedMotion;
      this._show();
    };
    this.motionQuery.addEventListener('change', onMotion);
    this._cleanups.push(() => this.motionQuery.removeEventListener('change', onMotion));
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

  /** Everything the reader sees, as data: which step, where the pulse is, the colours drawn. */
  state() {
    const p = this.player;
    const sc = this.scenario;
    const lay = this.scene.layout;
    const drawn = this.scene.drawnColors();
    const H = sc.network.layers.length - 2;
    return {
      scenario: sc.id,
      stepIndex: p.stepIndex,
      step: sc.steps[p.stepIndex].step,
      playing: p.playing,
      progress: p.progress,
      litLayers: p.lit,
      pulseLayer: p.pulseLayer,
      complete: p.complete,
      reducedMotion: this.reducedMotion,
      speed: p.speed,
      frames: this.scene.frames,
      drawCalls: this.scene.renderer.info.render.calls,
      theme: this.scene.theme,
      layers: sc.network.layers.map((layer, li) => ({
        index: li,
        name: layer.name,
        role: layer.role,
        lit: li === H + 1 || (li >= 1 && li >= H - p.lit + 1),
        color: li === 0 ? null : drawn.bars[li - 1],
        neurons: drawn.units.slice(lay.layerStart[li], lay.layerStart[li] + lay.layerCount[li]),
        kinds: drawn.kinds.slice(lay.layerStart[li], lay.layerStart[li] + lay.layerCount[li]),
      })),
    };
  }

  /** Where a neuron is drawn: CSS px in the page, and device px in the canvas. */
  unitPosition(layerIndex, unit) {
    const lay = this.scene.layout;
    const k = lay.layerStart[layerIndex] + unit;
    const pt = this.scene.project(lay.positions[3 * k], lay.positions[3 * k + 1], lay.positions[3 * k + 2], {});
    const rect = this.scene.canvas.getBoundingClientRect();
    const ratio = this.scene.canvas.width / rect.width;
    return { pageX: rect.left + pt.x, pageY: rect.top + pt.y, canvasX: Math.round(pt.x * ratio), canvasY: Math.round(pt.y * ratio) };
  }

  /** Draw now and read one pixel of the canvas (device px from the top left) as '#rrggbb'. */
  readPixel(x, y) {
    this.scene.renderNow();
    const gl = this.scene.renderer.getContext();
    const buf = new Uint8Array(4);
    gl.readPixels(x, gl.drawingBufferHeight - 1 - y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, buf);
    return `#${[buf[0], buf[1], buf[2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  }

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    clearTimeout(this._scrubTimer);
    for (const undo of this._cleanups) undo();
    this.resizeObserver.disconnect();
    this.intersectionObserver.disconnect();
    this.themeObserver.disconnect();
    this.scene.dispose();
    for (const child of [...this.container.children]) if (child.tagName !== 'NOSCRIPT') child.remove();
    this.container.dataset.gradbookStatus = 'disposed';
    this._hooks.onDispose?.(this);
  }
}

function place(node, x, y, show) {
  node.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
  if (node.hidden === show) node.hidden = !show;
}
