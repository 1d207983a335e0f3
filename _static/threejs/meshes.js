// Builds the three objects that draw one network, once per scenario (its shape never changes
// between training steps). Draw calls stay constant whatever the network's size: every kind of
// thing is one InstancedMesh, one LineSegments or one merged Mesh. Materials are unlit
// (MeshBasicMaterial), so the pixel a reader sees is exactly the payload's table colour.
//
// This module only builds and frees; scene.js paints what it built.

import {
  BufferAttribute,
  BufferGeometry,
  InstancedMesh,
  LineSegments,
  Mesh,
  Object3D,
} from 'three';
import { LINES_PER_UNIT, layoutNetwork, meterDecade, skipArc, UNIT_SPACING } from './layout.js';
import { MEAN_DECADE, METER_DECADES, meterFrame, meterTicks } from './meter.js';
import { RADIUS_MAX } from './paint.js';
import { unitPoints } from './unitpoints.js';

/** Radius of a skip path's beads, and how many beads draw one path, in world units and beads. */
const SKIP_RADIUS = 0.09;
const SKIP_BEADS = 15;
/** Colours that are not data: guides (meter ticks, RNN inputs) and the "1 ×" line. */
const GUIDE = '#59627a';
const GUIDE_ZERO = '#a9b3c8';

/**
 * What buildNetwork reads of a network: two networks with the same key get the same meshes
 * (the lab's controls mostly change weights, not shapes), so the meshes can stay.
 */
export function meshKey(source, structure) {
  const { rnn, skips, batchnorm } = structure;
  const { layers, layerLevel = false } = source.network;
  return JSON.stringify([layers.map((l) => l.shownUnits), rnn, skips, batchnorm, layerLevel]);
}

export function buildNetwork(source, structure, geo, mat, colorOf) {
  const layers = source.network.layers;
  const lay = layoutNetwork(layers, { perUnit: LINES_PER_UNIT });
  const H = structure.hidden;
  const out = {};
  const all = [];
  const add = (key, obj) => {
    obj.frustumCulled = false; // bounds are not recomputed as instances move; the net is all on screen
    out[key] = obj;
    all.push(obj);
    return obj;
  };

  // Every unit, whatever its look, is one point of one Points object (unitpoints.js).
  const pts = unitPoints(lay.positions.slice(), mat.unit);
  add('units', pts.points);
  out.unitColor = pts.color;
  out.unitSize = pts.size;
  out.unitShape = pts.shape;
  add('bars', new InstancedMesh(geo.bar, mat.bar, H + 1)); // hidden layers, then the read-out
  // setColorAt creates the colour buffer on first use; do it now for every instance.
  const grey = colorOf('#3a4152');
  for (let j = 0; j <= H; j++) out.bars.setColorAt(j, grey);

  // Connections, then one segment from each output unit to the loss node. A recurrent net's
  // input enters at every time step (drawn below), not through a first column.
  const outStart = lay.layerStart[H + 1];
  const nOut = lay.layerCount[H + 1];
  const pairs = [];
  for (let s = 0; s < lay.edges.length / 2; s++) {
    const a = lay.edges[2 * s];
    if (structure.rnn && lay.layerOfUnit[a] === 0) continue;
    pairs.push(a, lay.edges[2 * s + 1]);
  }
  const segments = pairs.length / 2 + nOut;
  const pos = new Float32Array(segments * 6);
  out.edgeUpper = new Int32Array(segments); // the unit each segment carries gradient from
  for (let s = 0; s < pairs.length / 2; s++) {
    pos.set(lay.positions.subarray(pairs[2 * s] * 3, pairs[2 * s] * 3 + 3), s * 6);
    pos.set(lay.positions.subarray(pairs[2 * s + 1] * 3, pairs[2 * s + 1] * 3 + 3), s * 6 + 3);
    out.edgeUpper[s] = pairs[2 * s + 1];
  }
  for (let u = 0; u < nOut; u++) {
    const s = pairs.length / 2 + u;
    const k = outStart + u;
    pos.set(lay.positions.subarray(k * 3, k * 3 + 3), s * 6);
    pos.set(lay.loss, s * 6 + 3);
    out.edgeUpper[s] = k;
  }
  const edgeGeo = new BufferGeometry();
  edgeGeo.setAttribute('position', new BufferAttribute(pos, 3));
  out.edgeColors = new BufferAttribute(new Float32Array(segments * 6), 3);
  edgeGeo.setAttribute('color', out.edgeColors);
  // Lines end at the units' centres, where the flat unit sprites are: drawn first, and writing
  // no depth, they pass under every unit.
  add('edges', new LineSegments(edgeGeo, mat.edge)).renderOrder = -1;

  const tallest = Math.max(...lay.layerTop);
  // One fixed scale (meter.js), stretched only for a long network drawn layer by layer, so
  // that its bars are a chart rather than a sliver (layout.js meterDecade).
  out.meterStretch =
    meterDecade(lay, {
      layerLevel: source.network.layerLevel === true,
      decade: MEAN_DECADE,
      decades: METER_DECADES,
    }) / MEAN_DECADE;
  const meter = meterFrame(tallest, RADIUS_MAX, out.meterStretch);
  out.meterZero = meter.zero;
  out.meterBottom = meter.bottom;
  add('guides', buildGuides(lay, structure, out, colorOf, mat.guide));

  if (structure.skips.length) {
    const built = buildSkips(lay, structure.skips, geo.bead, mat.skip);
    out.skipArcs = built.arcs;
    out.skipRanges = built.ranges;
    add('skips', built.mesh);
    for (let i = 0; i < built.mesh.count; i++) built.mesh.setColorAt(i, grey);
    add('skipPulse', new Mesh(geo.pulse, mat.skipPulse)).visible = false;
  }
  if (structure.batchnorm) add('norms', buildNorms(lay, H, geo.norm, mat.norm));
  if (structure.rnn) {
    add(
      'stepInputs',
      placeInstances(geo.stepInput, mat.stepInput, H, (o, i) => {
        o.position.set(lay.layerX[i + 1], -tallest - 0.75, 0);
      }),
    );
    // One badge per step between consecutive time steps, the same shape and colour every time:
    // the one recurrent matrix W_hh is shared by all of them.
    add(
      'shared',
      placeInstances(geo.shared, mat.shared, H, (o, i) => {
        const x = i === 0 ? lay.layerX[1] - 0.9 : (lay.layerX[i] + lay.layerX[i + 1]) / 2;
        o.position.set(x, tallest + 0.7, 0);
      }),
    );
  }
  out.layout = lay;
  out.objects = all;
  out.topY = tallest + (structure.skips.length ? 0.55 + 1.3 + 0.5 : structure.rnn ? 1.35 : 0.75);
  out.waveHeight = 2 * tallest + 2;
  out.waveDepth = lay.bounds.max[2] - lay.bounds.min[2] + 2 * UNIT_SPACING;
  return out;
}

/** The meter's decade ticks and its "1 ×" line across every layer, and an RNN's input arrows. */
function buildGuides(lay, structure, net, colorOf, material) {
  const H = structure.hidden;
  const x0 = lay.layerX[1] - 0.9;
  const x1 = lay.layerX[H + 1] + 0.9;
  const lines = [];
  const colors = [];
  const line = (a, b, hex) => {
    lines.push(...a, ...b);
    const c = colorOf(hex);
    colors.push(c.r, c.g, c.b, c.r, c.g, c.b);
  };
  for (const { height, across, zero } of meterTicks(net.meterStretch)) {
    const y = net.meterZero + height;
    if (across) line([x0, y, 0], [x1, y, 0], zero ? GUIDE_ZERO : GUIDE);
    else {
      line([x0, y, 0], [x0 + 0.35, y, 0], GUIDE);
      line([x1 - 0.35, y, 0], [x1, y, 0], GUIDE);
    }
  }
  if (structure.rnn) {
    const tallest = Math.max(...lay.layerTop);
    for (let li = 1; li <= H; li++)
      line([lay.layerX[li], -tallest - 0.6, 0], [lay.layerX[li], -tallest - 0.1, 0], GUIDE_ZERO);
  }
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(new Float32Array(lines), 3));
  g.setAttribute('color', new BufferAttribute(new Float32Array(colors), 3));
  return new LineSegments(g, material);
}

/**
 * Every skip path as a dotted arc of beads, all in one InstancedMesh (one draw call), coloured
 * per bead. Returns the beads' range for each skip layer and the arc's points for the travelling bead.
 */
function buildSkips(lay, skips, geometry, material) {
  const arcs = new Map();
  const ranges = new Map();
  let n = 0;
  for (const li of skips) {
    const pts = skipArc(lay, li, SKIP_BEADS - 1);
    arcs.set(li, pts);
    ranges.set(li, [n, pts.length]);
    n += pts.length;
  }
  const mesh = new InstancedMesh(geometry, material, n);
  const o = new Object3D();
  for (const [li, [start]] of ranges) {
    arcs.get(li).forEach((p, i) => {
      o.position.set(...p);
      o.scale.setScalar(SKIP_RADIUS);
      o.updateMatrix();
      mesh.setMatrixAt(start + i, o.matrix);
    });
  }
  return { mesh, arcs, ranges };
}

/** A thin slab before each hidden layer's units: the batch-normalization stage. */
function buildNorms(lay, H, geometry, material) {
  return placeInstances(geometry, material, H, (o, i) => {
    const li = i + 1;
    const cols = Math.ceil(lay.layerCount[li] / 16);
    o.position.set(lay.layerX[li] - 0.55, 0, 0);
    o.scale.set(0.1, 2 * lay.layerTop[li] + 0.9, cols + 0.4);
  });
}

function placeInstances(geometry, material, count, place) {
  const m = new InstancedMesh(geometry, material, count);
  const o = new Object3D();
  for (let i = 0; i < count; i++) {
    o.position.set(0, 0, 0);
    o.scale.set(1, 1, 1);
    place(o, i);
    o.updateMatrix();
    m.setMatrixAt(i, o.matrix);
  }
  return m;
}

/** Free what buildNetwork made (shared geometries and materials stay with the scene). */
export function disposeNetwork(net, scene) {
  for (const obj of net.objects) {
    scene.remove(obj);
    if (obj.isInstancedMesh) obj.dispose();
    // Lines and points own their geometry; meshes share the scene's.
    if (obj.isLineSegments || obj.isPoints) obj.geometry.dispose();
  }
}
