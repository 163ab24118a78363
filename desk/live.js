// The live mode (`#/live/<id>`): a published story covered minute by minute. The composer posts
// an entry with Ctrl+Enter (each entry has its own Idempotency-Key, so a double press or a retry
// posts once); key event, pin and summary are toggles. The entry list follows the blog's event
// stream (the public SSE, resumed by the browser with Last-Event-ID), so what another editor
// posts, edits or deletes appears here without a reload. Arabic first, one column on a phone.

import * as api from './api.js';
import { h, clear, directionOf } from './dom.js';
import { t, formatClock } from './i18n.js';
import { confirmDialog } from './dialogs.js';
import { problemLine } from './problems.js';

const STATES = ['live', 'paused', 'ended'];

/** A paragraph block per line of text typed (the text escaped: the composer is plain text). */
function blocksOf(text) {
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return text.split(/\n+/).map((line) => line.trim()).filter(Boolean).map((line) => ({ type: 'paragraph', html: escape(line) }));
}

/** The plain text of an entry's blocks, one line a block (for editing in the composer's way). */
function textOf(entry) {
  const div = document.createElement('div');
  return entry.body.map((b) => {
    div.innerHTML = b.html || b.text || (b.items || []).join('\n') || '';
    return div.textContent;
  }).join('\n');
}

export async function liveView(id) {
  const { data: story } = await api.call('GET', `/v1/articles/${encodeURIComponent(id)}/editorial`);
  const dir = directionOf(story.language);
  const status = h('p', { class: 'live-status', id: 'live-status', role: 'status', 'aria-live': 'polite' });
  const list = h('ol', { class: 'live-entries', id: 'live-entries', 'aria-label': t('liveEntries') });
  const stateButtons = h('div', { class: 'row', id: 'live-states', role: 'group', 'aria-label': t('liveState') });
  const entries = new Map();
  let source = null;

  const say = (text) => { status.textContent = text; };
  const fail = (e) => say(e instanceof api.Problem ? problemLine(e) : String(e));

  function showState(state) {
    clear(stateButtons).append(...STATES.map((s) => h('button', {
      type: 'button', id: `live-${s}`, 'aria-pressed': String(s === state), class: s === state ? 'primary' : '',
      onclick: async () => {
        try {
          const { data } = await api.call('PUT', `/v1/articles/${id}/live`, { json: { state: s } });
          showState(data.state);
          composer.hidden = data.state === 'ended';
        } catch (e) { fail(e); }
      },
    }, t(`live.${s}`))));
    stateButtons.dataset.state = state || '';
  }

  function render(entry) {
    const badges = [entry.key_event && t('keyEvent'), entry.pinned && t('pinned'), entry.summary && t('summary')].filter(Boolean);
    const item = h('li', { class: `live-entry${entry.pinned ? ' pinned' : ''}`, 'data-id': entry.id, dir, lang: story.language },
      h('div', { class: 'meta' },
        h('time', { datetime: entry.published_at }, formatClock(new Date(entry.published_at))),
        badges.map((b) => h('span', { class: 'badge' }, b)),
        entry.byline ? h('span', { class: 'muted' }, entry.byline) : ''),
      entry.title ? h('h3', {}, entry.title) : '',
      h('div', { class: 'text' }, entry.body.map((b) => h('p', {}, b.html ? textFromHtml(b.html) : b.text || ''))),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'link edit-entry', onclick: () => editEntry(entry, item) }, t('edit')),
        h('button', { type: 'button', class: 'link delete-entry', onclick: () => deleteEntry(entry) }, t('delete'))));
    return item;
  }

  function textFromHtml(html) {
    const div = document.createElement('div');
    div.innerHTML = html;
    return div.textContent;
  }

  /** Puts an entry where it belongs (newest first), replacing its older form. */
  function place(entry) {
    const fresh = render(entry);
    const old = list.querySelector(`li[data-id="${entry.id}"]`);
    entries.set(entry.id, entry);
    if (old) { old.replaceWith(fresh); return; }
    const later = [...list.children].find((li) => entries.get(li.dataset.id)?.published_at < entry.published_at);
    list.insertBefore(fresh, later || null);
  }

  function remove(entryId) {
    entries.delete(entryId);
    list.querySelector(`li[data-id="${entryId}"]`)?.remove();
  }

  async function editEntry(entry, item) {
    const { data: current, etag } = await api.call('GET', `/v1/articles/${id}/live/entries/${entry.id}`);
    const title = h('input', { class: 'entry-title', value: current.title || '', dir, 'aria-label': t('entryTitle') });
    const text = h('textarea', { class: 'entry-text', rows: 4, dir, 'aria-label': t('entryText') }, textOf(current));
    const save = async () => {
      try {
        const { data } = await api.call('PATCH', `/v1/articles/${id}/live/entries/${entry.id}`,
          { patch: { title: title.value.trim() || null, body: blocksOf(text.value) }, ifMatch: etag });
        place(data);
      } catch (e) { fail(e); }
    };
    item.replaceChildren(title, text, h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary save-entry', onclick: save }, t('save')),
      h('button', { type: 'button', onclick: () => place(entries.get(entry.id) || entry) }, t('cancel'))));
    text.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); } });
    text.focus();
  }

  async function deleteEntry(entry) {
    if (!(await confirmDialog(t('confirmDeleteEntry'), t('delete')))) return;
    try {
      const { etag } = await api.call('GET', `/v1/articles/${id}/live/entries/${entry.id}`);
      await api.call('DELETE', `/v1/articles/${id}/live/entries/${entry.id}`, { ifMatch: etag });
      remove(entry.id);
    } catch (e) { fail(e); }
  }

  // The composer.
  const title = h('input', { id: 'entry-title', dir, lang: story.language, 'aria-label': t('entryTitle'), placeholder: t('entryTitle') });
  const text = h('textarea', { id: 'entry-text', rows: 4, dir, lang: story.language, 'aria-label': t('entryText'), placeholder: t('entryHint') });
  const flag = (name) => h('input', { type: 'checkbox', id: `entry-${name}` });
  const flags = { key_event: flag('key-event'), pinned: flag('pinned'), summary: flag('summary') };
  let key = api.newKey();
  let posting = null;
  async function post() {
    const body = blocksOf(text.value);
    if (!body.length) { say(t('entryEmpty')); return; }
    // A second Ctrl+Enter while the first is on its way is the same post.
    if (posting) return posting;
    const json = { body, key_event: flags.key_event.checked, pinned: flags.pinned.checked, summary: flags.summary.checked };
    if (title.value.trim()) json.title = title.value.trim();
    posting = api.call('POST', `/v1/articles/${id}/live/entries`, { json, idempotencyKey: key })
      .then(({ data }) => {
        place(data);
        key = api.newKey();
        text.value = ''; title.value = '';
        Object.values(flags).forEach((f) => { f.checked = false; });
        say(t('entryPosted', { time: formatClock(new Date()) }));
        text.focus();
      })
      .catch(fail)
      .finally(() => { posting = null; });
    return posting;
  }
  text.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); post(); } });
  const composer = h('form', { class: 'live-composer', id: 'live-composer', onsubmit: (e) => { e.preventDefault(); post(); } },
    title, text,
    h('div', { class: 'row' },
      h('label', {}, flags.key_event, ' ', t('keyEvent')),
      h('label', {}, flags.pinned, ' ', t('pinned')),
      h('label', {}, flags.summary, ' ', t('summary')),
      h('button', { type: 'submit', class: 'primary', id: 'post-entry' }, t('postEntry'))));

  // What the blog is now, then everything after it from the stream.
  async function start() {
    let page;
    try {
      ({ data: page } = await api.call('GET', `/v1/articles/${id}/live?latest=100`));
    } catch (e) {
      if (e.status !== 404) throw e;
      return false;
    }
    showState(page.blog.state);
    composer.hidden = page.blog.state === 'ended';
    for (const entry of [...page.latest].reverse()) place(entry);
    source = new EventSource(`/v1/articles/${id}/live/stream?after=${encodeURIComponent(page.cursor)}`);
    const on = (kind, handler) => source.addEventListener(kind, (e) => handler(JSON.parse(e.data)));
    for (const kind of ['entry_published', 'entry_updated', 'entry_pinned', 'entry_unpinned']) {
      on(kind, (event) => { if (event.entry) place(event.entry); });
    }
    on('entry_deleted', (event) => remove(event.entry_id));
    on('state_changed', (event) => { showState(event.blog.state); composer.hidden = event.blog.state === 'ended'; });
    source.onopen = () => { list.dataset.following = 'true'; };
    return true;
  }

  const view = h('section', { class: 'live', id: 'live-view' },
    h('div', { class: 'bar' },
      h('h1', { dir, lang: story.language }, story.headline),
      h('a', { href: `#/edit/${id}`, class: 'button' }, t('edit'))),
    stateButtons, status, composer, list);
  if (!(await start())) {
    composer.hidden = true;
    const begin = h('button', { type: 'button', class: 'primary', id: 'start-live', onclick: async () => {
      try {
        await api.call('PUT', `/v1/articles/${id}/live`, { json: { state: 'live' } });
        if (await start()) { begin.remove(); } else { say(t('livePublishFirst')); }
      } catch (e) { fail(e); }
    } }, t('startLive'));
    stateButtons.append(begin);
    if (story.status !== 'published') say(t('livePublishFirst'));
  }
  // The stream ends when the editor leaves the view.
  window.addEventListener('hashchange', () => source?.close(), { once: true });
  return view;
}
