// The story editor. Saves send a JSON merge patch with `If-Match`; when someone else saved
// first (412), the conflict dialog shows their change beside the editor's, field by field, and
// nothing typed is lost. Every keystroke is also kept in this browser until the save succeeds,
// so a reload or a crash restores the unsaved work.

import * as api from './api.js';
import { h, clear, directionOf, debounce } from './dom.js';
import { t, formatTime, timeZone } from './i18n.js';
import { blocksEditor } from './blocks.js';
import { photoPicker, uncredited } from './photos.js';
import { workflowPanel, revisionsPanel } from './workflow.js';

export const FIELDS = ['headline', 'lead', 'slug', 'language', 'dateline', 'body', 'bylines', 'topics',
  'featured_media', 'related', 'translation_of', 'embargo_until'];
const ROLES = ['author', 'agency', 'photographer', 'editor', 'translator'];

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function pick(article) {
  const doc = {};
  for (const f of FIELDS) doc[f] = clone(article[f]) ?? defaults()[f];
  return doc;
}

function defaults() {
  return { headline: '', lead: '', slug: '', language: 'ar', dateline: '', body: [], bylines: [], topics: [],
    featured_media: null, related: [], translation_of: null, embargo_until: null };
}

const draftKey = (id) => `khabar.desk.draft.${id || 'new'}`;

function loadDraft(id) {
  try { return JSON.parse(localStorage.getItem(draftKey(id))); } catch { return null; }
}

/** What a create sends: empty optional fields left out. */
function createBody(doc) {
  const body = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === '' || v === null || (Array.isArray(v) && v.length === 0)) continue;
    body[k] = v;
  }
  return body;
}

/** The merge patch from `base` to `doc`: changed fields only, cleared ones as null. */
export function mergePatch(base, doc) {
  const patch = {};
  for (const f of FIELDS) {
    if (same(base[f], doc[f])) continue;
    const v = doc[f];
    patch[f] = v === '' || v === undefined ? null : v;
  }
  return patch;
}

export async function editorView(id) {
  let meta = null;
  let base = defaults();
  if (id) {
    const { data, etag } = await api.call('GET', `/v1/articles/${encodeURIComponent(id)}/editorial`);
    meta = { ...data, etag };
    base = pick(data);
  }
  let doc = clone(base);
  const notices = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });
  const saved = loadDraft(id);
  if (saved && !same(saved.doc, base)) {
    doc = saved.doc;
    if (saved.base) base = saved.base;
    notices.append(h('p', { class: 'notice', id: 'restored' }, t('restoredDraft'), ' ',
      h('button', { type: 'button', class: 'link', onclick: () => { localStorage.removeItem(draftKey(id)); location.reload(); } }, t('discard'))));
  }

  const state = h('span', { class: 'save-state', id: 'save-state' });
  const keep = debounce(() => localStorage.setItem(draftKey(id), JSON.stringify({ doc, base, version: meta?.version })), 200);
  const changed = () => {
    state.textContent = same(doc, base) ? '' : t('unsaved');
    keep();
  };
  const dir = () => directionOf(doc.language);
  const textFields = [];
  const text = (field, label, props = {}) => {
    const input = h(props.multiline ? 'textarea' : 'input', { id: `f-${field}`, name: field, dir: dir(), lang: doc.language,
      value: doc[field] || '', maxlength: props.max, required: props.required,
      oninput: (e) => { doc[field] = e.target.value; changed(); } });
    if (props.multiline) input.textContent = doc[field] || '';
    textFields.push(input);
    return h('div', { class: 'field' }, h('label', { for: `f-${field}` }, label), input);
  };
  const language = h('select', { id: 'f-language', onchange: (e) => {
    doc.language = e.target.value;
    for (const el of [...textFields, ...form.querySelectorAll('.rich, .blocks input, .blocks textarea')]) {
      el.dir = dir();
      el.lang = doc.language;
    }
    changed();
  } }, [['ar', 'العربية'], ['en', 'English'], ['fr', 'Français']].map(([v, l]) => h('option', { value: v, selected: doc.language === v }, l)));

  const body = blocksEditor(doc.body, () => doc.language, changed);
  const error = h('div', { class: 'error', role: 'alert', id: 'editor-error' });

  async function save() {
    error.textContent = '';
    state.textContent = t('saving');
    try {
      if (!meta) {
        const { data, etag } = await api.call('POST', '/v1/articles', { json: createBody(doc) });
        localStorage.removeItem(draftKey(null));
        location.hash = `#/edit/${data.id}`;
        return { data, etag };
      }
      const patch = mergePatch(base, doc);
      if (Object.keys(patch).length === 0) { state.textContent = t('saved'); return meta; }
      const { data, etag } = await api.call('PATCH', `/v1/articles/${meta.id}`, { patch, ifMatch: meta.etag });
      accept(data, etag);
      return meta;
    } catch (e) {
      if (e.status === 412) return conflict();
      showProblem(e);
      state.textContent = t('unsaved');
      throw e;
    }
  }

  function accept(data, etag) {
    meta = { ...data, etag };
    base = pick(data);
    doc = Object.assign(doc, clone(base));
    localStorage.removeItem(draftKey(id));
    state.textContent = t('saved');
    header.replaceWith(header = heading());
    workflow.replaceWith(workflow = workflowPanel(meta, { save, dirty: () => !same(doc, base), check: () => uncredited(doc), accept, showProblem }));
  }

  function showProblem(e) {
    clear(error).append(h('p', {}, e.message));
    const fields = Object.entries(e.fields || {});
    if (fields.length) error.append(h('ul', {}, fields.map(([f, m]) => h('li', {}, `${f}: ${m}`))));
  }

  /** Someone saved first: show both sides and let the editor choose. */
  async function conflict() {
    const { data, etag } = await api.call('GET', `/v1/articles/${meta.id}/editorial`);
    const theirs = pick(data);
    const rows = FIELDS.filter((f) => !same(doc[f], theirs[f]) && (!same(doc[f], base[f]) || !same(theirs[f], base[f])));
    const choice = {};
    const dialog = h('dialog', { class: 'conflict', id: 'conflict', 'aria-labelledby': 'conflict-title' });
    const table = h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('field')), h('th', {}, t('theirs')), h('th', {}, t('yours')))),
      h('tbody', {}, rows.map((f) => {
        choice[f] = same(doc[f], base[f]) ? 'theirs' : 'mine';
        const radio = (side) => h('input', { type: 'radio', name: `pick-${f}`, value: side, checked: choice[f] === side,
          'aria-label': `${f}: ${side === 'mine' ? t('yours') : t('theirs')}`, onchange: () => { choice[f] = side; } });
        return h('tr', { 'data-field': f }, h('th', {}, f),
          h('td', {}, h('label', {}, radio('theirs'), h('span', { class: 'value', dir: dir() }, show(theirs[f])))),
          h('td', {}, h('label', {}, radio('mine'), h('span', { class: 'value', dir: dir() }, show(doc[f])))));
      })));
    const finish = async (merged) => {
      dialog.close();
      dialog.remove();
      base = theirs;
      meta = { ...meta, ...data, etag };
      Object.assign(doc, merged);
      await save();
      editorRefresh();
    };
    dialog.append(h('h2', { id: 'conflict-title' }, t('conflictTitle')), h('p', {}, t('conflictText')), table,
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'merge', onclick: () => finish(Object.fromEntries(rows.map((f) => [f, clone(choice[f] === 'mine' ? doc[f] : theirs[f])]))) }, t('applyMerge')),
        h('button', { type: 'button', id: 'keep-mine', onclick: () => finish({}) }, t('keepMine')),
        h('button', { type: 'button', onclick: () => { dialog.close(); dialog.remove(); state.textContent = t('unsaved'); } }, t('cancel'))));
    document.body.append(dialog);
    dialog.showModal();
    return meta;
  }

  /** Redraws every field from the saved version after a merge changed it. */
  function editorRefresh() {
    editorView(meta.id).then((view) => form.closest('.editor').replaceWith(view)).catch(showProblem);
  }

  const heading = () => h('div', { class: 'bar' },
    h('h1', { dir: dir() }, meta ? meta.headline : t('newStory')),
    meta ? h('span', { class: `status ${meta.status}`, id: 'status' }, t(meta.status)) : '',
    meta ? h('a', { href: `#/preview/${meta.id}`, class: 'button', id: 'open-preview' }, t('preview')) : '',
    state);
  let header = heading();

  const embargo = h('input', { type: 'datetime-local', id: 'f-embargo', value: toLocalInput(doc.embargo_until),
    onchange: (e) => { doc.embargo_until = e.target.value ? new Date(e.target.value).toISOString() : null; changed(); } });

  const form = h('form', { class: 'story', onsubmit: (e) => { e.preventDefault(); save().catch(() => {}); } },
    text('headline', t('headline'), { required: true, max: 300 }),
    text('lead', t('lead'), { multiline: true, max: 2000 }),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'f-language' }, t('language')), language),
      text('slug', t('slug'), { max: 200 }),
      text('dateline', t('dateline'), { max: 200 })),
    h('fieldset', {}, h('legend', {}, t('featuredImage')),
      photoPicker(doc.featured_media?.media_id, (mediaId) => {
        doc.featured_media = mediaId ? { media_id: mediaId, caption: doc.featured_media?.caption ?? null } : null;
        changed();
      })),
    h('fieldset', {}, h('legend', {}, t('body')), body.element),
    h('fieldset', {}, h('legend', {}, t('bylines')), bylinesEditor(doc, changed)),
    h('fieldset', {}, h('legend', {}, t('topics')), topicsEditor(doc, changed)),
    h('fieldset', {}, h('legend', {}, t('related')), relatedEditor(doc, changed)),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'f-translation' }, t('translationOf')), translationEditor(doc, changed)),
      h('div', { class: 'field' }, h('label', { for: 'f-embargo' }, `${t('embargo')} (${t('timeZone')} ${timeZone()})`), embargo)),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'save' }, t('save'))));

  let workflow = meta ? workflowPanel(meta, { save, dirty: () => !same(doc, base), check: () => uncredited(doc), accept, showProblem }) : h('div');
  const restored = (data, etag) => { accept(data, etag); editorRefresh(); };
  const side = h('aside', { class: 'side' }, workflow, meta ? revisionsPanel(meta, restored) : '',
    meta?.warnings?.length ? h('div', { class: 'warning' }, h('h3', {}, t('warnings')), h('ul', {}, meta.warnings.map((w) => h('li', {}, w.detail)))) : '');
  return h('section', { class: 'editor' }, header, notices, h('div', { class: 'columns' }, form, side));
}

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A field's value as text, for the conflict and diff tables. */
export function show(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value.map((v) => (v && typeof v === 'object'
      ? (v.html ?? v.text ?? v.contributor ?? v.topic ?? v.url ?? v.media_id ?? JSON.stringify(v)) : String(v))).join('\n');
  }
  return JSON.stringify(value);
}

let catalogs = null;
async function catalog() {
  if (catalogs) return catalogs;
  const all = async (path) => {
    const out = [];
    let cursor = null;
    for (let page = 0; page < 20; page++) {
      const { data } = await api.call('GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...data.data);
      cursor = data.next_cursor;
      if (!cursor) break;
    }
    return out;
  };
  catalogs = { contributors: await all('/v1/contributors'), topics: await all('/v1/topics') };
  return catalogs;
}

const displayName = (item, lang) => (item.names && item.names[lang]) || item.name;

function listEditor(items, changed, fresh, rowFields) {
  const box = h('div', { class: 'list-editor' });
  const render = () => {
    clear(box);
    items.forEach((item, index) => box.append(h('div', { class: 'row item' }, rowFields(item, index, render),
      h('button', { type: 'button', 'aria-label': `${t('up')} ${index + 1}`, onclick: () => { if (index > 0) { [items[index - 1], items[index]] = [items[index], items[index - 1]]; changed(); render(); } } }, '↑'),
      h('button', { type: 'button', 'aria-label': `${t('down')} ${index + 1}`, onclick: () => { if (index < items.length - 1) { [items[index + 1], items[index]] = [items[index], items[index + 1]]; changed(); render(); } } }, '↓'),
      h('button', { type: 'button', class: 'danger', 'aria-label': `${t('remove')} ${index + 1}`, onclick: () => { items.splice(index, 1); changed(); render(); } }, '✕'))));
    box.append(h('button', { type: 'button', class: 'add', onclick: () => { items.push(fresh()); changed(); render(); } }, `+ ${t('add')}`));
  };
  render();
  return box;
}

function bylinesEditor(doc, changed) {
  const list = h('datalist', { id: 'contributor-options' });
  catalog().then(({ contributors }) => contributors.forEach((c) =>
    list.append(h('option', { value: c.slug }, `${displayName(c, doc.language)} (${c.kind})`)))).catch(() => {});
  return h('div', {}, list, listEditor(doc.bylines, changed, () => ({ contributor: '', role: 'author' }), (byline, index) => [
    h('input', { list: 'contributor-options', 'aria-label': `${t('contributor')} ${index + 1}`, value: byline.contributor, dir: 'auto',
      oninput: (e) => { byline.contributor = e.target.value.trim(); changed(); } }),
    h('select', { 'aria-label': `${t('role')} ${index + 1}`, onchange: (e) => { byline.role = e.target.value; changed(); } },
      ROLES.map((r) => h('option', { value: r, selected: byline.role === r }, t(r)))),
  ]));
}

function topicsEditor(doc, changed) {
  const list = h('datalist', { id: 'topic-options' });
  catalog().then(({ topics }) => topics.forEach((tp) =>
    list.append(h('option', { value: tp.slug }, `${displayName(tp, doc.language)} (${tp.kind})`)))).catch(() => {});
  return h('div', {}, list, listEditor(doc.topics, changed, () => ({ topic: '', primary: false }), (link, index, render) => [
    h('input', { list: 'topic-options', 'aria-label': `${t('topic')} ${index + 1}`, value: link.topic, dir: 'auto',
      oninput: (e) => { link.topic = e.target.value.trim(); changed(); } }),
    h('label', {}, h('input', { type: 'radio', name: 'primary-topic', checked: link.primary,
      onchange: () => { doc.topics.forEach((x) => { x.primary = x === link; }); changed(); render(); } }), ' ', t('primary')),
  ]));
}

function relatedEditor(doc, changed) {
  const results = h('ul', { class: 'picker' });
  const chosen = h('ol', {});
  const names = new Map();
  const render = () => {
    clear(chosen);
    doc.related.forEach((id, index) => chosen.append(h('li', {}, h('span', { dir: 'auto' }, names.get(id) || id), ' ',
      h('button', { type: 'button', class: 'danger', 'aria-label': `${t('remove')} ${index + 1}`,
        onclick: () => { doc.related.splice(index, 1); changed(); render(); } }, '✕'))));
  };
  // Headlines of what is already chosen.
  Promise.all(doc.related.map((id) => api.call('GET', `/v1/articles/${id}/editorial`).then(({ data }) => names.set(id, data.headline)).catch(() => {})))
    .then(render);
  const search = h('input', { type: 'search', 'aria-label': `${t('related')}: ${t('search')}`, placeholder: t('search'), dir: 'auto',
    oninput: debounce(async (e) => {
      clear(results);
      const q = e.target.value.trim();
      if (!q) return;
      const { data } = await api.call('GET', `/v1/editorial/articles?status=published&limit=8&q=${encodeURIComponent(q)}`);
      for (const story of data.data) {
        results.append(h('li', {}, h('button', { type: 'button', class: 'link', dir: directionOf(story.language), onclick: () => {
          if (!doc.related.includes(story.id)) { doc.related.push(story.id); names.set(story.id, story.headline); changed(); render(); }
          clear(results);
        } }, story.headline)));
      }
    }, 250) });
  render();
  return h('div', {}, chosen, search, results);
}

/** The story this one translates, picked by headline from stories in other languages. */
function translationEditor(doc, changed) {
  const chosen = h('span', { dir: 'auto', class: 'chosen' });
  const results = h('ul', { class: 'picker' });
  const show = (headline) => {
    clear(chosen).append(doc.translation_of ? headline || doc.translation_of : '—');
    if (doc.translation_of) {
      chosen.append(' ', h('button', { type: 'button', class: 'danger', 'aria-label': t('remove'),
        onclick: () => { doc.translation_of = null; changed(); show(); } }, '✕'));
    }
  };
  if (doc.translation_of) {
    api.call('GET', `/v1/articles/${doc.translation_of}/editorial`).then(({ data }) => show(data.headline)).catch(() => show());
  } else {
    show();
  }
  const search = h('input', { type: 'search', id: 'f-translation', placeholder: t('search'), dir: 'auto',
    oninput: debounce(async (e) => {
      clear(results);
      const q = e.target.value.trim();
      if (!q) return;
      const { data } = await api.call('GET', `/v1/editorial/articles?limit=8&q=${encodeURIComponent(q)}`);
      for (const story of data.data.filter((s) => s.language !== doc.language)) {
        results.append(h('li', {}, h('button', { type: 'button', class: 'link', dir: directionOf(story.language), onclick: () => {
          doc.translation_of = story.id;
          changed();
          show(story.headline);
          clear(results);
          search.value = '';
        } }, `${story.headline} (${story.language})`)));
      }
    }, 250) });
  return h('div', {}, chosen, search, results);
}

export { formatTime };
