import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { layoutNetwork } from '../../_static/threejs/layout.js';
import { LOOK, paintLayer, paintUnits, unitPaint } from '../../_static/threejs/paint.js';
import { readPayload } from '../../_static/threejs/payload.js';

const payload = readPayload(
  JSON.parse(readFileSync(new URL('./fixtures/tiny.json', import.meta.url))),
);
const sc = payload.scenarios[0];
const scale = payload.colorScale;
const lay = layoutNetwork(sc.network.layers);
const H = sc.network.layers.length - 2;

test('units the pulse has not reached are outlines, not a dark fill; the input is the data', () => {
  const frame = sc.steps[0];
  const onlyTop = (li) => li === H + 1 || li === H;
  const out = paintUnits(frame, lay, onlyTop, scale, unitPaint(lay.unitCount));
  const looksOf = (li) => [
    ...out.look.slice(lay.layerStart[li], lay.layerStart[li] + lay.layerCount[li]),
  ];
  assert.ok(looksOf(0).every((l) => l === LOOK.INPUT));
  assert.ok(looksOf(1).every((l) => l === LOOK.UNREACHED));
  assert.ok(looksOf(H).every((l) => l !== LOOK.UNREACHED && l !== LOOK.INPUT));
  assert.equal(out.hex[lay.layerStart[1]], null);
});

test("a lit unit's colour is its value's table entry, ties to the even one as Python rounds", () => {
  // Nine entries over eight decades: a log10 value v sits at entry v + 8, exactly in binary.
  const nine = {
    ...scale,
    log10Min: -8,
    log10Max: 0,
    table: [...'012345678'].map((d) => `#${d.repeat(6)}`),
  };
  const frame = structuredClone(sc.steps[0]);
  // 2.5 and 4.5 entries up: Python's round() (and the book's figures) give 2 and 4, where
  // Math.round would give 3 and 5; 6.25 is no tie and goes to the nearer entry, 6.
  frame.layers[H - 1].neuronsLog10.splice(0, 3, -5.5, -3.5, -1.75);
  const out = paintUnits(frame, lay, () => true, nine, unitPaint(lay.unitCount));
  const k = lay.layerStart[H];
  assert.deepEqual(out.hex.slice(k, k + 3), ['#222222', '#444444', '#666666']);
});

test('non-finite units get their own looks', () => {
  const frame = structuredClone(sc.steps[0]);
  frame.layers[0].neuronsLog10[0] = Infinity;
  frame.layers[0].neuronsLog10[1] = NaN;
  const out = paintUnits(frame, lay, () => true, scale, unitPaint(lay.unitCount));
  const k = lay.layerStart[1];
  assert.equal(out.look[k], LOOK.INF);
  assert.equal(out.hex[k], scale.inf);
  assert.equal(out.look[k + 1], LOOK.NAN);
  assert.equal(out.hex[k + 1], scale.nan);
});

test('the meter counts decades of the output gradient kept; the read-out sits at 1 ×', () => {
  const frame = {
    ...sc.steps[0],
    outputGradNorm: 2,
    layers: sc.steps[0].layers.map((l) => ({ ...l, product: 1e-3, gradNorm: 2e-3 })),
  };
  assert.equal(paintLayer(frame, 1, H + 1, () => true, scale).decades, -3);
  assert.equal(paintLayer(frame, H + 1, H + 1, () => true, scale).decades, 0);
  assert.equal(
    paintLayer(frame, 1, H + 1, () => false, scale),
    null,
  );
});
