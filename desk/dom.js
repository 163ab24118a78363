// Building the page from data. Every string goes in as text, never as markup: stories carry
// hostile text. The one exception, inline paragraph HTML, is rebuilt node by node from an
// allow-list (`inlineHtml`), whatever the server already sanitized.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') el.textContent = value;
    else if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = !!value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

const INLINE = new Set(['STRONG', 'B', 'EM', 'I', 'A', 'BR']);
const SAFE_LINK = /^(https?:|mailto:)/i;

/** Inline HTML as DOM nodes: only strong/b/em/i/br and links to http(s) or mailto survive. */
export function inlineHtml(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  const out = document.createDocumentFragment();
  copyInline(parsed.body, out);
  return out;
}

function copyInline(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(node.data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (!INLINE.has(node.tagName)) {
        copyInline(node, to);
        continue;
      }
      // An empty link or emphasis (what is left where a paragraph was split) is nothing.
      if (node.tagName !== 'BR' && !node.textContent && !node.querySelector('br')) continue;
      const el = document.createElement(node.tagName.toLowerCase());
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') || '';
        if (SAFE_LINK.test(href.trim())) el.setAttribute('href', href.trim());
        el.setAttribute('rel', 'noopener noreferrer');
      }
      copyInline(node, el);
      to.append(el);
    }
  }
}

/** The inline HTML of an editable element, limited to what a paragraph may hold. */
export function toInlineHtml(el) {
  const holder = document.createElement('div');
  copyInline(el, holder);
  return holder.innerHTML.replace(/<b>/g, '<strong>').replace(/<\/b>/g, '</strong>')
    .replace(/<i>/g, '<em>').replace(/<\/i>/g, '</em>').trim();
}

/** Right-to-left scripts, for the direction of fields that follow the article's language. */
export function directionOf(language) {
  const base = String(language || '').toLowerCase().split('-')[0];
  return ['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi', 'dv'].includes(base) ? 'rtl' : 'ltr';
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
