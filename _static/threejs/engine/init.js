// Weight initializations, named as the book names them (src/gradbook/init.py), drawn from
// gradbook's shared generator, so a configuration and a seed name the same network in the book
// and in the lab. Each returns a fanIn x fanOut Matrix, since layers compute z = h W + b with
// the batch along the rows. The models (mlp.js, rnn.js) draw their parameters with these.
// No DOM; the one state kept is the cache of standard draws below.
import { SPEC } from '../spec.js';
import { Matrix } from './linalg.js';

export const NAMES = SPEC.names.init;
const PREFIX = SPEC.normalPrefix; // "normal:" of "normal:STD"

/** ['normal', std] for "normal:STD", else [name, null]; a clear error for anything else. */
export function parseInit(name) {
  if (typeof name !== 'string')
    throw new TypeError(`init must be a string, one of ${NAMES.join(', ')}`);
  if (name.startsWith(PREFIX)) {
    const text = name.slice(PREFIX.length);
    const std = text.trim() === '' ? NaN : Number(text);
    if (!(Number.isFinite(std) && std > 0)) {
      throw new RangeError(
        `init ${JSON.stringify(name)}: the part after 'normal:' must be a positive number, as in 'normal:0.01'`,
      );
    }
    return ['normal', std];
  }
  if (!NAMES.slice(1).includes(name)) {
    throw new RangeError(
      `unknown init ${JSON.stringify(name)}: allowed values are ${NAMES.join(', ')}`,
    );
  }
  return [name, null];
}

/** The standard deviation of the weights `name` draws for a fanIn x fanOut layer. */
export function stdOf(name, fanIn, fanOut) {
  const [kind, std] = parseInit(name);
  if (kind === 'normal') return std;
  if (kind === 'standard') return 1 / Math.sqrt(3 * fanIn);
  if (kind === 'xavier' || kind === 'xavier-uniform') return Math.sqrt(2 / (fanIn + fanOut));
  return Math.sqrt(2 / fanIn); // he
}

// The lab draws a network afresh at every change of a control, and most changes (the weight
// scale, the scheme, the activation, batch norm) keep the stream of draws: the same seed, the
// same place in it, the same count. Those standard draws (unit normals, or uniforms in [0, 1))
// are kept, so that drawing again costs a multiply per weight instead of a logarithm and a
// cosine (13 of a 50 x 64 network's 60 ms). The weights are bit-identical to a fresh draw:
// loc + scale * z, with loc 0, as Generator.normal computes them.
export const CACHE_FLOATS = 1 << 21; // 16 MB at most; the oldest draws are dropped first
const cache = new Map(); // key -> { draws, words }, least recently used first
let cachedFloats = 0;

/** How many draws are kept now (at most CACHE_FLOATS). */
export function cachedFloatCount() {
  return cachedFloats;
}

/**
 * n standard draws of `kind` ('normal' or 'uniform') from rng, as rng would draw them now, and
 * rng advanced past them. The array may be a kept one: read it, never change it.
 */
export function standardDraws(kind, n, rng) {
  const key = `${kind} ${rng.seed} ${rng.counter} ${n}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    rng.skip(hit.words);
    return hit.draws;
  }
  const start = rng.counter;
  const draws = kind === 'normal' ? rng.normal(0, 1, n) : rng.random(n);
  cache.set(key, { draws, words: rng.counter - start });
  cachedFloats += n;
  for (const [k, entry] of cache) {
    if (cachedFloats <= CACHE_FLOATS) break;
    cache.delete(k);
    cachedFloats -= entry.draws.length;
  }
  return draws;
}

/** A fanIn x fanOut weight matrix drawn with the initialization called `name`. */
export function weights(name, fanIn, fanOut, rng) {
  const [kind] = parseInit(name);
  const std = stdOf(name, fanIn, fanOut);
  const n = fanIn * fanOut;
  const out = new Float64Array(n);
  if (kind === 'standard' || kind === 'xavier-uniform') {
    const limit = Math.sqrt(3) * std;
    const u = standardDraws('uniform', n, rng);
    for (let j = 0; j < n; j++) out[j] = -limit + (limit - -limit) * u[j]; // Generator.uniform
  } else {
    const z = standardDraws('normal', n, rng);
    for (let j = 0; j < n; j++) out[j] = 0 + std * z[j]; // Generator.normal's loc + scale * z
  }
  return new Matrix(fanIn, fanOut, out);
}
