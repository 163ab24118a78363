"""Writing like in a word processor: Enter splits a paragraph into two blocks, Shift+Enter breaks
a line, Backspace at a paragraph's start joins it to the one before, and pastes from Word,
Google Docs and a web page (their clipboard HTML as those programs write it) become several
blocks keeping bold, italics and links, with styles dropped and Google Docs' wrapper not
turning everything bold."""

from playwright.sync_api import expect

from harness import account, base, create_article, editorial, new_page, sign_in, token, wait_saved

EDITOR = account("editor")
editor_token = token(*EDITOR)

# What Google Docs puts on the clipboard (text/html) for two paragraphs, one word bold, one italic,
# and a link: the whole of it inside <b style="font-weight:normal" id="docs-internal-guid-…">.
GOOGLE_DOCS = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-5a1b2c3d-7fff-4e2a-9c1d-0a1b2c3d4e5f">'
    '<p dir="rtl" style="line-height:1.38;margin-right: 0pt;text-align: right;margin-top:0pt;margin-bottom:0pt;" role="presentation">'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;'
    'font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">'
    'فقرة من مستندات غوغل فيها </span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;'
    'background-color:transparent;font-weight:700;font-style:normal;font-variant:normal;text-decoration:none;'
    'vertical-align:baseline;white-space:pre;white-space:pre-wrap;">كلمة عريضة</span></p><br>'
    '<p dir="rtl" style="line-height:1.38;margin-right: 0pt;text-align: right;margin-top:0pt;margin-bottom:0pt;" role="presentation">'
    '<span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;'
    'font-style:italic;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">'
    'وكلمة مائلة</span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;">'
    ' و</span><a href="https://www.euronews.com/arabic" style="text-decoration:none;"><span style="font-size:11pt;'
    'font-family:Arial,sans-serif;color:#1155cc;background-color:transparent;font-weight:400;font-style:normal;'
    'text-decoration:underline;-webkit-text-decoration-skip:none;text-decoration-skip-ink:none;">رابط</span></a></p>'
    '</b><br class="Apple-interchange-newline">'
)

# What Word for Windows puts on the clipboard: its own namespaces, a style sheet in a comment,
# MsoNormal paragraphs, <b>/<i> around spans, <o:p> and a list paragraph whose number is
# decoration (mso-list: Ignore) inside a conditional comment.
WORD = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40"><head>'
    '<meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Word.Document>'
    '<meta name=Generator content="Microsoft Word 15"><style><!-- /* Style Definitions */ p.MsoNormal, li.MsoNormal, '
    'div.MsoNormal {margin:0cm; font-size:12.0pt; font-family:"Calibri",sans-serif;} --></style></head>'
    '<body lang=AR-SA style=\'tab-interval:36.0pt;word-wrap:break-word\'><!--StartFragment-->'
    '<p class=MsoNormal dir=RTL style=\'text-align:right;direction:rtl;unicode-bidi:embed\'><span lang=AR-SA '
    'style=\'font-family:"Arial",sans-serif;mso-ascii-font-family:Calibri\'>فقرة من وورد </span><b><span lang=AR-SA '
    'style=\'font-family:"Arial",sans-serif\'>عريضة</span></b><span lang=AR-SA style=\'font-family:"Arial",sans-serif\'>، '
    'و</span><i><span lang=AR-SA style=\'font-family:"Arial",sans-serif\'>مائلة</span></i><span dir=LTR><o:p></o:p></span></p>'
    '<p class=MsoListParagraphCxSpFirst dir=RTL style=\'margin-top:0cm;mso-list:l0 level1 lfo1\'><![if !supportLists]>'
    '<span style=\'mso-list:Ignore\'>1.<span style=\'font:7.0pt "Times New Roman"\'>&nbsp;&nbsp;&nbsp; </span></span>'
    '<![endif]><span lang=AR-SA style=\'font-family:"Arial",sans-serif\'>بند في قائمة</span></p>'
    '<p class=MsoNormal dir=RTL><a href="https://www.euronews.com/">رابط يورونيوز</a><o:p></o:p></p>'
    '<!--EndFragment--></body></html>'
)

# A web page: a heading, a paragraph with <strong>, a list, and styles and a script to drop.
WEB = (
    '<h2 style="color:red">عنوان من صفحة</h2><p class="lead" style="font-size:20px">نص <strong>مهم</strong> '
    '<span onclick="alert(1)">جداً</span><script>window.pwned=1</script></p><ul><li>أول</li><li><em>ثانٍ</em></li></ul>'
)


def paste(page, html, text):
    """A real paste event into the focused paragraph, with the clipboard's two forms."""
    page.evaluate("""([html, text]) => {
        const data = new DataTransfer();
        data.setData('text/html', html);
        data.setData('text/plain', text);
        document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }""", [html, text])


def body_of(article_id):
    return editorial(article_id, editor_token)["body"]


def open_story(page, headline):
    created, _ = create_article(editor_token, headline=headline, body=[{"type": "paragraph", "html": "بداية"}])
    page.goto(f"{base}/desk/#/edit/{created['id']}")
    expect(page.locator("#body-blocks .rich").first).to_have_text("بداية")
    return created["id"]


def enter_splits_and_backspace_joins(browser):
    page = new_page(browser)
    sign_in(page, account("editor"))
    article_id = open_story(page, "قصة لتجربة Enter")
    area = page.locator("#body-blocks .rich").first
    area.click()
    page.keyboard.press("End")
    page.keyboard.type(" السطر الأول")
    page.keyboard.press("Enter")
    page.keyboard.type("السطر الثاني")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("في الفقرة نفسها")
    expect(page.locator("#body-blocks .rich")).to_have_count(2)
    expect(page.locator("#body-blocks .rich").nth(1)).to_be_focused()
    page.click("#save")
    wait_saved(page)
    body = body_of(article_id)
    assert [b["html"] for b in body] == ["بداية السطر الأول", "السطر الثاني<br>في الفقرة نفسها"], body
    # Enter in the middle of a paragraph splits it there.
    second = page.locator("#body-blocks .rich").nth(1)
    second.click()
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    expect(page.locator("#body-blocks .rich")).to_have_count(3)
    # Backspace at the start of a paragraph joins it to the one before.
    page.keyboard.press("Backspace")
    expect(page.locator("#body-blocks .rich")).to_have_count(2)
    page.keyboard.press("Backspace")
    expect(page.locator("#body-blocks .rich")).to_have_count(1)
    page.click("#save")
    wait_saved(page)
    assert [b["html"] for b in body_of(article_id)] == ["بداية السطر الأولالسطر الثاني<br>في الفقرة نفسها"]
    page.context.close()


def pastes_from_word_docs_and_the_web_become_blocks(browser):
    page = new_page(browser)
    sign_in(page, account("editor"))
    article_id = open_story(page, "قصة للصق")
    area = page.locator("#body-blocks .rich").first
    area.click()
    page.keyboard.press("End")
    paste(page, GOOGLE_DOCS, "فقرة من مستندات غوغل فيها كلمة عريضة\n\nوكلمة مائلة ورابط")
    expect(page.locator("#body-blocks .rich")).to_have_count(2)
    page.click("#save")
    wait_saved(page)
    body = body_of(article_id)
    assert body[0]["html"] == "بدايةفقرة من مستندات غوغل فيها <strong>كلمة عريضة</strong>", body[0]
    assert body[1]["html"] == ('<em>وكلمة مائلة</em> و<a href="https://www.euronews.com/arabic" rel="noopener">رابط</a>'), body[1]
    # Word: three paragraphs, the list number dropped, bold, italics and the link kept.
    page.locator("#body-blocks .rich").last.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    paste(page, WORD, "فقرة من وورد عريضة، ومائلة\n1. بند في قائمة\nرابط يورونيوز")
    page.click("#save")
    wait_saved(page)
    body = body_of(article_id)
    assert [b["html"] for b in body[2:]] == [
        "فقرة من وورد <strong>عريضة</strong>، و<em>مائلة</em>",
        "بند في قائمة",
        '<a href="https://www.euronews.com/" rel="noopener">رابط يورونيوز</a>',
    ], body[2:]
    # A web page: its heading and list become those blocks; styles and scripts go.
    page.locator("#body-blocks .rich").last.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    paste(page, WEB, "عنوان من صفحة\nنص مهم جداً\nأول\nثانٍ")
    page.click("#save")
    wait_saved(page)
    body = body_of(article_id)
    assert body[5:] == [
        {"type": "heading", "level": 2, "text": "عنوان من صفحة"},
        {"type": "paragraph", "html": "نص <strong>مهم</strong> جداً"},
        {"type": "list", "ordered": False, "items": ["أول", "<em>ثانٍ</em>"]},
    ], body[5:]
    assert page.evaluate("window.pwned") is None
    # Plain text (a text editor): a paragraph a line.
    page.locator("#body-blocks .rich").nth(1).click()
    page.keyboard.press("End")
    paste(page, "", "سطر أول\nسطر ثانٍ")
    expect(page.locator("#body-blocks li[data-type=paragraph]")).to_have_count(7)
    page.context.close()


TESTS = [enter_splits_and_backspace_joins, pastes_from_word_docs_and_the_web_become_blocks]
