import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  LAZY_KEPT,
  LazySource,
  LiveSource,
  ReplaySource,
} from '../../_static/threejs/framesource.js';
import { readPayload } from '../../_static/threejs/payload.js';

const payload = readPayload(
  JSON.parse(readFileSync(new URL('./fixtures/tiny.json', import.meta.url))),
);
const scenario = payload.scenarios[0];

test('a replay gives the payload frames and finds training steps by number', () => {
  const src = new ReplaySource(scenario);
  assert.equal(src.length, scenario.steps.length);
  assert.equal(src.frame(0), scenario.steps[0]);
  assert.equal(src.indexOfStep(scenario.steps.at(-1).step), scenario.steps.length - 1);
  assert.equal(src.indexOfStep(123456), -1);
  assert.equal(typeof src.subscribe(() => {}), 'function');
});

test('a live source tells its listeners each new frame and refuses frames out of order or shape', () => {
  const [first, second] = scenario.steps;
  const src = new LiveSource(scenario, first);
  const heard = [];
  const stop = src.subscribe((n) => heard.push(n));
  src.push(second);
  assert.deepEqual(heard, [2]);
  assert.equal(src.frame(1), second);
  assert.throws(() => src.push(first), /comes after/);
  assert.throws(
    () => src.push({ ...second, step: second.step + 1, layers: [] }),
    /one entry per hidden layer/,
  );
  stop();
  src.push({ ...second, step: second.step + 100 });
  assert.deepEqual(heard, [2], 'no call after unsubscribing');
});

test('a lazy source makes a frame when first read, and gives the same one again', () => {
  let made = 0;
  const steps = Array.from({ length: 500 }, (_, i) => 10 * i);
  const src = new LazySource(scenario, steps, (i) => {
    made += 1;
    return { step: steps[i], layers: [] };
  });
  assert.equal(src.length, 500);
  assert.equal(made, 0); // nothing made until read
  const f = src.frame(7);
  assert.equal(f.step, 70);
  assert.equal(src.frame(7), f); // the same object: the scene redraws only for another frame
  assert.equal(made, 1);
  for (let i = 100; i < 100 + LAZY_KEPT + 5; i++) src.frame(i);
  assert.notEqual(src.frame(7), f); // made again once many others were read: memory stays bounded
  assert.equal(src.indexOfStep(4990), 499);
  assert.equal(src.indexOfStep(5), -1);
});
