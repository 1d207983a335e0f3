// gradbook's own seeded generator: the JavaScript twin of src/gradbook/random.py.
//
// The algorithm is specified in that module's docstring; in short: a counter-based stream of
// 32-bit words, word i = mix(mix(i ^ k0) + k1) with the key (k0, k1) from the seed; uniforms
// from two words (53 bits), normals by Box-Muller from four words (cosine only), integers by
// rejection (no modulo bias). Words and uniforms are bit-identical to Python's; normals may
// differ by an ulp or so because Math.log and Math.cos round differently from glibc and numpy.
// Pure module: no DOM, so node --test checks it and a Web Worker can use it.
import { SPEC } from '../spec.js';

export const MAX_SEED = SPEC.random.maxSeed; // 2**53 - 1: every seed a JavaScript number holds
export const WORDS_PER_STREAM = SPEC.random.wordsPerStream; // 2**32

/** The 32-bit hash of random.py (two multiply rounds), on an unsigned 32-bit integer. */
export function mix(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

function shapeSize(size) {
  const dims = typeof size === 'number' ? [size] : size;
  if (!Array.isArray(dims) || !dims.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new TypeError(`size must be a non-negative integer or an array of them, got ${size}`);
  }
  return dims.reduce((a, b) => a * b, 1);
}

export class Generator {
  /** A stream for `seed`, an integer from 0 to 2**53 - 1. */
  constructor(seed = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`seed must be an integer from 0 to 2**53 - 1, got ${seed}`);
    }
    this.seed = seed;
    const lo = seed % WORDS_PER_STREAM;
    const hi = Math.floor(seed / WORDS_PER_STREAM);
    const k0 = mix((lo ^ 0x9e3779b9) >>> 0);
    const k1 = mix((hi ^ k0 ^ 0x85ebca6b) >>> 0);
    this.k0 = k0;
    this.k1 = k1;
    this.counter = 0; // index of the next unused word
  }

  /** Word i of this seed's stream (does not advance). */
  wordAt(i) {
    return mix((mix((i ^ this.k0) >>> 0) + this.k1) >>> 0);
  }

  /** The next n words as a Uint32Array, advancing past them. */
  words(n) {
    const first = this.counter;
    this.skip(n);
    const out = new Uint32Array(n);
    for (let j = 0; j < n; j++) out[j] = this.wordAt(first + j);
    return out;
  }

  /** Advance past the next n words without computing them (their draws are known already). */
  skip(n) {
    if (this.counter + n > WORDS_PER_STREAM) {
      throw new RangeError(
        `this seed's stream holds 2**32 words and ${this.counter} are used: ${n} more do not fit`,
      );
    }
    this.counter += n;
  }

  /** n uniform floats in [0, 1), each from two words. */
  random(size) {
    const n = shapeSize(size);
    const w = this.words(2 * n);
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      out[j] = ((w[2 * j] >>> 5) * 67108864 + (w[2 * j + 1] >>> 6)) / 9007199254740992;
    }
    return out;
  }

  /** Uniform floats in [low, high): low + (high - low) * u. */
  uniform(low, high, size) {
    const u = this.random(size);
    for (let j = 0; j < u.length; j++) u[j] = low + (high - low) * u[j];
    return u;
  }

  /** Normal floats, mean loc and standard deviation scale (Box-Muller, cosine only). */
  normal(loc, scale, size) {
    const n = shapeSize(size);
    const u = this.random(2 * n);
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const z = Math.sqrt(-2 * Math.log(1 - u[2 * j])) * Math.cos(2 * Math.PI * u[2 * j + 1]);
      out[j] = loc + scale * z;
    }
    return out;
  }

  /** Integers in [low, high), by rejection: no modulo bias. Returns an Int32Array or Float64Array. */
  integers(low, high, size) {
    const k = high - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || k < 1 || k > WORDS_PER_STREAM) {
      throw new RangeError(
        `integers needs integers with 1 <= high - low <= 2**32, got [${low}, ${high})`,
      );
    }
    const n = shapeSize(size);
    const limit = Math.floor(WORDS_PER_STREAM / k) * k;
    const out = new Float64Array(n);
    let have = 0;
    while (have < n) {
      if (this.counter >= WORDS_PER_STREAM) throw new RangeError("this seed's stream is used up");
      const w = this.wordAt(this.counter++);
      if (w < limit) out[have++] = low + (w % k);
    }
    return out;
  }
}
