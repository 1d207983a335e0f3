// Watches the page around one scene: its size, whether it is on screen and the tab visible, the
// book's theme and the reader's motion preference. It calls back; it decides nothing about what
// is drawn. Everything it adds, the returned function removes.

/** Stage height as a share of its width, within these CSS px bounds. */
const STAGE_ASPECT = 0.56;
const STAGE_MIN_H = 300;
const STAGE_MAX_H = 620;

export function themeOfPage() {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

/**
 * @param {HTMLElement} container the scene's container (visibility, full screen)
 * @param {HTMLElement[]} stages the stages to size (one, or two side by side in compare mode)
 * @param {{resize: (w: number, h: number) => void, active: (on: boolean) => void,
 *          theme: (t: string) => void, motion: (reduced: boolean) => void}} on
 * @returns {() => void} stop watching
 */
export function watchPage(container, stages, on) {
  const undo = [];
  let onScreen = false;
  const update = () => on.active(onScreen && !document.hidden);
  const resizeObserver = new ResizeObserver((entries) => {
    const w = entries[0].contentRect.width;
    const h =
      document.fullscreenElement === container
        ? Math.max(STAGE_MIN_H, window.innerHeight - stages[0].getBoundingClientRect().top - 160)
        : Math.round(Math.min(STAGE_MAX_H, Math.max(STAGE_MIN_H, w * STAGE_ASPECT)));
    for (const s of stages) s.style.height = `${h}px`;
    on.resize(w, h);
  });
  resizeObserver.observe(stages[0]);
  undo.push(() => resizeObserver.disconnect());
  const intersectionObserver = new IntersectionObserver((entries) => {
    onScreen = entries.at(-1).isIntersecting;
    update();
  });
  intersectionObserver.observe(container);
  undo.push(() => intersectionObserver.disconnect());
  document.addEventListener('visibilitychange', update);
  undo.push(() => document.removeEventListener('visibilitychange', update));
  // The book theme sets data-theme on <html>; the stage follows it.
  const themeObserver = new MutationObserver(() => on.theme(themeOfPage()));
  themeObserver.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['data-theme'],
  });
  undo.push(() => themeObserver.disconnect());
  const motionQuery = window.matchMedia('(prefers-reduced-motion: reduce)');
  const onMotion = () => on.motion(motionQuery.matches);
  motionQuery.addEventListener('change', onMotion);
  undo.push(() => motionQuery.removeEventListener('change', onMotion));
  return () => {
    for (const u of undo) u();
  };
}

export function prefersReducedMotion() {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}
