// What a network is made of, as the scene draws it: which layers carry a skip path, whether
// each layer normalizes its batch, whether the columns are layers or time steps, and where each
// factor's label belongs. Pure: no three, no DOM. It reads only the frame source's description
// (kind, config, network), so a live engine's network is described the same way as a replay's.
import { hasSkip } from './skip.js';

/**
 * @param {{kind: 'mlp'|'rnn', config?: object, network: {layers: {units: number}[], timeSteps: number|null}}} source
 * @returns {{
 *   kind: string, hidden: number, output: number, rnn: boolean,
 *   unitWord: string, hint: string, skips: number[], batchnorm: boolean,
 *   factorColumn: (li: number) => number, factorOfColumn: (col: number) => number|null,
 *   displayName: (li: number) => string,
 * }}
 *   skips: the hidden layers li whose input h(li-1) is added back to their output (h + F(h)),
 *   so that the gradient reaching li also goes straight to li-1; only where the widths match
 *   (skip.js), so from the input to layer 1 only when the input is as wide as the layers.
 */
export function structureOf(source) {
  const { layers } = source.network;
  const config = source.config ?? {};
  const rnn = source.kind === 'rnn';
  const hidden = layers.length - 2;
  const output = hidden + 1;
  const skips = [];
  if (!rnn) {
    for (let li = 1; li <= hidden; li++)
      if (hasSkip(config.residual === true, layers[li - 1].units, layers[li].units)) skips.push(li);
  }
  return {
    kind: source.kind,
    rnn,
    hidden,
    output,
    unitWord: rnn ? 'time step' : 'layer',
    hint: rnn
      ? '← back in time, step by step: the gradient travels from the loss to the first time step'
      : '← the gradient travels back from the loss, layer by layer',
    skips,
    batchnorm: !rnn && config.batchnorm === true,
    // dL/dh(l) = dL/dh(l+1) · slope(l+1) · W(l+1)ᵀ: layer l's factor is made by the weights and
    // slope one column up, and the top hidden layer's by the read-out.
    factorColumn: (li) => li + 1,
    factorOfColumn: (col) => (col >= 2 && col <= output ? col - 1 : null),
    displayName: (li) => (li === output ? 'read-out' : layers[li].name),
  };
}
