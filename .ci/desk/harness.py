"""What every desk browser test shares: the server's address and the run's files, the API as a
plain HTTP client, accounts, signing in, polling, axe-core, and the list of failures."""

import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
import uuid

from playwright.sync_api import expect

base, out, admin_password, credited_photo, bare_photo, narrow_photo, axe_path = sys.argv[1:8]
base = base.rstrip("/")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RUN = uuid.uuid4().hex[:8]
failures = []
figures = {}

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def api(method, path, token=None, body=None, headers=None, content_type="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read()
            return response.status, response.headers, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, error.headers, (json.loads(raw) if raw[:1] == b"{" else raw)


def token(email, password):
    status, _, body = api("POST", "/v1/auth/token", body={"email": email, "password": password})
    assert status == 200, body
    return body["access_token"]


admin = token("admin@khabar.local", admin_password)
_accounts = 0


def account(role):
    """A new user for one test: sign-in throttling counts attempts per account."""
    global _accounts
    _accounts += 1
    email, password = f"{role}{_accounts}-{RUN}@khabar.local", f"a {role} password that is long enough"
    status, _, body = api("POST", "/v1/users", admin, {"email": email, "password": password, "role": role})
    assert status == 201, body
    return email, password


def editorial(article_id, who_token):
    return api("GET", f"/v1/articles/{article_id}/editorial", who_token)[2]


def create_article(who_token, **fields):
    body = {"language": "ar", **fields}
    status, headers, created = api("POST", "/v1/articles", who_token, body)
    assert status == 201, created
    return created, headers["ETag"]


def patch_article(who_token, article_id, etag, patch):
    return api("PATCH", f"/v1/articles/{article_id}", who_token, patch, {"If-Match": etag},
               content_type="application/merge-patch+json")


def sign_in(page, who):
    page.goto(f"{base}/desk/")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.click("#sign-in")
    expect(page.locator("table.list")).to_be_visible()


_addresses = 0


def new_page(browser, viewport=DESKTOP, locale="ar", **options):
    """A page that records the page's errors and every request that left the server's origin.
    Each page comes from its own client address (the server trusts the loopback proxy), as
    editors do, so sign-in throttling counts them apart."""
    global _addresses
    _addresses += 1
    headers = {"X-Forwarded-For": f"198.51.100.{_addresses % 250 + 1}"}
    context = browser.new_context(viewport=viewport, locale=locale, extra_http_headers=headers, **options)
    page = context.new_page()
    page.errors = []
    page.foreign = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith("data:") or r.url.startswith("blob:")
            else page.foreign.append(r.url))
    return page


def eventually(read, expected, what, tries=80):
    """Polls `read()` until it gives `expected` (a save the page started may still be on its way)."""
    value = None
    for _ in range(tries):
        value = read()
        if value == expected:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what}: {value!r}, expected {expected!r}")


def wait_saved(page):
    """Until the save state says saved (with its time): the server has everything typed."""
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=15_000)


def check(name, fn):
    print(f"-- {name}")
    started = time.monotonic()
    try:
        fn()
        print(f"   ok ({time.monotonic() - started:.1f} s)")
    except Exception as error:  # noqa: BLE001 - every failure is reported, then the run fails
        print(f"   FAILED: {error!r}")
        failures.append(name)


def axe(page, view):
    """Runs axe-core (WCAG 2.1 A and AA) on the page as it stands; fails on any violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=axe_path)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(0, 2).join(' ')) }));
    }""")
    if result:
        raise AssertionError(f"axe, {view}: " + json.dumps(result, ensure_ascii=False, indent=1))


def shot(page, name):
    os.makedirs(out, exist_ok=True)
    page.screenshot(path=f"{out}/{name}.png", full_page=True)


def explain(page):
    """What the desk showed when a step failed."""
    for selector in ("#editor-error", "#workflow-status", ".error", "#save-state"):
        if page.locator(selector).count():
            print(f"   {selector}: {page.locator(selector).first.inner_text()}")
