// The lab's configuration <-> the page URL's hash, with keys named like the command line's
// options: #depth=20&width=16&activation=sigmoid&init=xavier&batchnorm=0&residual=0&
// batch-size=64&seed=0, plus init=normal:0.3, lr, momentum, loss, and for the RNN model=rnn&
// steps=40&rho=1.1&rnn-activation=tanh&clip-norm=1 (width is then the number of hidden units).
// Names are read as the command line reads them (any case, "-" or "_": activation=Leaky-ReLU)
// and written back in their canonical spelling. The keys, their defaults and ranges are the
// shared SPEC's (src/gradbook/spec.py). At the scene's level, not the lab's, because a chapter's
// scene writes "Open this network in the lab" links with it too.
//
// A bad value never breaks the page: that key falls back to its default and the parse returns
// one clear message naming what is allowed. Pure module: no DOM, no three.

import { canonical } from './names.js';
import { SPEC } from './spec.js';

const PREFIX = SPEC.normalPrefix; // "normal:" of "normal:STD"
/** The inits by name; "normal:STD" aside. */
export const INITS = SPEC.names.init.filter((name) => !name.startsWith(PREFIX));
const MIN_BATCHNORM_BATCH = SPEC.limits.minBatchnormBatch;
export const NORMAL_STD = SPEC.lab.normalStd; // the weight-scale knob's range (log axis)

/** Every key, its default, and how to read it: what the controls offer, as ranges. */
export const KEYS = SPEC.lab.keys;

// What a message repeats of the link: enough to recognize it, never the page's width.
const ECHO_CHARS = 40;

/** `text` as a message quotes it: its first ECHO_CHARS characters and "…" if it is longer. */
export function echo(text) {
  const chars = Array.from(String(text));
  return chars.length > ECHO_CHARS ? `${chars.slice(0, ECHO_CHARS).join('')}…` : chars.join('');
}

const { mlp: MLP_KEYS, rnn: RNN_KEYS, shared: SHARED_KEYS } = SPEC.lab.order;

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
    return `one of ${INITS.join(', ')}, or ${PREFIX}STD with STD from ${NORMAL_STD.min} to ${NORMAL_STD.max}`;
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
  if (spec.choices) return canonical(text, spec.choices);
  if (spec.bool) return text === '1' ? true : text === '0' ? false : undefined;
  if (spec.int) {
    const v = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(v) && v >= spec.int[0] && v <= spec.int[1] ? v : undefined;
  }
  if (spec.init) {
    // As init.canonical: "Normal:0.3" is normal:0.3, the number kept as written.
    if (!text.toLowerCase().startsWith(PREFIX)) return canonical(text, INITS);
    const std = text.slice(PREFIX.length);
    const v = readNumber(std);
    return v >= NORMAL_STD.min && v <= NORMAL_STD.max ? `${PREFIX}${std}` : undefined;
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
      messages.push(`"${echo(part)}" is not valid URL text; it was ignored.`);
      continue;
    }
    if (!(key in KEYS)) {
      messages.push(
        `Unknown setting "${echo(key)}" was ignored; the lab's settings are ${Object.keys(KEYS).join(', ')}.`,
      );
      continue;
    }
    if (seen.has(key)) messages.push(`"${key}" is given more than once; the last value counts.`);
    seen.add(key);
    const value = raw === null ? undefined : readValue(key, raw);
    if (value === undefined) {
      const what = raw === null ? `${key} has no value` : `${key}=${echo(raw)} is not allowed`;
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
  const fixed = SPEC.defaults[c.model]; // what the lab has no control for: the simulator's defaults
  const shared = { input_dim: fixed.input_dim, output_dim: fixed.output_dim, loss: c.loss };
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
      leaky_slope: fixed.leaky_slope,
      bn_eps: fixed.bn_eps,
      ...shared,
    },
    training,
    seed: c.seed,
    batchSize: c['batch-size'],
  };
}
