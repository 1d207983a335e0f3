// The only script every book page loads: tiny, and without three. If the page has a scene, it
// loads the bundle (three included) once a scene comes near the viewport; pages without a scene
// never download three. Both are classic scripts, not modules, so the book also works when its
// index.html is opened straight from disk (browsers refuse module scripts from file:// pages).

// The bundle sits next to this file, wherever the book is hosted. currentScript is only set
// while this script first runs, so read it now.
const BUNDLE_URL = new URL('gradbook-scene.js', document.currentScript.src).href;

/** Start loading this far before a scene scrolls into view, in CSS px. */
const PRELOAD_MARGIN = '600px 0px';

function fault(containers) {
  for (const c of containers) {
    if (c.dataset.gradbookStatus === 'ready') continue;
    const p = document.createElement('p');
    p.className = 'gradbook-scene-message';
    p.setAttribute('role', 'status');
    p.textContent = 'The interactive scene could not be loaded.';
    c.replaceChildren(p);
    c.dataset.gradbookStatus = 'fault';
  }
}

function start() {
  const containers = [...document.querySelectorAll('.gradbook-scene')];
  if (!containers.length) return;
  let loading = false;
  const load = () => {
    if (loading) return;
    loading = true;
    const script = document.createElement('script');
    script.src = BUNDLE_URL;
    script.async = true;
    script.onerror = () => {
      console.warn('gradbook: the scene bundle failed to load from', BUNDLE_URL);
      fault(containers);
    };
    document.head.append(script);
  };
  // A link to a view of a scene (#scenario=...&step=...) needs the scene now, wherever it is.
  const VIEW = /^#(scenario|step|layer|scene)=/;
  if (!('IntersectionObserver' in window) || VIEW.test(window.location.hash)) {
    load();
    return;
  }
  window.addEventListener('hashchange', () => {
    if (VIEW.test(window.location.hash)) load();
  });
  const io = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        load();
      }
    },
    { rootMargin: PRELOAD_MARGIN },
  );
  for (const c of containers) io.observe(c);
}

if (document.readyState === 'loading')
  document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
