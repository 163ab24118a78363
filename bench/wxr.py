#!/usr/bin/env python3
"""Writes a WordPress export (WXR 1.2) of N posts, deterministically, for bench/transfer.sh:
Arabic and English posts with Gutenberg content (paragraphs, headings, an image, an embed, a
list), categories in a hierarchy, tags, authors, featured images (attachments registered by
URL) and a comment now and then.

    python3 bench/wxr.py 10000 > posts.xml
"""
import random
import sys
from xml.sax.saxutils import escape

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
random.seed(7)
WORDS_AR = "الحكومة وزير طرابلس الدفاع محادثات اتفاق الأمن المجلس الرئيس البرلمان الاقتصاد النفط الحدود المدينة السكان الانتخابات".split()
WORDS_EN = "government minister Tripoli defence talks agreement security council president parliament economy oil border city residents elections".split()
CATEGORIES = [("world", "", "العالم"), ("maghreb", "world", "المغرب العربي"), ("libya", "maghreb", "ليبيا"),
              ("economy", "", "اقتصاد"), ("sport", "", "رياضة")]
TAGS = [f"tag-{n}" for n in range(200)]


def sentence(words, low, high):
    return " ".join(random.choice(words) for _ in range(random.randint(low, high)))


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


out = sys.stdout
out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
          'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
          'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n')
out.write("<title>Bench News</title><link>https://bench.example.com</link><language>ar</language>"
          "<pubDate>Mon, 01 Mar 2021 10:00:00 +0000</pubDate><wp:wxr_version>1.2</wp:wxr_version>"
          "<wp:base_site_url>https://bench.example.com</wp:base_site_url>"
          "<wp:base_blog_url>https://bench.example.com</wp:base_blog_url>\n")
for login, name in [("salma", "سلمى الحداد"), ("john", "John Reed"), ("nour", "نور")]:
    out.write(f"<wp:author><wp:author_login>{cdata(login)}</wp:author_login>"
              f"<wp:author_display_name>{cdata(name)}</wp:author_display_name></wp:author>\n")
for term_id, (slug, parent, name) in enumerate(CATEGORIES, start=1):
    out.write(f"<wp:category><wp:term_id>{term_id}</wp:term_id><wp:category_nicename>{slug}</wp:category_nicename>"
              f"<wp:category_parent>{parent}</wp:category_parent><wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>\n")
for term_id, tag in enumerate(TAGS, start=100):
    out.write(f"<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{tag}</wp:tag_slug>"
              f"<wp:tag_name>{cdata(tag.replace('-', ' '))}</wp:tag_name></wp:tag>\n")
for post in range(1, COUNT + 1):
    arabic = post % 5 != 0
    words = WORDS_AR if arabic else WORDS_EN
    attachment = 1_000_000 + post
    day = 1 + post % 28
    month = 1 + (post // 28) % 12
    date = f"2019-{month:02d}-{day:02d} {post % 24:02d}:{post % 60:02d}:00"
    out.write(f"<item><title>{cdata('photo')}</title><wp:post_id>{attachment}</wp:post_id>"
              f"<wp:post_date_gmt>{date}</wp:post_date_gmt><wp:status>inherit</wp:status><wp:post_parent>{post}</wp:post_parent>"
              f"<wp:post_type>attachment</wp:post_type>"
              f"<excerpt:encoded>{cdata(sentence(words, 4, 8) + ' (AFP)')}</excerpt:encoded>"
              f"<wp:attachment_url>https://bench.example.com/wp-content/uploads/2019/{month:02d}/photo-{post}.jpg</wp:attachment_url>"
              "</item>\n")
    paragraphs = "\n\n".join(
        f"<!-- wp:paragraph -->\n<p>{escape(sentence(words, 12, 30))}.</p>\n<!-- /wp:paragraph -->"
        for _ in range(random.randint(3, 6)))
    content = (paragraphs +
               f'\n\n<!-- wp:heading -->\n<h2>{escape(sentence(words, 3, 6))}</h2>\n<!-- /wp:heading -->'
               f'\n\n<!-- wp:image {{"id":{attachment}}} -->\n<figure class="wp-block-image">'
               f'<img src="https://bench.example.com/wp-content/uploads/2019/{month:02d}/photo-{post}-1024x683.jpg" class="wp-image-{attachment}"/></figure>\n<!-- /wp:image -->'
               f'\n\n<!-- wp:list -->\n<ul><li>{escape(sentence(words, 3, 6))}</li><li>{escape(sentence(words, 3, 6))}</li></ul>\n<!-- /wp:list -->')
    if post % 7 == 0:
        content += ('\n\n<!-- wp:embed {"url":"https://www.youtube.com/watch?v=bench%d"} -->\n<figure class="wp-block-embed">'
                    '<div class="wp-block-embed__wrapper">https://www.youtube.com/watch?v=bench%d</div></figure>\n<!-- /wp:embed -->' % (post, post))
    category = CATEGORIES[post % len(CATEGORIES)][0]
    tags = "".join(f'<category domain="post_tag" nicename="{TAGS[(post * k) % len(TAGS)]}">{cdata("t")}</category>' for k in (1, 3))
    status = "publish" if post % 50 else "draft"
    comments = "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>nice</wp:comment_content></wp:comment>" if post % 10 == 0 else ""
    out.write(f"<item><title>{cdata(sentence(words, 6, 12))}</title>"
              f"<link>https://bench.example.com/2019/{month:02d}/{day:02d}/post-{post}/</link>"
              f"<dc:creator>{cdata(['salma', 'john', 'nour'][post % 3])}</dc:creator>"
              f"<content:encoded>{cdata(content)}</content:encoded>"
              f"<excerpt:encoded>{cdata(sentence(words, 10, 20))}</excerpt:encoded>"
              f"<wp:post_id>{post}</wp:post_id><wp:post_date_gmt>{date}</wp:post_date_gmt>"
              f"<wp:post_modified_gmt>{date}</wp:post_modified_gmt><wp:post_name>post-{post}</wp:post_name>"
              f"<wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>"
              f'<category domain="category" nicename="{category}">{cdata(category)}</category>{tags}'
              f"<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>{attachment}</wp:meta_value></wp:postmeta>"
              f"{comments}</item>\n")
out.write("</channel>\n</rss>\n")
