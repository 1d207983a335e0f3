// The scene inside the lab: one SceneInstance, mounted with the first run and handed each new
// run's live frame source after (a network of the same shape keeps its meshes and the reader's
// camera); where WebGL is missing or taken back, a message in its place, and the lab goes on
// through its table and plots.
import { el } from '../dom.js';
import { SceneInstance } from '../instance.js';

const ID = 'lab'; // the scene's one scenario

export class LabStage {
  /** `box` is the scene's container; onScrub(index) runs when the reader moves its slider. */
  constructor(box, colorScale, { onScrub = () => {} } = {}) {
    this.box = box;
    this.colorScale = colorScale;
    this.onScrub = onScrub;
    this.instance = null;
    this.failed = false;
  }

  /** Show `scenario` (a decoded payload's, with one step) drawn from `source`'s frames. */
  show(scenario, source) {
    this.source = source;
    if (this.instance) {
      Object.assign(this.instance.payload.scenarios[0], { ...scenario, id: ID });
      this.instance.sources = [source];
      this.instance.setScenario(ID, { announce: false });
    } else if (!this.failed) this.#mount({ ...scenario, id: ID });
  }

  /** Move the scene to frame `index` of its source. */
  setStep(index) {
    this.instance?.setStep(index);
  }

  /** Hold the backward pulse (it would restart at every new step while training). */
  pause() {
    this.instance?.pause();
  }

  #mount(scenario) {
    const payload = { colorScale: this.colorScale, scenarios: [scenario] };
    let instance;
    try {
      instance = new SceneInstance(this.box, payload, {
        onLost: (s) => {
          s.dispose();
          this.#say(
            'The 3D scene stopped: the browser took back its WebGL context. The table and the plots still follow the network.',
          );
        },
      });
    } catch (err) {
      // No WebGL, say: the lab still works, through its table and plots.
      console.warn('gradbook lab: no scene:', err);
      this.failed = true;
      this.#say(
        'The 3D scene cannot run in this browser; the table and the plots below show the same numbers.',
      );
      this.box.dataset.gradbookStatus = 'fault';
      return;
    }
    instance.sources = [this.source];
    instance.setScenario(ID, { announce: false });
    // The scene's own link button speaks of a chapter's views; the lab's link is the one above.
    instance.ui.copyLink.parentElement.hidden = true;
    instance.ui.labLink.parentElement.hidden = true; // this is the lab already
    instance.ui.scrub.addEventListener('input', () =>
      this.onScrub(Number(instance.ui.scrub.value)),
    );
    this.instance = instance;
    window.gradbook.scenes.push(instance);
  }

  #say(text) {
    this.box.replaceChildren(el('p', { class: 'gradbook-scene-message', role: 'status', text }));
  }
}
