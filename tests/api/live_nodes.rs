//! A live blog's readers across nodes (issue 30): two `khabar serve` processes on one
//! PostgreSQL database. A reader follows the blog on the first node, which is killed
//! (SIGKILL) while editors go on posting through the second; the reader reconnects to the
//! second with `Last-Event-ID`, as a browser's EventSource does behind a load balancer, and
//! gets what was posted meanwhile, in order, once.

use std::time::Duration;

use eventsource_stream::{Event, Eventsource};
use futures_util::{Stream, StreamExt};
use serde_json::{json, Value};

use crate::helpers::{postgres_available, Backend, TestDb};
use crate::process::Node;

type Events = std::pin::Pin<Box<dyn Stream<Item = Event> + Send>>;

async fn open(client: &reqwest::Client, url: String, last_id: Option<&str>) -> Events {
    let mut request = client
        .get(url)
        .header("Accept", "text/event-stream")
        .header("Cache-Control", "no-cache");
    if let Some(id) = last_id {
        request = request.header("Last-Event-ID", id);
    }
    let response = request.send().await.expect("stream opened");
    assert_eq!(response.status(), 200);
    let bytes = futures_util::stream::unfold(response, |mut response| async move {
        match response.chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), response)),
            _ => None,
        }
    });
    Box::pin(
        bytes
            .eventsource()
            .filter_map(|event| async move { event.ok().filter(|e| !e.data.is_empty()) }),
    )
}

/// The next event, or a failure after 10 s.
async fn next(events: &mut Events) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("an event within 10 s")
        .expect("the stream goes on")
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Value,
) -> Value {
    let response = client
        .request(method, url)
        .bearer_auth(token)
        .header("If-Match", "\"v1\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readers_stream_moves_to_another_node_when_its_node_dies_and_misses_nothing() {
    if !postgres_available() {
        return;
    }
    let db = TestDb::create(Backend::Postgres);
    let (mut first, mut second) = (Node::start(&db.url, &[]), Node::start(&db.url, &[]));
    tokio::task::block_in_place(|| {
        first.wait_ready();
        second.wait_ready();
    });
    let pool = khabar::db::connect(&db.url, 1).unwrap();
    let password = "a long enough password";
    let hash = khabar::domain::password::hash(password).unwrap();
    khabar::db::queries::users::create(
        &mut pool.get().unwrap(),
        "live-editor@example.com",
        &hash,
        "editor".parse().unwrap(),
        None,
    )
    .unwrap();
    let client = crate::helpers::http_client();
    let signed: Value = client
        .post(second.url("/v1/auth/token"))
        .json(&json!({"email": "live-editor@example.com", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed["access_token"].as_str().unwrap().to_owned();
    let post = reqwest::Method::POST;
    let created = call(&client, post.clone(), second.url("/v1/articles"), &token,
        json!({"language": "ar", "headline": "تغطية عبر عقدتين", "body": [{"type": "paragraph", "html": "نص"}]})).await;
    let blog = created["id"].as_str().unwrap().to_owned();
    call(
        &client,
        post.clone(),
        second.url(&format!("/v1/articles/{blog}/transitions")),
        &token,
        json!({"to": "published"}),
    )
    .await;
    call(
        &client,
        reqwest::Method::PUT,
        second.url(&format!("/v1/articles/{blog}/live")),
        &token,
        json!({"state": "live"}),
    )
    .await;
    let entry =
        |n: usize| json!({"title": format!("تحديث {n}"), "body": [{"type": "paragraph", "html": "نص"}]});
    let entries_url = second.url(&format!("/v1/articles/{blog}/live/entries"));

    // Following the blog on the first node; a post through the second reaches it (NOTIFY).
    let stream_path = format!("/v1/articles/{blog}/live/stream");
    let mut events = open(&client, first.url(&stream_path), None).await;
    let one = call(&client, post.clone(), entries_url.clone(), &token, entry(1)).await;
    let got = next(&mut events).await;
    assert_eq!(got.event, "entry_published");
    let data: Value = serde_json::from_str(&got.data).unwrap();
    assert_eq!(data["entry"]["id"], one["id"]);
    let last_id = got.id.clone();

    // The first node dies; two updates are posted while the reader is away.
    first.signal(rustix::process::Signal::KILL);
    let _ = tokio::task::block_in_place(|| first.child.wait());
    let two = call(&client, post.clone(), entries_url.clone(), &token, entry(2)).await;
    let three = call(&client, post.clone(), entries_url.clone(), &token, entry(3)).await;

    // The reader comes back through the second node with the last id it saw.
    let mut events = open(&client, second.url(&stream_path), Some(&last_id)).await;
    let mut received = Vec::new();
    for _ in 0..2 {
        let got = next(&mut events).await;
        assert_eq!(got.event, "entry_published", "{}", got.data);
        let data: Value = serde_json::from_str(&got.data).unwrap();
        received.push(data["entry"]["id"].clone());
    }
    assert_eq!(
        received,
        vec![two["id"].clone(), three["id"].clone()],
        "what was missed, in order, once"
    );
    let four = call(&client, post, entries_url, &token, entry(4)).await;
    let got = next(&mut events).await;
    let data: Value = serde_json::from_str(&got.data).unwrap();
    assert_eq!(
        data["entry"]["id"], four["id"],
        "then what comes next, nothing twice"
    );
}
