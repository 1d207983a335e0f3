// The held-out set accuracy is measured on (data.held_out): the engine draws the same 512
// examples as the simulator, from the same seed, for every shape of task.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HELD_OUT_SEED, HELD_OUT_SIZE, heldOut } from '../../../_static/threejs/engine/data.js';
import { build } from '../../../_static/threejs/engine/index.js';
import { Matrix } from '../../../_static/threejs/engine/linalg.js';
import { heldOutAccuracy } from '../../../_static/threejs/engine/train.js';
import { assertClose, decode, flat } from './helpers.js';

const RTOL = 1e-12;
const { held_out: samples } = decode(
  JSON.parse(readFileSync(new URL('./fixtures/parity.json', import.meta.url))),
);

test('the fixture samples the held-out set of both models', () => {
  assert.ok(samples.some((s) => s.model === 'mlp') && samples.some((s) => s.model === 'rnn'));
});

for (const s of samples) {
  const what = `${s.model}, ${s.config.input_dim} inputs, ${s.config.output_dim} classes${s.model === 'rnn' ? `, ${s.config.steps} steps` : ''}`;
  test(`held-out set (${what}): the simulator's examples and labels`, () => {
    assert.equal(HELD_OUT_SIZE, s.size);
    assert.equal(HELD_OUT_SEED, s.seed);
    const { x, labels } = heldOut({ kind: s.model, ...s.config });
    const shape = x instanceof Matrix ? [x.rows, x.cols] : x.shape;
    assert.deepEqual(shape, s.shape);
    assert.equal(Array.from(labels).join(''), s.labels);
    const per = x.data.length / HELD_OUT_SIZE;
    const k = s.head.length;
    assertClose(x.data.subarray(0, k * per), flat(s.head), RTOL, 0, 'first examples');
    assertClose(x.data.subarray(x.data.length - k * per), flat(s.tail), RTOL, 0, 'last examples');
    let sum = 0;
    let absSum = 0;
    for (const v of x.data) {
      sum += v;
      absSum += Math.abs(v);
    }
    assertClose([sum, absSum], [s.sum, s.abs_sum], RTOL, 0, 'sums over every entry');
  });
}

test('held-out accuracy is NaN when an output is not finite, else the share right', () => {
  const config = { kind: 'mlp', depth: 1, width: 2, input_dim: 2, output_dim: 2 };
  config.activation = 'linear';
  config.init = 'standard';
  const set = { x: Matrix.from(2, 2, [1, 0, 0, 1]), labels: Float64Array.of(0, 0) };
  const params = {
    W1: Matrix.from(2, 2, [1, 0, 0, 1]),
    b1: Float64Array.of(0, 0),
    W_out: Matrix.from(2, 2, [1, 0, 0, 1]),
    b_out: Float64Array.of(0, 0),
  };
  const net = build(config, { params });
  assert.equal(heldOutAccuracy(net, set), 0.5);
  params.W_out.data[0] = Infinity;
  assert.ok(Number.isNaN(heldOutAccuracy(net, set)));
});
