// Modal questions as native `<dialog>`s: focus moves into them, Escape closes them (and counts
// as "no"), and focus returns to what had it. Every way out settles the answer, so a closed
// dialog never leaves the editor waiting.

import { h } from './dom.js';
import { t } from './i18n.js';

/** Opens a dialog built by `build(finish)`; resolves with what `finish` was given, or with
 * `fallback` when it closes another way (Escape). */
export function modal(build, { fallback = null, label, className = '' } = {}) {
  const previous = document.activeElement;
  return new Promise((resolve) => {
    let settled = false;
    const dialog = h('dialog', { class: `modal ${className}`.trim(), 'aria-labelledby': label });
    const finish = (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
      if (dialog.open) dialog.close();
    };
    dialog.addEventListener('close', () => {
      finish(fallback);
      dialog.remove();
      if (previous && previous.isConnected) previous.focus();
    });
    dialog.append(...build(finish));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Asks a yes/no question; resolves true only for yes. */
export function confirmDialog(text, yes = t('yes')) {
  const id = `confirm-${Date.now()}`;
  return modal((finish) => [
    h('h2', { id }, t('confirmTitle')),
    h('p', {}, text),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', id: 'confirm-yes', onclick: () => finish(true) }, yes),
      h('button', { type: 'button', id: 'confirm-no', onclick: () => finish(false) }, t('no'))),
  ], { fallback: false, label: id, className: 'confirm' });
}
