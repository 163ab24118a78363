// The body's typed blocks, edited like a word processor: Enter in a paragraph starts a new
// paragraph block (Shift+Enter a line break), Backspace at a paragraph's start joins it to the
// one before, and a paste of several paragraphs gives several blocks (paste.js). Other blocks
// are edited in a form fit for their type. The body array belongs to the story: every action
// reads `story.doc.body` when it happens, so a save that replaced it never leaves an editor
// writing into an old copy.

import { h, clear, inlineHtml, toInlineHtml, directionOf } from './dom.js';
import { t } from './i18n.js';
import { photoPicker } from './photos.js';
import { pastedBlocks } from './paste.js';
import { lengthCounter, uid } from './fields.js';
import { blockLimit } from './limits.js';

const TYPES = ['paragraph', 'heading', 'quote', 'list', 'image', 'video', 'embed', 'divider'];

export function fresh(type) {
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

/** A fragment's inline HTML, limited to what a paragraph may hold. */
function fragmentHtml(fragment) {
  const holder = document.createElement('div');
  holder.append(fragment);
  return toInlineHtml(holder);
}

/** Splits an editable paragraph at the caret: what follows the caret leaves it. */
function splitAtCaret(area) {
  const selection = getSelection();
  const range = selection.rangeCount ? selection.getRangeAt(0) : null;
  if (!range || !area.contains(range.startContainer)) return { before: toInlineHtml(area), after: '' };
  range.deleteContents();
  const rest = document.createRange();
  rest.setStart(range.endContainer, range.endOffset);
  rest.setEnd(area, area.childNodes.length);
  const after = fragmentHtml(rest.extractContents());
  return { before: toInlineHtml(area), after };
}

function caretAtStart(area) {
  const selection = getSelection();
  if (!selection.rangeCount || !selection.isCollapsed) return false;
  const range = selection.getRangeAt(0);
  const before = document.createRange();
  before.setStart(area, 0);
  before.setEnd(range.startContainer, range.startOffset);
  return before.toString().length === 0 && !before.cloneContents().querySelector?.('br');
}

/** Puts the caret in `area`: at its start, its end, or after `offset` characters of its text. */
function placeCaret(area, where) {
  area.focus();
  const range = document.createRange();
  if (typeof where === 'number') {
    let left = where;
    const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (left <= node.data.length) {
        range.setStart(node, left);
        range.collapse(true);
        break;
      }
      left -= node.data.length;
    }
    if (range.startContainer === document) {
      range.selectNodeContents(area);
      range.collapse(false);
    }
  } else {
    range.selectNodeContents(area);
    range.collapse(where !== 'end');
  }
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

/** Two pieces of inline HTML as one, cleaned as a paragraph is. */
function joined(first, second) {
  const holder = document.createElement('div');
  holder.innerHTML = first + second;
  return toInlineHtml(holder);
}

/** The body editor of `story`. Returns `{element, render}`. */
export function blocksEditor(story) {
  const list = h('ol', { class: 'blocks', 'aria-label': t('body'), id: 'body-blocks' });
  const blocks = () => story.doc.body;
  const dir = () => directionOf(story.doc.language);
  const lang = () => story.doc.language;
  const counters = new Set();

  /** Redraws every block, then puts the caret or focus where `focus` says. */
  function render(focus) {
    counters.clear();
    clear(list);
    blocks().forEach((block, index) => list.append(blockItem(block, index)));
    if (focus) applyFocus(focus);
  }

  function applyFocus({ index, caret, control }) {
    const item = list.children[Math.max(0, Math.min(index, list.children.length - 1))];
    if (!item) return add.focus();
    if (control) return item.querySelector(`[data-control="${control}"]`)?.focus();
    const area = item.querySelector('.rich');
    if (area) return placeCaret(area, caret ?? 'start');
    return item.querySelector('input, textarea, select, button')?.focus();
  }

  function changed() {
    story.changed('body');
  }

  function move(index, by) {
    const to = index + by;
    const body = blocks();
    if (to < 0 || to >= body.length) return;
    [body[index], body[to]] = [body[to], body[index]];
    changed();
    render({ index: to, control: by < 0 ? 'up' : 'down' });
  }

  function remove(index) {
    blocks().splice(index, 1);
    changed();
    render({ index, control: 'remove' });
  }

  function insertAfter(index, newBlocks, focus) {
    blocks().splice(index + 1, 0, ...newBlocks);
    changed();
    render(focus);
  }

  function blockItem(block, index) {
    const label = `${t(block.type)} ${index + 1}`;
    const tools = h('div', { class: 'block-tools' },
      h('span', { class: 'block-type' }, t(block.type)),
      h('button', { type: 'button', 'data-control': 'up', 'aria-label': `${t('up')}: ${label}`, onclick: () => move(index, -1) }, '↑'),
      h('button', { type: 'button', 'data-control': 'down', 'aria-label': `${t('down')}: ${label}`, onclick: () => move(index, 1) }, '↓'),
      h('button', { type: 'button', 'data-control': 'remove', 'aria-label': `${t('remove')}: ${label}`, class: 'danger',
        onclick: () => remove(index) }, '✕'));
    return h('li', { class: `block ${block.type}`, 'data-type': block.type, 'data-index': index }, tools, fields(block, index));
  }

  function paragraph(block, index) {
    const area = h('div', { class: 'rich', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true',
      'aria-label': `${t('paragraph')} ${index + 1}`, dir: dir(), lang: lang(), id: `block-${index}-html`,
      oninput: () => { block.html = toInlineHtml(area); changed(); count.update(); } });
    area.append(inlineHtml(block.html));
    const count = lengthCounter(area, () => toInlineHtml(area), blockLimit('paragraph', 'html'));
    counters.add({ counter: count, field: `/body/${index}/html` });
    area.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        const { before, after } = splitAtCaret(area);
        block.html = before;
        insertAfter(index, [{ type: 'paragraph', html: after }], { index: index + 1, caret: 'start' });
      } else if (event.key === 'Enter' && event.shiftKey) {
        event.preventDefault();
        document.execCommand('insertLineBreak');
      } else if (event.key === 'Backspace' && index > 0 && blocks()[index - 1]?.type === 'paragraph' && caretAtStart(area)) {
        event.preventDefault();
        const previous = blocks()[index - 1];
        const at = plainText(previous.html).length;
        previous.html = joined(previous.html, toInlineHtml(area));
        blocks().splice(index, 1);
        changed();
        render({ index: index - 1, caret: at });
      }
    });
    area.addEventListener('paste', (event) => {
      const pasted = pastedBlocks(event.clipboardData);
      if (!pasted.length) return;
      event.preventDefault();
      const { before, after } = splitAtCaret(area);
      // What preceded the caret joins the first pasted paragraph, what followed the last.
      const out = pasted;
      if (out[0].type === 'paragraph') out[0].html = joined(before, out[0].html);
      else if (plainText(before).trim()) out.unshift({ type: 'paragraph', html: before });
      const last = out[out.length - 1];
      let caret = 'end';
      if (last.type === 'paragraph') {
        caret = plainText(last.html).length;
        last.html = joined(last.html, after);
      } else if (plainText(after).trim()) {
        out.push({ type: 'paragraph', html: after });
        caret = 'start';
      }
      blocks().splice(index, 1, ...out);
      changed();
      render({ index: index + out.length - 1, caret });
    });
    const command = (name, value) => () => {
      area.focus();
      document.execCommand(name, false, value);
      block.html = toInlineHtml(area);
      changed();
    };
    return h('div', {},
      h('div', { class: 'format', role: 'toolbar', 'aria-label': `${t('paragraph')} ${index + 1}` },
        h('button', { type: 'button', onclick: command('bold') }, h('strong', {}, t('bold'))),
        h('button', { type: 'button', onclick: command('italic') }, h('em', {}, t('italic'))),
        h('button', { type: 'button', onclick: () => {
          const href = prompt(t('linkPrompt'), 'https://');
          if (href && /^(https?:|mailto:)/i.test(href.trim())) command('createLink', href.trim())();
        } }, t('link'))),
      area, count.element);
  }

  function fields(block, index) {
    const set = (key, value) => { block[key] = value; changed(); };
    const text = (key, props = {}) => {
      const input = h(props.multiline ? 'textarea' : 'input', { id: uid(`block-${index}-${key}`), dir: props.dir || dir(),
        lang: props.dir ? undefined : lang(), type: props.type, value: block[key] || '',
        oninput: (e) => { set(key, e.target.value || (props.optional ? undefined : '')); count.update(); } });
      if (props.multiline) input.textContent = block[key] || '';
      const count = lengthCounter(input, () => input.value, blockLimit(block.type, key));
      counters.add({ counter: count, field: `/body/${index}/${key}` });
      return h('div', { class: 'field' }, h('div', { class: 'label-row' }, h('label', { for: input.id }, props.label), count.element), input);
    };
    switch (block.type) {
      case 'paragraph':
        return paragraph(block, index);
      case 'heading':
        return h('div', { class: 'row' },
          h('div', { class: 'field narrow' }, h('label', { for: `block-${index}-level` }, t('field.level')),
            h('select', { id: `block-${index}-level`, onchange: (e) => set('level', Number(e.target.value)) },
              [2, 3, 4].map((l) => h('option', { value: l, selected: block.level === l }, `H${l}`)))),
          text('text', { label: `${t('heading')} ${index + 1}` }));
      case 'quote':
        return h('div', {}, text('text', { label: `${t('quote')} ${index + 1}`, multiline: true }),
          text('cite', { label: t('cite'), optional: true }));
      case 'list': {
        const id = uid(`block-${index}-items`);
        return h('div', {},
          h('label', {}, h('input', { type: 'checkbox', checked: block.ordered, onchange: (e) => set('ordered', e.target.checked) }), ' ', t('ordered')),
          h('label', { for: id }, t('items')),
          h('textarea', { id, dir: dir(), lang: lang(),
            oninput: (e) => set('items', e.target.value.split('\n').filter((s) => s.trim()).map(escapeText)) },
          block.items.map(plainText).join('\n')));
      }
      case 'image':
        return h('div', {},
          photoPicker(block.media_id, (mediaId) => set('media_id', mediaId)),
          text('caption', { label: t('caption'), optional: true }));
      case 'video':
        return h('div', {}, text('url', { label: t('url'), dir: 'ltr', type: 'url' }),
          text('caption', { label: t('caption'), optional: true }));
      case 'embed':
        return h('div', { class: 'row' },
          h('div', { class: 'field narrow' }, h('label', { for: `block-${index}-provider` }, t('provider')),
            h('select', { id: `block-${index}-provider`, onchange: (e) => set('provider', e.target.value) },
              ['youtube', 'twitter', 'instagram', 'facebook', 'tiktok', 'vimeo', 'soundcloud', 'other'].map((p) =>
                h('option', { value: p, selected: block.provider === p }, p)))),
          text('url', { label: t('url'), dir: 'ltr', type: 'url' }));
      default:
        return h('hr');
    }
  }

  story.addCheck(() => [...counters].flatMap(({ counter, field }) => {
    const over = counter.over();
    return over ? [{ field, code: 'too-long', limit: over.limit, count: over.count }] : [];
  }));
  story.on('body', () => render());
  story.on('language', () => {
    for (const el of list.querySelectorAll('.rich, input:not([dir=ltr]), textarea')) {
      el.dir = dir();
      el.lang = lang();
    }
  });

  const type = h('select', { id: 'new-block-type', 'aria-label': `${t('add')}: ${t('field.body')}` },
    TYPES.map((ty) => h('option', { value: ty }, t(ty))));
  const add = h('button', { type: 'button', id: 'add-block', onclick: () => {
    insertAfter(blocks().length - 1, [fresh(type.value)], { index: blocks().length });
  } }, `+ ${t('add')}`);
  render();
  return { element: h('div', { class: 'body-editor' }, list, h('div', { class: 'row' }, type, add)), render };
}
