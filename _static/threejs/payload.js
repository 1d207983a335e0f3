// Reads and checks a gradbook payload (schema "gradbook-payload", version 1).
//
// The authoritative description is src/gradbook/payload.schema.json. This module checks the same
// rules by hand (a generic JSON Schema engine would cost more bytes than the whole scene), plus
// the cross-field rules the scene relies on but a schema cannot say, such as "each step has one
// entry per hidden layer". Messages name the path of the offending field so an author can fix
// the chapter. Pure module: no three, no DOM.
import { SPEC } from './spec.js';

export const SCHEMA_NAME = SPEC.payload.schema;
export const SUPPORTED_VERSION = SPEC.payload.version;

const WORD = SPEC.payload.nonFinite; // how JSON spells inf, -inf and NaN
const NON_FINITE = { [WORD.inf]: Infinity, [WORD.minusInf]: -Infinity, [WORD.nan]: NaN };
const HEX = /^#[0-9a-f]{6}$/;
const SCENARIO_ID = /^[a-z0-9][a-z0-9-]*$/;

export class PayloadError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PayloadError';
  }
}

function fail(path, message) {
  throw new PayloadError(`${path}: ${message}`);
}

function isObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function expectObject(x, path, required, allowed = required) {
  if (!isObject(x)) fail(path, 'expected an object');
  for (const key of required) if (!(key in x)) fail(path, `missing required field "${key}"`);
  for (const key of Object.keys(x))
    if (!allowed.includes(key)) fail(path, `unknown field "${key}"`);
}

function expectArray(x, path, minItems = 0) {
  if (!Array.isArray(x)) fail(path, 'expected an array');
  if (x.length < minItems) fail(path, `expected at least ${minItems} item(s), got ${x.length}`);
}

function expectInteger(x, path, { min = -Infinity, nullable = false } = {}) {
  if (nullable && x === null) return;
  if (!Number.isInteger(x))
    fail(path, `expected an integer${nullable ? ' or null' : ''}, got ${JSON.stringify(x)}`);
  if (x < min) fail(path, `expected at least ${min}, got ${x}`);
}

function expectString(x, path, minLength = 0) {
  if (typeof x !== 'string') fail(path, 'expected a string');
  if (x.length < minLength) fail(path, 'must not be empty');
}

function expectHex(x, path) {
  if (typeof x !== 'string' || !HEX.test(x))
    fail(path, `expected a colour like "#1a2b3c", got ${JSON.stringify(x)}`);
}

/** Decode a payload number: a JSON number, or one of the strings "inf", "-inf", "nan". */
export function decodeNumber(x, path = 'value') {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x === 'string' && x in NON_FINITE) return NON_FINITE[x];
  return fail(path, `expected a number or one of "inf", "-inf", "nan", got ${JSON.stringify(x)}`);
}

function readColorScale(cs, path) {
  expectObject(cs, path, ['log10Min', 'log10Max', 'colormap', 'table', 'inf', 'nan']);
  expectInteger(cs.log10Min, `${path}.log10Min`);
  expectInteger(cs.log10Max, `${path}.log10Max`);
  if (cs.log10Max <= cs.log10Min) fail(path, 'log10Max must be greater than log10Min');
  expectString(cs.colormap, `${path}.colormap`);
  expectArray(cs.table, `${path}.table`, 2);
  if (cs.table.length > 1024) fail(`${path}.table`, 'at most 1024 colours');
  cs.table.forEach((c, i) => {
    expectHex(c, `${path}.table[${i}]`);
  });
  expectHex(cs.inf, `${path}.inf`);
  expectHex(cs.nan, `${path}.nan`);
  return { ...cs, table: [...cs.table] };
}

function readLayerShape(l, path) {
  expectObject(l, path, ['name', 'role', 'units', 'shownUnits']);
  expectString(l.name, `${path}.name`, 1);
  if (!['input', 'hidden', 'output'].includes(l.role))
    fail(`${path}.role`, `expected "input", "hidden" or "output", got ${JSON.stringify(l.role)}`);
  expectInteger(l.units, `${path}.units`, { min: 1 });
  expectInteger(l.shownUnits, `${path}.shownUnits`, { min: 1 });
  if (l.shownUnits > l.units)
    fail(`${path}.shownUnits`, `shows ${l.shownUnits} units but the layer has only ${l.units}`);
  return { ...l };
}

const LAYER_STEP_FIELDS = [
  'gradNorm',
  'factor',
  'product',
  'weightGradNorm',
  'updateRatio',
  'neuronsLog10',
];

function readLayerStep(ls, path, shownUnits) {
  expectObject(ls, path, LAYER_STEP_FIELDS);
  const out = {};
  for (const key of ['gradNorm', 'factor', 'product', 'weightGradNorm'])
    out[key] = decodeNumber(ls[key], `${path}.${key}`);
  out.updateRatio =
    ls.updateRatio === null ? null : decodeNumber(ls.updateRatio, `${path}.updateRatio`);
  expectArray(ls.neuronsLog10, `${path}.neuronsLog10`);
  if (ls.neuronsLog10.length !== shownUnits) {
    fail(
      `${path}.neuronsLog10`,
      `has ${ls.neuronsLog10.length} values but the layer shows ${shownUnits} units`,
    );
  }
  out.neuronsLog10 = ls.neuronsLog10.map((v, i) => decodeNumber(v, `${path}.neuronsLog10[${i}]`));
  return out;
}

function readStep(s, path, hidden) {
  expectObject(s, path, ['step', 'loss', 'accuracy', 'outputGradNorm', 'clipped', 'layers']);
  expectInteger(s.step, `${path}.step`, { min: 0 });
  if (typeof s.clipped !== 'boolean') fail(`${path}.clipped`, 'expected true or false');
  expectArray(s.layers, `${path}.layers`);
  if (s.layers.length !== hidden.length) {
    fail(
      `${path}.layers`,
      `has ${s.layers.length} entries but the network has ${hidden.length} hidden layers`,
    );
  }
  return {
    step: s.step,
    loss: decodeNumber(s.loss, `${path}.loss`),
    accuracy: decodeNumber(s.accuracy, `${path}.accuracy`),
    outputGradNorm: decodeNumber(s.outputGradNorm, `${path}.outputGradNorm`),
    clipped: s.clipped,
    layers: s.layers.map((ls, i) =>
      readLayerStep(ls, `${path}.layers[${i}]`, hidden[i].shownUnits),
    ),
  };
}

function readScenario(sc, path) {
  expectObject(sc, path, [
    'id',
    'title',
    'summary',
    'kind',
    'config',
    'network',
    'steps',
    'firstNonFiniteStep',
  ]);
  expectString(sc.id, `${path}.id`);
  if (!SCENARIO_ID.test(sc.id))
    fail(
      `${path}.id`,
      `expected lower-case letters, digits and dashes, got ${JSON.stringify(sc.id)}`,
    );
  expectString(sc.title, `${path}.title`, 1);
  expectString(sc.summary, `${path}.summary`);
  if (!SPEC.names.model.includes(sc.kind))
    fail(
      `${path}.kind`,
      `expected one of ${SPEC.names.model.join(', ')}, got ${JSON.stringify(sc.kind)}`,
    );
  if (!isObject(sc.config)) fail(`${path}.config`, 'expected an object');
  for (const [k, v] of Object.entries(sc.config)) {
    if (!(v === null || ['string', 'number', 'boolean'].includes(typeof v)))
      fail(`${path}.config.${k}`, 'expected a string, number, boolean or null');
  }
  expectObject(sc.network, `${path}.network`, ['layers', 'timeSteps']);
  expectArray(sc.network.layers, `${path}.network.layers`, 3);
  const layers = sc.network.layers.map((l, i) => readLayerShape(l, `${path}.network.layers[${i}]`));
  const last = layers.length - 1;
  layers.forEach((l, i) => {
    const want = i === 0 ? 'input' : i === last ? 'output' : 'hidden';
    if (l.role !== want)
      fail(
        `${path}.network.layers[${i}].role`,
        `expected "${want}" (input first, then hidden, output last), got "${l.role}"`,
      );
  });
  expectInteger(sc.network.timeSteps, `${path}.network.timeSteps`, { min: 1, nullable: true });
  expectArray(sc.steps, `${path}.steps`, 1);
  const hidden = layers.slice(1, last);
  const steps = sc.steps.map((s, i) => readStep(s, `${path}.steps[${i}]`, hidden));
  expectInteger(sc.firstNonFiniteStep, `${path}.firstNonFiniteStep`, { nullable: true });
  return {
    id: sc.id,
    title: sc.title,
    summary: sc.summary,
    kind: sc.kind,
    config: { ...sc.config },
    network: { layers, timeSteps: sc.network.timeSteps },
    steps,
    firstNonFiniteStep: sc.firstNonFiniteStep,
  };
}

/**
 * Check a parsed payload and return a decoded copy (non-finite strings become numbers).
 * Throws PayloadError with a message that names the offending field.
 */
export function readPayload(data) {
  if (!isObject(data)) throw new PayloadError('The payload must be a JSON object.');
  if (data.schema !== SCHEMA_NAME) {
    throw new PayloadError(
      `This is not a gradbook payload (schema is ${JSON.stringify(data.schema)}, expected "${SCHEMA_NAME}").`,
    );
  }
  if (data.version !== SUPPORTED_VERSION) {
    throw new PayloadError(
      `Unsupported payload version ${JSON.stringify(data.version)}: this scene reads version ${SUPPORTED_VERSION}. Rebuild the book so the scene and its data match.`,
    );
  }
  expectObject(data, 'payload', ['schema', 'version', 'colorScale', 'scenarios']);
  const colorScale = readColorScale(data.colorScale, 'colorScale');
  expectArray(data.scenarios, 'scenarios', 1);
  const scenarios = data.scenarios.map((sc, i) => readScenario(sc, `scenarios[${i}]`));
  const seen = new Set();
  for (const sc of scenarios) {
    if (seen.has(sc.id)) throw new PayloadError(`scenarios: the id "${sc.id}" appears twice`);
    seen.add(sc.id);
  }
  return { schema: SCHEMA_NAME, version: SUPPORTED_VERSION, colorScale, scenarios };
}

/** Parse JSON text and check it. Throws PayloadError for malformed JSON too. */
export function parsePayload(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PayloadError(`The payload is not valid JSON (${err.message}).`);
  }
  return readPayload(data);
}
