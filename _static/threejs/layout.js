// Turns a network's shape into 3D positions. Pure: no three, no DOM.
//
// x runs from the input (left) to the output and the loss (right), so the backward pulse travels
// right to left, the way a reader of the book's figures expects. Each layer is a slab in the
// y-z plane: a column of up to COLUMN units stacked in y, and further columns going back in z,
// so a 128-unit layer stays as tall as a 16-unit one.

/** Units in one vertical column of a layer before the next column starts behind it. */
export const COLUMN = 16;
/** Distance between neighbouring units in a column, in world units. */
export const UNIT_SPACING = 1;
/** Distance between neighbouring layers, in world units; long nets (RNNs unrolled over many
 * steps) get closer layers so the stage is not a thin strip. */
export const LAYER_SPACING = 3;
const MIN_LAYER_SPACING = 1.4;
/** Above this many layers, the spacing shrinks so the whole net keeps about this length. */
const SPACING_LAYERS = 16;

export function layerSpacing(nLayers) {
  return Math.max(
    MIN_LAYER_SPACING,
    Math.min(LAYER_SPACING, (LAYER_SPACING * SPACING_LAYERS) / nLayers),
  );
}
/** Gap between the output layer and the loss node, in world units. */
export const LOSS_GAP = 3;
/**
 * The most connection segments drawn; beyond it each upper unit connects to fewer lower units,
 * and past one line per unit only every few upper units keep one. Measured in software WebGL:
 * 6,000 blended lines cost about 15 ms a frame, a third of a 48 x 128 network's frame.
 */
export const MAX_EDGES = 2000;
/**
 * Lines drawn into each upper unit at most. 16 lines per unit between 16-unit layers make a
 * moiré that hides the units and the pulse; a few per unit still show that every unit is fed
 * by the layer below (the gradient's path), and cost a tenth of the fill.
 */
export const LINES_PER_UNIT = 4;
/** Height of a residual skip path's arc above the tallest column, in world units. */
export const SKIP_RISE = 1.3;

/**
 * Lay out a network.
 * @param {{shownUnits: number}[]} layers input first, output last
 * @returns {{
 *   positions: Float32Array, // x, y, z of each unit, layer after layer
 *   layerOfUnit: Uint16Array, // index of each unit's layer
 *   layerStart: number[], layerCount: number[], layerX: number[], layerTop: number[],
 *   unitCount: number, loss: number[], edges: Uint32Array, // pairs (lower unit, upper unit)
 *   bounds: {min: number[], max: number[], center: number[], radius: number},
 * }}
 */
export function layoutNetwork(layers, { maxEdges = MAX_EDGES, perUnit = Infinity } = {}) {
  const counts = layers.map((l) => l.shownUnits);
  const unitCount = counts.reduce((a, b) => a + b, 0);
  const positions = new Float32Array(unitCount * 3);
  const layerOfUnit = new Uint16Array(unitCount);
  const layerStart = [];
  const layerX = [];
  const layerTop = [];
  const tallest = Math.min(COLUMN, Math.max(...counts));
  const spacing = layerSpacing(layers.length);
  const x0 = -((layers.length - 1) * spacing + LOSS_GAP) / 2;
  let k = 0;
  let zMax = 0;
  layers.forEach((_, li) => {
    const n = counts[li];
    const rows = Math.min(n, COLUMN);
    const cols = Math.ceil(n / COLUMN);
    const x = x0 + li * spacing;
    layerStart.push(k);
    layerX.push(x);
    layerTop.push(((rows - 1) / 2) * UNIT_SPACING);
    zMax = Math.max(zMax, ((cols - 1) / 2) * UNIT_SPACING);
    for (let u = 0; u < n; u++) {
      const row = u % COLUMN;
      const col = Math.floor(u / COLUMN);
      positions[k * 3] = x;
      positions[k * 3 + 1] = ((rows - 1) / 2 - row) * UNIT_SPACING; // first unit at the top
      positions[k * 3 + 2] = (col - (cols - 1) / 2) * UNIT_SPACING;
      layerOfUnit[k] = li;
      k++;
    }
  });
  const loss = [x0 + (layers.length - 1) * spacing + LOSS_GAP, 0, 0];
  const halfY = ((tallest - 1) / 2) * UNIT_SPACING;
  const min = [x0, -halfY, -zMax];
  const max = [loss[0], halfY, zMax];
  const center = [(min[0] + max[0]) / 2, 0, 0];
  const radius = Math.hypot(max[0] - center[0], halfY, zMax) + 1;
  return {
    positions,
    layerOfUnit,
    layerStart,
    layerCount: counts,
    layerX,
    layerTop,
    unitCount,
    loss,
    edges: connectLayers(counts, layerStart, maxEdges, perUnit),
    bounds: { min, max, center, radius },
  };
}

/**
 * Choose which unit pairs of neighbouring layers to draw as lines. Small networks get every
 * pair. Past maxEdges, each upper unit keeps an evenly spaced subset of the lower layer; past
 * one line per upper unit, every `stride`-th upper unit keeps one, so every layer pair still
 * shows its connections and the line count stays bounded whatever the width.
 */
export function connectLayers(counts, layerStart, maxEdges = MAX_EDGES, perUnit = Infinity) {
  let full = 0;
  for (let l = 1; l < counts.length; l++) full += counts[l - 1] * counts[l];
  const keep = full <= maxEdges ? 1 : maxEdges / full; // share of each lower layer kept
  let uppers = 0;
  for (let l = 1; l < counts.length; l++) uppers += counts[l];
  const stride = Math.max(1, Math.ceil(uppers / maxEdges)); // upper units per one that keeps a line
  const pairs = [];
  for (let l = 1; l < counts.length; l++) {
    const nLow = counts[l - 1];
    const nUp = counts[l];
    const perUpper = Math.max(1, Math.min(nLow, perUnit, Math.floor(nLow * keep)));
    for (let u = 0; u < nUp; u += perUpper > 1 ? 1 : stride) {
      // Spread the kept lower units evenly and offset them per upper unit, so together the
      // upper units still touch every lower unit.
      const offset = Math.floor((u * nLow) / nUp);
      for (let j = 0; j < perUpper; j++) {
        const lower = (offset + Math.floor((j * nLow) / perUpper)) % nLow;
        pairs.push(layerStart[l - 1] + lower, layerStart[l] + u);
      }
    }
  }
  return Uint32Array.from(pairs);
}

/** Widest picture a layer-level network is drawn as: its length over its meter's height. */
export const LAYER_LEVEL_ASPECT = 4;

/**
 * The height of one decade on the meter, in world units. A network drawn layer by layer
 * (network.layerLevel: a run recorded from a real model, one block per layer, no unit's own
 * gradient) may have hundreds of layers: its meter grows with its length, so that the bars,
 * one per layer, are a chart about LAYER_LEVEL_ASPECT times as wide as tall rather than a
 * sliver. Every other network keeps `decade`.
 */
export function meterDecade(layout, { layerLevel = false, decade, decades }) {
  if (!layerLevel) return decade;
  const length = layout.bounds.max[0] - layout.bounds.min[0];
  return Math.max(decade, length / (LAYER_LEVEL_ASPECT * 2 * decades));
}

/**
 * Points along the skip path from hidden layer `li` back to layer `li - 1` (the way the gradient
 * goes): a raised arc over the columns, from above column li to above column li - 1.
 * @returns {number[][]} `segments + 1` points [x, y, z]
 */
export function skipArc(layout, li, segments = 16) {
  const top = Math.max(...layout.layerTop) + 0.55;
  const x0 = layout.layerX[li];
  const x1 = layout.layerX[li - 1];
  const pts = [];
  for (let i = 0; i <= segments; i++) {
    const t = i / segments;
    // A parabola: rises SKIP_RISE at the middle, meets the columns' tops at both ends.
    pts.push([x0 + (x1 - x0) * t, top + 4 * SKIP_RISE * t * (1 - t), 0]);
  }
  return pts;
}
