// The API, as any client uses it: the access token lives in this module's memory only (never in
// storage a script could read later); the refresh token is an HttpOnly cookie the browser sends
// to /v1/auth/session alone. A 401 triggers one refresh, then the call again.

let access = null;
let who = null;
let onSignedOut = () => {};

export class Problem extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  /** Field errors as `{pointer: message}`. */
  get fields() {
    const out = {};
    for (const e of this.problem.errors || []) out[e.field] = e.message;
    return out;
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
 * One API call: `{json}` as the body (or `{form}`, or `{patch}` as a merge patch), `{ifMatch}`.
 * Answers `{status, etag, data}`; a problem answer throws `Problem`.
 */
export async function call(method, path, options = {}, retried = false) {
  const headers = { Accept: 'application/json' };
  if (access) headers.Authorization = `Bearer ${access}`;
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
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
  // Always revalidated: public lists are cacheable for a minute, and the desk shows its own writes at once.
  const response = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-cache' });
  if (response.status === 401 && !retried && path !== '/v1/auth/me') {
    const again = await restore();
    if (again) return call(method, path, options, true);
    onSignedOut('expired');
    throw new Problem(401, { detail: 'signed out' });
  }
  const type = response.headers.get('Content-Type') || '';
  const data = response.status === 204 ? null
    : type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw new Problem(response.status, data);
  return { status: response.status, etag: response.headers.get('ETag'), data };
}

export const may = {
  publish: () => who && (who.role === 'admin' || who.role === 'editor'),
  catalog: () => who && (who.role === 'admin' || who.role === 'editor'),
  admin: () => who && who.role === 'admin',
};
