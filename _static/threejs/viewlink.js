// View links: a page URL's hash that pins what a scene shows,
//   #scenario=ID&step=N&layer=L&scene=K
// (N a recorded training step, L a hidden layer counted from 1, K the K-th scene on the page,
// default the first; every key optional). Pure: no three, no DOM.

const KEYS = ['scenario', 'step', 'layer', 'scene'];
const WHOLE = /^\d{1,9}$/;

/**
 * Read a hash. Returns null when it is not a view link at all (an ordinary anchor such as
 * "#fallback-ch3"), or {view, error}: error is a short sentence for the reader when the link is
 * a view link that cannot be read.
 */
export function parseViewHash(hash) {
  const text = String(hash ?? '').replace(/^#/, '');
  if (!text || !KEYS.some((k) => text.startsWith(`${k}=`))) return null;
  let params;
  try {
    params = new URLSearchParams(text);
  } catch {
    return { view: null, error: 'This link to a view of the scene cannot be read.' };
  }
  const view = {};
  for (const [key, value] of params) {
    if (!KEYS.includes(key))
      return { view: null, error: `This link to a view has an unknown part "${key}".` };
    if (key === 'scenario') view.scenario = value;
    else if (!WHOLE.test(value))
      return {
        view: null,
        error: `In this link to a view, ${key} must be a whole number, not "${value}".`,
      };
    else view[key] = Number(value);
  }
  if (view.scene !== undefined && view.scene < 1)
    return { view: null, error: 'In this link to a view, scene counts from 1.' };
  return { view, error: null };
}

/** The hash of a view; keys left out where the view does not set them. */
export function formatViewHash({ scenario, step, layer, scene } = {}) {
  const parts = [];
  if (scenario != null) parts.push(`scenario=${encodeURIComponent(scenario)}`);
  if (step != null) parts.push(`step=${step}`);
  if (layer != null) parts.push(`layer=${layer}`);
  if (scene != null && scene !== 1) parts.push(`scene=${scene}`);
  return `#${parts.join('&')}`;
}

/**
 * Check a view against what a scene can show. `sources` are the scene's frame sources (see
 * framesource.js). Returns {source, stepIndex, layer} (stepIndex and layer null where the view
 * leaves them out) or {error} with a short sentence naming what is wrong.
 */
export function resolveView(view, sources, current) {
  const source =
    view.scenario === undefined ? current : sources.find((s) => s.id === view.scenario);
  if (!source)
    return { error: `This scene has no scenario "${view.scenario}"; it shows its default view.` };
  let stepIndex = null;
  if (view.step !== undefined) {
    stepIndex = source.indexOfStep(view.step);
    if (stepIndex < 0) {
      const first = source.frame(0).step;
      const last = source.frame(source.length - 1).step;
      return {
        error: `Training step ${view.step} is not recorded for "${source.title}" (steps ${first} to ${last}); the scene shows its default view.`,
      };
    }
  }
  const hidden = source.network.layers.length - 2;
  const word = source.kind === 'rnn' ? 'time step' : 'layer';
  if (view.layer !== undefined && (view.layer < 1 || view.layer > hidden)) {
    return {
      error: `There is no ${word} ${view.layer} in "${source.title}" (1 to ${hidden}); the scene shows its default view.`,
    };
  }
  return { source, stepIndex, layer: view.layer ?? null };
}
