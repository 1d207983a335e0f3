// Bundles the scene with three and OrbitControls into dist/ (run by `npm run build`).
// dist/ is build output, never committed.

import { build } from 'esbuild';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(here, 'main.js')],
  outfile: join(dist, 'gradbook-scene.js'),
  bundle: true,
  format: 'iife', // a classic script: it runs on pages opened from file:// too
  minify: true,
  target: 'es2020',
  legalComments: 'eof', // keep three's licence notice
  logLevel: 'warning',
});
await build({
  entryPoints: [join(here, 'loader.js')],
  outfile: join(dist, 'gradbook-loader.js'),
  format: 'iife',
  minify: true,
  target: 'es2020',
  logLevel: 'warning',
});

for (const name of ['gradbook-scene.js', 'gradbook-loader.js']) {
  const file = join(dist, name);
  const raw = statSync(file).size;
  const gz = gzipSync(readFileSync(file), { level: 9 }).length;
  console.log(`${name}: ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped`);
}
