import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitCamera } from '../../_static/threejs/camerafit.js';
import { project } from './pinhole.js';

const bounds = { min: [0, -4, -2], max: [30, 4, 2], center: [15, 0, 0] };
const view = { fovDegrees: 35, aspect: 16 / 9, heightPx: 500 };

test('the whole network lands inside the canvas, between the label strips', () => {
  const margins = { top: 40, bottom: 90 };
  const fit = fitCamera(bounds, { ...view, top: 5, bottom: -8, margins });
  for (const x of [bounds.min[0], bounds.max[0]])
    for (const y of [5, -8])
      for (const z of [bounds.min[2], bounds.max[2]]) {
        const p = project(fit, [x, y, z], view);
        assert.ok(p.depth > fit.near && p.depth < fit.far, `(${x}, ${y}, ${z}) is clipped`);
        assert.ok(Math.abs(p.ndcX) <= 1, `(${x}, ${y}, ${z}) leaves the canvas sideways`);
        assert.ok(p.fromTop >= margins.top - 1e-9, `(${x}, ${y}, ${z}) is under the top strip`);
        assert.ok(
          p.fromTop <= view.heightPx - margins.bottom + 1e-9,
          `(${x}, ${y}, ${z}) is under the bottom strip`,
        );
      }
});

test('a wider canvas or taller strips move the camera back, never closer', () => {
  const base = fitCamera(bounds, { ...view, top: 5, bottom: -8, margins: { top: 0, bottom: 0 } });
  const strips = fitCamera(bounds, {
    ...view,
    top: 5,
    bottom: -8,
    margins: { top: 60, bottom: 120 },
  });
  const narrow = fitCamera(bounds, {
    ...view,
    aspect: 0.6,
    top: 5,
    bottom: -8,
    margins: { top: 0, bottom: 0 },
  });
  assert.ok(strips.distance >= base.distance);
  assert.ok(narrow.distance > base.distance);
});

test('strips taller than the canvas still leave the drawing its minimum share', () => {
  const fit = fitCamera(bounds, {
    ...view,
    top: 5,
    bottom: -8,
    margins: { top: 400, bottom: 400 },
  });
  assert.ok(Number.isFinite(fit.distance) && fit.distance > 0);
});
