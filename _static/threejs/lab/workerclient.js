// Starts the lab's Web Worker (worker-entry.js, bundled by build.mjs as a classic script and
// inlined into the lab bundle as text). It runs from a Blob URL: Chrome refuses both module
// workers and worker scripts at file:// URLs on a page opened from disk, but a Blob URL works
// there and when served alike.

/* global GRADBOOK_LAB_WORKER_SOURCE */

/** The worker's script text; build.mjs defines it (a page built without it cannot train). */
function workerSource() {
  if (typeof GRADBOOK_LAB_WORKER_SOURCE !== 'string')
    throw new Error('this bundle was built without the lab worker');
  return GRADBOOK_LAB_WORKER_SOURCE;
}

/**
 * Start the worker; `onMessage(data)` gets each message it posts. Returns { post, terminate }.
 * A worker that fails to load or throws reports through onMessage as { type: 'error' }.
 */
export function startWorker(onMessage, source = workerSource()) {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  worker.addEventListener('message', (e) => onMessage(e.data));
  worker.addEventListener('error', (e) => {
    e.preventDefault(); // reported on the page, not as an uncaught error in the console
    onMessage({ type: 'error', message: e.message || 'the worker could not start' });
  });
  return {
    worker,
    post: (message) => worker.postMessage(message),
    terminate() {
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
}
