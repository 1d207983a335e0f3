// The lab's inspector line under the scene: which column the pointer is over, and one layer's
// name and numbers in words, for the layer under the pointer or the one selected. Pure: no DOM,
// no three (view.js measures where the columns are drawn and writes the line).
import { formatFactor, formatNumber } from '../format.js';

export const HINT =
  'Point at a column of the scene to read its layer’s numbers; click it, or a row of the table, to select it.';

/**
 * The index (1-based) of the column whose screen x is nearest `x`, or null when the pointer is
 * further than a column's spacing from the first or the last. `xs`: each column's x, in order.
 */
export function nearestColumn(xs, x) {
  if (!xs.length) return null;
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
  const spacing = xs.length > 1 ? Math.abs(xs[1] - xs[0]) : 40;
  return Math.abs(xs[best] - x) <= Math.max(spacing, 8) ? best + 1 : null;
}

const num = (v) => (v === null ? 'not measured' : formatNumber(v));

/**
 * One layer in words: "Layer 37 of 300, blocks.3.conv1 (Conv2d, 256 units), at training step
 * 120: gradient size 3 × 10⁻⁴, factor ×0.97, running product 0.012, |dL/dW| 0.05, update ratio
 * 10⁻³." `run` is the view's (a recorded run adds each layer's type, |dL/dW| and update ratio).
 */
export function inspectText(run, frame, li, { selected = false } = {}) {
  const H = frame.layers.length;
  const layer = frame.layers[li - 1];
  const info = run.layerInfo?.[li - 1];
  const word = run.kind === 'rnn' ? 'Time step' : 'Layer';
  const name = run.labels?.[li - 1] ?? run.network?.layers[li]?.name;
  const what = info ? ` (${info.type}, ${info.units.toLocaleString('en-US')} units)` : '';
  const parts = [
    `gradient size ${num(layer.gradNorm)}`,
    `factor ${layer.factor === null ? 'not measured' : formatFactor(layer.factor)}`,
    `running product ${num(layer.product)}`,
  ];
  if (run.recorded) {
    parts.push(`|dL/dW| ${num(layer.weightGradNorm)}`);
    if (run.ratios) parts.push(`update ratio ${num(layer.updateRatio)}`);
  }
  const head = `${selected ? 'Selected: ' : ''}${word} ${li} of ${H}${name ? `, ${name}` : ''}${what}`;
  return `${head}, at training step ${frame.step}: ${parts.join(', ')}.`;
}
