import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { taskBatch } from '../../../_static/threejs/engine/data.js';
import { build } from '../../../_static/threejs/engine/index.js';
import { Generator } from '../../../_static/threejs/engine/random.js';
import {
  defaults,
  echo,
  fromScenario,
  parseHash,
  toEngine,
  writeHash,
} from '../../../_static/threejs/labconfig.js';
import { SPEC } from '../../../_static/threejs/spec.js';

test("the issue's example hashes configure the lab with no message", () => {
  const mlp = parseHash(
    '#depth=20&width=16&activation=sigmoid&init=xavier&batchnorm=0&residual=0&batch-size=64&seed=0',
  );
  assert.deepEqual(mlp.messages, []);
  assert.equal(mlp.config.depth, 20);
  assert.equal(mlp.config.activation, 'sigmoid');
  assert.equal(mlp.config.batchnorm, false);
  assert.equal(mlp.config['batch-size'], 64);
  const rnn = parseHash(
    '#model=rnn&steps=40&rho=1.1&rnn-activation=tanh&clip-norm=1&lr=0.01&momentum=0&loss=mse',
  );
  assert.deepEqual(rnn.messages, []);
  assert.deepEqual(
    [
      rnn.config.model,
      rnn.config.steps,
      rnn.config.rho,
      rnn.config['clip-norm'],
      rnn.config.lr,
      rnn.config.loss,
    ],
    ['rnn', 40, 1.1, 1, 0.01, 'mse'],
  );
  assert.equal(parseHash('init=normal:0.3').config.init, 'normal:0.3');
});

test('names are read as the command line reads them and written back canonically', () => {
  const { config, messages } = parseHash(
    '#activation=Leaky-ReLU&init=Xavier_Uniform&loss=MSE&model=MLP&rnn-activation=Tanh',
  );
  assert.deepEqual(messages, []);
  assert.equal(config.activation, 'leaky_relu');
  assert.equal(config.init, 'xavier-uniform');
  assert.equal(config.loss, 'mse');
  assert.equal(config['rnn-activation'], 'tanh');
  assert.match(writeHash(config), /activation=leaky_relu&init=xavier-uniform&.*loss=mse&/);
  assert.equal(parseHash('#init=He').config.init, 'he');
  assert.equal(parseHash('#init=Normal:0.3').config.init, 'normal:0.3');
  assert.equal(parseHash('#activation=leaky__relu').messages.length, 1, 'one separator each');
});

test("the lab's defaults are the book's training, and a tanh RNN may be pushed to rho 2", () => {
  const d = defaults();
  assert.equal(d.lr, 0.05);
  assert.equal(d.momentum, 0.9);
  assert.equal(d.lr, SPEC.lab.keys.lr.default);
  const { config, messages } = parseHash('#model=rnn&rnn-activation=tanh&rho=2');
  assert.deepEqual(messages, []);
  assert.equal(config.rho, 2);
});

test('a message quotes at most 40 characters of what the link held', () => {
  const long = 'k'.repeat(5000);
  for (const hash of [`#${long}=1`, `#depth=${long}`, `#${long}%E0%A4%A`]) {
    const [message] = parseHash(hash).messages;
    assert.ok(message.length < 300, `${message.length} characters: ${message.slice(0, 80)}`);
    assert.ok(message.includes(`${'k'.repeat(40)}…`), message.slice(0, 80));
    assert.ok(!message.includes('k'.repeat(41)), 'the 41st character is not echoed');
  }
  assert.equal(echo('x'.repeat(40)), 'x'.repeat(40), 'forty characters stay whole');
  assert.equal(echo('😀'.repeat(41)), `${'😀'.repeat(40)}…`, 'characters, not UTF-16 halves');
});

test('an empty hash is the defaults, silently', () => {
  for (const h of ['', '#', undefined])
    assert.deepEqual(parseHash(h), { config: defaults(), messages: [] });
});

const BAD = [
  [
    'activation=swish',
    'activation',
    /activation must be one of sigmoid, tanh, relu, leaky_relu, linear/,
  ],
  ['depth=0', 'depth', /depth must be an integer from 1 to 50/],
  ['depth=1000', 'depth', /depth must be an integer from 1 to 50/],
  ['depth=2.5', 'depth', /integer from 1 to 50/],
  ['width=1', 'width', /integer from 2 to 64/],
  ['init=normal:abc', 'init', /normal:STD with STD from 0.01 to 10/],
  ['init=normal:100', 'init', /normal:STD with STD from 0.01 to 10/],
  ['init=glorot', 'init', /one of standard, xavier, xavier-uniform, he/],
  ['batchnorm=yes', 'batchnorm', /batchnorm must be 0 or 1/],
  ['residual=2', 'residual', /0 or 1/],
  ['loss=hinge', 'loss', /one of cross_entropy, mse/],
  ['lr=0', 'lr', /greater than 0 and up to 10/],
  ['lr=Infinity', 'lr', /a number greater than 0/],
  ['lr=0x10', 'lr', /a number greater than 0/],
  ['momentum=1', 'momentum', /from 0 and below 1/],
  ['batch-size=0', 'batch-size', /integer from 1 to 256/],
  ['seed=-1', 'seed', /integer from 0 to 4294967295/],
  ['steps=201', 'steps', /integer from 1 to 200/],
  ['rho=3.5', 'rho', /from 0.5 and up to 3/],
  ['rnn-activation=sigmoid', 'rnn-activation', /one of tanh, linear/],
  ['clip-norm=-1', 'clip-norm', /off or a number greater than 0/],
  ['depth', 'depth', /^depth has no value: depth must be an integer/],
];
for (const [hash, key, allowed] of BAD) {
  test(`a bad value, #${hash}, names what is allowed and falls back to ${key}'s default`, () => {
    const others = key === 'seed' ? '' : '&seed=3';
    const { config, messages } = parseHash(`#${hash}${others}`);
    assert.equal(messages.length, 1, messages.join(' | '));
    assert.match(messages[0], allowed);
    assert.match(messages[0], new RegExp(`^${hash}( is not allowed| has no value): `));
    assert.deepEqual(config[key], defaults()[key]);
    if (key !== 'seed') assert.equal(config.seed, 3, 'the good keys still count');
  });
}

test('batch norm with a batch of 1 falls back to the default batch size, with a message', () => {
  const { config, messages } = parseHash('#batchnorm=1&batch-size=1');
  assert.equal(config.batchnorm, true);
  assert.equal(config['batch-size'], defaults()['batch-size']);
  assert.equal(messages.length, 1);
  assert.match(messages[0], /batch norm needs at least 4 examples in a batch, got 1/);
  assert.deepEqual(
    parseHash('#batch-size=1').messages,
    [],
    'without batch norm, 1 example is fine',
  );
});

test('unknown keys, repeated keys and broken escapes are reported, never thrown', () => {
  assert.match(
    parseHash('#colour=red').messages[0],
    /Unknown setting "colour" was ignored; the lab's settings are model, depth/,
  );
  const twice = parseHash('#depth=3&depth=4');
  assert.equal(twice.config.depth, 4);
  assert.match(twice.messages[0], /more than once/);
  assert.match(parseHash('#depth=%E0%A4%A').messages[0], /not valid URL text/);
});

test('writing and reading a hash gives the same configuration back, for both models', () => {
  const mlp = {
    ...defaults(),
    depth: 7,
    activation: 'relu',
    init: 'normal:0.3',
    batchnorm: true,
    lr: 0.003,
    seed: 42,
  };
  assert.equal(
    writeHash(mlp),
    '#depth=7&width=16&activation=relu&init=normal:0.3&batchnorm=1&residual=0&loss=cross_entropy&lr=0.003&momentum=0.9&batch-size=64&seed=42',
  );
  assert.deepEqual(parseHash(writeHash(mlp)), { config: mlp, messages: [] });
  const rnn = {
    ...defaults(),
    model: 'rnn',
    steps: 100,
    rho: 0.95,
    'rnn-activation': 'linear',
    'clip-norm': 0.5,
  };
  assert.deepEqual(parseHash(writeHash(rnn)), { config: rnn, messages: [] });
  assert.match(writeHash({ ...rnn, 'clip-norm': null }), /clip-norm=off/);
});

test('a parsed configuration runs in the engine, MLP and RNN alike', () => {
  for (const hash of [
    '#depth=3&width=4&batchnorm=1&residual=1&loss=mse',
    '#model=rnn&steps=5&width=3&clip-norm=1',
  ]) {
    const e = toEngine(parseHash(hash).config);
    const batch = taskBatch(e.config, e.batchSize, new Generator(e.seed));
    const t = build(e.config, { seed: e.seed }).lossAndTrace(batch);
    assert.equal(t.layers.length, e.config.kind === 'rnn' ? 5 : 3);
    assert.ok(Number.isFinite(t.loss));
  }
});

test("a chapter scenario's payload config opens the same network in the lab", () => {
  const verdicts = JSON.parse(
    readFileSync(new URL('../fixtures/payload-verdicts.json', import.meta.url), 'utf8'),
  );
  const scenarios = Object.values(verdicts.bases).flatMap((p) => p.scenarios);
  assert.ok(scenarios.some((s) => s.kind === 'rnn') && scenarios.some((s) => s.kind === 'mlp'));
  for (const { config } of scenarios) {
    const { config: lab, messages } = parseHash(writeHash(fromScenario(config)));
    assert.deepEqual(messages, [], config.kind);
    assert.equal(lab.seed, config.seed);
    assert.equal(lab.lr, config.train_lr);
    assert.equal(lab['batch-size'], config.train_batch_size);
    if (config.kind === 'rnn') {
      assert.deepEqual(
        [lab.model, lab.steps, lab.width, lab.rho],
        ['rnn', config.steps, config.hidden, config.rho],
      );
    } else {
      assert.deepEqual(
        [lab.depth, lab.width, lab.activation, lab.init, lab.batchnorm, lab.residual],
        [
          config.depth,
          config.width,
          config.activation,
          config.init,
          config.batchnorm,
          config.residual,
        ],
      );
    }
  }
});
