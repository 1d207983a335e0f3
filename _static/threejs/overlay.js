// The labels over the canvas: each layer's name and share of the output's gradient under the
// meter, each factor over the column whose weights and slope produce it, and the meter's decade
// marks. Text changes only with the frame or the pulse's layer; positions follow the camera after
// every drawn frame. Which labels show, so that none covers another, is labels.js's choice.

import { colorForLog10, log10OfMagnitude } from './colorscale.js';
import { buildLayerLabels } from './controls.js';
import { formatFactor, formatNumber, formatPowerOfTen } from './format.js';
import { placeLabels } from './labels.js';
import { meterHeight } from './meter.js';
import { accuracyWords } from './words.js';

/** Least room between two labels of a row, and the least room a label takes, in CSS px. */
const LABEL_GAP = 8;
const LABEL_MIN_W = 40;
/** Meter marks labelled, in decades from "1 ×", most wanted first: "1 ×", one decade lost or
 * gained (the steep part of meter.js's scale), every fifth, the ends. */
const METER_MARKS = [0, -1, 1, -5, 5, -10, 10];
/** Least distance between two meter marks for both to be written, in CSS px. */
const MARK_ROOM = 15;

export class LabelOverlay {
  /** @param {{loss: HTMLElement, topbar: HTMLElement}} ui from controls.buildShell */
  constructor(labelsEl, ui, scale) {
    this.el = labelsEl;
    this.ui = ui;
    this.scale = scale;
    this._pt = {};
  }

  setNetwork(source, structure) {
    this.source = source;
    this.structure = structure;
    this.labels = buildLayerLabels(
      this.el,
      source.network.layers.map((l, li) => ({ ...l, name: labelName(structure, li) })),
    );
    this.marks = METER_MARKS.map((d) => {
      const mark = document.createElement('span');
      mark.className = 'gradbook-scene-label gradbook-scene-label-mark';
      mark.textContent = d === 0 ? '1×' : formatPowerOfTen(d);
      this.el.append(mark);
      return { d, el: mark };
    });
    this._textKey = null;
    this._sizedKey = null;
  }

  /** Highlight the labels of the selected hidden layer (a view link's layer=L), or none. */
  select(li) {
    this.selected = li; // placed first, so that its name shows whatever else must give way
    this._sizedKey = null;
    for (const lab of this.labels) {
      lab.top.classList.toggle('is-selected', lab.li === li);
      lab.bottom.classList.toggle('is-selected', lab.li === li);
    }
  }

  /** Label texts for a frame, where the pulse is (player), only when either changed. */
  update(frame, player) {
    const key = `${player.stepIndex}:${player.lit}:${frame.step}`;
    if (key === this._textKey) return;
    this._textKey = key;
    const { structure } = this;
    const scale = this.scale;
    const pulse = player.complete ? -1 : player.pulseLayer;
    for (const lab of this.labels) {
      const { li } = lab;
      const lit = player.isLit(li);
      lab.top.classList.toggle('is-pulse', li === pulse);
      lab.bottom.classList.toggle('is-pulse', li === pulse);
      lab.bottom.classList.toggle('is-unlit', !lit && li !== 0);
      lab.value.textContent = '';
      lab.value.classList.remove('is-nonfinite');
      if (li === 0) lab.value.textContent = structure.rnn ? '' : 'data';
      else if (lit && li <= structure.hidden && frame.layers[li - 1].product !== null) {
        const ls = frame.layers[li - 1];
        lab.value.textContent = formatNumber(ls.product);
        const c = colorForLog10(log10OfMagnitude(ls.product), scale);
        lab.value.classList.toggle('is-nonfinite', c.kind === 'inf' || c.kind === 'nan');
      }
      // The factor of the layer below, made by this column's weights and slope.
      const below = structure.factorOfColumn(li);
      // null: a recorded run's factor over a layer not measured at this step (runfile.js).
      const shown =
        below !== null && player.isLit(below) && frame.layers[below - 1].factor !== null;
      const factor = shown ? frame.layers[below - 1].factor : null;
      lab.top.textContent = shown ? formatFactor(factor) : '';
      lab.top.classList.toggle('is-nonfinite', shown && !Number.isFinite(factor));
    }
    const right = accuracyWords(frame);
    this.ui.loss.textContent = `loss ${formatNumber(frame.loss, { digits: 3 })}${right ? ` · ${right}` : ''}`;
    this.ui.loss.classList.toggle('is-nonfinite', !Number.isFinite(frame.loss));
  }

  /**
   * After each frame, move the labels to where their layers are drawn: names and shares under
   * the meter in up to two rows, factors above the columns under the top strip. Labels that would
   * cover another are left out; the pulse's layer, the input and the read-out go first.
   */
  place(scene, player) {
    const { labels } = this;
    const lay = scene.layout;
    const H = this.structure.hidden;
    const width = scene.canvas.clientWidth;
    const height = scene.canvas.clientHeight;
    if (this._sizedKey !== this._textKey) {
      // Sizes change with the text only, and reading them forces a layout: once per change.
      // Thinned labels are shown for it (not painted: placing them below hides them again).
      this._sizedKey = this._textKey;
      for (const lab of labels) lab.top.hidden = lab.bottom.hidden = false;
      for (const lab of labels) {
        lab.tw = lab.top.textContent ? lab.top.offsetWidth : 0;
        lab.bw = lab.name.textContent ? lab.bottom.offsetWidth : 0;
      }
      this._rowH = Math.max(...labels.map((l) => l.bottom.offsetHeight)) + 4;
      this._minTop =
        this.ui.topbar.offsetHeight + Math.max(...labels.map((l) => l.top.offsetHeight));
    }
    const pt = this._pt;
    const pulse = player.complete ? -1 : player.pulseLayer;
    const rank = (li) =>
      li === this.selected ? 3 : li === pulse ? 2 : li === 0 || li === H + 1 ? 1 : 0;
    let low = 0;
    const bottom = labels.map((lab) => {
      scene.project(lay.layerX[lab.li], scene.barBase - 0.35, 0, pt);
      low = Math.max(low, pt.y);
      // A name without a number stays in the first row: the second is for numbers.
      return {
        x: pt.x,
        y: pt.y,
        w: pt.visible ? lab.bw : 0,
        rank: rank(lab.li),
        rows: lab.value.textContent ? 2 : 1,
      };
    });
    const rowH = this._rowH;
    const rows = low + 2 * rowH <= height ? 2 : 1;
    const below = placeLabels(bottom, { gap: LABEL_GAP, rows, width, minW: LABEL_MIN_W });
    // A factor is shown only over a layer whose name is shown.
    const topY = scene.net.topY;
    const top = labels.map((lab, i) => {
      scene.project(lay.layerX[lab.li], topY, 0, pt);
      return { x: pt.x, y: pt.y, w: below[i].show && pt.visible ? lab.tw : 0, rank: rank(lab.li) };
    });
    const above = placeLabels(top, { gap: LABEL_GAP, width });
    let namesTop = height; // the top of the names' first row, which the meter's marks keep clear of
    labels.forEach((lab, i) => {
      const y = Math.min(bottom[i].y, height - rows * rowH) + below[i].row * rowH;
      if (below[i].show) namesTop = Math.min(namesTop, y);
      place(lab.bottom, below[i].x, y, below[i].show);
      place(lab.top, above[i].x, Math.min(height, Math.max(top[i].y, this._minTop)), above[i].show);
    });
    // The meter's marks, where there is room: "1×" always, each other one only when it is far
    // enough on screen from every mark already written, and from the names under the meter,
    // for their text not to touch.
    const markX = lay.layerX[1] - 1.05;
    const written = [];
    for (const m of this.marks) {
      const y = scene.net.meterZero + meterHeight(m.d, scene.net.meterStretch);
      scene.project(markX, y, 0, pt);
      const clear =
        m.d === 0 ||
        (pt.y + MARK_ROOM / 2 <= namesTop && written.every((w) => Math.abs(w - pt.y) >= MARK_ROOM));
      const show = pt.visible && pt.x > 24 && clear;
      if (show) written.push(pt.y);
      place(m.el, pt.x, pt.y, show);
    }
  }
}

/** A column's name under the meter: the read-out named as such; a recurrent net's input column is not drawn. */
function labelName(structure, li) {
  if (structure.rnn && li === 0) return '';
  return structure.displayName(li);
}

/** Move a label; a position it already has is not written again (a write restyles the page). */
function place(node, x, y, show) {
  const t = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
  if (node._gbTransform !== t) {
    node._gbTransform = t;
    node.style.transform = t;
  }
  if (node.hidden === show) node.hidden = !show;
}
