// What is pasted into the body, as blocks: paragraphs stay paragraphs (from Word, Google Docs or
// a web page), headings, lists and quotes become their blocks, and of the inline formatting
// only bold, italics and links survive, read from tags and from styles alike. Google Docs wraps
// a whole paste in `<b style="font-weight:normal">`: a style that says "normal" wins over the
// tag, so the paste does not turn bold. Everything else (classes, fonts, colours, Word's
// `mso-` markup, images, scripts) is dropped; the text stays.

const BLOCK_TAGS = new Set(['P', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'BLOCKQUOTE', 'PRE',
  'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'ASIDE', 'MAIN', 'NAV', 'TABLE', 'THEAD', 'TBODY', 'TFOOT', 'TR', 'FIGURE',
  'FIGCAPTION', 'DL', 'DT', 'DD', 'CENTER', 'ADDRESS', 'HR']);
const BLOCK_SELECTOR = [...BLOCK_TAGS].join(',');
const DROPPED = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'HEAD', 'TITLE', 'META', 'LINK', 'NOSCRIPT', 'IFRAME', 'OBJECT',
  'EMBED', 'SVG', 'MATH', 'IMG', 'VIDEO', 'AUDIO', 'CANVAS', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'O:P']);
const SAFE_LINK = /^(https?:|mailto:)/i;

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const tagOf = (node) => (node.nodeType === Node.ELEMENT_NODE ? node.tagName.toUpperCase() : '');

/** A property of an element's own `style` attribute, read from the attribute itself: a
 * document parsed with DOMParser has no style objects to ask. `(^|;)` keeps Word's
 * `mso-bidi-font-weight` from passing for `font-weight`. */
function styleOf(el, property) {
  const match = new RegExp(`(?:^|;)\\s*${property}\\s*:\\s*([^;!]+)`, 'i').exec(el.getAttribute?.('style') || '');
  return match ? match[1].trim().toLowerCase() : '';
}

/** Bold from this element alone: true, false (it says normal), or null (it says nothing). */
function boldOf(el) {
  const weight = styleOf(el, 'font-weight');
  if (weight) {
    if (weight === 'bold' || weight === 'bolder') return true;
    if (weight === 'normal' || weight === 'lighter') return false;
    const n = Number(weight);
    if (!Number.isNaN(n)) return n >= 600;
  }
  const tag = tagOf(el);
  if (tag === 'B' || tag === 'STRONG') return true;
  // A heading or table header is bold by the browser's style, not by the writer's choice.
  return null;
}

function italicOf(el) {
  const style = styleOf(el, 'font-style');
  if (style) return style === 'italic' || style === 'oblique';
  const tag = tagOf(el);
  if (tag === 'I' || tag === 'EM') return true;
  return null;
}

/** The formatting of a text node: for each of bold and italic, the nearest ancestor that says. */
function formatOf(node, top) {
  let bold = null;
  let italic = null;
  let href = null;
  for (let el = node.parentElement; el && el !== top; el = el.parentElement) {
    if (bold === null) bold = boldOf(el);
    if (italic === null) italic = italicOf(el);
    if (href === null && tagOf(el) === 'A') {
      const target = (el.getAttribute('href') || '').trim();
      href = SAFE_LINK.test(target) ? target : '';
    }
  }
  return { bold: bold === true, italic: italic === true, href: href || '' };
}

/** Word's list bullets and numbers (`mso-list: Ignore`) are decoration, not text. */
function skipped(el) {
  return DROPPED.has(tagOf(el)) || /mso-list\s*:\s*ignore/i.test(el.getAttribute('style') || '');
}

/** The text runs of `nodes` (walked where they stand), a line break as `{br: true}`. */
function runs(nodes, top) {
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.data.replace(/[\t\n\r ]+/g, ' ');
      if (text) out.push({ text, ...formatOf(node, top) });
    } else if (node.nodeType === Node.ELEMENT_NODE && !skipped(node)) {
      if (tagOf(node) === 'BR') out.push({ br: true });
      else node.childNodes.forEach(walk);
    }
  };
  nodes.forEach(walk);
  return out;
}

/** Runs as a paragraph's inline HTML: a, strong and em, nested in that order. */
function inlineHtml(list) {
  let html = '';
  for (const run of list) {
    if (run.br) {
      html += '<br>';
      continue;
    }
    let piece = escapeHtml(run.text);
    if (run.italic) piece = `<em>${piece}</em>`;
    if (run.bold) piece = `<strong>${piece}</strong>`;
    if (run.href) piece = `<a href="${escapeHtml(run.href)}">${piece}</a>`;
    html += piece;
  }
  return html
    .replace(/<\/strong><strong>/g, '').replace(/<\/em><em>/g, '')
    .replace(/^(\s|<br>)+|(\s|<br>)+$/g, '');
}

const hasText = (html) => html.replace(/<[^>]+>/g, '').trim() !== '';

function plainText(el, top) {
  return runs([el], top).map((r) => (r.br ? ' ' : r.text)).join('').replace(/\s+/g, ' ').trim();
}

/** Inline content as paragraphs, split at double line breaks (web pages write paragraphs so). */
function paragraphs(list) {
  const groups = [[]];
  for (let i = 0; i < list.length; i++) {
    if (list[i].br && list[i + 1]?.br) {
      groups.push([]);
      while (list[i + 1]?.br) i++;
    } else {
      groups[groups.length - 1].push(list[i]);
    }
  }
  return groups.map(inlineHtml).filter(hasText).map((html) => ({ type: 'paragraph', html }));
}

/** The blocks of a container: runs of inline children become paragraphs, block children their
 * blocks, and an inline element that holds blocks (Google Docs' `<b>` wrapper) is a container. */
function blocksOf(container, top) {
  const out = [];
  let inline = [];
  const flush = () => {
    out.push(...paragraphs(runs(inline, top)));
    inline = [];
  };
  for (const child of container.childNodes) {
    const tag = tagOf(child);
    if (tag && skipped(child)) continue;
    if (tag && !BLOCK_TAGS.has(tag) && child.querySelector(BLOCK_SELECTOR)) {
      flush();
      out.push(...blocksOf(child, top));
    } else if (BLOCK_TAGS.has(tag)) {
      flush();
      out.push(...block(child, top));
    } else {
      inline.push(child);
    }
  }
  flush();
  return out;
}

function block(el, top) {
  const tag = tagOf(el);
  if (/^H[1-6]$/.test(tag)) {
    const text = plainText(el, top);
    return text ? [{ type: 'heading', level: Math.min(Math.max(Number(tag[1]), 2), 4), text }] : [];
  }
  if (tag === 'UL' || tag === 'OL') {
    const items = [...el.children].filter((li) => tagOf(li) === 'LI').map((li) => inlineHtml(runs([li], top))).filter(hasText);
    return items.length ? [{ type: 'list', ordered: tag === 'OL', items }] : [];
  }
  if (tag === 'BLOCKQUOTE') {
    const text = plainText(el, top);
    return text ? [{ type: 'quote', text }] : [];
  }
  if (tag === 'HR') return [];
  if (tag === 'TR') {
    const text = [...el.children].map((cell) => plainText(cell, top)).filter(Boolean).join(' — ');
    return text ? [{ type: 'paragraph', html: escapeHtml(text) }] : [];
  }
  if (el.querySelector(BLOCK_SELECTOR)) return blocksOf(el, top);
  return paragraphs(runs([...el.childNodes], top));
}

/** Plain text: paragraphs at blank lines, or at every line when there is none. */
export function textBlocks(text) {
  const normalized = String(text || '').replace(/\r\n?/g, '\n');
  const parts = /\n[ \t]*\n/.test(normalized) ? normalized.split(/\n[ \t]*\n/) : normalized.split('\n');
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => ({ type: 'paragraph', html: escapeHtml(part).replace(/\n/g, '<br>') }));
}

/** The blocks of pasted HTML, parsed inert (nothing in it runs or loads). */
export function htmlBlocks(html) {
  const parsed = new DOMParser().parseFromString(String(html || ''), 'text/html');
  return blocksOf(parsed.body, parsed.body);
}

/** What a paste carries, as blocks: its HTML when there is some, else its text. */
export function pastedBlocks(clipboard) {
  const html = clipboard.getData('text/html');
  if (html && html.trim()) {
    const blocks = htmlBlocks(html);
    if (blocks.length) return blocks;
  }
  return textBlocks(clipboard.getData('text/plain'));
}
