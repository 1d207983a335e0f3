// The lab's live frames have the shape of a chapter's payload: the scene's own reader accepts
// them, and their numbers are the ones export writes for the same network and step.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { heldOut } from '../../../_static/threejs/engine/data.js';
import { heldOutAccuracy, trainStep, zeroVelocity } from '../../../_static/threejs/engine/train.js';
import { networkOf, sceneStep } from '../../../_static/threejs/lab/frames.js';
import { LabRun } from '../../../_static/threejs/lab/run.js';
import { parseHash, toEngine } from '../../../_static/threejs/labconfig.js';
import { readPayload } from '../../../_static/threejs/payload.js';
import { configOf, modelOf, toBatch } from './fixture-model.js';
import { assertClose, decode } from './helpers.js';

const { cases } = decode(
  JSON.parse(readFileSync(new URL('./fixtures/parity.json', import.meta.url))),
);
const withScene = cases.filter((c) => c.scene);
const { colorScale } = JSON.parse(readFileSync(new URL('../fixtures/tiny.json', import.meta.url)));

// A payload writes inf and NaN as strings; so must a live frame wrapped as one.
const encode = (v) =>
  Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v;
// accuracyStep is the live frame's own (a payload measures every step it records), and so is
// each layer's dead share (the lab's table shows it).
const encodeStep = ({ accuracyStep, ...s }) => ({
  ...s,
  loss: encode(s.loss),
  accuracy: encode(s.accuracy),
  outputGradNorm: encode(s.outputGradNorm),
  layers: s.layers.map(({ dead, ...l }) =>
    Object.fromEntries(
      Object.entries(l).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map(encode) : v === null ? null : encode(v),
      ]),
    ),
  ),
});
const asPayload = (kind, network, steps) => ({
  schema: 'gradbook-payload',
  version: 1,
  colorScale,
  scenarios: [
    {
      id: 'lab',
      title: 'Lab',
      summary: '',
      kind,
      config: {},
      network,
      steps: steps.map(encodeStep),
      firstNonFiniteStep: null,
    },
  ],
});
const payloadNumber = (v) => ({ nan: NaN, inf: Infinity, '-inf': -Infinity })[v] ?? v;

test('some parity cases carry the payload frame export writes', () => {
  assert.ok(withScene.some((c) => c.model === 'mlp') && withScene.some((c) => c.model === 'rnn'));
});

for (const c of withScene) {
  test(`${c.name}: step 0 as a live frame is export's payload step, to its 3 digits`, () => {
    const model = modelOf(c);
    const batch = toBatch(c.model, c.train.batches[0]);
    const trace = model.lossAndTrace(batch);
    const accuracy = heldOutAccuracy(model, heldOut(configOf(c)));
    const record = trainStep(model, c.training, zeroVelocity(model.params), batch, trace);
    const network = networkOf(configOf(c));
    assert.deepEqual(network, c.scene.network);
    const live = sceneStep(0, trace, { ...record, accuracy }, model, { dead: true });
    assert.deepEqual(
      live.layers.map((l) => l.dead),
      c.trace.dead,
      "each layer's dead share",
    );
    const [read] = readPayload(asPayload(c.model, network, [live])).scenarios[0].steps;
    const expected = c.scene.step0;
    assert.equal(read.clipped, expected.clipped);
    // The held-out accuracy, as the book's payload has it (3 digits).
    assertClose([read.accuracy], [payloadNumber(expected.accuracy)], 5e-3, 0, 'accuracy');
    // export keeps 3 significant digits: 5e-3 relative covers its rounding.
    assertClose(
      [read.loss, read.outputGradNorm],
      [expected.loss, expected.outputGradNorm].map(payloadNumber),
      5e-3,
    );
    read.layers.forEach((l, i) => {
      const e = expected.layers[i];
      for (const k of ['gradNorm', 'factor', 'product', 'weightGradNorm'])
        assertClose([l[k]], [payloadNumber(e[k])], 5e-3, 0, `layer ${i + 1} ${k}`);
      if (e.updateRatio === null) assert.equal(l.updateRatio, null);
      else
        assertClose(
          [l.updateRatio],
          [payloadNumber(e.updateRatio)],
          5e-3,
          0,
          `layer ${i + 1} update ratio`,
        );
      // Rounded to a tenth of a decade in the payload.
      l.neuronsLog10.forEach((v, j) => {
        assert.ok(
          Math.abs(v - payloadNumber(e.neuronsLog10[j])) <= 0.05 + 1e-12,
          `layer ${i + 1} unit ${j}`,
        );
      });
    });
  });
}

test("a lab run's frames, before and after steps, pass the scene's payload reader", () => {
  const run = new LabRun(toEngine(parseHash('#depth=5&width=20&activation=relu&init=he').config));
  const first = run.sceneStep();
  assert.equal(first.clipped, false);
  assert.ok(
    first.layers.every((l) => l.updateRatio === null),
    'no step taken: no update ratio yet',
  );
  run.advance();
  const taken = run.lastScene;
  assert.equal(taken.step, 0);
  assert.ok(taken.layers.every((l) => Number.isFinite(l.updateRatio)));
  assert.equal(taken.layers[0].neuronsLog10.length, 16, 'a 20-unit layer shows its first 16 units');
  const payload = readPayload(asPayload('mlp', run.network(), [first, taken, run.sceneStep()]));
  assert.equal(payload.scenarios[0].steps.length, 3);
});

test('an unmeasured step shows the newest measurement before it, and says which step that was', () => {
  const run = new LabRun(toEngine(parseHash('#depth=3&width=8&activation=tanh').config), {
    heldOutEvery: 4,
  });
  assert.ok(Number.isNaN(run.sceneStep().accuracy), 'nothing measured yet');
  assert.equal(run.sceneStep().accuracyStep, null);
  const records = Array.from({ length: 6 }, () => run.advance());
  assert.deepEqual(
    records.map((r) => r.accuracy !== null),
    [true, false, false, false, true, false],
  );
  const last = run.lastScene; // step 5, not measured: step 4's accuracy
  assert.equal(last.step, 5);
  assert.equal(last.accuracyStep, 4);
  assert.equal(last.accuracy, records[4].accuracy);
  const next = run.sceneStep(); // step 6, not taken yet
  assert.deepEqual([next.step, next.accuracyStep, next.accuracy], [6, 4, records[4].accuracy]);
  run.advance();
  run.advance();
  run.advance(); // step 8: measured, its own
  assert.deepEqual(
    [run.lastScene.accuracyStep, run.lastScene.accuracy],
    [8, run.history[8].accuracy],
  );
});
