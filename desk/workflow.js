// The workflow as the server offers it: the moves in the editorial answer's `actions` (what
// this user may do with this story now), asked about before publishing, unpublishing or
// archiving; scheduling; corrections, listed and confirmed; partner preview links. What is shown
// follows the story's `meta` events, so a story that went live on schedule says so.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, formatTime, timeZone } from './i18n.js';
import { confirmDialog } from './dialogs.js';
import { lengthCounter, uid } from './fields.js';
import { maxLength } from './limits.js';
import { problemLine } from './problems.js';
import { uncredited } from './photos.js';

/** The words of a move, by the status it leads to. */
const LABELS = { in_review: 'submit', draft: 'backToDraft', published: 'publish', scheduled: 'schedule',
  unpublished: 'unpublish', archived: 'archive' };
const ASK = { published: 'confirmPublish', unpublished: 'confirmUnpublish', archived: 'confirmArchive' };

/**
 * The move buttons for the action bar and the panel that goes with them (schedule time,
 * corrections, preview link). `report(problem)` shows a refusal where the editor shows errors.
 */
export function workflow(story, report) {
  const status = h('p', { role: 'status', class: 'muted', id: 'workflow-status' });
  const whenId = uid('schedule-at');
  const when = h('input', { type: 'datetime-local', id: whenId });
  const buttons = h('span', { class: 'moves' });
  const panel = h('div', { class: 'workflow' });

  async function move(to) {
    status.textContent = '';
    status.className = 'muted';
    try {
      if (story.dirty() || story.inflight) await story.save({ explicit: true });
      if (to === 'published' || to === 'scheduled') {
        if ((await uncredited(story.doc)).length) {
          status.textContent = t('noCredit');
          status.className = 'error';
          return;
        }
      }
      const body = { to };
      if (to === 'scheduled') {
        if (!when.value) {
          when.focus();
          status.textContent = `${t('when')}: ${t('code.required')}`;
          return;
        }
        body.scheduled_at = new Date(when.value).toISOString();
      }
      if (ASK[to] && !(await confirmDialog(t(ASK[to]), t(LABELS[to])))) return;
      const { data, etag } = await api.call('POST', `/v1/articles/${story.meta.id}/transitions`, { json: body, ifMatch: story.etag });
      story.setMeta(data, etag);
      status.textContent = t('statusChanged', { status: t(data.status) });
    } catch (e) {
      if (e instanceof api.Problem) report(e);
      else throw e;
    }
  }

  function render() {
    const meta = story.meta;
    clear(buttons);
    clear(panel);
    if (!meta) return;
    const moves = meta.actions?.transitions || [];
    for (const to of moves) {
      buttons.append(h('button', { type: 'button', id: `move-${to}`, 'data-to': to, class: to === 'published' ? 'primary' : '',
        onclick: () => move(to) }, t(LABELS[to] || to)));
    }
    panel.append(h('h2', {}, t('status'), ': ', t(meta.status)));
    if (meta.scheduled_at && meta.status === 'scheduled') {
      panel.append(h('p', {}, `${t('scheduled')}: `, h('time', { datetime: meta.scheduled_at }, formatTime(meta.scheduled_at))));
    }
    if (moves.includes('scheduled')) {
      panel.append(h('div', { class: 'field' }, h('label', { for: whenId }, `${t('when')} (${t('timeZone')} ${timeZone()})`), when));
    }
    panel.append(status, corrections(story, report), previewLink(meta));
  }

  story.on('meta', render);
  render();
  return { buttons, panel };
}

function corrections(story, report) {
  const meta = story.meta;
  const list = (meta.corrections || []).map((c) => h('li', {},
    h('time', { datetime: c.corrected_at }, formatTime(c.corrected_at)), ': ', h('span', { dir: 'auto' }, c.note)));
  const shown = h('div', { class: 'corrections' }, h('h3', {}, t('corrections')),
    list.length ? h('ol', { id: 'corrections-list' }, list) : h('p', { class: 'muted' }, t('noCorrections')));
  if (!meta.actions?.correct) return shown;
  const id = uid('correction-note');
  const note = h('textarea', { id, dir: 'auto' });
  const count = lengthCounter(note, () => note.value, maxLength('CorrectionRequest', 'note'));
  note.addEventListener('input', count.update);
  const done = h('p', { role: 'status', class: 'muted', id: 'correction-status' });
  const send = h('button', { type: 'button', id: 'send-correction', onclick: async () => {
    done.textContent = '';
    if (count.over()) {
      done.textContent = t('code.too-long', { limit: count.over().limit });
      return;
    }
    try {
      if (story.dirty()) await story.save({ explicit: true });
      const { data, etag } = await api.call('POST', `/v1/articles/${story.meta.id}/corrections`, { json: { note: note.value }, ifMatch: story.etag });
      story.setMeta(data, etag);
      document.getElementById('correction-status')?.replaceChildren(t('correctionSent'));
    } catch (e) {
      if (e instanceof api.Problem) { done.textContent = problemLine(e); report(e); } else throw e;
    }
  } }, t('correct'));
  return h('div', {}, shown, h('details', { class: 'correct' }, h('summary', {}, t('correct')),
    h('div', { class: 'label-row' }, h('label', { for: id }, t('correctionNote')), count.element), note, send), done);
}

function previewLink(meta) {
  const out = h('p', { class: 'preview-link' });
  return h('div', {}, h('button', { type: 'button', class: 'link', id: 'make-preview-link', onclick: async () => {
    try {
      const { data } = await api.call('POST', `/v1/articles/${meta.id}/preview-links`, { json: {} });
      clear(out).append(h('input', { readonly: true, value: data.url, dir: 'ltr', 'aria-label': t('previewLink') }));
    } catch (e) {
      out.textContent = problemLine(e);
    }
  } }, t('previewLink')), out);
}
