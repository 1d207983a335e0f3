// Shared by the engine's tests: reading fixtures and comparing float64 arrays.
import assert from 'node:assert/strict';
import { SPEC } from '../../../_static/threejs/spec.js';

// The fixtures spell inf and NaN as a payload does ("inf", "-inf", "nan").
const WORD = SPEC.payload.nonFinite;
const SPECIAL = { [WORD.inf]: Infinity, [WORD.minusInf]: -Infinity, [WORD.nan]: NaN };

/** The fixture with its "inf" / "-inf" / "nan" strings turned back into numbers. */
export function decode(value) {
  if (typeof value === 'string' && value in SPECIAL) return SPECIAL[value];
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

/** A nested list flattened in row-major order (numpy's ravel). */
export function flat(value) {
  return Array.isArray(value) ? value.flat(Infinity) : [value];
}

/** Relative error of a against b; NaN and infinities must match exactly (error 0 or Infinity). */
export function relError(a, b, atol = 0) {
  if (Number.isNaN(b) || !Number.isFinite(b)) return Object.is(a, b) || a === b ? 0 : Infinity;
  if (!Number.isFinite(a)) return Infinity;
  const diff = Math.abs(a - b);
  if (diff <= atol) return 0;
  return diff / Math.abs(b);
}

/** Every entry of actual within rtol of expected (or within atol absolutely); NaN/inf exact. */
export function assertClose(actual, expected, rtol, atol = 0, what = 'value') {
  const a = Array.from(actual);
  const e =
    Array.isArray(expected) || ArrayBuffer.isView(expected) ? Array.from(expected) : [expected];
  assert.equal(a.length, e.length, `${what}: ${a.length} numbers, expected ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    const err = relError(a[i], e[i], atol);
    assert.ok(err <= rtol, `${what}[${i}]: got ${a[i]}, expected ${e[i]} (relative error ${err})`);
  }
}
