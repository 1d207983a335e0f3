// Dense float64 matrices for the engine: row-major Float64Array, batch along the rows, as
// numpy's (batch, units) arrays. Only what the simulator needs: products (plain, with either
// side transposed), column sums, and a Householder QR for the RNN's orthogonal matrix (rnn.js).
// Pure module: imports nothing from three.

/** A rows x cols matrix; `data` is row-major and owned by the matrix. */
export class Matrix {
  constructor(rows, cols, data = new Float64Array(rows * cols)) {
    if (data.length !== rows * cols) {
      throw new RangeError(
        `a ${rows} x ${cols} matrix needs ${rows * cols} numbers, got ${data.length}`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  static from(rows, cols, values) {
    return new Matrix(rows, cols, Float64Array.from(values));
  }

  get(i, j) {
    return this.data[i * this.cols + j];
  }

  clone() {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }
}

function checkInner(ka, kb, what) {
  if (ka !== kb) throw new RangeError(`${what}: inner sizes differ (${ka} vs ${kb})`);
}

// The three products share one kernel: each output entry is a dot product summed in a local,
// its terms in the order of the inner index, as the plain loops (and the earlier row-at-a-time
// kernels) sum them, so the results are bit-identical to those. It fills blocks of 4 rows x 4
// columns at a time, so each loaded entry serves four products: about three times faster in V8
// than a row at a time for the lab's 64-wide layers and its 512-example held-out set.

/** One dot product: sum over k of ad[pa + k ak] * bd[pb + k bk], k in order. */
function dot(ad, pa, ak, bd, pb, bk, kk) {
  let s = 0;
  for (let k = 0; k < kk; k++) {
    s += ad[pa] * bd[pb];
    pa += ak;
    pb += bk;
  }
  return s;
}

/**
 * The 4 x 4 block of out at (i, j): sixteen dot products summed side by side, each loaded entry
 * of A serving four of them and each of B four (about a fifth faster in V8 than 2 x 4 blocks at
 * the lab's 64 wide; more accumulators than this spill out of the registers). Rows and columns
 * left over are single dot products: at most three of each.
 */
function block44(out, n, kk, ad, ai, ak, bd, bk, bj, i, j) {
  let s00 = 0;
  let s01 = 0;
  let s02 = 0;
  let s03 = 0;
  let s10 = 0;
  let s11 = 0;
  let s12 = 0;
  let s13 = 0;
  let s20 = 0;
  let s21 = 0;
  let s22 = 0;
  let s23 = 0;
  let s30 = 0;
  let s31 = 0;
  let s32 = 0;
  let s33 = 0;
  let pa = i * ai;
  let pb = j * bj;
  for (let k = 0; k < kk; k++) {
    const a0 = ad[pa];
    const a1 = ad[pa + ai];
    const a2 = ad[pa + 2 * ai];
    const a3 = ad[pa + 3 * ai];
    const b0 = bd[pb];
    const b1 = bd[pb + bj];
    const b2 = bd[pb + 2 * bj];
    const b3 = bd[pb + 3 * bj];
    s00 += a0 * b0;
    s01 += a0 * b1;
    s02 += a0 * b2;
    s03 += a0 * b3;
    s10 += a1 * b0;
    s11 += a1 * b1;
    s12 += a1 * b2;
    s13 += a1 * b3;
    s20 += a2 * b0;
    s21 += a2 * b1;
    s22 += a2 * b2;
    s23 += a2 * b3;
    s30 += a3 * b0;
    s31 += a3 * b1;
    s32 += a3 * b2;
    s33 += a3 * b3;
    pa += ak;
    pb += bk;
  }
  let o = i * n + j;
  out[o] = s00;
  out[o + 1] = s01;
  out[o + 2] = s02;
  out[o + 3] = s03;
  o += n;
  out[o] = s10;
  out[o + 1] = s11;
  out[o + 2] = s12;
  out[o + 3] = s13;
  o += n;
  out[o] = s20;
  out[o + 1] = s21;
  out[o + 2] = s22;
  out[o + 3] = s23;
  o += n;
  out[o] = s30;
  out[o + 1] = s31;
  out[o + 2] = s32;
  out[o + 3] = s33;
}

/**
 * out (m x n, row-major): out[i][j] = sum over k < kk of A(i, k) B(k, j), with
 * A(i, k) = ad[i ai + k ak] and B(k, j) = bd[k bk + j bj]: strides say which side is transposed.
 */
function gemm(m, n, kk, ad, ai, ak, bd, bk, bj) {
  const out = new Float64Array(m * n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    let j = 0;
    for (; j + 3 < n; j += 4) block44(out, n, kk, ad, ai, ak, bd, bk, bj, i, j);
    for (; j < n; j++)
      for (let r = i; r < i + 4; r++) out[r * n + j] = dot(ad, r * ai, ak, bd, j * bj, bk, kk);
  }
  // The last rows (fewer than 4), one dot product at a time.
  for (; i < m; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = dot(ad, i * ai, ak, bd, j * bj, bk, kk);
  return out;
}

/** a @ b */
export function matmul(a, b) {
  checkInner(a.cols, b.rows, 'matmul');
  const { rows: m, cols: k } = a;
  return new Matrix(m, b.cols, gemm(m, b.cols, k, a.data, k, 1, b.data, b.cols, 1));
}

/** a.T @ b: how dL/dW = h.T @ dz is formed without building the transpose. */
export function matmulTA(a, b) {
  checkInner(a.rows, b.rows, 'matmulTA');
  const { rows: r, cols: m } = a;
  return new Matrix(m, b.cols, gemm(m, b.cols, r, a.data, 1, m, b.data, b.cols, 1));
}

/** a @ b.T: how dL/dh = dz @ W.T is formed. */
export function matmulBT(a, b) {
  checkInner(a.cols, b.cols, 'matmulBT');
  const { rows: m, cols: k } = a;
  return new Matrix(m, b.rows, gemm(m, b.rows, k, a.data, k, 1, b.data, 1, k));
}

/** Add the vector v (length cols) to every row of m, in place; returns m. */
export function addRow(m, v) {
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) m.data[i * m.cols + j] += v[j];
  }
  return m;
}

/** The sum over rows (the batch) of each column: numpy's m.sum(axis=0). */
export function colSum(m) {
  const out = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out[j] += m.data[i * m.cols + j];
  }
  return out;
}

/** Elementwise a + b as a new matrix. */
export function add(a, b) {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return new Matrix(a.rows, a.cols, out);
}

/**
 * Householder QR of a square matrix, with the sign fix that makes R's diagonal positive, so Q is
 * the unique orthogonal factor whatever algorithm computed it (LAPACK's, in numpy, included).
 */
export function qrPositive(a) {
  const n = a.rows;
  if (a.cols !== n)
    throw new RangeError(`qrPositive needs a square matrix, got ${a.rows} x ${a.cols}`);
  const r = a.data.slice();
  const vs = [];
  for (let k = 0; k < n; k++) {
    let norm2 = 0;
    for (let i = k; i < n; i++) norm2 += r[i * n + k] * r[i * n + k];
    const alpha = (r[k * n + k] > 0 ? -1 : 1) * Math.sqrt(norm2);
    const v = new Float64Array(n);
    for (let i = k; i < n; i++) v[i] = r[i * n + k];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    vs.push(vv > 0 ? v.map((x) => x / Math.sqrt(vv)) : null);
    const u = vs[k];
    if (u === null) continue; // the column below the diagonal is already zero
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let i = k; i < n; i++) s += u[i] * r[i * n + j];
      for (let i = k; i < n; i++) r[i * n + j] -= 2 * u[i] * s;
    }
  }
  // Q = H_0 H_1 ... H_{n-1}, applied to the identity from the right-most reflection inwards.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const u = vs[k];
    if (u === null) continue;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < n; i++) s += u[i] * q[i * n + j];
      for (let i = k; i < n; i++) q[i * n + j] -= 2 * u[i] * s;
    }
  }
  for (let k = 0; k < n; k++) {
    if (r[k * n + k] < 0) {
      for (let i = 0; i < n; i++) q[i * n + k] = -q[i * n + k];
      for (let j = k; j < n; j++) r[k * n + j] = -r[k * n + j];
    }
  }
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) r[i * n + j] = 0;
  return { q: new Matrix(n, n, q), r: new Matrix(n, n, r) };
}
