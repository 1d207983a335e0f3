// The lab's configuration <-> the page URL's hash, with keys named like the command line's
// options: #depth=20&width=16&activation=sigmoid&init=xavier&batchnorm=0&residual=0&
// batch-size=64&seed=0, plus init=normal:0.3, lr, momentum, loss, and for the RNN model=rnn&
// steps=40&rho=1.1&rnn-activation=tanh&clip-norm=1 (width is then the number of hidden units).
//
// A bad value never breaks the page: that key falls back to its default and the parse returns
// one clear message naming what is allowed. Pure module: no DOM, no three.

import { MIN_BATCHNORM_BATCH } from '../engine/model.js';

const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'];
const INITS = ['standard', 'xavier', 'xavier-uniform', 'he'];
export const NORMAL_STD = { min: 0.01, max: 10 }; // the weight-scale knob's range (log axis)
export const MAX_SEED = 2 ** 32 - 1; // as the CLI's --seed

/** Every key, its default, and how to read it: what the controls offer, as ranges. */
export const KEYS = {
  model: { default: 'mlp', choices: ['mlp', 'rnn'] },
  depth: { default: 12, int: [1, 50] },
  width: { default: 16, int: [2, 64] },
  activation: { default: 'tanh', choices: ACTIVATIONS },
  init: { default: 'xavier', init: true },
  batchnorm: { default: false, bool: true },
  residual: { default: false, bool: true },
  loss: { default: 'cross_entropy', choices: ['cross_entropy', 'mse'] },
  lr: { default: 0.1, number: [0, 10], open: 'low' }, // 0 < lr <= 10
  momentum: { default: 0.9, number: [0, 1], open: 'high' }, // 0 <= momentum < 1
  'batch-size': { default: 64, int: [1, 256] },
  seed: { default: 0, int: [0, MAX_SEED] },
  steps: { default: 40, int: [1, 200] },
  rho: { default: 1.1, number: [0.5, 1.5] },
  'rnn-activation': { default: 'tanh', choices: ['tanh', 'linear'] },
  'clip-norm': { default: null, clip: true }, // null: no clipping ("off" in the hash)
};

const MLP_KEYS = ['depth', 'width', 'activation', 'init', 'batchnorm', 'residual'];
const RNN_KEYS = ['model', 'steps', 'width', 'rho', 'rnn-activation', 'clip-norm'];
const SHARED_KEYS = ['loss', 'lr', 'momentum', 'batch-size', 'seed'];

/** The default configuration: one value per key. */
export function defaults() {
  return Object.fromEntries(Object.entries(KEYS).map(([k, spec]) => [k, spec.default]));
}

function allowedText(key) {
  const spec = KEYS[key];
  if (spec.choices) return `one of ${spec.choices.join(', ')}`;
  if (spec.int) return `an integer from ${spec.int[0]} to ${spec.int[1]}`;
  if (spec.bool) return '0 or 1';
  if (spec.init) {
    return `one of ${INITS.join(', ')}, or normal:STD with STD from ${NORMAL_STD.min} to ${NORMAL_STD.max}`;
  }
  if (spec.clip) return 'off or a number greater than 0';
  const [lo, hi] = spec.number;
  const low = spec.open === 'low' ? `greater than ${lo}` : `from ${lo}`;
  const high = spec.open === 'high' ? `below ${hi}` : `up to ${hi}`;
  return `a number ${low} and ${high}`;
}

// A decimal number written plainly (no hex, no empty string, no "Infinity").
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function readNumber(text) {
  return NUMBER.test(text) ? Number(text) : NaN;
}

/** The value of `key` read from `text`, or undefined if it is not allowed. */
function readValue(key, text) {
  const spec = KEYS[key];
  if (spec.choices) return spec.choices.includes(text) ? text : undefined;
  if (spec.bool) return text === '1' ? true : text === '0' ? false : undefined;
  if (spec.int) {
    const v = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(v) && v >= spec.int[0] && v <= spec.int[1] ? v : undefined;
  }
  if (spec.init) {
    if (INITS.includes(text)) return text;
    if (!text.startsWith('normal:')) return undefined;
    const std = readNumber(text.slice('normal:'.length));
    return std >= NORMAL_STD.min && std <= NORMAL_STD.max ? text : undefined;
  }
  if (spec.clip) {
    if (text === 'off') return null;
    const v = readNumber(text);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  }
  const v = readNumber(text);
  const [lo, hi] = spec.number;
  const okLow = spec.open === 'low' ? v > lo : v >= lo;
  const okHigh = spec.open === 'high' ? v < hi : v <= hi;
  return Number.isFinite(v) && okLow && okHigh ? v : undefined;
}

function show(value) {
  if (value === null) return 'off';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/**
 * Read a hash ("#depth=20&..." or without the "#"). Returns { config, messages }: config has
 * every key (defaults where the hash is silent or wrong), messages one sentence per problem.
 */
export function parseHash(hash) {
  const config = defaults();
  const messages = [];
  const text = String(hash ?? '').replace(/^#/, '');
  const seen = new Set();
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key;
    let raw;
    try {
      key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
      raw = eq === -1 ? null : decodeURIComponent(part.slice(eq + 1));
    } catch {
      messages.push(`"${part}" is not valid URL text; it was ignored.`);
      continue;
    }
    if (!(key in KEYS)) {
      messages.push(
        `Unknown setting "${key}" was ignored; the lab's settings are ${Object.keys(KEYS).join(', ')}.`,
      );
      continue;
    }
    if (seen.has(key)) messages.push(`"${key}" is given more than once; the last value counts.`);
    seen.add(key);
    const value = raw === null ? undefined : readValue(key, raw);
    if (value === undefined) {
      const what = raw === null ? `${key} has no value` : `${key}=${raw} is not allowed`;
      messages.push(
        `${what}: ${key} must be ${allowedText(key)}; using the default, ${show(KEYS[key].default)}.`,
      );
      config[key] = KEYS[key].default;
      continue;
    }
    config[key] = value;
  }
  if (config.model === 'mlp' && config.batchnorm && config['batch-size'] < MIN_BATCHNORM_BATCH) {
    const fallback = KEYS['batch-size'].default;
    messages.push(
      `batch-size: batch norm needs at least ${MIN_BATCHNORM_BATCH} examples in a batch, got ${config['batch-size']}; using the default, ${fallback}.`,
    );
    config['batch-size'] = fallback;
  }
  return { config, messages };
}

/**
 * The lab configuration of one of the book's scenarios, from the `config` its payload carries
 * (the simulator's field names, training's with a train_ prefix): "Open this network in the
 * lab". Keys the lab has no control for keep the lab's defaults.
 */
export function fromScenario(config) {
  const c = { ...defaults(), seed: config.seed, loss: config.loss };
  c.lr = config.train_lr;
  c.momentum = config.train_momentum;
  c['batch-size'] = config.train_batch_size;
  if (config.kind === 'rnn') {
    Object.assign(c, { model: 'rnn', steps: config.steps, width: config.hidden, rho: config.rho });
    c['rnn-activation'] = config.activation;
    c['clip-norm'] = config.train_clip_norm ?? null;
  } else {
    Object.assign(c, { depth: config.depth, width: config.width, activation: config.activation });
    Object.assign(c, { init: config.init, batchnorm: config.batchnorm, residual: config.residual });
  }
  return c;
}

/** The hash for a configuration: the keys its model uses, in a fixed order, with "#". */
export function writeHash(config) {
  const keys =
    config.model === 'rnn' ? [...RNN_KEYS, ...SHARED_KEYS] : [...MLP_KEYS, ...SHARED_KEYS];
  // ':' may stand in a fragment as it is (RFC 3986), so init=normal:0.3 reads as it is typed.
  const parts = keys.map((k) => `${k}=${encodeURIComponent(show(config[k])).replace(/%3A/g, ':')}`);
  return `#${parts.join('&')}`;
}

/**
 * The engine's inputs for a configuration: { config (the simulator's field names, with its
 * kind: engine/model.js), training, seed, batchSize }.
 */
export function toEngine(c) {
  const training = { lr: c.lr, momentum: c.momentum, clip_norm: null, clip_value: null };
  const shared = { input_dim: c.model === 'rnn' ? 1 : 2, output_dim: 2, loss: c.loss };
  if (c.model === 'rnn') {
    return {
      config: {
        kind: 'rnn',
        steps: c.steps,
        hidden: c.width,
        activation: c['rnn-activation'],
        rho: c.rho,
        ...shared,
      },
      training: { ...training, clip_norm: c['clip-norm'] },
      seed: c.seed,
      batchSize: c['batch-size'],
    };
  }
  return {
    config: {
      kind: 'mlp',
      depth: c.depth,
      width: c.width,
      activation: c.activation,
      init: c.init,
      batchnorm: c.batchnorm,
      residual: c.residual,
      leaky_slope: 0.01,
      bn_eps: 1e-5,
      ...shared,
    },
    training,
    seed: c.seed,
    batchSize: c['batch-size'],
  };
}
