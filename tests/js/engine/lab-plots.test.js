// The lab's pure plot helpers and the weight-scale knob (plots.js, form.js): which records a
// line keeps, which powers of ten an axis labels, and the scale a knob position writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaleOfKnob } from '../../../_static/threejs/lab/form.js';
import { decadeTicks, sampleIndices } from '../../../_static/threejs/lab/plots.js';

test('sampleIndices keeps every record while they fit, then spreads evenly with both ends', () => {
  assert.deepEqual(sampleIndices(4, 10), [0, 1, 2, 3]);
  assert.deepEqual(sampleIndices(0, 10), []);
  const picked = sampleIndices(5000, 300);
  assert.equal(picked.length, 300);
  assert.equal(picked[0], 0);
  assert.equal(picked.at(-1), 4999);
  for (let i = 1; i < picked.length; i++) assert.ok(picked[i] > picked[i - 1]);
});

test('decadeTicks labels whole powers of ten inside the range, at most about five', () => {
  assert.deepEqual(decadeTicks(-3, 0), [-3, -2, -1, 0]);
  assert.deepEqual(decadeTicks(-2.5, 0.5), [-2, -1, 0]);
  const wide = decadeTicks(-18, 2);
  assert.ok(wide.length <= 6, String(wide));
  assert.equal(wide[0], -18);
});

test('the weight-scale knob is a log axis from 0.01 to 10, written to three digits', () => {
  assert.equal(scaleOfKnob(-2), 0.01);
  assert.equal(scaleOfKnob(1), 10);
  assert.equal(scaleOfKnob(0), 1);
  assert.equal(scaleOfKnob(Math.log10(0.3)), 0.3);
  assert.equal(scaleOfKnob(-0.52), 0.302);
});
