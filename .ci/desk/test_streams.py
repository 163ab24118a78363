"""The change stream (`GET /v1/changes/stream`) read by Chromium's own EventSource, as a page
rendered from the API would: each publish arrives once as a `message` whose `lastEventId` is
the entry's cursor, and a page opened again from the last id it saw gets what came next and
nothing it already had."""

import time

from harness import DESKTOP, account, api, base, figures, new_page, token

EDITOR = account("editor")
editor_token = token(*EDITOR)


def end_of_feed():
    after = None
    while True:
        path = "/v1/changes?limit=1000" + (f"&after={after}" if after else "")
        status, _, page = api("GET", path)
        assert status == 200, page
        after = page["next"]
        if not page["more"]:
            return after


def publish(headline):
    status, _, created = api("POST", "/v1/articles", editor_token,
                             {"language": "ar", "headline": headline, "body": [{"type": "paragraph", "html": "نص"}]})
    assert status == 201, created
    status, _, moved = api("POST", f"/v1/articles/{created['id']}/transitions", editor_token, {"to": "published"},
                           {"If-Match": '"v1"'})
    assert status == 200, moved
    return created["id"]


OPEN = """after => new Promise((resolve, reject) => {
  window.received = [];
  window.source = new EventSource('/v1/changes/stream?after=' + encodeURIComponent(after));
  window.source.onmessage = e => window.received.push({id: e.lastEventId, type: e.type, at: performance.now(),
                                                      entry: JSON.parse(e.data)});
  window.source.onopen = () => resolve(true);
  window.source.onerror = () => reject(new Error('the stream failed, readyState ' + window.source.readyState));
})"""


def wait_for(page, article_id):
    for _ in range(100):
        got = page.evaluate("id => window.received.filter(m => m.entry.article.id === id)", article_id)
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"no event for {article_id}: {page.evaluate('window.received')}")


def a_browser_follows_the_change_stream_and_resumes_from_its_last_id(browser):
    page = new_page(browser, DESKTOP)
    page.goto(f"{base}/desk/")
    page.evaluate(OPEN, end_of_feed())
    sent = time.monotonic()
    first = publish("عاجل: متابعة مباشرة من المتصفح")
    got = wait_for(page, first)
    figures["change stream: publish answered to EventSource message (ms)"] = round((time.monotonic() - sent) * 1000)
    assert [m["entry"]["kind"] for m in got] == ["published"], got
    message = got[0]
    assert message["type"] == "message" and message["id"] == message["entry"]["cursor"], message
    assert page.evaluate("window.received.length") == 1, page.evaluate("window.received")
    page.evaluate("window.source.close()")

    second = publish("خبر بعد إغلاق الصفحة")
    page.evaluate(OPEN, message["id"])
    got = wait_for(page, second)
    assert [m["entry"]["kind"] for m in got] == ["published"], got
    ids = [m["entry"]["article"]["id"] for m in page.evaluate("window.received")]
    assert first not in ids, f"an event seen before came again: {ids}"
    page.evaluate("window.source.close()")
    assert not page.errors, page.errors
    page.context.close()


TESTS = [a_browser_follows_the_change_stream_and_resumes_from_its_last_id]
