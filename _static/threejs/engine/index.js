// The engine's front door, as src/gradbook/__init__.py is the simulator's: the two models, and
// `build`, which picks one by the config's kind. Pure module.
import { SPEC } from '../spec.js';
import { MLP } from './mlp.js';
import { RNN } from './rnn.js';

export { MLP, RNN };

const MODELS = { mlp: MLP, rnn: RNN };

/** The network a config describes: new MLP or RNN(config, { seed, params }), by config.kind. */
export function build(config, options = {}) {
  const Model = Object.hasOwn(MODELS, config?.kind) ? MODELS[config.kind] : null;
  if (!Model)
    throw new RangeError(
      `unknown model ${JSON.stringify(config?.kind)}: allowed values are ${SPEC.names.model.join(', ')}`,
    );
  return new Model(config, options);
}
