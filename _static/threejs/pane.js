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
  show(player, now) {
    const frame = this.source.frame(player.stepIndex);
    this.overlay.update(frame, player);
    return this.scene.show(frame, (li) => player.isLit(li), {
      progress: player.displayProgress,
      now,
      wave: !player.complete,
    });
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
