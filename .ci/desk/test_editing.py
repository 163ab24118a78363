"""No lost edits: successive edits of every kind of field, each saved, then a reload compared
with what was typed; double saves that never conflict with themselves; Escape on the conflict
dialog; what the desk shows following the server; limits shown and refused rather than cut;
autosave, Ctrl+S and the question before leaving; revisions grouped, named and dated."""

import datetime
import time

from playwright.sync_api import expect

from harness import (account, api, base, bare_photo, create_article, credited_photo, editorial, eventually, figures,
                     new_page, patch_article, shot, sign_in, token, wait_saved)

EDITOR = account("editor")
editor_token = token(*EDITOR)


def save(page):
    page.click("#save")
    wait_saved(page)


def choose(page, label, typed, option_text):
    page.get_by_role("combobox", name=label).fill(typed)
    option = page.get_by_role("option").filter(has_text=option_text).first
    expect(option).to_be_visible(timeout=10_000)
    option.click()


def add_block(page, kind):
    page.select_option("#new-block-type", kind)
    page.click("#add-block")


def last_block(page):
    return page.locator("#body-blocks > li").last


def successive_edits_of_every_field_kind_are_all_kept(browser):
    english, _ = create_article(editor_token, language="en", headline="An English original to translate")
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    sign_in(page, account("editor"))
    page.click("#new-story")
    rounds = []

    def step(name, action):
        started = time.monotonic()
        action()
        save(page)
        rounds.append((name, time.monotonic() - started))

    step("headline", lambda: page.fill("#f-headline", "عنوان أول"))
    page.wait_for_url("**/desk/#/edit/*")
    article_id = page.url.rsplit("/", 1)[1]
    step("headline again, and the lead", lambda: (page.fill("#f-headline", "عنوان ثانٍ"), page.fill("#f-lead", "مقدمة")))
    step("dateline and slug", lambda: (page.fill("#f-dateline", "طرابلس"), page.fill("#f-slug", "قصة-التحرير-المتتابع")))

    def paragraph(text):
        area = page.locator("#body-blocks .rich").first
        area.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    step("paragraph", lambda: paragraph("الفقرة الأولى"))
    step("paragraph again", lambda: paragraph("الفقرة الأولى بعد التعديل"))

    def heading():
        add_block(page, "heading")
        last_block(page).locator("input").fill("عنوان فرعي")
        last_block(page).locator("select").select_option("3")
    step("heading block", heading)
    step("heading edited", lambda: last_block(page).locator("input").fill("عنوان فرعي معدّل"))

    def quote():
        add_block(page, "quote")
        last_block(page).locator("textarea").fill("قال الوزير كلاماً")
        last_block(page).locator("input").fill("وزير الدفاع")
    step("quote block", quote)

    def list_items(items):
        last_block(page).locator("textarea").fill("\n".join(items))
    step("list block", lambda: (add_block(page, "list"), list_items(["بند أول", "بند ثانٍ"])))
    step("list items edited", lambda: list_items(["بند أول", "بند ثانٍ", "بند ثالث"]))
    step("video block", lambda: (add_block(page, "video"), last_block(page).locator("input[type=url]").fill("https://www.youtube.com/watch?v=abc")))

    def embed():
        add_block(page, "embed")
        last_block(page).locator("select").select_option("twitter")
        last_block(page).locator("input[type=url]").fill("https://twitter.com/x/status/1")
    step("embed block", embed)
    step("divider block", lambda: add_block(page, "divider"))

    def image_block():
        add_block(page, "image")
        last_block(page).locator("input[type=file]").set_input_files(bare_photo)
        expect(last_block(page).locator(".photo-details")).to_be_visible(timeout=30_000)
        last_block(page).locator("input[data-field=credit]").fill("مصور حر")
        last_block(page).locator(".save-media").click()
        expect(last_block(page).locator(".media-status")).to_have_text("حُفظ")
    step("image block", image_block)
    step("image caption", lambda: last_block(page).locator(".field input").last.fill("تعليق الصورة في النص"))

    def byline(index, typed, shown):
        page.locator("#bylines-editor button.add").click()
        choose(page, f"الكاتب {index}", typed, shown)
    step("first byline", lambda: byline(1, "يورونيوز", "يورونيوز"))
    step("second byline", lambda: (byline(2, "afp", "أ ف ب"), page.get_by_label("الدور 2").select_option("agency")))
    step("first byline's role", lambda: page.get_by_label("الدور 1").select_option("editor"))

    def topic(index, typed, shown):
        page.locator("#topics-editor button.add").click()
        choose(page, f"الموضوع {index}", typed, shown)
    step("a topic", lambda: topic(1, "ليبيا", "ليبيا"))
    step("another, primary", lambda: (topic(2, "طرابلس", "طرابلس"),
                                      page.locator("#topics-editor .item").nth(1).get_by_label("رئيسي").check()))

    featured = page.locator("fieldset", has_text="الصورة الرئيسية")

    def featured_photo():
        featured.locator("input[type=file]").set_input_files(credited_photo)
        expect(featured.locator(".photo-details")).to_be_visible(timeout=30_000)
    step("featured photo", featured_photo)
    step("featured caption", lambda: page.fill("#f-featured_caption", "تعليق خاص بهذه القصة"))

    def related():
        page.get_by_label("مقالات ذات صلة: بحث في العناوين").fill("محادثات")
        page.locator(".picker button").first.click()
    step("related story", related)
    step("translation", lambda: (page.fill("#f-translation", "English original"),
                                 page.locator(".picker button", has_text="An English original").click()))
    embargo = (datetime.datetime.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    step("embargo", lambda: page.fill("#f-embargo_until", embargo.strftime("%Y-%m-%dT%H:%M")))

    # The focal point, with the keyboard, and a crop: saved on the media asset.
    handle = featured.locator(".focal-marker")
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    media_id = editorial(article_id, editor_token)["featured_media"]["media_id"]
    eventually(lambda: api("GET", f"/v1/media/{media_id}/editorial", editor_token)[2].get("focal_point"),
               {"x": 550, "y": 600}, "the focal point moved by the arrow keys")
    featured.locator("details.crop-editor summary").click()
    featured.locator("details.crop-editor select").select_option("16x9")
    featured.locator(".crop-box").focus()
    page.keyboard.press("-")
    page.keyboard.press("ArrowLeft")
    featured.locator(".crop-save").click()
    eventually(lambda: "16x9" in (api("GET", f"/v1/media/{media_id}/editorial", editor_token)[2].get("crops") or {}), True,
               "the 16:9 crop is kept")

    # The server has every edit, and a reload shows what it has.
    server = editorial(article_id, editor_token)
    assert server["headline"] == "عنوان ثانٍ" and server["lead"] == "مقدمة", server
    assert server["dateline"] == "طرابلس" and server["slug"] == "قصة-التحرير-المتتابع", server["slug"]
    kinds = [b["type"] for b in server["body"]]
    assert kinds == ["paragraph", "heading", "quote", "list", "video", "embed", "divider", "image"], kinds
    body = server["body"]
    assert body[0]["html"] == "الفقرة الأولى بعد التعديل", body[0]
    assert body[1] == {"type": "heading", "level": 3, "text": "عنوان فرعي معدّل"}, body[1]
    assert body[2] == {"type": "quote", "text": "قال الوزير كلاماً", "cite": "وزير الدفاع"}, body[2]
    assert body[3]["items"] == ["بند أول", "بند ثانٍ", "بند ثالث"], body[3]
    assert body[4]["url"] == "https://www.youtube.com/watch?v=abc" and body[5]["provider"] == "twitter", body[4:6]
    assert body[7]["caption"] == "تعليق الصورة في النص" and body[7]["media_id"], body[7]
    assert [(b["contributor"], b["role"]) for b in server["bylines"]] == [("euronews", "editor"), ("afp", "agency")], server["bylines"]
    assert [(t["topic"], t["primary"]) for t in server["topics"]] == [("libya", False), ("tripoli", True)], server["topics"]
    assert server["featured_media"]["caption"] == "تعليق خاص بهذه القصة", server["featured_media"]
    assert len(server["related"]) == 1 and english["id"] in server["translations"], (server["related"], server["translations"])
    assert server["embargo_until"] and server["embargo_until"].startswith(
        embargo.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M")), server["embargo_until"]
    page.reload()
    expect(page.locator("#f-headline")).to_have_value("عنوان ثانٍ")
    expect(page.locator("#body-blocks > li")).to_have_count(8)
    expect(page.locator("#body-blocks .rich").first).to_have_text("الفقرة الأولى بعد التعديل")
    expect(page.get_by_role("combobox", name="الكاتب 2")).to_have_value("أ ف ب")
    expect(page.get_by_role("combobox", name="الموضوع 2")).to_have_value("طرابلس")
    assert not page.errors, page.errors
    times = sorted(seconds for _, seconds in rounds)
    figures["edit-and-save rounds (successive edits, browser to server and back)"] = (
        f"{len(rounds)} rounds, median {times[len(times) // 2] * 1000:.0f} ms")
    page.context.close()


def double_saves_never_conflict_with_oneself(browser):
    created, _ = create_article(editor_token, headline="قصة تُحفظ مرتين")
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.fill("#f-headline", "حفظ بنقرة مزدوجة")
    page.dblclick("#save")
    wait_saved(page)
    page.fill("#f-headline", "حفظ بزر الإدخال مرتين")
    page.locator("#f-headline").press("Enter")
    page.locator("#f-headline").press("Enter")
    page.fill("#f-lead", "تعديل أثناء الحفظ")
    page.locator("#f-lead").press("Control+s")
    page.locator("#f-lead").press("Control+s")
    wait_saved(page)
    assert page.locator("dialog.conflict").count() == 0, "the editor conflicted with themself"
    server = editorial(created["id"], editor_token)
    assert server["headline"] == "حفظ بزر الإدخال مرتين" and server["lead"] == "تعديل أثناء الحفظ", server
    revisions = api("GET", f"/v1/articles/{created['id']}/revisions", editor_token)[2]
    actions = [r["action"] for r in (revisions.get("data", revisions) if isinstance(revisions, dict) else revisions)]
    assert len(actions) <= 4, f"one revision a change, not a save: {actions}"
    page.context.close()


def escape_on_the_conflict_dialog_leaves_nothing_hanging(browser):
    created, _ = create_article(editor_token, headline="قصة يتنازعها محرران")
    first, second = new_page(browser), new_page(browser)
    for page in (first, second):
        sign_in(page, account("editor"))
        page.goto(f"{base}/desk/#/edit/{created['id']}")
        expect(page.locator("#f-headline")).to_have_value("قصة يتنازعها محرران")
    first.fill("#f-headline", "نسخة الأول")
    first.click("#save")
    wait_saved(first)
    second.fill("#f-headline", "نسخة الثاني")
    second.click("#save")
    expect(second.locator("dialog.conflict")).to_be_visible()
    second.keyboard.press("Escape")
    expect(second.locator("dialog.conflict")).to_have_count(0)
    expect(second.locator("#save-state")).to_have_text("تغييرات غير محفوظة")
    expect(second.locator("#f-headline")).to_have_value("نسخة الثاني")
    # No save runs by itself after the editor declined to choose; theirs is still stored.
    second.fill("#f-lead", "ما زلت أكتب")
    second.wait_for_timeout(2500)
    assert second.locator("dialog.conflict").count() == 0
    assert editorial(created["id"], editor_token)["headline"] == "نسخة الأول"
    # Saving again asks again.
    second.click("#save")
    expect(second.locator("dialog.conflict")).to_be_visible()
    second.click("#keep-mine")
    wait_saved(second)
    assert editorial(created["id"], editor_token)["headline"] == "نسخة الثاني"
    first.context.close()
    second.context.close()


def the_editor_follows_the_server(browser):
    created, etag = create_article(editor_token, headline="قصة تُنشر في موعدها", body=[{"type": "paragraph", "html": "نص"}])
    at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=6)).isoformat()
    status, _, scheduled = api("POST", f"/v1/articles/{created['id']}/transitions", editor_token,
                               {"to": "scheduled", "scheduled_at": at}, {"If-Match": etag})
    assert status == 200, scheduled
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    expect(page.locator("#status")).to_have_text("مجدولة")
    expect(page.locator("#status")).to_have_text("منشورة", timeout=20_000)
    expect(page.locator("#move-unpublished")).to_be_visible()
    # Someone else's edit shows up when nothing here is unsaved.
    current = editorial(created["id"], editor_token)
    status, _, _ = patch_article(editor_token, created["id"], f'"v{current["version"]}"', {"lead": "أضافها محرر آخر"})
    assert status == 200
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#f-lead")).to_have_value("أضافها محرر آخر", timeout=10_000)
    page.context.close()


def limits_are_shown_and_refused_never_cut(browser):
    created, _ = create_article(editor_token, headline="عنوان قصير")
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    counter = page.locator("#f-headline").locator("xpath=..").locator(".counter")
    expect(counter).to_have_text("١٠ / ٣٠٠")
    long = ("كلمة " * 85)[:421]
    page.fill("#f-headline", long)
    expect(counter).to_have_text("٤٢١ / ٣٠٠")
    expect(counter).to_have_class("counter over")
    expect(page.locator("#f-headline")).to_have_attribute("aria-invalid", "true")
    page.click("#save")
    expect(page.locator("#editor-error")).to_contain_text("العنوان: أطول من ٣٠٠ حرفاً")
    expect(page.locator("#save-state")).to_have_text("لم يُحفظ")
    assert len(page.input_value("#f-headline")) == 421, "what was typed is kept whole"
    page.wait_for_timeout(2000)
    assert editorial(created["id"], editor_token)["headline"] == "عنوان قصير", "nothing was sent, nothing cut"
    # The same for a paragraph's text and a photo's credit: every bounded field counts.
    page.fill("#f-headline", "عنوان بطول مقبول")
    wait_saved(page)
    assert editorial(created["id"], editor_token)["headline"] == "عنوان بطول مقبول"
    page.context.close()


def drafts_save_as_one_types_and_leaving_asks(browser):
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.click("#new-story")
    page.locator("#f-headline").type("مسودة تحفظ نفسها")
    page.wait_for_url("**/desk/#/edit/*", timeout=10_000)
    article_id = page.url.rsplit("/", 1)[1]
    page.locator("#body-blocks .rich").first.click()
    page.keyboard.type("يكتب المحرر ولا يضغط حفظ.")
    wait_saved(page)
    assert page.inner_text("#save-state").startswith("حُفظ "), page.inner_text("#save-state")
    eventually(lambda: editorial(article_id, editor_token)["body"][0]["html"], "يكتب المحرر ولا يضغط حفظ.", "the autosaved body")
    # Unsaved, and leaving for the list: asked; "no" stays.
    page.fill("#f-lead", "لم تُرسل بعد")
    with page.expect_event("dialog") as asked:
        page.click("a[href='#/stories']", no_wait_after=True)
    assert asked.value.message == "في القصة تغييرات لم تُحفظ. هل تغادرها؟", asked.value.message
    asked.value.dismiss()
    # The address changed first; "no" puts it back.
    page.wait_for_url("**/desk/#/edit/*")
    expect(page.locator("#f-lead")).to_have_value("لم تُرسل بعد")
    wait_saved(page)
    page.click("a[href='#/stories']")
    expect(page.locator("table.list")).to_be_visible()
    page.context.close()


def revisions_are_grouped_named_and_dated(browser):
    created, etag = create_article(editor_token, headline="قصة بتعديلات كثيرة")
    version = 1
    for n in range(6):
        status, headers, _ = patch_article(editor_token, created["id"], f'"v{version}"', {"lead": f"تحديث رقم {n}"})
        assert status == 200
        version += 1
    other = token(*account("editor"))
    patch_article(other, created["id"], f'"v{version}"', {"headline": "عنوان من محرر آخر"})
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.click("details.revisions summary")
    expect(page.locator(".revisions-body h3").first).to_have_text("اليوم")
    run = page.locator(".revision-run summary")
    expect(run).to_contain_text("٦ تعديلات")
    expect(run).to_contain_text(EDITOR[0])
    expect(page.locator(".revision").first).to_contain_text("تعديل")
    text = page.inner_text(".revisions-body")
    assert "update" not in text and "create" not in text, text
    expect(page.locator(".revision", has_text="إنشاء")).to_have_count(1)
    shot(page, "desk-revisions-rtl")
    page.context.close()


TESTS = [successive_edits_of_every_field_kind_are_all_kept, double_saves_never_conflict_with_oneself,
         escape_on_the_conflict_dialog_leaves_nothing_hanging, the_editor_follows_the_server,
         limits_are_shown_and_refused_never_cut, drafts_save_as_one_types_and_leaving_asks,
         revisions_are_grouped_named_and_dated]
