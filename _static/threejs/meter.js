// The meter's one fixed scale: how tall a layer's bar is for the decades of the output's
// gradient it gained or lost. Pure: no three, no DOM; meshes.js draws its ticks, scene.js its
// bars and overlay.js its marks from these answers, so all three agree.
//
// The scale is the same for every network and every frame (the book's promise: nothing is
// rescaled to fit what is shown). It is steep near "1 ×", where a healthy network and one that
// lost a decade or two must look different at a glance, and gentler further out, so ten
// decades still fit: each decade is drawn shorter than the one before, and a tick marks every
// one of them, so the ruler shows its own spacing.

/** The decades the meter shows each way from "1 ×"; beyond, a bar stops at the meter's end. */
export const METER_DECADES = 10;
/** Height of the meter from "1 ×" to either end, in world units (units are 1 apart). */
export const METER_HALF = 4.5;
/** The decades over which the scale is nearly even: the smaller, the steeper near "1 ×". */
const KNEE = 0.3;
/** Decades ticked one by one each way from "1 ×"; further out the ticks would touch, so only
 * every fifth decade is drawn (as a line across the meter). */
const TICKED = 3;
/** Gap between the lowest neuron and the top of the meter, in world units. */
const METER_GAP = 0.8;

const NORM = Math.log1p(METER_DECADES / KNEE);
/** The meter's mean height per decade, in world units: what layout.js's meterDecade stretches. */
export const MEAN_DECADE = METER_HALF / METER_DECADES;

/**
 * The bar's signed height for `decades` (log10 of the share of the output's gradient that
 * reaches a layer): up for a gain, down for a loss, in world units. Clamped at the meter's
 * ends; a non-finite share (overflow, NaN) stands at the top end, as the most gained.
 * `stretch` (1 for every network of the book) is a long layer-level network's taller meter.
 */
export function meterHeight(decades, stretch = 1) {
  const half = METER_HALF * stretch;
  if (Number.isNaN(decades) || decades === Infinity) return half;
  if (decades === -Infinity) return -half;
  const d = Math.min(METER_DECADES, Math.abs(decades));
  return Math.sign(decades) * half * (Math.log1p(d / KNEE) / NORM);
}

/** Whether `decades` lies beyond the meter's ends (its bar is clamped there). */
export function beyondMeter(decades) {
  return !(Math.abs(decades) <= METER_DECADES);
}

/**
 * Where the meter stands under a network whose tallest column reaches `tallest` above 0 and
 * whose largest unit has radius `radius`: its top, its "1 ×" line and its bottom, in world y.
 */
export function meterFrame(tallest, radius, stretch = 1) {
  const top = -tallest - radius - METER_GAP;
  const zero = top - METER_HALF * stretch;
  return { top, zero, bottom: zero - METER_HALF * stretch };
}

/**
 * The meter's ruler: a short tick at every decade near "1 ×", a line across at "1 ×" and at
 * every fifth decade. Each with its decades and its height on the scale, in world units.
 */
export function meterTicks(stretch = 1) {
  const ticks = [];
  for (let d = -METER_DECADES; d <= METER_DECADES; d++) {
    const across = d % 5 === 0;
    if (across || Math.abs(d) <= TICKED)
      ticks.push({ decades: d, height: meterHeight(d, stretch), across, zero: d === 0 });
  }
  return ticks;
}
