// The desk's shell: sign-in, the navigation for the user's role, and a router over the URL's
// fragment (`#/stories/draft`, `#/edit/<id>`, `#/preview/<id>`, …), so a reload keeps the view.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, setLanguage, language, applyDirection } from './i18n.js';
import { storiesView } from './lists.js';
import { editorView } from './editor.js';
import { previewView } from './preview.js';
import { liveView } from './live.js';
import { contributorsView, topicsView, mediaView, usersView, webhooksView, auditView } from './admin.js';
import { mayLeave, setLeaveGuard } from './guard.js';
import { problemLine } from './problems.js';

const root = document.getElementById('app');
let notice = '';

api.whenSignedOut((why) => {
  notice = why === 'expired' ? t('sessionExpired') : '';
  // Signed out on the server: what was unsaved stays in this browser's backup of the story.
  setLeaveGuard(null);
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
    api.may.users() && link('#/users', t('users')),
    api.may.webhooks() && link('#/webhooks', t('webhooks')),
    api.may.audit() && link('#/audit', t('audit')),
  );
  const skip = h('a', { href: '#', class: 'skip', onclick: (e) => { e.preventDefault(); document.getElementById('main')?.focus(); } }, t('skipToMain'));
  const header = h('header', { class: 'top' }, skip,
    h('strong', { class: 'brand' }, 'خبر · Khabar'),
    nav,
    h('span', { class: 'who' }, user ? `${user.email} (${t(`option.${user.role}`)})` : ''),
    h('button', { type: 'button', class: 'link', lang: language() === 'ar' ? 'en' : 'ar', onclick: () => { if (mayLeave()) { setLanguage(language() === 'ar' ? 'en' : 'ar'); route(); } } }, t('interfaceLanguage')),
    h('button', { type: 'button', id: 'sign-out', onclick: async () => { if (!mayLeave()) return; await api.signOut(); location.hash = '#/signin'; } }, t('signOut')),
  );
  clear(root).append(header, h('main', { id: 'main', tabindex: '-1' }, content));
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
      error.textContent = e.status === 401 ? t('wrongCredentials') : problemLine(e);
    }
  } },
  h('h1', {}, t('desk')),
  h('label', { for: 'email' }, t('email')), email,
  h('label', { for: 'password' }, t('password')), password,
  h('button', { type: 'submit', id: 'sign-in' }, t('signIn')),
  h('button', { type: 'button', class: 'link', lang: language() === 'ar' ? 'en' : 'ar', onclick: () => { setLanguage(language() === 'ar' ? 'en' : 'ar'); route(); } }, t('interfaceLanguage')),
  error);
  clear(root).append(h('main', { class: 'center' }, form));
  email.focus();
}

/** Where the desk was, to go back to when leaving an unsaved story is refused. */
let here = location.hash;

async function route(event) {
  if (event && !mayLeave()) {
    history.replaceState(null, '', event.oldURL ? new URL(event.oldURL).hash : here);
    return;
  }
  here = location.hash;
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
    live: () => liveView(decodeURIComponent(param)),
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
    content.replaceWith(h('p', { class: 'error', role: 'alert' }, e instanceof api.Problem ? problemLine(e) : String(e)));
  }
}

window.addEventListener('hashchange', route);
route();
