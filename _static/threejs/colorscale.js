// Maps gradient magnitudes to the payload's fixed colour table.
//
// The scale is absolute: log10Min and log10Max come from the payload and are never adjusted to
// the data on screen, because a scale that follows the data would hide the very shrinking the
// scene exists to show. Pure module: no three, no DOM, so node --test can check it.

/** What kind of value a magnitude is, for a non-colour cue as well as a colour. */
export const KIND = Object.freeze({
  FINITE: 'finite', // a positive finite magnitude: coloured from the table
  ZERO: 'zero', // exactly zero (log10 is -inf): the bottom colour, but labelled and drawn smallest
  INF: 'inf', // overflowed: its own colour and shape
  NAN: 'nan', // not a number: its own colour and shape
});

/**
 * Round half to even, as Python's round() does, so that the scene and the book's matplotlib
 * figures (which apply the same formula in Python) pick the same table entry on exact ties.
 */
export function roundHalfEven(x) {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Classify a log10 magnitude. -Infinity means the magnitude was exactly zero; +Infinity means it
 * overflowed; NaN means it was not a number.
 */
export function kindOfLog10(log10v) {
  if (Number.isNaN(log10v)) return KIND.NAN;
  if (log10v === Infinity) return KIND.INF;
  if (log10v === -Infinity) return KIND.ZERO;
  return KIND.FINITE;
}

/** log10 of a magnitude, keeping inf, nan and 0 recognisable. Negative input is treated as NaN. */
export function log10OfMagnitude(v) {
  if (Number.isNaN(v) || v < 0) return NaN;
  return Math.log10(v); // log10(0) = -Infinity, log10(Infinity) = Infinity
}

/**
 * Table index for a finite log10 value, clamped to the ends:
 * round((log10v - log10Min) / (log10Max - log10Min) * (len - 1)).
 * The operations are done in the schema's order so the float result matches Python's.
 */
export function tableIndex(log10v, scale) {
  const n = scale.table.length;
  if (log10v === -Infinity) return 0;
  if (log10v === Infinity) return n - 1;
  const i = roundHalfEven(((log10v - scale.log10Min) / (scale.log10Max - scale.log10Min)) * (n - 1));
  return Math.min(n - 1, Math.max(0, i));
}

/**
 * Position on the scale from 0 (at or below log10Min, or zero) to 1 (at or above log10Max, or
 * inf). Used for the colour-independent channel (neuron size, bar height). NaN gives 1 so that a
 * NaN stands out rather than hides; its shape and label say what it is.
 */
export function scalePosition(log10v, scale) {
  const kind = kindOfLog10(log10v);
  if (kind === KIND.ZERO) return 0;
  if (kind === KIND.INF || kind === KIND.NAN) return 1;
  const t = (log10v - scale.log10Min) / (scale.log10Max - scale.log10Min);
  return Math.min(1, Math.max(0, t));
}

/** Colour and kind for a log10 magnitude: { hex: '#rrggbb', kind, index }. index is null for inf/nan. */
export function colorForLog10(log10v, scale) {
  const kind = kindOfLog10(log10v);
  if (kind === KIND.NAN) return { hex: scale.nan, kind, index: null };
  if (kind === KIND.INF) return { hex: scale.inf, kind, index: null };
  const index = tableIndex(log10v, scale);
  return { hex: scale.table[index], kind, index };
}

/** Colour and kind for a magnitude (not its log). */
export function colorForMagnitude(v, scale) {
  return colorForLog10(log10OfMagnitude(v), scale);
}

/** The whole powers of ten from log10Min to log10Max, for the legend's ticks. */
export function legendTicks(scale, maxTicks = 9) {
  const span = scale.log10Max - scale.log10Min;
  const stride = Math.max(1, Math.ceil(span / (maxTicks - 1)));
  const ticks = [];
  for (let e = scale.log10Min; e <= scale.log10Max; e += stride) ticks.push(e);
  if (ticks[ticks.length - 1] !== scale.log10Max) ticks.push(scale.log10Max);
  return ticks.map((e) => ({ exponent: e, position: (e - scale.log10Min) / span }));
}
