// The stories lists: one tab a status, the user's own or the whole newsroom's, search in
// headlines, language, and cursor paging ("More").

import * as api from './api.js';
import { h, clear, directionOf, debounce } from './dom.js';
import { t, formatTime } from './i18n.js';

const STATUSES = ['draft', 'in_review', 'scheduled', 'published', 'unpublished', 'archived'];

export async function storiesView(status) {
  const state = { status: STATUSES.includes(status) ? status : '', mine: !api.may.publish(), q: '', language: '' };
  const rows = h('tbody');
  const more = h('button', { type: 'button', id: 'more', hidden: true }, t('loadMore'));
  const empty = h('p', { class: 'muted', hidden: true }, t('noStories'));
  let cursor = null;

  let asked = 0;
  async function load(reset) {
    const ask = ++asked;
    const params = new URLSearchParams({ limit: '25' });
    if (state.status) params.set('status', state.status);
    if (state.mine) params.set('mine', 'true');
    if (state.q) params.set('q', state.q);
    if (state.language) params.set('language', state.language);
    if (!reset && cursor) params.set('cursor', cursor);
    const { data } = await api.call('GET', `/v1/editorial/articles?${params}`);
    // An answer to an older search (the editor kept typing) is not shown.
    if (ask !== asked) return;
    if (reset) clear(rows);
    for (const story of data.data) rows.append(row(story));
    cursor = data.next_cursor;
    more.hidden = !cursor;
    empty.hidden = rows.children.length > 0;
  }

  more.addEventListener('click', () => load(false));
  const tabs = h('nav', { class: 'tabs', 'aria-label': t('status') },
    ['', ...STATUSES].map((s) => h('a', {
      href: `#/stories/${s}`, 'aria-current': s === state.status ? 'page' : false, class: s === state.status ? 'active' : '',
    }, s ? t(s) : t('all'))));
  const search = h('input', { type: 'search', id: 'story-search', placeholder: t('search'), 'aria-label': t('search'),
    oninput: debounce((e) => { state.q = e.target.value.trim(); load(true); }, 250) });
  const mine = h('input', { type: 'checkbox', id: 'mine', checked: state.mine, disabled: !api.may.publish(),
    onchange: (e) => { state.mine = e.target.checked; load(true); } });
  const lang = h('select', { id: 'list-language', 'aria-label': t('language'), onchange: (e) => { state.language = e.target.value; load(true); } },
    h('option', { value: '' }, t('anyLanguage')), h('option', { value: 'ar' }, 'العربية'), h('option', { value: 'en' }, 'English'),
    h('option', { value: 'fr' }, 'Français'));
  await load(true);
  return h('section', { class: 'stories' },
    h('div', { class: 'bar' }, h('h1', {}, t('stories')), h('a', { class: 'button', href: '#/new', id: 'new-story' }, t('newStory'))),
    tabs,
    h('div', { class: 'filters' }, search, h('label', {}, mine, ' ', t('mine')), lang),
    h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('headline')), h('th', { scope: 'col' }, t('status')),
        h('th', { scope: 'col' }, t('language')), h('th', { scope: 'col' }, t('updated')))),
      rows),
    empty, more);
}

function row(story) {
  return h('tr', { 'data-id': story.id },
    h('td', {}, h('a', { href: `#/edit/${story.id}`, dir: directionOf(story.language), lang: story.language, class: 'headline' }, story.headline)),
    h('td', {}, h('span', { class: `status ${story.status}` }, t(story.status))),
    h('td', {}, story.language),
    h('td', {}, h('time', { datetime: story.updated_at }, formatTime(story.updated_at))));
}
