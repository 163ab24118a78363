"""Arabic first, everywhere: server answers said in the interface's language (every code the
contract lists has words in Arabic and English), topics and contributors picked by their Arabic
names with search's normalization (and a contributor made from an Arabic name), the stories
list searched the same way, the vendored Arabic font, and the photographer read from a photo."""

import time

from playwright.sync_api import expect

from harness import account, api, base, create_article, credited_photo, editorial, new_page, sign_in, token, wait_saved

EDITOR = account("editor")
editor_token = token(*EDITOR)


def every_code_of_the_contract_has_words_in_both_languages(browser):
    page = new_page(browser)
    sign_in(page, account("editor"))
    missing = page.evaluate("""async () => {
        const i18n = await import('/desk/i18n.js');
        const schemas = (await (await fetch('/openapi.json')).json()).components.schemas;
        const sets = { problem: schemas.ProblemCode.enum, code: schemas.FieldCode.enum, warning: schemas.WarningCode.enum };
        const missing = [];
        for (const lang of ['ar', 'en']) {
            for (const [prefix, codes] of Object.entries(sets)) {
                for (const code of codes) if (!i18n.known(lang, `${prefix}.${code}`)) missing.push(`${lang} ${prefix}.${code}`);
            }
        }
        return missing;
    }""")
    assert not missing, missing
    page.context.close()


def refusals_are_said_in_arabic(browser):
    taken, _ = create_article(editor_token, headline="قصة تحمل الرابط", slug="رابط-محجوز")
    created, _ = create_article(editor_token, headline="قصة أخرى")
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.fill("#f-slug", "رابط-محجوز")
    page.click("#save")
    error = page.locator("#editor-error")
    expect(error).to_contain_text("تعارض مع ما هو موجود")
    expect(error).to_contain_text("الرابط المختصر: مستخدم من قبل")
    text = error.inner_text()
    assert "already" not in text and "/slug" not in text and "slug" not in text, text
    # The field is one click away from the message.
    error.locator("a").first.click()
    expect(page.locator("#f-slug")).to_be_focused()
    page.context.close()


def topics_and_contributors_are_picked_by_arabic_name(browser):
    created, _ = create_article(editor_token, headline="قصة بأسماء عربية")
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    page.locator("#topics-editor button.add").click()
    box = page.get_by_role("combobox", name="الموضوع 1")
    expect(box).to_be_focused()
    box.type("خلوصي اكار")
    option = page.get_by_role("option").filter(has_text="خلوصي أكار")
    expect(option).to_be_visible()
    box.press("Enter")
    expect(box).to_have_attribute("data-slug", "hulusi-akar")
    # A contributor who is not there yet is made from the name typed, in Arabic (a new name on
    # each run of the test, so that a second run finds none either).
    name = f"مراسلة طرابلس {time.monotonic_ns() % 100000}"
    page.locator("#bylines-editor button.add").click()
    byline = page.get_by_role("combobox", name="الكاتب 1")
    byline.type(name)
    create = page.get_by_role("option").filter(has_text=f"إنشاء «{name}»")
    expect(create).to_be_visible()
    create.click()
    expect(byline).to_have_value(name)
    page.click("#save")
    wait_saved(page)
    server = editorial(created["id"], editor_token)
    assert server["topics"][0]["topic"] == "hulusi-akar", server["topics"]
    slug = server["bylines"][0]["contributor"]
    _, _, contributor = api("GET", f"/v1/contributors/{urllib_quote(slug)}")
    assert contributor["names"]["ar"] == name and contributor["kind"] == "person", contributor
    page.context.close()


def urllib_quote(text):
    import urllib.parse
    return urllib.parse.quote(text, safe="")


def the_stories_list_finds_arabic_spelled_any_way(browser):
    created, _ = create_article(editor_token, headline="زيارة وزير الدفاع إلى أنقرة")
    page = new_page(browser)
    sign_in(page, account("editor"))
    for typed in ("انقرة", "والدفاع", "الدفاع انقره"):
        page.fill("#story-search", typed)
        expect(page.locator(f"tr[data-id='{created['id']}']")).to_be_visible()
        expect(page.locator("table.list tbody tr")).to_have_count(1)
    page.fill("#story-search", "طهران")
    expect(page.locator("table.list tbody tr")).to_have_count(0)
    page.context.close()


def the_desk_reads_in_its_own_arabic_font(browser):
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.click("#new-story")
    page.fill("#f-headline", "عنوان بخط الديسك")
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("""async () => {
        await document.fonts.load('16px "IBM Plex Sans Arabic"', 'عربي');
        await document.fonts.load('bold 16px "IBM Plex Sans Arabic"', 'عربي');
        return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight);
    }""")
    assert any("IBM Plex Sans Arabic" in f and "400" in f for f in loaded), loaded
    assert any("IBM Plex Sans Arabic" in f and "700" in f for f in loaded), loaded
    family = page.evaluate("getComputedStyle(document.querySelector('#f-headline')).fontFamily")
    assert family.startswith('"IBM Plex Sans Arabic"'), family
    assert not page.foreign, f"the desk loaded something from elsewhere: {page.foreign}"
    page.context.close()


def the_photographer_is_read_from_the_photo(browser):
    page = new_page(browser)
    sign_in(page, account("editor"))
    page.goto(f"{base}/desk/#/media")
    page.locator("input[type=file]").set_input_files(credited_photo)
    creator = page.locator("input[data-field=creator]")
    expect(creator).to_have_value("مصور الوكالة", timeout=30_000)
    label = page.locator(f"label[for='{creator.get_attribute('id')}']")
    expect(label).to_contain_text("من بيانات الصورة")
    expect(page.locator("input[data-field=credit]")).to_have_value("AFP Test Agency")
    page.context.close()


TESTS = [every_code_of_the_contract_has_words_in_both_languages, refusals_are_said_in_arabic,
         topics_and_contributors_are_picked_by_arabic_name, the_stories_list_finds_arabic_spelled_any_way,
         the_desk_reads_in_its_own_arabic_font, the_photographer_is_read_from_the_photo]
