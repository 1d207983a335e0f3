// What each drawn thing looks like in one frame: a unit's colour, kind and size, a layer's meter
// (decades of the output's gradient that reach it), a skip path's colour. Pure: no three, no DOM;
// scene.js copies the answers into its buffers. Whether a layer is lit comes from the caller
// (Player.isLit), never decided here.

import { colorForLog10, KIND, log10OfMagnitude, scalePosition } from './colorscale.js';

/** How a unit is drawn. */
export const LOOK = Object.freeze({
  INPUT: 0, // the data: no gradient is computed for it
  UNREACHED: 1, // the pulse has not come this far: an outline, not a fill
  FILLED: 2, // a finite (or zero) gradient: filled with its table colour
  INF: 3, // overflowed: its own shape
  NAN: 4, // not a number: its own shape
});

/** Neuron radius at the bottom and the top of the colour scale, in world units (spacing is 1). */
export const RADIUS_MIN = 0.11;
export const RADIUS_MAX = 0.42;
/** Radius of input units, and of the outline of units not reached yet, in world units. */
export const RADIUS_INPUT = 0.22;
export const RADIUS_UNREACHED = 0.2;

/** The log10 magnitude of each unit of hidden or output layer li in a frame. */
function unitLog(frame, li, u, output) {
  if (li === output) return log10OfMagnitude(frame.outputGradNorm);
  return frame.layers[li - 1].neuronsLog10[u];
}

/**
 * Fill `out` (arrays of unitCount entries: look, hex, kind, radius) for a frame.
 * @param {{layerStart: number[], layerCount: number[]}} layout
 * @param {(li: number) => boolean} isLit
 */
export function paintUnits(frame, layout, isLit, scale, out) {
  const output = layout.layerCount.length - 1;
  for (let li = 0; li <= output; li++) {
    const lit = li > 0 && isLit(li);
    for (let u = 0; u < layout.layerCount[li]; u++) {
      const k = layout.layerStart[li] + u;
      if (li === 0) {
        out.look[k] = LOOK.INPUT;
        out.kind[k] = null;
        out.hex[k] = null;
        out.radius[k] = RADIUS_INPUT;
      } else if (!lit || unitLog(frame, li, u, output) === null) {
        // null: not measured at this step (a recorded run's layer the pass did not reach).
        out.look[k] = LOOK.UNREACHED;
        out.kind[k] = null;
        out.hex[k] = null;
        out.radius[k] = RADIUS_UNREACHED;
      } else {
        const l = unitLog(frame, li, u, output);
        const c = colorForLog10(l, scale);
        out.kind[k] = c.kind;
        out.hex[k] = c.hex;
        out.look[k] = c.kind === KIND.INF ? LOOK.INF : c.kind === KIND.NAN ? LOOK.NAN : LOOK.FILLED;
        out.radius[k] = RADIUS_MIN + (RADIUS_MAX - RADIUS_MIN) * scalePosition(l, scale);
      }
    }
  }
  return out;
}

/** Empty arrays for paintUnits. */
export function unitPaint(n) {
  return {
    look: new Uint8Array(n),
    hex: new Array(n).fill(null),
    kind: new Array(n).fill(null),
    radius: new Float32Array(n),
  };
}

/**
 * A layer's meter and bar: `decades` is log10 of the share of the output's gradient that reaches
 * hidden layer li (its running product; 0 at the read-out), so -8 means eight decades lost.
 * Colour is the layer's own gradient size on the fixed scale. null for a layer not reached.
 */
export function paintLayer(frame, li, output, isLit, scale) {
  if (!isLit(li)) return null;
  const own = li === output ? frame.outputGradNorm : frame.layers[li - 1].gradNorm;
  const product = li === output ? 1 : frame.layers[li - 1].product;
  // null: not measured at this step (a recorded run's, runfile.js): drawn as not reached.
  if (own === null || product === null) return null;
  const c = colorForLog10(log10OfMagnitude(own), scale);
  return {
    hex: c.hex,
    kind: c.kind,
    decades: log10OfMagnitude(product),
    productKind: colorForLog10(log10OfMagnitude(product), scale).kind,
  };
}
