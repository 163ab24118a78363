//! Three `khabar serve` processes on one PostgreSQL database, as production runs them behind a
//! balancer: started at once on an empty database, each with its own address (and so its own
//! `KHABAR_PUBLIC_URL`), its own worker, one webhook receiver that answers at once and one that
//! takes 600 ms, and an edge cache to purge (a stand-in that records each `PURGE`). Then a
//! node is killed with SIGKILL in the middle of a stream of writes.
//!
//! `deploy/local/three-nodes.sh check` runs this test with its figures printed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use khabar::db::schema::{article_revisions, articles, jobs, users, webhook_deliveries};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{migration_count, postgres_available, Backend, TestDb};
use crate::process::Node;

/// (receiver, delivery id, event, article id) of a delivery attempt.
type Attempt = (String, i64, String, String);

/// What the receivers saw.
#[derive(Clone, Default)]
struct Seen {
    /// Every delivery attempt, in arrival order.
    deliveries: Arc<Mutex<Vec<Attempt>>>,
    /// The keys of every purge.
    purges: Arc<Mutex<Vec<String>>>,
}

async fn receive(request: HttpRequest, body: web::Bytes, seen: web::Data<Seen>) -> HttpResponse {
    let receiver = request
        .match_info()
        .get("receiver")
        .unwrap_or_default()
        .to_owned();
    let payload: Value = serde_json::from_slice(&body).unwrap_or_default();
    seen.deliveries.lock().unwrap().push((
        receiver.clone(),
        payload["delivery_id"].as_i64().unwrap_or_default(),
        payload["event"].as_str().unwrap_or_default().to_owned(),
        payload["article"]["id"].as_str().unwrap_or_default().to_owned(),
    ));
    if receiver == "slow" {
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    HttpResponse::NoContent().finish()
}

async fn purge(request: HttpRequest, seen: web::Data<Seen>) -> HttpResponse {
    let keys = request
        .headers()
        .get("xkey-purge")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    seen.purges.lock().unwrap().push(keys);
    HttpResponse::Ok().finish()
}

struct Cluster {
    nodes: Vec<Node>,
    client: reqwest::Client,
    db: TestDb,
}

impl Cluster {
    fn conn(&self) -> PgConnection {
        let khabar::db::DatabaseUrl::Postgres(url) = &self.db.url else {
            unreachable!("PostgreSQL only")
        };
        PgConnection::establish(url).unwrap()
    }

    async fn send(
        &self,
        node: usize,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.nodes[node].url(path))
            .bearer_auth(token)
            .header("If-Match", "\"v1\"");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, node: usize, path: &str) -> (u16, Value) {
        let response = self.client.get(self.nodes[node].url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A user with `role` made in the database, signed in through node 0 (whose tokens the
    /// other nodes, at other addresses, must take).
    async fn token(&self, role: &str) -> String {
        let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
        let hash = khabar::domain::password::hash("a long enough password").unwrap();
        let pool = khabar::db::connect(&self.db.url, 1).unwrap();
        khabar::db::queries::users::create(
            &mut pool.get().unwrap(),
            &email,
            &hash,
            role.parse().unwrap(),
            None,
        )
        .unwrap();
        let answer: Value = self
            .client
            .post(self.nodes[0].url("/v1/auth/token"))
            .json(&json!({"email": email, "password": "a long enough password"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["access_token"].as_str().unwrap().to_owned()
    }

    /// Waits until `done` holds, checking every 50 ms; panics with `what` after `within`.
    async fn wait(&self, within: Duration, what: &str, mut done: impl FnMut(&mut PgConnection) -> bool) {
        let started = Instant::now();
        let mut conn = self.conn();
        while !done(&mut conn) {
            assert!(started.elapsed() < within, "{what} within {within:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn pending_work(conn: &mut PgConnection) -> (i64, i64) {
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::state.eq("pending"))
        .count()
        .get_result(conn)
        .unwrap();
    let jobs = jobs::table
        .filter(jobs::done_at.is_null())
        .count()
        .get_result(conn)
        .unwrap();
    (deliveries, jobs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_three_nodes_share_one_database() {
    if !postgres_available() {
        return;
    }
    let seen = Seen::default();
    // `POST /hooks/{fast,slow}` and `PURGE /` on one port.
    let (receivers, receivers_handle) = crate::helpers::receiver(0, 2, seen.clone(), |routes| {
        routes.route("/hooks/{receiver}", web::post().to(receive)).route(
            "/",
            web::method(actix_web::http::Method::from_bytes(b"PURGE").unwrap()).to(purge),
        );
    });
    let db = TestDb::create(Backend::Postgres);
    let purge_url = format!("varnish+http://127.0.0.1:{receivers}");
    let env = [
        ("KHABAR_WORKER_INTERVAL_MS", "100"),
        ("KHABAR_WEBHOOK_TIMEOUT_MS", "1500"),
        ("KHABAR_WEBHOOK_RETRY_BASE_MS", "200"),
        ("KHABAR_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("KHABAR_PURGE_URL", purge_url.as_str()),
        ("KHABAR_RATE_LIMIT", "0"),
        ("KHABAR_PARTNER_RATE_LIMIT", "0"),
    ];

    // All three at once on an empty database: one migrates and loads the demo, the others wait.
    let started = Instant::now();
    let mut nodes: Vec<Node> = (0..3).map(|_| Node::start(&db.url, &env)).collect();
    for node in &mut nodes {
        node.wait_ready();
    }
    eprintln!(
        "three nodes: all ready {:?} after a simultaneous start",
        started.elapsed()
    );
    let cluster = Cluster {
        nodes,
        client: crate::helpers::http_client_builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        db,
    };
    {
        let mut conn = cluster.conn();
        let applied: i64 = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Migration>(&mut conn)
            .unwrap()
            .len() as i64;
        assert_eq!(applied, migration_count() as i64, "each migration once");
        let demo: i64 = articles::table.count().get_result(&mut conn).unwrap();
        assert_eq!(demo, 5, "the demo's five articles, once");
        let admins: i64 = users::table.count().get_result(&mut conn).unwrap();
        assert_eq!(admins, 1, "one first admin");
    }
    let editor = cluster.token("editor").await;
    let admin = cluster.token("admin").await;
    for receiver in ["fast", "slow"] {
        let (status, body) = cluster
            .send(
                1,
                Method::POST,
                "/v1/webhooks",
                &admin,
                Some(json!({
                    "url": format!("http://127.0.0.1:{receivers}/hooks/{receiver}"),
                    "events": ["article.published", "article.updated"]
                })),
            )
            .await;
        assert_eq!(status, 201, "a token from node 0 works on node 1: {body}");
    }

    fresh_everywhere(&cluster, &editor).await;
    scheduled_once(&cluster, &editor, &seen).await;
    killed_mid_write(cluster, &editor, &seen).await;
    receivers_handle.stop(false).await;
}

#[derive(QueryableByName)]
struct Migration {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[allow(dead_code)]
    version: String,
}

/// A write through any node is served by the other two within a second, although each had
/// the old answer in its cache.
async fn fresh_everywhere(cluster: &Cluster, editor: &str) {
    let (_, list) = cluster.get(0, "/v1/articles?language=ar&limit=1").await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/articles/{id}");
    let mut latencies = Vec::new();
    for round in 0..6 {
        let writer = round % 3;
        for node in 0..3 {
            assert_eq!(cluster.get(node, &path).await.0, 200);
        }
        let (_, editable) = cluster
            .send(writer, Method::GET, &format!("{path}/editorial"), editor, None)
            .await;
        let version = editable["version"].as_i64().unwrap();
        let headline = format!("تحديث {round} من العقدة {writer}");
        let response = cluster
            .client
            .patch(cluster.nodes[writer].url(&path))
            .bearer_auth(editor)
            .header("If-Match", format!("\"v{version}\""))
            .json(&json!({ "headline": headline }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let written = Instant::now();
        for node in (0..3).filter(|n| *n != writer) {
            loop {
                let (_, article) = cluster.get(node, &path).await;
                if article["headline"] == headline.as_str() {
                    break;
                }
                assert!(
                    written.elapsed() < Duration::from_secs(1),
                    "node {node} still serves {} a second after the write on node {writer}",
                    article["headline"]
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        latencies.push(written.elapsed());
    }
    latencies.sort();
    eprintln!(
        "three nodes: a write seen on both other nodes after {:?} (median), {:?} (max) of 6",
        latencies[3], latencies[5]
    );
}

/// 30 articles scheduled through the three nodes for one moment: each is published once, by
/// one node, each receiver hears of each publication once, and each purge is sent once.
async fn scheduled_once(cluster: &Cluster, editor: &str, seen: &Seen) {
    let mut ids = Vec::new();
    for n in 0..30 {
        let node = n % 3;
        let (status, article) = cluster
            .send(
                node,
                Method::POST,
                "/v1/articles",
                editor,
                Some(json!({"language": "ar", "headline": format!("مجدول {n}"), "body": [{"type": "paragraph", "html": "نص"}]})),
            )
            .await;
        assert_eq!(status, 201, "{article}");
        ids.push(article["id"].as_str().unwrap().to_owned());
    }
    // One moment for all 30, set once they exist, far enough ahead for the 30 transitions.
    let at = chrono::Utc::now() + chrono::Duration::seconds(5);
    for (n, id) in ids.iter().enumerate() {
        let (status, body) = cluster
            .send(
                (n + 1) % 3,
                Method::POST,
                &format!("/v1/articles/{id}/transitions"),
                editor,
                Some(json!({"to": "scheduled", "scheduled_at": at})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    cluster
        .wait(
            Duration::from_secs(30),
            "every publication, delivery and purge done",
            |conn| {
                pending_work(conn) == (0, 0)
                    && article_revisions::table
                        .filter(article_revisions::action.eq("transition:published:scheduled"))
                        .count()
                        .get_result::<i64>(conn)
                        .unwrap()
                        >= 30
            },
        )
        .await;
    let mut conn = cluster.conn();
    let published: Vec<i64> = article_revisions::table
        .filter(article_revisions::action.eq("transition:published:scheduled"))
        .select(article_revisions::article_id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(published.len(), 30, "one publication per article");
    assert_eq!(published.iter().collect::<BTreeSet<_>>().len(), 30);
    let done_by: Vec<Option<String>> = jobs::table
        .filter(jobs::kind.eq("publish_scheduled"))
        .select(jobs::done_by)
        .load(&mut conn)
        .unwrap();
    let mut by_node: BTreeMap<String, usize> = BTreeMap::new();
    for node in done_by.iter().flatten() {
        *by_node
            .entry(node.split('-').next().unwrap().to_owned())
            .or_default() += 1;
    }
    eprintln!("three nodes: 30 scheduled publications, by process: {by_node:?}");
    assert_eq!(by_node.values().sum::<usize>(), 30);
    for id in &ids {
        assert_eq!(cluster.get(2, &format!("/v1/articles/{id}")).await.0, 200);
    }

    let deliveries = seen.deliveries.lock().unwrap().clone();
    for receiver in ["fast", "slow"] {
        let mut per_delivery: HashMap<i64, usize> = HashMap::new();
        // Deliveries are queued from the change log by whichever node gets there first: each
        // publication makes one delivery per receiver, however many nodes read the log.
        let mut published_articles: HashMap<String, BTreeSet<i64>> = HashMap::new();
        for (to, delivery, event, article) in &deliveries {
            if to == receiver {
                *per_delivery.entry(*delivery).or_default() += 1;
                if event == "article.published" && ids.contains(article) {
                    published_articles
                        .entry(article.clone())
                        .or_default()
                        .insert(*delivery);
                }
            }
        }
        let queued_twice: Vec<_> = published_articles.iter().filter(|(_, d)| d.len() > 1).collect();
        assert!(
            queued_twice.is_empty(),
            "{receiver}: queued twice: {queued_twice:?}"
        );
        let repeated: Vec<_> = per_delivery.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            repeated.is_empty(),
            "{receiver}: deliveries sent twice: {repeated:?}"
        );
        assert_eq!(
            published_articles.len(),
            30,
            "{receiver}: one article.published each"
        );
    }
    // The edge is purged from the change log by one consumer for the three nodes: every
    // scheduled publication's key reached it, and its mark stands at the log's end.
    let purged: std::collections::HashSet<String> = seen
        .purges
        .lock()
        .unwrap()
        .iter()
        .flat_map(|keys| keys.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for id in &ids {
        assert!(purged.contains(&format!("article-{id}")), "{id} was never purged");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        use khabar::db::schema::{change_log, log_marks};
        let newest: Option<i64> = change_log::table
            .select(diesel::dsl::max(change_log::seq))
            .first(&mut conn)
            .unwrap();
        let mark: Option<i64> = log_marks::table
            .find("edge_purge")
            .select(log_marks::seq)
            .first(&mut conn)
            .optional()
            .unwrap();
        let newest = newest.unwrap_or(0);
        if mark == Some(newest) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "purged up to {mark:?} of {newest}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let purges = seen.purges.lock().unwrap().len();
    eprintln!(
        "three nodes: {} webhook deliveries and {purges} purges, each sent once",
        deliveries.len()
    );
}

/// A stream of writes (create, then publish) through node 0, which is killed with SIGKILL
/// while it holds deliveries to the slow receiver: every write it acknowledged is there, and
/// the deliveries it held are sent by the other two once its lease ends.
async fn killed_mid_write(mut cluster: Cluster, editor: &str, seen: &Seen) {
    let victim = cluster.nodes[0].child.id();
    let acknowledged: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let writer = {
        let client = cluster.client.clone();
        let base = cluster.nodes[0].url("");
        let editor = editor.to_owned();
        let acknowledged = acknowledged.clone();
        tokio::spawn(async move {
            for n in 0..400 {
                let Ok(created) = client
                    .post(format!("{base}/v1/articles"))
                    .bearer_auth(&editor)
                    .json(&json!({"language": "en", "headline": format!("Stream {n}"), "body": [{"type": "paragraph", "html": "Text"}]}))
                    .send()
                    .await
                else {
                    return;
                };
                assert_eq!(created.status(), 201);
                let Ok(article) = created.json::<Value>().await else {
                    return;
                };
                let id = article["id"].as_str().unwrap().to_owned();
                acknowledged.lock().unwrap().push((id.clone(), false));
                let Ok(published) = client
                    .post(format!("{base}/v1/articles/{id}/transitions"))
                    .bearer_auth(&editor)
                    .header("If-Match", "\"v1\"")
                    .json(&json!({"to": "published"}))
                    .send()
                    .await
                else {
                    return;
                };
                assert_eq!(published.status(), 200);
                if let Some(entry) = acknowledged.lock().unwrap().last_mut() {
                    entry.1 = true;
                }
            }
        })
    };
    // Kill it once it holds deliveries it has not finished sending.
    let prefix = format!("{victim}-%");
    let mut conn = cluster.conn();
    let started = Instant::now();
    let held: Vec<i64> = loop {
        let held: Vec<i64> = webhook_deliveries::table
            .filter(webhook_deliveries::locked_by.like(&prefix))
            .filter(webhook_deliveries::state.eq("pending"))
            .select(webhook_deliveries::id)
            .load(&mut conn)
            .unwrap();
        if !held.is_empty() && acknowledged.lock().unwrap().len() >= 10 {
            break held;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "node 0 never held a delivery"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    cluster.nodes[0].signal(rustix::process::Signal::KILL);
    let killed_at = Instant::now();
    writer.await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    eprintln!(
        "three nodes: node 0 killed after {} acknowledged writes, holding deliveries {held:?}",
        acknowledged.len()
    );

    // Every acknowledged write is there, as acknowledged.
    for (id, published) in &acknowledged {
        let (status, _) = cluster
            .send(
                1,
                Method::GET,
                &format!("/v1/articles/{id}/editorial"),
                editor,
                None,
            )
            .await;
        assert_eq!(status, 200, "acknowledged article {id} is kept");
        if *published {
            assert_eq!(
                cluster.get(2, &format!("/v1/articles/{id}")).await.0,
                200,
                "{id} is public"
            );
        }
    }
    // What node 0 held is sent by the others once its lease (4 × (1.5 s + 2 s)) has run out.
    cluster
        .wait(
            Duration::from_secs(40),
            "every delivery node 0 held is delivered",
            |conn| {
                webhook_deliveries::table
                    .filter(webhook_deliveries::id.eq_any(&held))
                    .filter(webhook_deliveries::state.eq("delivered"))
                    .count()
                    .get_result::<i64>(conn)
                    .unwrap()
                    == held.len() as i64
            },
        )
        .await;
    eprintln!(
        "three nodes: its {} leased deliveries were sent by the others {:?} after the kill",
        held.len(),
        killed_at.elapsed()
    );
    cluster
        .wait(Duration::from_secs(40), "no work left", |conn| {
            pending_work(conn) == (0, 0)
        })
        .await;
    // At least once: only a delivery node 0 was sending when it died may have arrived twice.
    let deliveries = seen.deliveries.lock().unwrap().clone();
    let mut per_delivery: HashMap<(String, i64), usize> = HashMap::new();
    for (to, delivery, _, _) in &deliveries {
        *per_delivery.entry((to.clone(), *delivery)).or_default() += 1;
    }
    let repeated: Vec<_> = per_delivery
        .iter()
        .filter(|((_, id), n)| **n > 1 && !held.contains(id))
        .collect();
    assert!(
        repeated.is_empty(),
        "sent twice though node 0 did not hold them: {repeated:?}"
    );
    cluster.nodes.remove(0);
}
