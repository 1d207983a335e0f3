// "Open this network in the lab": from nothing but a lab link, the lab draws the weights and
// every batch from the seed and reproduces the simulator's first training steps, and their
// held-out accuracy exactly.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HELD_OUT_EVERY, LabRun } from '../../../_static/threejs/lab/run.js';
import {
  fromScenario,
  parseHash,
  toEngine,
  writeHash,
} from '../../../_static/threejs/labconfig.js';
import { assertClose, decode } from './helpers.js';

// The weights come from each side's own Box-Muller (log and cos may differ by an ulp), so this
// is looser than bit parity in principle; in practice it holds to the parity tests' 1e-9.
const RTOL = 1e-9;
const { seeded } = decode(
  JSON.parse(readFileSync(new URL('./fixtures/parity.json', import.meta.url))),
);

test('there are seeded runs of both models', () => {
  assert.ok(seeded.some((c) => c.model === 'mlp') && seeded.some((c) => c.model === 'rnn'));
});

// The link a chapter's scene writes for this network ("Open this network in the lab").
const linkOf = (c) => writeHash(fromScenario(c.payload_config));

for (const c of seeded) {
  test(`${c.name}: ${linkOf(c)} reproduces the simulator's first ${c.steps.length} steps`, () => {
    const { config, messages } = parseHash(linkOf(c));
    assert.deepEqual(messages, []);
    const engine = toEngine(config);
    const { kind, ...fields } = engine.config;
    assert.equal(kind, c.model);
    assert.deepEqual(
      fields,
      c.config,
      "the lab's configuration is the simulator's, field for field",
    );
    const run = new LabRun(engine, { heldOutEvery: 1 }); // as the fixture's record_every
    c.steps.forEach((e, i) => {
      const s = run.advance();
      assert.equal(s.accuracy, c.accuracy[i], `step ${i} held-out accuracy`);
      assertClose([s.loss], [e.loss], RTOL, 0, `step ${i} loss`);
      assertClose(s.gradNorms, e.grad_norms, RTOL, 0, `step ${i} grad norms`);
      assertClose(s.weightGradNorms, e.weight_grad_norms, RTOL, 0, `step ${i} weight-grad norms`);
      assertClose([s.globalNorm], [e.global_norm], RTOL, 0, `step ${i} global norm`);
      assert.equal(s.clipped, e.clipped, `step ${i} clipped`);
      for (const [k, v] of Object.entries(e.update_ratios)) {
        assertClose([s.updateRatios[k]], [v], RTOL, 0, `step ${i} update ratio ${k}`);
      }
    });
  });
}

test('a lab run measures the held-out accuracy every HELD_OUT_EVERY steps, or when asked', () => {
  const c = seeded[0];
  const run = new LabRun(toEngine(parseHash(linkOf(c)).config));
  assert.equal(HELD_OUT_EVERY, 10, "as TrainConfig.record_every's default");
  const records = Array.from({ length: 12 }, () => run.advance());
  assert.deepEqual(
    records.filter((r) => r.accuracy !== null).map((r) => r.step),
    [0, 10],
  );
  assert.equal(records[0].accuracy, c.accuracy[0], 'step 0 as the simulator measures it');
  assert.equal(
    typeof run.advance({ measure: true }).accuracy,
    'number',
    'a step asked for by hand',
  );
});
