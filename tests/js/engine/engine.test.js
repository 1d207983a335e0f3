// The engine on its own: seeded init and task data against random.json, finite differences
// for every layer type (the residual branch F(h) = f(z) R + r included), the overflow-safe
// norm, and NaN handling in training.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { taskBatch } from '../../../_static/threejs/engine/data.js';
import { build } from '../../../_static/threejs/engine/index.js';
import {
  CACHE_FLOATS,
  cachedFloatCount,
  parseInit,
  stdOf,
  weights,
} from '../../../_static/threejs/engine/init.js';
import { Matrix, matmulTA } from '../../../_static/threejs/engine/linalg.js';
import * as losses from '../../../_static/threejs/engine/losses.js';
import { globalNorm, norm, valuesOf } from '../../../_static/threejs/engine/norm.js';
import { Generator } from '../../../_static/threejs/engine/random.js';
import { scaledOrthogonal } from '../../../_static/threejs/engine/rnn.js';
import { trainStep, zeroVelocity } from '../../../_static/threejs/engine/train.js';
import { SPEC } from '../../../_static/threejs/spec.js';
import { assertClose, decode, flat } from './helpers.js';

const fixture = decode(
  JSON.parse(readFileSync(new URL('./fixtures/random.json', import.meta.url))),
);

// The simulator's MLPConfig and RNNConfig defaults, which a fixture entry leaves out, each
// with the kind the engine's config carries.
const MLP_DEFAULTS = { kind: 'mlp', ...SPEC.defaults.mlp };
const RNN_DEFAULTS = { kind: 'rnn', ...SPEC.defaults.rnn };
const configOf = (entry) => {
  const { model, seed, n, ...fields } = entry;
  return { ...(model === 'rnn' ? RNN_DEFAULTS : MLP_DEFAULTS), ...fields };
};

for (const { config: entry, params } of fixture.init) {
  test(`seeded init of ${JSON.stringify(entry)} reproduces the simulator's draw order`, () => {
    const config = configOf(entry);
    const mine = build(config, { seed: entry.seed }).params;
    // Key order only changes sums by an ulp; the set of names and every value must agree.
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(params).sort());
    for (const [k, v] of Object.entries(params))
      assertClose(valuesOf(mine[k]), flat(v), 1e-12, 1e-15, k);
  });
}

test('weights drawn again from a kept draw are bit-identical to a fresh one, and advance as far', () => {
  const limit = Math.sqrt(3) * stdOf('standard', 7, 5);
  for (const [name, fresh] of [
    ['normal:0.3', (g, n) => g.normal(0, 0.3, n)],
    ['he', (g, n) => g.normal(0, stdOf('he', 7, 5), n)],
    ['standard', (g, n) => g.uniform(-limit, limit, n)],
  ]) {
    for (const round of ['drawn', 'kept']) {
      const mine = new Generator(11);
      mine.random(3); // not at the stream's start
      const theirs = new Generator(11);
      theirs.random(3);
      const w = weights(name, 7, 5, mine);
      assert.deepEqual(Array.from(w.data), Array.from(fresh(theirs, 35)), `${name}, ${round}`);
      assert.equal(mine.counter, theirs.counter, `${name}, ${round}: the counter`);
      assert.deepEqual(mine.random(2), theirs.random(2), `${name}, ${round}: the next draws`);
    }
  }
  // A bigger scale draws the same network, scaled: the knob's promise, from the kept draws.
  const small = build({ ...MLP_DEFAULTS, init: 'normal:0.1' }, { seed: 4 }).params;
  const big = build({ ...MLP_DEFAULTS, init: 'normal:0.3' }, { seed: 4 }).params;
  assertClose(
    big.W2.data.map((v) => v / 3),
    small.W2.data,
    1e-15,
    0,
    'W2',
  );
});

test('the kept draws stay within their memory bound, the oldest going first', () => {
  for (let seed = 0; seed < 3; seed++) weights('he', 1024, 1024, new Generator(100 + seed));
  assert.ok(cachedFloatCount() <= CACHE_FLOATS, `${cachedFloatCount()} floats kept`);
  assert.ok(cachedFloatCount() >= 1024 * 1024, 'the newest draw is kept');
});

for (const { config: entry, x, y } of fixture.data) {
  test(`task data of ${JSON.stringify(entry)} matches data.task_batch`, () => {
    const batch = taskBatch(configOf(entry), entry.n, new Generator(entry.seed));
    assertClose(valuesOf(batch.x), flat(x), 1e-12, 1e-15, 'x');
    assert.deepEqual(Array.from(valuesOf(batch.y)), flat(y));
  });
}

test('scaled orthogonal matrices have every singular value rho (Q^T Q = I), at 64 x 64 too', () => {
  const w = scaledOrthogonal(64, 1.1, new Generator(5));
  const g = matmulTA(w, w);
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 64; j++) assert.ok(Math.abs(g.get(i, j) - (i === j ? 1.21 : 0)) < 1e-12);
  }
});

test('the norm scales first: entries near 1e300 stay finite, inf and NaN stay themselves', () => {
  assert.equal(norm(Float64Array.of(3e300, 4e300)), 5e300);
  assert.equal(norm(Float64Array.of(0, 0)), 0);
  assert.equal(norm(new Float64Array(0)), 0);
  assert.equal(norm(Float64Array.of(1, Infinity)), Infinity);
  assert.ok(Number.isNaN(norm(Float64Array.of(Infinity, NaN))));
  assert.equal(globalNorm({ a: Float64Array.of(3), b: new Matrix(1, 1, Float64Array.of(4)) }), 5);
});

test('bad configuration values are refused with a message naming what is allowed', () => {
  assert.throws(() => parseInit('normal:abc'), /positive number, as in 'normal:0.01'/);
  assert.throws(() => parseInit('normal:-1'), /positive number/);
  assert.throws(() => parseInit('glorot'), /allowed values are normal:STD, standard, xavier/);
  assert.deepEqual(parseInit('normal:0.3'), ['normal', 0.3]);
  const config = { ...MLP_DEFAULTS, depth: 2, width: 3, batchnorm: true };
  const net = build(config);
  const one = taskBatch(config, 1, new Generator(0));
  assert.throws(
    () => net.lossAndTrace(one),
    /batch norm needs at least 4 examples in a batch, got 1/,
  );
  const two = taskBatch(config, 2, new Generator(0));
  assert.throws(() => build({ ...config, kind: 'cnn' }), /allowed values are mlp, rnn/);
  assert.throws(
    () => build({ ...config, input_dim: 3 }, { params: net.params }).lossAndTrace(two),
    /x must have 3 features/,
  );
});

// Central differences on a few entries of every parameter: float64, h = 1e-6.
function lossAt(net, batch) {
  const { out } = net.forward(batch.x);
  return losses.get(net.config.loss)(out, batch.y).loss;
}

function checkGradients(net, batch) {
  const { grads } = net.lossAndTrace(batch);
  assert.deepEqual(Object.keys(grads).sort(), Object.keys(net.params).sort());
  for (const [k, p] of Object.entries(net.params)) {
    const v = valuesOf(p);
    const g = valuesOf(grads[k]);
    for (const i of [0, Math.floor(v.length / 2), v.length - 1]) {
      const keep = v[i];
      v[i] = keep + 1e-6;
      const up = lossAt(net, batch);
      v[i] = keep - 1e-6;
      const down = lossAt(net, batch);
      v[i] = keep;
      const numeric = (up - down) / 2e-6;
      // Relative error, or an absolute one where both are ~0 (a bias under batch norm).
      const diff = Math.abs(numeric - g[i]);
      const ok = diff < 1e-5 * (Math.abs(numeric) + Math.abs(g[i])) || diff < 1e-9;
      assert.ok(ok, `${k}[${i}]: analytic ${g[i]}, numeric ${numeric}`);
    }
  }
}

const GRAD_CASES = [
  { activation: 'tanh', residual: true, init: 'normal:0.4' },
  { activation: 'sigmoid', residual: true, batchnorm: true, loss: 'mse' },
  { activation: 'leaky_relu', residual: true, init: 'he', leaky_slope: 0.1 },
  { activation: 'linear', batchnorm: true },
  { activation: 'relu', init: 'he', batchnorm: true, residual: true },
];
for (const extra of GRAD_CASES) {
  test(`MLP ${JSON.stringify(extra)}: the backward pass matches finite differences`, () => {
    const config = { ...MLP_DEFAULTS, depth: 4, width: 5, ...extra };
    const net = build(config, { seed: 3 });
    if (config.residual) {
      const { params } = net;
      assert.ok('R2' in params && !('R1' in params), 'a residual branch where the widths match');
    }
    checkGradients(net, taskBatch(config, 6, new Generator(4)));
  });
}

for (const activation of ['tanh', 'linear']) {
  test(`RNN ${activation}: backpropagation through time matches finite differences`, () => {
    const config = {
      ...RNN_DEFAULTS,
      steps: 6,
      hidden: 4,
      activation,
      rho: 0.9,
      input_dim: 2,
      loss: 'mse',
    };
    checkGradients(build(config, { seed: 1 }), taskBatch(config, 3, new Generator(2)));
  });
}

test('a residual layer with its branch carries dL/dh through the identity as well as F', () => {
  const config = { ...MLP_DEFAULTS, depth: 3, width: 4, residual: true, activation: 'tanh' };
  const net = build(config);
  for (const k of ['R2', 'R3']) net.params[k].data.fill(0); // F(h) = r only: the layer is the identity
  const t = net.lossAndTrace(taskBatch(config, 5, new Generator(1)));
  // Layers 2 and 3 are the identity, so the gradient reaching layers 1 and 2 is unchanged.
  assertClose([t.layers[0].factor, t.layers[1].factor], [1, 1], 1e-15);
  assert.ok(
    Math.abs(t.layers[2].factor - 1) > 1e-3,
    'the top layer is measured against the output',
  );
});

test('training stops recording changes at a non-finite step: the step is never applied', () => {
  const config = {
    ...RNN_DEFAULTS,
    steps: 20,
    hidden: 8,
    activation: 'linear',
    rho: 1.5,
    loss: 'mse',
  };
  const net = build(config);
  const velocity = zeroVelocity(net.params);
  const rng = new Generator(1);
  let last = null;
  let before = null;
  for (let step = 0; step < 10; step++) {
    before = Object.fromEntries(
      Object.entries(net.params).map(([k, v]) => [k, valuesOf(v).slice()]),
    );
    last = trainStep(net, { lr: 0.5, momentum: 0 }, velocity, taskBatch(config, 16, rng));
    if (!last.finite) break;
  }
  assert.equal(
    last.finite,
    false,
    'this linear RNN with rho 1.5 and lr 0.5 overflows within 10 steps',
  );
  assert.ok(Object.values(last.updateRatios).every(Number.isNaN));
  for (const [k, v] of Object.entries(net.params)) assert.deepEqual(valuesOf(v), before[k], k);
});
