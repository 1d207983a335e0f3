// The lab's scheduler with a fake view, worker and clock: one trace at a time in the worker, a
// dragged control coalesced to its newest value, a small network previewed on the page and not
// drawn twice, and the worker's answers shown as a run the view can draw without the engine.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOf, Scheduler } from '../../../_static/threejs/lab/scheduler.js';
import { attach } from '../../../_static/threejs/lab/worker.js';
import { parseHash, toEngine } from '../../../_static/threejs/labconfig.js';

const SMALL = '#depth=3&width=4&activation=relu&init=he&seed=1';
const BIG = '#depth=50&width=64&activation=tanh&seed=1'; // above the preview's cost
const BIG2 = '#depth=50&width=64&activation=tanh&seed=2';
const BIG3 = '#depth=50&width=64&activation=tanh&seed=3';

function fakeView() {
  return {
    loads: [],
    appended: [],
    stops: [],
    said: [],
    follow: false,
    get hasRun() {
      return this.loads.length > 0;
    },
    load(run) {
      this.loads.push(run);
    },
    append(more) {
      this.appended.push(more);
    },
    stop(s) {
      this.stops.push(s);
    },
    say(text) {
      this.said.push(text);
    },
    setButtons() {},
    pauseScene() {},
  };
}

/** A scheduler whose worker holds what it is sent until `answer()` runs the real worker code. */
function rig() {
  const view = fakeView();
  const posted = [];
  let reply = null;
  const inbox = []; // the worker's own code (worker.js) reads these when answer() is called
  const scope = {
    addEventListener: (_t, fn) => {
      scope.listener = fn;
    },
    postMessage: (m) => reply(structuredClone(m)),
  };
  attach(scope, { later: () => {} });
  const scheduler = new Scheduler({
    view,
    startWorker: (onMessage) => {
      reply = onMessage;
      return {
        post(m) {
          posted.push(m);
          inbox.push(m);
        },
      };
    },
    now: () => 0,
    nextFrame: (fn) => fn(),
  });
  const answer = () => scope.listener({ data: inbox.shift() });
  return { view, posted, scheduler, answer, inbox };
}

const configure = (s, hash) => s.configure(parseHash(hash).config);

test('a dragged control: the worker traces the first value and then only the newest', () => {
  const { view, posted, scheduler, answer } = rig();
  configure(scheduler, BIG);
  configure(scheduler, BIG2);
  configure(scheduler, BIG3);
  assert.equal(posted.length, 1, 'one trace at a time');
  assert.equal(scheduler.settled, false);
  answer(); // BIG's trace arrives, superseded: BIG3 goes out, BIG2 never does
  assert.equal(view.loads.length, 0, 'a superseded trace is not shown');
  assert.deepEqual(
    posted.map((m) => m.hash.match(/seed=\d/)[0]),
    ['seed=1', 'seed=3'],
  );
  answer();
  assert.equal(view.loads.length, 1);
  assert.equal(scheduler.settled, true);
  assert.equal(scheduler.timings.length, 1);
});

test('a small network is drawn from the page at once and not again from the worker', () => {
  const { view, posted, scheduler, answer } = rig();
  configure(scheduler, SMALL);
  assert.equal(view.loads.length, 1, 'previewed before the worker answers');
  assert.equal(posted.length, 1, 'the worker still builds it, to train it');
  assert.equal(scheduler.settled, false);
  answer();
  assert.equal(view.loads.length, 1, 'the same network is not drawn twice');
  assert.equal(scheduler.settled, true);
  // A ReLU network's table shows its dead units; the run is plain data the view draws.
  const run = view.loads[0];
  assert.equal(run.dead, true);
  assert.equal(run.frame.layers.length, 3);
  assert.ok(run.frame.layers.every((l) => typeof l.dead === 'number'));
});

test('steps reach the view as records and frames; a stop says why', () => {
  const { view, scheduler, answer } = rig();
  configure(scheduler, SMALL);
  answer();
  scheduler.send('step');
  answer();
  assert.equal(view.appended.length, 1);
  const [{ records, frames }] = view.appended;
  assert.equal(records.length, 1);
  assert.equal(records[0].step, 0);
  assert.ok(Array.isArray(records[0].gradNorms) && 'W1' in records[0].updateRatios);
  assert.equal(frames.length, 1);
  scheduler.onMessage({ type: 'stopped', step: 7, reason: 'nonfinite' });
  assert.deepEqual(view.stops, [{ step: 7, reason: 'nonfinite' }]);
});

test("a worker's error is said, and a newer configuration waiting is still traced", () => {
  const { view, posted, scheduler, inbox } = rig();
  configure(scheduler, BIG);
  configure(scheduler, BIG2);
  inbox.length = 0;
  scheduler.onMessage({ type: 'error', message: 'out of memory' });
  assert.match(view.said.at(-1), /reported a problem: out of memory/);
  assert.equal(posted.at(-1).hash, scheduler.pending, 'the newest goes out');
});

test('only ReLU-family MLPs get the dead-units column', () => {
  const dead = (hash) => {
    const { config } = parseHash(hash);
    return runOf(config, toEngine(config), { network: null, scene: null }).dead;
  };
  assert.equal(dead('#activation=relu'), true);
  assert.equal(dead('#activation=leaky_relu'), true);
  assert.equal(dead('#activation=tanh'), false);
  assert.equal(dead('#model=rnn'), false);
});
