// One stage of a scene: the three drawing (scene.js) and its labels (overlay.js) for one frame
// source. A scene has one pane, or two side by side in compare mode, all driven by one Player.

import { LabelOverlay } from './overlay.js';
import { GradientScene } from './scene.js';
import { structureOf } from './structure.js';

export class Pane {
  /**
   * @param {object} parts one entry of controls.buildShell(...).panes
   * @param {object} colorScale the payload's (one scale for every pane)
   * @param {object} options for GradientScene (reducedMotion, onFrame)
   */
  constructor(parts, colorScale, options) {
    this.parts = parts;
    this.scene = new GradientScene(parts.stage, colorScale, options);
    this.overlay = new LabelOverlay(parts.labels, parts, colorScale);
    this.selected = null;
  }

  setSource(source) {
    this.source = source;
    this.structure = structureOf(source);
    this.scene.setNetwork(source, this.structure);
    this.overlay.setNetwork(source, this.structure);
    this.parts.hintText.textContent = this.structure.hint;
    this.parts.name.textContent = source.title;
    this.select(null);
  }

  /** Draw where the player is. Returns true while a swell still needs frames. */
  show(player, now, step) {
    const frame = this.frameAt(step);
    // Beside another network, say when this one shows an earlier step than the scene's.
    const name =
      frame.step < step ? `${this.source.title} (its last step: ${frame.step})` : this.source.title;
    if (this.parts.name.textContent !== name) this.parts.name.textContent = name;
    this.overlay.update(frame, player);
    return this.scene.show(frame, (li) => player.isLit(li), {
      progress: player.displayProgress,
      now,
      wave: !player.complete,
    });
  }

  /**
   * The frame this pane shows at training step `step` of the scene's first source: its own
   * latest frame at or before it (its first frame before any), so that a network that stopped
   * early (its loss turned NaN) keeps showing how it ended.
   */
  frameAt(step) {
    const src = this.source;
    const exact = src.indexOfStep(step);
    if (exact >= 0) return src.frame(exact);
    // Frames come in increasing steps: a binary search reads a few of them, not every one
    // before `step` (a run opened from a file makes its frames when they are read).
    let lo = 0;
    let hi = src.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (src.frame(mid).step <= step) lo = mid;
      else hi = mid - 1;
    }
    return src.frame(lo);
  }

  /** Mark hidden layer li (1-based) as selected, or none. */
  select(li) {
    this.selected = li;
    this.scene.setSelection(li);
    this.overlay.select(li);
  }

  /** After each drawn frame: labels follow the camera. */
  place(player) {
    this.overlay.place(this.scene, player);
  }

  dispose() {
    this.scene.dispose();
  }
}
