// The lab sits on top of the scene: no module of _static/threejs outside lab/ imports from
// lab/ (issue 18), so the scene and the engine can be read, bundled and changed without the lab.
// Imports are read from the source text (static `import ... from`, `export ... from`, bare
// `import '...'` and dynamic `import('...')`) and resolved against the importing file.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../_static/threejs');
const LAB = join(ROOT, 'lab');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' || path === LAB ? [] : sources(path);
    return /\.m?js$/.test(e.name) ? [path] : [];
  });
}

const IMPORT = /(?:^|[^\w.])(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?\(?\s*['"]([^'"]+)['"]/gm;

/** The relative paths `file` imports, resolved from the root, as "a.js -> lab/b.js" edges. */
export function edgesInto(file, text, target = LAB) {
  const out = [];
  for (const [, spec] of text.matchAll(IMPORT)) {
    if (!spec.startsWith('.')) continue; // a package ('three'), never the lab
    const to = resolve(dirname(file), spec);
    if (to === target || to.startsWith(target + sep))
      out.push(`${relative(ROOT, file)} -> ${relative(ROOT, to)}`.split(sep).join('/'));
  }
  return out;
}

test('the import reader sees every form of import', () => {
  const file = join(ROOT, 'scene.js');
  const text = [
    "import { a } from './lab/a.js';",
    "import './lab/b.js';",
    "export { c } from './lab/c.js';",
    "const d = await import('./lab/d.js');",
    'import {\n  e,\n  f,\n} from "./lab/e.js";',
    "import { g } from './labels.js';", // a sibling named lab-something is not the lab
    "import * as three from 'three';",
  ].join('\n');
  assert.deepEqual(edgesInto(file, text), [
    'scene.js -> lab/a.js',
    'scene.js -> lab/b.js',
    'scene.js -> lab/c.js',
    'scene.js -> lab/d.js',
    'scene.js -> lab/e.js',
  ]);
});

test('no module outside lab/ imports from lab/', () => {
  const files = sources(ROOT);
  assert.ok(files.length > 20, `${files.length} modules read`);
  assert.ok(
    files.some((f) => f.includes(`${sep}engine${sep}`)),
    'the engine is read too',
  );
  const edges = files.flatMap((f) => edgesInto(f, readFileSync(f, 'utf8')));
  assert.deepEqual(edges, [], 'the scene and the engine must not depend on the lab');
});
