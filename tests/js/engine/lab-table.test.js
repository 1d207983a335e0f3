import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabRun } from '../../../_static/threejs/lab/run.js';
import {
  exactText,
  nameParts,
  renderTable,
  tableRows,
} from '../../../_static/threejs/lab/table.js';
import { parseHash, toEngine } from '../../../_static/threejs/labconfig.js';

// Just enough of the DOM for renderTable: elements with children (elements or strings),
// textContent, attributes, dataset, classList, tBodies, rows and cells.
class FakeElement {
  constructor(doc, tag) {
    this.ownerDocument = doc;
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.attributes = {};
    this.dataset = {};
    const classes = new Set();
    this.classList = {
      add: (c) => classes.add(c),
      contains: (c) => classes.has(c),
      toggle: (c, on) => (on ? classes.add(c) : classes.delete(c)),
    };
  }
  get textContent() {
    return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
  }
  set textContent(text) {
    this.children = [String(text)];
  }
  appendChild(child) {
    this.children.push(child);
    return child;
  }
  append(...kids) {
    this.children.push(...kids);
  }
  replaceChildren(...kids) {
    this.children = kids;
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  byTag(tag) {
    return this.children.filter((c) => c.tagName === tag);
  }
  get tBodies() {
    return this.byTag('TBODY');
  }
  get rows() {
    return this.byTag('TR');
  }
  get cells() {
    return this.children.filter((c) => c.tagName === 'TD' || c.tagName === 'TH');
  }
}
const fakeDocument = () => {
  const doc = { createElement: (tag) => new FakeElement(doc, tag) };
  return doc;
};

const frame = (values) => ({
  step: 3,
  layers: values.map(([gradNorm, factor, product], i) => ({
    index: i + 1,
    gradNorm,
    factor,
    product,
    weightGradNorm: 1,
    dead: 0.25,
  })),
});

test('data-value holds the exact float64 and names NaN and infinity', () => {
  for (const v of [0.1, 1e-300, 2 ** -1074, 123456789.12345679])
    assert.equal(Number(exactText(v)), v);
  assert.deepEqual([NaN, Infinity, -Infinity].map(exactText), ['NaN', 'Infinity', '-Infinity']);
});

test('rows run first layer first, with the layer, the gradient size, the factor and the product', () => {
  const rows = tableRows(
    frame([
      [1e-7, 0.25, 1e-7],
      [4e-7, Infinity, NaN],
    ]),
    { kind: 'mlp' },
  );
  assert.deepEqual(
    rows.map((r) => r.label),
    ['layer 1', 'layer 2'],
  );
  assert.deepEqual(
    rows[0].cells.map((c) => c.key),
    ['gradNorm', 'factor', 'product'],
  );
  assert.equal(rows[0].cells[0].text, '10⁻⁷'); // the shared number rule drops a mantissa of 1
  assert.equal(rows[0].cells[1].text, '×0.25');
  assert.equal(rows[1].cells[2].text, 'NaN');
  assert.equal(tableRows(frame([[1, 1, 1]]), { kind: 'rnn' })[0].label, 'step 1');
  // A recorded run names its layers; a ReLU network's rows add the share of dead units.
  const named = tableRows(frame([[1, 1, 1]]), { labels: ['blocks.3.conv1'], dead: true });
  assert.equal(named[0].label, 'blocks.3.conv1');
  assert.deepEqual(
    named[0].cells.map((c) => [c.key, c.text]),
    [
      ['gradNorm', '1'],
      ['factor', '×1'],
      ['product', '1'],
      ['dead', '25%'],
    ],
  );
});

test('renderTable builds the contract table and updates it in place', () => {
  const table = fakeDocument().createElement('table');
  renderTable(
    table,
    frame([
      [1e-3, 0.5, 1e-3],
      [2e-3, 0.9, 2e-3],
    ]),
    { kind: 'mlp' },
  );
  assert.ok(table.classList.contains('gradbook-lab-table'));
  const [caption, thead, tbody] = table.children;
  assert.match(caption.textContent, /first layer first/);
  assert.deepEqual(
    thead.rows[0].cells.map((c) => c.textContent),
    ['Layer', 'Gradient size', 'Factor', 'Running product'],
  );
  assert.equal(tbody.rows.length, 2);
  const firstRow = tbody.rows[0];
  assert.equal(firstRow.cells[0].textContent, 'layer 1');
  assert.equal(firstRow.cells[0].attributes.scope, 'row');
  assert.equal(firstRow.cells[1].dataset.value, '0.001');
  assert.equal(table.dataset.step, '3');
  renderTable(
    table,
    frame([
      [5e-4, 0.5, NaN],
      [2e-3, 0.9, 2e-3],
    ]),
    { kind: 'mlp' },
  );
  assert.equal(table.tBodies[0].rows[0], firstRow, 'same shape: the row is reused');
  assert.equal(firstRow.cells[3].dataset.value, 'NaN');
  renderTable(table, frame([[1, 1, 1]]), { kind: 'rnn' });
  assert.equal(table.tBodies[0].rows.length, 1);
  assert.equal(table.children[1].rows[0].cells[0].textContent, 'Time step');
  renderTable(table, frame([[1, 1, 1]]), { kind: 'mlp', dead: true });
  assert.deepEqual(
    table.children[1].rows[0].cells.map((c) => c.textContent),
    ['Layer', 'Gradient size', 'Factor', 'Running product', 'Dead units'],
  );
  assert.equal(table.tBodies[0].rows[0].cells[4].dataset.value, '0.25');
});

test("a sigmoid net's table vanishes toward the input and a He/ReLU net's does not", () => {
  const products = (hash) => {
    const rows = tableRows(new LabRun(toEngine(parseHash(hash).config)).frame());
    return rows.map((r) => r.cells.find((c) => c.key === 'product').value);
  };
  const sigmoid = products('#depth=20&width=16&activation=sigmoid&init=xavier');
  const relu = products('#depth=20&width=16&activation=relu&init=he');
  assert.ok(sigmoid[0] < 1e-6, `sigmoid layer 1 product ${sigmoid[0]}`);
  assert.ok(relu[0] > 1e-2 && relu[0] < 1e2, `He/ReLU layer 1 product ${relu[0]}`);
});

test('the residual and batch-norm toggles lift a vanishing profile, as the book says', () => {
  const first = (hash) => new LabRun(toEngine(parseHash(hash).config)).frame().layers[0].product;
  const plain = first('#depth=20&width=16&activation=sigmoid&init=xavier');
  const residual = first('#depth=20&width=16&activation=sigmoid&init=xavier&residual=1');
  const batchnorm = first('#depth=20&width=16&activation=sigmoid&init=xavier&batchnorm=1');
  assert.ok(plain < 1e-9, `plain ${plain}`);
  assert.ok(residual > 1e-2, `residual ${residual}: the identity path carries the gradient down`);
  // Deep plain nets with batch norm grow their gradient toward the input (Yang et al. 2019).
  assert.ok(batchnorm > 1, `batch norm ${batchnorm}`);
});

test("a recorded run's rows add |dL/dW| and the update ratio, and say what was not measured", () => {
  const f = frame([
    [1e-3, 0.5, 1e-3],
    [null, null, null],
  ]);
  f.layers[0].updateRatio = 2e-3;
  f.layers[1].weightGradNorm = null;
  f.layers[1].updateRatio = null;
  const rows = tableRows(f, { labels: ['stem', 'norm'], recorded: true });
  assert.deepEqual(
    rows[0].cells.map((c) => c.key),
    ['gradNorm', 'factor', 'product', 'weightGradNorm', 'updateRatio'],
  );
  assert.equal(rows[0].cells[4].text, '2 × 10⁻³');
  // null is "not measured at this step" (run.schema.json), never NaN or 0.
  assert.deepEqual(
    rows[1].cells.map((c) => c.text),
    Array(5).fill('not measured'),
  );
  const table = fakeDocument().createElement('table');
  renderTable(table, f, { labels: ['stem', 'norm'], recorded: true });
  assert.equal(table.tBodies[0].rows[1].cells[1].dataset.value, 'null');
  assert.match(table.children[0].textContent, /in the order the forward pass reaches them/);
});

test("a recorded layer's path may wrap at its dots, and only there; its text is the name", () => {
  assert.deepEqual(nameParts('encoder.blocks.3.conv1'), ['encoder.', 'blocks.', '3.', 'conv1']);
  assert.deepEqual(nameParts('head'), ['head']);
  assert.deepEqual(nameParts('odd.'), ['odd.']); // no break opportunity after a final dot
  const table = fakeDocument().createElement('table');
  const f = frame([
    [1e-3, 0.5, 1e-3],
    [2e-3, 0.9, 2e-3],
  ]);
  renderTable(table, f, { labels: ['blocks.3.conv1', 'head'], recorded: true });
  const th = table.tBodies[0].rows[0].cells[0];
  assert.equal(th.textContent, 'blocks.3.conv1');
  assert.deepEqual(
    th.children.map((c) => (typeof c === 'string' ? c : c.tagName)),
    ['blocks.', 'WBR', '3.', 'WBR', 'conv1'],
  );
  // The class that gives a recorded run's table its room in the lab's grid (gradbook-lab.css),
  // and only a recorded run's.
  assert.ok(table.classList.contains('is-recorded'));
  renderTable(table, f, { kind: 'mlp' });
  assert.ok(!table.classList.contains('is-recorded'));
  assert.equal(table.tBodies[0].rows[0].cells[0].textContent, 'layer 1');
});
