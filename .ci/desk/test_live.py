"""The desk's live mode as a newsroom uses it during breaking news: two editors on one live blog
(one on a phone), each posting with Ctrl+Enter and seeing the other's updates arrive from the
stream without a reload; a double Ctrl+Enter posting once; an edit and a delete reaching the
other editor; and a reader's page (no sign-in, the browser's own EventSource) receiving every
update once."""

import time

from playwright.sync_api import expect

from harness import DESKTOP, PHONE, account, api, base, create_article, figures, new_page, sign_in, token

READER = """blog => new Promise((resolve, reject) => {
  window.got = [];
  window.source = new EventSource('/v1/articles/' + blog + '/live/stream');
  for (const kind of ['entry_published', 'entry_updated', 'entry_deleted'])
    window.source.addEventListener(kind, e => window.got.push({kind, id: e.lastEventId, data: JSON.parse(e.data)}));
  window.source.onopen = () => resolve(true);
  window.source.onerror = () => reject(new Error('the stream failed'));
})"""


def live_blog(editor_token):
    created, etag = create_article(editor_token, headline="عاجل: تغطية مباشرة من المكتب",
                                   body=[{"type": "paragraph", "html": "نص"}])
    status, _, moved = api("POST", f"/v1/articles/{created['id']}/transitions", editor_token, {"to": "published"},
                           {"If-Match": etag})
    assert status == 200, moved
    return created["id"]


def entries(blog):
    status, _, page = api("GET", f"/v1/articles/{blog}/live?latest=100")
    assert status == 200, page
    return page["latest"]


def compose(page, text, title=None):
    if title:
        page.fill("#entry-title", title)
    page.fill("#entry-text", text)
    page.focus("#entry-text")


def two_editors_and_a_reader_follow_one_live_blog(browser):
    first, second = account("editor"), account("editor")
    blog = live_blog(token(*first))
    desk = new_page(browser, DESKTOP)
    phone = new_page(browser, PHONE)
    for page, who in ((desk, first), (phone, second)):
        sign_in(page, who)
        page.goto(f"{base}/desk/#/live/{blog}")
    # Not a live blog yet: the first editor starts the coverage.
    desk.click("#start-live")
    expect(desk.locator("#live-composer")).to_be_visible()
    phone.reload()
    expect(phone.locator("#live-entries")).to_have_attribute("data-following", "true")
    expect(desk.locator("#live-entries")).to_have_attribute("data-following", "true")

    reader = new_page(browser, DESKTOP)
    reader.goto(f"{base}/v1/articles/{blog}/live")
    reader.evaluate(READER, blog)

    # A double Ctrl+Enter posts once.
    compose(desk, "وصول تعزيزات إلى محيط المطار", "تعزيزات")
    sent = time.monotonic()
    desk.keyboard.press("Control+Enter")
    desk.keyboard.press("Control+Enter")
    expect(desk.locator("#live-entries li")).to_have_count(1)
    expect(phone.locator("#live-entries li")).to_have_count(1, timeout=10_000)
    figures["live: post answered to the other editor's list (ms)"] = round((time.monotonic() - sent) * 1000)
    expect(phone.locator("#live-entries li h3")).to_have_text("تعزيزات")
    assert len(entries(blog)) == 1, entries(blog)

    # The phone posts a key event, pinned; the desk sees it on top.
    compose(phone, "قوات الوفاق تعلن السيطرة على المطار")
    phone.check("#entry-key-event")
    phone.check("#entry-pinned")
    phone.click("#post-entry")
    expect(desk.locator("#live-entries li")).to_have_count(2, timeout=10_000)
    expect(desk.locator("#live-entries li").first).to_have_class("live-entry pinned")
    expect(phone.locator("#entry-text")).to_have_value("")

    # The desk edits the first update; the phone sees the new text. Then deletes it.
    older = desk.locator("#live-entries li").nth(1)
    older.locator(".edit-entry").click()
    older.locator("textarea.entry-text").fill("وصول تعزيزات كبيرة إلى محيط المطار")
    older.locator(".save-entry").click()
    expect(phone.locator("#live-entries li").nth(1)).to_contain_text("تعزيزات كبيرة", timeout=10_000)
    desk.locator("#live-entries li").nth(1).locator(".delete-entry").click()
    desk.click("#confirm-yes")
    expect(desk.locator("#live-entries li")).to_have_count(1)
    expect(phone.locator("#live-entries li")).to_have_count(1, timeout=10_000)

    # The reader got each event once, in order.
    kinds = []
    for _ in range(100):
        kinds = reader.evaluate("window.got.map(g => g.kind)")
        if len(kinds) >= 4:
            break
        time.sleep(0.05)
    assert kinds == ["entry_published", "entry_published", "entry_updated", "entry_deleted"], kinds
    ids = reader.evaluate("window.got.map(g => g.id)")
    assert len(set(ids)) == len(ids), ids

    # Ending the coverage hides the composer on both.
    desk.click("#live-ended")
    expect(phone.locator("#live-composer")).to_be_hidden(timeout=10_000)
    for page in (desk, phone, reader):
        assert not page.errors, page.errors
        page.context.close()


TESTS = [two_editors_and_a_reader_follow_one_live_blog]
