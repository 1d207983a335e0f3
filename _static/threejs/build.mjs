// Bundles the scene with three and OrbitControls into dist/ (run by `npm run build`).
// dist/ is build output, never committed.

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
mkdirSync(dist, { recursive: true });

/**
 * three's shaders are strings indented with tabs: constants ("\n\tvec4 c = ...", and every
 * "\n\t" escape in three's build files is inside one) and a few multi-line template literals.
 * GLSL ignores the indentation, and so does JavaScript outside strings, so it goes: about
 * 0.9 KB gzipped of the 150 KB budget. The browser tests check the colours drawn.
 */
const unindentShaders = {
  name: 'unindent-shaders',
  setup(b) {
    b.onLoad({ filter: /[\\/]three[\\/]build[\\/]three\.(module|core)\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8'))
        .replace(/\\n(?:\\t)+/g, '\\n')
        .replace(/\n\t+/g, '\n'),
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [join(here, 'main.js')],
  outfile: join(dist, 'gradbook-scene.js'),
  bundle: true,
  format: 'iife', // a classic script: it runs on pages opened from file:// too
  minify: true,
  target: 'es2020',
  legalComments: 'eof', // keep three's licence notice
  logLevel: 'warning',
  plugins: [unindentShaders],
});
await build({
  entryPoints: [join(here, 'loader.js')],
  outfile: join(dist, 'gradbook-loader.js'),
  format: 'iife',
  minify: true,
  target: 'es2020',
  logLevel: 'warning',
});

// The lab (docs/lab.md): the scene plus the lab's page code, with its Web Worker's script
// inlined as text. The worker is a classic script started from a Blob URL, because Chrome
// starts neither a module worker nor a worker from a file:// URL on a page opened from disk.
const labWorker = await build({
  entryPoints: [join(here, 'lab', 'worker-entry.js')],
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2020',
  write: false,
  logLevel: 'warning',
});
await build({
  entryPoints: [join(here, 'lab', 'page.js')],
  outfile: join(dist, 'gradbook-lab.js'),
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2020',
  legalComments: 'eof',
  logLevel: 'warning',
  plugins: [unindentShaders],
  define: { GRADBOOK_LAB_WORKER_SOURCE: JSON.stringify(labWorker.outputFiles[0].text) },
});

for (const name of ['gradbook-scene.js', 'gradbook-loader.js', 'gradbook-lab.js']) {
  const file = join(dist, name);
  const raw = statSync(file).size;
  const gz = gzipSync(readFileSync(file), { level: 9 }).length;
  console.log(`${name}: ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped`);
}
