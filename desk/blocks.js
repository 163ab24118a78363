// The body's typed blocks: add, reorder, remove, and edit each in a form fit for its type.
// Paragraphs are edited in place with bold, italic and links; what is kept is only the inline
// HTML a paragraph may hold (`toInlineHtml`).

import { h, clear, inlineHtml, toInlineHtml, directionOf } from './dom.js';
import { t } from './i18n.js';
import { photoPicker } from './photos.js';

const TYPES = ['paragraph', 'heading', 'quote', 'list', 'image', 'video', 'embed', 'divider'];

function fresh(type) {
  switch (type) {
    case 'paragraph': return { type, html: '' };
    case 'heading': return { type, level: 2, text: '' };
    case 'quote': return { type, text: '' };
    case 'list': return { type, ordered: false, items: [''] };
    case 'image': return { type, media_id: '' };
    case 'video': return { type, url: '' };
    case 'embed': return { type, provider: 'youtube', url: '' };
    default: return { type: 'divider' };
  }
}

function escapeText(text) {
  const holder = document.createElement('div');
  holder.textContent = text;
  return holder.innerHTML;
}

function plainText(html) {
  const holder = document.createElement('div');
  holder.append(inlineHtml(html));
  return holder.textContent;
}

/** The body editor: `blocks` is edited in place; `changed()` is called after every edit. */
export function blocksEditor(blocks, language, changed) {
  const list = h('ol', { class: 'blocks', 'aria-label': t('body') });
  const dir = () => directionOf(language());

  function render() {
    clear(list);
    blocks.forEach((block, index) => list.append(blockItem(block, index)));
  }

  function move(index, by) {
    const to = index + by;
    if (to < 0 || to >= blocks.length) return;
    [blocks[index], blocks[to]] = [blocks[to], blocks[index]];
    changed();
    render();
    list.children[to]?.querySelector('button')?.focus();
  }

  function blockItem(block, index) {
    const tools = h('div', { class: 'block-tools' },
      h('span', { class: 'block-type' }, t(block.type)),
      h('button', { type: 'button', 'aria-label': `${t('up')} ${index + 1}`, onclick: () => move(index, -1) }, '↑'),
      h('button', { type: 'button', 'aria-label': `${t('down')} ${index + 1}`, onclick: () => move(index, 1) }, '↓'),
      h('button', { type: 'button', 'aria-label': `${t('remove')} ${index + 1}`, class: 'danger',
        onclick: () => { blocks.splice(index, 1); changed(); render(); } }, '✕'));
    return h('li', { class: `block ${block.type}`, 'data-type': block.type }, tools, fields(block, index));
  }

  function fields(block, index) {
    const id = (name) => `block-${index}-${name}`;
    const set = (key, value) => { block[key] = value; changed(); };
    switch (block.type) {
      case 'paragraph': {
        const area = h('div', { class: 'rich', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true',
          'aria-label': `${t('paragraph')} ${index + 1}`, dir: dir(),
          oninput: (e) => set('html', toInlineHtml(e.target)) });
        area.append(inlineHtml(block.html));
        const command = (name, value) => () => {
          area.focus();
          document.execCommand(name, false, value);
          set('html', toInlineHtml(area));
        };
        return h('div', {},
          h('div', { class: 'format', role: 'toolbar' },
            h('button', { type: 'button', onclick: command('bold') }, h('strong', {}, t('bold'))),
            h('button', { type: 'button', onclick: command('italic') }, h('em', {}, t('italic'))),
            h('button', { type: 'button', onclick: () => {
              const href = prompt(t('linkPrompt'), 'https://');
              if (href && /^(https?:|mailto:)/i.test(href)) command('createLink', href)();
            } }, t('link'))),
          area);
      }
      case 'heading':
        return h('div', { class: 'row' },
          h('select', { 'aria-label': t('heading'), onchange: (e) => set('level', Number(e.target.value)) },
            [2, 3, 4].map((l) => h('option', { value: l, selected: block.level === l }, `H${l}`))),
          h('input', { id: id('text'), 'aria-label': `${t('heading')} ${index + 1}`, value: block.text, dir: dir(),
            oninput: (e) => set('text', e.target.value) }));
      case 'quote':
        return h('div', {},
          h('textarea', { 'aria-label': `${t('quote')} ${index + 1}`, dir: dir(), oninput: (e) => set('text', e.target.value) }, block.text),
          h('label', {}, t('cite'), h('input', { value: block.cite || '', dir: dir(),
            oninput: (e) => set('cite', e.target.value || undefined) })));
      case 'list':
        return h('div', {},
          h('label', {}, h('input', { type: 'checkbox', checked: block.ordered, onchange: (e) => set('ordered', e.target.checked) }), ' ', t('ordered')),
          h('textarea', { 'aria-label': t('items'), dir: dir(),
            oninput: (e) => set('items', e.target.value.split('\n').filter((s) => s.trim()).map(escapeText)) },
          block.items.map(plainText).join('\n')));
      case 'image':
        return h('div', {},
          photoPicker(block.media_id, (mediaId) => set('media_id', mediaId)),
          h('label', {}, t('caption'), h('input', { value: block.caption || '', dir: dir(),
            oninput: (e) => set('caption', e.target.value || undefined) })));
      case 'video':
        return h('div', {},
          h('label', {}, t('url'), h('input', { type: 'url', dir: 'ltr', value: block.url || '', oninput: (e) => set('url', e.target.value) })),
          h('label', {}, t('caption'), h('input', { value: block.caption || '', dir: dir(), oninput: (e) => set('caption', e.target.value || undefined) })));
      case 'embed':
        return h('div', { class: 'row' },
          h('label', {}, t('provider'), h('select', { onchange: (e) => set('provider', e.target.value) },
            ['youtube', 'twitter', 'instagram', 'facebook', 'tiktok', 'vimeo', 'soundcloud', 'other'].map((p) =>
              h('option', { value: p, selected: block.provider === p }, p)))),
          h('label', {}, t('url'), h('input', { type: 'url', dir: 'ltr', value: block.url, oninput: (e) => set('url', e.target.value) })));
      default:
        return h('hr');
    }
  }

  const type = h('select', { id: 'new-block-type', 'aria-label': t('add') }, TYPES.map((ty) => h('option', { value: ty }, t(ty))));
  const add = h('button', { type: 'button', id: 'add-block', onclick: () => {
    blocks.push(fresh(type.value));
    changed();
    render();
    list.lastElementChild?.querySelector('[contenteditable], input, textarea')?.focus();
  } }, t('add'));
  render();
  return { element: h('div', { class: 'body-editor' }, list, h('div', { class: 'row' }, type, add)), render };
}
