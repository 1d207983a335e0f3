// Entry point of the bundle: mounts one independent scene in every .gradbook-scene container.
//
// Container contract (the book's chapters write exactly this):
//   data-payload   "#id" of an inline <script type="application/json">, or a URL relative to the page
//   data-scenario  optional id of the scenario shown first
//   data-compare   optional "id-a,id-b": two scenarios side by side, one pulse, one step, one scale
//   data-fallback  optional CSS selector of a static figure shown (cloned) when the scene cannot run
// Any fault ends in a message inside the container, never in an uncaught error.
//
// View links: a page opened with #scenario=ID&step=N&layer=L[&scene=K], and any click on a link
// to such a hash, shows that view in the K-th scene (viewlink.js).

import { sentence } from './format.js';
import { SceneInstance } from './instance.js';
import { PayloadError, parsePayload } from './payload.js';
import { NoWebGLError } from './scene.js';
import { parseViewHash } from './viewlink.js';

/** Scenes start building this far before they scroll into view, in CSS px. */
const MOUNT_MARGIN = '300px 0px';

window.gradbook ??= {};
const registry = window.gradbook;
registry.scenes ??= [];
registry.mountAll = mountAll;

const payloadCache = new Map(); // one fetch and one check per payload, however many scenes share it

class LoadError extends Error {}

const LOST =
  'The 3D scene stopped: the browser took back its WebGL context (the graphics card was reset, or too many scenes were open).';

async function loadPayload(container) {
  const ref = container.dataset.payload;
  if (!ref)
    throw new LoadError('This scene has no data-payload attribute, so it has nothing to show.');
  if (!payloadCache.has(ref)) payloadCache.set(ref, readPayloadRef(ref));
  return payloadCache.get(ref);
}

async function readPayloadRef(ref) {
  if (ref.startsWith('#')) {
    const node = document.getElementById(ref.slice(1));
    if (!node) throw new LoadError(`The scene's data (${ref}) is missing from this page.`);
    return parsePayload(node.textContent);
  }
  const url = new URL(ref, document.baseURI);
  // The scene talks to no host but the page's own.
  if (url.origin !== window.location.origin)
    throw new LoadError('The scene only reads data from this site.');
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch {
    throw new LoadError('The scene’s data could not be downloaded (network error).');
  }
  if (!response.ok)
    throw new LoadError(`The scene’s data could not be loaded (HTTP ${response.status}).`);
  return parsePayload(await response.text());
}

/** Replace the container's content by a clear message and, where given, the static figure. */
export function showFault(container, message) {
  for (const child of [...container.children]) if (child.tagName !== 'NOSCRIPT') child.remove();
  const p = document.createElement('p');
  p.className = 'gradbook-scene-message';
  p.setAttribute('role', 'status');
  p.textContent = sentence(message);
  container.append(p);
  const sel = container.dataset.fallback;
  const figure = sel ? safeQuery(sel) : null;
  if (figure) {
    p.textContent += ' The figure below shows the same data.';
    container.append(copyOfFigure(figure, 'gradbook-scene-fallback'));
  }
  container.dataset.gradbookStatus = 'fault';
}

/**
 * A copy of a static figure for the scene's box: without ids (they must stay unique on the page),
 * and shown even where the original is kept hidden (so that it shows only as a fallback).
 */
function copyOfFigure(figure, className) {
  const clone = figure.cloneNode(true);
  for (const n of [clone, ...clone.querySelectorAll('[id]')]) n.removeAttribute('id');
  clone.hidden = false;
  if (clone.style.display === 'none') clone.style.removeProperty('display');
  clone.classList.add(className);
  return clone;
}

function safeQuery(sel) {
  try {
    return document.querySelector(sel);
  } catch {
    return null;
  }
}

function messageFor(err) {
  if (err instanceof PayloadError) return `The scene’s data is not usable: ${err.message}`;
  if (err instanceof LoadError || err instanceof NoWebGLError) return err.message;
  return 'The interactive scene could not start.';
}

const mounting = new Map(); // container -> promise of its instance (or null after a fault)

function mount(container) {
  if (!mounting.has(container)) mounting.set(container, mountNow(container));
  return mounting.get(container);
}

async function mountNow(container) {
  container.dataset.gradbookStatus = 'loading';
  try {
    const payload = await loadPayload(container);
    const instance = new SceneInstance(container, payload, {
      onLost(s) {
        s.dispose();
        showFault(container, LOST);
      },
      // A disposed scene leaves the registry, so nothing keeps it alive.
      onDispose(s) {
        const i = registry.scenes.indexOf(s);
        if (i >= 0) registry.scenes.splice(i, 1);
      },
    });
    // In page order, whichever mounted first: scenes[0] is the topmost scene that runs.
    const after = registry.scenes.findIndex(
      (other) =>
        other.container.compareDocumentPosition(container) & Node.DOCUMENT_POSITION_PRECEDING,
    );
    registry.scenes.splice(after < 0 ? registry.scenes.length : after, 0, instance);
    // For print, a copy of the static figure that only print CSS shows, unless it is on the page already.
    const sel = container.dataset.fallback;
    const figure = sel ? safeQuery(sel) : null;
    if (figure && figure.offsetParent === null)
      container.append(copyOfFigure(figure, 'gradbook-scene-print'));
    return instance;
  } catch (err) {
    console.warn('gradbook scene:', err);
    showFault(container, messageFor(err));
    return null;
  }
}

/** Mount every scene container not mounted yet, each when it comes near the viewport. */
export function mountAll(root = document) {
  const containers = [...root.querySelectorAll('.gradbook-scene')].filter(
    (c) => !c.dataset.gradbookStatus,
  );
  const mounts = [];
  const io =
    'IntersectionObserver' in window
      ? new IntersectionObserver(
          (entries) => {
            for (const e of entries) {
              if (!e.isIntersecting) continue;
              io.unobserve(e.target);
              mount(e.target);
            }
          },
          { rootMargin: MOUNT_MARGIN },
        )
      : null;
  for (const c of containers) {
    c.dataset.gradbookStatus = 'waiting';
    // A container without a status is not mounted (a disposed scene's is cleared to mount it
    // again): any earlier mount of it is over.
    mounting.delete(c);
    if (io) io.observe(c);
    else mounts.push(mount(c));
  }
  return mounts;
}

// ---- view links ----------------------------------------------------------------------------

/**
 * Show the view a hash names, in the scene it names (mounting it first if it is still waiting
 * below the fold). A hash that is not a view link (an ordinary anchor) is left to the browser; a
 * view link that cannot be shown leaves the scene on its view, with a short note in it.
 */
async function showView(hash, { scroll = true } = {}) {
  const parsed = parseViewHash(hash);
  if (!parsed) return false;
  const containers = [...document.querySelectorAll('.gradbook-scene')];
  if (!containers.length) return false;
  const k = parsed.view?.scene ?? 1;
  const container = containers[k - 1];
  const target = container ?? containers[0];
  const instance = await mount(target);
  if (!instance) return false; // the scene could not start: it already says why
  if (parsed.error) instance.notify(parsed.error);
  else if (!container)
    instance.notify(
      `This page has ${containers.length} scene${containers.length > 1 ? 's' : ''}, not ${k}; the first shows its default view.`,
    );
  else return instance.setView(parsed.view, { scroll });
  return false;
}

/** The prose steers the scene: a click on a link to a view hash shows it, even when the hash is already the page's. */
function onClick(event) {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const a = event.target.closest?.('a[href^="#"]');
  if (!a || !parseViewHash(a.getAttribute('href'))) return;
  event.preventDefault();
  const href = a.getAttribute('href');
  // The address bar pins the view too, so the reader can go back or share it; a page opened
  // from disk may refuse history changes, and then only the scene changes.
  if (window.location.hash !== href) {
    try {
      window.history.pushState(null, '', href);
    } catch {
      /* file:// in some browsers */
    }
  }
  showView(href);
}

if (!registry.viewLinks) {
  registry.viewLinks = true;
  registry.showView = showView;
  document.addEventListener('click', onClick);
  window.addEventListener('hashchange', () => showView(window.location.hash));
  window.addEventListener('popstate', () => showView(window.location.hash));
}

mountAll();
showView(window.location.hash);
