// Sentences about what the scene shows, for its status line and its screen-reader announcements.
// Pure: no three, no DOM. Numbers are written by format.js; these choose the words, which follow
// the structure (layers, or time steps of a recurrent network).

import { formatAccuracy, formatNumber } from './format.js';

/** "layer h5" or "time step t3"; a name that already says what it is stays as it is. */
function placeName(source, structure, li, capital = false) {
  const name = source.network.layers[li].name;
  const word = structure.rnn ? 'time step' : 'layer';
  const text = name.startsWith(word) ? name : `${word} ${name}`;
  return capital ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/**
 * The share of new examples a frame's network gets right, as "54% right" (`right` is the words
 * after the figure), with the step it was measured at when that is an earlier one (the lab
 * measures every few steps): "54% right at step 940". Empty when there is no measurement.
 */
export function accuracyWords(frame, right = 'right') {
  const figure = formatAccuracy(frame.accuracy);
  if (!figure) return '';
  const at = frame.accuracyStep;
  return at != null && at !== frame.step
    ? `${figure} ${right} at step ${at}`
    : `${figure} ${right}`;
}

function share(product, ascii) {
  // A recorded run's layer the forward pass did not reach at this step (runfile.js).
  if (product === null) return 'was not measured at this step';
  if (Number.isNaN(product)) return 'is not a number (NaN): training has broken down';
  if (product === Infinity) return 'has overflowed to infinity';
  if (product === 0) return 'is exactly zero: none of the output’s gradient reaches it';
  return `is ${formatNumber(product, { ascii })} times the gradient at the output`;
}

/**
 * The status line: the training step shown and how far the pulse has come, e.g.
 * "Training step 28 of 199, loss 0.693. The gradient at layer h5 is 3 × 10^-4 times the gradient at the output."
 * @param {{stepNumber: number, lastStep: number, frame: object, pulseLayer: number, complete: boolean}} at
 */
export function describeView(source, structure, at, { ascii = true } = {}) {
  const { frame } = at;
  const parts = [`Training step ${at.stepNumber} of ${at.lastStep}`];
  parts.push(`loss ${formatNumber(frame.loss, { ascii, digits: 3 })}`);
  const right = accuracyWords(frame, 'of new examples right');
  if (right) parts.push(right);
  if (frame.clipped) parts.push('gradient clipped');
  const head = `${parts.join(', ')}.`;
  const li = at.complete ? 1 : at.pulseLayer;
  if (li > structure.hidden) return `${head} The gradient leaves the loss at the read-out.`;
  return `${head} The gradient at ${placeName(source, structure, li)} ${share(frame.layers[li - 1].product, ascii)}.`;
}

/** How much of the output's gradient reaches hidden layer li, as a clause: "at layer h8, 2 × 10^-4 times the output's". */
export function describeShare(source, structure, frame, li, { ascii = true } = {}) {
  if (li > structure.hidden) return 'the gradient is at the read-out';
  return `the gradient at ${placeName(source, structure, li)} ${share(frame.layers[li - 1].product, ascii)}`;
}

function factorWords(factor) {
  return factor === null ? 'not measured' : formatNumber(factor, { ascii: true });
}

/** One hidden layer, for the announcement when the reader steps the pulse or a link selects it. */
export function describeLayerAt(source, structure, frame, li) {
  const where = placeName(source, structure, li, true);
  const ls = frame.layers[li - 1];
  const factor =
    li < structure.hidden
      ? ` Its factor, made by the weights and slope of ${source.network.layers[li + 1].name}, is ${factorWords(ls.factor)}.`
      : ` Its factor, made by the read-out's weights, is ${factorWords(ls.factor)}.`;
  return `${where}: its gradient ${share(ls.product, true)}.${factor}`;
}
