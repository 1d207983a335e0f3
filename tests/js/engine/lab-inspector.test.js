// The lab's inspector line (lab/inspector.js): which column the pointer is over, and a layer's
// name and numbers in words, for a built network and for a run opened from a file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { inspectText, nearestColumn } from '../../../_static/threejs/lab/inspector.js';
import { parseRun, runView } from '../../../_static/threejs/lab/runfile.js';

test('the pointer picks the nearest column, and nothing far past either end', () => {
  const xs = [100, 110, 120, 130];
  assert.equal(nearestColumn(xs, 100), 1);
  assert.equal(nearestColumn(xs, 114), 2);
  assert.equal(nearestColumn(xs, 116), 3);
  assert.equal(nearestColumn(xs, 139), 4);
  assert.equal(nearestColumn(xs, 141), null);
  assert.equal(nearestColumn(xs, 80), null);
  assert.equal(nearestColumn([], 5), null);
  // 300 columns 3 px apart: each is still found.
  const dense = Array.from({ length: 300 }, (_, i) => 50 + 3 * i);
  assert.equal(nearestColumn(dense, 50 + 3 * 187 + 1), 188);
});

test('a recorded layer is named by its path, with its type, width and every number', () => {
  const text = readFileSync(new URL('../fixtures/run-small.json', import.meta.url), 'utf8');
  const v = runView(parseRun(text), 'run-small.json');
  const frame = v.frameAt(2);
  const words = inspectText(v.run, frame, 3, { selected: true });
  assert.match(
    words,
    /^Selected: Layer 3 of 5, block\.conv1 \(Conv2d, 4 units\), at training step 8:/,
  );
  for (const part of ['gradient size', 'factor ×', 'running product', '|dL/dW|', 'update ratio'])
    assert.ok(words.includes(part), part);
  // A value not measured is said so.
  const unmeasured = structuredClone(frame);
  unmeasured.layers[2].gradNorm = null;
  unmeasured.layers[2].factor = null;
  assert.match(
    inspectText(v.run, unmeasured, 3),
    /gradient size not measured, factor not measured/,
  );
});

test('a built network has no |dL/dW| or update ratio in the line', () => {
  const run = {
    kind: 'mlp',
    network: { layers: [{ name: 'x' }, { name: 'h1' }, { name: 'loss' }] },
  };
  const frame = { step: 0, layers: [{ gradNorm: 0.001, factor: 0.5, product: 0.01 }] };
  const words = inspectText(run, frame, 1);
  assert.equal(
    words,
    'Layer 1 of 1, h1, at training step 0: gradient size 10⁻³, factor ×0.5, running product 0.01.',
  );
});
