import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COLUMN,
  connectLayers,
  LAYER_LEVEL_ASPECT,
  LAYER_SPACING,
  layerSpacing,
  layoutNetwork,
  meterDecade,
} from '../../_static/threejs/layout.js';

const shape = (...units) => units.map((shownUnits) => ({ shownUnits }));

test('layers run left to right from input to output, with the loss further right', () => {
  const lay = layoutNetwork(shape(3, 4, 4, 2));
  assert.equal(lay.unitCount, 13);
  for (let l = 1; l < 4; l++) assert.ok(lay.layerX[l] > lay.layerX[l - 1]);
  assert.ok(lay.loss[0] > lay.layerX[3]);
  // Every unit sits at its layer's x.
  for (let k = 0; k < lay.unitCount; k++)
    assert.equal(lay.positions[k * 3], lay.layerX[lay.layerOfUnit[k]]);
});

test('units are numbered layer after layer, with the first unit at the top', () => {
  const lay = layoutNetwork(shape(3, 4, 2));
  assert.deepEqual(lay.layerStart, [0, 3, 7]);
  assert.deepEqual(Array.from(lay.layerOfUnit), [0, 0, 0, 1, 1, 1, 1, 2, 2]);
  const ys = [3, 4, 5, 6].map((k) => lay.positions[k * 3 + 1]);
  assert.deepEqual(
    [...ys].sort((a, b) => b - a),
    ys,
  );
  assert.equal(ys[0], -ys[3]); // centred on y = 0
});

test('no two units of a layer share a position, even past one column', () => {
  const lay = layoutNetwork(shape(2, 3 * COLUMN + 5, 2));
  const seen = new Set();
  for (let k = 0; k < lay.unitCount; k++) {
    const key = Array.from(lay.positions.slice(k * 3, k * 3 + 3)).join(',');
    assert.ok(!seen.has(key), `duplicate position ${key}`);
    seen.add(key);
  }
  // A wide layer is no taller than one column: it goes back in z instead.
  const tall = Math.max(
    ...Array.from({ length: lay.unitCount }, (_, k) => lay.positions[k * 3 + 1]),
  );
  assert.equal(tall, (COLUMN - 1) / 2);
});

test('small networks draw every connection between neighbouring layers', () => {
  const lay = layoutNetwork(shape(3, 4, 2));
  assert.equal(lay.edges.length / 2, 3 * 4 + 4 * 2);
  for (let i = 0; i < lay.edges.length; i += 2) {
    const lo = lay.layerOfUnit[lay.edges[i]];
    const up = lay.layerOfUnit[lay.edges[i + 1]];
    assert.equal(up, lo + 1, 'an edge joins a unit to the next layer up');
  }
});

test('wide networks keep the edge count bounded and still touch every unit', () => {
  const counts = Array(48).fill(128);
  const lay = layoutNetwork(shape(...counts), { maxEdges: 20000 });
  const n = lay.edges.length / 2;
  assert.ok(n <= 20000, `${n} edges`);
  const touched = new Set(lay.edges);
  assert.equal(touched.size, lay.unitCount);
});

test('past one line per unit, every layer pair still has lines and the count stays bounded', () => {
  const counts = Array(48).fill(128);
  const lay = layoutNetwork(shape(...counts), { maxEdges: 2000 });
  const n = lay.edges.length / 2;
  assert.ok(n <= 2000 && n >= 1000, `${n} edges`);
  const pairsOfLayers = new Set();
  for (let i = 0; i < lay.edges.length; i += 2) pairsOfLayers.add(lay.layerOfUnit[lay.edges[i]]);
  assert.equal(pairsOfLayers.size, counts.length - 1);
});

test('connectLayers never repeats a pair', () => {
  const counts = [7, 13, 5];
  const edges = connectLayers(counts, [0, 7, 20], 30);
  const pairs = new Set();
  for (let i = 0; i < edges.length; i += 2) pairs.add(`${edges[i]}-${edges[i + 1]}`);
  assert.equal(pairs.size, edges.length / 2);
});

test('bounds contain every unit and the loss node', () => {
  const lay = layoutNetwork(shape(5, 20, 20, 3));
  const { min, max } = lay.bounds;
  for (let k = 0; k < lay.unitCount; k++) {
    for (let a = 0; a < 3; a++) {
      assert.ok(
        lay.positions[k * 3 + a] >= min[a] - 1e-9 && lay.positions[k * 3 + a] <= max[a] + 1e-9,
      );
    }
  }
  assert.ok(lay.loss[0] <= max[0]);
  assert.ok(lay.bounds.radius > (max[0] - min[0]) / 2);
});

test('long networks get closer layers, within bounds', () => {
  assert.equal(layerSpacing(5), LAYER_SPACING);
  assert.ok(layerSpacing(42) < LAYER_SPACING);
  assert.ok(layerSpacing(1000) >= 1.4);
  const lay = layoutNetwork(shape(...Array(42).fill(8)));
  assert.ok(Math.abs(lay.layerX[1] - lay.layerX[0] - layerSpacing(42)) < 1e-9);
});

test('a long network drawn layer by layer gets a taller meter; every other keeps its decade', () => {
  const net = (n) =>
    layoutNetwork(
      Array.from({ length: n + 2 }, () => ({ shownUnits: 1 })),
      { maxEdges: 10 },
    );
  const opts = { decade: 0.3, decades: 10 };
  for (const n of [12, 150, 300]) {
    const lay = net(n);
    assert.equal(meterDecade(lay, opts), 0.3); // the book's networks are drawn as before
    const d = meterDecade(lay, { ...opts, layerLevel: true });
    const length = lay.bounds.max[0] - lay.bounds.min[0];
    // Never flatter than the book's meter, and never wider than LAYER_LEVEL_ASPECT : 1.
    assert.ok(d >= 0.3);
    assert.ok(length / (2 * 10 * d) <= LAYER_LEVEL_ASPECT + 1e-9, n);
    if (n === 300) assert.ok(d > 1, 'at 300 layers the meter grows');
  }
});
