// The lab's text alternative and test contract: a per-layer table under the scene, updated with
// every change and every training step. <table class="gradbook-lab-table">, one body row per
// hidden layer (per time step for the RNN), first layer first, columns for the layer, the
// gradient size, the factor and the running product, and for ReLU-family networks the share of
// dead units (slope 0 for every example of the batch: trace.js LayerTrace.dead). Each number
// cell carries its exact value in data-value and its key in data-column, so tests read numbers
// without parsing text. tableRows is pure; renderTable only touches the table it is given.
import { formatAccuracy, formatFactor, formatNumber } from '../format.js';

export const TABLE_CLASS = 'gradbook-lab-table';
const COLUMNS = [
  { key: 'gradNorm', head: 'Gradient size', text: (v) => formatNumber(v) },
  { key: 'factor', head: 'Factor', text: formatFactor },
  { key: 'product', head: 'Running product', text: (v) => formatNumber(v) },
];
// A share of units, as a percentage rounded as the book prints shares.
const DEAD = { key: 'dead', head: 'Dead units', text: (v) => formatAccuracy(v) ?? formatNumber(v) };
// A run recorded by gradbook.torch (runfile.js) also carries each layer's |dL/dW| and the size
// of its last update; a value not measured at that step (null) is said so, never shown as NaN.
const measured = (text) => (v) => (v === null ? 'not measured' : text(v));
const RECORDED = [
  { key: 'weightGradNorm', head: '|dL/dW|', text: measured((v) => formatNumber(v)) },
  { key: 'updateRatio', head: 'Update ratio', text: measured((v) => formatNumber(v)) },
];

/** The value written into data-value: the shortest text that reads back as the same float64. */
export function exactText(v) {
  return String(v); // "NaN", "Infinity" and "-Infinity" included
}

function columnsOf({ dead = false, recorded = false } = {}) {
  if (recorded) return [...COLUMNS.map((c) => ({ ...c, text: measured(c.text) })), ...RECORDED];
  return dead ? [...COLUMNS, DEAD] : COLUMNS;
}

/**
 * One row per layer (or time step), first first: { label, cells: [{ key, value, text }] }. The
 * layout: `kind` "rnn" names the rows time steps; `dead` adds the dead-units column; `labels`,
 * if given, names each row (a recorded run's layer names), else "layer 1"... ("step 1"...).
 */
export function tableRows(
  frame,
  { kind = 'mlp', dead = false, labels = null, recorded = false } = {},
) {
  const name = kind === 'rnn' ? 'step' : 'layer';
  const columns = columnsOf({ dead, recorded });
  return frame.layers.map((layer, i) => ({
    label: labels?.[i] ?? `${name} ${i + 1}`,
    cells: columns.map((c) => ({ key: c.key, value: layer[c.key], text: c.text(layer[c.key]) })),
  }));
}

function headRow(doc, kind, columns) {
  const tr = doc.createElement('tr');
  for (const text of [kind === 'rnn' ? 'Time step' : 'Layer', ...columns.map((c) => c.head)]) {
    const th = doc.createElement('th');
    th.setAttribute('scope', 'col');
    th.textContent = text;
    tr.appendChild(th);
  }
  return tr;
}

/**
 * A layer's name as the row's heading, with a line-break opportunity (<wbr>) after each dot, so
 * that a long module path such as "encoder.blocks.3.conv1" wraps between its parts when the
 * table is narrow, never inside one. The text (textContent) is the name itself.
 */
export function nameParts(label) {
  return label.split(/(?<=\.)(?=.)/);
}

function writeName(th, label) {
  const parts = nameParts(label);
  th.replaceChildren(parts[0]);
  for (const part of parts.slice(1)) th.append(th.ownerDocument.createElement('wbr'), part);
}

/**
 * Fill `table` (a <table> element) for `frame` ({ step, layers }), laid out as tableRows says.
 * The head and body are rebuilt only when the layout or the number of layers changes;
 * otherwise each cell's text and data-value are updated in place, which keeps a training run's
 * ten updates a second cheap.
 */
export function renderTable(table, frame, layout = {}) {
  const { kind = 'mlp', dead = false, recorded = false } = layout;
  const doc = table.ownerDocument;
  const rows = tableRows(frame, layout);
  const columns = columnsOf({ dead, recorded });
  table.classList.add(TABLE_CLASS);
  const shape = `${kind}:${dead}:${recorded}:${rows.length}:${layout.labels?.join('\u0000') ?? ''}`;
  if (table.dataset.shape !== shape) {
    const caption = doc.createElement('caption');
    caption.textContent = recorded
      ? 'Gradient size at each recorded layer, in the order the forward pass reaches them'
      : kind === 'rnn'
        ? 'Gradient size at each time step, step 1 first'
        : 'Gradient size at each hidden layer, first layer first';
    const thead = doc.createElement('thead');
    thead.appendChild(headRow(doc, kind, columns));
    const tbody = doc.createElement('tbody');
    for (const row of rows) {
      const tr = doc.createElement('tr');
      const th = tr.appendChild(doc.createElement('th'));
      th.setAttribute('scope', 'row');
      writeName(th, row.label); // the names belong to the shape: not rewritten at every step
      for (let j = 0; j < columns.length; j++) tr.appendChild(doc.createElement('td'));
      tbody.appendChild(tr);
    }
    table.replaceChildren(caption, thead, tbody);
    table.dataset.shape = shape;
  }
  // A recorded run's table has more columns: the lab's grid gives it more room (gradbook-lab.css).
  table.classList.toggle('is-recorded', recorded);
  const body = table.tBodies[0];
  rows.forEach((row, i) => {
    const [, ...cells] = body.rows[i].cells;
    row.cells.forEach((cell, j) => {
      cells[j].textContent = cell.text;
      cells[j].dataset.value = exactText(cell.value);
      cells[j].dataset.column = cell.key;
    });
  });
  table.dataset.step = String(frame.step);
}
