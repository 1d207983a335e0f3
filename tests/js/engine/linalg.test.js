import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Matrix, matmul, matmulBT, matmulTA } from '../../../_static/threejs/engine/linalg.js';
import { Generator } from '../../../_static/threejs/engine/random.js';

/** out[i][j] = sum over k of A(i, k) B(k, j), summed in the order of k: the reference. */
function plain(m, n, kk, A, B) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < kk; k++) s += A(i, k) * B(k, j);
      out[i * n + j] = s;
    }
  return out;
}

const g = new Generator(7);
const random = (rows, cols) => new Matrix(rows, cols, g.normal(0, 1, rows * cols));

// Sizes that leave every remainder of the 4 x 4 and 2 x 4 blocks: rows and columns of 1 to 9.
const SHAPES = [];
for (const m of [1, 2, 3, 4, 5, 6, 7, 9])
  for (const n of [1, 3, 4, 5, 8, 9]) for (const k of [1, 2, 7]) SHAPES.push([m, n, k]);

test('the blocked products are bit-identical to plain loops, for every block remainder', () => {
  for (const [m, n, k] of SHAPES) {
    const a = random(m, k);
    const b = random(k, n);
    assert.deepEqual(
      matmul(a, b).data,
      plain(
        m,
        n,
        k,
        (i, x) => a.get(i, x),
        (x, j) => b.get(x, j),
      ),
      `a @ b, ${m} x ${k} @ ${k} x ${n}`,
    );
    const at = random(k, m); // a.T @ b: at is k x m
    assert.deepEqual(
      matmulTA(at, b).data,
      plain(
        m,
        n,
        k,
        (i, x) => at.get(x, i),
        (x, j) => b.get(x, j),
      ),
      `a.T @ b, ${m} x ${n}`,
    );
    const bt = random(n, k); // a @ b.T: bt is n x k
    assert.deepEqual(
      matmulBT(a, bt).data,
      plain(
        m,
        n,
        k,
        (i, x) => a.get(i, x),
        (x, j) => bt.get(j, x),
      ),
      `a @ b.T, ${m} x ${n}`,
    );
  }
});

test('products of mismatched sizes say which sizes differ', () => {
  assert.throws(() => matmul(random(2, 3), random(4, 2)), /matmul: inner sizes differ \(3 vs 4\)/);
  assert.throws(() => matmulTA(random(2, 3), random(4, 2)), /matmulTA: inner sizes differ/);
  assert.throws(() => matmulBT(random(2, 3), random(4, 2)), /matmulBT: inner sizes differ/);
});
