// Crops: a preview of each named crop from the renditions the API lists (never a guessed file
// name: a photo narrower than 1200 px has `1x1-1067.jpg`, not `1x1-1200.jpg`), and an editor
// that sets an aspect ratio's box by dragging it or with the keyboard (arrows move it, + and -
// resize it), or hands the ratio back to the focal point.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { uid } from './fields.js';
import { problemLine } from './problems.js';

export const RATIOS = [['1x1', 1, 1], ['4x3', 4, 3], ['3x2', 3, 2], ['16x9', 16, 9]];

/** The rendition of a named crop to preview: JPEG or PNG, the narrowest at least 240 px wide. */
export function cropRendition(asset, ratio) {
  const matching = (asset.renditions || [])
    .filter((r) => r.name.startsWith(`${ratio}-`) && r.mime_type !== 'image/webp')
    .sort((a, b) => a.width - b.width);
  return matching.find((r) => r.width >= 240) || matching[matching.length - 1] || null;
}

export function cropPreview(asset) {
  return RATIOS.map(([ratio]) => {
    const crop = cropRendition(asset, ratio);
    return crop ? h('figure', { 'data-ratio': ratio }, h('img', { src: crop.url, alt: '', loading: 'lazy', width: crop.width, height: crop.height }),
      h('figcaption', {}, ratio.replace('x', ':'))) : '';
  });
}

/** The largest box of `w:h` that fits the picture, centred on the focal point. */
function defaultBox(asset, w, hgt) {
  const [width, height] = [asset.width, asset.height];
  let bw = width;
  let bh = Math.round((width * hgt) / w);
  if (bh > height) {
    bh = height;
    bw = Math.round((height * w) / hgt);
  }
  const fx = ((asset.focal_point?.x ?? 500) / 1000) * width;
  const fy = ((asset.focal_point?.y ?? 500) / 1000) * height;
  return clamp(asset, { x: Math.round(fx - bw / 2), y: Math.round(fy - bh / 2), width: bw, height: bh });
}

function clamp(asset, box) {
  const width = Math.min(box.width, asset.width);
  const height = Math.min(box.height, asset.height);
  return {
    x: Math.max(0, Math.min(asset.width - width, box.x)),
    y: Math.max(0, Math.min(asset.height - height, box.y)),
    width,
    height,
  };
}

/** The crop editor: a disclosure with a ratio picker, the photo and its box. */
export function cropEditor(asset, saved) {
  if (!asset.width || !asset.height || !asset.renditions?.length) return '';
  const stage = h('div', { class: 'crop-stage' });
  const status = h('p', { class: 'muted', role: 'status' });
  const selectId = uid('crop-ratio');
  const ratio = h('select', { id: selectId, onchange: () => draw() },
    RATIOS.map(([name]) => h('option', { value: name }, name.replace('x', ':'))));
  let box = null;
  let frame = null;

  function draw() {
    const [, w, hgt] = RATIOS.find(([name]) => name === ratio.value);
    box = asset.crops?.[ratio.value] ? { ...asset.crops[ratio.value] } : defaultBox(asset, w, hgt);
    const picture = [...(asset.renditions || [])].filter((r) => r.name.startsWith('original-') && r.mime_type !== 'image/webp')
      .sort((a, b) => a.width - b.width).find((r) => r.width >= 640) || asset;
    frame = h('button', { type: 'button', class: 'crop-box', 'data-control': 'crop' });
    clear(stage).append(h('img', { src: picture.url, alt: '', class: 'crop-image' }), frame);
    place();
    frame.addEventListener('keydown', (event) => keys(event, w, hgt));
    frame.addEventListener('pointerdown', (event) => drag(event));
  }

  function place() {
    frame.style.left = `${(box.x / asset.width) * 100}%`;
    frame.style.top = `${(box.y / asset.height) * 100}%`;
    frame.style.width = `${(box.width / asset.width) * 100}%`;
    frame.style.height = `${(box.height / asset.height) * 100}%`;
    frame.setAttribute('aria-label', `${t('crops')} ${ratio.value.replace('x', ':')}: ${box.width}×${box.height}, (${box.x}, ${box.y})`);
  }

  function keys(event, w, hgt) {
    const step = Math.round(asset.width / (event.shiftKey ? 10 : 50));
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      event.preventDefault();
      box = clamp(asset, { ...box, x: box.x + moves[event.key][0], y: box.y + moves[event.key][1] });
    } else if (event.key === '+' || event.key === '=' || event.key === '-') {
      event.preventDefault();
      const factor = event.key === '-' ? 0.9 : 1 / 0.9;
      let width = Math.round(box.width * factor);
      let height = Math.round((width * hgt) / w);
      if (width > asset.width || height > asset.height) return;
      if (width < 50) return;
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      box = clamp(asset, { x: Math.round(cx - width / 2), y: Math.round(cy - height / 2), width, height });
    } else {
      return;
    }
    place();
  }

  function drag(event) {
    const rect = stage.getBoundingClientRect();
    const start = { x: event.clientX, y: event.clientY, box: { ...box } };
    frame.setPointerCapture(event.pointerId);
    const move = (e) => {
      const dx = ((e.clientX - start.x) / rect.width) * asset.width;
      const dy = ((e.clientY - start.y) / rect.height) * asset.height;
      box = clamp(asset, { ...start.box, x: Math.round(start.box.x + dx), y: Math.round(start.box.y + dy) });
      place();
    };
    const stop = () => {
      frame.removeEventListener('pointermove', move);
      frame.removeEventListener('pointerup', stop);
    };
    frame.addEventListener('pointermove', move);
    frame.addEventListener('pointerup', stop);
  }

  async function send(value) {
    try {
      const { data } = await api.call('PATCH', `/v1/media/${asset.id}`, { patch: { crops: { [ratio.value]: value } } });
      status.textContent = t('saved');
      saved(data);
      draw();
    } catch (e) {
      status.textContent = problemLine(e);
    }
  }

  const panel = h('details', { class: 'crop-editor' }, h('summary', {}, `${t('crops')}: ${t('edit')}`),
    h('div', { class: 'row' }, h('div', { class: 'field narrow' }, h('label', { for: selectId }, t('crops')), ratio)),
    stage,
    h('p', { class: 'muted' }, t('cropHint')),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'crop-save', onclick: () => send(box) }, t('saveCrop')),
      h('button', { type: 'button', class: 'link crop-reset', onclick: () => send(null) }, t('cropFollowsFocal'))),
    status);
  panel.addEventListener('toggle', () => { if (panel.open && !frame) draw(); });
  return panel;
}
