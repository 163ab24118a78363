"""The desk's main journeys: sign-in, an Arabic story with an uploaded photo published and found
in the feed, a photo without credit stopped, a writer who cannot publish, two editors in
conflict losing nothing, unsaved work kept over a reload, the preview of the demo article,
revisions, a translation, the catalog and admin views, hostile text, sessions."""

import gzip
import time
import urllib.parse
import urllib.request

from playwright.sync_api import expect

from harness import (DESKTOP, account, admin, admin_password, api, base, bare_photo, create_article, credited_photo,
                     editorial, eventually, explain, figures, new_page, out, patch_article, shot, sign_in, token, wait_saved)

EDITOR = account("editor")
WRITER = account("writer")
editor_token = token(*EDITOR)
writer_token = token(*WRITER)
demo = next(a for a in api("GET", "/v1/articles?language=ar&limit=50")[2]["data"] if "محادثات" in a["headline"])

DESK_FILES = ["index.html", "fonts.css", "desk.css", "app.js", "api.js", "dom.js", "i18n.js", "lists.js", "editor.js", "blocks.js",
              "photos.js", "preview.js", "admin.js", "workflow.js", "store.js", "fields.js", "limits.js", "problems.js",
              "paste.js", "pickers.js", "crops.js", "dialogs.js", "revisions.js", "values.js", "guard.js", "icon.svg",
              "fonts/plex-arabic-400.woff2", "fonts/plex-arabic-700.woff2", "fonts/plex-latin-400.woff2",
              "fonts/plex-latin-700.woff2"]


def choose(page, label, typed, option_text):
    """Types into a picker and chooses the option that shows `option_text`."""
    box = page.get_by_role("combobox", name=label)
    box.fill(typed)
    option = page.get_by_role("option").filter(has_text=option_text).first
    expect(option).to_be_visible(timeout=10_000)
    option.click()


def security_headers_and_weight(browser):
    request = urllib.request.Request(f"{base}/desk/")
    with urllib.request.urlopen(request) as response:
        csp = response.headers["Content-Security-Policy"]
        html = response.read().decode()
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, csp
    assert "font-src 'self'" in csp, csp
    assert "<script>" not in html and " on" not in html.split("<body>")[1], "inline script in the page"
    # First load: every file the page can load, compressed as a browser asks for them.
    total = 0
    for name in DESK_FILES:
        request = urllib.request.Request(f"{base}/desk/{name}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            assert response.headers.get("Content-Security-Policy"), name
            total += len(body)
            if response.headers.get("Content-Encoding") != "gzip" and not name.endswith(".woff2"):
                total += len(gzip.compress(body)) - len(body)
    figures["first load, every desk file, compressed"] = f"{total} bytes"
    assert total < 350_000, total
    status, _, _ = api("GET", "/desk/../Cargo.toml")
    assert status in (400, 404), status


def editor_publishes_an_arabic_story_with_a_photo(browser):
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    sign_in(page, EDITOR)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # The refresh token is out of reach of scripts, and nothing sits in storage.
    assert "khabar_session" not in page.evaluate("document.cookie")
    assert "eyJ" not in str(page.evaluate("Object.entries(localStorage)"))
    shot(page, "desk-list-rtl")
    page.reload()
    expect(page.locator("table.list tbody tr").first).to_be_visible()
    figures["stories list shown after a reload"] = f"{page.evaluate('performance.now()'):.0f} ms after navigation started"
    page.click("#new-story")
    headline = "اختبار المتصفح: قصة عربية مع صورة"
    expect(page.locator("#f-headline")).to_be_focused()
    page.fill("#f-headline", headline)
    assert page.get_attribute("#f-headline", "dir") == "rtl"
    page.fill("#f-lead", "مقدمة القصة كما يكتبها المحرر.")
    page.fill("#f-dateline", "طرابلس")
    # A new story starts with a paragraph ready to type into.
    page.locator(".blocks .rich").first.click()
    page.keyboard.type("الفقرة الأولى من النص.")
    page.locator("#bylines-editor button.add").click()
    choose(page, "الكاتب 1", "يورونيوز", "يورونيوز")
    featured = page.locator("fieldset", has_text="الصورة الرئيسية")
    featured.locator("input[type=file]").set_input_files(credited_photo)
    expect(featured.locator("input[data-field=credit]")).to_have_value("AFP Test Agency", timeout=30_000)
    expect(featured.locator("input[data-field=creator]")).to_have_value("مصور الوكالة")
    expect(featured.locator(".from-file").first).to_be_visible()
    featured.locator(".focal-target").click(position={"x": 30, "y": 30})
    expect(featured.locator(".focal-marker")).not_to_have_class("focal-marker unset", timeout=30_000)
    started = time.monotonic()
    page.click("#save")
    wait_saved(page)
    figures["save round trip (click to 'saved', new story)"] = f"{(time.monotonic() - started) * 1000:.0f} ms"
    page.wait_for_url("**/desk/#/edit/*")
    expect(page.locator("#status")).to_have_text("مسودة")
    shot(page, "desk-editor-rtl")
    page.click("#move-published")
    expect(page.locator("dialog.confirm")).to_be_visible()
    page.click("#confirm-yes")
    expect(page.locator("#status")).to_have_text("منشورة", timeout=15_000)
    article_id = page.url.rsplit("/", 1)[1]
    rss = urllib.request.urlopen(f"{base}/feeds/ar/rss.xml").read().decode()
    assert headline in rss, "the published story is not in /feeds/ar/rss.xml"
    status, _, article = api("GET", f"/v1/articles/{article_id}")
    assert status == 200 and article["featured_media"]["credit"] == "AFP Test Agency", article
    assert article["featured_media"]["creator"] == "مصور الوكالة", article["featured_media"]
    assert article["bylines"][0]["contributor"]["slug"] == "euronews"
    assert [b["type"] for b in article["body"]] == ["paragraph"], article["body"]
    assert not page.errors, page.errors
    assert not page.foreign, f"requests that left the server: {page.foreign}"
    page.context.close()


def a_photo_without_credit_is_stopped_by_the_desk(browser):
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.click("#new-story")
    page.fill("#f-headline", "قصة بصورة بلا حقوق")
    page.locator(".blocks .rich").first.click()
    page.keyboard.type("نص.")
    page.locator("fieldset", has_text="الصورة الرئيسية").locator("input[type=file]").set_input_files(bare_photo)
    expect(page.locator(".photo-details .warning")).to_be_visible(timeout=30_000)
    page.click("#save")
    page.wait_for_url("**/desk/#/edit/*")
    wait_saved(page)
    page.click("#move-published")
    expect(page.locator("#workflow-status")).to_have_text("الصورة بلا حقوق: لا يمكن النشر قبل إضافتها")
    article_id = page.url.rsplit("/", 1)[1]
    assert editorial(article_id, editor_token)["status"] == "draft"
    page.context.close()


def a_writer_sees_only_the_moves_their_role_has(browser):
    page = new_page(browser)
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
    # Submitted, the story is no longer the writer's to change: shown read-only, one move back.
    page.click("#move-in_review")
    expect(page.locator("#status")).to_have_text("قيد المراجعة")
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.locator("#move-draft")).to_be_visible()
    assert page.locator("#save").is_hidden()
    page.context.close()


def two_sessions_in_conflict_lose_nothing(browser):
    created, _ = create_article(editor_token, headline="قصة يحررها اثنان", lead="المقدمة الأولى")
    first = new_page(browser)
    second = new_page(browser)
    for page in (first, second):
        sign_in(page, account("editor"))
        page.goto(f"{base}/desk/#/edit/{created['id']}")
        expect(page.locator("#f-headline")).to_have_value("قصة يحررها اثنان")
    # Different fields: merged without asking.
    first.fill("#f-headline", "عنوان من الجلسة الأولى")
    first.click("#save")
    wait_saved(first)
    second.fill("#f-lead", "مقدمة من الجلسة الثانية")
    second.click("#save")
    wait_saved(second)
    assert second.locator("dialog.conflict").count() == 0, "nothing clashed, so nothing was asked"
    expect(second.locator("#f-headline")).to_have_value("عنوان من الجلسة الأولى")
    stored = lambda field: editorial(created["id"], editor_token)[field]  # noqa: E731
    assert stored("lead") == "مقدمة من الجلسة الثانية" and stored("headline") == "عنوان من الجلسة الأولى"
    # The same field: asked, theirs shown, and "keep mine" wins.
    first.fill("#f-headline", "العنوان الأول مرة أخرى")
    first.click("#save")
    wait_saved(first)
    second.fill("#f-headline", "العنوان الثاني")
    second.click("#save")
    expect(second.locator("dialog.conflict tr[data-field=headline]")).to_contain_text("العنوان الأول مرة أخرى")
    rows = second.locator("dialog.conflict tbody tr").evaluate_all("rows => rows.map(r => r.dataset.field)")
    assert rows == ["headline"], rows
    shot(second, "desk-conflict-rtl")
    second.click("#keep-mine")
    wait_saved(second)
    expect(second.locator("#f-headline")).to_have_value("العنوان الثاني")
    eventually(lambda: stored("headline"), "العنوان الثاني", "the headline after keep-mine")
    first.context.close()
    second.context.close()


def unsaved_work_survives_a_reload(browser):
    created, etag = create_article(editor_token, headline="قصة منشورة لا تُحفظ تلقائياً",
                                   body=[{"type": "paragraph", "html": "نص"}])
    status, _, _ = api("POST", f"/v1/articles/{created['id']}/transitions", editor_token, {"to": "published"}, {"If-Match": etag})
    assert status == 200
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    expect(page.locator("#status")).to_have_text("منشورة")
    page.fill("#f-lead", "نص لم يُحفظ")
    page.wait_for_timeout(2500)
    assert editorial(created["id"], editor_token)["lead"] is None, "a published story is not saved as one types"
    expect(page.locator("#save-state")).to_have_text("تغييرات غير محفوظة")
    page.once("dialog", lambda d: d.accept())
    page.reload()
    expect(page.locator("#restored")).to_be_visible()
    expect(page.locator("#f-lead")).to_have_value("نص لم يُحفظ")
    page.context.close()


def the_demo_preview_is_the_reference_page(browser):
    page = new_page(browser, viewport={"width": 1200, "height": 1000})
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
    for _ in range(100):
        if page.evaluate("[...document.querySelectorAll('.reader-figure img')].every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the preview's photos did not load")
    shot(page, "desk-preview-rtl")
    page.context.close()


def revisions_diff_side_by_side_and_restore(browser):
    created, etag = create_article(editor_token, headline="العنوان القديم")
    status, _, _ = patch_article(editor_token, created["id"], etag, {"headline": "العنوان الجديد"})
    assert status == 200
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.click("details.revisions summary")
    page.click("#compare-1")
    expect(page.locator(".diff td.old")).to_have_text("العنوان القديم")
    expect(page.locator(".diff td.new")).to_have_text("العنوان الجديد")
    expect(page.locator(".diff th[scope=row]")).to_have_text("العنوان")
    page.click("#restore-1")
    page.click("#confirm-yes")
    expect(page.locator("#f-headline")).to_have_value("العنوان القديم")
    restored = editorial(created["id"], editor_token)
    assert restored["headline"] == "العنوان القديم" and restored["version"] == 3, restored
    page.context.close()


def a_translation_is_linked_by_headline(browser):
    page = new_page(browser, locale="en")
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
        wait_saved(page)
    except Exception:
        explain(page)
        raise
    article_id = page.url.rsplit("/", 1)[1]
    saved = editorial(article_id, editor_token)
    assert demo["id"] in saved["translations"], saved["translations"]
    page.context.close()


def catalog_and_admin_views(browser):
    page = new_page(browser, locale="en")
    sign_in(page, ("admin@khabar.local", admin_password))
    for view, expected in [("contributors", "euronews"), ("topics", "libya"), ("users", "admin@khabar.local"),
                           ("webhooks", ""), ("audit", "auth.sign_in")]:
        page.goto(f"{base}/desk/#/{view}")
        expect(page.locator("section.admin table.list")).to_be_visible()
        expect(page.locator("section.admin")).to_contain_text(expected)
    # A staff writer from an Arabic name alone: no Latin slug, no English name needed.
    page.goto(f"{base}/desk/#/contributors")
    page.fill("#new-name", "مراسل المكتب")
    page.select_option("#new-kind", "person")
    page.locator("form.create button[type=submit]").click()
    expect(page.locator("section.admin table.list")).to_contain_text("مراسل المكتب")
    found = api("GET", "/v1/contributors?q=" + urllib.parse.quote("مراسل المكتب"))[2]["data"]
    assert len(found) == 1 and found[0]["names"]["ar"] == "مراسل المكتب", found
    # An editor has no admin links, and the admin views refuse them anyway.
    page2 = new_page(browser, locale="en")
    sign_in(page2, account("editor"))
    assert page2.locator("a[href='#/users']").count() == 0
    page2.goto(f"{base}/desk/#/users")
    expect(page2.locator("main .error")).to_be_visible()
    page2.context.close()
    assert not page.errors, page.errors
    page.context.close()


def hostile_text_stays_text(browser):
    hostile = '<img src=x onerror="window.pwned=1">"><script>window.pwned=2</script>'
    created, _ = create_article(editor_token, language="en", headline=hostile, lead=hostile,
                                body=[{"type": "paragraph", "html": '<a href="javascript:window.pwned=3">x</a><b onclick="x">b</b>'}])
    page = new_page(browser, locale="en")
    sign_in(page, account("editor"))
    expect(page.locator(f"tr[data-id='{created['id']}'] a.headline")).to_have_text(hostile)
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    expect(page.locator("#f-headline")).to_have_value(hostile)
    page.goto(f"{base}/desk/#/preview/{created['id']}")
    expect(page.locator(".reader-headline")).to_have_text(hostile)
    expect(page.locator(".reader .ad-slot").last).to_have_text("Advertisement")
    assert page.locator(".reader img, .reader script").count() == 0
    assert page.locator(".reader a[href^='javascript']").count() == 0
    assert page.evaluate("window.pwned") is None
    page.context.close()


def sessions_sign_out_and_expire(browser):
    page = new_page(browser, locale="en")
    who = account("editor")
    sign_in(page, who)
    page.reload()
    expect(page.locator("table.list")).to_be_visible()
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    page.reload()
    expect(page.locator("#sign-in")).to_be_visible()
    sign_in(page, who)
    users = api("GET", "/v1/users", admin)[2]
    user_id = next(u["id"] for u in (users.get("data", users) if isinstance(users, dict) else users) if u["email"] == who[0])
    status, _, _ = api("PATCH", f"/v1/users/{user_id}", admin, {"disabled": True}, content_type="application/merge-patch+json")
    assert status == 200, status
    page.click("a[href='#/stories/draft']")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator(".signin .error")).to_have_text("انتهت الجلسة، سجّل الدخول من جديد")
    status, _, _ = api("POST", "/v1/auth/session", body={"email": who[0], "password": who[1]},
                       headers={"Origin": "https://evil.example"})
    assert status == 403, status
    page.context.close()


TESTS = [security_headers_and_weight, editor_publishes_an_arabic_story_with_a_photo,
         a_photo_without_credit_is_stopped_by_the_desk, a_writer_sees_only_the_moves_their_role_has,
         two_sessions_in_conflict_lose_nothing, unsaved_work_survives_a_reload, the_demo_preview_is_the_reference_page,
         revisions_diff_side_by_side_and_restore, a_translation_is_linked_by_headline, catalog_and_admin_views,
         hostile_text_stays_text, sessions_sign_out_and_expire]
