// The API, as any client uses it: the access token lives in this module's memory only (never in
// storage a script could read later); the refresh token is an HttpOnly cookie the browser sends
// to /v1/auth/session alone. A 401 triggers one refresh, then the call again.

let access = null;
let who = null;
let onSignedOut = () => {};

/** A problem document (RFC 9457) the server answered with; `code` and each error's `code`
 * are stable (problems.js says them in the interface's language). */
export class Problem extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  get code() {
    return this.problem.code || (this.status === 0 ? 'offline' : 'internal');
  }

  /** The field errors: `{field, code, message, limit?, value?}`. */
  get errors() {
    return this.problem.errors || [];
  }
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export function me() {
  return who;
}

async function session(path, init) {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Problem(response.status, data);
  access = data.access_token;
  const user = await call('GET', '/v1/auth/me');
  who = user.data;
  return who;
}

export function signIn(email, password) {
  return session('/v1/auth/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

/** A new access token from the session cookie: after a reload, or when one expired. */
export async function restore() {
  try {
    return await session('/v1/auth/session/refresh', { method: 'POST' });
  } catch (e) {
    access = null;
    who = null;
    return null;
  }
}

export async function signOut() {
  try {
    await call('DELETE', '/v1/auth/session');
  } finally {
    access = null;
    who = null;
  }
}

/**
 * One API call: `{json}` as the body (or `{form}`, or `{patch}` as a merge patch), `{ifMatch}`,
 * `{idempotencyKey}`. Answers `{status, etag, data}`; a problem answer throws `Problem`, and so
 * does a network failure (status 0, code `offline`).
 */
export async function call(method, path, options = {}, retried = false) {
  const headers = { Accept: 'application/json' };
  if (access) headers.Authorization = `Bearer ${access}`;
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.patch !== undefined) {
    headers['Content-Type'] = 'application/merge-patch+json';
    body = JSON.stringify(options.patch);
  } else if (options.form) {
    body = options.form;
  }
  let response;
  try {
    // Always revalidated: public lists are cacheable for a minute, and the desk shows its own writes at once.
    response = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-cache' });
  } catch {
    throw new Problem(0, { code: 'offline', detail: 'the server cannot be reached' });
  }
  if (response.status === 401 && !retried && path !== '/v1/auth/me') {
    const again = await restore();
    if (again) return call(method, path, options, true);
    onSignedOut('expired');
    throw new Problem(401, { code: 'unauthorized', detail: 'signed out' });
  }
  const type = response.headers.get('Content-Type') || '';
  const data = response.status === 204 ? null
    : type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw new Problem(response.status, data);
  return { status: response.status, etag: response.headers.get('ETag'), data };
}

/** What the signed-in user's role may do, as the server lists it (`/v1/auth/me`). */
const holds = (permission) => Boolean(who && (who.permissions || []).includes(permission));

export const may = {
  publish: () => holds('publish'),
  catalog: () => holds('manage_catalog'),
  users: () => holds('manage_users'),
  webhooks: () => holds('manage_webhooks'),
  audit: () => holds('read_audit'),
  admin: () => holds('manage_users'),
};

/** A random key, for `Idempotency-Key` (a create retried after a lost answer happens once). */
export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID()
    : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
