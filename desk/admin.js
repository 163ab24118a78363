// Catalog (contributors, topics, media) for editors; users, partner keys, webhooks and the
// audit log for admins. Each is a paged list with a form to add one; every value is text.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, formatTime } from './i18n.js';
import { photoPicker } from './photos.js';
import { problemLine } from './problems.js';
import { confirmDialog } from './dialogs.js';

/** A paged table of `path` with `columns` ([label, value of a row]) and an optional form. */
async function table(title, path, columns, form, rowsOf = (d) => d.data, cursorOf = (d) => d.next_cursor) {
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, t('loadMore'));
  let cursor = null;
  async function load(reset) {
    const sep = path.includes('?') ? '&' : '?';
    const { data } = await api.call('GET', `${path}${!reset && cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (reset) clear(body);
    for (const row of rowsOf(data)) body.append(h('tr', {}, columns.map(([, value]) => h('td', { dir: 'auto' }, value(row, () => load(true))))));
    cursor = cursorOf(data);
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => load(false));
  await load(true);
  return h('section', { class: 'admin', 'data-view': path.split('?')[0] }, h('h1', {}, title), form ? form(() => load(true)) : '',
    h('table', { class: 'list' }, h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col' }, label || h('span', { class: 'visually-hidden' }, t('actionsColumn')))))), body), more);
}

/** A small create form: `fields` are [name, label, type or options]; `toBody` shapes the JSON. */
function createForm(path, fields, toBody) {
  return (reload) => {
    const inputs = {};
    const status = h('p', { role: 'status' });
    const form = h('form', { class: 'create', onsubmit: async (e) => {
      e.preventDefault();
      const values = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
      try {
        const { data } = await api.call('POST', typeof path === 'function' ? path(values) : path, { json: toBody(values) });
        status.textContent = t('created');
        form.reset();
        reload();
        form.dispatchEvent(new CustomEvent('created', { detail: data }));
      } catch (err) {
        status.textContent = problemLine(err);
      }
    } }, fields.map(([name, label, type, optional]) => {
      const id = `new-${name}`;
      inputs[name] = Array.isArray(type)
        ? h('select', { id }, type.map((o) => h('option', { value: o }, option(o))))
        : h('input', { id, type: type || 'text', dir: type ? 'ltr' : 'auto', required: !optional });
      return h('div', { class: 'field' }, h('label', { for: id }, label), inputs[name]);
    }), h('button', { type: 'submit' }, t('create')), status);
    return form;
  };
}

/** An option's words: kinds and roles in the interface's language. */
const option = (value) => (t(`option.${value}`) === `option.${value}` ? value : t(`option.${value}`));

const del = (path, reload, what) => {
  const button = h('button', { type: 'button', class: 'danger', 'aria-label': `${t('delete')}: ${what}`, onclick: async () => {
    if (!(await confirmDialog(t('confirmDelete'), t('delete')))) return;
    try { await api.call('DELETE', path); reload(); } catch (e) { button.replaceWith(h('span', { class: 'error', role: 'alert' }, problemLine(e))); }
  } }, t('delete'));
  return button;
};

/** A new contributor or topic from a name in the interface's language: the slug is made by the
 * server when none is given (Arabic kept), and the name is also recorded as that language's. */
const catalogBody = (v, extra = {}) => ({
  slug: v.slug || undefined,
  name: v.name,
  kind: v.kind,
  localized_names: { [document.documentElement.lang]: v.name, ...(v.name_en ? { en: v.name_en } : {}) },
  ...extra,
});

export function contributorsView() {
  return table(t('contributors'), '/v1/contributors?limit=50', [
    [t('name'), (c) => c.names?.[document.documentElement.lang] || c.name], ['ar', (c) => c.names?.ar || ''], ['en', (c) => c.names?.en || ''],
    [t('slug'), (c) => c.slug], [t('kind'), (c) => option(c.kind)],
    ['', (c, reload) => del(`/v1/contributors/${encodeURIComponent(c.slug)}`, reload, c.name)],
  ], createForm('/v1/contributors', [['name', t('name')], ['name_en', `${t('name')} (English)`, undefined, true],
    ['slug', t('slug'), 'text', true], ['kind', t('kind'), ['person', 'organisation', 'agency']]],
  (v) => catalogBody(v)));
}

export function topicsView() {
  return table(t('topics'), '/v1/topics?limit=50', [
    [t('name'), (x) => x.names?.[document.documentElement.lang] || x.name], ['ar', (x) => x.names?.ar || ''], ['en', (x) => x.names?.en || ''],
    [t('slug'), (x) => x.slug], [t('kind'), (x) => option(x.kind)],
    ['', (x, reload) => del(`/v1/topics/${encodeURIComponent(x.slug)}`, reload, x.name)],
  ], createForm('/v1/topics', [['name', t('name')], ['name_en', `${t('name')} (English)`, undefined, true],
    ['slug', t('slug'), 'text', true], ['kind', t('kind'), ['tag', 'section', 'place', 'person', 'organisation', 'event']],
    ['parent', `${t('parent')} (${t('slug')})`, 'text', true]],
  (v) => catalogBody(v, { parent: v.parent || undefined })));
}

export async function mediaView() {
  // Upload a photo and set its credit, caption and focal point; articles pick it by id.
  const out = h('div', {});
  const id = h('output', { dir: 'ltr' });
  out.append(photoPicker('', (mediaId) => { id.textContent = mediaId; }), h('p', {}, `${t('mediaId')}: `, id));
  return h('section', { class: 'admin' }, h('h1', {}, t('media')), out);
}

export function usersView() {
  return table(t('users'), '/v1/users', [
    ['id', (u) => u.id], [t('email'), (u) => u.email], [t('role'), (u) => option(u.role)], [t('active'), (u) => (u.disabled ? '✕' : '✓')],
    [t('apiKeys'), (u) => (u.role === 'partner' ? keysOf(u) : '')],
  ], createForm('/v1/users', [['email', t('email'), 'email'], ['password', t('password'), 'password'], ['role', t('role'), ['writer', 'editor', 'admin', 'partner']]],
    (v) => v), (d) => d.data || d, (d) => d.next_cursor || null);
}

function keysOf(user) {
  const box = h('div');
  const out = h('output', { dir: 'ltr' });
  const list = h('ul');
  const load = async () => {
    const { data } = await api.call('GET', `/v1/users/${user.id}/api-keys`);
    clear(list);
    for (const key of data.data || data) {
      list.append(h('li', { dir: 'ltr' }, `${key.prefix || key.id} ${key.revoked_at ? '(revoked)' : ''}`, ' ',
        key.revoked_at ? '' : h('button', { type: 'button', class: 'link', onclick: async () => { await api.call('DELETE', `/v1/users/${user.id}/api-keys/${key.id}`); load(); } }, t('revoke'))));
    }
  };
  box.append(list, h('button', { type: 'button', class: 'link', onclick: async () => {
    const { data } = await api.call('POST', `/v1/users/${user.id}/api-keys`, { json: { name: `desk ${new Date().toISOString().slice(0, 10)}` } });
    out.textContent = data.key;
    load();
  } }, `+ ${t('key')}`), out);
  load().catch(() => {});
  return box;
}

export function webhooksView() {
  return table(t('webhooks'), '/v1/webhooks', [
    ['id', (w) => w.id], [t('url'), (w) => w.url], [t('event'), (w) => (w.events || []).join(', ')], [t('active'), (w) => (w.active ? '✓' : '✕')],
    ['', (w, reload) => del(`/v1/webhooks/${w.id}`, reload, w.url)],
  ], createForm('/v1/webhooks', [['url', t('url'), 'url']],
    (v) => ({ url: v.url, events: ['article.published', 'article.updated', 'article.unpublished', 'article.deleted'] })), (d) => d.data || d, (d) => d.next_cursor || null);
}

export function auditView() {
  return table(t('audit'), '/v1/audit?limit=50', [
    [t('at'), (e) => formatTime(e.at || e.created_at)], [t('actor'), (e) => e.actor_email || e.actor_user_id || ''],
    [t('event'), (e) => e.action], [t('target'), (e) => `${e.target_type || ''} ${e.target_id || ''}`],
  ], null, (d) => d.data || d, (d) => d.next_cursor || null);
}
