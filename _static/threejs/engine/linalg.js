// Dense float64 matrices for the engine: row-major Float64Array, batch along the rows, as
// numpy's (batch, units) arrays. Only what the simulator needs: products (plain, with either
// side transposed), column sums, and a Householder QR for the RNN's orthogonal matrix.
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

// The products keep their arrays in locals and handle four output rows (or columns) per pass,
// so each loaded entry is used four times: three times faster in V8 than the plain loops, and
// bit-identical to them, since every output entry still sums its terms in the same order.

/** out[o + j] += s * src[row + j] for four (o, s) pairs at once, j < n. */
function axpy4(out, o0, o1, o2, o3, s0, s1, s2, s3, src, row, n) {
  for (let j = 0; j < n; j++) {
    const v = src[row + j];
    out[o0 + j] += s0 * v;
    out[o1 + j] += s1 * v;
    out[o2 + j] += s2 * v;
    out[o3 + j] += s3 * v;
  }
}

function axpy1(out, o, s, src, row, n) {
  for (let j = 0; j < n; j++) out[o + j] += s * src[row + j];
}

/** a @ b */
export function matmul(a, b) {
  checkInner(a.cols, b.rows, 'matmul');
  const { rows: m, cols: kk } = a;
  const n = b.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(m * n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r = i * kk;
    for (let k = 0; k < kk; k++) {
      const s0 = ad[r + k];
      const s1 = ad[r + kk + k];
      const s2 = ad[r + 2 * kk + k];
      const s3 = ad[r + 3 * kk + k];
      axpy4(out, i * n, (i + 1) * n, (i + 2) * n, (i + 3) * n, s0, s1, s2, s3, bd, k * n, n);
    }
  }
  for (; i < m; i++) for (let k = 0; k < kk; k++) axpy1(out, i * n, ad[i * kk + k], bd, k * n, n);
  return new Matrix(m, n, out);
}

/** a.T @ b: how dL/dW = h.T @ dz is formed without building the transpose. */
export function matmulTA(a, b) {
  checkInner(a.rows, b.rows, 'matmulTA');
  const { rows: r, cols: m } = a;
  const n = b.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(m * n);
  for (let t = 0; t < r; t++) {
    const row = t * n;
    const at = t * m;
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const s0 = ad[at + i];
      const s1 = ad[at + i + 1];
      const s2 = ad[at + i + 2];
      const s3 = ad[at + i + 3];
      axpy4(out, i * n, (i + 1) * n, (i + 2) * n, (i + 3) * n, s0, s1, s2, s3, bd, row, n);
    }
    for (; i < m; i++) axpy1(out, i * n, ad[at + i], bd, row, n);
  }
  return new Matrix(m, n, out);
}

/** a @ b.T: how dL/dh = dz @ W.T is formed. */
export function matmulBT(a, b) {
  checkInner(a.cols, b.cols, 'matmulBT');
  const { rows: m, cols: k } = a;
  const n = b.rows;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < k; t++) {
        const v = ad[ai + t];
        s0 += v * bd[b0 + t];
        s1 += v * bd[b1 + t];
        s2 += v * bd[b2 + t];
        s3 += v * bd[b3 + t];
      }
      out[i * n + j] = s0;
      out[i * n + j + 1] = s1;
      out[i * n + j + 2] = s2;
      out[i * n + j + 3] = s3;
    }
    for (; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += ad[ai + t] * bd[j * k + t];
      out[i * n + j] = s;
    }
  }
  return new Matrix(m, n, out);
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

/** rnn.scaled_orthogonal: rho times the orthogonal factor of an n x n standard normal matrix. */
export function scaledOrthogonal(n, rho, rng) {
  const { q } = qrPositive(new Matrix(n, n, rng.normal(0, 1, n * n)));
  for (let i = 0; i < q.data.length; i++) q.data[i] *= rho;
  return q;
}
