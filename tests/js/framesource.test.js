import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LiveSource, ReplaySource } from '../../_static/threejs/framesource.js';
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
