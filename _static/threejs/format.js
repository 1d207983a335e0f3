// Text for labels and for the screen-reader summary. Pure: no three, no DOM.
//
// Every number shown is a payload number; these functions only choose how to write it.
// Two notations: one with superscripts for the eye ("3 × 10⁻⁷"), one with a caret for speech
// ("3 × 10^-7"), because screen readers read superscript digits inconsistently.
import { SPEC } from './spec.js';

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

export function superscript(n) {
  return String(n)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
}

const MINUS = '−'; // the typographic minus, as in "10⁻⁴" and "−∞"
// Rounded magnitudes in [PLAIN_FROM, PLAIN_TO) are written plainly, the rest as m × 10ⁿ.
const { plainFrom: PLAIN_FROM, plainTo: PLAIN_TO } = SPEC.text;

/** "4700" as "4,700"; the fraction, if any, untouched. */
function grouped(text) {
  const [whole, fraction] = text.split('.');
  const g = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? g : `${g}.${fraction}`;
}

/**
 * A number for the eye, by the rule of the book's prose (gradbook.text.readable; both are
 * tested on tests/js/fixtures/numbers.json): rounded to `digits` significant digits first, then
 * plain between 0.01 and 10,000 ("0.23", "4,700"), otherwise scientific with superscripts
 * ("3 × 10⁻⁷", "2.5 × 10⁸", and "10⁻⁴" when the mantissa is 1). Two digits by default: the
 * scene is about orders of magnitude, and the figures carry the precise values. With `ascii`,
 * for speech: "3 × 10^-7", a plain minus, and words for the infinities.
 */
export function formatNumber(v, { digits = 2, ascii = false } = {}) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return ascii ? 'infinity' : '∞';
  if (v === -Infinity) return ascii ? 'minus infinity' : `${MINUS}∞`;
  if (v === 0) return '0';
  const sign = v < 0 ? (ascii ? '-' : MINUS) : '';
  // toExponential rounds the exact binary value, ties away from zero, as text.py does.
  const [m, e] = Math.abs(v).toExponential(digits - 1).split('e');
  const rounded = Number(`${m}e${e}`);
  if (rounded >= PLAIN_FROM && rounded < PLAIN_TO) return sign + grouped(String(rounded));
  const mantissa = String(Number(m)); // "1.0" -> "1", "3.20" -> "3.2"
  const power = ascii ? `10^${Number(e)}` : `10${superscript(Number(e))}`;
  return sign + (mantissa === '1' ? power : `${mantissa} × ${power}`);
}

/** A layer's factor, as "×0.23". */
export function formatFactor(v) {
  return `×${formatNumber(v)}`;
}

/** A message as a sentence: it ends with a full stop unless it ends with other punctuation. */
export function sentence(text) {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/** A power of ten for the legend: "10⁻⁶". */
export function formatPowerOfTen(e) {
  return `10${superscript(e)}`;
}

/**
 * The sentence a screen reader hears about how much gradient reaches a layer, for example
 * "Layer 1 receives 3 × 10^-7 of the output's gradient."
 */
export function describeLayer(layerName, product) {
  const name = layerName.charAt(0).toUpperCase() + layerName.slice(1);
  if (Number.isNaN(product)) return `${name}: its gradient is not a number (NaN); training has broken down.`;
  if (product === Infinity) return `${name}: its gradient overflowed to infinity.`;
  if (product === 0) return `${name} receives none of the output's gradient.`;
  return `${name} receives ${formatNumber(product, { ascii: true })} of the output's gradient.`;
}

/**
 * A share of examples classified correctly, as a whole percentage ("53%"), or null when the
 * frame has none (the network's output was not a number). Ties round to even, as Python's
 * "{:.0%}" does, so the scene and the book's prose print the same figure.
 */
export function formatAccuracy(a) {
  if (!Number.isFinite(a)) return null;
  const p = 100 * a;
  let r = Math.round(p);
  if (r - p === 0.5 && r % 2 !== 0) r -= 1;
  return `${r}%`;
}

/** A short description of a whole training step, for the live region. */
export function describeStep(scenario, stepIndex) {
  const s = scenario.steps[stepIndex];
  const parts = [`${scenario.title}, training step ${s.step}`];
  parts.push(Number.isFinite(s.loss) ? `loss ${formatNumber(s.loss, { ascii: true, digits: 3 })}` : `loss ${formatNumber(s.loss, { ascii: true })}`);
  if (s.clipped) parts.push('gradient clipped');
  const first = s.layers[0];
  const firstName = scenario.network.layers[1].name;
  return `${parts.join(', ')}. ${first ? describeLayer(firstName, first.product) : ''}`.trim();
}
