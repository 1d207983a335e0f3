// The scene's DOM: native HTML controls, the colour legend, the per-layer labels over the canvas
// and the live summary for screen readers. No three here; instance.js wires these to the scene.
//
// Native elements (button, input type=range, select) give keyboard operation, focus and
// screen-reader names for free; the CSS only adds a visible focus ring and layout.

import { legendTicks, log10OfMagnitude, scalePosition } from './colorscale.js';
import { el } from './dom.js';
import { formatPowerOfTen } from './format.js';

let uid = 0;

/** Speeds offered, as multiples of the default pace. */
export const SPEEDS = [0.5, 1, 2, 4];

/**
 * Build the scene's markup inside `container` (keeping its <noscript>) and return the elements
 * that instance.js needs. Nothing is wired here.
 */
export function buildShell(container, payload, scenario, { panes = 1 } = {}) {
  const id = `gradbook-scene-${++uid}`;
  const scale = payload.colorScale;
  for (const child of [...container.children]) if (child.tagName !== 'NOSCRIPT') child.remove();

  const title = el('p', { class: 'gradbook-scene-title', id: `${id}-title` });
  const summary = el('p', { class: 'gradbook-scene-desc' });
  const head = el('div', { class: 'gradbook-scene-head' }, title, summary);

  // What the stage shows, in words: filled at once and kept current, but not live (no chatter).
  // Hidden, it still describes the stage: aria-describedby reads hidden elements.
  const desc = el('p', { class: 'gradbook-scene-text', id: `${id}-desc`, hidden: true });
  const stageParts = Array.from({ length: panes }, (_, i) =>
    buildStage(`${id}-title`, `${id}-desc`, i, panes),
  );
  const stages = el(
    'div',
    { class: `gradbook-scene-stages${panes > 1 ? ' is-compare' : ''}` },
    ...stageParts.map((p) => p.stage),
    desc,
  );

  // Controls, each with a visible label.
  const play = el('button', {
    type: 'button',
    class: 'gradbook-scene-play',
    'aria-pressed': 'false',
    text: 'Play',
  });
  const stepLayer = el('button', {
    type: 'button',
    class: 'gradbook-scene-step',
    text: 'Step one layer',
  });
  const scrub = el('input', {
    type: 'range',
    id: `${id}-scrub`,
    class: 'gradbook-scene-scrub',
    min: 0,
    max: Math.max(0, scenario.steps.length - 1),
    step: 1,
    value: 0,
  });
  const stepOut = el('output', { class: 'gradbook-scene-stepout', for: `${id}-scrub` });
  const scrubLabel = el('label', { for: `${id}-scrub`, text: 'Training step' });
  const speed = el('select', { id: `${id}-speed`, class: 'gradbook-scene-speed' });
  for (const s of SPEEDS)
    speed.append(el('option', { value: s, text: `${s}×`, selected: s === 1 }));
  const speedLabel = el('label', { for: `${id}-speed`, text: 'Speed' });

  const scenarioSel = el('select', { id: `${id}-scenario`, class: 'gradbook-scene-scenario' });
  for (const sc of payload.scenarios)
    scenarioSel.append(
      el('option', { value: sc.id, text: sc.title, selected: sc.id === scenario.id }),
    );
  const scenarioLabel = el('label', { for: `${id}-scenario`, text: 'Scenario' });
  const scenarioGroup = el(
    'span',
    { class: 'gradbook-scene-field', hidden: payload.scenarios.length < 2 || panes > 1 },
    scenarioLabel,
    scenarioSel,
  );

  const resetCam = el('button', {
    type: 'button',
    class: 'gradbook-scene-reset',
    text: 'Reset camera',
  });
  const full = el('button', {
    type: 'button',
    class: 'gradbook-scene-full',
    text: 'Full screen',
    hidden: !document.fullscreenEnabled,
  });
  const copyLink = el('button', {
    type: 'button',
    class: 'gradbook-scene-copylink',
    text: 'Copy link to this view',
  });
  // The lab page, opened on the network shown (its href follows the scenario).
  const labLink = el('a', {
    class: 'gradbook-scene-lablink',
    text: 'Open this network in the lab',
  });
  // The link itself, shown once asked for, so it can be copied by hand where the clipboard is refused.
  const linkOut = el('input', {
    type: 'text',
    class: 'gradbook-scene-link',
    readonly: true,
    'aria-label': 'Link to this view',
    hidden: true,
  });

  const controls = el(
    'div',
    { class: 'gradbook-scene-controls', role: 'group', 'aria-label': 'Scene controls' },
    el('span', { class: 'gradbook-scene-field' }, play, stepLayer),
    el(
      'span',
      { class: 'gradbook-scene-field gradbook-scene-field-wide' },
      scrubLabel,
      scrub,
      stepOut,
    ),
    el('span', { class: 'gradbook-scene-field' }, speedLabel, speed),
    scenarioGroup,
    el('span', { class: 'gradbook-scene-field' }, resetCam, full),
    el('span', { class: 'gradbook-scene-field gradbook-scene-field-link' }, copyLink, linkOut),
    el('span', { class: 'gradbook-scene-field' }, labLink),
  );

  const legend = buildLegend(scale);
  // The status line: what is shown now, always current (not live: it would chatter while playing).
  const status = el('p', { class: 'gradbook-scene-status' });
  // Short notes, e.g. a link to a view that cannot be shown; announced politely.
  const notice = el('p', { class: 'gradbook-scene-notice', role: 'status', hidden: true });
  // Announcements of the reader's actions, for screen readers only.
  const live = el('p', { class: 'gradbook-scene-live', id: `${id}-live`, 'aria-live': 'polite' });

  container.append(head, notice, stages, status, legend, controls, live);
  const first = stageParts[0];
  return {
    id,
    head,
    title,
    summary,
    panes: stageParts,
    stage: first.stage,
    labels: first.labels,
    topbar: first.topbar,
    loss: first.loss,
    hint: first.hint,
    desc,
    play,
    stepLayer,
    scrub,
    stepOut,
    speed,
    scenarioSel,
    resetCam,
    full,
    copyLink,
    linkOut,
    labLink,
    legend,
    status,
    notice,
    live,
  };
}

/** One stage: the canvas's box, its labels and its top strip (the hint at the left, the loss at the right). */
function buildStage(titleId, descId, index, count) {
  const labels = el('div', { class: 'gradbook-scene-labels', 'aria-hidden': 'true' });
  const name = el('span', { class: 'gradbook-scene-pane-name', hidden: count < 2 });
  const hint = el(
    'p',
    { class: 'gradbook-scene-hint' },
    name,
    el('span', { class: 'gradbook-scene-hint-text' }),
  );
  const loss = el('span', { class: 'gradbook-scene-label gradbook-scene-label-loss' });
  // The camera leaves room for the top strip, so it never covers a neuron or a label.
  const topbar = el('div', { class: 'gradbook-scene-topbar', 'aria-hidden': 'true' }, hint, loss);
  const stage = el(
    'div',
    {
      class: 'gradbook-scene-stage',
      role: 'img',
      'aria-labelledby': titleId,
      'aria-describedby': descId,
      'data-pane': index,
    },
    labels,
    topbar,
  );
  return { stage, labels, topbar, loss, hint, name, hintText: hint.lastChild };
}

/**
 * The legend: the payload's own table as a strip, ticked at whole powers of ten. It is built
 * once from the payload and never changes, like the scale it explains.
 */
export function buildLegend(scale) {
  const n = scale.table.length;
  const stops = [];
  const samples = Math.min(n, 32);
  for (let i = 0; i < samples; i++) {
    const idx = Math.round((i / (samples - 1)) * (n - 1));
    stops.push(`${scale.table[idx]} ${((100 * idx) / (n - 1)).toFixed(2)}%`);
  }
  const strip = el('div', { class: 'gradbook-scene-legend-strip' });
  strip.style.background = `linear-gradient(to right, ${stops.join(', ')})`;
  const ticks = el('div', { class: 'gradbook-scene-legend-ticks' });
  for (const t of legendTicks(scale)) {
    const tick = el('span', {
      class: 'gradbook-scene-legend-tick',
      text: formatPowerOfTen(t.exponent),
    });
    tick.style.left = `${(100 * t.position).toFixed(2)}%`;
    ticks.append(tick);
  }
  const swatch = (cls, color, text) => {
    const s = el('span', { class: `gradbook-scene-swatch ${cls}` });
    if (color) s.style.setProperty('--swatch', color);
    return el('span', { class: 'gradbook-scene-key' }, s, text);
  };
  const keys = el(
    'div',
    { class: 'gradbook-scene-legend-keys' },
    swatch(
      'gradbook-scene-swatch-unit',
      scale.table[0],
      `0, or ${formatPowerOfTen(scale.log10Min)} and below`,
    ),
    swatch('gradbook-scene-swatch-inf', scale.inf, '∞ overflow (diamond)'),
    swatch('gradbook-scene-swatch-nan', scale.nan, 'NaN (square)'),
    swatch('gradbook-scene-swatch-unlit', null, 'not reached yet (outline)'),
  );
  // Where the read-out's gradient and one layer's sit on the strip (setLegendMarks): their
  // distance is the decades lost, on the scale the dots are coloured by.
  const marks = el('div', { class: 'gradbook-scene-legend-marks', 'aria-hidden': 'true' });
  // Keys for what this network is made of (skip paths, batch norm, shared weights); filled per network.
  const structureKeys = el('div', {
    class: 'gradbook-scene-legend-keys gradbook-scene-legend-structure',
  });
  const caption = el('p', {
    class: 'gradbook-scene-legend-caption',
    text:
      'Gradient size on a fixed log scale: bigger, brighter dots mean a bigger gradient. ' +
      'Above each column: the factor its weights and slope multiply the gradient by on the way down. ' +
      'Bars: decades of the output’s gradient gained (up) or lost (down) from the 1× line, on one fixed ruler whose first decades are drawn tallest. ' +
      'Below: the share that reaches each layer. Over the strip: where the read-out’s gradient and the chosen layer’s sit.',
  });
  return el(
    'div',
    {
      class: 'gradbook-scene-legend',
      role: 'img',
      'aria-label': `Colour legend: dark is a small gradient, bright a large one, from ${formatPowerOfTen(scale.log10Min)} to ${formatPowerOfTen(scale.log10Max)} on a fixed log scale.`,
    },
    caption,
    marks,
    strip,
    ticks,
    keys,
    structureKeys,
  );
}

/** Share of the legend's strip at either end where a mark's text turns inward. */
const EDGE_ROOM = 0.15;

/**
 * Mark gradient sizes on the legend's strip: `marks` is a list of {text, size} (a gradient
 * norm), placed where the fixed scale puts that size; a NaN or a missing size is left out. The left mark's text
 * ends at its caret and the others' start at theirs, so two close marks never cover each other.
 */
export function setLegendMarks(legend, scale, marks) {
  const box = legend.querySelector('.gradbook-scene-legend-marks');
  const placed = marks
    .filter((m) => m.size != null) // a recorded run's layer not measured at this step
    .map((m) => ({ ...m, log10: log10OfMagnitude(m.size) }))
    .filter((m) => !Number.isNaN(m.log10))
    .map((m) => ({ ...m, at: scalePosition(m.log10, scale) }))
    .sort((a, b) => a.at - b.at);
  box.replaceChildren(
    ...placed.map((m, i) => {
      // Near an end of the strip the text turns inward, so that it stays on the page.
      const left = m.at > 1 - EDGE_ROOM || (m.at >= EDGE_ROOM && i === 0 && placed.length > 1);
      const mark = el('span', {
        class: `gradbook-scene-legend-mark${left ? ' is-left' : ''}`,
        text: left ? `${m.text} ▾` : `▾ ${m.text}`,
      });
      mark.style.left = `${(100 * m.at).toFixed(2)}%`;
      return mark;
    }),
  );
}

/** The legend's keys for what a network is made of. */
export function setStructureKeys(legend, structure) {
  const box = legend.querySelector('.gradbook-scene-legend-structure');
  const keys = [];
  if (structure.skips.length)
    keys.push([
      'gradbook-scene-swatch-skip',
      'skip path: h + F(h) carries the gradient around each block',
    ]);
  if (structure.batchnorm)
    keys.push(['gradbook-scene-swatch-norm', 'batch-norm stage in each layer']);
  if (structure.rnn) {
    keys.push([
      'gradbook-scene-swatch-shared',
      'W_hh: one recurrent matrix, the same at every time step',
    ]);
    keys.push(['gradbook-scene-swatch-input', 'input entering at each time step']);
  }
  box.replaceChildren(
    ...keys.map(([cls, text]) =>
      el(
        'span',
        { class: 'gradbook-scene-key' },
        el('span', { class: `gradbook-scene-swatch ${cls}` }),
        text,
      ),
    ),
  );
  box.hidden = keys.length === 0;
}

/** One label per layer over the canvas: factor above the column, name and running product below. */
export function buildLayerLabels(labelsEl, layers) {
  labelsEl.replaceChildren();
  return layers.map((layer, li) => {
    const top = el('span', { class: 'gradbook-scene-label gradbook-scene-label-top' });
    const name = el('span', { class: 'gradbook-scene-label-name', text: layer.name });
    const value = el('span', { class: 'gradbook-scene-label-value' });
    const bottom = el(
      'span',
      { class: 'gradbook-scene-label gradbook-scene-label-bottom' },
      name,
      value,
    );
    if (layer.shownUnits < layer.units)
      name.title = `${layer.units} units, the first ${layer.shownUnits} shown`;
    labelsEl.append(top, bottom);
    return { li, top, bottom, name, value };
  });
}
