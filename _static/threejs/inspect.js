// What a scene shows, read back as data: for the browser tests, the benchmark and the book's
// own scripts. Colours are read from the GPU buffers the scene filled, not from the decisions
// that filled them, so a test of these readings tests what is drawn.

import { LOOK } from './paint.js';

const SHAPE_NAMES = ['filled', 'outline', 'inf', 'nan', 'none']; // by the unit buffer's shape index

/**
 * What one drawing's buffers hold right now: for each unit the shape its point is cut to (its
 * look: input, filled, outline, inf, nan, or none), its colour and its kind; for each bar its
 * colour.
 * @param {import('./scene.js').GradientScene} scene
 */
export function drawnColors(scene) {
  const c = scene._color; // the scene's scratch colour: no three import here
  const net = scene.net;
  const looks = [];
  const colors = [];
  for (let k = 0; k < scene.layout.unitCount; k++) {
    let look = net.unitSize.array[k] > 0 ? SHAPE_NAMES[net.unitShape.array[k]] : 'none';
    if (look === 'filled' && scene._paint.look[k] === LOOK.INPUT) look = 'input';
    looks.push(look);
    if (look === 'none' || look === 'outline') colors.push(null);
    else colors.push(`#${c.fromArray(net.unitColor.array, k * 3).getHexString()}`);
  }
  const bars = scene._barPaint.map((_, j) => {
    net.bars.getColorAt(j, c);
    return `#${c.getHexString()}`;
  });
  // A unit's kind follows its shape: inf and NaN are cut to glyphs of their own.
  const kinds = looks.map((look, k) =>
    look === 'inf' || look === 'nan' ? look : look === 'filled' ? scene._paint.kind[k] : null,
  );
  return { units: colors, looks, kinds, bars };
}

/** One pane's layers as drawn: lit or not, the bar's colour, each unit's colour, kind and look. */
function paneLayers(pane, player) {
  const lay = pane.scene.layout;
  const drawn = drawnColors(pane.scene);
  return pane.source.network.layers.map((layer, li) => {
    const span = (a) => a.slice(lay.layerStart[li], lay.layerStart[li] + lay.layerCount[li]);
    return {
      index: li,
      name: layer.name,
      role: layer.role,
      lit: player.isLit(li),
      color: li === 0 ? null : drawn.bars[li - 1],
      neurons: span(drawn.units),
      kinds: span(drawn.kinds),
      looks: span(drawn.looks),
    };
  });
}

/**
 * Everything the reader of a scene sees, as data: which scenario and training step, where the
 * pulse is, the selected layer, the colours drawn in each pane.
 * @param {import('./instance.js').SceneInstance} instance
 */
export function sceneState(instance) {
  const p = instance.player;
  const src = instance.source;
  const step = src.frame(p.stepIndex).step;
  const first = instance.panes[0];
  const panes = instance.panes.map((pane) => ({
    scenario: pane.source.id,
    step: pane.frameAt(step).step,
    skips: [...pane.structure.skips],
    layers: paneLayers(pane, p),
  }));
  return {
    scenario: src.id,
    compare: instance.compare ? instance.compare.map((s) => s.id) : null,
    stepIndex: p.stepIndex,
    step,
    selectedLayer: instance.selectedLayer,
    playing: p.playing,
    progress: p.progress,
    litLayers: p.lit,
    pulseLayer: p.pulseLayer,
    complete: p.complete,
    reducedMotion: instance.reducedMotion,
    speed: p.speed,
    frames: instance.scene.frames,
    drawCalls: instance.scene.renderer.info.render.calls,
    theme: instance.scene.theme,
    structure: {
      rnn: first.structure.rnn,
      skips: [...first.structure.skips],
      batchnorm: first.structure.batchnorm,
    },
    layers: panes[0].layers, // the first pane's, read once
    panes,
  };
}

/** Where a neuron of a drawing is: CSS px in the page, and device px in its canvas. */
export function unitPosition(scene, layerIndex, unit) {
  const lay = scene.layout;
  const k = lay.layerStart[layerIndex] + unit;
  const pt = scene.project(
    lay.positions[3 * k],
    lay.positions[3 * k + 1],
    lay.positions[3 * k + 2],
  );
  const rect = scene.canvas.getBoundingClientRect();
  const ratio = scene.canvas.width / rect.width;
  return {
    pageX: rect.left + pt.x,
    pageY: rect.top + pt.y,
    canvasX: Math.round(pt.x * ratio),
    canvasY: Math.round(pt.y * ratio),
  };
}

/** Draw now and read one pixel of a drawing's canvas (device px from the top left) as '#rrggbb'. */
export function readPixel(scene, x, y) {
  scene.renderNow();
  const gl = scene.renderer.getContext();
  const buf = new Uint8Array(4);
  gl.readPixels(x, gl.drawingBufferHeight - 1 - y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, buf);
  return `#${[buf[0], buf[1], buf[2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
