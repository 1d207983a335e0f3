import assert from 'node:assert/strict';
import { test } from 'node:test';
import { taskBatch } from '../../../_static/threejs/engine/data.js';
import { build } from '../../../_static/threejs/engine/index.js';
import { Matrix } from '../../../_static/threejs/engine/linalg.js';
import { Generator } from '../../../_static/threejs/engine/random.js';
import { accuracy } from '../../../_static/threejs/engine/train.js';
import { LabRun, PREVIEW_MAX_COST, traceCost } from '../../../_static/threejs/lab/run.js';
import { attach, configured } from '../../../_static/threejs/lab/worker.js';
import { parseHash, toEngine } from '../../../_static/threejs/labconfig.js';

const engineFor = (hash) => toEngine(parseHash(hash).config);
const NAN_HASH =
  '#model=rnn&steps=20&width=8&rnn-activation=linear&rho=1.5&loss=mse&lr=0.5&momentum=0&seed=0';

test('accuracy counts the largest output against the label, and a non-finite row as wrong', () => {
  const out = Matrix.from(4, 2, [2, 1, 0, 3, NaN, 5, 1, 1]);
  assert.equal(accuracy(out, Float64Array.of(0, 1, 1, 0)), 0.75); // row 3: a tie picks class 0
  assert.equal(accuracy(out, Matrix.from(4, 2, [1, 0, 0, 1, 0, 1, 0, 1])), 0.5);
});

test('the first frame is the trace of the first batch from the seed, as train.py step 0', () => {
  const engine = engineFor('#depth=4&width=5&activation=relu&init=he&seed=7&batch-size=16');
  const run = new LabRun(engine);
  const batch = taskBatch(engine.config, 16, new Generator(7));
  const t = build(engine.config, { seed: 7 }).lossAndTrace(batch);
  const f = run.frame();
  assert.equal(f.step, 0);
  assert.equal(f.loss, t.loss);
  // The numbers the table shows, plain (no arrays: cheap to post), each layer's dead share too.
  const shown = t.layers.map(({ index, gradNorm, weightGradNorm, factor, product, dead }) => ({
    index,
    gradNorm,
    weightGradNorm,
    factor,
    product,
    dead,
  }));
  assert.deepEqual(f.layers, shown);
  assert.ok(
    f.layers.some((l) => l.dead > 0),
    'a He ReLU net of width 5 has units off for the whole batch',
  );
  const r = run.advance();
  assert.equal(r.step, 0);
  assert.equal(r.loss, t.loss);
  assert.equal(run.frame().step, 1);
  assert.notEqual(run.frame().loss, t.loss, 'the frame moved on to step 1 with updated weights');
});

test('training a healthy network lowers its loss; the history keeps every step', () => {
  const run = new LabRun(
    engineFor('#depth=3&width=16&activation=tanh&lr=0.1&momentum=0.9&batch-size=64&seed=1'),
  );
  for (let i = 0; i < 60; i++) run.advance();
  assert.equal(run.history.length, 60);
  const early = run.history.slice(0, 5).reduce((s, r) => s + r.loss, 0) / 5;
  const late = run.history.slice(-5).reduce((s, r) => s + r.loss, 0) / 5;
  assert.ok(late < early, `loss ${early} -> ${late}`);
});

test('an exploding run stops at its first non-finite step and never applies it', () => {
  const run = new LabRun(engineFor(NAN_HASH));
  let last;
  while (!run.stopped) last = run.advance();
  assert.equal(last.finite, false);
  assert.equal(run.stoppedAt, last.step);
  assert.equal(run.frame().finite, false);
  assert.equal(run.advance(), null);
  assert.equal(run.history.length, last.step + 1);
});

function fakeWorker(options) {
  const posted = [];
  let listener = null;
  const queue = [];
  const scope = {
    addEventListener: (_type, fn) => {
      listener = fn;
    },
    postMessage: (m) => posted.push(structuredClone(m)),
  };
  let clock = 0;
  attach(scope, {
    now: () => (clock += 1),
    later: (fn) => queue.push(fn),
    budgetMs: 5,
    ...options,
  });
  return {
    posted,
    send: (data) => listener({ data }),
    tick: () => queue.shift()?.(),
    pending: () => queue.length,
  };
}

test('the worker loop: configure, step, train in chunks, pause, and stop at NaN', () => {
  const w = fakeWorker();
  w.send({ type: 'configure', hash: '#depth=1000&width=4&seed=2' });
  const configured = w.posted.at(-1);
  assert.equal(configured.type, 'configured');
  assert.match(configured.messages[0], /depth must be an integer from 1 to 50/);
  assert.match(configured.hash, /^#depth=12&width=4&/);
  assert.equal(configured.frame.layers.length, 12);
  assert.equal(configured.network.layers.length, 14, 'input, 12 hidden layers, output');
  assert.equal(configured.scene.step, 0);

  w.send({ type: 'step' });
  assert.deepEqual(
    [w.posted.at(-1).type, w.posted.at(-1).records.length, w.posted.at(-1).frame.step],
    ['steps', 1, 1],
  );

  w.send({ type: 'train' });
  w.tick();
  const chunk = w.posted.at(-1);
  assert.equal(chunk.type, 'steps');
  assert.ok(chunk.records.length >= 2, 'a chunk runs steps until its time budget is spent');
  assert.equal(chunk.frame.step, 1 + chunk.records.length);
  assert.equal(chunk.scene.step, chunk.records.at(-1).step, 'the scene shows the last step taken');
  assert.equal(w.pending(), 1, 'the loop yields, then continues');
  w.send({ type: 'pause' });
  assert.equal(w.posted.at(-1).type, 'paused');
  w.tick();
  assert.equal(w.posted.at(-1).type, 'paused', 'no step after a pause');

  w.send({ type: 'configure', hash: NAN_HASH });
  w.send({ type: 'train' });
  for (let i = 0; i < 100 && w.pending(); i++) w.tick();
  const stopped = w.posted.at(-1);
  assert.equal(stopped.type, 'stopped');
  assert.equal(stopped.reason, 'nonfinite');
  assert.equal(stopped.frame.finite, false);
  const steps = w.posted.filter((m) => m.type === 'steps').flatMap((m) => m.records);
  assert.equal(steps.at(-1).step, stopped.step);
  w.send({ type: 'train' });
  assert.equal(w.posted.at(-1).type, 'stopped', 'a stopped run stays stopped until reconfigured');
});

test('the worker answers bad messages with an error message, never a throw', () => {
  const w = fakeWorker();
  w.send({ type: 'train' });
  assert.match(w.posted.at(-1).message, /'train' before 'configure'/);
  w.send({ type: 'toString' });
  assert.match(w.posted.at(-1).message, /unknown message type "toString"/);
  w.send(null);
  assert.equal(w.posted.at(-1).type, 'error');
});

test("the page's preview of a small network is exactly what the worker then sends", () => {
  const hash = '#depth=12&width=16&activation=tanh&init=xavier&seed=3';
  const { config, messages } = parseHash(hash);
  const engine = toEngine(config);
  assert.ok(traceCost(engine) <= PREVIEW_MAX_COST, 'the default-sized network is previewed');
  const preview = configured(config, messages, new LabRun(engine), 0);
  const w = fakeWorker();
  w.send({ type: 'configure', hash });
  const fromWorker = w.posted.at(-1);
  assert.equal(fromWorker.type, 'configured');
  assert.equal(preview.hash, fromWorker.hash);
  // Every number the page draws (table, scene) is the worker's, bit for bit: the run is
  // deterministic, so showing the preview and skipping the worker's copy shows the same network.
  assert.deepEqual(structuredClone(preview.frame), fromWorker.frame);
  assert.deepEqual(structuredClone(preview.scene), fromWorker.scene);
  assert.deepEqual(structuredClone(preview.network), fromWorker.network);
});

test('only networks whose trace takes milliseconds are previewed on the page', () => {
  const cost = (hash) => traceCost(toEngine(parseHash(hash).config));
  assert.equal(cost('#depth=12&width=16&batch-size=64'), 12 * 16 * 16 * 64);
  assert.ok(cost('#depth=50&width=64&batch-size=64') > PREVIEW_MAX_COST);
  assert.equal(cost('#model=rnn&steps=40&width=16&batch-size=32'), 40 * 16 * 16 * 32);
});
