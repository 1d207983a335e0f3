// Dense float64 matrices for the engine: row-major Float64Array, batch along the rows, as
// numpy's (batch, units) arrays. Only what the simulator needs: products (plain, with either
// side transposed), column sums, and a Householder QR for the RNN's orthogonal matrix.
// Pure module: imports nothing from three.

/** A rows x cols matrix; `data` is row-major and owned by the matrix. */
export class Matrix {
  constructor(rows, cols, data = new Float64Array(rows * cols)) {
    if (data.length !== rows * cols) {
      throw new RangeError(`a ${rows} x ${cols} matrix needs ${rows * cols} numbers, got ${data.length}`);
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

// The loops keep the arrays in locals and walk rows contiguously: V8 then runs them at close to
// a multiply-add per cycle. Summation runs in k order, as a plain dot product would.

/** a @ b */
export function matmul(a, b) {
  checkInner(a.cols, b.rows, 'matmul');
  const { rows: m, cols: kk } = a;
  const n = b.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let k = 0; k < kk; k++) {
      const aik = ad[i * kk + k];
      const row = k * n;
      for (let j = 0; j < n; j++) out[o + j] += aik * bd[row + j];
    }
  }
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
    for (let i = 0; i < m; i++) {
      const ati = ad[t * m + i];
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j] += ati * bd[row + j];
    }
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
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += ad[ai + t] * bd[bj + t];
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
  if (a.cols !== n) throw new RangeError(`qrPositive needs a square matrix, got ${a.rows} x ${a.cols}`);
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
