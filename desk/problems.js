// Server answers in the interface's language. Problem documents carry stable codes (the
// contract lists them): the problem's `code`, and for each field error its `code` with `limit`
// or `value`. The server's English `detail` is shown only for a code this desk does not know.

import { h, clear } from './dom.js';
import { t, has, number, language } from './i18n.js';

/** A block's own text needs no name after its position: "النص › 4", not "النص › 4 › النص". */
const PLAIN = new Set(['html', 'text', 'items']);

/** `/bylines/1/contributor` as "الكتّاب › 2 › الكاتب": the field's name, with positions from 1. */
export function fieldLabel(pointer) {
  const parts = String(pointer || '').split('/').filter(Boolean);
  const words = parts.map((part, index) => {
    if (/^\d+$/.test(part)) return number(Number(part) + 1);
    if (index === parts.length - 1 && index > 1 && parts[0] === 'body' && PLAIN.has(part)) return null;
    return has(`field.${part}`) ? t(`field.${part}`) : part;
  });
  return words.filter((w) => w !== null).join(' › ');
}

/** One field error in words. */
export function fieldMessage(error) {
  const key = `code.${error.code}`;
  if (!error.code || error.code === 'invalid' || !has(key)) return error.message || t('code.invalid');
  return t(key, { limit: error.limit, value: error.value ?? '' });
}

/** The problem's title in words. */
export function problemTitle(problem) {
  const key = `problem.${problem.code}`;
  if (problem.code === 'unprocessable' || problem.code === 'bad-request') return t(key);
  return has(key) ? t(key) : problem.message;
}

/**
 * Shows `problem` in `box`: its title, and a list of its field errors, each a link that moves
 * to the field when the editor has one for it (`locate(pointer)` gives the element).
 */
export function showProblem(box, problem, locate = () => null) {
  clear(box);
  box.append(h('p', {}, problemTitle(problem)));
  const errors = problem.errors || [];
  if (!errors.length) return;
  box.append(h('ul', {}, errors.map((error) => {
    const target = locate(error.field);
    const label = fieldLabel(error.field);
    const text = label ? `${label}: ${fieldMessage(error)}` : fieldMessage(error);
    if (!target) return h('li', { 'data-field': error.field, 'data-code': error.code }, text);
    return h('li', { 'data-field': error.field, 'data-code': error.code },
      h('a', { href: '#', onclick: (event) => { event.preventDefault(); target.focus(); target.scrollIntoView({ block: 'center' }); } }, text));
  })));
}

/** A problem as one line (status lines, small forms). */
export function problemLine(problem) {
  const errors = problem.errors || [];
  if (!errors.length) return problemTitle(problem);
  return errors.map((e) => {
    const label = fieldLabel(e.field);
    return label ? `${label}: ${fieldMessage(e)}` : fieldMessage(e);
  }).join(language() === 'ar' ? '؛ ' : '; ');
}
