// The engine against the Python simulator on every case of parity.json: the trace of one batch
// and the first training steps, each number to a relative error of 1e-9 (NaN and inf exactly),
// and the held-out accuracy at each of those steps exactly (it is a count out of 512).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { heldOut } from '../../../_static/threejs/engine/data.js';
import { heldOutAccuracy, trainStep, zeroVelocity } from '../../../_static/threejs/engine/train.js';
import { SPEC } from '../../../_static/threejs/spec.js';
import { configOf, modelOf, toBatch } from './fixture-model.js';
import { assertClose, decode } from './helpers.js';

const RTOL = 1e-9;
const { cases } = decode(
  JSON.parse(readFileSync(new URL('./fixtures/parity.json', import.meta.url))),
);

test('the fixture covers what issue 11 asks for', () => {
  assert.ok(cases.length >= 20, `${cases.length} cases`);
  const mlps = cases.filter((c) => c.model === 'mlp').map((c) => c.config);
  const rnns = cases.filter((c) => c.model === 'rnn');
  for (const a of SPEC.names.activation) {
    assert.ok(
      mlps.some((c) => c.activation === a),
      a,
    );
  }
  for (const i of SPEC.names.init.filter((name) => !name.startsWith(SPEC.normalPrefix)))
    assert.ok(
      mlps.some((c) => c.init === i),
      i,
    );
  assert.ok(mlps.some((c) => c.init.startsWith('normal:')));
  assert.ok(mlps.some((c) => c.batchnorm) && mlps.some((c) => c.residual));
  for (const loss of SPEC.names.loss)
    assert.ok(
      cases.some((c) => c.config.loss === loss),
      loss,
    );
  for (const a of SPEC.names.rnnActivation)
    assert.ok(
      rnns.some((c) => c.config.activation === a),
      a,
    );
  assert.ok(
    cases.some((c) => c.training.clip_norm !== null && c.train.steps.some((s) => s.clipped)),
  );
  assert.ok(cases.some((c) => c.training.clip_value !== null));
  assert.ok(
    cases.some((c) => c.trace.products[0] < 1e-6),
    'a deep vanishing case',
  );
  assert.ok(
    cases.some((c) => c.train.first_nonfinite_step !== null),
    'an exploding case that reaches NaN',
  );
});

for (const c of cases) {
  test(`${c.name}: the trace of one batch matches the simulator`, () => {
    const t = modelOf(c).lossAndTrace(toBatch(c.model, c.batch));
    const e = c.trace;
    assertClose([t.loss], [e.loss], RTOL, 0, 'loss');
    assertClose([t.outputGradNorm], [e.output_grad_norm], RTOL, 0, 'output grad norm');
    assertClose(
      t.layers.map((l) => l.gradNorm),
      e.grad_norms,
      RTOL,
      0,
      'grad norms',
    );
    assertClose(
      t.layers.map((l) => l.weightGradNorm),
      e.weight_grad_norms,
      RTOL,
      0,
      'weight-grad norms',
    );
    assertClose(
      t.layers.map((l) => l.factor),
      e.factors,
      RTOL,
      0,
      'factors',
    );
    assertClose(
      t.layers.map((l) => l.product),
      e.products,
      RTOL,
      0,
      'products',
    );
    assertClose([t.globalGradNorm], [e.global_grad_norm], RTOL, 0, 'global grad norm');
    assert.equal(t.isFinite, e.is_finite);
    t.layers.forEach((l, i) => {
      assertClose(l.neuronGrad, e.neuron_grad[i], RTOL, 0, `layer ${i + 1} neuron grads`);
    });
    // Means of many terms: numpy sums pairwise, the engine in order; an absolute floor of 1e-15
    // keeps a mean that cancels to ~0 (activation_mean of a symmetric layer) from failing.
    for (const [mine, theirs] of [
      ['meanSlope', 'mean_slope'],
      ['saturated', 'saturated'],
      ['activationMean', 'activation_mean'],
      ['activationStd', 'activation_std'],
      ['dead', 'dead'],
    ]) {
      assertClose(
        t.layers.map((l) => l[mine]),
        e[theirs],
        RTOL,
        1e-15,
        theirs,
      );
    }
    assert.deepEqual(Object.keys(t.grads).sort(), Object.keys(c.params).sort());
  });

  test(`${c.name}: the first training steps match the simulator`, () => {
    const model = modelOf(c);
    const velocity = zeroVelocity(model.params);
    const steps = [];
    const accuracies = [];
    const set = heldOut(configOf(c));
    for (const batch of c.train.batches) {
      accuracies.push(heldOutAccuracy(model, set)); // before the step
      const record = trainStep(model, c.training, velocity, toBatch(c.model, batch));
      steps.push(record);
      if (!record.finite) break; // a non-finite step is the last one, as in train.py
    }
    assert.equal(steps.length, c.train.steps.length);
    assert.deepEqual(accuracies, c.train.accuracy, 'held-out accuracy at each step');
    const nonfinite = steps.findIndex((s) => !s.finite);
    assert.equal(nonfinite === -1 ? null : nonfinite, c.train.first_nonfinite_step);
    steps.forEach((s, i) => {
      const e = c.train.steps[i];
      assertClose([s.loss], [e.loss], RTOL, 0, `step ${i} loss`);
      assertClose(s.gradNorms, e.grad_norms, RTOL, 0, `step ${i} grad norms`);
      assertClose(s.weightGradNorms, e.weight_grad_norms, RTOL, 0, `step ${i} weight-grad norms`);
      assertClose([s.globalNorm], [e.global_norm], RTOL, 0, `step ${i} global norm`);
      assert.equal(s.clipped, e.clipped, `step ${i} clipped`);
      assert.deepEqual(
        Object.keys(s.updateRatios),
        Object.keys(e.update_ratios),
        `step ${i} ratio names`,
      );
      for (const [k, v] of Object.entries(e.update_ratios)) {
        assertClose([s.updateRatios[k]], [v], RTOL, 0, `step ${i} update ratio ${k}`);
      }
    });
  });
}
