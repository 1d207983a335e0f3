import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ReplaySource } from '../../_static/threejs/framesource.js';
import { readPayload } from '../../_static/threejs/payload.js';
import { structureOf } from '../../_static/threejs/structure.js';
import { describeView } from '../../_static/threejs/words.js';

const payload = readPayload(
  JSON.parse(readFileSync(new URL('./fixtures/tiny.json', import.meta.url))),
);
const src = new ReplaySource(payload.scenarios[0]);
const st = structureOf(src);

test('the status line names the training step shown and the layer the pulse is at', () => {
  const i = src.length - 1;
  const frame = src.frame(i);
  const text = describeView(src, st, {
    frame,
    stepNumber: frame.step,
    lastStep: frame.step,
    pulseLayer: 2,
    complete: false,
  });
  assert.match(text, new RegExp(`^Training step ${frame.step} of ${frame.step}, loss `));
  assert.match(text, /The gradient at layer 2 is .* times the gradient at the output\.$/);
  assert.doesNotMatch(text, /receives 1 of/);
});

test('at the start of a pulse the status line speaks of the read-out, not of layer 1', () => {
  const frame = src.frame(0);
  const text = describeView(src, st, {
    frame,
    stepNumber: 0,
    lastStep: 9,
    pulseLayer: st.output,
    complete: false,
  });
  assert.match(text, /leaves the loss at the read-out\.$/);
});

test('the status line gives the share of new examples the network gets right, when it has one', () => {
  const frame = src.frame(src.length - 1);
  const at = { stepNumber: frame.step, lastStep: frame.step, pulseLayer: 2, complete: false };
  const right = describeView(src, st, { ...at, frame: { ...frame, accuracy: 0.75 } });
  assert.match(right, /, loss [^,]+, 75% of new examples right\./);
  const none = describeView(src, st, { ...at, frame: { ...frame, accuracy: Number.NaN } });
  assert.doesNotMatch(none, /right/);
  // A live frame measured at an earlier step says which.
  const older = { ...frame, accuracy: 0.75, accuracyStep: frame.step - 3 };
  assert.match(
    describeView(src, st, { ...at, frame: older }),
    new RegExp(`, 75% of new examples right at step ${frame.step - 3}\\.`),
  );
  const own = { ...frame, accuracy: 0.75, accuracyStep: frame.step };
  assert.match(describeView(src, st, { ...at, frame: own }), /75% of new examples right\./);
});
