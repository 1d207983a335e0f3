import assert from 'node:assert/strict';
import { test } from 'node:test';
import { structureOf } from '../../_static/threejs/structure.js';

const shape = (units) => ({
  layers: units.map((n, i) => ({
    name: i === 0 ? 'x' : i === units.length - 1 ? 'loss' : `h${i}`,
    role: 'hidden',
    units: n,
    shownUnits: n,
  })),
  timeSteps: null,
});

test('a residual net has a skip path wherever the widths match, never from the input', () => {
  const s = structureOf({
    kind: 'mlp',
    config: { residual: true },
    network: shape([2, 16, 16, 8, 8, 1]),
  });
  // h1 gets no skip (input width 2), h3 none (16 -> 8), h2 and h4 do.
  assert.deepEqual(s.skips, [2, 4]);
  assert.equal(s.rnn, false);
});

test("a skip from the input to layer 1 where the input is as wide, as the engine's rule", () => {
  const s = structureOf({ kind: 'mlp', config: { residual: true }, network: shape([4, 4, 4, 2]) });
  assert.deepEqual(s.skips, [1, 2]);
});

test('a plain net, batch norm and the recurrent net are told apart', () => {
  assert.deepEqual(
    structureOf({ kind: 'mlp', config: {}, network: shape([2, 4, 4, 1]) }).skips,
    [],
  );
  assert.equal(
    structureOf({ kind: 'mlp', config: { batchnorm: true }, network: shape([2, 4, 4, 1]) })
      .batchnorm,
    true,
  );
  const rnn = structureOf({
    kind: 'rnn',
    config: { residual: true },
    network: { ...shape([1, 8, 8, 8, 1]), timeSteps: 3 },
  });
  assert.equal(rnn.rnn, true);
  assert.deepEqual(rnn.skips, []);
  assert.equal(rnn.unitWord, 'time step');
  assert.match(rnn.hint, /back in time, step by step/);
});

test('each factor sits on the column whose weights and slope make it; the top one on the read-out', () => {
  const s = structureOf({ kind: 'mlp', config: {}, network: shape([2, 4, 4, 4, 1]) });
  assert.equal(s.output, 4);
  assert.equal(s.factorColumn(1), 2);
  assert.equal(s.factorColumn(3), 4); // the top hidden layer's factor: the read-out's weights
  assert.deepEqual([0, 1, 2, 3, 4].map(s.factorOfColumn), [null, null, 1, 2, 3]);
  assert.equal(s.displayName(4), 'read-out');
  assert.equal(s.displayName(2), 'h2');
});
