// The lab's live plots, drawn by hand: SVG line charts (loss, accuracy, update-to-data ratios)
// and a canvas strip of gradient sizes (layers x steps) on the book's fixed colour scale.
// Hand-written rather than a charting library: the three charts need a log axis, a shaded band
// and one marked step, which is about 150 lines here, against 40-60 KB gzipped for a general
// library that would also need theming to the book's colours. No three, no engine.
import { colorForMagnitude } from '../colorscale.js';
import { formatPowerOfTen } from '../format.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 320; // viewBox units; the SVG scales to its box
const H = 160;
const PAD = { left: 44, right: 8, top: 10, bottom: 26 };
const MAX_POINTS = 300; // per line: more would not show at this size and would cost time

/** Indices of at most `max` records spread evenly over n, always with the first and the last. */
export function sampleIndices(n, max = MAX_POINTS) {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}

/** Whole powers of ten from lo to hi (log10 values), at most about 5 of them. */
export function decadeTicks(lo, hi) {
  const stride = Math.max(1, Math.ceil((hi - lo) / 4));
  const ticks = [];
  for (let e = Math.ceil(lo); e <= hi; e += stride) ticks.push(e);
  return ticks;
}

function svgEl(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** An empty chart: <svg role="img"> with an accessible name, appended to `root`. */
export function makeChart(root, label) {
  const svg = svgEl('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'gradbook-lab-chart',
    role: 'img',
    'aria-label': label,
  });
  root.append(svg);
  return svg;
}

/**
 * Draw lines into `svg`. lines: [{ values: [y per step], cls }], all over the same steps
 * `steps` (x). log: a log10 y axis (non-positive and non-finite values leave gaps).
 * band: [lo, hi] shaded, in the axis's units as yRange is (exponents of ten on a log axis, so
 * a band of whole decades is exact); mark: a step drawn as a dashed line with its label.
 */
export function drawLines(
  svg,
  { steps, lines, log = false, yRange = null, band = null, mark = null },
) {
  const n = steps.length;
  const idx = sampleIndices(n);
  const f = log ? (v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : NaN) : (v) => v;
  let lo = Infinity;
  let hi = -Infinity;
  if (yRange) [lo, hi] = yRange;
  else {
    for (const line of lines)
      for (const i of idx) {
        const y = f(line.values[i]);
        if (Number.isFinite(y)) {
          lo = Math.min(lo, y);
          hi = Math.max(hi, y);
        }
      }
    if (band) {
      lo = Math.min(lo, band[0]);
      hi = Math.max(hi, band[1]);
    }
    if (!Number.isFinite(lo)) [lo, hi] = log ? [-3, 0] : [0, 1];
    if (log) [lo, hi] = [Math.floor(lo), Math.ceil(hi)];
    if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
  }
  const x0 = n ? steps[0] : 0;
  const x1 = Math.max(x0 + 1, n ? steps[n - 1] : 1);
  const X = (s) => PAD.left + ((s - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const Y = (y) => H - PAD.bottom - ((y - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const parts = [];
  if (band) {
    const [b0, b1] = band;
    const top = Y(Math.min(hi, b1));
    parts.push(
      svgEl('rect', {
        class: 'gradbook-lab-band',
        x: PAD.left,
        y: top,
        width: W - PAD.left - PAD.right,
        height: Math.max(0, Y(Math.max(lo, b0)) - top),
      }),
    );
  }
  const ticks = log ? decadeTicks(lo, hi) : [lo, (lo + hi) / 2, hi];
  for (const t of ticks) {
    parts.push(
      svgEl('line', {
        class: 'gradbook-lab-grid',
        x1: PAD.left,
        x2: W - PAD.right,
        y1: Y(t),
        y2: Y(t),
      }),
    );
    const label = svgEl('text', {
      class: 'gradbook-lab-tick',
      x: PAD.left - 4,
      y: Y(t) + 3,
      'text-anchor': 'end',
    });
    label.textContent = log ? formatPowerOfTen(t) : String(Number(t.toFixed(2)));
    parts.push(label);
  }
  for (const [s, anchor] of [
    [x0, 'start'],
    [x1, 'end'],
  ]) {
    const label = svgEl('text', {
      class: 'gradbook-lab-tick',
      x: X(s),
      y: H - 8,
      'text-anchor': anchor,
    });
    label.textContent = `step ${s}`;
    parts.push(label);
  }
  for (const line of lines) {
    let d = '';
    let pen = false;
    for (const i of idx) {
      const y = f(line.values[i]);
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${X(steps[i]).toFixed(1)} ${Y(Math.min(hi, Math.max(lo, y))).toFixed(1)}`;
      pen = true;
    }
    if (d) parts.push(svgEl('path', { class: `gradbook-lab-line ${line.cls ?? ''}`, d }));
  }
  if (mark != null) {
    const x = X(mark);
    parts.push(
      svgEl('line', { class: 'gradbook-lab-nan', x1: x, x2: x, y1: PAD.top, y2: H - PAD.bottom }),
    );
    const label = svgEl('text', {
      class: 'gradbook-lab-nan-label',
      x: x - 3,
      y: PAD.top + 10,
      'text-anchor': 'end',
    });
    label.textContent = `NaN at step ${mark}`;
    parts.push(label);
  }
  svg.replaceChildren(...parts);
}

/**
 * Paint the layers x steps strip on `canvas`: one row per hidden layer (layer 1 at the bottom,
 * as the scene draws the input first), one column per sampled step (at most maxColumns), each
 * cell the colour the scene would give that gradient size. One pixel per cell, written at
 * once; CSS stretches the canvas to its box. gradNorms: one array per step, first layer first.
 */
export function drawStrip(canvas, gradNorms, scale, maxColumns = 600) {
  const idx = sampleIndices(gradNorms.length, maxColumns);
  const rows = gradNorms.length ? gradNorms[0].length : 1;
  const cols = Math.max(1, idx.length);
  if (canvas.width !== cols) canvas.width = cols;
  if (canvas.height !== rows) canvas.height = rows;
  const ctx = canvas.getContext('2d');
  if (!gradNorms.length) {
    ctx.clearRect(0, 0, cols, rows);
    return;
  }
  const image = ctx.createImageData(cols, rows);
  const rgb = new Map(); // hex -> [r, g, b]: the table has a few hundred colours at most
  idx.forEach((i, c) => {
    const col = gradNorms[i];
    for (let r = 0; r < rows; r++) {
      if (col[r] === null) continue; // not measured (a recorded run's): left clear, not a colour
      const hex = colorForMagnitude(col[r], scale).hex;
      let v = rgb.get(hex);
      if (!v) {
        v = [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));
        rgb.set(hex, v);
      }
      const o = 4 * ((rows - 1 - r) * cols + c);
      image.data.set(v, o);
      image.data[o + 3] = 255;
    }
  });
  ctx.putImageData(image, 0, 0);
}
