// The lab's controls: native, labelled form elements built from labconfig.js's KEYS (the shared
// SPEC's), so the ranges the reader can pick are exactly the ones a link may hold. The form
// reads itself as hash text (readForm) and labconfig.js checks it, so a typed value out of
// range gets the same message and the same fallback as a bad link. Only DOM here: no three, no engine.

import { el } from '../dom.js';
import { INITS, KEYS, NORMAL_STD } from '../labconfig.js';

let uid = 0;

const LABELS = {
  model: 'Network',
  depth: 'Depth (hidden layers)',
  width: 'Width (units per layer)',
  activation: 'Activation',
  init: 'Initialization',
  batchnorm: 'Batch normalization',
  residual: 'Residual connections',
  loss: 'Loss',
  lr: 'Learning rate',
  momentum: 'Momentum',
  'batch-size': 'Batch size',
  seed: 'Seed',
  steps: 'Time steps',
  rho: 'Largest singular value ρ of the recurrent matrix',
  'rnn-activation': 'Recurrent activation',
  'clip-norm': 'Clip the gradient norm',
};

const CHOICE_TEXT = {
  mlp: 'Deep feed-forward network (MLP)',
  rnn: 'Recurrent network (RNN)',
  cross_entropy: 'cross-entropy',
  mse: 'mean squared error',
  leaky_relu: 'leaky ReLU',
  relu: 'ReLU',
  'xavier-uniform': 'Xavier (uniform)',
  xavier: 'Xavier (normal)',
  he: 'He',
  standard: 'standard (std 1)',
  normal: 'normal, with the weight scale below',
};

const SLIDERS = { depth: 1, width: 1, steps: 1, rho: 0.01 }; // key -> slider step
const LOG_MIN = Math.log10(NORMAL_STD.min);
const LOG_MAX = Math.log10(NORMAL_STD.max);

/** A weight scale on the knob's log axis, rounded to three significant digits for the link. */
export function scaleOfKnob(position) {
  return Number((10 ** Number(position)).toPrecision(3));
}

function field(id, key, control, extra = []) {
  return el(
    'div',
    { class: `gradbook-lab-field gradbook-lab-field-${key}` },
    el('label', { for: id, text: LABELS[key] ?? key }),
    control,
    ...extra,
  );
}

/**
 * Build the controls into `root` and return { inputs, groups, outputs, more }: inputs[key] is
 * the element holding that key (init also has inputs.scale, the knob; clip-norm inputs.clipOn);
 * `more` is the <details> holding every control but the network, its depth, activation and
 * initialization (or a recurrent network's time steps, activation and ρ).
 */
export function buildForm(root) {
  const id = `gradbook-lab-${++uid}`;
  const inputs = {};
  const outputs = {};
  const make = (key) => {
    const spec = KEYS[key];
    const fid = `${id}-${key}`;
    if (spec.choices || spec.init) {
      const choices = spec.init ? [...INITS, 'normal'] : spec.choices;
      const sel = el('select', { id: fid, name: key });
      for (const c of choices) sel.append(el('option', { value: c, text: CHOICE_TEXT[c] ?? c }));
      inputs[key] = sel;
      if (!spec.init) return field(fid, key, sel);
      const kid = `${fid}-scale`;
      const knob = el('input', {
        type: 'range',
        id: kid,
        min: LOG_MIN,
        max: LOG_MAX,
        step: 0.01,
        value: Math.log10(0.3),
      });
      const out = el('output', { for: kid });
      inputs.scale = knob;
      outputs.scale = out;
      const knobField = el(
        'div',
        { class: 'gradbook-lab-field gradbook-lab-field-scale' },
        el('label', { for: kid, text: 'Weight scale (std of the normal init, log axis)' }),
        knob,
        out,
      );
      return el('div', { class: 'gradbook-lab-init' }, field(fid, key, sel), knobField);
    }
    if (spec.bool) {
      const box = el('input', { type: 'checkbox', id: fid, name: key });
      inputs[key] = box;
      return el(
        'div',
        { class: `gradbook-lab-field gradbook-lab-check gradbook-lab-field-${key}` },
        box,
        el('label', { for: fid, text: LABELS[key] }),
      );
    }
    if (spec.clip) {
      const on = el('input', { type: 'checkbox', id: `${fid}-on` });
      const num = el('input', {
        type: 'number',
        id: fid,
        name: key,
        min: 0,
        step: 'any',
        value: 1,
      });
      inputs.clipOn = on;
      inputs[key] = num;
      return el(
        'div',
        { class: 'gradbook-lab-field gradbook-lab-field-clip' },
        el(
          'span',
          { class: 'gradbook-lab-check' },
          on,
          el('label', { for: on.id, text: LABELS[key] }),
        ),
        el('label', { for: fid, text: 'Clip threshold' }),
        num,
      );
    }
    const range = spec.int ?? spec.number;
    if (key in SLIDERS) {
      const input = el('input', {
        type: 'range',
        id: fid,
        name: key,
        min: range[0],
        max: range[1],
        step: SLIDERS[key],
      });
      const out = el('output', { for: fid });
      inputs[key] = input;
      outputs[key] = out;
      return field(fid, key, input, [out]);
    }
    const input = el('input', {
      type: 'number',
      id: fid,
      name: key,
      min: range[0],
      max: range[1],
      step: spec.int ? 1 : 'any',
      inputmode: spec.int ? 'numeric' : 'decimal',
    });
    inputs[key] = input;
    return field(fid, key, input);
  };
  const group = (legend, keys, cls) =>
    el(
      'fieldset',
      { class: `gradbook-lab-group ${cls}` },
      el('legend', { text: legend }),
      ...keys.map(make),
    );
  // The few controls a newcomer needs first; the rest one click away in a native <details>.
  const groups = {
    model: group('Network', ['model'], 'gradbook-lab-model'),
    mlp: group('Deep feed-forward network', ['depth', 'activation', 'init'], 'gradbook-lab-mlp'),
    rnn: group('Recurrent network', ['steps', 'rnn-activation', 'rho'], 'gradbook-lab-rnn'),
    width: group('Width', ['width'], 'gradbook-lab-width'),
    mlpMore: group('Fixes', ['batchnorm', 'residual'], 'gradbook-lab-mlp-more'),
    rnnMore: group('Clipping', ['clip-norm'], 'gradbook-lab-rnn-more'),
    training: group(
      'Training',
      ['loss', 'lr', 'momentum', 'batch-size', 'seed'],
      'gradbook-lab-training',
    ),
  };
  const more = el(
    'details',
    { class: 'gradbook-lab-more' },
    el('summary', { text: 'More settings: width, fixes, training' }),
    el(
      'div',
      { class: 'gradbook-lab-more-body' },
      groups.width,
      groups.mlpMore,
      groups.rnnMore,
      groups.training,
    ),
  );
  root.append(groups.model, groups.mlp, groups.rnn, more);
  return { inputs, groups, outputs, more };
}

/** The form's values as hash text (for labconfig.parseHash), keys as the command line's. */
export function readForm({ inputs }) {
  const parts = [];
  for (const key of Object.keys(KEYS)) {
    const input = inputs[key];
    let value;
    if (KEYS[key].bool) value = input.checked ? '1' : '0';
    else if (key === 'init')
      value = input.value === 'normal' ? `normal:${scaleOfKnob(inputs.scale.value)}` : input.value;
    else if (key === 'clip-norm') value = inputs.clipOn.checked ? input.value.trim() : 'off';
    else value = input.value.trim();
    parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

/** Show `config` (from parseHash) in the form, and only the model's own group of controls. */
export function writeForm(form, config) {
  const { inputs, groups, outputs } = form;
  for (const key of Object.keys(KEYS)) {
    const value = config[key];
    const input = inputs[key];
    if (KEYS[key].bool) input.checked = value;
    else if (key === 'init') {
      const normal = value.startsWith('normal:');
      input.value = normal ? 'normal' : value;
      if (normal) inputs.scale.value = String(Math.log10(Number(value.slice(7))));
      inputs.scale.disabled = !normal;
    } else if (key === 'clip-norm') {
      inputs.clipOn.checked = value !== null;
      if (value !== null) input.value = String(value);
      input.disabled = value === null;
    } else input.value = String(value);
  }
  outputs.scale.textContent = String(scaleOfKnob(inputs.scale.value));
  for (const key of Object.keys(SLIDERS)) outputs[key].textContent = String(config[key]);
  const rnn = config.model === 'rnn';
  groups.mlp.hidden = groups.mlpMore.hidden = rnn;
  groups.rnn.hidden = groups.rnnMore.hidden = !rnn;
}

/** Whether an input event on `target` should re-trace at once (sliders, boxes, menus). */
export function isImmediate(target) {
  return target.type !== 'number';
}
