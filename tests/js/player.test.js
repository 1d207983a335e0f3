import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOLD_MS, msPerLayer, Player } from '../../_static/threejs/player.js';

test('a new player shows the whole profile and does not play by itself', () => {
  const p = new Player({ hidden: 5, steps: 3 });
  assert.equal(p.playing, false);
  assert.equal(p.lit, 5);
  assert.equal(p.pulseLayer, 1);
  assert.equal(p.tick(10000), false);
});

test('play starts at the output and the pulse reaches layer 1 after one layer time each', () => {
  const p = new Player({ hidden: 4, steps: 2 });
  p.play();
  assert.equal(p.lit, 0);
  assert.equal(p.pulseLayer, 5); // the output layer
  const per = msPerLayer(4);
  p.tick(per);
  assert.equal(p.lit, 1);
  assert.equal(p.pulseLayer, 4);
  p.tick(per * 3);
  assert.equal(p.lit, 4);
  assert.equal(p.pulseLayer, 1);
  assert.ok(p.complete);
});

test('after a hold the player moves to the next training step, and stops after the last', () => {
  const p = new Player({ hidden: 2, steps: 2 });
  p.play();
  p.tick(msPerLayer(2) * 2);
  assert.equal(p.stepIndex, 0);
  p.tick(HOLD_MS);
  assert.equal(p.stepIndex, 1);
  assert.equal(p.lit, 0);
  p.tick(msPerLayer(2) * 2);
  p.tick(HOLD_MS);
  assert.equal(p.playing, false);
  assert.equal(p.stepIndex, 1);
});

test('speed scales time', () => {
  const p = new Player({ hidden: 4, steps: 1 });
  p.speed = 2;
  p.play();
  p.tick(msPerLayer(4));
  assert.equal(p.lit, 2);
});

test('step one layer pauses and moves the pulse down exactly one layer, then wraps', () => {
  const p = new Player({ hidden: 3, steps: 1 });
  p.play();
  p.stepLayer();
  assert.equal(p.playing, false);
  assert.equal(p.lit, 1);
  p.stepLayer();
  p.stepLayer();
  assert.equal(p.lit, 3);
  p.stepLayer();
  assert.equal(p.lit, 0);
});

test('reduced motion draws whole layers only', () => {
  const p = new Player({ hidden: 3, steps: 1, reducedMotion: true });
  p.play();
  p.tick(msPerLayer(3) * 1.5);
  assert.equal(p.displayProgress, 1);
  assert.ok(p.progress > 1);
});

test('setStep clamps and shows the full profile when paused', () => {
  const p = new Player({ hidden: 3, steps: 4 });
  p.setStep(9);
  assert.equal(p.stepIndex, 3);
  assert.equal(p.lit, 3);
  p.setStep(-2);
  assert.equal(p.stepIndex, 0);
});

test('isLit is the one answer on which layers the pulse has reached', () => {
  const p = new Player({ hidden: 3, steps: 1 });
  p.play(); // the pulse leaves the loss: only the output is lit
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((li) => p.isLit(li)),
    [false, false, false, false, true],
  );
  p.stepLayer(); // one layer down: the top hidden layer
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((li) => p.isLit(li)),
    [false, false, false, true, true],
  );
  p.stepLayer();
  p.stepLayer(); // all the way: every hidden layer, never the input (no gradient for the data)
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((li) => p.isLit(li)),
    [false, true, true, true, true],
  );
  assert.equal(p.isLit(5), false, 'past the output is no layer');
});

test('a growing source extends the player without moving it', () => {
  const p = new Player({ hidden: 2, steps: 1 });
  p.setStepCount(3);
  p.setStep(2);
  assert.equal(p.stepIndex, 2);
  p.setStepCount(2); // a shorter source clamps the step shown
  assert.equal(p.stepIndex, 1);
});
