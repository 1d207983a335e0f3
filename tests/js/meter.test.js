import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitCamera } from '../../_static/threejs/camerafit.js';
import { layoutNetwork } from '../../_static/threejs/layout.js';
import {
  beyondMeter,
  METER_DECADES,
  METER_HALF,
  meterFrame,
  meterHeight,
  meterTicks,
} from '../../_static/threejs/meter.js';
import { RADIUS_MAX } from '../../_static/threejs/paint.js';
import { project } from './pinhole.js';

test('the scale is odd, rises with every decade, and each decade is drawn no taller than the one before', () => {
  assert.equal(meterHeight(0), 0);
  let prev = 0;
  let prevStep = Infinity;
  for (let d = 0.25; d <= METER_DECADES; d += 0.25) {
    const h = meterHeight(d);
    assert.ok(h > prev, `${d} decades drew no taller than ${d - 0.25}`);
    assert.ok(
      h - prev <= prevStep + 1e-12,
      `the quarter-decade to ${d} is taller than the one before`,
    );
    assert.equal(meterHeight(-d), -h);
    prevStep = h - prev;
    prev = h;
  }
  assert.equal(meterHeight(METER_DECADES), METER_HALF);
});

test('a stretched meter (a long layer-level run) is the same scale, taller', () => {
  for (const d of [-12, -7, -1.6, 0, 0.3, 5, Infinity])
    assert.ok(Math.abs(meterHeight(d, 2.5) - 2.5 * meterHeight(d)) < 1e-12, `${d} decades`);
  const plain = meterFrame(7.5, 0.42);
  const tall = meterFrame(7.5, 0.42, 2);
  assert.equal(tall.top, plain.top); // the gap under the units stays
  assert.ok(Math.abs(tall.zero - tall.bottom - 2 * METER_HALF) < 1e-12);
  assert.deepEqual(
    meterTicks(2).map((t) => t.height),
    meterTicks().map((t) => 2 * t.height),
  );
});

test('beyond ten decades, and for overflow or NaN, a bar stops at the end of the meter', () => {
  assert.equal(meterHeight(14), METER_HALF);
  assert.equal(meterHeight(-300), -METER_HALF);
  assert.equal(meterHeight(Infinity), METER_HALF);
  assert.equal(meterHeight(-Infinity), -METER_HALF);
  assert.equal(meterHeight(Number.NaN), METER_HALF);
  assert.ok(beyondMeter(10.5) && beyondMeter(-Infinity) && beyondMeter(Number.NaN));
  assert.ok(!beyondMeter(-10) && !beyondMeter(0));
});

test('the ruler ticks "1 x" and every fifth decade across, and the first decades one by one', () => {
  const ticks = meterTicks();
  const across = ticks.filter((t) => t.across).map((t) => t.decades);
  assert.deepEqual(across, [-10, -5, 0, 5, 10]);
  assert.deepEqual(
    ticks.filter((t) => t.zero).map((t) => t.decades),
    [0],
  );
  for (const t of ticks) assert.equal(t.height, meterHeight(t.decades));
  for (let d = -3; d <= 3; d++)
    assert.ok(
      ticks.some((t) => t.decades === d),
      `no tick at ${d} decades`,
    );
});

// Chapter 2's network (12 hidden layers of 16 ReLU units, 2 inputs, one read-out) in the
// book's column: the scene's canvas is 598 x 335 CSS px at a 1200 px window, with the label
// strips instance.js leaves (the top bar and the factor row, the name rows).
const NET = [2, ...Array(12).fill(16), 1].map((n) => ({ shownUnits: n }));
const BOOK = { fovDegrees: 35, heightPx: 335, aspect: 598 / 335 };
const MARGINS = { top: 28 + 26, bottom: 72 };

/** The default camera for NET, and the screen height in CSS px of a bar for `decades`. */
function barPixels(view) {
  const lay = layoutNetwork(NET);
  const tallest = Math.max(...lay.layerTop);
  const meter = meterFrame(tallest, RADIUS_MAX);
  const fit = fitCamera(lay.bounds, {
    ...view,
    top: Math.max(lay.bounds.max[1] + RADIUS_MAX, tallest + 0.75),
    bottom: meter.bottom,
    margins: MARGINS,
  });
  const x = lay.layerX[1];
  const at = (y) => project(fit, [x, y, 0], view).fromTop;
  return {
    bar: (decades) => Math.abs(at(meter.zero + meterHeight(decades)) - at(meter.zero)),
    bottom: at(meter.bottom),
    top: at(meter.top),
  };
}

test('from the default camera, a layer that lost 1.6 decades reads at a glance against one that lost none', () => {
  const { bar } = barPixels(BOOK);
  // ReLU + Xavier's layer 1 gets 0.015 of the output's gradient (-1.8 decades); ReLU + He's
  // gets 0.69 (-0.16). The first must be a block, the second barely a line.
  assert.ok(bar(-1.6) >= 14, `1.6 decades lost drew ${bar(-1.6).toFixed(1)} px`);
  assert.ok(bar(-1.6) >= 4 * bar(-0.16), `${bar(-1.6)} px against ${bar(-0.16)} px`);
  // Big differences still read: seven decades lost (chapter 3) is well apart from one.
  assert.ok(bar(-7) - bar(-1) >= 12, `7 and 1 decades ${bar(-7) - bar(-1)} px apart`);
});

test('the whole meter, ten decades each way, stays above the names under it', () => {
  const { bottom, top } = barPixels(BOOK);
  assert.ok(bottom <= BOOK.heightPx - MARGINS.bottom + 1e-9, `meter's end at ${bottom} px`);
  assert.ok(top > MARGINS.top);
});

test('neighbouring ticks stay apart on screen, so the ruler does not blur into a band', () => {
  const { bar } = barPixels(BOOK);
  const ys = meterTicks().map((t) => Math.sign(t.decades) * bar(t.decades));
  for (let i = 1; i < ys.length; i++)
    assert.ok(ys[i] - ys[i - 1] >= 2, `ticks ${i - 1} and ${i} ${ys[i] - ys[i - 1]} px apart`);
});
