import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeLabels } from '../../_static/threejs/labels.js';

const boxes = (items, placed) =>
  placed.map((p, i) => ({ ...p, lo: p.x - items[i].w / 2, hi: p.x + items[i].w / 2 }));

function assertNoOverlap(items, placed, gap) {
  const shown = boxes(items, placed).filter((b) => b.show);
  for (const a of shown) {
    for (const b of shown) {
      if (a === b || a.row !== b.row) continue;
      assert.ok(
        a.hi + gap <= b.lo || b.hi + gap <= a.lo,
        `boxes overlap: ${JSON.stringify([a, b])}`,
      );
    }
  }
}

test('labels that fit are all shown where they are', () => {
  const items = [
    { x: 50, w: 40 },
    { x: 150, w: 40 },
    { x: 250, w: 40 },
  ];
  const placed = placeLabels(items, { width: 400 });
  assert.deepEqual(placed, [
    { show: true, x: 50, row: 0 },
    { show: true, x: 150, row: 0 },
    { show: true, x: 250, row: 0 },
  ]);
});

test('crowded labels are thinned so none overlaps its neighbour', () => {
  // Wide factor labels ("×3.6 × 10²⁴") 45 px apart: the review saw "×0.11×0.11×0.12".
  const items = Array.from({ length: 13 }, (_, i) => ({ x: 40 + 45 * i, w: 85 }));
  const placed = placeLabels(items, { gap: 8, width: 700 });
  assertNoOverlap(items, placed, 8);
  const shown = placed.filter((p) => p.show).length;
  assert.ok(shown >= 4 && shown < 13, `${shown} shown`);
  assert.ok(placed[0].show, 'left to right: the first label is kept');
});

test('a ranked label is placed first and its neighbours give way', () => {
  const items = [
    { x: 100, w: 60 },
    { x: 130, w: 60, rank: 2 },
    { x: 160, w: 60 },
    { x: 300, w: 60 },
  ];
  const placed = placeLabels(items, { width: 400 });
  assert.deepEqual(
    placed.map((p) => p.show),
    [false, true, false, true],
  );
});

test('a second row takes the labels the first cannot', () => {
  // "data" and h1's value collided ("dat1.9 × 10⁻¹⁰"): in two rows both are shown, one lower.
  const items = [
    { x: 60, w: 36, rank: 1 },
    { x: 90, w: 80 },
    { x: 125, w: 80 },
    { x: 160, w: 80 },
  ];
  const placed = placeLabels(items, { gap: 6, rows: 2, width: 600 });
  assertNoOverlap(items, placed, 6);
  assert.deepEqual(
    placed.map((p) => [p.show, p.row]),
    [
      [true, 0],
      [true, 1],
      [true, 0],
      [false, 0],
    ],
  );
});

test('boxes are kept inside the stage, and one wider than the stage is not shown', () => {
  const placed = placeLabels(
    [
      { x: 5, w: 60 },
      { x: 398, w: 60 },
      { x: 200, w: 500 },
    ],
    { width: 400 },
  );
  assert.equal(placed[0].x, 32);
  assert.equal(placed[1].x, 368);
  assert.equal(placed[2].show, false);
});

test('empty labels take no room', () => {
  const placed = placeLabels(
    [
      { x: 100, w: 0, rank: 2 },
      { x: 100, w: 50 },
    ],
    { width: 400 },
  );
  assert.deepEqual(
    placed.map((p) => p.show),
    [false, true],
  );
});

test('short labels still keep the least room, and a label can be kept to the first row', () => {
  // Names only ("t3", 16 px), 11 px apart: without minW every one would be shown.
  const items = Array.from({ length: 20 }, (_, i) => ({ x: 20 + 11 * i, w: 16, rows: 1 }));
  const placed = placeLabels(items, { gap: 8, rows: 2, width: 400, minW: 40 });
  assert.ok(placed.every((p) => p.row === 0));
  const xs = placed.filter((p) => p.show).map((p) => p.x);
  for (let k = 1; k < xs.length; k++)
    assert.ok(xs[k] - xs[k - 1] >= 48, `${xs[k - 1]} and ${xs[k]} too close`);
  assert.ok(xs.length >= 4);
});
