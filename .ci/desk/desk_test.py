"""The desk in a real browser (Debian's chromium driven by Playwright), against a server built
from this commit: sign-in, an Arabic story with an uploaded photo published and found in the
feed, a writer who cannot publish, two sessions in conflict losing nothing, unsaved work kept
over a reload, the preview of the demo article, hostile text, the security headers and the
weight of the first load. Screenshots go to OUT_DIR.

usage: desk_test.py BASE_URL OUT_DIR ADMIN_PASSWORD PHOTO_WITH_IPTC PHOTO_WITHOUT_CREDIT
"""

import gzip
import json
import shutil
import sys
import urllib.error
import urllib.request
import uuid

from playwright.sync_api import expect, sync_playwright

base, out, admin_password, credited_photo, bare_photo = sys.argv[1:6]
base = base.rstrip("/")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
failures = []


def api(method, path, token=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
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


def explain(page):
    """What the desk showed when a step failed."""
    for selector in ("#editor-error", "#workflow-status", ".error"):
        if page.locator(selector).count():
            print(f"   {selector}: {page.locator(selector).first.inner_text()}")


def eventually(read, expected, what):
    """Polls `read()` until it gives `expected` (a save the page started may still be on its way)."""
    import time
    for _ in range(50):
        value = read()
        if value == expected:
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: {value!r}, expected {expected!r}")


def check(name, fn):
    print(f"-- {name}")
    try:
        fn()
        print("   ok")
    except Exception as error:  # noqa: BLE001 - every failure is reported, then the run fails
        print(f"   FAILED: {error!r}")
        failures.append(name)


admin = token("admin@khabar.local", admin_password)
accounts = 0
RUN = uuid.uuid4().hex[:8]


def account(role):
    """A new user for one test: sign-in throttling counts attempts per account."""
    global accounts
    accounts += 1
    email, password = f"{role}{accounts}-{RUN}@khabar.local", f"a {role} password that is long enough"
    status, _, body = api("POST", "/v1/users", admin, {"email": email, "password": password, "role": role})
    assert status == 201, body
    return email, password


EDITOR = account("editor")
WRITER = account("writer")
editor_token = token(*EDITOR)
writer_token = token(*WRITER)
demo = next(a for a in api("GET", "/v1/articles?language=ar&limit=50")[2]["data"] if "السراج" in a["headline"] or "محادثات" in a["headline"])


def sign_in(page, who):
    page.goto(f"{base}/desk/")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.click("#sign-in")
    expect(page.locator("table.list")).to_be_visible()


def security_headers_and_weight():
    request = urllib.request.Request(f"{base}/desk/")
    with urllib.request.urlopen(request) as response:
        csp = response.headers["Content-Security-Policy"]
        html = response.read().decode()
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, csp
    assert "<script>" not in html and " on" not in html.split("<body>")[1], "inline script in the page"
    # First load: every file the page loads, compressed as a browser asks for them.
    names = ["index.html", "desk.css", "app.js", "api.js", "dom.js", "i18n.js", "lists.js", "editor.js", "blocks.js",
             "photos.js", "preview.js", "admin.js", "workflow.js", "icon.svg"]
    total = 0
    for name in names:
        request = urllib.request.Request(f"{base}/desk/{name}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            assert response.headers.get("Content-Security-Policy"), name
            total += len(body)
            if response.headers.get("Content-Encoding") != "gzip":
                total += len(gzip.compress(body)) - len(body)
    print(f"   first load: {total} bytes compressed")
    assert total < 300_000, total
    status, _, _ = api("GET", "/desk/../Cargo.toml")
    assert status == 404 or status == 400, status


def editor_publishes_an_arabic_story_with_a_photo(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ar")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, EDITOR)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # The refresh token is out of reach of scripts, and nothing sits in storage.
    assert "khabar_session" not in page.evaluate("document.cookie")
    assert "eyJ" not in json.dumps(page.evaluate("Object.entries(localStorage)"))
    page.screenshot(path=f"{out}/desk-list-rtl.png", full_page=True)
    # How soon the list is usable after a reload (a figure for the docs, not a timed test).
    page.reload()
    expect(page.locator("table.list tbody tr").first).to_be_visible()
    print(f"   stories list shown {page.evaluate('performance.now()'):.0f} ms after navigation started")
    assert page.locator("#more").is_hidden() == (page.locator("table.list tbody tr").count() < 25)
    page.click("#new-story")
    headline = "اختبار المتصفح: قصة عربية مع صورة"
    page.fill("#f-headline", headline)
    assert page.get_attribute("#f-headline", "dir") == "rtl"
    page.fill("#f-lead", "مقدمة القصة كما يكتبها المحرر.")
    page.fill("#f-dateline", "طرابلس")
    page.select_option("#new-block-type", "paragraph")
    page.click("#add-block")
    page.locator(".blocks .rich").first.type("الفقرة الأولى من النص.")
    page.locator("fieldset", has_text="الكتّاب").locator("button.add").click()
    page.get_by_label("الكاتب 1").fill("euronews")
    page.locator("fieldset", has_text="الصورة الرئيسية").locator("input[type=file]").set_input_files(credited_photo)
    expect(page.locator("#media-credit")).to_have_value("AFP Test Agency", timeout=30_000)
    expect(page.locator(".from-file").first).to_be_visible()
    page.locator(".focal-target").click(position={"x": 30, "y": 30})
    expect(page.locator(".focal-marker")).to_be_visible(timeout=30_000)
    page.click("#save")
    page.wait_for_url("**/desk/#/edit/*")
    expect(page.locator("#status")).to_have_text("مسودة")
    page.screenshot(path=f"{out}/desk-editor-rtl.png", full_page=True)
    page.click("#move-published")
    expect(page.locator("#status")).to_have_text("منشورة", timeout=15_000)
    article_id = page.url.rsplit("/", 1)[1]
    rss = urllib.request.urlopen(f"{base}/feeds/ar/rss.xml").read().decode()
    assert headline in rss, "the published story is not in /feeds/ar/rss.xml"
    status, _, article = api("GET", f"/v1/articles/{article_id}")
    assert status == 200 and article["featured_media"]["credit"] == "AFP Test Agency", article
    assert article["bylines"][0]["contributor"]["slug"] == "euronews"
    assert not errors, errors
    context.close()


def a_photo_without_credit_is_stopped_by_the_desk(browser):
    context = browser.new_context(locale="ar")
    page = context.new_page()
    sign_in(page, account("editor"))
    page.click("#new-story")
    page.fill("#f-headline", "قصة بصورة بلا حقوق")
    page.select_option("#new-block-type", "paragraph")
    page.click("#add-block")
    page.locator(".blocks .rich").first.type("نص.")
    page.locator("fieldset", has_text="الصورة الرئيسية").locator("input[type=file]").set_input_files(bare_photo)
    expect(page.locator(".photo-details .warning")).to_be_visible(timeout=30_000)
    page.click("#save")
    page.wait_for_url("**/desk/#/edit/*")
    page.click("#move-published")
    expect(page.locator("#workflow-status")).to_have_text("الصورة بلا حقوق: لا يمكن النشر قبل إضافتها")
    article_id = page.url.rsplit("/", 1)[1]
    assert api("GET", f"/v1/articles/{article_id}/editorial", editor_token)[2]["status"] == "draft"
    context.close()


def a_writer_cannot_publish(browser):
    context = browser.new_context(locale="ar")
    page = context.new_page()
    sign_in(page, WRITER)
    page.click("#new-story")
    page.fill("#f-headline", "مسودة كاتب")
    page.click("#save")
    page.wait_for_url("**/desk/#/edit/*")
    expect(page.locator("#move-in_review")).to_be_visible()
    assert page.locator("#move-published").count() == 0
    assert page.locator("#move-scheduled").count() == 0
    assert page.locator("a[href='#/users']").count() == 0
    article_id = page.url.rsplit("/", 1)[1]
    _, headers, _ = api("GET", f"/v1/articles/{article_id}/editorial", writer_token)
    status, _, problem = api("POST", f"/v1/articles/{article_id}/transitions", writer_token, {"to": "published"},
                             {"If-Match": headers["ETag"]})
    assert status == 403, (status, problem)
    context.close()


def two_sessions_in_conflict_lose_nothing(browser):
    status, headers, created = api("POST", "/v1/articles", editor_token,
                                   {"language": "ar", "headline": "قصة يحررها اثنان", "lead": "المقدمة الأولى"})
    assert status == 201, created
    first = browser.new_context(locale="ar").new_page()
    second = browser.new_context(locale="ar").new_page()
    for page in (first, second):
        sign_in(page, account("editor"))
        page.goto(f"{base}/desk/#/edit/{created['id']}")
        expect(page.locator("#f-headline")).to_have_value("قصة يحررها اثنان")
    first.fill("#f-headline", "عنوان من الجلسة الأولى")
    first.click("#save")
    expect(first.locator("#save-state")).to_have_text("حُفظ")
    second.fill("#f-lead", "مقدمة من الجلسة الثانية")
    second.click("#save")
    expect(second.locator("#conflict")).to_be_visible()
    second.screenshot(path=f"{out}/desk-conflict-rtl.png")
    # Theirs for the headline (only they changed it), mine for the lead (only I did).
    rows = second.locator("#conflict tbody tr").evaluate_all("rows => rows.map(r => r.dataset.field)")
    assert rows == ["headline", "lead"], rows
    assert second.locator("tr[data-field=headline] input[value=theirs]").is_checked(), "theirs for the headline"
    assert second.locator("tr[data-field=lead] input[value=mine]").is_checked(), "mine for the lead"
    second.click("#merge")
    expect(second.locator("#f-lead")).to_have_value("مقدمة من الجلسة الثانية")
    stored = lambda field: api("GET", f"/v1/articles/{created['id']}/editorial", editor_token)[2][field]  # noqa: E731
    eventually(lambda: stored("lead"), "مقدمة من الجلسة الثانية", "the lead after the merge")
    assert stored("headline") == "عنوان من الجلسة الأولى", stored("headline")
    # Both change the headline: "keep mine" wins, and theirs was shown, not silently dropped.
    first.reload()
    expect(first.locator("#f-headline")).to_have_value("عنوان من الجلسة الأولى")
    first.fill("#f-headline", "العنوان الأول مرة أخرى")
    first.click("#save")
    expect(first.locator("#save-state")).to_have_text("حُفظ")
    second.fill("#f-headline", "العنوان الثاني")
    second.click("#save")
    expect(second.locator("#conflict tr[data-field=headline]")).to_contain_text("العنوان الأول مرة أخرى")
    second.click("#keep-mine")
    expect(second.locator("#f-headline")).to_have_value("العنوان الثاني")
    eventually(lambda: stored("headline"), "العنوان الثاني", "the headline after keep-mine")
    first.context.close()
    second.context.close()


def unsaved_work_survives_a_reload(browser):
    context = browser.new_context(locale="ar")
    page = context.new_page()
    sign_in(page, account("editor"))
    page.click("#new-story")
    page.fill("#f-headline", "لم تُحفظ بعد")
    page.fill("#f-lead", "نص لم يُحفظ")
    page.wait_for_timeout(400)
    page.reload()
    expect(page.locator("#restored")).to_be_visible()
    expect(page.locator("#f-headline")).to_have_value("لم تُحفظ بعد")
    expect(page.locator("#f-lead")).to_have_value("نص لم يُحفظ")
    context.close()


def the_demo_preview_is_the_reference_page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 1000}, locale="ar")
    page = context.new_page()
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/preview/{demo['id']}")
    expect(page.locator(".reader-headline")).to_have_text(demo["headline"])
    _, _, full = api("GET", f"/v1/articles/{demo['id']}")
    expect(page.locator(".reader-caption").first).to_have_text(full["featured_media"]["caption"])
    expect(page.locator(".reader-credit").first).to_contain_text("أ ف ب")
    expect(page.locator(".reader-byline")).to_have_text(full["byline"])
    expect(page.locator(".reader-related li")).to_have_count(3)
    for related in full["related"]:
        expect(page.locator(".reader-related")).to_contain_text(related["headline"])
    assert page.locator(".ad-slot").count() >= 2
    expect(page.locator(".ad-slot").first).to_have_text("إعلان")
    for name in ("LinkedIn", "Viber", "Flipboard"):
        expect(page.locator(".share")).to_contain_text(name)
    # (wait_for_function would eval a string, which the desk's CSP rightly refuses.)
    for _ in range(100):
        if page.evaluate("[...document.querySelectorAll('.reader-figure img')].every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the preview's photos did not load")
    page.screenshot(path=f"{out}/desk-preview-rtl.png", full_page=True)
    context.close()


def revisions_diff_side_by_side_and_restore(browser):
    status, headers, created = api("POST", "/v1/articles", editor_token, {"language": "ar", "headline": "العنوان القديم"})
    assert status == 201, created
    status, _, _ = api("PATCH", f"/v1/articles/{created['id']}", editor_token, {"headline": "العنوان الجديد"},
                       {"If-Match": headers["ETag"], "Content-Type": "application/merge-patch+json"})
    assert status == 200
    context = browser.new_context(locale="ar")
    page = context.new_page()
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.click("details.revisions summary")
    page.click("#compare")
    expect(page.locator(".diff td.old")).to_have_text("العنوان القديم")
    expect(page.locator(".diff td.new")).to_have_text("العنوان الجديد")
    page.locator(".revisions button", has_text="استعادة").click()
    expect(page.locator("#f-headline")).to_have_value("العنوان القديم")
    restored = api("GET", f"/v1/articles/{created['id']}/editorial", editor_token)[2]
    assert restored["headline"] == "العنوان القديم" and restored["version"] == 3, restored
    context.close()


def a_translation_is_linked_by_headline(browser):
    context = browser.new_context(locale="en")
    page = context.new_page()
    sign_in(page, account("editor"))
    page.click("#new-story")
    page.select_option("#f-language", "fr")  # the demo story has its English translation already
    assert page.get_attribute("#f-headline", "dir") == "ltr"
    page.fill("#f-headline", "Une traduction liée dans le desk")
    page.fill("#f-translation", "محادثات")
    page.locator(".picker button", has_text=demo["headline"]).click()
    page.click("#save")
    try:
        page.wait_for_url("**/desk/#/edit/*")
    except Exception:
        explain(page)
        raise
    article_id = page.url.rsplit("/", 1)[1]
    _, _, saved = api("GET", f"/v1/articles/{article_id}/editorial", editor_token)
    assert demo["id"] in saved["translations"], saved["translations"]
    context.close()


def catalog_and_admin_views(browser):
    context = browser.new_context(locale="en")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, ("admin@khabar.local", admin_password))
    for view, expected in [("contributors", "euronews"), ("topics", "libya"), ("users", "admin@khabar.local"),
                           ("webhooks", ""), ("audit", "auth.sign_in")]:
        page.goto(f"{base}/desk/#/{view}")
        expect(page.locator("section.admin table.list")).to_be_visible()
        expect(page.locator("section.admin")).to_contain_text(expected)
    page.goto(f"{base}/desk/#/contributors")
    page.fill("#new-slug", "desk-reporter")
    page.fill("#new-name", "Desk Reporter")
    page.fill("#new-name_ar", "مراسل المكتب")
    page.select_option("#new-kind", "person")
    page.locator("form.create button[type=submit]").click()
    expect(page.locator("section.admin table.list")).to_contain_text("مراسل المكتب")
    assert api("GET", "/v1/contributors/desk-reporter")[0] == 200
    # An editor has no admin links, and the admin views refuse them anyway.
    page2 = browser.new_context(locale="en").new_page()
    sign_in(page2, account("editor"))
    assert page2.locator("a[href='#/users']").count() == 0
    page2.goto(f"{base}/desk/#/users")
    expect(page2.locator("main .error")).to_be_visible()
    page2.context.close()
    assert not errors, errors
    context.close()


def hostile_text_stays_text(browser):
    hostile = '<img src=x onerror="window.pwned=1">"><script>window.pwned=2</script>'
    status, _, created = api("POST", "/v1/articles", editor_token, {"language": "en", "headline": hostile, "lead": hostile,
                             "body": [{"type": "paragraph", "html": '<a href="javascript:window.pwned=3">x</a><b onclick="x">b</b>'}]})
    assert status == 201, created
    context = browser.new_context(locale="en")
    page = context.new_page()
    sign_in(page, account("editor"))
    expect(page.locator(f"tr[data-id='{created['id']}'] a.headline")).to_have_text(hostile)
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    expect(page.locator("#f-headline")).to_have_value(hostile)
    page.goto(f"{base}/desk/#/preview/{created['id']}")
    expect(page.locator(".reader-headline")).to_have_text(hostile)
    # The reader's page speaks the story's language (English), not the desk's (Arabic here).
    expect(page.locator(".reader .ad-slot").last).to_have_text("Advertisement")
    assert page.locator(".reader img, .reader script").count() == 0
    assert page.locator(".reader a[href^='javascript']").count() == 0
    assert page.evaluate("window.pwned") is None
    context.close()


def sessions_sign_out_and_expire(browser):
    context = browser.new_context(locale="en")
    page = context.new_page()
    who = account("editor")
    sign_in(page, who)
    page.reload()
    expect(page.locator("table.list")).to_be_visible()  # the cookie brought a new access token
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    page.reload()
    expect(page.locator("#sign-in")).to_be_visible()  # the session is over on the server too
    # A session that ends on the server (here the user is disabled) sends the desk back to the
    # sign-in page with a message, at the next call, instead of failing silently.
    sign_in(page, who)
    users = api("GET", "/v1/users", admin)[2]
    user_id = next(u["id"] for u in (users.get("data", users) if isinstance(users, dict) else users) if u["email"] == who[0])
    status, _, _ = api("PATCH", f"/v1/users/{user_id}", admin, {"disabled": True},
                       {"Content-Type": "application/merge-patch+json"})
    assert status == 200, status
    page.click("a[href='#/stories/draft']")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator(".signin .error")).to_have_text("انتهت الجلسة، سجّل الدخول من جديد")
    # Another site cannot start or refresh a session: Origin is checked.
    status, _, _ = api("POST", "/v1/auth/session", body={"email": who[0], "password": who[1]},
                       headers={"Origin": "https://evil.example"})
    assert status == 403, status
    context.close()


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    check("security headers and the first load's weight", security_headers_and_weight)
    for test in [editor_publishes_an_arabic_story_with_a_photo, a_photo_without_credit_is_stopped_by_the_desk,
                 a_writer_cannot_publish, two_sessions_in_conflict_lose_nothing, unsaved_work_survives_a_reload,
                 the_demo_preview_is_the_reference_page, revisions_diff_side_by_side_and_restore,
                 a_translation_is_linked_by_headline, catalog_and_admin_views, hostile_text_stays_text,
                 sessions_sign_out_and_expire]:
        check(test.__name__.replace("_", " "), lambda: test(browser))
    browser.close()

if failures:
    sys.exit(f"{len(failures)} desk test(s) failed: {failures}")
print("desk: all browser tests passed")
