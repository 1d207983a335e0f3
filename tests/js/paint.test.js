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
  // A lit unit's colour is the table entry of its own value.
  const k = lay.layerStart[H];
  const v = frame.layers[H - 1].neuronsLog10[0];
  const i = Math.round(
    ((v - scale.log10Min) / (scale.log10Max - scale.log10Min)) * (scale.table.length - 1),
  );
  assert.equal(out.hex[k], scale.table[Math.min(scale.table.length - 1, Math.max(0, i))]);
  assert.equal(out.hex[lay.layerStart[1]], null);
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
