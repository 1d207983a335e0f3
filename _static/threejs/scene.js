// Draws one network with three: the renderer, the camera, the frame loop, and painting a frame
// into the meshes that meshes.js built. What each thing looks like is decided in paint.js, and
// whether a layer is lit by the caller's Player (isLit), so this module only copies answers
// into buffers.
//
// This module owns no timeline and no DOM controls: the caller says what to show (show) and
// when something changed (requestRender). Frames are drawn only on request.

import {
  AdditiveBlending,
  BoxGeometry,
  Color,
  DoubleSide,
  EdgesGeometry,
  IcosahedronGeometry,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  Object3D,
  OctahedronGeometry,
  PerspectiveCamera,
  PlaneGeometry,
  Scene,
  Vector2,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { fitCamera } from './camerafit.js';
import { buildNetwork, disposeNetwork, meshKey } from './meshes.js';
import { meterHeight } from './meter.js';
import { LOOK, paintLayer, paintUnits, RADIUS_MAX, unitPaint } from './paint.js';
import { pointScale, SHAPE, unitMaterial } from './unitpoints.js';

/** Highest device pixel ratio rendered; beyond 2 software GL slows down for no visible gain. */
export const MAX_PIXEL_RATIO = 2;
/** How long a layer swells when the pulse reaches it, in ms; it makes the travel visible. */
const POP_MS = 450;
const POP_SCALE = 0.45;
/** Colours that are not data: units not reached (outline), inputs, the loss node, the pulse. */
const UNREACHED = '#aab3c5';
const DIM = '#3a4152';
const INPUT = '#6b7385';
const LOSS = '#e9e6df';
const WAVE = '#9fb7ff';
const NORM = '#8fb0e8';
const SHARED = '#e0c46c';
const SELECT = '#ffffff';
/** Stage backgrounds: mid-dark so that the colormap's near-black "dead" units still read as dots. */
const STAGE = { dark: '#1c2029', light: '#252a36' };
/** The sprite each look is cut to, and its size against the unit's radius: inf's diamond and
 * NaN's square a little larger, so that their shapes read. */
const SHAPE_OF = {
  [LOOK.INPUT]: SHAPE.DISC,
  [LOOK.UNREACHED]: SHAPE.OUTLINE,
  [LOOK.FILLED]: SHAPE.DISC,
  [LOOK.INF]: SHAPE.DIAMOND,
  [LOOK.NAN]: SHAPE.SQUARE,
};
const GLYPH = {
  [LOOK.INPUT]: 1,
  [LOOK.UNREACHED]: 1,
  [LOOK.FILLED]: 1,
  [LOOK.INF]: 1.3,
  [LOOK.NAN]: 1.1,
};
/** How far a connection's colour is faded toward the stage (0 = the unit's, 1 = the stage's). */
const EDGE_FADE = 0.68;
/** The thinnest bar drawn, so a layer at exactly "1 ×" still shows where its bar is, in world units. */
const BAR_MIN = 0.05;
/** A bar's width along the layers, in world units (layers are 3 apart): wide enough that a bar
 * of a decade or two reads as a block, not a tick, from the default camera. */
const BAR_WIDTH = 1.5;
const BAR_SHARE = 0.5;

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
    this._size = new Vector2();
    this._colors = new Map(); // hex -> Color in the working (linear) space, parsed once
    this.setTheme(document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

    // Shared geometries: low-poly on purpose (an icosphere of 80 triangles reads as round).
    this._geo = {
      bar: new BoxGeometry(1, 1, 1).translate(0, 0.5, 0), // grows upward from its base
      loss: new IcosahedronGeometry(0.7, 1),
      wave: new PlaneGeometry(1, 1).rotateY(Math.PI / 2), // faces along x, the pulse's direction
      pulse: new IcosahedronGeometry(0.22, 1),
      bead: new IcosahedronGeometry(1, 0),
      norm: new BoxGeometry(1, 1, 1),
      stepInput: new BoxGeometry(0.5, 0.3, 0.5),
      shared: new OctahedronGeometry(0.26, 0),
      select: new EdgesGeometry(new BoxGeometry(1, 1, 1)),
    };
    this._mat = {
      unit: unitMaterial(),
      bar: new MeshBasicMaterial(),
      // Opaque, in colours faded toward the stage (EDGE_FADE): blending costs fill in software GL.
      edge: new LineBasicMaterial({ vertexColors: true, depthWrite: false }),
      guide: new LineBasicMaterial({ vertexColors: true }),
      skip: new MeshBasicMaterial(),
      skipPulse: new MeshBasicMaterial({ color: this._c(WAVE) }),
      norm: new MeshBasicMaterial({
        color: this._c(NORM),
        transparent: true,
        opacity: 0.45,
        depthWrite: false,
      }),
      stepInput: new MeshBasicMaterial({ color: this._c(INPUT) }),
      shared: new MeshBasicMaterial({ color: this._c(SHARED) }),
      loss: new MeshBasicMaterial({ color: this._c(LOSS) }),
      select: new LineBasicMaterial({ color: this._c(SELECT) }),
      wave: new MeshBasicMaterial({
        color: this._c(WAVE),
        transparent: true,
        opacity: 0.16,
        blending: AdditiveBlending,
        depthWrite: false,
        side: DoubleSide,
      }),
    };
    this.lossNode = new Mesh(this._geo.loss, this._mat.loss);
    this.wave = new Mesh(this._geo.wave, this._mat.wave);
    this.wave.visible = false;
    this.selection = new LineSegments(this._geo.select, this._mat.select);
    this.selection.visible = false;
    this.scene.add(this.lossNode, this.wave, this.selection);

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
    if (this._paint) this._paintEdges(); // their colours are faded toward the stage's
    this.requestRender();
  }

  /**
   * Build the meshes for a frame source's network (its shape never changes between frames).
   * A network of the shape already on the stage keeps its meshes, and the reader's camera:
   * in the lab, moving a control changes the numbers, not the picture's frame.
   */
  setNetwork(source, structure) {
    this.source = source;
    this.structure = structure;
    const key = meshKey(source, structure);
    if (!this.net || key !== this._meshKey) {
      if (this.net) disposeNetwork(this.net, this.scene);
      this.net = buildNetwork(source, structure, this._geo, this._mat, (hex) => this._c(hex));
      this._meshKey = key;
      for (const obj of this.net.objects) this.scene.add(obj);
      this.layout = this.net.layout;
      this.barBase = this.net.meterBottom;
      this.lossNode.position.fromArray(this.layout.loss);
      this.wave.scale.set(1, this.net.waveHeight, this.net.waveDepth);
      this.resetCamera();
    }
    const n = this.layout.unitCount;
    this._paint = unitPaint(n);
    this._wasLit = new Uint8Array(structure.output + 1);
    this._isLit = new Uint8Array(structure.output + 1);
    this._litSince = new Array(structure.output + 1).fill(-Infinity);
    this._barPaint = new Array(structure.output).fill(null);
    this._shown = null;
    this._swellingBefore = new Set();
    this.requestRender();
  }

  /**
   * Show a frame with the pulse at `progress` (0 = output only, H = every layer lit).
   * `isLit(li)` says which layers the pulse has reached (Player.isLit). `now` is the frame time
   * in ms, for the swell of newly lit layers. Returns true while a swell still needs frames.
   */
  show(frame, isLit, { progress = 0, now = 0, wave = false } = {}) {
    const changed = this._readLit(frame, isLit, now);
    // Layers swelling now, and those whose swell ended since the last frame (drawn once more at
    // rest): only their units move, so a frame in between costs a few layers, not the whole net.
    const swelling = [];
    for (let li = 0; li < this._litSince.length; li++) {
      const age = now - this._litSince[li];
      if ((age >= 0 && age < POP_MS) || this._swellingBefore.has(li)) swelling.push(li);
    }
    const animating = swelling.some((li) => now - this._litSince[li] < POP_MS);
    this._swellingBefore = new Set(swelling.filter((li) => now - this._litSince[li] < POP_MS));
    this._placeWave(progress, wave);
    if (!changed && !swelling.length) return false;
    if (changed) {
      paintUnits(frame, this.layout, (li) => this._isLit[li] === 1, this.scale, this._paint);
      this._placeUnits(now, true, null);
      this._paintBars(frame);
      this._paintEdges();
      this._paintSkips();
      const loss = frame.loss;
      this._mat.loss.color.copy(
        this._c(Number.isNaN(loss) ? this.scale.nan : loss === Infinity ? this.scale.inf : LOSS),
      );
    } else {
      this._placeUnits(now, false, swelling);
    }
    return animating;
  }

  /**
   * Take the caller's answers on which layers are lit; start the swell of layers the pulse has
   * just reached. A jump to another frame (scrubbing, a switch) swells nothing: only travel
   * within a frame does. Returns whether anything the buffers hold must change.
   */
  _readLit(frame, isLit, now) {
    const out = this.structure.output;
    let changed = frame !== this._shown;
    let hiddenLit = 0;
    let hiddenWasLit = 0;
    for (let li = 1; li <= out; li++) {
      this._wasLit[li] = this._isLit[li];
      this._isLit[li] = isLit(li) ? 1 : 0;
      if (this._isLit[li] !== this._wasLit[li]) changed = true;
      if (li < out) {
        hiddenLit += this._isLit[li];
        hiddenWasLit += this._wasLit[li];
      }
    }
    if (!changed) return false;
    const sameFrame = frame === this._shown;
    for (let li = 1; li <= out; li++) {
      if (!this._isLit[li] || !sameFrame) this._litSince[li] = -Infinity;
      else if (!this._wasLit[li] && !this.reducedMotion) this._litSince[li] = now;
    }
    // The read-out swells when a pulse starts over at it.
    if (sameFrame && hiddenLit === 0 && hiddenWasLit > 0 && !this.reducedMotion)
      this._litSince[out] = now;
    this._shown = frame;
    return true;
  }

  /**
   * Each unit's point: its shape (a disc, an outline, a diamond for inf, a square for NaN), its
   * colour and its size. `layers` null writes every unit; a list of layers rewrites only their
   * sizes (a swell), and only those ranges of the size buffer are sent to the GPU.
   */
  _placeUnits(now, recolor, layers) {
    const net = this.net;
    const lay = this.layout;
    const paint = this._paint;
    const size = net.unitSize.array;
    for (const li of layers ?? lay.layerStart.keys()) {
      const age = now - this._litSince[li];
      const swell = age >= 0 && age < POP_MS ? 1 + POP_SCALE * (1 - age / POP_MS) : 1;
      // A recurrent net's inputs enter at each time step, so its first column is not drawn.
      const hide = li === 0 && this.structure.rnn;
      const start = lay.layerStart[li];
      const end = start + lay.layerCount[li];
      for (let k = start; k < end; k++) {
        const look = paint.look[k];
        const still = look === LOOK.UNREACHED || look === LOOK.INPUT;
        size[k] = (still ? paint.radius[k] : paint.radius[k] * swell) * GLYPH[look];
        if (!recolor) continue;
        net.unitShape.array[k] = hide ? SHAPE.NONE : SHAPE_OF[look];
        const hex =
          look === LOOK.INPUT ? INPUT : look === LOOK.UNREACHED ? UNREACHED : paint.hex[k];
        this._c(hex).toArray(net.unitColor.array, k * 3);
      }
      if (layers) net.unitSize.addUpdateRange(start, end - start);
    }
    net.unitSize.needsUpdate = true;
    if (recolor) {
      net.unitShape.needsUpdate = true;
      net.unitColor.needsUpdate = true;
    }
  }

  /** The meter: each layer's bar rises or falls from "1 ×" by the decades of gradient it gained or lost. */
  _paintBars(frame) {
    const { bars, meterZero } = this.net;
    const lay = this.layout;
    const out = this.structure.output;
    const o = this._obj;
    // Wide bars, but never wider than half the gap between layers (long nets have them close).
    const width = Math.min(BAR_WIDTH, BAR_SHARE * (lay.layerX[2] - lay.layerX[1]));
    for (let li = 1; li <= out; li++) {
      const p = paintLayer(frame, li, out, (l) => this._isLit[l] === 1, this.scale);
      this._barPaint[li - 1] = p;
      // On meter.js's fixed scale: the same decades give the same bar in every network and
      // frame (stretched only for a long network drawn layer by layer, meshes.js).
      const y = p ? meterHeight(p.decades, this.net.meterStretch) : 0;
      const h = Math.max(BAR_MIN, Math.abs(y));
      o.position.set(lay.layerX[li], y < 0 ? meterZero - h : meterZero, 0);
      o.scale.set(width, h, 0.7);
      o.updateMatrix();
      bars.setMatrixAt(li - 1, o.matrix);
      bars.setColorAt(li - 1, this._c(p ? p.hex : DIM));
    }
    bars.instanceMatrix.needsUpdate = true;
    bars.instanceColor.needsUpdate = true;
  }

  /** Each connection takes the colour of the unit it carries gradient from (the upper one). */
  _paintEdges() {
    if (!this.net) return;
    const { edgeUpper, edgeColors } = this.net;
    const arr = edgeColors.array;
    const paint = this._paint;
    const stage = this._c(STAGE[this.theme] ?? STAGE.dark);
    const c = this._color;
    for (let s = 0; s < edgeUpper.length; s++) {
      c.copy(this._c(paint.hex[edgeUpper[s]] ?? DIM)).lerp(stage, EDGE_FADE);
      c.toArray(arr, s * 6);
      c.toArray(arr, s * 6 + 3);
    }
    edgeColors.needsUpdate = true;
  }

  /** A skip path carries the gradient of the layer it leaves, unchanged, to the layer below. */
  _paintSkips() {
    const net = this.net;
    if (!net.skips) return;
    for (const [li, [start, count]] of net.skipRanges) {
      const p = this._barPaint[li - 1];
      const c = this._c(p ? p.hex : DIM);
      for (let i = start; i < start + count; i++) net.skips.setColorAt(i, c);
    }
    net.skips.instanceColor.needsUpdate = true;
  }

  /** The wavefront sits between the layer it left and the one it is heading to; on a skip path, a bead travels along it too. */
  _placeWave(progress, wave) {
    const lay = this.layout;
    const H = this.structure.hidden;
    const p = Math.min(progress, H);
    this.wave.visible = wave && p < H;
    const from = H + 1 - Math.floor(p);
    const f = p - Math.floor(p);
    if (this.wave.visible)
      this.wave.position.set(
        lay.layerX[from] + (lay.layerX[from - 1] - lay.layerX[from]) * f,
        0,
        0,
      );
    const bead = this.net.skipPulse;
    if (!bead) return;
    const arc = this.wave.visible ? this.net.skipArcs.get(from) : null;
    bead.visible = Boolean(arc);
    if (arc) {
      const t = f * (arc.length - 1);
      const i = Math.min(arc.length - 2, Math.floor(t));
      const a = arc[i];
      const b = arc[i + 1];
      bead.position.set(a[0] + (b[0] - a[0]) * (t - i), a[1] + (b[1] - a[1]) * (t - i), 0);
      const bp = this._barPaint[from - 1];
      bead.material.color.copy(this._c(bp ? bp.hex : WAVE));
    }
  }

  /** Frame hidden layer li (1-based) as the selected one, or nothing (null). */
  setSelection(li) {
    const lay = this.layout;
    this.selection.visible = li != null;
    if (li != null) {
      const cols = Math.ceil(lay.layerCount[li] / 16);
      if (this.source.network.layerLevel) {
        // Drawn layer by layer, a layer is its block and its bar: frame both.
        const top = lay.layerTop[li] + 0.65;
        const bottom = this.net.meterBottom;
        this.selection.position.set(lay.layerX[li], (top + bottom) / 2, 0);
        this.selection.scale.set(1.1, top - bottom, cols + 0.7);
      } else {
        this.selection.position.set(lay.layerX[li], 0, 0);
        this.selection.scale.set(1.1, 2 * lay.layerTop[li] + 1.3, cols + 0.7);
      }
    }
    this.requestRender();
  }

  /** Fit the whole network and the meter in view (camerafit.js), between the label strips. */
  resetCamera() {
    this._userMoved = false;
    const fit = fitCamera(this.layout.bounds, {
      top: Math.max(this.layout.bounds.max[1] + RADIUS_MAX, this.net.topY),
      bottom: this.barBase,
      heightPx: this.canvas.clientHeight || 360,
      margins: this.margins,
      fovDegrees: this.camera.fov,
      aspect: this.camera.aspect,
    });
    this.controls.target.fromArray(fit.target);
    this.camera.position.fromArray(fit.position);
    this.camera.near = fit.near;
    this.camera.far = fit.far;
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
    // Point sprites are sized in device pixels: they follow the canvas's height.
    this._mat.unit.uniforms.uScale.value = pointScale(
      this.renderer.getDrawingBufferSize(this._size).y,
      this.camera.fov,
    );
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
    if (this._active && !this._raf && !this._disposed)
      this._raf = requestAnimationFrame(this._frame);
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

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    if (this._raf) cancelAnimationFrame(this._raf);
    if (this.net) disposeNetwork(this.net, this.scene);
    for (const g of Object.values(this._geo)) g.dispose();
    for (const m of Object.values(this._mat)) m.dispose();
    this.controls.dispose();
    this.renderer.dispose();
    // Give the context back now rather than when garbage is collected: pages may hold many scenes.
    if (!this.renderer.getContext().isContextLost()) this.renderer.forceContextLoss();
    this.canvas.remove();
  }
}
