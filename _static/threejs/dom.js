// The small DOM helpers the scene's and the lab's controls share.

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

/**
 * A "Copy link" button's work: show `url` in `field` and copy it to the clipboard. `say(text)`
 * reports where the link is (`what` names it: "this view"), at once, since the clipboard may
 * take a while to answer or never do, and again once it is copied. Without a clipboard (a page
 * from disk, or permission refused) the field holds the link, selected.
 */
export async function offerLink(field, url, what, say) {
  field.value = url;
  field.hidden = false;
  say(`The link to ${what} is in the field next to the button.`);
  try {
    await navigator.clipboard.writeText(url);
    say(`Link to ${what} copied.`);
  } catch {
    field.select();
  }
}
