// The desk's shell: sign-in, the navigation for the user's role, and a router over the URL's
// fragment (`#/stories/draft`, `#/edit/<id>`, `#/preview/<id>`, …), so a reload keeps the view.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, setLanguage, language, applyDirection } from './i18n.js';
import { storiesView } from './lists.js';
import { editorView } from './editor.js';
import { previewView } from './preview.js';
import { contributorsView, topicsView, mediaView, usersView, webhooksView, auditView } from './admin.js';

const root = document.getElementById('app');
let notice = '';

api.whenSignedOut((why) => {
  notice = why === 'expired' ? t('sessionExpired') : '';
  if (location.hash === '#/signin') route();
  else location.hash = '#/signin';
});

function shell(content) {
  const user = api.me();
  const link = (hash, label) => h('a', { href: hash, 'aria-current': location.hash.startsWith(hash) ? 'page' : false }, label);
  const nav = h('nav', { 'aria-label': t('desk') },
    link('#/stories', t('stories')),
    link('#/new', t('newStory')),
    api.may.catalog() && [link('#/contributors', t('contributors')), link('#/topics', t('topics')), link('#/media', t('media'))],
    api.may.admin() && [link('#/users', t('users')), link('#/webhooks', t('webhooks')), link('#/audit', t('audit'))],
  );
  const header = h('header', { class: 'top' },
    h('strong', { class: 'brand' }, 'خبر · Khabar'),
    nav,
    h('span', { class: 'who' }, user ? `${user.email} (${t(user.role) || user.role})` : ''),
    h('button', { type: 'button', class: 'link', onclick: () => { setLanguage(language() === 'ar' ? 'en' : 'ar'); route(); } }, t('interfaceLanguage')),
    h('button', { type: 'button', id: 'sign-out', onclick: async () => { await api.signOut(); location.hash = '#/signin'; } }, t('signOut')),
  );
  clear(root).append(header, h('main', { id: 'main' }, content));
}

function signInView() {
  const error = h('p', { class: 'error', role: 'alert' }, notice);
  const email = h('input', { id: 'email', type: 'email', name: 'email', autocomplete: 'username', required: true, dir: 'ltr' });
  const password = h('input', { id: 'password', type: 'password', name: 'password', autocomplete: 'current-password', required: true, dir: 'ltr' });
  const form = h('form', { class: 'signin', onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      await api.signIn(email.value.trim(), password.value);
      notice = '';
      location.hash = '#/stories';
    } catch (e) {
      error.textContent = e.status === 401 ? t('wrongCredentials') : e.message;
    }
  } },
  h('h1', {}, t('desk')),
  h('label', { for: 'email' }, t('email')), email,
  h('label', { for: 'password' }, t('password')), password,
  h('button', { type: 'submit', id: 'sign-in' }, t('signIn')),
  h('button', { type: 'button', class: 'link', onclick: () => { setLanguage(language() === 'ar' ? 'en' : 'ar'); route(); } }, t('interfaceLanguage')),
  error);
  clear(root).append(h('main', { class: 'center' }, form));
  email.focus();
}

async function route() {
  applyDirection();
  const [, view, param] = (location.hash || '#/stories').split('/');
  if (view !== 'signin' && !api.me()) {
    if (!(await api.restore())) {
      location.hash = '#/signin';
      return signInView();
    }
  }
  if (view === 'signin') return signInView();
  const views = {
    stories: () => storiesView(param),
    new: () => editorView(null),
    edit: () => editorView(decodeURIComponent(param)),
    preview: () => previewView(decodeURIComponent(param)),
    contributors: contributorsView,
    topics: topicsView,
    media: mediaView,
    users: usersView,
    webhooks: webhooksView,
    audit: auditView,
  };
  const make = views[view] || views.stories;
  const content = h('div', { class: 'loading' });
  shell(content);
  try {
    content.replaceWith(await make());
  } catch (e) {
    content.replaceWith(h('p', { class: 'error', role: 'alert' }, e.status === 403 ? t('notAllowed') : e.message));
  }
}

window.addEventListener('hashchange', route);
route();
