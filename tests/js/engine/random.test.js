import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Generator, mix } from '../../../_static/threejs/engine/random.js';
import { scaledOrthogonal } from '../../../_static/threejs/engine/rnn.js';
import { assertClose, decode, flat } from './helpers.js';

const fixture = decode(
  JSON.parse(readFileSync(new URL('./fixtures/random.json', import.meta.url))),
);

// Box-Muller's log and cos come from V8 here and from numpy/glibc in Python: an ulp or so apart.
const NORMAL_RTOL = 1e-15;
const NORMAL_ATOL = 1e-15;

test('mix is the documented hash: a bijection-style avalanche on known inputs', () => {
  // Hand-computed from the definition: mix(0) is 0 (every step keeps 0), mix(1) is not 1.
  assert.equal(mix(0), 0);
  assert.notEqual(mix(1), 1);
  assert.ok(mix(0xffffffff) >= 0 && mix(0xffffffff) <= 0xffffffff);
});

for (const s of fixture.streams) {
  test(`seed ${s.seed}: key, words and uniforms are bit-identical to Python's`, () => {
    const g = new Generator(s.seed);
    assert.deepEqual([g.k0, g.k1], s.key);
    assert.deepEqual(Array.from(g.words(8)), s.words);
    assert.equal(g.counter, 8);
    const far = new Generator(s.seed);
    far.counter = 2 ** 32 - 4;
    assert.deepEqual(Array.from(far.words(4)), s.last_words);
    assert.throws(() => far.words(1), /2\*\*32 words/);
    assert.deepEqual(Array.from(new Generator(s.seed).random(8)), s.random);
    assert.deepEqual(Array.from(new Generator(s.seed).uniform(-3, 5, 8)), s.uniform);
  });

  test(`seed ${s.seed}: integers match exactly, rejection included`, () => {
    for (const [range, expected] of Object.entries(s.integers)) {
      const [lo, hi] = range.split(',').map(Number);
      assert.deepEqual(Array.from(new Generator(s.seed).integers(lo, hi, 16)), expected, range);
    }
  });

  test(`seed ${s.seed}: normals match to ${NORMAL_RTOL} relative`, () => {
    assertClose(new Generator(s.seed).normal(0.5, 2, 8), s.normal, NORMAL_RTOL, NORMAL_ATOL);
  });
}

for (const m of fixture.mixed) {
  test(`seed ${m.seed}: a sequence of mixed draws advances the counter as Python does`, () => {
    const g = new Generator(m.seed);
    for (const step of m.steps) {
      const [size] = step.args.slice(-1);
      const params = step.args.slice(0, -1);
      const n = size.reduce((a, b) => a * b, 1);
      const values = g[step.call](...params, n);
      const expected = flat(step.values);
      if (step.call === 'normal') assertClose(values, expected, NORMAL_RTOL, NORMAL_ATOL);
      else assert.deepEqual(Array.from(values), expected, step.call);
      assert.equal(g.counter, step.counter, `counter after ${step.call}`);
    }
  });
}

for (const o of fixture.orthogonal) {
  test(`scaled orthogonal ${o.n} x ${o.n}, rho ${o.rho}, seed ${o.seed}: Q to 1e-12`, () => {
    const w = scaledOrthogonal(o.n, o.rho, new Generator(o.seed));
    assertClose(w.data, flat(o.matrix), 1e-12, 1e-12);
  });
}

test('bad seeds and ranges are refused with a message that names what is allowed', () => {
  for (const bad of [-1, 1.5, 2 ** 53, NaN, '3']) {
    assert.throws(() => new Generator(bad), /seed must be an integer from 0 to 2\*\*53 - 1/);
  }
  assert.throws(() => new Generator(0).integers(3, 3, 1), /1 <= high - low <= 2\*\*32/);
  assert.throws(() => new Generator(0).normal(0, 1, -1), /size must be/);
});

test('uniforms stay in [0, 1) and look uniform; integers are unbiased (sanity, 1e5 draws)', () => {
  const u = new Generator(123).random(100000);
  let sum = 0;
  for (const v of u) {
    assert.ok(v >= 0 && v < 1);
    sum += v;
  }
  // The mean of 1e5 uniforms has standard deviation 0.29 / 316 = 9e-4: 5 sigma is 4.6e-3.
  assert.ok(Math.abs(sum / u.length - 0.5) < 4.6e-3, `mean ${sum / u.length}`);
  const counts = [0, 0, 0];
  for (const v of new Generator(7).integers(0, 3, 30000)) counts[v]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 5 * Math.sqrt(30000 * (1 / 3) * (2 / 3)));
});
