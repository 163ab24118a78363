// Photos: upload by drag and drop (or the file picker), the credit fields pre-filled from the
// photo's own IPTC/XMP/EXIF data, the focal point set by clicking, and a preview of each crop.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t } from './i18n.js';

const CROPS = ['1x1', '4x3', '3x2', '16x9'];
const FIELDS = [['credit', 'credit'], ['copyright_holder', 'copyright'], ['caption', 'caption'], ['alt_text', 'alt'], ['source', 'source']];

/** Known assets by id, so the publish check and previews need not ask twice. */
const known = new Map();

export async function media(id, fresh = false) {
  if (!id) return null;
  if (!fresh && known.has(id)) return known.get(id);
  const { data } = await api.call('GET', `/v1/media/${encodeURIComponent(id)}/editorial`);
  known.set(id, data);
  return data;
}

export function rendition(asset, name) {
  return asset?.renditions?.find((r) => r.name === name);
}

/** The narrowest JPEG or PNG rendition at least `width` wide, else the widest. */
export function sized(asset, width) {
  const plain = (asset?.renditions || []).filter((r) => r.name.startsWith('original-') && !r.name.endsWith('.webp'));
  plain.sort((a, b) => a.width - b.width);
  return plain.find((r) => r.width >= width) || plain[plain.length - 1] || asset;
}

/** A photo slot: shows the chosen asset and its credit form, or a drop zone. */
export function photoPicker(mediaId, chosen) {
  const box = h('div', { class: 'photo' });
  async function show(id) {
    clear(box);
    if (!id) return box.append(dropZone(box, async (asset, fromFile) => { chosen(asset.id); await show(asset.id, fromFile); }));
    let asset;
    try {
      asset = await media(id);
    } catch (e) {
      box.append(h('p', { class: 'error' }, e.message));
      return;
    }
    box.append(details(asset, box.dataset.fromFile ? JSON.parse(box.dataset.fromFile) : [], () => show(id)),
      h('button', { type: 'button', class: 'link', onclick: () => { chosen(''); show(''); } }, t('remove')));
  }
  show(mediaId);
  return box;
}

function dropZone(box, uploaded) {
  const input = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp,image/gif', class: 'file', 'aria-label': t('dropPhoto') });
  const status = h('p', { class: 'muted', role: 'status' });
  const zone = h('div', { class: 'drop', tabindex: '0' }, h('p', {}, t('dropPhoto')), input, status);
  async function send(file) {
    if (!file) return;
    status.textContent = t('uploading');
    const form = new FormData();
    form.append('file', file);
    try {
      const { data } = await api.call('POST', '/v1/media/upload', { form });
      const asset = data.asset || data;
      known.set(asset.id, asset);
      box.dataset.fromFile = JSON.stringify(data.from_file || []);
      await uploaded(asset);
    } catch (e) {
      status.textContent = e.message;
      status.className = 'error';
    }
  }
  input.addEventListener('change', () => send(input.files[0]));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); send(e.dataTransfer.files[0]); });
  return zone;
}

function details(asset, fromFile, reload) {
  const small = sized(asset, 640);
  const img = h('img', { src: small.url, alt: asset.alt_text || '', class: 'focal-target', width: small.width, height: small.height });
  const marker = h('span', { class: 'focal-marker', hidden: !asset.focal_point });
  const place = () => {
    if (!asset.focal_point) return;
    marker.style.insetInlineStart = 'auto';
    marker.style.left = `${asset.focal_point.x / 10}%`;
    marker.style.top = `${asset.focal_point.y / 10}%`;
  };
  place();
  const status = h('p', { role: 'status', class: 'muted' });
  img.addEventListener('click', async (event) => {
    const rect = img.getBoundingClientRect();
    const x = Math.round(((event.clientX - rect.left) / rect.width) * 1000);
    const y = Math.round(((event.clientY - rect.top) / rect.height) * 1000);
    try {
      const { data } = await api.call('PATCH', `/v1/media/${asset.id}`, { patch: { focal_point: { x, y } } });
      known.set(asset.id, data);
      reload();
    } catch (e) {
      status.textContent = e.message;
    }
  });
  const inputs = {};
  const form = h('div', { class: 'media-fields' }, FIELDS.map(([field, label]) => {
    inputs[field] = h('input', { id: `media-${field}`, value: asset[field] || '', 'aria-describedby': field === 'credit' && !asset.credit ? `no-credit-${asset.id}` : false });
    return h('div', { class: 'field' }, h('label', { for: `media-${field}` }, t(label),
      fromFile.includes(field) ? h('small', { class: 'from-file' }, ` (${t('fromFile')})`) : ''), inputs[field]);
  }));
  const save = h('button', { type: 'button', id: 'save-media', onclick: async () => {
    const patch = {};
    for (const [field] of FIELDS) patch[field] = inputs[field].value.trim() || null;
    try {
      const { data } = await api.call('PATCH', `/v1/media/${asset.id}`, { patch });
      known.set(asset.id, data);
      status.textContent = t('saved');
    } catch (e) {
      status.textContent = e.message;
    }
  } }, t('saveMedia'));
  const crops = h('div', { class: 'crops', 'aria-label': t('crops') }, CROPS.map((name) => {
    const crop = rendition(asset, `${name}-1200.jpg`);
    return crop ? h('figure', {}, h('img', { src: crop.url, alt: '', loading: 'lazy', width: crop.width, height: crop.height }),
      h('figcaption', {}, name.replace('x', ':'))) : '';
  }));
  return h('div', { class: 'photo-details', 'data-media-id': asset.id },
    h('div', { class: 'focal' }, img, marker), h('p', { class: 'muted' }, t('focalHint')),
    asset.credit ? '' : h('p', { class: 'warning', id: `no-credit-${asset.id}` }, t('noCredit')),
    form, save, status, h('h4', {}, t('crops')), crops);
}

/** The ids of the article's photos that have no credit. */
export async function uncredited(doc) {
  const ids = [doc.featured_media?.media_id, ...(doc.body || []).filter((b) => b.type === 'image').map((b) => b.media_id)]
    .filter(Boolean);
  const missing = [];
  for (const id of ids) {
    const asset = await media(id, true);
    if (!asset?.credit) missing.push(id);
  }
  return missing;
}
