// A story's history as an editor looks for it ("before the 10:00 update"): versions grouped by
// day, newest first, each with its time, who made it and what it was (in the interface's words);
// a run of edits by one person within a quarter of an hour is one row that opens. Any version
// can be compared with the current one, side by side, and restored.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, formatClock, formatDay } from './i18n.js';
import { confirmDialog } from './dialogs.js';
import { fieldLabel, problemLine } from './problems.js';
import { show } from './values.js';

/** Edits by one person closer than this are one row. */
const RUN_MS = 15 * 60 * 1000;

/** What a revision's `action` says, in words: `transition:published` → "moved to: published". */
export function actionLabel(action) {
  const [kind, arg] = String(action).split(':');
  if (kind === 'transition') return t('action.transition', { status: t(arg) });
  if (kind === 'restore') return t('action.restore', { version: Number(arg) });
  const key = `action.${kind}`;
  const said = t(key);
  return said === key ? action : said;
}

function dayOf(iso) {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return t('today');
  if (date.toDateString() === yesterday.toDateString()) return t('yesterday');
  return formatDay(date);
}

/** Consecutive edits by one person within RUN_MS, as groups (newest first). */
export function runs(revisions) {
  const out = [];
  for (const revision of revisions) {
    const last = out[out.length - 1];
    const joins = last && revision.action === 'update' && last[0].action === 'update'
      && last[0].actor_user_id === revision.actor_user_id
      && new Date(last[last.length - 1].created_at) - new Date(revision.created_at) < RUN_MS
      && dayOf(last[0].created_at) === dayOf(revision.created_at);
    if (joins) last.push(revision);
    else out.push([revision]);
  }
  return out;
}

export function revisionsPanel(story, restored) {
  const box = h('div', { class: 'revisions-body' });
  const diff = h('div', { class: 'diff', 'aria-live': 'polite' });
  const status = h('p', { role: 'status', class: 'muted' });

  async function compare(version) {
    const latest = story.meta.version;
    const { data } = await api.call('GET', `/v1/articles/${story.meta.id}/diff?from=${version}&to=${latest}`);
    clear(diff).append(h('table', {},
      h('caption', {}, `${t('version')} ${data.from} → ${t('version')} ${data.to}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('field')), h('th', { scope: 'col' }, `${t('version')} ${data.from}`),
        h('th', { scope: 'col' }, `${t('version')} ${data.to}`))),
      h('tbody', {}, data.changes.map((c) => h('tr', {}, h('th', { scope: 'row' }, fieldLabel(`/${c.field}`)),
        h('td', { class: 'old', dir: 'auto' }, show(c.from)), h('td', { class: 'new', dir: 'auto' }, show(c.to)))))));
  }

  async function restore(version) {
    if (!(await confirmDialog(t('confirmRestore', { version }), t('restore')))) return;
    try {
      if (story.dirty()) await story.save({ explicit: true });
      const { data, etag } = await api.call('POST', `/v1/articles/${story.meta.id}/revisions/${version}/restore`, { ifMatch: story.etag });
      restored(data, etag);
      load();
    } catch (e) {
      status.textContent = problemLine(e);
    }
  }

  function row(revision) {
    const current = revision.version === story.meta.version;
    return h('li', { class: 'revision', 'data-version': revision.version },
      h('time', { datetime: revision.created_at }, formatClock(new Date(revision.created_at))), ' · ',
      h('span', {}, actionLabel(revision.action)), ' · ',
      h('span', { dir: 'auto' }, revision.actor_name || '—'), ' ',
      h('span', { class: 'muted' }, `(${t('version')} ${revision.version})`),
      current ? '' : h('span', { class: 'revision-tools' },
        h('button', { type: 'button', class: 'link', id: `compare-${revision.version}`, onclick: () => compare(revision.version) }, t('compareWithNow')),
        h('button', { type: 'button', class: 'link', id: `restore-${revision.version}`, onclick: () => restore(revision.version) }, t('restoreThis'))));
  }

  async function load() {
    const { data } = await api.call('GET', `/v1/articles/${story.meta.id}/revisions`);
    const list = [...(data.data || data)].sort((a, b) => b.version - a.version);
    clear(box);
    if (!list.length) return box.append(h('p', { class: 'muted' }, t('revisionsEmpty')));
    let day = null;
    let items = null;
    for (const group of runs(list)) {
      const groupDay = dayOf(group[0].created_at);
      if (groupDay !== day) {
        day = groupDay;
        items = h('ol', { class: 'revision-day' });
        box.append(h('h3', {}, day), items);
      }
      if (group.length === 1) {
        items.append(row(group[0]));
      } else {
        const first = group[group.length - 1];
        const last = group[0];
        items.append(h('li', { class: 'revision-run' }, h('details', {},
          h('summary', {}, `${t('edits', { count: group.length })} · ${formatClock(new Date(first.created_at))}–${formatClock(new Date(last.created_at))} · `,
            h('span', { dir: 'auto' }, last.actor_name || '—')),
          h('ol', {}, group.map(row)))));
      }
    }
  }

  const details = h('details', { class: 'revisions', ontoggle: () => { if (details.open) load().catch((e) => { status.textContent = problemLine(e); }); } },
    h('summary', {}, t('revisions')), box, status, diff);
  story.on('meta', () => { if (details.open) load().catch(() => {}); });
  return details;
}
