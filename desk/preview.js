// A story as the reader's article page, built from the API's answer alone (the public form
// `GET /v1/articles/{id}/preview` compiles): headline, lead, the photo with caption and credit,
// the display byline, the body with ad slots between blocks, share links, related stories.

import * as api from './api.js';
import { h, inlineHtml, directionOf } from './dom.js';
import { t } from './i18n.js';

/** An ad slot after every this many body blocks, as the reference page has. */
const AD_EVERY = 3;

/** The reader's page speaks the article's language, whatever the desk's interface language. */
const PAGE_WORDS = {
  ar: { advertisement: 'إعلان', readAlso: 'اقرأ أيضاً', share: 'شارك', copyLink: 'نسخ الرابط', copied: 'نُسخ', corrections: 'تصحيحات' },
  en: { advertisement: 'Advertisement', readAlso: 'Read also', share: 'Share', copyLink: 'Copy link', copied: 'Copied', corrections: 'Corrections' },
};

/** A place a front-end would put an ad: not a landmark (a page has many). */
const adSlot = (say) => h('div', { class: 'ad-slot' }, say.advertisement);

/** The corrections, dated, as a reader sees them under the story. */
function corrections(article, say) {
  if (!article.corrections?.length) return '';
  return h('section', { class: 'reader-corrections', 'aria-labelledby': 'reader-corrections-title' },
    h('h2', { id: 'reader-corrections-title' }, say.corrections),
    h('ul', {}, article.corrections.map((c) => h('li', {},
      h('time', { datetime: c.corrected_at }, new Date(c.corrected_at).toLocaleString(article.language)), ': ', c.note))));
}
const words = (lang) => PAGE_WORDS[String(lang).split('-')[0]] || PAGE_WORDS.en;

export async function previewView(id) {
  const { data: article } = await api.call('GET', `/v1/articles/${encodeURIComponent(id)}/preview`);
  const lang = article.language;
  const dir = article.dir || directionOf(lang);
  const url = article.canonical_url || location.href;
  const say = words(lang);
  const body = [];
  article.body.forEach((block, index) => {
    body.push(renderBlock(block));
    if ((index + 1) % AD_EVERY === 0 && index + 1 < article.body.length) {
      body.push(adSlot(say));
    }
  });
  const page = h('article', { class: 'reader', lang, dir },
    h('header', {},
      primaryTopic(article),
      h('h1', { class: 'reader-headline' }, article.headline),
      article.lead ? h('p', { class: 'reader-lead' }, article.lead) : '',
      h('p', { class: 'reader-meta' },
        h('span', { class: 'reader-byline' }, article.byline || ''),
        article.dateline ? h('span', {}, ` · ${article.dateline}`) : '',
        article.published_at ? h('time', { datetime: article.published_at }, ` · ${new Date(article.published_at).toLocaleString(lang)}`) : '')),
    article.featured_media ? figure(article.featured_media, lang) : '',
    share(url, article.headline, say),
    h('div', { class: 'reader-body' }, body),
    corrections(article, say),
    related(article, say),
    adSlot(say));
  return h('section', { class: 'preview' },
    h('div', { class: 'bar' }, h('a', { href: `#/edit/${article.id}`, class: 'button' }, t('edit'))),
    page);
}

function primaryTopic(article) {
  const topic = (article.topics || []).find((x) => x.primary);
  return topic ? h('p', { class: 'reader-section' }, topic.name) : '';
}

function picture(media, sizes) {
  const renditions = (media.renditions || []).filter((r) => r.name.startsWith('original-'));
  const srcset = (type) => renditions.filter((r) => r.mime_type === type).map((r) => `${r.url} ${r.width}w`).join(', ');
  const fallback = renditions.filter((r) => r.mime_type !== 'image/webp').sort((a, b) => a.width - b.width)
    .find((r) => r.width >= 1024) || media;
  const webp = srcset('image/webp');
  return h('picture', {},
    webp ? h('source', { type: 'image/webp', srcset: webp, sizes }) : '',
    h('img', { src: fallback.url, srcset: srcset(fallback.mime_type) || false, sizes, alt: media.alt_text || '',
      width: fallback.width || media.width, height: fallback.height || media.height, class: 'reader-image' }));
}

function figure(media, lang) {
  return h('figure', { class: 'reader-figure' }, picture(media, '(max-width: 800px) 100vw, 800px'),
    h('figcaption', {},
      media.caption ? h('span', { class: 'reader-caption' }, media.caption) : '',
      media.credit ? h('span', { class: 'reader-credit' }, ` © ${media.credit}`) : ''));
}

function renderBlock(block) {
  switch (block.type) {
    case 'paragraph': return h('p', {}, inlineHtml(block.html));
    case 'heading': return h(`h${Math.min(Math.max(block.level || 2, 2), 6)}`, {}, block.text);
    case 'quote': return h('blockquote', {}, h('p', {}, block.text), block.cite ? h('cite', {}, block.cite) : '');
    case 'list': return h(block.ordered ? 'ol' : 'ul', {}, (block.items || []).map((item) => h('li', {}, inlineHtml(item))));
    case 'image': {
      // Body blocks name their photo by id; the public media answer has its renditions.
      const slot = h('div', { class: 'reader-figure-slot' });
      api.call('GET', `/v1/media/${encodeURIComponent(block.media_id)}/editorial`)
        .then(({ data }) => slot.replaceWith(figure({ ...data, caption: block.caption ?? data.caption })))
        .catch(() => slot.remove());
      return slot;
    }
    case 'video': return h('p', {}, h('a', { href: block.url || block.media?.url || '#', rel: 'noopener' }, block.caption || block.url || ''));
    case 'embed': return h('figure', { class: 'embed', 'data-provider': block.provider }, h('a', { href: block.url, rel: 'noopener' }, block.url));
    case 'divider': return h('hr');
    default: return '';
  }
}

function share(url, headline, say) {
  const encoded = encodeURIComponent(url);
  const copy = h('button', { type: 'button', class: 'share-copy', onclick: async () => {
    try { await navigator.clipboard.writeText(url); copy.textContent = say.copied; } catch { copy.textContent = url; }
  } }, say.copyLink);
  return h('nav', { class: 'share', 'aria-label': say.share },
    h('a', { href: `https://www.linkedin.com/sharing/share-offsite/?url=${encoded}`, rel: 'noopener', target: '_blank' }, 'LinkedIn'),
    h('a', { href: `viber://forward?text=${encodeURIComponent(`${headline} ${url}`)}` }, 'Viber'),
    h('a', { href: `https://share.flipboard.com/bookmarklet/popout?v=2&url=${encoded}&title=${encodeURIComponent(headline)}`, rel: 'noopener', target: '_blank' }, 'Flipboard'),
    copy);
}

function related(article, say) {
  if (!article.related?.length) return '';
  return h('section', { class: 'reader-related', 'aria-labelledby': 'reader-related-title' }, h('h2', { id: 'reader-related-title' }, say.readAlso),
    h('ul', {}, article.related.map((r) => h('li', { lang: r.language, dir: directionOf(r.language) },
      h('a', { href: r.canonical_url || '#' }, r.headline)))));
}
