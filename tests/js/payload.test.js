import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  decodeNumber,
  PayloadError,
  parsePayload,
  readPayload,
} from '../../_static/threejs/payload.js';

const text = readFileSync(new URL('./fixtures/tiny.json', import.meta.url), 'utf8');
const fresh = () => JSON.parse(text);

test('a good payload is accepted and its non-finite strings decoded', () => {
  const p = parsePayload(text);
  assert.equal(p.scenarios.length, 2);
  const [vanish, explode] = p.scenarios;
  assert.equal(vanish.steps[0].layers[0].neuronsLog10[3], -Infinity);
  assert.equal(vanish.steps[1].layers[0].updateRatio, null);
  const broken = explode.steps[1];
  assert.ok(Number.isNaN(broken.loss));
  assert.equal(broken.outputGradNorm, Infinity);
  assert.ok(Number.isNaN(broken.layers[0].neuronsLog10[0]));
  assert.equal(broken.layers[1].neuronsLog10[2], 12.5);
  assert.equal(explode.firstNonFiniteStep, 1);
});

test('reading does not change the input object', () => {
  const raw = fresh();
  readPayload(raw);
  assert.deepEqual(raw, fresh());
});

test('malformed JSON gives a PayloadError that says so', () => {
  assert.throws(
    () => parsePayload('{"schema": "gradbook-payload", '),
    (e) => e instanceof PayloadError && /not valid JSON/.test(e.message),
  );
  // JSON's NaN literal is not JSON: the exporter must write "nan".
  assert.throws(() => parsePayload(text.replace('"nan"', 'NaN')), /not valid JSON/);
});

test('an unknown schema version is refused with a clear message', () => {
  const p = fresh();
  p.version = 2;
  assert.throws(() => readPayload(p), /Unsupported payload version 2: this scene reads version 1/);
  p.version = '1';
  assert.throws(() => readPayload(p), /Unsupported payload version "1"/);
});

test('something that is not a gradbook payload is refused', () => {
  assert.throws(() => readPayload([]), /JSON object/);
  assert.throws(() => readPayload({ schema: 'other', version: 1 }), /not a gradbook payload/);
});

// Each case breaks one rule of the schema (or a cross-field rule) and names where.
const broken = [
  ['missing colour scale', (p) => delete p.colorScale, /missing required field "colorScale"/],
  ['unknown top-level field', (p) => (p.extra = 1), /unknown field "extra"/],
  ['bad hex colour', (p) => (p.colorScale.table[2] = '#GGG000'), /colorScale\.table\[2\]/],
  [
    'empty range',
    (p) => (p.colorScale.log10Max = p.colorScale.log10Min),
    /log10Max must be greater/,
  ],
  ['no scenarios', (p) => (p.scenarios = []), /at least 1/],
  ['bad scenario id', (p) => (p.scenarios[0].id = 'Has Spaces'), /scenarios\[0\]\.id/],
  ['duplicate scenario id', (p) => (p.scenarios[1].id = p.scenarios[0].id), /appears twice/],
  ['unknown kind', (p) => (p.scenarios[0].kind = 'cnn'), /kind/],
  [
    'roles out of order',
    (p) => (p.scenarios[0].network.layers[0].role = 'hidden'),
    /expected "input"/,
  ],
  ['too few layers', (p) => p.scenarios[0].network.layers.splice(1, 3), /at least 3/],
  ['shown more than units', (p) => (p.scenarios[0].network.layers[1].shownUnits = 9), /only 4/],
  ['a step missing a layer', (p) => p.scenarios[0].steps[0].layers.pop(), /3 hidden layers/],
  [
    'wrong neuron count',
    (p) => p.scenarios[0].steps[1].layers[2].neuronsLog10.push(-1),
    /steps\[1\]\.layers\[2\]\.neuronsLog10: has 5 values/,
  ],
  [
    'number as an unknown string',
    (p) => (p.scenarios[1].steps[0].loss = 'Infinity'),
    /steps\[0\]\.loss: expected a number or one of/,
  ],
  [
    'null where a number is required',
    (p) => (p.scenarios[0].steps[0].layers[0].gradNorm = null),
    /gradNorm/,
  ],
  ['clipped not a boolean', (p) => (p.scenarios[0].steps[0].clipped = 0), /clipped/],
  ['negative step', (p) => (p.scenarios[0].steps[0].step = -1), /at least 0/],
  ['config with a nested object', (p) => (p.scenarios[0].config.nested = {}), /config\.nested/],
  ['no steps', (p) => (p.scenarios[0].steps = []), /steps: expected at least 1/],
];

for (const [name, mutate, message] of broken) {
  test(`invalid payload is refused: ${name}`, () => {
    const p = fresh();
    mutate(p);
    assert.throws(
      () => readPayload(p),
      (e) => e instanceof PayloadError && message.test(e.message),
    );
  });
}

test('decodeNumber accepts finite numbers and the three non-finite strings only', () => {
  assert.equal(decodeNumber(1.5), 1.5);
  assert.equal(decodeNumber('inf'), Infinity);
  assert.equal(decodeNumber('-inf'), -Infinity);
  assert.ok(Number.isNaN(decodeNumber('nan')));
  assert.throws(() => decodeNumber('NaN'), PayloadError);
  assert.throws(() => decodeNumber('1.5'), PayloadError);
  assert.throws(() => decodeNumber(true), PayloadError);
});

// The schema is the contract: payload.js must give the verdict jsonschema gives, on freshly
// exported payloads and on every mutation in tests/js_fixtures.py (which writes this file),
// and refuse the cross-field cases the schema cannot express.
const verdicts = JSON.parse(
  readFileSync(new URL('./fixtures/payload-verdicts.json', import.meta.url), 'utf8'),
);

/** A copy of `payload` with each operation applied, as tests/js_fixtures.py applies them. */
function applyOperations(payload, operations) {
  let out = structuredClone(payload);
  for (const { op, path, value } of operations) {
    if (path.length === 0) {
      out = structuredClone(value);
      continue;
    }
    const at = (obj, key) => (Array.isArray(obj) && key < 0 ? obj.length + key : key); // Python's negative indices
    let target = out;
    for (const key of path.slice(0, -1)) target = target[at(target, key)];
    const last = at(target, path.at(-1));
    if (op === 'delete') {
      if (Array.isArray(target)) target.splice(last, 1);
      else delete target[last];
    } else {
      target[last] = structuredClone(value);
    }
  }
  return out;
}

test('the verdict fixture has valid and invalid cases of every kind', () => {
  const kinds = new Set(verdicts.cases.map((c) => `${c.schemaValid}/${c.crossField}`));
  assert.deepEqual([...kinds].sort(), ['false/false', 'true/false', 'true/true']);
  assert.ok(verdicts.cases.length >= 50);
});

for (const c of verdicts.cases) {
  const expected = c.schemaValid && !c.crossField;
  test(`payload.js ${expected ? 'accepts' : 'refuses'} (${c.crossField ? 'cross-field rule' : 'as the schema does'}): ${c.name} [${c.base}]`, () => {
    const mutated = applyOperations(verdicts.bases[c.base], c.operations);
    let error = null;
    try {
      readPayload(mutated);
    } catch (err) {
      error = err;
    }
    if (expected)
      assert.equal(error, null, `refused a payload the schema accepts: ${error?.message}`);
    else assert.ok(error instanceof PayloadError, `expected a PayloadError, got ${error}`);
  });
}
