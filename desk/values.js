// A field's value as text, for the conflict dialog and the revision diff.

/** Text of any field value: strings as they are, lists one entry a line. */
export function show(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value.map((v) => (v && typeof v === 'object'
      ? (v.html ?? v.text ?? v.contributor ?? v.topic ?? v.url ?? v.media_id ?? JSON.stringify(v)) : String(v))).join('\n');
  }
  if (typeof value === 'object' && value.media_id) return value.media_id;
  return JSON.stringify(value);
}
