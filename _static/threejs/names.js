// Names as a reader may type them, as the command line reads them (src/gradbook/names.py):
// any case, with "-" or "_" between words ("Leaky-ReLU", "Xavier_Uniform", "He"), each read
// as its one canonical spelling. The rule itself comes from the shared SPEC. Pure module.
import { SPEC } from './spec.js';

const [JOIN, ...OTHERS] = SPEC.spelling.separators;

/** `name` in the form spellings are compared in (names.fold). */
export function fold(name) {
  let key = SPEC.spelling.ignoreCase ? name.toLowerCase() : name;
  for (const sep of OTHERS) key = key.replaceAll(sep, JOIN);
  return key;
}

/** The entry of `names` that `name` spells, or undefined if it spells none. */
export function canonical(name, names) {
  if (typeof name !== 'string') return undefined;
  const key = fold(name);
  return names.find((known) => fold(known) === key);
}
