// Typesets TeX as SVG while the book builds (driven by gradbook_math.py), so readers' browsers
// load no MathJax at all. One JSON request per line in ({tex, display}), one JSON reply per
// line out ({html} or {error}). MathJax comes from the pinned npm package in node_modules.
'use strict';
const readline = require('node:readline');

require('mathjax')
  .init({
    loader: { load: ['input/tex', 'output/svg', 'a11y/assistive-mml'] },
    // Every formula carries its own glyph paths: no page-wide cache to keep in step.
    svg: { fontCache: 'none' },
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const lines = readline.createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      let reply;
      try {
        const { tex, display } = JSON.parse(line);
        const html = adaptor.outerHTML(MathJax.tex2svg(tex, { display }));
        // MathJax marks a TeX error in the output instead of throwing.
        reply = html.includes('data-mjx-error')
          ? { error: html.match(/data-mjx-error="([^"]*)"/)[1] }
          : { html };
      } catch (err) {
        reply = { error: String(err && err.message ? err.message : err) };
      }
      process.stdout.write(`${JSON.stringify(reply)}\n`);
    });
  })
  .catch((err) => {
    process.stderr.write(`tex2svg: MathJax failed to start: ${err}\n`);
    process.exit(1);
  });
