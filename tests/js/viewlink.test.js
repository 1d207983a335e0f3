import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ReplaySource } from '../../_static/threejs/framesource.js';
import { readPayload } from '../../_static/threejs/payload.js';
import { formatViewHash, parseViewHash, resolveView } from '../../_static/threejs/viewlink.js';

const payload = readPayload(
  JSON.parse(readFileSync(new URL('./fixtures/tiny.json', import.meta.url))),
);
const sources = payload.scenarios.map((s) => new ReplaySource(s));
const sc = payload.scenarios[0];
const lastStep = sc.steps.at(-1).step;

test('ordinary anchors are not view links', () => {
  assert.equal(parseViewHash('#fallback-ch3'), null);
  assert.equal(parseViewHash(''), null);
  assert.equal(parseViewHash('#'), null);
});

test('a view hash round-trips through format and parse', () => {
  const view = { scenario: sc.id, step: lastStep, layer: 2 };
  const hash = formatViewHash(view);
  assert.equal(hash, `#scenario=${sc.id}&step=${lastStep}&layer=2`);
  assert.deepEqual(parseViewHash(hash), { view, error: null });
  assert.deepEqual(parseViewHash('#scenario=a&scene=2').view, { scenario: 'a', scene: 2 });
  assert.equal(
    formatViewHash({ scenario: 'a', scene: 1 }),
    '#scenario=a',
    'the first scene is the default',
  );
});

test('malformed view hashes say what is wrong', () => {
  assert.match(parseViewHash('#step=abc').error, /whole number/);
  assert.match(parseViewHash('#step=-3').error, /whole number/);
  assert.match(parseViewHash('#scenario=a&colour=red').error, /unknown part "colour"/);
  assert.match(parseViewHash('#scene=0').error, /counts from 1/);
});

test('a view is checked against what the scene can show', () => {
  const ok = resolveView({ scenario: sc.id, step: lastStep, layer: 1 }, sources, sources[0]);
  assert.equal(ok.source.id, sc.id);
  assert.equal(ok.stepIndex, sc.steps.length - 1);
  assert.equal(ok.layer, 1);
  assert.match(resolveView({ scenario: 'nope' }, sources, sources[0]).error, /no scenario "nope"/);
  assert.match(resolveView({ step: lastStep + 1 }, sources, sources[0]).error, /not recorded/);
  const H = sc.network.layers.length - 2;
  assert.match(
    resolveView({ layer: H + 1 }, sources, sources[0]).error,
    new RegExp(`no layer ${H + 1}.*1 to ${H}`),
  );
  assert.match(resolveView({ layer: 0 }, sources, sources[0]).error, /no layer 0/);
  assert.deepEqual(resolveView({}, sources, sources[0]), {
    source: sources[0],
    stepIndex: null,
    layer: null,
  });
});
