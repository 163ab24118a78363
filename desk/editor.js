// The story editor. One `Story` (store.js) owns the document; the fields below read and write
// it. Drafts save themselves as the editor types (a pause of a second and a half), Ctrl+S and
// the Save button save at once, and the action bar (always on screen, early in the tab order)
// says what the server last answered. When someone else saved first, the conflict dialog shows
// only the fields both changed; the rest merges by itself. Unsaved work is also kept in this
// browser until the server has it, and leaving a story with unsaved changes asks first.

import * as api from './api.js';
import { h, clear, directionOf, debounce } from './dom.js';
import { t, formatClock, timeZone } from './i18n.js';
import { Story, FIELDS, same, clone } from './store.js';
import { storyText, lengthCounter } from './fields.js';
import { maxLength } from './limits.js';
import { blocksEditor } from './blocks.js';
import { photoPicker } from './photos.js';
import { bylinesEditor, topicsEditor, relatedEditor, translationEditor } from './pickers.js';
import { workflow } from './workflow.js';
import { revisionsPanel } from './revisions.js';
import { modal } from './dialogs.js';
import { showProblem, fieldLabel } from './problems.js';
import { show } from './values.js';
import { setLeaveGuard } from './guard.js';

const AUTOSAVE_MS = 1500;
const REFRESH_MS = 20_000;

const backupKey = (id) => `khabar.desk.draft.${id || 'new'}`;

function loadBackup(id) {
  try { return JSON.parse(localStorage.getItem(backupKey(id))); } catch { return null; }
}

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The words of the save state, from the story's state. */
function stateText(story) {
  switch (story.state) {
    case 'saving': return t('saving');
    case 'dirty': return t('unsaved');
    case 'error': return t('notSaved');
    case 'conflict': return t('conflictTitle');
    case 'saved': return story.savedAt ? t('savedAt', { time: formatClock(story.savedAt) }) : t('saved');
    default: return '';
  }
}

/** Someone saved first and both changed the same fields: the editor chooses, field by field. */
function conflictDialog(story, { rows, theirs }) {
  const choice = Object.fromEntries(rows.map((f) => [f, 'mine']));
  const dir = directionOf(story.doc.language);
  return modal((finish) => [
    h('h2', { id: 'conflict-title' }, t('conflictTitle')),
    h('p', {}, t('conflictText')),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('field')), h('th', { scope: 'col' }, t('theirs')), h('th', { scope: 'col' }, t('yours')))),
      h('tbody', {}, rows.map((f) => {
        const radio = (side) => h('input', { type: 'radio', name: `pick-${f}`, value: side, checked: choice[f] === side,
          'aria-label': `${fieldLabel(`/${f}`)}: ${side === 'mine' ? t('yours') : t('theirs')}`, onchange: () => { choice[f] = side; } });
        return h('tr', { 'data-field': f }, h('th', { scope: 'row' }, fieldLabel(`/${f}`)),
          h('td', {}, h('label', {}, radio('theirs'), h('span', { class: 'value', dir }, show(theirs[f])))),
          h('td', {}, h('label', {}, radio('mine'), h('span', { class: 'value', dir }, show(story.doc[f])))));
      }))),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'merge', class: 'primary', onclick: () => {
        for (const f of rows) if (choice[f] === 'theirs') story.replace(f, theirs[f]);
        finish(true);
      } }, t('applyMerge')),
      h('button', { type: 'button', id: 'keep-mine', onclick: () => finish(true) }, t('keepMine')),
      h('button', { type: 'button', id: 'conflict-cancel', onclick: () => finish(false) }, t('cancel'))),
  ], { fallback: false, label: 'conflict-title', className: 'conflict' }).then((merged) => merged);
}

export async function editorView(id) {
  let story;
  if (id) {
    const { data, etag } = await api.call('GET', `/v1/articles/${encodeURIComponent(id)}/editorial`);
    story = new Story(data, etag);
  } else {
    story = new Story(null, null);
    story.doc.body.push({ type: 'paragraph', html: '' });
  }
  const notices = h('div', { class: 'notices', role: 'status' });
  const backup = loadBackup(id);
  if (backup && !same(backup.doc, story.doc) && (!id || backup.version === story.meta?.version)) {
    for (const f of FIELDS) if (f in backup.doc) story.doc[f] = clone(backup.doc[f]);
    notices.append(h('p', { class: 'notice', id: 'restored' }, t('restoredDraft'), ' ',
      h('button', { type: 'button', class: 'link', onclick: () => { localStorage.removeItem(backupKey(id)); location.reload(); } }, t('discard'))));
  }
  return buildEditor(story, notices);
}

function buildEditor(story, notices) {
  const error = h('div', { class: 'error', role: 'alert', id: 'editor-error' });
  const form = h('form', { class: 'story', id: 'story-form', novalidate: true });
  const locate = (pointer) => {
    const field = String(pointer).split('/')[1];
    if (field === 'body') {
      const index = Number(String(pointer).split('/')[2]);
      return form.querySelector(`#body-blocks > li[data-index="${index}"] .rich, #body-blocks > li[data-index="${index}"] input`);
    }
    return form.querySelector(`#f-${field}`) || form.querySelector(`#${field}-editor input`);
  };
  const report = (problem) => showProblem(error, problem, locate);

  // The save state and every save's outcome.
  const state = h('span', { class: 'save-state', id: 'save-state', role: 'status', 'aria-live': 'polite', 'aria-label': t('interfaceStatus') });
  const drawState = () => {
    state.textContent = stateText(story);
    state.dataset.state = story.state;
    if (story.state === 'error' && story.problem) report(story.problem);
    if (story.state === 'saved') clear(error);
  };
  story.on('state', drawState);
  const keepBackup = debounce(() => {
    const key = backupKey(story.meta?.id);
    if (story.dirty()) localStorage.setItem(key, JSON.stringify({ doc: story.doc, version: story.meta?.version }));
    else localStorage.removeItem(key);
  }, 200);
  story.on('state', keepBackup);
  story.on('change', keepBackup);
  const save = (explicit) => story.save({ explicit }).catch((e) => { if (!(e instanceof api.Problem)) throw e; });
  const autosave = debounce(() => { if (story.dirty() && story.autosaves() && story.state !== 'error') save(false); }, AUTOSAVE_MS);
  story.on('change', () => {
    if (story.state === 'error') story.setState('dirty');
    if (story.autosaves()) autosave();
  });
  story.onConflict = (conflict) => conflictDialog(story, conflict);
  story.on('created', (data) => {
    localStorage.removeItem(backupKey(null));
    // The same view goes on: no reload under the editor's hands.
    history.replaceState(null, '', `#/edit/${data.id}`);
    header.replaceWith(header = heading());
  });
  story.on('outdated', () => notices.replaceChildren(h('p', { class: 'notice' }, t('outdated'))));

  // Fields.
  const dir = () => directionOf(story.doc.language);
  const lang = () => story.doc.language;
  const text = (field, label, props = {}) => storyText(story, field, label,
    { dir, lang, limit: maxLength('ArticleInput', field), ...props }).element;
  const language = h('select', { id: 'f-language', onchange: (e) => {
    story.set('language', e.target.value);
    for (const el of form.querySelectorAll('input:not([dir=ltr]):not([type=radio]):not([type=checkbox]), textarea, .rich')) {
      if (el.getAttribute('role') === 'combobox') continue;
      el.dir = dir();
      el.lang = lang();
    }
  } }, [['ar', 'العربية'], ['en', 'English'], ['fr', 'Français']].map(([v, l]) => h('option', { value: v, selected: story.doc.language === v }, l)));
  story.on('language', (value) => { language.value = value; });
  const featured = featuredEditor(story, dir);
  const body = blocksEditor(story);
  const embargo = h('input', { type: 'datetime-local', id: 'f-embargo_until', value: toLocalInput(story.doc.embargo_until),
    onchange: (e) => story.set('embargo_until', e.target.value ? new Date(e.target.value).toISOString() : null) });
  story.on('embargo_until', (value) => { embargo.value = toLocalInput(value); });
  form.append(
    text('headline', t('headline'), { required: true }),
    text('lead', t('lead'), { multiline: true }),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'f-language' }, t('language')), language),
      text('slug', t('slug'), { dir: () => 'auto' }),
      text('dateline', t('dateline'))),
    h('fieldset', {}, h('legend', {}, t('featuredImage')), featured),
    h('fieldset', { id: 'body-section', tabindex: '-1' }, h('legend', {}, t('body')), h('p', { class: 'muted hint' }, t('splitHint')), body.element),
    h('fieldset', {}, h('legend', {}, t('bylines')), bylinesEditor(story)),
    h('fieldset', {}, h('legend', {}, t('topics')), topicsEditor(story)),
    h('fieldset', {}, h('legend', {}, t('related')), relatedEditor(story)),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'f-translation' }, t('translationOf')), translationEditor(story)),
      h('div', { class: 'field' }, h('label', { for: 'f-embargo_until' }, `${t('embargo')} (${t('timeZone')} ${timeZone()})`), embargo)),
    error);
  form.addEventListener('submit', (e) => { e.preventDefault(); save(true); });

  // Header, action bar, side panel.
  const heading = () => h('div', { class: 'bar' },
    h('h1', { dir: dir(), id: 'story-title' }, story.meta ? story.meta.headline || t('untitled') : t('newStory')),
    story.meta ? h('span', { class: `status ${story.meta.status}`, id: 'status' }, t(story.meta.status)) : '',
    story.meta ? h('a', { href: `#/preview/${story.meta.id}`, class: 'button', id: 'open-preview' }, t('preview')) : '',
    story.meta?.status === 'published' ? h('a', { href: `#/live/${story.meta.id}`, class: 'button', id: 'open-live' }, t('liveMode')) : '');
  let header = heading();
  const moves = workflow(story, report);
  story.on('meta', ({ before, after } = {}) => {
    header.replaceWith(header = heading());
    if (before && after && before !== after) notices.replaceChildren(h('p', { class: 'notice' }, t('statusChanged', { status: t(after) })));
    if (!story.autosaves() && story.meta && !['draft', 'in_review'].includes(story.meta.status)) autosaveNote.hidden = false;
  });
  const autosaveNote = h('p', { class: 'muted', hidden: !story.meta || ['draft', 'in_review'].includes(story.meta.status) }, t('autosaveOff'));
  const saveButton = h('button', { type: 'submit', form: 'story-form', id: 'save', class: 'primary' }, t('save'));
  const actions = h('div', { class: 'actionbar', id: 'actions', role: 'region', 'aria-label': t('storyActions'), tabindex: '-1' },
    state, saveButton, moves.buttons);
  // What this user may not change is shown, not offered: the server would refuse it.
  const readOnly = h('p', { class: 'notice', id: 'read-only', hidden: true }, t('readOnly'));
  const applyRights = () => {
    const locked = Boolean(story.meta && !story.meta.actions?.edit);
    form.inert = locked;
    form.classList.toggle('locked', locked);
    saveButton.hidden = locked;
    readOnly.hidden = !locked;
  };
  story.on('meta', applyRights);
  applyRights();
  const side = h('aside', { class: 'side', 'aria-label': t('status') }, moves.panel, autosaveNote,
    story.meta ? revisionsPanel(story, (data, etag) => { story.adopt(data, etag, clone(story.doc)); }) : '',
    warnings(story));
  const skips = h('nav', { class: 'skips', 'aria-label': t('skipToMain') },
    h('a', { href: '#', class: 'skip', onclick: (e) => { e.preventDefault(); document.getElementById('body-section')?.focus(); } }, t('skipToBody')),
    h('a', { href: '#', class: 'skip', onclick: (e) => { e.preventDefault(); document.getElementById('save')?.focus(); } }, t('skipToActions')));
  const view = h('section', { class: 'editor' }, skips, header, actions, notices, readOnly, h('div', { class: 'columns' }, form, side));

  // Ctrl+S, leaving, and following the server.
  view.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      save(true);
    }
  });
  setLeaveGuard(() => story.dirty() || story.state === 'saving');
  followServer(story, view);
  drawState();
  // A new story starts in its headline (once the view is on the page).
  if (!story.meta) setTimeout(() => view.querySelector('#f-headline')?.focus(), 0);
  return view;
}

/** The editor follows the server while it is open: every REFRESH_MS, when the window comes
 * back, and just after a scheduled time (the story goes live then). Stops with the view. */
function followServer(story, view) {
  let scheduledTimer = null;
  const check = () => {
    if (!view.isConnected) return stop();
    story.refresh().catch(() => {});
  };
  const plan = () => {
    clearTimeout(scheduledTimer);
    const at = story.meta?.status === 'scheduled' && story.meta.scheduled_at ? new Date(story.meta.scheduled_at) - Date.now() : null;
    if (at !== null && at > -60_000) scheduledTimer = setTimeout(check, Math.max(at, 0) + 1500);
  };
  const interval = setInterval(check, REFRESH_MS);
  const onVisible = () => { if (document.visibilityState === 'visible') check(); };
  const stop = () => {
    clearInterval(interval);
    clearTimeout(scheduledTimer);
    window.removeEventListener('focus', check);
    document.removeEventListener('visibilitychange', onVisible);
  };
  window.addEventListener('focus', check);
  document.addEventListener('visibilitychange', onVisible);
  story.on('meta', plan);
  plan();
}

/** The featured photo and this story's caption for it. */
function featuredEditor(story, dir) {
  const captionId = 'f-featured_caption';
  const caption = h('input', { id: captionId, dir: dir(), value: story.doc.featured_media?.caption || '',
    oninput: () => {
      if (!story.doc.featured_media) return;
      story.doc.featured_media.caption = caption.value || null;
      story.changed('featured_media');
      count.update();
    } });
  const count = lengthCounter(caption, () => caption.value, maxLength('FeaturedMediaInput', 'caption'));
  story.addCheck(() => {
    const over = count.over();
    return over ? [{ field: '/featured_media/caption', code: 'too-long', limit: over.limit }] : [];
  });
  const captionField = h('div', { class: 'field', hidden: !story.doc.featured_media },
    h('div', { class: 'label-row' }, h('label', { for: captionId }, t('featuredCaption')), count.element), caption);
  const picker = photoPicker(story.doc.featured_media?.media_id, (mediaId) => {
    story.set('featured_media', mediaId ? { media_id: mediaId, caption: story.doc.featured_media?.caption ?? null } : null);
    captionField.hidden = !mediaId;
  });
  story.on('featured_media', (value) => {
    picker.show(value?.media_id || '');
    caption.value = value?.caption || '';
    captionField.hidden = !value;
  });
  return h('div', {}, picker, captionField);
}

function warnings(story) {
  const box = h('div', { class: 'warning-box' });
  const draw = () => {
    const list = story.meta?.warnings || [];
    clear(box);
    if (!list.length) return;
    box.append(h('div', { class: 'warning' }, h('h2', {}, t('warnings')), h('ul', {}, list.map((w) => h('li', {},
      w.code && t(`warning.${w.code}`) !== `warning.${w.code}` ? t(`warning.${w.code}`, { limit: w.limit }) : w.detail)))));
  };
  story.on('meta', draw);
  draw();
  return box;
}

export { show };
