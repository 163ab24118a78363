// The workflow buttons a role may use in the article's status, and revisions with a
// side-by-side diff and restore. The server decides in the end; the desk offers only what the
// role may do, and checks photo credits before asking to publish.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, formatTime, timeZone } from './i18n.js';
import { show } from './editor.js';

/** [label, target status, needs the publish permission] per current status. */
const MOVES = {
  draft: [['submit', 'in_review', false], ['publish', 'published', true], ['schedule', 'scheduled', true]],
  in_review: [['backToDraft', 'draft', false], ['publish', 'published', true], ['schedule', 'scheduled', true]],
  scheduled: [['backToDraft', 'draft', true], ['publish', 'published', true]],
  published: [['unpublish', 'unpublished', true]],
  unpublished: [['publish', 'published', true], ['backToDraft', 'draft', true], ['archive', 'archived', true]],
  archived: [['unpublish', 'unpublished', true]],
};

export function workflowPanel(meta, editor) {
  const status = h('p', { role: 'status', class: 'muted', id: 'workflow-status' });
  const when = h('input', { type: 'datetime-local', id: 'schedule-at', 'aria-label': `${t('when')} (${timeZone()})` });
  const moves = (MOVES[meta.status] || []).filter(([, , publish]) => !publish || api.may.publish());

  async function move(to) {
    status.textContent = '';
    try {
      if (editor.dirty()) await editor.save();
      const current = await api.call('GET', `/v1/articles/${meta.id}/editorial`);
      if (to === 'published' || to === 'scheduled') {
        const missing = await editor.check();
        if (missing.length) {
          status.textContent = t('noCredit');
          status.className = 'error';
          return;
        }
      }
      const body = { to };
      if (to === 'scheduled') {
        if (!when.value) { when.focus(); status.textContent = t('when'); return; }
        body.scheduled_at = new Date(when.value).toISOString();
      }
      const { data, etag } = await api.call('POST', `/v1/articles/${meta.id}/transitions`, { json: body, ifMatch: current.etag });
      editor.accept(data, etag);
    } catch (e) {
      editor.showProblem(e);
    }
  }

  const buttons = moves.map(([label, to]) => h('button', { type: 'button', id: `move-${to}`, 'data-to': to, onclick: () => move(to) }, t(label)));
  const hasSchedule = moves.some(([, to]) => to === 'scheduled');
  const panel = h('div', { class: 'workflow' }, h('h3', {}, t('status'), ': ', t(meta.status)),
    meta.scheduled_at ? h('p', {}, `${t('scheduled')}: `, h('time', { datetime: meta.scheduled_at }, formatTime(meta.scheduled_at))) : '',
    hasSchedule ? h('label', {}, `${t('when')} (${t('timeZone')} ${timeZone()})`, when) : '',
    h('div', { class: 'buttons' }, buttons), status);
  if (meta.status === 'published' && api.may.publish()) panel.append(correction(meta, editor));
  panel.append(previewLink(meta));
  return panel;
}

function correction(meta, editor) {
  const note = h('textarea', { id: 'correction-note', 'aria-label': t('correctionNote') });
  return h('details', {}, h('summary', {}, t('correct')), note,
    h('button', { type: 'button', id: 'send-correction', onclick: async () => {
      try {
        const current = await api.call('GET', `/v1/articles/${meta.id}/editorial`);
        const { data, etag } = await api.call('POST', `/v1/articles/${meta.id}/corrections`, { json: { note: note.value }, ifMatch: current.etag });
        editor.accept(data, etag);
      } catch (e) {
        editor.showProblem(e);
      }
    } }, t('correct')));
}

function previewLink(meta) {
  const out = h('p', { class: 'preview-link' });
  return h('div', {}, h('button', { type: 'button', class: 'link', id: 'make-preview-link', onclick: async () => {
    try {
      const { data } = await api.call('POST', `/v1/articles/${meta.id}/preview-links`, { json: {} });
      clear(out).append(h('input', { readonly: true, value: data.url, dir: 'ltr', 'aria-label': t('previewLink') }));
    } catch (e) {
      out.textContent = e.message;
    }
  } }, t('previewLink')), out);
}

export function revisionsPanel(meta, accept) {
  const box = h('div', { class: 'revisions-body' });
  const details = h('details', { class: 'revisions', ontoggle: async () => {
    if (!details.open || box.childElementCount) return;
    const { data } = await api.call('GET', `/v1/articles/${meta.id}/revisions`);
    const list = [...(data.data || data)].sort((a, b) => a.version - b.version);
    // The left version is the one "restore" brings back.
    const from = h('select', { 'aria-label': `${t('before')} / ${t('restore')}`, id: 'diff-from' });
    const to = h('select', { 'aria-label': t('after'), id: 'diff-to' });
    for (const r of list) {
      const label = `${t('version')} ${r.version} · ${r.action} · ${formatTime(r.created_at)}`;
      from.append(h('option', { value: r.version }, label));
      to.append(h('option', { value: r.version }, label));
    }
    if (list.length > 1) from.value = String(list[list.length - 2].version);
    to.value = String(list[list.length - 1]?.version ?? '');
    const table = h('div', { class: 'diff' });
    const compare = async () => {
      const { data: diff } = await api.call('GET', `/v1/articles/${meta.id}/diff?from=${from.value}&to=${to.value}`);
      clear(table).append(h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('field')), h('th', {}, `${t('version')} ${diff.from}`), h('th', {}, `${t('version')} ${diff.to}`))),
        h('tbody', {}, diff.changes.map((c) => h('tr', {}, h('th', {}, c.field), h('td', { class: 'old', dir: 'auto' }, show(c.from)), h('td', { class: 'new', dir: 'auto' }, show(c.to)))))));
    };
    const restore = h('button', { type: 'button', onclick: async () => {
      const current = await api.call('GET', `/v1/articles/${meta.id}/editorial`);
      const { data: restored, etag } = await api.call('POST', `/v1/articles/${meta.id}/revisions/${from.value}/restore`, { ifMatch: current.etag });
      accept(restored, etag);
    } }, t('restore'));
    box.append(h('div', { class: 'row' }, from, to), h('div', { class: 'row' },
      h('button', { type: 'button', id: 'compare', onclick: compare }, t('compare')), restore), table);
  } }, h('summary', {}, t('revisions')), box);
  return details;
}
