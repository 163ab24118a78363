// Catalog (contributors, topics, media) for editors; users, partner keys, webhooks and the
// audit log for admins. Each is a paged list with a form to add one; every value is text.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, formatTime } from './i18n.js';
import { photoPicker } from './photos.js';

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
    h('table', { class: 'list' }, h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', {}, label)))), body), more);
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
        status.textContent = `${err.message} ${Object.entries(err.fields || {}).map(([f, m]) => `${f}: ${m}`).join('; ')}`;
      }
    } }, fields.map(([name, label, type]) => {
      const id = `new-${name}`;
      inputs[name] = Array.isArray(type)
        ? h('select', { id }, type.map((o) => h('option', { value: o }, o)))
        : h('input', { id, type: type || 'text', dir: 'auto', required: name !== 'parent' && name !== 'name_ar' });
      return h('div', { class: 'field' }, h('label', { for: id }, label), inputs[name]);
    }), h('button', { type: 'submit' }, t('create')), status);
    return form;
  };
}

const del = (path, reload) => h('button', { type: 'button', class: 'danger', onclick: async () => {
  if (!confirm(t('confirmDelete'))) return;
  try { await api.call('DELETE', path); reload(); } catch (e) { alert(e.message); }
} }, t('delete'));

export function contributorsView() {
  return table(t('contributors'), '/v1/contributors?limit=50', [
    ['slug', (c) => c.slug], [t('name'), (c) => c.name], ['ar', (c) => c.names?.ar || ''], [t('kind'), (c) => c.kind],
    ['', (c, reload) => del(`/v1/contributors/${encodeURIComponent(c.slug)}`, reload)],
  ], createForm('/v1/contributors', [['slug', 'slug'], ['name', t('name')], ['name_ar', `${t('name')} (ar)`], ['kind', t('kind'), ['person', 'organisation', 'agency']]],
    (v) => ({ slug: v.slug, name: v.name, kind: v.kind, localized_names: v.name_ar ? { ar: v.name_ar } : undefined })));
}

export function topicsView() {
  return table(t('topics'), '/v1/topics?limit=50', [
    ['slug', (x) => x.slug], [t('name'), (x) => x.name], ['ar', (x) => x.names?.ar || ''], [t('kind'), (x) => x.kind],
    ['', (x, reload) => del(`/v1/topics/${encodeURIComponent(x.slug)}`, reload)],
  ], createForm('/v1/topics', [['slug', 'slug'], ['name', t('name')], ['name_ar', `${t('name')} (ar)`], ['kind', t('kind'), ['tag', 'section', 'place', 'person', 'organisation', 'event']], ['parent', t('parent')]],
    (v) => ({ slug: v.slug, name: v.name, kind: v.kind, localized_names: v.name_ar ? { ar: v.name_ar } : undefined, parent: v.parent || undefined })));
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
    ['id', (u) => u.id], [t('email'), (u) => u.email], [t('role'), (u) => u.role], [t('active'), (u) => (u.disabled ? '✕' : '✓')],
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
    ['', (w, reload) => del(`/v1/webhooks/${w.id}`, reload)],
  ], createForm('/v1/webhooks', [['url', t('url'), 'url']],
    (v) => ({ url: v.url, events: ['article.published', 'article.updated', 'article.unpublished', 'article.deleted'] })), (d) => d.data || d, (d) => d.next_cursor || null);
}

export function auditView() {
  return table(t('audit'), '/v1/audit?limit=50', [
    [t('at'), (e) => formatTime(e.at || e.created_at)], [t('actor'), (e) => e.actor_email || e.actor_user_id || ''],
    [t('event'), (e) => e.action], [t('target'), (e) => `${e.target_type || ''} ${e.target_id || ''}`],
  ], null, (d) => d.data || d, (d) => d.next_cursor || null);
}
