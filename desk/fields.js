// Text fields bound to the story: each shows its bound as the editor types ("٢٥ / ٣٠٠") and is
// marked invalid past it; the story refuses to save while one is over (the server would refuse
// it too) rather than cutting what was typed.

import { h } from './dom.js';
import { t } from './i18n.js';

let counter = 0;

/** A unique id for an element of one instance of a widget (two photo pickers, say). */
export function uid(name) {
  counter += 1;
  return `${name}-${counter}`;
}

/**
 * A counter for an input whose text is `read()`; `limit` is a promise of the bound (or null).
 * Returns `{element, update(), over()}`; the input gets `aria-describedby` and `aria-invalid`.
 */
export function lengthCounter(input, read, limit) {
  const element = h('span', { class: 'counter', id: uid('count'), hidden: true });
  let max = null;
  const describe = input.getAttribute('aria-describedby');
  input.setAttribute('aria-describedby', describe ? `${describe} ${element.id}` : element.id);
  const length = () => [...read()].length;
  const update = () => {
    if (!max) return;
    const count = length();
    element.hidden = false;
    element.textContent = t('counter', { count, limit: max });
    const over = count > max;
    element.classList.toggle('over', over);
    element.classList.toggle('near', !over && count > max * 0.9);
    if (over) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  Promise.resolve(limit).then((value) => { max = value; update(); });
  return {
    element,
    update,
    over: () => (max && length() > max ? { count: length(), limit: max } : null),
  };
}

/**
 * A text field of the story: `field` in `story.doc`, shown with its label and counter.
 * `props`: {multiline, required, limit (promise), dir (fn), lang (fn), type}.
 */
export function storyText(story, field, label, props = {}) {
  const id = `f-${field}`;
  const input = h(props.multiline ? 'textarea' : 'input', {
    id, name: field, dir: props.dir?.() || 'auto', lang: props.lang?.(), type: props.multiline ? undefined : (props.type || 'text'),
    value: story.doc[field] || '', required: props.required, autocomplete: 'off',
    oninput: () => { story.set(field, input.value); count.update(); },
  });
  if (props.multiline) input.textContent = story.doc[field] || '';
  const count = lengthCounter(input, () => input.value, props.limit);
  story.on(field, (value) => { input.value = value || ''; count.update(); });
  story.addCheck(() => {
    const over = count.over();
    return over ? [{ field: `/${field}`, code: 'too-long', limit: over.limit, count: over.count }] : [];
  });
  const wrapper = h('div', { class: 'field' },
    h('div', { class: 'label-row' }, h('label', { for: id }, label), count.element), input);
  return { element: wrapper, input, count };
}
