// Text for labels and for the screen-reader summary. Pure: no three, no DOM.
//
// Every number shown is a payload number; these functions only choose how to write it.
// Two notations: one with superscripts for the eye ("3 × 10⁻⁷"), one with a caret for speech
// ("3 × 10^-7"), because screen readers read superscript digits inconsistently.

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

export function superscript(n) {
  return String(n)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
}

/** Mantissa and exponent of a positive finite number, with the mantissa rounded to `digits`. */
function split(v, digits) {
  let e = Math.floor(Math.log10(Math.abs(v)));
  let m = Number((v / 10 ** e).toPrecision(digits));
  if (Math.abs(m) >= 10) {
    // Rounding carried over (9.96 -> 10): move it to the exponent.
    m /= 10;
    e += 1;
  }
  return { m, e };
}

function nonFinite(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  return null;
}

/**
 * A number for the eye: plain between 0.01 and 1000 ("0.23", "14"), otherwise scientific with
 * superscripts ("3 × 10⁻⁷", "2.5 × 10⁸"). Two significant digits: the scene is about orders of
 * magnitude, and the figures carry the precise values.
 */
export function formatNumber(v, { digits = 2, ascii = false } = {}) {
  const nf = nonFinite(v);
  if (nf) return ascii ? { NaN: 'NaN', '∞': 'infinity', '−∞': 'minus infinity' }[nf] : nf;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 0.01 && a < 1000) return String(Number(v.toPrecision(digits)));
  const { m, e } = split(v, digits);
  return ascii ? `${m} × 10^${e}` : `${m} × 10${superscript(e)}`;
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
