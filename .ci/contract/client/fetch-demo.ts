// Consumes the API through a client generated from openapi/openapi.json: if the contract and
// the server disagree, this fails to type-check or fails at run time.
import createClient from "openapi-fetch";
import type { paths } from "./generated/khabar.js";

const baseUrl = process.argv[2];
if (!baseUrl) throw new Error("usage: node dist/fetch-demo.js BASE_URL");
const client = createClient<paths>({ baseUrl });

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const page = await client.GET("/v1/articles", {
  params: { query: { language: "ar", limit: 10 } },
});
check(page.response.status === 200 && page.data !== undefined, `list: ${page.response.status}`);
const summaries = page.data.data;
check(summaries.length >= 4, `expected the demo articles, got ${summaries.length}`);
const demo = summaries.find((entry) => entry.slug?.startsWith("محادثات-عسكرية"));
check(demo !== undefined, "the demo article is in the first page");

const article = await client.GET("/v1/articles/{key}", {
  params: { path: { key: demo.id } },
});
check(article.response.status === 200 && article.data !== undefined, `article: ${article.response.status}`);
const full = article.data;
check(full.byline === "بقلم: يورونيوز مع أ ف ب", `byline: ${full.byline}`);
check(full.dir === "rtl", `dir: ${full.dir}`);
check(full.featured_media?.credit === "أ ف ب", `credit: ${full.featured_media?.credit}`);
check(full.body.length > 0 && full.body_html.includes("<p>"), "the body");

const missing = await client.GET("/v1/articles/{key}", {
  params: { path: { key: "no-such-article" } },
});
check(missing.response.status === 404 && missing.error?.type === "urn:khabar:problem:not-found", "a typed problem document");

console.log(`generated client: ${summaries.length} summaries; "${full.headline}" with byline "${full.byline}"`);
