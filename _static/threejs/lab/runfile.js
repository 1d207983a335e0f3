// A run recorded by gradbook.torch and saved to a file (src/gradbook/run.schema.json), read in
// the browser for the lab's "Open a run": checked rule by rule, so that a bad file gets one
// message naming what is wrong, and turned into what the lab's view shows (view.js: the run,
// its records for the plots, its frames for the scene's slider and the table). Pure: no DOM,
// no three; the file never leaves the reader's machine. gradbook/runfile.py is the other side.
//
// The file stores sizes as log10 ("-inf": exactly 0; null: not measured at that step, which
// is not NaN); factors and products are derived here as the book defines them, with g[l] a
// layer's size and g_out the model output's: factor g[l] / g[l+1] (g_out above the last
// layer), product g[l] / g_out. A value not measured stays null through to the table.

export const RUN_SCHEMA = 'gradbook-run';
export const RUN_VERSION = 1;
/**
 * The largest file the lab opens, refused by its size before it is read. A 300-layer run
 * recorded at 10,000 steps is about 55 MB; JSON.parse holds several times a file's size.
 */
export const MAX_RUN_BYTES = 64 * 1024 * 1024;

const TOP = [
  'schema',
  'version',
  'recorder',
  'model',
  'optimizer',
  'every',
  'layers',
  'steps',
  'loss',
  'outputGradNormLog10',
  'gradNormLog10',
  'weightGradNormLog10',
  'updateRatioLog10',
  'histograms',
  'firstNonFiniteStep',
];
const LAYER = ['name', 'type', 'units', 'params', 'weights', 'calls'];
const NONFINITE = { inf: Infinity, '-inf': -Infinity, nan: NaN };

/** A file the lab cannot open; the message names the file and the problem. */
export class RunFileError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RunFileError';
  }
}

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Before reading a file: one sentence saying why a file of this size is refused, or null. */
export function sizeProblem(name, bytes) {
  if (bytes === 0) return `${name} is empty: a gradbook run is a JSON object.`;
  if (bytes > MAX_RUN_BYTES)
    return `${name} is ${megabytes(bytes)}; the lab opens runs of up to ${megabytes(MAX_RUN_BYTES)}. Record fewer steps (gradbook.torch.watch(model, optimizer, every=10), say) and open that file.`;
  return null;
}

const isInt = (v) => Number.isInteger(v);
const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** The text of a run file -> the run, checked (see readRun). */
export function parseRun(text, name = 'The file') {
  if (!text.trim()) throw new RunFileError(`${name} is empty: a gradbook run is a JSON object.`);
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RunFileError(`${name} is not JSON, or is cut short (${e.message}).`);
  }
  return readRun(data, name);
}

/**
 * A parsed run file -> { model, optimizer, every, recorder, layers: [{ name, type, units,
 * params, weights, calls }], steps, loss, outputGradNorm, gradNorm, weightGradNorm,
 * updateRatio (null without an optimizer), firstNonFiniteStep }, sizes decoded (10 ** log10,
 * null where not measured). Throws RunFileError naming the first broken rule.
 */
export function readRun(data, name = 'The file') {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new RunFileError(`${name} is not a gradbook run: a run is a JSON object.`);
  if (data.schema !== RUN_SCHEMA) {
    const what =
      data.schema === 'gradbook-payload'
        ? 'a scene payload of the book'
        : data.schema === undefined
          ? 'JSON without "schema": "gradbook-run"'
          : `of schema ${JSON.stringify(data.schema)}`;
    throw new RunFileError(
      `${name} is not a gradbook run: it is ${what}. A run is what rec.save("run.json") writes.`,
    );
  }
  const v = data.version;
  if (!isInt(v) || v < 1)
    throw new RunFileError(`${name} has no valid run format version (got ${JSON.stringify(v)}).`);
  if (v > RUN_VERSION)
    throw new RunFileError(
      `${name} is version ${v} of the run format; this lab reads version ${RUN_VERSION}. Open it with the newer gradbook that wrote it, or update this book.`,
    );
  const fail = (what) => new RunFileError(`${name} is not a valid gradbook run: ${what}.`);
  for (const key of TOP) if (!(key in data)) throw fail(`"${key}" is missing`);
  for (const key of Object.keys(data))
    if (!TOP.includes(key)) throw fail(`it has an unknown field "${key}"`);

  const { recorder, model, optimizer, every } = data;
  if (kindOf(recorder) !== 'object' || typeof recorder.name !== 'string')
    throw fail('"recorder" must be an object with a "name"');
  if (typeof model !== 'string') throw fail(`"model" must be a string, got ${kindOf(model)}`);
  if (optimizer !== null && typeof optimizer !== 'string')
    throw fail(`"optimizer" must be a string or null, got ${kindOf(optimizer)}`);
  if (!isInt(every) || every < 1) throw fail('"every" must be a whole number, 1 or more');

  if (!Array.isArray(data.layers)) throw fail(`"layers" must be an array`);
  if (data.layers.length === 0) throw fail('"layers" is empty: the run recorded no layer');
  const layers = data.layers.map((l, i) => readLayer(l, i, fail));

  const { steps } = data;
  if (!Array.isArray(steps) || !steps.every((s) => isInt(s) && s >= 0))
    throw fail('"steps" must be an array of whole step numbers, 0 or more');
  if (steps.length === 0) throw fail('"steps" is empty: the run recorded no step');
  for (let i = 1; i < steps.length; i++)
    if (steps[i] <= steps[i - 1])
      throw fail(`"steps" must increase (${steps[i]} after ${steps[i - 1]})`);
  const n = steps.length;
  const width = layers.length;

  const column = (key, decode) => {
    const col = data[key];
    if (!Array.isArray(col)) throw fail(`"${key}" must be an array`);
    if (col.length !== n) throw fail(`"${key}" has ${col.length} entries for ${n} recorded steps`);
    return col.map((x, r) => decode(x, () => `"${key}" entry ${r}`));
  };
  const rows = (key) => {
    const table = data[key];
    if (!Array.isArray(table)) throw fail(`"${key}" must be an array of rows`);
    if (table.length !== n) throw fail(`"${key}" has ${table.length} rows for ${n} recorded steps`);
    return table.map((row, r) => {
      if (!Array.isArray(row) || row.length !== width)
        throw fail(
          `"${key}" row ${r} must hold one entry per layer (${width}), got ${Array.isArray(row) ? row.length : kindOf(row)}`,
        );
      return row.map((x, l) => size(x, () => `"${key}" row ${r}, layer ${l + 1}`));
    });
  };
  const number = (x, where) => {
    if (typeof x === 'number') return x;
    if (typeof x === 'string' && x in NONFINITE) return NONFINITE[x];
    throw fail(`${where()} is ${JSON.stringify(x)}, not a number, "inf", "-inf" or "nan"`);
  };
  // A log10 size: "-inf" is exactly 0, "inf" an overflow, "nan" no number, null not measured.
  const size = (x, where) => {
    if (x === null) return null;
    const l = number(x, where);
    return l === -Infinity ? 0 : l === Infinity ? Infinity : 10 ** l;
  };

  const first = data.firstNonFiniteStep;
  if (first !== null && !steps.includes(first))
    throw fail(`"firstNonFiniteStep" ${JSON.stringify(first)} is not one of the recorded steps`);
  if (optimizer === null && data.updateRatioLog10 !== null)
    throw fail('"updateRatioLog10" must be null when no optimizer was watched');
  readHistograms(data.histograms, steps, width, fail);
  return {
    model,
    optimizer,
    every,
    recorder,
    layers,
    steps: steps.slice(),
    loss: column('loss', number),
    outputGradNorm: column('outputGradNormLog10', size),
    gradNorm: rows('gradNormLog10'),
    weightGradNorm: rows('weightGradNormLog10'),
    updateRatio: data.updateRatioLog10 === null ? null : rows('updateRatioLog10'),
    firstNonFiniteStep: first,
  };
}

function readLayer(l, i, fail) {
  const where = `layer ${i + 1}`;
  if (kindOf(l) !== 'object') throw fail(`${where} must be an object`);
  for (const key of LAYER) if (!(key in l)) throw fail(`${where} has no "${key}"`);
  for (const key of Object.keys(l))
    if (!LAYER.includes(key)) throw fail(`${where} has an unknown field "${key}"`);
  if (typeof l.name !== 'string' || !l.name)
    throw fail(`${where}'s "name" must be a non-empty string`);
  if (typeof l.type !== 'string') throw fail(`${where}'s "type" must be a string`);
  for (const key of ['units', 'params'])
    if (!isInt(l[key]) || l[key] < 0) throw fail(`${where}'s "${key}" must be a whole number`);
  if (!isInt(l.calls) || l.calls < 1) throw fail(`${where}'s "calls" must be 1 or more`);
  if (!Array.isArray(l.weights) || !l.weights.every((w) => typeof w === 'string'))
    throw fail(`${where}'s "weights" must be an array of parameter names`);
  return {
    name: l.name,
    type: l.type,
    units: l.units,
    params: l.params,
    weights: l.weights.slice(),
    calls: l.calls,
  };
}

/** The histograms are not drawn by the lab, but a file whose histograms break the schema is refused. */
function readHistograms(h, steps, width, fail) {
  if (kindOf(h) !== 'object') throw fail('"histograms" must be an object');
  if (h.log10Min !== -16 || h.log10Max !== 8 || h.bins !== 96)
    throw fail('"histograms" must use the book\'s grid: 96 bins from 1e-16 to 1e8');
  if (!Array.isArray(h.steps)) throw fail('"histograms.steps" must be an array');
  for (const entry of h.steps) {
    if (kindOf(entry) !== 'object' || !steps.includes(entry.step))
      throw fail(`a histogram is of step ${JSON.stringify(entry?.step)}, which was not recorded`);
    for (const key of ['dh', 'dW'])
      if (!Array.isArray(entry[key]) || entry[key].length !== width)
        throw fail(`the histograms of step ${entry.step} need one "${key}" per layer`);
  }
}

/** a / b for sizes, null when either was not measured (0/0 is NaN, x/0 inf, as in Python). */
function ratio(a, b) {
  return a === null || b === null ? null : a / b;
}

/**
 * What the lab's view shows for a read run (view.js header): `run` for view.open (the layers'
 * names for the table and the scene, the scene drawing one block per layer: a recorded run
 * carries no unit's own gradient), `steps` and `frameAt(i)`, the decoded payload step of
 * recorded row i, made when asked (with each layer's weightGradNorm and updateRatio, null where
 * not measured: a long run's frames are made only when shown), and `records` for the plots
 * (update ratios by layer name).
 */
export function runView(r, fileName = 'the file') {
  const H = r.layers.length;
  const network = {
    layers: [
      { name: 'input', role: 'input', units: 1, shownUnits: 1 },
      ...r.layers.map((l) => ({ name: l.name, role: 'hidden', units: l.units, shownUnits: 1 })),
      { name: 'output', role: 'output', units: 1, shownUnits: 1 },
    ],
    timeSteps: null,
    layerLevel: true, // drawn one block per layer (layout.js meterDecade)
  };
  const frameAt = (row) => {
    const g = r.gradNorm[row];
    const out = r.outputGradNorm[row];
    return {
      step: r.steps[row],
      loss: r.loss[row],
      accuracy: NaN,
      accuracyStep: null,
      outputGradNorm: out ?? NaN,
      clipped: false,
      layers: g.map((gl, l) => ({
        gradNorm: gl,
        factor: ratio(gl, l + 1 < H ? g[l + 1] : out),
        product: ratio(gl, out),
        weightGradNorm: r.weightGradNorm[row][l],
        updateRatio: r.updateRatio ? r.updateRatio[row][l] : null,
        // The layer-level view: the layer's one block takes its own gradient size.
        neuronsLog10: [gl === null ? null : Math.log10(gl)],
      })),
    };
  };
  const names = r.layers.map((l) => l.name);
  const ratiosOf = (row) =>
    r.updateRatio ? Object.fromEntries(names.map((k, l) => [k, r.updateRatio[row][l] ?? NaN])) : {};
  // A record's update ratios by layer name are made when first read: the plot reads a few
  // hundred records of a long run, and 10,000 objects of 300 names each would hold ~100 MB.
  const records = r.steps.map((step, row) => ({
    step,
    loss: r.loss[row],
    accuracy: null,
    gradNorms: r.gradNorm[row],
    get updateRatios() {
      Object.defineProperty(this, 'updateRatios', { value: ratiosOf(row) });
      return this.updateRatios;
    },
  }));
  const span =
    r.steps.length > 1 ? `steps ${r.steps[0]} to ${r.steps.at(-1)}` : `step ${r.steps[0]}`;
  return {
    run: {
      title: `${r.model}, recorded by ${r.recorder.name}: ${H} layers`,
      summary: `Opened from ${fileName}, on this machine: ${r.steps.length} recorded ${span}${r.optimizer ? `, ${r.optimizer}` : ''}. One block per layer, coloured by the size of its gradient.`,
      kind: 'mlp',
      config: {},
      network,
      frame: frameAt(0),
      labels: names,
      layerInfo: r.layers,
      recorded: true,
      dead: false,
      accuracy: false,
      ratios: r.updateRatio !== null,
    },
    steps: r.steps,
    frameAt,
    records,
    firstNonFiniteStep: r.firstNonFiniteStep,
  };
}
