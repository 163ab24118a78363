//! Fan-out of the change stream (`bench/streams.sh`): opens N `GET /v1/changes/stream`
//! connections with an EventSource's headers, measures the server's resident memory before and
//! after, then publishes articles one at a time and measures, for each, how long after the
//! publish request was sent each stream received its event (p50, p99, max, and any stream that
//! missed it).
//!
//! With `live` as the last argument, the streams follow one live blog instead
//! (`GET /v1/articles/{id}/live/stream`, made live for the run) and each round posts an entry.
//!
//! usage: stream_fanout BASE_URL STREAMS TOKEN SERVER_PID [ROUNDS] [live]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn end_of_feed(http: &reqwest::Client, base: &str) -> String {
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/changes?limit=1000");
        if let Some(cursor) = &after {
            url.push_str(&format!("&after={cursor}"));
        }
        let page: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
        after = page["next"].as_str().map(str::to_owned);
        if page["more"] != true {
            return after.unwrap();
        }
    }
}

/// One stream: reports when it is open, then the moment of every event it receives.
async fn stream(
    addr: String,
    host: String,
    path: String,
    ready: mpsc::Sender<()>,
    events: mpsc::UnboundedSender<Instant>,
) {
    let mut socket = TcpStream::connect(&addr).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\
         Cache-Control: no-cache\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await.expect("request");
    let mut buffer = vec![0u8; 16 * 1024];
    let mut seen: Vec<u8> = Vec::new();
    let mut open = false;
    loop {
        let n = match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let at = Instant::now();
        seen.extend_from_slice(&buffer[..n]);
        if !open && seen.windows(6).any(|w| w == b"retry:") {
            assert!(
                seen.starts_with(b"HTTP/1.1 200"),
                "{}",
                String::from_utf8_lossy(&seen)
            );
            open = true;
            let _ = ready.send(()).await;
        }
        let events_here = seen.windows(5).filter(|w| *w == b"\nid: ").count();
        for _ in 0..events_here {
            let _ = events.send(at);
        }
        // Keep only a tail too short to hold a whole marker, which may start one.
        let keep = seen.len().saturating_sub(4);
        seen.drain(..keep);
    }
}

/// Makes a published article a live blog for the run; its id.
async fn live_blog(http: &reqwest::Client, base: &str, token: &str) -> String {
    publish(http, base, token, usize::MAX).await;
    let newest: serde_json::Value = http
        .get(format!("{base}/v1/articles?limit=1&sort=updated"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = newest["data"][0]["id"].as_str().expect("an article").to_owned();
    let made = http
        .put(format!("{base}/v1/articles/{id}/live"))
        .bearer_auth(token)
        .json(&serde_json::json!({"state": "live"}))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "{}", made.status());
    id
}

/// Posts an entry to the live blog; when the request was sent.
async fn post_entry(http: &reqwest::Client, base: &str, token: &str, blog: &str, round: usize) -> Instant {
    let sent = Instant::now();
    let answered = http
        .post(format!("{base}/v1/articles/{blog}/live/entries"))
        .bearer_auth(token)
        .json(&serde_json::json!({"body": [{"type": "paragraph", "html": format!("تحديث رقم {round}")}]}))
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_success(), "{}", answered.status());
    sent
}

async fn publish(http: &reqwest::Client, base: &str, token: &str, round: usize) -> Instant {
    let created: serde_json::Value = http
        .post(format!("{base}/v1/articles"))
        .bearer_auth(token)
        .json(
            &serde_json::json!({"language": "ar", "headline": format!("خبر البث رقم {round}"),
            "body": [{"type": "paragraph", "html": "نص"}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().expect("created").to_owned();
    let sent = Instant::now();
    let answered = http
        .post(format!("{base}/v1/articles/{id}/transitions"))
        .bearer_auth(token)
        .header("If-Match", "\"v1\"")
        .json(&serde_json::json!({"to": "published"}))
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_success(), "{}", answered.status());
    sent
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args[1].trim_end_matches('/').to_owned();
    let streams: usize = args[2].parse().unwrap();
    let token = args[3].clone();
    let pid: u32 = args[4].parse().unwrap();
    let rounds: usize = args.get(5).map_or(3, |r| r.parse().unwrap());
    let http = khabar::outbound::client_builder(Duration::from_secs(30))
        .build()
        .expect("a client");
    let host = base.trim_start_matches("http://").to_owned();
    let live = match args.get(6).map(String::as_str) {
        Some("live") => Some(live_blog(&http, &base, &token).await),
        _ => None,
    };
    let path = match &live {
        Some(blog) => format!("/v1/articles/{blog}/live/stream"),
        None => format!("/v1/changes/stream?after={}", end_of_feed(&http, &base).await),
    };

    let before = rss_kib(pid);
    let (ready_tx, mut ready_rx) = mpsc::channel(streams);
    let mut receivers = Vec::with_capacity(streams);
    let opening = Instant::now();
    for _ in 0..streams {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        receivers.push(events_rx);
        tokio::spawn(stream(
            host.clone(),
            host.clone(),
            path.clone(),
            ready_tx.clone(),
            events_tx,
        ));
    }
    for opened in 0..streams {
        tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
            .await
            .unwrap_or_else(|_| panic!("only {opened} of {streams} streams opened"));
    }
    let opened_in = opening.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with_streams = rss_kib(pid);
    println!(
        "streams: {streams} open in {:.1} s; server RSS {} MiB before, {} MiB with them open: {:.1} KiB per idle stream",
        opened_in.as_secs_f64(),
        before / 1024,
        with_streams / 1024,
        (with_streams.saturating_sub(before)) as f64 / streams as f64
    );
    for round in 0..rounds {
        let sent = match &live {
            Some(blog) => post_entry(&http, &base, &token, blog, round).await,
            None => publish(&http, &base, &token, round).await,
        };
        let mut delays = Vec::with_capacity(streams);
        let mut missed = 0;
        for receiver in &mut receivers {
            match tokio::time::timeout(Duration::from_secs(30), receiver.recv()).await {
                Ok(Some(at)) => delays.push(at.saturating_duration_since(sent)),
                _ => missed += 1,
            }
        }
        delays.sort();
        let pick = |q: f64| {
            delays
                .get(((delays.len() as f64 - 1.0) * q) as usize)
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{} {round}: received by {} of {streams} streams (missed {missed}); after the request was sent: p50 {} ms, p99 {} ms, max {} ms",
            if live.is_some() { "entry" } else { "publish" },
            delays.len(),
            pick(0.5).as_millis(),
            pick(0.99).as_millis(),
            delays.last().copied().unwrap_or_default().as_millis()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("server RSS at the end: {} MiB", rss_kib(pid) / 1024);
}
