// The lab's reader of run files (lab/runfile.js) against the run format's schema
// (src/gradbook/run.schema.json) and the example runs gradbook.torch wrote (tests/js/fixtures).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  MAX_RUN_BYTES,
  parseRun,
  RUN_VERSION,
  RunFileError,
  readRun,
  runView,
  sizeProblem,
} from '../../../_static/threejs/lab/runfile.js';

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');
const schema = JSON.parse(read('../../../src/gradbook/run.schema.json'));
const smallText = read('../fixtures/run-small.json');
const nonfiniteText = read('../fixtures/run-nonfinite.json');
const small = () => JSON.parse(smallText);

test("the reader knows the schema's fields, its version, and nothing else", () => {
  assert.equal(schema.properties.version.const, RUN_VERSION);
  assert.equal(schema.properties.schema.const, 'gradbook-run');
  // The histogram grid the reader insists on is the schema's.
  const grid = schema.properties.histograms.properties;
  assert.deepEqual([grid.log10Min.const, grid.log10Max.const, grid.bins.const], [-16, 8, 96]);
  // Each required field, taken away, is named as missing.
  // (A file without "schema" or "version" is refused before this: tested below.)
  for (const key of schema.required.filter((k) => k !== 'schema' && k !== 'version')) {
    const d = small();
    delete d[key];
    assert.throws(() => readRun(d), new RegExp(`"${key}" is missing`), key);
  }
  // Every field the schema allows is required, so the reader's list is the schema's.
  assert.deepEqual(Object.keys(schema.properties).sort(), [...schema.required].sort());
  const d = small();
  d.extra = 1;
  assert.throws(() => readRun(d), /unknown field "extra"/);
  const layer = small();
  layer.layers[0].colour = 'red';
  assert.throws(() => readRun(layer), /layer 1 has an unknown field "colour"/);
  for (const key of schema.$defs.layer.required) {
    const l = small();
    delete l.layers[2][key];
    assert.throws(() => readRun(l), new RegExp(`layer 3 has no "${key}"`), key);
  }
});

test('the example run reads back with its layers, steps and sizes', () => {
  const raw = small();
  const r = parseRun(smallText, 'run-small.json');
  assert.deepEqual(
    r.layers.map((l) => l.name),
    raw.layers.map((l) => l.name),
  );
  assert.deepEqual(r.steps, raw.steps);
  assert.equal(r.optimizer, 'SGD');
  for (let row = 0; row < raw.steps.length; row++) {
    assert.equal(r.loss[row], raw.loss[row]);
    raw.gradNormLog10[row].forEach((l, i) => {
      assert.ok(Math.abs(Math.log10(r.gradNorm[row][i]) - l) < 1e-12);
    });
  }
  // The schema's null: a norm layer's scale, all 1 at step 0, has no update ratio yet.
  assert.equal(raw.updateRatioLog10[0][1], null);
  assert.equal(r.updateRatio[0][1], null);
});

test('the view: one frame per recorded step, factors and products as the book defines them', () => {
  const raw = small();
  const v = runView(parseRun(smallText), 'run-small.json');
  assert.deepEqual(v.steps, raw.steps);
  assert.deepEqual(
    v.run.labels,
    raw.layers.map((l) => l.name),
  );
  const H = raw.layers.length;
  assert.equal(v.run.network.layers.length, H + 2);
  assert.ok(v.run.network.layers.every((l) => l.shownUnits === 1)); // one block per layer
  const row = 3;
  const f = v.frameAt(row);
  assert.equal(f.step, raw.steps[row]);
  const g = raw.gradNormLog10[row].map((l) => 10 ** l);
  const out = 10 ** raw.outputGradNormLog10[row];
  for (let l = 0; l < H; l++) {
    const above = l + 1 < H ? g[l + 1] : out;
    assert.equal(f.layers[l].gradNorm, g[l]);
    assert.equal(f.layers[l].factor, g[l] / above);
    assert.equal(f.layers[l].product, g[l] / out);
    assert.equal(f.layers[l].neuronsLog10[0], Math.log10(g[l]));
  }
  assert.deepEqual(
    Object.keys(v.records[row].updateRatios),
    raw.layers.map((l) => l.name),
  );
  assert.equal(v.firstNonFiniteStep, null);
});

test('non-finite sizes are data: "-inf" is exactly 0, "inf" overflow, "nan" no number', () => {
  const v = runView(parseRun(nonfiniteText));
  const raw = JSON.parse(nonfiniteText);
  assert.equal(v.firstNonFiniteStep, raw.firstNonFiniteStep);
  const row = raw.steps.indexOf(raw.firstNonFiniteStep);
  const broke = v.frameAt(row);
  assert.ok(Number.isNaN(broke.loss));
  raw.gradNormLog10[row].forEach((l, i) => {
    const got = broke.layers[i].gradNorm;
    if (l === 'nan') assert.ok(Number.isNaN(got));
    else if (l === '-inf') assert.equal(got, 0);
    else if (l === 'inf') assert.equal(got, Infinity);
  });
  assert.ok(raw.gradNormLog10[row].includes('-inf'), 'the fixture holds an exact 0');
  const d = small();
  d.gradNormLog10[0][0] = 'inf';
  d.gradNormLog10[0][1] = null;
  const f = runView(readRun(d)).frameAt(0);
  assert.equal(f.layers[0].gradNorm, Infinity);
  assert.equal(f.layers[1].gradNorm, null); // not measured: not NaN
  assert.equal(f.layers[0].factor, null); // over a layer not measured
  assert.equal(f.layers[1].factor, null);
});

test('a run without an optimizer has no update ratios', () => {
  const d = small();
  d.optimizer = null;
  d.updateRatioLog10 = null;
  const v = runView(readRun(d));
  assert.equal(v.run.ratios, false);
  assert.deepEqual(v.records[0].updateRatios, {});
  assert.equal(v.frameAt(0).layers[0].updateRatio, null);
});

// Each bad file gets one RunFileError whose message names the problem.
const bad = [
  ['an empty file', '', /is empty/],
  ['blank text', '  \n', /is empty/],
  ['a truncated file', smallText.slice(0, 500), /not JSON, or is cut short/],
  ['JSON that is not an object', '[1, 2]', /not a gradbook run: a run is a JSON object/],
  ['random JSON', '{"a": 1}', /not a gradbook run: it is JSON without "schema"/],
  [
    'a scene payload',
    '{"schema": "gradbook-payload", "version": 1}',
    /not a gradbook run: it is a scene payload/,
  ],
  [
    'a newer version',
    smallText.replace('"version": 1', '"version": 2'),
    /version 2 of the run format; this lab reads version 1/,
  ],
  ['NaN as a JSON literal', smallText.replace('0.7784', 'NaN'), /not JSON/],
];
for (const [what, text, message] of bad) {
  test(`${what} is refused with a message naming it`, () => {
    assert.throws(
      () => parseRun(text, 'run.json'),
      (e) =>
        e instanceof RunFileError && message.test(e.message) && e.message.startsWith('run.json'),
    );
  });
}

// Each breaks one rule of the schema, or a rule between fields, and is named.
const broken = [
  ['rows short of the steps', (d) => d.gradNormLog10.pop(), /"gradNormLog10" has 9 rows for 10/],
  [
    'a row short of the layers',
    (d) => d.weightGradNormLog10[2].pop(),
    /row 2 must hold one entry per layer \(5\), got 4/,
  ],
  ['a word for a number', (d) => (d.gradNormLog10[1][3] = 'big'), /row 1, layer 4 is "big"/],
  ['steps going back', (d) => (d.steps[3] = 2), /"steps" must increase/],
  ['a loss short', (d) => d.loss.pop(), /"loss" has 9 entries/],
  ['no layers', (d) => (d.layers = []), /"layers" is empty/],
  ['a nameless layer', (d) => (d.layers[0].name = ''), /layer 1's "name"/],
  ['calls 0', (d) => (d.layers[0].calls = 0), /"calls" must be 1 or more/],
  [
    'an unrecorded first non-finite step',
    (d) => (d.firstNonFiniteStep = 3),
    /not one of the recorded steps/,
  ],
  ['ratios without an optimizer', (d) => (d.optimizer = null), /must be null when no optimizer/],
  ['another histogram grid', (d) => (d.histograms.bins = 48), /the book's grid/],
  [
    'a histogram of an unrecorded step',
    (d) => (d.histograms.steps[0].step = 1),
    /step 1, which was not recorded/,
  ],
];
for (const [what, change, message] of broken) {
  test(`a run with ${what} is refused`, () => {
    const d = small();
    change(d);
    assert.throws(
      () => readRun(d),
      (e) => e instanceof RunFileError && message.test(e.message),
    );
  });
}

test('a file is refused by its size before it is read', () => {
  assert.match(sizeProblem('run.json', 0), /run\.json is empty/);
  assert.match(
    sizeProblem('big.json', 200 * 1024 * 1024),
    /big\.json is 200 MB; the lab opens runs of up to 64 MB/,
  );
  assert.equal(sizeProblem('run.json', MAX_RUN_BYTES), null);
  assert.equal(sizeProblem('run.json', smallText.length), null);
});

// The Python loader's verdicts on changed copies of the example run (tests/run_fixtures.py
// writes them from gradbook.runfile and the schema): the lab opens a file exactly when
// gradbook.runfile.load does.
const verdicts = JSON.parse(read('../fixtures/run-verdicts.json'));

function change(data, { op, path, value }) {
  const parent = path.slice(0, -1).reduce((node, key) => node[key], data);
  const key = path.at(-1);
  if (op === 'set') parent[key] = value;
  else if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key, 1);
    else delete parent[key];
  } else throw new Error(`unknown operation ${op}`);
}

test('the lab opens a changed run exactly when gradbook.runfile does', () => {
  assert.equal(verdicts.base, 'run-small.json');
  assert.ok(verdicts.cases.length >= 10);
  for (const c of verdicts.cases) {
    const data = small();
    for (const operation of c.operations) change(data, operation);
    if (c.loaderError === null) assert.doesNotThrow(() => readRun(data), c.name);
    else assert.throws(() => readRun(data), RunFileError, c.name);
  }
});
