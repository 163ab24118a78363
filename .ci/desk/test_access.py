"""Phone and keyboard: a keyboard-only session from sign-in to a published story with a photo
and its focal point; focus that stays where the editor works; the action bar on screen at 390 px;
questions before publishing and unpublishing; unique ids with two photos; crops from the
renditions the API lists; corrections confirmed and shown; and axe-core with no violation on
every view at both widths."""

import time

from playwright.sync_api import expect

from harness import (DESKTOP, PHONE, account, admin_password, api, axe, base, bare_photo, create_article, credited_photo,
                     editorial, figures, narrow_photo, new_page, shot, sign_in, token, wait_saved)

EDITOR = account("editor")
editor_token = token(*EDITOR)


def tab_to(page, selector, limit=150, back=False):
    """Presses Tab (or Shift+Tab) until `selector` has focus; returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} was not reached in {limit} Tab presses; focus is on "
                         + page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 120)"))


def a_keyboard_alone_takes_a_story_from_sign_in_to_published(browser):
    who = account("editor")
    page = new_page(browser)
    page.goto(f"{base}/desk/")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(who[0])
    page.keyboard.press("Tab")
    page.keyboard.type(who[1])
    page.keyboard.press("Enter")
    expect(page.locator("table.list")).to_be_visible()
    tab_to(page, "a[href='#/new']")
    page.keyboard.press("Enter")
    expect(page.locator("#f-headline")).to_be_focused()
    page.keyboard.type("قصة كُتبت بلوحة المفاتيح وحدها")
    # The skip link reaches the body at once.
    tab_to(page, ".skips .skip:first-child", back=True)
    page.keyboard.press("Enter")
    tab_to(page, "#body-blocks .rich")
    page.keyboard.type("فقرة أولى.")
    page.keyboard.press("Enter")
    page.keyboard.type("فقرة ثانية.")
    # The photo: the picker takes Enter, and its focal point the arrow keys.
    page.keyboard.press("Control+s")
    wait_saved(page)
    # The editor re-renders once the save's answer is in: reach the picker after that, and try
    # again if a re-render took the focus away between the Tab and the Enter.
    page.wait_for_load_state("networkidle")
    for attempt in range(3):
        page.locator("#f-headline").focus()
        tab_to(page, "fieldset input[type=file]")
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Enter")
            break
        except Exception:  # noqa: BLE001 - retried, then the last failure stands
            if attempt == 2:
                raise
    chooser.value.set_files(credited_photo)
    expect(page.locator(".photo-details")).to_be_visible(timeout=30_000)
    page.locator("#f-headline").focus()
    tab_to(page, ".focal-marker")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    expect(page.locator(".focal-marker")).to_have_attribute("aria-label", "نقطة التركيز: ٤٩٪ أفقياً، ٤٩٪ عمودياً")
    expect(page.locator(".focal-marker")).not_to_have_class("focal-marker unset", timeout=10_000)
    page.keyboard.press("Control+s")
    wait_saved(page)
    article_id = page.url.rsplit("/", 1)[1]
    # Save and publish are a few presses away, wherever the editor is.
    page.locator("#f-headline").focus()
    presses = tab_to(page, "#move-published", back=True)
    figures["Shift+Tab presses from the headline to Publish"] = str(presses)
    assert presses <= 8, presses
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-yes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("منشورة", timeout=15_000)
    story = editorial(article_id, editor_token)
    assert story["status"] == "published" and len(story["body"]) == 2, story
    media = api("GET", f"/v1/media/{story['featured_media']['media_id']}/editorial", editor_token)[2]
    assert media["focal_point"] == {"x": 490, "y": 490}, media["focal_point"]
    page.context.close()


def focus_stays_where_the_editor_works(browser):
    created, _ = create_article(editor_token, headline="قصة للتركيز")
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    add = page.locator("#topics-editor [data-control=add]")
    add.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name="الموضوع 1")).to_be_focused()
    page.locator("#topics-editor [data-control=add]").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name="الموضوع 2")).to_be_focused()
    page.get_by_label("حذف 1").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("حذف 1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#topics-editor [data-control=add]")).to_be_focused()
    # Blocks too: a new block takes focus, a removed one hands it to the next.
    page.click("#add-block")
    expect(page.locator("#body-blocks .rich").last).to_be_focused()
    # The save state is announced.
    assert page.get_attribute("#save-state", "aria-live") == "polite"
    page.context.close()


def on_a_phone_the_inputs_stay_usable_and_the_actions_reachable(browser):
    created, _ = create_article(editor_token, headline="قصة على الهاتف", body=[{"type": "paragraph", "html": "نص"}],
                                bylines=[{"contributor": "euronews", "role": "author"}], topics=[{"topic": "libya"}])
    page = new_page(browser, viewport=PHONE)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    expect(page.locator("#f-headline")).to_have_value("قصة على الهاتف")
    for label in ("الكاتب 1", "الموضوع 1"):
        width = page.get_by_role("combobox", name=label).bounding_box()["width"]
        assert width >= 250, f"{label} is {width:.0f} px wide at 390 px"
    for where in ("top", "bottom"):
        page.evaluate("window.scrollTo(0, %s)" % ("0" if where == "top" else "document.body.scrollHeight"))
        for selector in ("#save", "#move-published"):
            box = page.locator(selector).bounding_box()
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], f"{selector} off screen at the {where}: {box}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px"
    shot(page, "desk-editor-phone")
    page.context.close()


def publishing_and_unpublishing_ask_first(browser):
    created, _ = create_article(editor_token, headline="قصة تسأل قبل النشر", body=[{"type": "paragraph", "html": "نص"}])
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.click("#move-published")
    expect(page.locator("dialog.confirm")).to_contain_text("نشر القصة الآن؟")
    page.click("#confirm-no")
    expect(page.locator("dialog.confirm")).to_have_count(0)
    assert editorial(created["id"], editor_token)["status"] == "draft"
    page.click("#move-published")
    page.keyboard.press("Escape")
    assert editorial(created["id"], editor_token)["status"] == "draft"
    page.click("#move-published")
    page.click("#confirm-yes")
    expect(page.locator("#status")).to_have_text("منشورة")
    page.click("#move-unpublished")
    expect(page.locator("dialog.confirm")).to_contain_text("إلغاء نشر القصة؟")
    page.click("#confirm-no")
    assert editorial(created["id"], editor_token)["status"] == "published"
    page.click("#move-unpublished")
    page.click("#confirm-yes")
    expect(page.locator("#status")).to_have_text("أُلغي نشرها")
    page.context.close()


def two_photos_have_their_own_fields(browser):
    created, _ = create_article(editor_token, headline="قصة بصورتين")
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.locator("fieldset", has_text="الصورة الرئيسية").locator("input[type=file]").set_input_files(credited_photo)
    page.select_option("#new-block-type", "image")
    page.click("#add-block")
    page.locator("#body-blocks input[type=file]").set_input_files(narrow_photo)
    expect(page.locator(".photo-details")).to_have_count(2, timeout=30_000)
    duplicates = page.evaluate("""() => {
        const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
        return ids.filter((id, i) => ids.indexOf(id) !== i);
    }""")
    assert not duplicates, duplicates
    second = page.locator(".photo-details").nth(1)
    second_credit = second.locator("input[data-field=credit]")
    page.locator(f"label[for='{second_credit.get_attribute('id')}']").click()
    expect(second_credit).to_be_focused()
    # Each crop preview is a rendition the API lists for that photo: never a guessed name.
    for details in page.locator(".photo-details").all():
        media = api("GET", f"/v1/media/{details.get_attribute('data-media-id')}/editorial", editor_token)[2]
        listed = {r["url"] for r in media["renditions"]}
        sources = details.locator(".crops img").evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
        assert len(sources) == 4 and all(src in listed for src in sources), (sources, media["width"])
        for _ in range(50):
            if details.locator(".crops img").evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"):
                break
            page.wait_for_timeout(100)
        else:
            raise AssertionError(f"a crop preview did not load for a {media['width']} px photo")
    page.context.close()


def corrections_are_confirmed_and_shown(browser):
    created, etag = create_article(editor_token, headline="قصة ستُصحح", body=[{"type": "paragraph", "html": "نص"}])
    api("POST", f"/v1/articles/{created['id']}/transitions", editor_token, {"to": "published"}, {"If-Match": etag})
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.locator("details.correct summary").click()
    page.fill("textarea[id^=correction-note]", "صُحح اسم الوزير.")
    page.click("#send-correction")
    expect(page.locator("#correction-status")).to_have_text("أُرسل التصحيح ونُشر مع القصة.")
    expect(page.locator("#corrections-list")).to_contain_text("صُحح اسم الوزير.")
    page.click("#open-preview")
    expect(page.locator(".reader-corrections")).to_contain_text("صُحح اسم الوزير.")
    page.context.close()


def axe_finds_no_violation_on_any_view(browser):
    created, _ = create_article(editor_token, headline="قصة لفحص الوصول", body=[{"type": "paragraph", "html": "نص"}])
    demo = next(a for a in api("GET", "/v1/articles?language=ar&limit=50")[2]["data"] if "محادثات" in a["headline"])
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(browser, viewport=viewport, bypass_csp=True)
        page.goto(f"{base}/desk/")
        expect(page.locator("#email")).to_be_visible()
        axe(page, f"sign-in, {name}")
        page.fill("#email", "admin@khabar.local")
        page.fill("#password", admin_password)
        page.click("#sign-in")
        expect(page.locator("table.list")).to_be_visible()
        axe(page, f"stories, {name}")
        page.goto(f"{base}/desk/#/edit/{created['id']}")
        expect(page.locator("#f-headline")).not_to_have_value("")
        if name == "phone":
            # The photos the desktop pass added: wait for them rather than count too early.
            expect(page.locator(".photo-details")).to_have_count(2, timeout=30_000)
        else:
            page.locator("fieldset", has_text="الصورة الرئيسية").locator("input[type=file]").set_input_files(credited_photo)
            page.select_option("#new-block-type", "image")
            page.click("#add-block")
            page.locator("#body-blocks input[type=file]").set_input_files(bare_photo)
            expect(page.locator(".photo-details")).to_have_count(2, timeout=30_000)
            page.click("#save")
            wait_saved(page)
        page.click("details.revisions summary")
        expect(page.locator(".revisions-body li").first).to_be_visible()
        axe(page, f"editor with two photos, {name}")
        page.goto(f"{base}/desk/#/preview/{demo['id']}")
        expect(page.locator(".reader-headline")).to_be_visible()
        axe(page, f"preview, {name}")
        for view in ("contributors", "topics", "media", "users", "webhooks", "audit"):
            page.goto(f"{base}/desk/#/{view}")
            expect(page.locator("section.admin")).to_be_visible()
            axe(page, f"{view}, {name}")
        # The conflict dialog, opened by a save that meets someone else's.
        page.goto(f"{base}/desk/#/edit/{created['id']}")
        expect(page.locator("#f-headline")).to_be_visible()
        current = editorial(created["id"], editor_token)
        api("PATCH", f"/v1/articles/{created['id']}", editor_token, {"headline": f"عنوان آخر {name} {time.time()}"},
            {"If-Match": f'"v{current["version"]}"'}, content_type="application/merge-patch+json")
        page.fill("#f-headline", f"عنواني {name}")
        page.click("#save")
        expect(page.locator("dialog.conflict")).to_be_visible()
        axe(page, f"conflict dialog, {name}")
        page.click("#keep-mine")
        wait_saved(page)
        page.context.close()


TESTS = [a_keyboard_alone_takes_a_story_from_sign_in_to_published, focus_stays_where_the_editor_works,
         on_a_phone_the_inputs_stay_usable_and_the_actions_reachable, publishing_and_unpublishing_ask_first,
         two_photos_have_their_own_fields, corrections_are_confirmed_and_shown, axe_finds_no_violation_on_any_view]
