//! The change log across a SIGKILL (issue 29): the real binary publishes under three writers
//! at once and is killed with SIGKILL mid-stream, then started again on the same database; a
//! reader that followed the feed by cursor through the first process resumes on the second.
//! Every publish that was answered is in the log once, no entry is read twice or skipped, and
//! replaying the log gives the public set the database holds.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{http_client, Backend, TestDb};
use crate::on_both_backends;
use crate::process::Node;

async fn token(node: &Node, db: &TestDb) -> String {
    let email = format!("editor-{}@example.com", uuid::Uuid::new_v4().simple());
    let hash = khabar::domain::password::hash("a long enough password").unwrap();
    let pool = khabar::db::connect(&db.url, 1).unwrap();
    khabar::db::queries::users::create(
        &mut pool.get().unwrap(),
        &email,
        &hash,
        "editor".parse().unwrap(),
        None,
    )
    .unwrap();
    let answer: Value = http_client()
        .post(node.url("/v1/auth/token"))
        .json(&json!({"email": email, "password": "a long enough password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// Creates and publishes one article; its id when both were answered.
async fn publish(client: &reqwest::Client, base: &str, token: &str, headline: &str) -> Option<String> {
    let created: Value = client
        .post(format!("{base}/v1/articles"))
        .bearer_auth(token)
        .json(&json!({"language": "ar", "headline": headline, "body": [{"type": "paragraph", "html": "نص"}]}))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let id = created["id"].as_str()?.to_owned();
    let moved = client
        .post(format!("{base}/v1/articles/{id}/transitions"))
        .bearer_auth(token)
        .header("If-Match", "\"v1\"")
        .json(&json!({"to": "published"}))
        .send()
        .await
        .ok()?;
    moved.status().is_success().then_some(id)
}

/// Reads the feed after `after` until its end; `None` if the node did not answer.
async fn read(
    client: &reqwest::Client,
    base: &str,
    after: &str,
) -> Option<(Vec<(String, String, String)>, String)> {
    let mut after = after.to_owned();
    let mut entries = Vec::new();
    loop {
        let page: Value = client
            .get(format!("{base}/v1/changes?limit=50&after={after}"))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        for e in page["data"].as_array()? {
            entries.push((
                e["cursor"].as_str()?.to_owned(),
                e["article"]["id"].as_str()?.to_owned(),
                e["kind"].as_str()?.to_owned(),
            ));
        }
        after = page["next"].as_str()?.to_owned();
        if page["more"] != true {
            return Some((entries, after));
        }
    }
}

async fn a_sigkill_loses_no_change_and_repeats_none(backend: Backend) {
    let db = TestDb::create(backend);
    let mut first = Node::start(&db.url, &[]);
    first.wait_ready();
    let client = http_client();
    let token = token(&first, &db).await;
    let start = khabar::domain::changes::cursor(0);
    let first_base = first.url("");

    // Three writers publish through the first process while a reader follows it; the process
    // is killed while they are at it.
    let writers = (0..3).map(|w| {
        let (client, base, token) = (client.clone(), first_base.clone(), token.clone());
        tokio::spawn(async move {
            let mut answered = Vec::new();
            for n in 0..200 {
                match publish(&client, &base, &token, &format!("قبل القتل {w}-{n}")).await {
                    Some(id) => answered.push(id),
                    None => break,
                }
            }
            answered
        })
    });
    let writers: Vec<_> = writers.collect();
    let mut followed = Vec::new();
    let mut cursor = start.clone();
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        if let Some((entries, next)) = read(&client, &first_base, &cursor).await {
            followed.extend(entries);
            cursor = next;
        }
    }
    first.signal(rustix::process::Signal::KILL);
    let _ = first.child.wait();
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    assert!(
        acknowledged.len() > 5,
        "the writers barely started: {}",
        acknowledged.len()
    );

    // The second process on the same database: the reader resumes with its cursor.
    let mut second = Node::start(&db.url, &[]);
    second.wait_ready();
    let base = second.url("");
    for n in 0..5 {
        publish(&client, &base, &token, &format!("بعد القتل {n}"))
            .await
            .expect("published after the restart");
    }
    let (rest, _) = read(&client, &base, &cursor)
        .await
        .expect("the second process answers");
    followed.extend(rest);
    let (all, _) = read(&client, &base, &start).await.unwrap();

    let cursors: BTreeSet<&String> = followed.iter().map(|(c, _, _)| c).collect();
    assert_eq!(
        cursors.len(),
        followed.len(),
        "an entry was read twice across the kill"
    );
    assert_eq!(
        followed, all,
        "the reader that followed across the kill missed or reordered an entry"
    );
    let published: BTreeSet<&String> = all
        .iter()
        .filter(|(_, _, k)| k == "published")
        .map(|(_, id, _)| id)
        .collect();
    for id in &acknowledged {
        assert!(
            published.contains(id),
            "{id} was answered as published but is not in the log"
        );
    }
    let mut last: BTreeMap<&String, &String> = BTreeMap::new();
    for (_, id, kind) in &all {
        last.insert(id, kind);
    }
    let replayed: BTreeSet<String> = last
        .into_iter()
        .filter(|(_, kind)| *kind == "published" || *kind == "updated")
        .map(|(id, _)| id.clone())
        .collect();
    let stored: BTreeSet<String> = {
        use diesel::prelude::*;
        use khabar::db::schema::article_deliveries;
        let pool = khabar::db::connect(&db.url, 1).unwrap();
        article_deliveries::table
            .filter(article_deliveries::visible_from.le(khabar::db::utc_now()))
            .select(article_deliveries::public_id)
            .load::<String>(&mut pool.get().unwrap())
            .unwrap()
            .into_iter()
            .collect()
    };
    assert_eq!(replayed, stored, "replaying the log disagrees with the database");
    eprintln!(
        "sigkill: {} publishes answered before the kill, {} entries read once each across it",
        acknowledged.len(),
        all.len()
    );
}

on_both_backends!(a_sigkill_loses_no_change_and_repeats_none);
