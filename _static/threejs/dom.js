// The one small DOM helper the scene's and the lab's controls share.

/**
 * A new element: `attrs` become attributes (true as an empty one; false and null are left out),
 * except `class` (className) and `text` (textContent); `children` are appended.
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children);
  return e;
}
