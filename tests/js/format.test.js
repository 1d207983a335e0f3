import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describeLayer, describeStep, formatAccuracy, formatFactor, formatNumber, formatPowerOfTen, sentence, superscript } from '../../_static/threejs/format.js';
import { decodeNumber } from '../../_static/threejs/payload.js';
import { SPEC } from '../../_static/threejs/spec.js';

// The same table of cases is read by tests/test_text.py: prose and scene write alike.
const { cases } = JSON.parse(readFileSync(new URL('./fixtures/numbers.json', import.meta.url), 'utf8'));
const valueOf = (v) => decodeNumber(v); // "inf", "-inf", "nan" as a payload writes them


// Every kind of number formatNumber tells apart, and how to recognize a case of that kind.
const { plainFrom, plainTo } = SPEC.text;
const plain = (c) => !c.text.includes('×') && !c.text.includes('10⁻') && !/^−?10[⁰¹²³⁴⁵⁶⁷⁸⁹]/.test(c.text);
const KINDS = {
  'not a number': (c) => c.value === 'nan',
  infinity: (c) => c.value === 'inf',
  'minus infinity': (c) => c.value === '-inf',
  zero: (c) => c.value === 0,
  negative: (c) => typeof c.value === 'number' && c.value < 0,
  plain: (c) => plain(c) && typeof c.value === 'number' && c.value > 0,
  'plain with thousands': (c) => c.text.includes(','),
  'mantissa × power': (c) => c.text.includes('×'),
  'a power alone': (c) => !c.text.includes('×') && /10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]/.test(c.text),
  'the plain range\'s lower end': (c) => c.value === plainFrom,
  'rounded up into the plain range': (c) => c.value < plainFrom && c.value > 0 && plain(c),
  'rounded up out of the plain range': (c) => c.value < plainTo && c.value > 1 && !plain(c),
};
const missingKinds = (table) => Object.keys(KINDS).filter((kind) => !table.some(KINDS[kind]));

test('the shared table has a case of every kind of number, and the check can tell', () => {
  assert.deepEqual(missingKinds(cases), []);
  // A table that lost its NaN case, or its rounding edges, is caught and named.
  assert.deepEqual(missingKinds(cases.filter((c) => c.value !== 'nan')), ['not a number']);
  assert.deepEqual(missingKinds(cases.filter((c) => !c.why?.includes('plain range'))), [
    'rounded up into the plain range',
    'rounded up out of the plain range',
  ]);
  assert.deepEqual(missingKinds([]), Object.keys(KINDS));
});

for (const c of cases) {
  test(`${c.value} to ${c.digits} digits reads "${c.text}" and is spoken "${c.speech}"`, () => {
    assert.equal(formatNumber(valueOf(c.value), { digits: c.digits }), c.text);
    assert.equal(formatNumber(valueOf(c.value), { digits: c.digits, ascii: true }), c.speech);
  });
}

test('factors read like the book: ×0.23, ×1.4', () => {
  assert.equal(formatFactor(0.2345), '×0.23');
  assert.equal(formatFactor(1.43), '×1.4');
  assert.equal(formatFactor(31.6), '×32');
  assert.equal(formatFactor(0.001), '×10⁻³');
  assert.equal(formatFactor(NaN), '×NaN');
});

test('superscripts and legend powers', () => {
  assert.equal(superscript(-12), '⁻¹²');
  assert.equal(formatPowerOfTen(4), '10⁴');
});

test('the screen-reader sentence for a layer', () => {
  assert.equal(describeLayer('layer 1', 3e-7), "Layer 1 receives 3 × 10^-7 of the output's gradient.");
  assert.equal(describeLayer('Layer 2', 0.25), "Layer 2 receives 0.25 of the output's gradient.");
  assert.match(describeLayer('t=1', NaN), /not a number/);
  assert.match(describeLayer('t=1', Infinity), /infinity/);
  assert.match(describeLayer('layer 3', 0), /none/);
});

test('a step description names the scenario, step, loss and first layer', () => {
  const scenario = {
    title: 'Sigmoid', network: { layers: [{ name: 'input' }, { name: 'layer 1' }, { name: 'output' }] },
    steps: [{ step: 40, loss: 0.6931, clipped: true, layers: [{ product: 2e-6 }] }],
  };
  assert.equal(describeStep(scenario, 0), "Sigmoid, training step 40, loss 0.693, gradient clipped. Layer 1 receives 2 × 10^-6 of the output's gradient.");
  scenario.steps[0].loss = NaN;
  assert.match(describeStep(scenario, 0), /loss NaN/);
});

test('a message ends as a sentence, so another can follow it', () => {
  assert.equal(sentence('payload: missing required field "colorScale"'), 'payload: missing required field "colorScale".');
  assert.equal(sentence('It could not start.'), 'It could not start.');
  assert.equal(sentence('Really?'), 'Really?');
});

test('accuracy is a whole percentage, ties to even as in the prose, and absent when not a number', () => {
  assert.equal(formatAccuracy(273 / 512), '53%');
  assert.equal(formatAccuracy(1), '100%');
  assert.equal(formatAccuracy(0), '0%');
  // 64 of 512 is 12.5%: Python's "{:.0%}" writes 12%, and so must the scene.
  assert.equal(formatAccuracy(64 / 512), '12%');
  assert.equal(formatAccuracy(192 / 512), '38%'); // 37.5% rounds to the even 38
  assert.equal(formatAccuracy(Number.NaN), null);
  assert.equal(formatAccuracy(undefined), null);
});
