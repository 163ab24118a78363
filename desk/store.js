// The one owner of the story being edited. Field editors read `story.doc` when they act and
// write through `story.set`; nothing else holds the document's arrays. A save sends one JSON
// merge patch at a time with the version the last answer gave; edits made while it is on its
// way stay and are sent next. "Saved" is shown only for what the server answered.

import * as api from './api.js';

export const FIELDS = ['headline', 'lead', 'slug', 'language', 'dateline', 'body', 'bylines', 'topics',
  'featured_media', 'related', 'translation_of', 'embargo_until'];

export const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
export const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function defaults() {
  return { headline: '', lead: '', slug: '', language: 'ar', dateline: '', body: [], bylines: [], topics: [],
    featured_media: null, related: [], translation_of: null, embargo_until: null };
}

/** A paragraph with no text is where the editor is about to type, not content: it is kept on
 * screen and never sent (the server refuses empty paragraphs). */
const blank = (block) => block?.type === 'paragraph' && !String(block.html || '').replace(/<[^>]*>|&nbsp;|\s/g, '');

/** A field's value as it is sent and compared. */
function canonical(field, value) {
  return field === 'body' && Array.isArray(value) ? value.filter((b) => !blank(b)) : value;
}

/** Whether two values of `field` are the same content. */
export const sameField = (field, a, b) => same(canonical(field, a), canonical(field, b));

/** An article's writable fields, as the editor holds them. */
export function pick(article) {
  const doc = {};
  const empty = defaults();
  for (const f of FIELDS) doc[f] = clone(article[f]) ?? empty[f];
  return doc;
}

/** The merge patch from `base` to `doc`: changed fields only, cleared ones as null. */
export function mergePatch(base, doc) {
  const patch = {};
  for (const f of FIELDS) {
    if (sameField(f, base[f], doc[f])) continue;
    const v = canonical(f, doc[f]);
    patch[f] = v === '' || v === undefined ? null : v;
  }
  return patch;
}

/** What a create sends: empty optional fields left out. */
function createBody(doc) {
  const body = {};
  for (const [k, raw] of Object.entries(doc)) {
    const v = canonical(k, raw);
    if (v === '' || v === null || (Array.isArray(v) && v.length === 0)) continue;
    body[k] = v;
  }
  return body;
}

/** Statuses whose edits are saved as the editor types: what readers do not see yet. */
const AUTOSAVED = new Set(['draft', 'in_review']);

export class Story {
  /** `data`/`etag`: the editorial answer, or nothing for a new story. */
  constructor(data, etag) {
    this.meta = data ? { ...data } : null;
    this.etag = etag || null;
    this.base = data ? pick(data) : defaults();
    this.doc = clone(this.base);
    this.state = data ? 'saved' : 'new';
    this.savedAt = null;
    this.problem = null;
    this.inflight = null;
    this.again = false;
    this.held = false;
    this.createKey = api.newKey();
    this.slugTyped = false;
    this.listeners = new Map();
    this.checks = new Set();
    /** Asked when someone else saved first: resolves to true once the editor chose (merged). */
    this.onConflict = async () => false;
  }

  /** `fn` runs on `event`: a field name (its value was replaced by the server's), 'change'
   * (the editor changed something), 'state' (saving, saved…), 'meta' (status, version). */
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return () => this.listeners.get(event).delete(fn);
  }

  emit(event, detail) {
    for (const fn of this.listeners.get(event) || []) fn(detail);
  }

  set(field, value) {
    this.doc[field] = value;
    this.changed(field);
  }

  /** After an editor changed something inside a field (a block's text, a byline's role). */
  changed(field) {
    if (field === 'slug') this.slugTyped = true;
    if (this.state !== 'saving' && this.state !== 'conflict') this.setState(this.dirty() ? 'dirty' : 'saved');
    this.emit('change', field);
  }

  /** Replaces a field with the server's value and has its editor show it. */
  replace(field, value) {
    this.doc[field] = clone(value);
    this.emit(field, this.doc[field]);
  }

  dirty() {
    return FIELDS.some((f) => !sameField(f, this.doc[f], this.base[f]));
  }

  setState(state, problem = null) {
    this.state = state;
    this.problem = problem;
    this.emit('state', state);
  }

  /** A check run before every save: returns problems (`{field, code, limit}`) or nothing. */
  addCheck(fn) {
    this.checks.add(fn);
    return () => this.checks.delete(fn);
  }

  autosaves() {
    return !this.held && (!this.meta || AUTOSAVED.has(this.meta.status));
  }

  /** Saves now; a save asked for while one runs follows it. `explicit`: the editor asked. */
  save({ explicit = false } = {}) {
    if (explicit) this.held = false;
    if (this.inflight) {
      this.again = true;
      return this.inflight;
    }
    this.inflight = this.run().finally(() => {
      this.inflight = null;
      if (this.again) {
        this.again = false;
        if (this.dirty() && !this.held && this.state !== 'error') this.save();
      }
    });
    return this.inflight;
  }

  async run() {
    const errors = [...this.checks].flatMap((check) => check() || []);
    if (errors.length) {
      const problem = new api.Problem(422, { code: 'unprocessable', errors });
      this.setState('error', problem);
      throw problem;
    }
    if (!this.meta) return this.create();
    for (let attempt = 0; attempt < 3; attempt++) {
      const sent = clone(this.doc);
      const patch = mergePatch(this.base, sent);
      if (!this.slugTyped && !this.meta.first_published_at && 'headline' in patch && !('slug' in patch)) {
        // Until it has been public, a story's address follows its headline.
        patch.slug = null;
      }
      if (Object.keys(patch).length === 0) {
        this.setState('saved');
        return this.meta;
      }
      this.setState('saving');
      try {
        const { data, etag } = await api.call('PATCH', `/v1/articles/${this.meta.id}`, { patch, ifMatch: this.etag });
        this.adopt(data, etag, sent);
        return this.meta;
      } catch (e) {
        if (e.status !== 412) {
          this.setState('error', e);
          throw e;
        }
        if (!(await this.resolveConflict())) return this.meta;
      }
    }
    return this.meta;
  }

  async create() {
    if (!this.doc.headline.trim()) {
      const problem = new api.Problem(422, { code: 'unprocessable', errors: [{ field: '/headline', code: 'required' }] });
      this.setState('error', problem);
      throw problem;
    }
    const sent = clone(this.doc);
    this.setState('saving');
    try {
      const { data, etag } = await api.call('POST', '/v1/articles', { json: createBody(sent), idempotencyKey: this.createKey });
      this.adopt(data, etag, sent);
      this.emit('created', data);
      return this.meta;
    } catch (e) {
      this.setState('error', e);
      throw e;
    }
  }

  /** The server's answer to a save of `sent`: fields not edited since take the server's
   * value (it may have cleaned or completed them); fields edited since stay as typed. */
  adopt(data, etag, sent) {
    const fresh = pick(data);
    for (const f of FIELDS) {
      if (same(this.doc[f], sent[f]) && !sameField(f, this.doc[f], fresh[f])) this.replace(f, fresh[f]);
    }
    this.base = fresh;
    this.setMeta(data, etag);
    this.savedAt = new Date();
    this.setState(this.dirty() ? 'dirty' : 'saved');
  }

  setMeta(data, etag) {
    const before = this.meta?.status;
    this.meta = { ...data };
    this.etag = etag;
    this.emit('meta', { before, after: data.status });
  }

  /** After a 412: the newest version, and either a quiet rebase (nothing of ours clashes with
   * it) or the editor's choice. True when the save should be tried again. */
  async resolveConflict() {
    const { data, etag } = await api.call('GET', `/v1/articles/${this.meta.id}/editorial`);
    const theirs = pick(data);
    const differs = (f, a, b) => !sameField(f, a, b);
    const rows = FIELDS.filter((f) => differs(f, this.doc[f], theirs[f]) && differs(f, this.doc[f], this.base[f])
      && differs(f, theirs[f], this.base[f]));
    for (const f of FIELDS) {
      // Theirs where only they changed it.
      if (!differs(f, this.doc[f], this.base[f]) && differs(f, theirs[f], this.base[f])) this.replace(f, theirs[f]);
    }
    if (!rows.length) {
      this.base = theirs;
      this.setMeta(data, etag);
      return true;
    }
    this.setState('conflict');
    const merged = await this.onConflict({ rows, theirs, data, etag });
    if (!merged) {
      // Nothing is sent again until the editor saves: no dialog reappearing as they type.
      this.held = true;
      this.setState('dirty');
      return false;
    }
    this.base = theirs;
    this.setMeta(data, etag);
    return true;
  }

  /** Looks at the server's version (a timer, the window's focus, a scheduled time passing):
   * the status and actions always follow it; fields too when nothing here is unsaved. */
  async refresh() {
    if (!this.meta || this.inflight || this.state === 'conflict') return;
    const { data, etag } = await api.call('GET', `/v1/articles/${this.meta.id}/editorial`);
    if (data.version === this.meta.version || this.inflight) return;
    const fresh = pick(data);
    if (same(fresh, this.base)) {
      this.setMeta(data, etag);
    } else if (!this.dirty()) {
      for (const f of FIELDS) if (!sameField(f, this.doc[f], fresh[f])) this.replace(f, fresh[f]);
      this.base = fresh;
      this.setMeta(data, etag);
      this.emit('outdated');
    } else {
      // Unsaved work here and a newer version there: the next save meets it (412) and asks.
      this.meta = { ...this.meta, status: data.status, actions: data.actions, scheduled_at: data.scheduled_at };
      this.emit('meta', { after: data.status });
    }
  }
}
