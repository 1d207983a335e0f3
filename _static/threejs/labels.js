// Which labels over the canvas to show, and where, so that none covers another. Pure: no three,
// no DOM: the caller measures the labels and projects their layers, in CSS px.
//
// A label is a box centred on x. Higher-ranked labels are placed first (the pulse's layer, the
// input, the output), then the rest from left to right; each goes in the first row where it
// keeps `gap` from every box already there, or is left out. Boxes are moved inward to stay
// inside the stage.

/**
 * @param {{x: number, w: number, rank?: number, rows?: number}[]} items
 *   w = 0: nothing to show; rows: the most rows this label may use (default: all)
 * @param {{gap?: number, rows?: number, width?: number, minW?: number}} options
 *   width: the stage's; minW: the least room a label takes, so that short ones thin out too
 * @returns {{show: boolean, x: number, row: number}[]} one entry per item, in the same order
 */
export function placeLabels(items, { gap = 8, rows = 1, width = Infinity, minW = 0 } = {}) {
  const taken = Array.from({ length: rows }, () => []);
  const order = items.map((_, i) => i).sort((a, b) => (items[b].rank ?? 0) - (items[a].rank ?? 0));
  const out = items.map(() => ({ show: false, x: 0, row: 0 }));
  for (const i of order) {
    const { w } = items[i];
    const x = Math.max(w / 2 + 2, Math.min(items[i].x, width - w / 2 - 2));
    const half = Math.max(w, minW) / 2;
    const fits = (r) => r.every(([a, b]) => x + half + gap <= a || x - half >= b + gap);
    const row =
      w > 0 && w + 4 <= width ? taken.slice(0, items[i].rows ?? rows).findIndex(fits) : -1;
    out[i] = { show: row >= 0, x, row: Math.max(0, row) };
    if (row >= 0) taken[row].push([x - half, x + half]);
  }
  return out;
}
