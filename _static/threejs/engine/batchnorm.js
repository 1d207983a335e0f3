// Batch normalization in training mode (src/gradbook/batchnorm.py): forward, and the exact
// backward through the batch mean and variance. Pure module.
import { Matrix } from './linalg.js';

/** y = gamma (z - mean_B) / sqrt(var_B + eps) + beta, and the cache backward needs. */
export function forward(z, gamma, beta, eps) {
  const { rows: n, cols: m } = z;
  const mean = new Float64Array(m);
  const v = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += z.data[i * m + j];
  for (let j = 0; j < m; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = z.data[i * m + j] - mean[j];
      v[j] += c * c;
    }
  }
  const invStd = new Float64Array(m);
  for (let j = 0; j < m; j++) invStd[j] = 1 / Math.sqrt(v[j] / n + eps);
  const zHat = new Float64Array(n * m);
  const y = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const t = (z.data[i * m + j] - mean[j]) * invStd[j];
      zHat[i * m + j] = t;
      y[i * m + j] = gamma[j] * t + beta[j];
    }
  }
  return { y: new Matrix(n, m, y), cache: { zHat, invStd, gamma, n, m } };
}

/** dL/dz, dL/dgamma and dL/dbeta from dL/dy, through the batch statistics. */
export function backward(dy, cache) {
  const { zHat, invStd, gamma, n, m } = cache;
  const dgamma = new Float64Array(m);
  const dbeta = new Float64Array(m);
  const sumD = new Float64Array(m);
  const sumDZ = new Float64Array(m);
  const dzHat = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      const g = dy.data[k];
      dgamma[j] += g * zHat[k];
      dbeta[j] += g;
      dzHat[k] = g * gamma[j];
      sumD[j] += dzHat[k];
      sumDZ[j] += dzHat[k] * zHat[k];
    }
  }
  const dz = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      dz[k] = (invStd[j] / n) * (n * dzHat[k] - sumD[j] - zHat[k] * sumDZ[j]);
    }
  }
  return { dz: new Matrix(n, m, dz), dgamma, dbeta };
}
