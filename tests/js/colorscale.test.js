import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  KIND, colorForLog10, colorForMagnitude, legendTicks, roundHalfEven, scalePosition, tableIndex,
} from '../../_static/threejs/colorscale.js';
import { decodeNumber } from '../../_static/threejs/payload.js';

// Five colours over 10^-4 .. 10^0: one table entry per power of ten, easy to reason about.
const scale = {
  log10Min: -4, log10Max: 0, colormap: 'test',
  table: ['#000000', '#111111', '#222222', '#333333', '#444444'],
  inf: '#00ffff', nan: '#ff00ff',
};

test('the ends of the range map to the first and last colours', () => {
  assert.equal(colorForLog10(-4, scale).hex, '#000000');
  assert.equal(colorForLog10(0, scale).hex, '#444444');
  assert.equal(colorForLog10(-2, scale).hex, '#222222');
});

test('values beyond the range clamp to the end colours, never wrap', () => {
  assert.equal(colorForLog10(-4.0001, scale).hex, '#000000');
  assert.equal(colorForLog10(-40, scale).hex, '#000000');
  assert.equal(colorForLog10(0.3, scale).hex, '#444444');
  assert.equal(colorForLog10(300, scale).hex, '#444444');
  assert.equal(colorForMagnitude(1e-30, scale).index, 0);
  assert.equal(colorForMagnitude(1e30, scale).index, 4);
});

test('indices follow round((l - min) / (max - min) * (n - 1)) with half to even, as Python does', () => {
  // -3.5 sits exactly halfway between entries 0 and 1: Python's round(0.5) is 0.
  assert.equal(tableIndex(-3.5, scale), 0);
  // -2.5 is halfway between 1 and 2: round(1.5) is 2.
  assert.equal(tableIndex(-2.5, scale), 2);
  assert.equal(tableIndex(-3.49, scale), 1);
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 0, 2, 3]);
});

test('a magnitude is coloured through its log10', () => {
  assert.equal(colorForMagnitude(1e-2, scale).hex, '#222222');
  assert.equal(colorForMagnitude(0.5, scale).hex, '#444444'); // log10 0.5 = -0.3 -> index 3.7 -> 4
});

test('inf and nan get their own colours and kinds, outside the table', () => {
  const inf = colorForLog10(Infinity, scale);
  const nan = colorForLog10(NaN, scale);
  assert.deepEqual(inf, { hex: '#00ffff', kind: KIND.INF, index: null });
  assert.deepEqual(nan, { hex: '#ff00ff', kind: KIND.NAN, index: null });
  assert.equal(colorForMagnitude(Infinity, scale).kind, KIND.INF);
  assert.equal(colorForMagnitude(NaN, scale).kind, KIND.NAN);
  assert.ok(!scale.table.includes(inf.hex) && !scale.table.includes(nan.hex));
});

test('an exact zero (log10 = -inf) is the bottom colour but a kind of its own', () => {
  const z = colorForLog10(-Infinity, scale);
  assert.deepEqual(z, { hex: '#000000', kind: KIND.ZERO, index: 0 });
  assert.equal(colorForMagnitude(0, scale).kind, KIND.ZERO);
  assert.equal(colorForLog10(-40, scale).kind, KIND.FINITE); // tiny is not zero
});

test('a negative magnitude is not a magnitude: it is flagged as nan, not coloured', () => {
  assert.equal(colorForMagnitude(-1, scale).kind, KIND.NAN);
});

test('scale position drives the colour-independent channel, clamped to [0, 1]', () => {
  assert.equal(scalePosition(-4, scale), 0);
  assert.equal(scalePosition(-2, scale), 0.5);
  assert.equal(scalePosition(-9, scale), 0);
  assert.equal(scalePosition(9, scale), 1);
  assert.equal(scalePosition(-Infinity, scale), 0);
  assert.equal(scalePosition(Infinity, scale), 1);
  assert.equal(scalePosition(NaN, scale), 1);
});

test('legend ticks are whole powers of ten covering both ends', () => {
  assert.deepEqual(legendTicks(scale).map((t) => t.exponent), [-4, -3, -2, -1, 0]);
  const wide = { ...scale, log10Min: -12, log10Max: 4 };
  const ticks = legendTicks(wide, 9);
  assert.equal(ticks[0].exponent, -12);
  assert.equal(ticks.at(-1).exponent, 4);
  assert.equal(ticks.at(-1).position, 1);
  assert.ok(ticks.length <= 10);
  for (const t of ticks) assert.ok(Number.isInteger(t.exponent));
});

// The real 256-entry table and the colours Python's gradbook.colorscale gives (written by
// tests/js_fixtures.py): the scene must pick the same colour as the figures, size by size.
const real = JSON.parse(readFileSync(new URL('./fixtures/colors.json', import.meta.url), 'utf8'));
const decode = (v) => decodeNumber(v); // "inf", "-inf", "nan" as a payload writes them

test('the real table has 256 colours and the fixture covers every entry', () => {
  assert.equal(real.colorScale.table.length, 256);
  const seen = new Set(real.magnitudes.map((c) => c.hex));
  for (const hex of real.colorScale.table) assert.ok(seen.has(hex), hex);
});

test('every size gets the colour Python gives it (color_of against colorForMagnitude)', () => {
  const wrong = real.magnitudes.filter((c) => colorForMagnitude(decode(c.value), real.colorScale).hex !== c.hex);
  assert.deepEqual(wrong, []);
});

test("every log10 size the payload can carry gets Python's colour (color_of_log10 against colorForLog10)", () => {
  const wrong = real.log10s.filter((c) => colorForLog10(decode(c.log10), real.colorScale).hex !== c.hex);
  assert.deepEqual(wrong, []);
});
