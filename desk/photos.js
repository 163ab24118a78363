// Photos: upload by drag and drop or the file picker (a real, focusable file input: Enter or
// Space opens it), the credit and the photographer pre-filled from the photo's own IPTC/XMP/EXIF
// data, the focal point set by clicking or with the arrow keys, and each crop previewed from the
// renditions the API lists and adjustable (crops.js). Every element id is unique to its picker,
// so a story with two photos has two sets of labelled fields.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { uid, lengthCounter } from './fields.js';
import { maxLength } from './limits.js';
import { problemLine } from './problems.js';
import { cropEditor, cropPreview } from './crops.js';

const FIELDS = [['credit', 'credit'], ['creator', 'creator'], ['copyright_holder', 'copyright'], ['caption', 'caption'],
  ['alt_text', 'alt'], ['source', 'source']];

/** Known assets by id, so the publish check and previews need not ask twice. */
const known = new Map();

export async function media(id, fresh = false) {
  if (!id) return null;
  if (!fresh && known.has(id)) return known.get(id);
  const { data } = await api.call('GET', `/v1/media/${encodeURIComponent(id)}/editorial`);
  known.set(id, data);
  return data;
}

/** The narrowest JPEG or PNG whole-picture rendition at least `width` wide, else the widest. */
export function sized(asset, width) {
  const plain = (asset?.renditions || []).filter((r) => r.name.startsWith('original-') && r.mime_type !== 'image/webp');
  plain.sort((a, b) => a.width - b.width);
  return plain.find((r) => r.width >= width) || plain[plain.length - 1] || asset;
}

/** A photo slot: shows the chosen asset and its credit form, or a drop zone. `chosen(id)` is
 * told of a new choice; the returned element has `show(id)` for a choice made elsewhere. */
export function photoPicker(mediaId, chosen) {
  const box = h('div', { class: 'photo' });
  let fromFile = [];
  async function show(id) {
    clear(box);
    if (!id) {
      box.append(dropZone(async (asset, filled) => { fromFile = filled; chosen(asset.id); await show(asset.id); }));
      return;
    }
    let asset;
    try {
      asset = await media(id);
    } catch (e) {
      box.append(h('p', { class: 'error' }, problemLine(e)));
      return;
    }
    box.append(details(asset, fromFile),
      h('button', { type: 'button', class: 'link', onclick: () => { fromFile = []; chosen(''); show(''); } }, t('remove')));
  }
  box.show = show;
  show(mediaId);
  return box;
}

function dropZone(uploaded) {
  const id = uid('photo-file');
  const input = h('input', { type: 'file', id, accept: 'image/jpeg,image/png,image/webp,image/gif', class: 'file' });
  const status = h('p', { class: 'muted', role: 'status' });
  const zone = h('div', { class: 'drop' }, h('label', { for: id, class: 'drop-label' }, t('dropPhoto')), input, status);
  async function send(file) {
    if (!file) return;
    status.textContent = t('uploading');
    status.className = 'muted';
    const form = new FormData();
    form.append('file', file);
    try {
      const { data } = await api.call('POST', '/v1/media/upload', { form });
      const asset = data.asset || data;
      known.set(asset.id, asset);
      await uploaded(asset, data.from_file || []);
    } catch (e) {
      status.textContent = problemLine(e);
      status.className = 'error';
    }
  }
  input.addEventListener('change', () => send(input.files[0]));

  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); send(e.dataTransfer.files[0]); });
  return zone;
}

/** The focal point: a button over the photo, moved by a click on the photo or by the arrow
 * keys (Shift: ten times further), saved half a second after the last move. */
function focalPoint(asset, img, refreshCrops) {
  let point = asset.focal_point ? { ...asset.focal_point } : { x: 500, y: 500 };
  const handle = h('button', { type: 'button', class: `focal-marker${asset.focal_point ? '' : ' unset'}`, 'data-control': 'focal' });
  const status = h('span', { class: 'visually-hidden', role: 'status' });
  const place = () => {
    handle.style.left = `${point.x / 10}%`;
    handle.style.top = `${point.y / 10}%`;
    const label = t('focalAt', { x: Math.round(point.x / 10), y: Math.round(point.y / 10) });
    handle.setAttribute('aria-label', label);
    handle.title = t('focalHint');
  };
  let timer = null;
  const save = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const { data } = await api.call('PATCH', `/v1/media/${asset.id}`, { patch: { focal_point: point } });
        known.set(asset.id, data);
        asset.focal_point = data.focal_point;
        asset.renditions = data.renditions;
        handle.classList.remove('unset');
        status.textContent = handle.getAttribute('aria-label');
        refreshCrops();
      } catch (e) {
        status.textContent = problemLine(e);
      }
    }, 500);
  };
  const moveTo = (x, y) => {
    point = { x: Math.max(0, Math.min(1000, Math.round(x))), y: Math.max(0, Math.min(1000, Math.round(y))) };
    place();
    save();
  };
  img.addEventListener('click', (event) => {
    const rect = img.getBoundingClientRect();
    moveTo(((event.clientX - rect.left) / rect.width) * 1000, ((event.clientY - rect.top) / rect.height) * 1000);
  });
  handle.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 100 : 10;
    // Arrows move across the picture as it is shown, whatever the interface's direction.
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const by = moves[event.key];
    if (!by) return;
    event.preventDefault();
    moveTo(point.x + by[0], point.y + by[1]);
  });
  place();
  return { handle, status };
}

function details(asset, fromFile) {
  const small = sized(asset, 640);
  const img = h('img', { src: small.url, alt: asset.alt_text || '', class: 'focal-target', width: small.width, height: small.height });
  const crops = h('div', { class: 'crops' }, cropPreview(asset));
  const refreshCrops = () => crops.replaceChildren(cropPreview(asset));
  const focal = focalPoint(asset, img, refreshCrops);
  const status = h('p', { role: 'status', class: 'muted media-status' });
  const inputs = {};
  const counters = [];
  const noCreditId = uid('no-credit');
  const form = h('div', { class: 'media-fields' }, FIELDS.map(([field, label]) => {
    const id = uid(`media-${field}`);
    inputs[field] = h('input', { id, value: asset[field] || '', 'data-field': field, dir: 'auto',
      'aria-describedby': field === 'credit' && !asset.credit ? noCreditId : false });
    const count = lengthCounter(inputs[field], () => inputs[field].value, maxLength('MediaInput', field));
    inputs[field].addEventListener('input', count.update);
    counters.push(count);
    return h('div', { class: 'field' },
      h('div', { class: 'label-row' }, h('label', { for: id }, t(label),
        fromFile.includes(field) ? h('small', { class: 'from-file' }, ` (${t('fromFile')})`) : ''), count.element),
      inputs[field]);
  }));
  const save = h('button', { type: 'button', class: 'save-media', onclick: async () => {
    if (counters.some((c) => c.over())) {
      status.textContent = t('code.too-long', { limit: counters.find((c) => c.over()).over().limit });
      return;
    }
    const patch = {};
    for (const [field] of FIELDS) patch[field] = inputs[field].value.trim() || null;
    try {
      const { data } = await api.call('PATCH', `/v1/media/${asset.id}`, { patch });
      known.set(asset.id, data);
      Object.assign(asset, data);
      status.textContent = t('saved');
      warning.hidden = Boolean(data.credit);
    } catch (e) {
      status.textContent = problemLine(e);
    }
  } }, t('saveMedia'));
  const warning = h('p', { class: 'warning', id: noCreditId, hidden: Boolean(asset.credit) }, t('noCredit'));
  return h('div', { class: 'photo-details', 'data-media-id': asset.id },
    h('div', { class: 'focal' }, img, focal.handle), focal.status, h('p', { class: 'muted' }, t('focalHint')),
    warning, form, save, status,
    h('p', { class: 'crops-title' }, h('strong', {}, t('crops'))), crops,
    cropEditor(asset, (data) => { known.set(asset.id, data); Object.assign(asset, data); refreshCrops(); }));
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
