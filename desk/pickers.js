// Choosing what a story links to: contributors for its bylines and topics, found by name in any
// language as the editor types (the API's `q` normalizes Arabic as search does: "اكار" finds
// "أكار"), with a new contributor made from the typed name for those who may; related stories
// and the story this one translates, found by headline. Lists keep focus where the editor is
// working: on the new row after "add", on the next row after a removal.

import * as api from './api.js';
import { h, clear, directionOf, debounce } from './dom.js';
import { t } from './i18n.js';
import { uid } from './fields.js';
import { problemLine } from './problems.js';

const ROLES = ['author', 'agency', 'photographer', 'editor', 'translator'];

const names = new Map();

/** A catalog entry's name in `language` (its own name when it has none there). */
const nameIn = (item, language) => (item.names && (item.names[language] || item.names[language?.split('-')[0]])) || item.name;

async function entry(kind, slug) {
  const key = `${kind}:${slug}`;
  if (!names.has(key)) {
    names.set(key, api.call('GET', `/v1/${kind}/${encodeURIComponent(slug)}`).then((r) => r.data).catch(() => null));
  }
  return names.get(key);
}

/**
 * A combobox over `/v1/{kind}?q=`: shows the chosen entry's name, offers matches as the editor
 * types, and calls `choose(slug)`. `create(name)` (when given) makes an entry from the typed
 * name and resolves with it.
 */
export function catalogCombobox({ kind, slug, language, label, choose, create }) {
  const listId = uid(`${kind}-options`);
  const input = h('input', { role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    'aria-label': label, dir: 'auto', autocomplete: 'off', placeholder: t('searchPicker'), 'data-slug': slug || '' });
  const list = h('ul', { role: 'listbox', id: listId, class: 'options', hidden: true, 'aria-label': label });
  let options = [];
  let active = -1;
  let current = slug || '';

  const showChosen = async () => {
    if (!current) { input.value = ''; return; }
    const item = await entry(kind, current);
    if (document.activeElement !== input) input.value = item ? nameIn(item, language()) : current;
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    if (list.children[index]) input.setAttribute('aria-activedescendant', list.children[index].id);
  };
  // Bumped by every pick: a search typed before it must not reopen the list over the choice.
  let picks = 0;
  const pick = async (option) => {
    picks += 1;
    let name = option.name;
    if (option.create) {
      try {
        const made = await create(option.name);
        names.set(`${kind}:${made.slug}`, Promise.resolve(made));
        option = { slug: made.slug };
        name = nameIn(made, language());
      } catch (e) {
        input.setCustomValidity(problemLine(e));
        input.reportValidity();
        return;
      }
    }
    current = option.slug;
    input.dataset.slug = current;
    input.setCustomValidity('');
    close();
    choose(current);
    // The name chosen is known: shown at once, whether or not the input keeps the focus (a
    // lookup that waited for the focus to leave left it empty while the editor typed on).
    input.value = name || current;
  };
  const search = debounce(async (asOf) => {
    const q = input.value.trim();
    if (asOf !== picks) return;
    if (!q) return close();
    let found = [];
    try {
      const { data } = await api.call('GET', `/v1/${kind}?limit=8&q=${encodeURIComponent(q)}`);
      found = data.data;
    } catch (e) {
      found = [];
    }
    if (input.value.trim() !== q || asOf !== picks) return;
    for (const item of found) names.set(`${kind}:${item.slug}`, Promise.resolve(item));
    options = found.map((item) => ({ slug: item.slug, name: nameIn(item, language()), text: `${nameIn(item, language())} · ${item.kind}`, hint: item.slug }));
    if (create && !found.some((item) => nameIn(item, language()) === q)) options.push({ create: true, name: q, text: t('createNamed', { name: q }) });
    clear(list).append(...(options.length ? options : [{ empty: true }]).map((option, index) => (option.empty
      ? h('li', { role: 'option', 'aria-disabled': 'true', id: `${listId}-none` }, t('noMatches'))
      : h('li', { role: 'option', id: `${listId}-${index}`, 'aria-selected': 'false',
        onmousedown: (e) => { e.preventDefault(); pick(option); } },
      h('span', { dir: 'auto' }, option.text), option.hint ? h('small', { class: 'muted', dir: 'ltr' }, ` ${option.hint}`) : ''))));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(options.length ? 0 : -1);
  }, 200);
  input.addEventListener('input', () => search(picks));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && options.length) { event.preventDefault(); highlight((active + 1) % options.length); }
    else if (event.key === 'ArrowUp' && options.length) { event.preventDefault(); highlight((active - 1 + options.length) % options.length); }
    else if (event.key === 'Enter') {
      // Never the form's Enter (a save) while choosing.
      event.preventDefault();
      if (!list.hidden && options[active]) pick(options[active]);
    }
    else if (event.key === 'Escape' && !list.hidden) { event.preventDefault(); close(); showChosen(); }
  });
  input.addEventListener('blur', () => {
    setTimeout(() => {
      // Typed exactly as a match is named (or its slug): that is the choice.
      const typed = input.value.trim();
      const exact = typed && options.find((o) => !o.create && (o.slug === typed.toLowerCase() || o.name === typed));
      close();
      if (exact && exact.slug !== current) pick(exact);
      else showChosen();
    }, 150);
  });
  input.addEventListener('focus', () => { if (current) input.select(); });
  showChosen();
  return h('div', { class: 'combobox' }, input, list);
}

/**
 * An editable list of `field` in the story: rows of `row(item, index)`, with move and remove
 * buttons and an add button. Focus follows the action.
 */
export function listEditor(story, field, fresh, row) {
  const box = h('div', { class: 'list-editor', id: `${field}-editor` });
  const items = () => story.doc[field];
  const render = (focus) => {
    clear(box);
    items().forEach((item, index) => box.append(h('div', { class: 'row item', 'data-index': index }, row(item, index),
      h('button', { type: 'button', 'data-control': 'up', 'aria-label': `${t('up')} ${index + 1}`, onclick: () => swap(index, -1) }, '↑'),
      h('button', { type: 'button', 'data-control': 'down', 'aria-label': `${t('down')} ${index + 1}`, onclick: () => swap(index, 1) }, '↓'),
      h('button', { type: 'button', class: 'danger', 'data-control': 'remove', 'aria-label': `${t('remove')} ${index + 1}`,
        onclick: () => { items().splice(index, 1); story.changed(field); render({ index, control: 'remove' }); } }, '✕'))));
    const add = h('button', { type: 'button', class: 'add', 'data-control': 'add', onclick: () => {
      items().push(fresh());
      story.changed(field);
      render({ index: items().length - 1 });
    } }, `+ ${t('add')}`);
    box.append(add);
    if (!focus) return;
    const target = box.querySelector(`.item[data-index="${Math.min(focus.index, items().length - 1)}"]`);
    if (!target) return add.focus();
    (focus.control ? target.querySelector(`[data-control="${focus.control}"]`) : target.querySelector('input, select'))?.focus();
  };
  const swap = (index, by) => {
    const to = index + by;
    if (to < 0 || to >= items().length) return;
    [items()[index], items()[to]] = [items()[to], items()[index]];
    story.changed(field);
    render({ index: to, control: by < 0 ? 'up' : 'down' });
  };
  story.on(field, () => render());
  render();
  return box;
}

export function bylinesEditor(story) {
  const create = api.may.catalog() ? async (name) => {
    const { data } = await api.call('POST', '/v1/contributors', { json: { kind: 'person', name, localized_names: { [story.doc.language]: name } } });
    return data;
  } : null;
  return listEditor(story, 'bylines', () => ({ contributor: '', role: 'author' }), (byline, index) => [
    catalogCombobox({ kind: 'contributors', slug: byline.contributor, language: () => story.doc.language, label: `${t('contributor')} ${index + 1}`,
      choose: (slug) => { byline.contributor = slug; story.changed('bylines'); }, create }),
    h('select', { 'aria-label': `${t('role')} ${index + 1}`, onchange: (e) => { byline.role = e.target.value; story.changed('bylines'); } },
      ROLES.map((r) => h('option', { value: r, selected: byline.role === r }, t(r)))),
  ]);
}

export function topicsEditor(story) {
  const group = uid('primary-topic');
  return listEditor(story, 'topics', () => ({ topic: '', primary: false }), (link, index) => [
    catalogCombobox({ kind: 'topics', slug: link.topic, language: () => story.doc.language, label: `${t('topic')} ${index + 1}`,
      choose: (slug) => { link.topic = slug; story.changed('topics'); } }),
    h('label', {}, h('input', { type: 'radio', name: group, checked: link.primary,
      onchange: () => { story.doc.topics.forEach((x) => { x.primary = x === link; }); story.changed('topics'); } }), ' ', t('primary')),
  ]);
}

/** Stories found by headline (the desk's list search), as buttons that pick one. */
function storySearch({ label, status, exclude, picked, id }) {
  const results = h('ul', { class: 'picker' });
  const search = h('input', { type: 'search', id, 'aria-label': label, placeholder: t('search'), dir: 'auto',
    oninput: debounce(async () => {
      clear(results);
      const q = search.value.trim();
      if (!q) return;
      const { data } = await api.call('GET', `/v1/editorial/articles?limit=8${status ? `&status=${status}` : ''}&q=${encodeURIComponent(q)}`);
      for (const found of data.data.filter(exclude)) {
        results.append(h('li', {}, h('button', { type: 'button', class: 'link', dir: directionOf(found.language), lang: found.language,
          onclick: () => { picked(found); clear(results); search.value = ''; search.focus(); } }, `${found.headline} (${found.language})`)));
      }
    }, 250) });
  return h('div', {}, search, results);
}

export function relatedEditor(story) {
  const chosen = h('ol', { class: 'chosen-list' });
  const headlines = new Map();
  const render = (focusIndex) => {
    clear(chosen);
    story.doc.related.forEach((id, index) => chosen.append(h('li', {}, h('span', { dir: 'auto' }, headlines.get(id) || id), ' ',
      h('button', { type: 'button', class: 'danger', 'aria-label': `${t('remove')}: ${headlines.get(id) || id}`,
        onclick: () => { story.doc.related.splice(index, 1); story.changed('related'); render(index); } }, '✕'))));
    if (focusIndex !== undefined) (chosen.querySelectorAll('button')[focusIndex] || search.querySelector('input'))?.focus();
  };
  const load = () => Promise.all(story.doc.related.map((id) => api.call('GET', `/v1/articles/${id}/editorial`)
    .then(({ data }) => headlines.set(id, data.headline)).catch(() => {}))).then(() => render());
  const search = storySearch({ label: `${t('related')}: ${t('search')}`, status: 'published', id: uid('related-search'),
    exclude: (found) => found.id !== story.meta?.id && !story.doc.related.includes(found.id),
    picked: (found) => { headlines.set(found.id, found.headline); story.doc.related.push(found.id); story.changed('related'); render(); } });
  story.on('related', load);
  load();
  return h('div', {}, chosen, search);
}

/** The story this one translates, picked by headline from stories in other languages; once
 * saved, the link shows as the story's translations (the server keeps the group, not the pick). */
export function translationEditor(story) {
  const chosen = h('span', { dir: 'auto', class: 'chosen', id: 'translations' });
  const headline = (id) => api.call('GET', `/v1/articles/${id}/editorial`).then(({ data }) => `${data.headline} (${data.language})`).catch(() => id);
  const show = async () => {
    const pending = story.doc.translation_of;
    const linked = pending ? [pending] : (story.meta?.translations || []);
    const names = await Promise.all(linked.map(headline));
    clear(chosen).append(names.length ? names.join('، ') : '—');
    if (pending) {
      chosen.append(' ', h('button', { type: 'button', class: 'danger', 'aria-label': t('remove'),
        onclick: () => { story.set('translation_of', null); show(); } }, '✕'));
    }
  };
  const search = storySearch({ label: t('translationOf'), id: 'f-translation',
    exclude: (found) => found.language !== story.doc.language && found.id !== story.meta?.id,
    picked: (found) => { story.set('translation_of', found.id); show(); } });
  story.on('translation_of', show);
  story.on('meta', show);
  show();
  return h('div', {}, chosen, search);
}
