// Fixture entries (parity.json, random.json) turned into the engine's own types.
import { build } from '../../../_static/threejs/engine/index.js';
import { Matrix } from '../../../_static/threejs/engine/linalg.js';
import { flat } from './helpers.js';

/** A nested list as a Matrix (2-D) or Float64Array (1-D). */
export function toArray(value) {
  if (Array.isArray(value[0])) return Matrix.from(value.length, value[0].length, flat(value));
  return Float64Array.from(value);
}

export function toParams(params) {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, toArray(v)]));
}

/** A fixture case's config as the engine's: the simulator's fields, with the model's kind. */
export function configOf(c) {
  return { kind: c.model, ...c.config };
}

/** A fixture case's network with the case's own initial weights (a fresh copy each call). */
export function modelOf(c) {
  return build(configOf(c), { params: toParams(c.params) });
}

/** A fixture batch { x, shape, y } as the engine's { x, y }. */
export function toBatch(kind, batch) {
  const data = Float64Array.from(flat(batch.x));
  const x =
    kind === 'rnn'
      ? { data, shape: batch.shape }
      : new Matrix(batch.shape[0], batch.shape[1], data);
  const y = Array.isArray(batch.y[0]) ? toArray(batch.y) : Float64Array.from(batch.y);
  return { x, y };
}
