//! Several nodes on one PostgreSQL database: a write through one is served fresh by the others.
//! (SQLite is the single-node backend, so these run on PostgreSQL only.)

use std::time::{Duration, Instant};

use diesel::prelude::*;
use khabar::api::article::UrlBuilder;
use khabar::db::schema::articles;

use crate::helpers::{postgres_available, segment, Backend, TestApp, SITE_URL};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_write_on_one_node_invalidates_the_others() {
    if !postgres_available() {
        return;
    }
    let node_a = TestApp::spawn(Backend::Postgres).await;
    let node_b = TestApp::spawn_node(node_a.database_url.clone()).await;
    let slug = khabar::seed::demo_article_slug();
    let path = format!("/v1/articles/{}", segment(&slug));
    let (_, _, before) = node_b.get_json(&path).await;
    let (_, _, list_before) = node_b.get_json("/v1/articles?language=ar&limit=1").await;
    assert_ne!(before["headline"], "عنوان جديد");

    // A write on node A: change, recompile and announce in one transaction, as the write API does.
    let urls = UrlBuilder::new(url::Url::parse(SITE_URL).unwrap());
    node_a
        .conn()
        .transaction(|conn| {
            let id: i64 = articles::table
                .filter(articles::slug.eq(&slug))
                .select(articles::id)
                .first(conn)?;
            diesel::update(articles::table.find(id))
                .set(articles::headline.eq("عنوان جديد"))
                .execute(conn)?;
            khabar::delivery::publish_changes(
                conn,
                &[id],
                &urls,
                khabar::db::utc_now(),
                &khabar::domain::changes::Origin::system("test"),
            )
        })
        .unwrap();

    // Node B cached both responses for 60 s; only the notification can refresh them sooner.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, _, after) = node_b.get_json(&path).await;
        if after["headline"] == "عنوان جديد" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node B still serves the old article: {}",
            after["headline"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, _, list_after) = node_b.get_json("/v1/articles?language=ar&limit=1").await;
    assert_ne!(list_after, list_before, "lists are invalidated too");
    assert_eq!(list_after["data"][0]["headline"], "عنوان جديد");
}

/// The notification names what changed: node B evicts the edited article and its lists, and
/// keeps serving another article from memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_other_nodes_evict_only_what_changed() {
    use reqwest::Method;
    if !postgres_available() {
        return;
    }
    let node_a = TestApp::spawn(Backend::Postgres).await;
    let node_b = TestApp::spawn_node(node_a.database_url.clone()).await;
    let editor = node_a.token("editor").await;
    let (edited, version) =
        crate::helpers::published_article(&node_a, &editor, "يحرر على العقدة الأولى").await;
    let (untouched, _) = crate::helpers::published_article(&node_a, &editor, "لا يمسه شيء").await;
    // Node B hears of the two publications (it polls every 100 ms): read until both stay cached.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for id in [&edited, &untouched] {
            node_b.get_json(&format!("/v1/articles/{id}")).await;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        if [&edited, &untouched]
            .iter()
            .all(|id| node_b.cache.get(&format!("article:{id}:")).is_some())
        {
            break;
        }
        assert!(Instant::now() < deadline, "node B caches the reads");
    }
    let (status, _, _) = crate::helpers::send(
        node_a
            .authed(Method::PATCH, &format!("/v1/articles/{edited}"), &editor)
            .header("If-Match", format!("\"v{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(serde_json::json!({"lead": "مقدمة من العقدة الأولى"}).to_string()),
    )
    .await;
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(5);
    while node_b.cache.get(&format!("article:{edited}:")).is_some() {
        assert!(Instant::now() < deadline, "node B hears of the edit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        node_b.cache.get(&format!("article:{untouched}:")).is_some(),
        "node B keeps the unrelated article warm"
    );
    let (_, _, shown) = node_b.get_json(&format!("/v1/articles/{edited}")).await;
    assert_eq!(shown["lead"], "مقدمة من العقدة الأولى");
}

/// Two nodes polling one job table: every scheduled article is published once, by one node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_nodes_run_each_scheduled_job_once() {
    use khabar::db::queries::jobs::{self, JobKind};
    use khabar::db::schema::article_revisions;
    use reqwest::Method;
    use serde_json::json;

    if !postgres_available() {
        return;
    }
    let node_a = TestApp::spawn(Backend::Postgres).await;
    let node_b = TestApp::spawn_node(node_a.database_url.clone()).await;
    let editor = node_a.token("editor").await;
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let mut ids = Vec::new();
    for n in 0..12 {
        let (status, _, article) = crate::helpers::send(node_a.authed(Method::POST, "/v1/articles", &editor).json(&json!({
            "language": "ar", "headline": format!("مجدول {n}"), "body": [{"type": "paragraph", "html": "نص"}]
        })))
        .await;
        assert_eq!(status, 201);
        let id = article["id"].as_str().unwrap().to_owned();
        let (status, _, body) = crate::helpers::send(
            node_b
                .authed(Method::POST, &format!("/v1/articles/{id}/transitions"), &editor)
                .header("If-Match", "\"v1\"")
                .json(&json!({"to": "scheduled", "scheduled_at": at})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        ids.push(id);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let done = jobs::done_by(&mut node_a.conn(), JobKind::PublishScheduled).unwrap();
        if done.len() == 12 && done.iter().all(|(_, by)| by.is_some()) {
            break;
        }
        assert!(Instant::now() < deadline, "jobs not done: {done:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let published: Vec<i64> = article_revisions::table
        .filter(article_revisions::action.eq("transition:published:scheduled"))
        .select(article_revisions::article_id)
        .load(&mut node_a.conn())
        .unwrap();
    assert_eq!(published.len(), 12, "one publication per article");
    let distinct: std::collections::HashSet<i64> = published.into_iter().collect();
    assert_eq!(distinct.len(), 12);
    for id in &ids {
        node_b.cache.invalidate_all();
        let (status, _, _) = node_b.get_json(&format!("/v1/articles/{id}")).await;
        assert_eq!(status, 200);
    }
}

/// Nodes behind one balancer each know their own address: a token one node signed is taken by
/// another that has a different `KHABAR_PUBLIC_URL` (the issuer is the installation's, not the
/// node's), and a token of another issuer is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tokens_work_on_every_node() {
    if !postgres_available() {
        return;
    }
    let node_a = TestApp::spawn(Backend::Postgres).await;
    let mut settings = crate::helpers::settings(node_a.database_url.clone());
    settings.public_url = url::Url::parse("http://node-b.internal:8080/").unwrap();
    let node_b = TestApp::spawn_with(settings.clone()).await;
    let token = node_a.token("editor").await;
    let (status, _, me) =
        crate::helpers::send(node_b.authed(reqwest::Method::GET, "/v1/auth/me", &token)).await;
    assert_eq!(status, 200, "{me}");

    settings.jwt_issuer = "another-newsroom".into();
    let node_c = TestApp::spawn_with(settings).await;
    let (status, headers, _) =
        crate::helpers::send(node_c.authed(reqwest::Method::GET, "/v1/auth/me", &token)).await;
    assert_eq!(status, 401, "a token of another issuer");
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
}
