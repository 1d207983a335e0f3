// The lab's text alternative and test contract: a per-layer table under the scene, updated with
// every change and every training step. <table class="gradbook-lab-table">, one body row per
// hidden layer (per time step for the RNN), first layer first, columns for the layer, the
// gradient size, the factor and the running product; each number cell carries its exact value
// in data-value, so tests read numbers without parsing text. tableRows is pure; renderTable
// only touches the table element it is given.
import { formatFactor, formatNumber } from '../format.js';

export const TABLE_CLASS = 'gradbook-lab-table';
const COLUMNS = [
  { key: 'gradNorm', head: 'Gradient size', text: (v) => formatNumber(v) },
  { key: 'factor', head: 'Factor', text: formatFactor },
  { key: 'product', head: 'Running product', text: (v) => formatNumber(v) },
];

/** The value written into data-value: the shortest text that reads back as the same float64. */
export function exactText(v) {
  return String(v); // "NaN", "Infinity" and "-Infinity" included
}

/** One row per layer (or time step), first first: { label, cells: [{ key, value, text }] }. */
export function tableRows(frame, kind) {
  const name = kind === 'rnn' ? 'step' : 'layer';
  return frame.layers.map((layer) => ({
    label: `${name} ${layer.index}`,
    cells: COLUMNS.map((c) => ({ key: c.key, value: layer[c.key], text: c.text(layer[c.key]) })),
  }));
}

function headRow(doc, kind) {
  const tr = doc.createElement('tr');
  for (const text of [kind === 'rnn' ? 'Time step' : 'Layer', ...COLUMNS.map((c) => c.head)]) {
    const th = doc.createElement('th');
    th.setAttribute('scope', 'col');
    th.textContent = text;
    tr.appendChild(th);
  }
  return tr;
}

/**
 * Fill `table` (a <table> element) for `frame`. The head and body are rebuilt only when the
 * model kind or the number of layers changes; otherwise each cell's text and data-value are
 * updated in place, which keeps a training run's ten updates a second cheap.
 */
export function renderTable(table, frame, kind) {
  const doc = table.ownerDocument;
  const rows = tableRows(frame, kind);
  table.classList.add(TABLE_CLASS);
  const shape = `${kind}:${rows.length}`;
  if (table.dataset.shape !== shape) {
    const caption = doc.createElement('caption');
    caption.textContent =
      kind === 'rnn'
        ? 'Gradient size at each time step, step 1 first'
        : 'Gradient size at each hidden layer, first layer first';
    const thead = doc.createElement('thead');
    thead.appendChild(headRow(doc, kind));
    const tbody = doc.createElement('tbody');
    for (let i = 0; i < rows.length; i++) {
      const tr = doc.createElement('tr');
      tr.appendChild(doc.createElement('th')).setAttribute('scope', 'row');
      for (let j = 0; j < COLUMNS.length; j++) tr.appendChild(doc.createElement('td'));
      tbody.appendChild(tr);
    }
    table.replaceChildren(caption, thead, tbody);
    table.dataset.shape = shape;
  }
  const body = table.tBodies[0];
  rows.forEach((row, i) => {
    const [head, ...cells] = body.rows[i].cells;
    head.textContent = row.label;
    row.cells.forEach((cell, j) => {
      cells[j].textContent = cell.text;
      cells[j].dataset.value = exactText(cell.value);
      cells[j].dataset.column = cell.key;
    });
  });
  table.dataset.step = String(frame.step);
}
