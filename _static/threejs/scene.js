// Draws one scenario's network with three and lights it from the payload.
//
// Draw calls stay constant whatever the network's size: all finite neurons are one InstancedMesh,
// the inf and NaN neurons one InstancedMesh each (their own shapes, so they differ by more than
// colour), the per-layer magnitude bars one more, all connections one LineSegments, plus the
// loss node and the pulse's wavefront. Materials are unlit (MeshBasicMaterial) so the pixel a
// reader sees is exactly the payload's table colour: no lighting, no tone mapping, no fog.
//
// This module owns no timeline and no DOM controls: the caller says what to show (update) and
// when something changed (requestRender). Frames are drawn only on request.

import {
  AdditiveBlending,
  BoxGeometry,
  BufferAttribute,
  BufferGeometry,
  Color,
  DoubleSide,
  IcosahedronGeometry,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  Object3D,
  OctahedronGeometry,
  PerspectiveCamera,
  PlaneGeometry,
  Scene,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { KIND, colorForLog10, log10OfMagnitude, scalePosition } from './colorscale.js';
import { layoutNetwork, UNIT_SPACING } from './layout.js';

/** Above this many units, neurons use the 20-triangle icosahedron instead of the 80-triangle one. */
const LOW_DETAIL_UNITS = 400;
/** Highest device pixel ratio rendered; beyond 2 software GL slows down for no visible gain. */
export const MAX_PIXEL_RATIO = 2;
/** Neuron radius at the bottom and the top of the colour scale, in world units (spacing is 1). */
const RADIUS_MIN = 0.11;
const RADIUS_MAX = 0.42;
/** Radius of units the pulse has not reached yet, and of input units (no gradient is computed for the data). */
const RADIUS_UNLIT = 0.16;
const RADIUS_INPUT = 0.22;
/** Height of a layer's magnitude bar at the top of the scale, in world units. */
const BAR_MAX = 4;
/** Gap between the lowest neuron and the top of the bar area, in world units. */
const BAR_GAP = 1.2;
/** How long a layer swells when the pulse reaches it, in ms; it makes the travel visible. */
const POP_MS = 450;
const POP_SCALE = 0.45;
/** Colours that are not data: units the pulse has not reached, inputs, the loss node. */
const UNLIT = '#3a4152';
const INPUT = '#6b7385';
const LOSS = '#e9e6df';
const WAVE = '#9fb7ff';
/** Stage backgrounds: mid-dark so that the colormap's near-black "dead" units still read as dots. */
const STAGE = { dark: '#1c2029', light: '#252a36' };

export class NoWebGLError extends Error {
  constructor() {
    super('This browser cannot draw the 3D scene (WebGL 2 is unavailable or turned off).');
    this.name = 'NoWebGLError';
  }
}

/** Create a WebGL2 context on a canvas, or return null. Creating it ourselves avoids three logging an error. */
export function createContext(canvas, { preserveDrawingBuffer = false } = {}) {
  try {
    return canvas.getContext('webgl2', {
      antialias: false, // software GL reaches ~40 fps without it, ~10 fps with it
      alpha: false,
      depth: true,
      stencil: false,
      powerPreference: 'low-power',
      preserveDrawingBuffer,
    });
  } catch {
    return null;
  }
}

export class GradientScene {
  /**
   * @param {HTMLElement} stage element the canvas fills
   * @param {object} colorScale the payload's colour scale
   * @param {{testMode?: boolean, reducedMotion?: boolean, onFrame?: (dt: number, now: number) => boolean}} options
   *   onFrame runs before each frame is drawn and returns true while it needs more frames.
   */
  constructor(stage, colorScale, { testMode = false, reducedMotion = false, onFrame = null } = {}) {
    this.stage = stage;
    this.scale = colorScale;
    this.reducedMotion = reducedMotion;
    this.onFrame = onFrame;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'gradbook-scene-canvas';
    const gl = createContext(this.canvas, { preserveDrawingBuffer: testMode });
    if (!gl) throw new NoWebGLError();
    this.renderer = new WebGLRenderer({ canvas: this.canvas, context: gl, antialias: false });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO));
    stage.prepend(this.canvas);

    this.scene = new Scene();
    this.camera = new PerspectiveCamera(35, 16 / 9, 0.1, 2000);
    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.12; // per frame; higher settles sooner, so fewer frames are drawn
    this.controls.addEventListener('change', () => this.requestRender());
    // Once the reader has turned the camera, resizing keeps their view instead of refitting.
    this.controls.addEventListener('start', () => {
      this._userMoved = true;
    });

    // Scratch objects, created once and reused for every update and frame.
    this._obj = new Object3D();
    this._color = new Color();
    this._vec = new Vector3();
    this._hidden = new Matrix4().makeScale(0, 0, 0);
    this._colors = new Map(); // hex -> Color in the working (linear) space, parsed once
    this.setTheme(document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

    // Shared geometries: low-poly on purpose (an icosphere of 80 triangles reads as round).
    this._geo = {
      unit: new IcosahedronGeometry(1, 1),
      unitLow: new IcosahedronGeometry(1, 0),
      inf: new OctahedronGeometry(1.25, 0), // a diamond: overflowed
      nan: new BoxGeometry(1.5, 1.5, 1.5), // a cube: not a number
      bar: new BoxGeometry(1, 1, 1).translate(0, 0.5, 0), // grows upward from its base
      loss: new IcosahedronGeometry(0.7, 1),
      wave: new PlaneGeometry(1, 1).rotateY(Math.PI / 2), // faces along x, the pulse's direction
    };
    this._mat = {
      unit: new MeshBasicMaterial(),
      inf: new MeshBasicMaterial({ color: this._c(colorScale.inf) }),
      nan: new MeshBasicMaterial({ color: this._c(colorScale.nan) }),
      bar: new MeshBasicMaterial(),
      edge: new LineBasicMaterial({ vertexColors: true, transparent: true, opacity: 0.5, depthWrite: false }),
      loss: new MeshBasicMaterial({ color: this._c(LOSS) }),
      wave: new MeshBasicMaterial({
        color: this._c(WAVE), transparent: true, opacity: 0.16, blending: AdditiveBlending,
        depthWrite: false, side: DoubleSide,
      }),
    };
    this.lossNode = new Mesh(this._geo.loss, this._mat.loss);
    this.wave = new Mesh(this._geo.wave, this._mat.wave);
    this.wave.visible = false;
    this.scene.add(this.lossNode, this.wave);

    /** Room the owner's labels need above and below the drawing, in CSS px. */
    this.margins = { top: 0, bottom: 0 };
    this._needsFrame = false;
    this._raf = 0;
    this._last = 0;
    this._active = true;
    this._frame = this._frame.bind(this);
    this.frames = 0;
  }

  /** A Color for a hex string, parsed once. */
  _c(hex) {
    let c = this._colors.get(hex);
    if (!c) {
      c = new Color(hex);
      this._colors.set(hex, c);
    }
    return c;
  }

  setTheme(theme) {
    this.theme = theme;
    this.renderer.setClearColor(this._c(STAGE[theme] ?? STAGE.dark), 1);
    this.requestRender();
  }

  /** Build the meshes for a scenario (its shape never changes between training steps). */
  setScenario(scenario) {
    this._disposeNetwork();
    const layers = scenario.network.layers;
    const lay = layoutNetwork(layers);
    this.layout = lay;
    this.scenario = scenario;
    const n = lay.unitCount;
    const H = layers.length - 2;

    this.units = new InstancedMesh(n > LOW_DETAIL_UNITS ? this._geo.unitLow : this._geo.unit, this._mat.unit, n);
    this.infUnits = new InstancedMesh(this._geo.inf, this._mat.inf, n);
    this.nanUnits = new InstancedMesh(this._geo.nan, this._mat.nan, n);
    this.bars = new InstancedMesh(this._geo.bar, this._mat.bar, H + 1); // hidden layers, then output
    for (const m of [this.units, this.infUnits, this.nanUnits, this.bars]) {
      m.frustumCulled = false; // bounds are not recomputed as instances move; the whole net is on screen anyway
      this.scene.add(m);
    }
    // setColorAt creates the colour buffer on first use; do it now for every instance.
    for (let k = 0; k < n; k++) this.units.setColorAt(k, this._c(UNLIT));
    for (let j = 0; j <= H; j++) this.bars.setColorAt(j, this._c(UNLIT));

    // Connections, then one segment from each output unit to the loss node.
    const out = layers.length - 1;
    const outStart = lay.layerStart[out];
    const nOut = lay.layerCount[out];
    const segments = lay.edges.length / 2 + nOut;
    const pos = new Float32Array(segments * 6);
    this._edgeUpper = new Int32Array(segments); // the unit each segment carries gradient from
    for (let s = 0; s < lay.edges.length / 2; s++) {
      const a = lay.edges[2 * s];
      const b = lay.edges[2 * s + 1];
      pos.set(lay.positions.subarray(a * 3, a * 3 + 3), s * 6);
      pos.set(lay.positions.subarray(b * 3, b * 3 + 3), s * 6 + 3);
      this._edgeUpper[s] = b;
    }
    for (let u = 0; u < nOut; u++) {
      const s = lay.edges.length / 2 + u;
      const k = outStart + u;
      pos.set(lay.positions.subarray(k * 3, k * 3 + 3), s * 6);
      pos.set(lay.loss, s * 6 + 3);
      this._edgeUpper[s] = k;
    }
    const geo = new BufferGeometry();
    geo.setAttribute('position', new BufferAttribute(pos, 3));
    this._edgeColors = new BufferAttribute(new Float32Array(segments * 6), 3);
    geo.setAttribute('color', this._edgeColors);
    this.edges = new LineSegments(geo, this._mat.edge);
    this.edges.frustumCulled = false;
    this.scene.add(this.edges);

    this.lossNode.position.fromArray(lay.loss);
    const tallest = Math.max(...lay.layerTop);
    this.barBase = -tallest - RADIUS_MAX - BAR_GAP - BAR_MAX;
    const depth = lay.bounds.max[2] - lay.bounds.min[2] + 2 * UNIT_SPACING;
    this.wave.scale.set(1, 2 * tallest + 2, depth);

    this._unitColorHex = new Array(n).fill(UNLIT);
    this._unitKind = new Array(n).fill(null);
    this._barHex = new Array(H + 1).fill(UNLIT);
    this._litSince = new Array(layers.length).fill(-Infinity);
    this._shownStep = -1;
    this._shownLit = -1;
    this._wasAnimating = false;
    this.resetCamera();
  }

  /**
   * Show a training step with the pulse at `progress` (0 = output only, H = every layer lit).
   * `now` is the frame time in ms, used for the swell of newly lit layers.
   * Returns true while an animation (a swell) still needs frames.
   */
  update(stepIndex, progress, { now = 0, wave = false } = {}) {
    const sc = this.scenario;
    const step = sc.steps[stepIndex];
    const layers = sc.network.layers;
    const H = layers.length - 2;
    const lay = this.layout;
    const lit = Math.min(H, Math.floor(progress + 1e-9));
    const newKey = stepIndex !== this._shownStep || lit !== this._shownLit;
    if (newKey) {
      // Layers the pulse has just reached start their swell now. A jump to another training
      // step (scrubbing, scenario switch) swells nothing: only travel within a step does.
      const sameStep = stepIndex === this._shownStep;
      for (let j = 1; j <= H + 1; j++) {
        const isLit = j === H + 1 || j >= H - lit + 1;
        const wasLit = sameStep && (j === H + 1 ? lit >= this._shownLit : j >= H - this._shownLit + 1);
        if (!isLit || !sameStep) this._litSince[j] = -Infinity;
        else if (!wasLit && !this.reducedMotion) this._litSince[j] = now;
      }
      // The output swells when a pulse starts over at it.
      if (sameStep && lit === 0 && this._shownLit > 0 && !this.reducedMotion) this._litSince[H + 1] = now;
      this._shownStep = stepIndex;
      this._shownLit = lit;
    }
    let animating = false;
    for (let li = 1; li <= H + 1; li++) {
      const age = now - this._litSince[li];
      if (age >= 0 && age < POP_MS) animating = true;
    }
    // Matrices change only with the data or during a swell (and once more when it ends).
    const dirty = newKey || animating || this._wasAnimating;
    this._wasAnimating = animating;
    this._updateWave(progress, wave);
    if (!dirty) return false;
    const o = this._obj;
    let nInf = 0;
    let nNan = 0;
    for (let li = 0; li < layers.length; li++) {
      const start = lay.layerStart[li];
      const count = lay.layerCount[li];
      const isHidden = li >= 1 && li <= H;
      const isLit = li === H + 1 || (isHidden && li >= H - lit + 1);
      const age = now - this._litSince[li];
      const swell = age >= 0 && age < POP_MS ? 1 + POP_SCALE * (1 - age / POP_MS) : 1;
      // The layer's own magnitude: a hidden layer's gradNorm, or the output gradient.
      const layerLog = li === H + 1 ? log10OfMagnitude(step.outputGradNorm) : isHidden ? log10OfMagnitude(step.layers[li - 1].gradNorm) : null;
      for (let u = 0; u < count; u++) {
        const k = start + u;
        let hex;
        let kind = null;
        let r;
        if (li === 0) {
          hex = INPUT;
          r = RADIUS_INPUT;
        } else if (!isLit) {
          hex = UNLIT;
          r = RADIUS_UNLIT;
        } else {
          const l = isHidden ? step.layers[li - 1].neuronsLog10[u] : layerLog;
          const c = colorForLog10(l, this.scale);
          hex = c.hex;
          kind = c.kind;
          r = (RADIUS_MIN + (RADIUS_MAX - RADIUS_MIN) * scalePosition(l, this.scale)) * swell;
        }
        o.position.fromArray(lay.positions, k * 3);
        o.scale.setScalar(r);
        o.updateMatrix();
        if (kind === KIND.INF || kind === KIND.NAN) {
          this.units.setMatrixAt(k, this._hidden);
          const m = kind === KIND.INF ? this.infUnits : this.nanUnits;
          m.setMatrixAt(kind === KIND.INF ? nInf++ : nNan++, o.matrix);
        } else {
          this.units.setMatrixAt(k, o.matrix);
        }
        if (newKey) {
          this.units.setColorAt(k, this._c(hex));
          this._unitColorHex[k] = hex;
          this._unitKind[k] = kind;
        }
      }
      if (li >= 1) {
        const j = li - 1; // bar index: hidden layers first, output last
        const c = isLit ? colorForLog10(layerLog, this.scale) : { hex: UNLIT, kind: null };
        const t = isLit ? scalePosition(layerLog, this.scale) : 0;
        o.position.set(lay.layerX[li], this.barBase, 0);
        o.scale.set(0.7, Math.max(0.04, BAR_MAX * t), 0.7);
        o.updateMatrix();
        this.bars.setMatrixAt(j, o.matrix);
        if (newKey) {
          this.bars.setColorAt(j, this._c(c.hex));
          this._barHex[j] = c.hex;
        }
      }
    }
    this.infUnits.count = nInf;
    this.nanUnits.count = nNan;
    this.infUnits.visible = nInf > 0;
    this.nanUnits.visible = nNan > 0;
    this.units.instanceMatrix.needsUpdate = true;
    this.infUnits.instanceMatrix.needsUpdate = true;
    this.nanUnits.instanceMatrix.needsUpdate = true;
    this.bars.instanceMatrix.needsUpdate = true;
    if (newKey) {
      this.units.instanceColor.needsUpdate = true;
      this.bars.instanceColor.needsUpdate = true;
      this._colorEdges();
      this._mat.loss.color.copy(this._c(Number.isNaN(step.loss) ? this.scale.nan : step.loss === Infinity ? this.scale.inf : LOSS));
    }
    return animating;
  }

  /** The wavefront sits between the layer it left and the one it is heading to. */
  _updateWave(progress, wave) {
    const lay = this.layout;
    const H = this.scenario.network.layers.length - 2;
    const p = Math.min(progress, H);
    this.wave.visible = wave && p < H;
    if (this.wave.visible) {
      const from = H + 1 - Math.floor(p);
      const f = p - Math.floor(p);
      this.wave.position.set(lay.layerX[from] + (lay.layerX[from - 1] - lay.layerX[from]) * f, 0, 0);
    }
  }

  /** Each connection takes the colour of the unit it carries gradient from (the upper one). */
  _colorEdges() {
    const arr = this._edgeColors.array;
    const c = this._color;
    for (let s = 0; s < this._edgeUpper.length; s++) {
      const k = this._edgeUpper[s];
      const kind = this._unitKind[k];
      c.copy(this._c(kind === KIND.INF ? this.scale.inf : kind === KIND.NAN ? this.scale.nan : this._unitColorHex[k]));
      c.toArray(arr, s * 6);
      c.toArray(arr, s * 6 + 3);
    }
    this._edgeColors.needsUpdate = true;
  }

  /**
   * Fit the whole network and the bars in view, seen slightly from above and the side, between
   * the strips that `margins` keeps free for labels.
   */
  resetCamera() {
    this._userMoved = false;
    const b = this.layout.bounds;
    const halfX = (b.max[0] - b.min[0]) / 2 + 3; // room for the outermost labels and perspective
    const top = b.max[1] + RADIUS_MAX;
    const bottom = this.barBase;
    const px = this.canvas.clientHeight || 360;
    const { top: mt, bottom: mb } = this.margins;
    const free = Math.max(0.4, 1 - (mt + mb) / px); // share of the height left to the drawing
    const tan = Math.tan((this.camera.fov * Math.PI) / 360);
    const d = Math.max(halfX / (tan * this.camera.aspect), (top - bottom) / 2 / (tan * free)) + b.max[2];
    // Centred between the strips: shifted by half their difference, in world units at distance d.
    const centerY = (top + bottom) / 2 + ((mt - mb) * d * tan) / px;
    const dir = this._vec.set(0.08, 0.2, 1).normalize(); // a little from the right and above: layers read as slabs
    this.controls.target.set(b.center[0] + 1, centerY, 0);
    this.camera.position.set(b.center[0] + 1 + dir.x * d, centerY + dir.y * d, dir.z * d);
    this.camera.near = Math.max(0.1, d / 100);
    this.camera.far = d * 10;
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.requestRender();
  }

  /** Follow the stage's size (called by the owner's ResizeObserver). */
  resize(width, height) {
    if (width < 1 || height < 1) return;
    this.renderer.setSize(width, height, false);
    // The label strips are in CSS px, so a new height refits too.
    const refit = Math.abs(this.camera.aspect - width / height) > 1e-3 || height !== this._height;
    this._height = height;
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    if (refit && !this._userMoved) this.resetCamera();
    this.requestRender();
  }

  /** Screen position (CSS px inside the stage) of a world point, for overlay labels. */
  project(x, y, z, out = {}) {
    const v = this._vec.set(x, y, z).project(this.camera);
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    out.x = ((v.x + 1) / 2) * w;
    out.y = ((1 - v.y) / 2) * h;
    out.visible = v.z > -1 && v.z < 1;
    return out;
  }

  /** Pause drawing (off screen, hidden tab) or resume it. */
  setActive(active) {
    this._active = active;
    if (active) this.requestRender();
    else if (this._raf) {
      cancelAnimationFrame(this._raf);
      this._raf = 0;
    }
  }

  requestRender() {
    this._needsFrame = true;
    if (this._active && !this._raf && !this._disposed) this._raf = requestAnimationFrame(this._frame);
  }

  _frame(now) {
    this._raf = 0;
    // A long gap (tab was hidden, scene was off screen) must not jump the pulse forward.
    const dt = this._last ? Math.min(100, now - this._last) : 16;
    this._last = now;
    this._needsFrame = false;
    let more = this.onFrame ? this.onFrame(dt, now) : false;
    if (this.controls.update()) more = true;
    this.renderer.render(this.scene, this.camera);
    this.frames += 1;
    // Milliseconds from navigation start to the first drawn frame, for the benchmark.
    this.firstFrameAt ??= performance.now();
    if (this.afterRender) this.afterRender();
    if (more || this._needsFrame) this.requestRender();
    else this._last = 0;
  }

  /** Draw now, synchronously (tests read pixels right after). */
  renderNow() {
    this.renderer.render(this.scene, this.camera);
    this.frames += 1;
    if (this.afterRender) this.afterRender();
  }

  /** The colours the meshes hold right now, read back from their buffers. */
  drawnColors() {
    const c = this._color;
    const units = this._unitKind.map((kind, k) => {
      if (kind === KIND.INF) return this.scale.inf;
      if (kind === KIND.NAN) return this.scale.nan;
      this.units.getColorAt(k, c);
      return `#${c.getHexString()}`;
    });
    const bars = this._barHex.map((_, j) => {
      this.bars.getColorAt(j, c);
      return `#${c.getHexString()}`;
    });
    return { units, kinds: [...this._unitKind], bars };
  }

  _disposeNetwork() {
    for (const key of ['units', 'infUnits', 'nanUnits', 'bars', 'edges']) {
      const m = this[key];
      if (!m) continue;
      this.scene.remove(m);
      if (m.isInstancedMesh) m.dispose(); // frees the instance buffers
      else m.geometry.dispose(); // edges own their geometry
      this[key] = null;
    }
  }

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    if (this._raf) cancelAnimationFrame(this._raf);
    this._disposeNetwork();
    for (const g of Object.values(this._geo)) g.dispose();
    for (const m of Object.values(this._mat)) m.dispose();
    this.controls.dispose();
    this.renderer.dispose();
    // Give the context back now rather than when garbage is collected: pages may hold many scenes.
    if (!this.renderer.getContext().isContextLost()) this.renderer.forceContextLoss();
    this.canvas.remove();
  }
}
