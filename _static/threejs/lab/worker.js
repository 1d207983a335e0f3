// The lab's training loop, for a Web Worker: the page stays responsive while the engine trains.
// attach(scope) wires it to anything with addEventListener('message') and postMessage (the
// worker's global scope in the browser, a fake one in node --test).
//
// In:  { type: 'configure', hash } | { type: 'train' } | { type: 'pause' } | { type: 'step' }
// `frame` is the current network's trace (run.js frameOf: the table's numbers); `network` and
// `scene` are in the shape of a decoded chapter payload (frames.js), for the scene's view:
// `scene` is the last step taken with what it did (or step 0, untrained, after 'configure').
// Out: { type: 'configured', hash, messages, frame, network, scene, engineMs }   hash rewritten
//      canonically; engineMs: the engine's time to build the network and trace its batch
//      { type: 'steps', records, frame, scene }   while training, at least every `budgetMs`
//      { type: 'paused', frame } | { type: 'stopped', step, reason: 'nonfinite' | 'limit', frame }
//      { type: 'error', message }
import { parseHash, toEngine, writeHash } from '../labconfig.js';
import { LabRun } from './run.js';

/** The 'configured' message for a new run (the page builds the same one for a preview). */
export function configured(config, messages, run, engineMs) {
  return {
    type: 'configured',
    hash: writeHash(config),
    messages,
    frame: run.frame(),
    network: run.network(),
    scene: run.sceneStep(),
    engineMs,
  };
}

export function attach(
  scope,
  { now = () => performance.now(), later = (fn) => setTimeout(fn, 0), budgetMs = 50 } = {},
) {
  let run = null;
  let running = false;
  const post = (message) => scope.postMessage(message);

  function stopIfDone() {
    if (!run.stopped) return false;
    running = false;
    const reason = run.stoppedAt !== null ? 'nonfinite' : 'limit';
    post({ type: 'stopped', step: run.stoppedAt ?? run.step, reason, frame: run.frame() });
    return true;
  }

  // Steps for up to budgetMs, then one message: the page redraws about 1000 / budgetMs times
  // a second, and a 'pause' waiting in the queue is read before the next chunk.
  function loop() {
    if (!running) return;
    const start = now();
    const records = [];
    do {
      records.push(run.advance());
    } while (!run.stopped && now() - start < budgetMs);
    post({ type: 'steps', records, frame: run.frame(), scene: run.lastScene });
    if (!stopIfDone()) later(loop);
  }

  const handlers = {
    configure({ hash }) {
      const { config, messages } = parseHash(hash);
      running = false;
      const start = now();
      run = new LabRun(toEngine(config));
      post(configured(config, messages, run, now() - start));
    },
    train() {
      if (running || stopIfDone()) return;
      running = true;
      later(loop);
    },
    pause() {
      running = false;
      post({ type: 'paused', frame: run.frame() });
    },
    step() {
      running = false;
      if (stopIfDone()) return;
      // One step asked for by hand: measured on the held-out set whatever its number.
      const record = run.advance({ measure: true });
      post({ type: 'steps', records: [record], frame: run.frame(), scene: run.lastScene });
      stopIfDone();
    },
  };

  scope.addEventListener('message', (event) => {
    const { type, ...rest } = event.data ?? {};
    try {
      if (!Object.hasOwn(handlers, type))
        throw new Error(`unknown message type ${JSON.stringify(type)}`);
      if (type !== 'configure' && run === null) throw new Error(`'${type}' before 'configure'`);
      handlers[type](rest);
    } catch (err) {
      post({ type: 'error', message: String(err.message ?? err) });
    }
  });
}
