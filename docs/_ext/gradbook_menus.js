/*
 * gradbook: what the book uses of the theme's bootstrap.js (23 KB gzipped), and nothing else.
 * docs/_ext/gradbook_weight.py writes it in place of the built book's _static/scripts/bootstrap.js.
 *
 * The theme's pages use two things from Bootstrap: dropdown menus (the download menu and the
 * colour-mode menu, marked data-bs-toggle="dropdown") and the "Back to top" button. Tooltips
 * are left to the browser: each button keeps its title attribute, which the browser shows.
 */
(() => {
  'use strict';

  const TOGGLE = '[data-bs-toggle="dropdown"]';

  function menuOf(toggle) {
    return toggle.parentElement && toggle.parentElement.querySelector('.dropdown-menu');
  }

  function items(menu) {
    return [...menu.querySelectorAll('.dropdown-item')].filter(
      (item) => !item.disabled && item.getClientRects().length > 0,
    );
  }

  function close(toggle, focusToggle) {
    const menu = menuOf(toggle);
    if (!menu || !menu.classList.contains('show')) return;
    menu.classList.remove('show');
    toggle.classList.remove('show');
    toggle.setAttribute('aria-expanded', 'false');
    if (focusToggle) toggle.focus();
  }

  function closeAll(except) {
    for (const toggle of document.querySelectorAll(TOGGLE)) {
      if (toggle !== except) close(toggle, false);
    }
  }

  function open(toggle) {
    const menu = menuOf(toggle);
    if (!menu) return;
    closeAll(toggle);
    // Bootstrap's stylesheet places a menu marked data-bs-popper below its toggle (and, with
    // .dropdown-menu-end, aligned to its right edge) without Popper's measuring.
    menu.setAttribute('data-bs-popper', 'static');
    menu.classList.add('show');
    toggle.classList.add('show');
    toggle.setAttribute('aria-expanded', 'true');
  }

  function isOpen(toggle) {
    const menu = menuOf(toggle);
    return Boolean(menu && menu.classList.contains('show'));
  }

  function setUp() {
    for (const toggle of document.querySelectorAll(TOGGLE)) {
      if (!toggle.hasAttribute('aria-expanded')) toggle.setAttribute('aria-expanded', 'false');
      toggle.addEventListener('click', (event) => {
        event.preventDefault();
        if (isOpen(toggle)) close(toggle, false);
        else open(toggle);
      });
      toggle.addEventListener('keydown', (event) => {
        if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
        event.preventDefault();
        open(toggle);
        const list = items(menuOf(toggle));
        if (list.length) list[event.key === 'ArrowDown' ? 0 : list.length - 1].focus();
      });
      const menu = menuOf(toggle);
      if (!menu) continue;
      menu.addEventListener('keydown', (event) => {
        const list = items(menu);
        const at = list.indexOf(document.activeElement);
        if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          event.preventDefault();
          const step = event.key === 'ArrowDown' ? 1 : -1;
          if (list.length) list[(at + step + list.length) % list.length].focus();
        } else if (event.key === 'Escape') {
          event.preventDefault();
          close(toggle, true);
        } else if (event.key === 'Tab') {
          close(toggle, false);
        }
      });
      // Choosing an item (a download, a colour mode) closes the menu, as Bootstrap's does.
      menu.addEventListener('click', (event) => {
        if (event.target.closest('.dropdown-item')) close(toggle, false);
      });
    }
    document.addEventListener('click', (event) => {
      if (!event.target.closest('.dropdown')) closeAll(null);
    });
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      for (const toggle of document.querySelectorAll(TOGGLE)) {
        if (isOpen(toggle)) close(toggle, toggle.parentElement.contains(document.activeElement));
      }
    });

    // "Back to top" shows while the reader scrolls up, below the header, as the theme's does.
    const back = document.getElementById('pst-back-to-top');
    const header = document.querySelector('.bd-header');
    if (back) {
      const below = header ? header.getBoundingClientRect().bottom : 0;
      back.addEventListener('click', () => {
        document.body.scrollTop = 0;
        document.documentElement.scrollTop = 0;
      });
      let last = window.scrollY;
      window.addEventListener(
        'scroll',
        () => {
          back.style.display = last > window.scrollY && window.scrollY > below ? 'block' : 'none';
          last = window.scrollY;
        },
        { passive: true },
      );
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUp);
  else setUp();
})();
