// Norms and spreads exactly as the simulator takes them (src/gradbook/trace.py, train.py).
// Pure module.

/** The values of a parameter or gradient: a Matrix's data or the Float64Array itself. */
export function valuesOf(x) {
  return x.data !== undefined ? x.data : x;
}

/** Sums of squares inside these bounds lost nothing to overflow or to underflow of the whole
 * (trace._PLAIN_SUM). */
const PLAIN_SUM = [1e-280, 1e280];

/**
 * The 2-norm of all entries, as trace.norm takes it: the plain sum of squares first (one pass,
 * no division: a trace takes a hundred norms), and only when that sum overflowed or is so small
 * that entries may have underflowed, again with every entry scaled by the largest, so entries
 * near 1e300 stay finite. Overflow is data: inf stays inf, and any NaN makes the norm NaN.
 */
export function norm(x) {
  const v = valuesOf(x);
  if (v.length === 0) return 0;
  let plain = 0;
  for (let i = 0; i < v.length; i++) plain += v[i] * v[i];
  if (plain > PLAIN_SUM[0] && plain < PLAIN_SUM[1]) return Math.sqrt(plain);
  let biggest = -Infinity;
  let anyNaN = false;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (Number.isNaN(a)) anyNaN = true;
    else if (a > biggest) biggest = a;
  }
  if (anyNaN) return NaN; // np.max returns NaN when any entry is NaN
  if (!Number.isFinite(biggest) || biggest === 0) return biggest;
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]) / biggest;
    s += a * a;
  }
  return biggest * Math.sqrt(s);
}

/** The norm of every gradient taken together as one vector (trace.global_norm), in key order. */
export function globalNorm(grads) {
  return norm(Float64Array.from(Object.values(grads), norm));
}

// The loops here index their arrays: for...of over a typed array is three times slower in V8,
// and a training step of the lab's 50 x 64 network takes a hundred of these over its weights.

/** numpy's std over all entries (population: divides by n). */
export function std(x) {
  const v = valuesOf(x);
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - mean) * (v[i] - mean);
  return Math.sqrt(ss / n);
}

export function allFinite(x) {
  const v = valuesOf(x);
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
