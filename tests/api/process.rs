//! The real binary, as an operator runs it: hostile slow clients, SIGTERM with requests in
//! flight, and several nodes started at once on one empty database.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use khabar::db::DatabaseUrl;

use crate::helpers::{free_port, postgres_available, Backend, TestDb, TEST_JWT_SECRET};

fn database_url(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

/// A `khabar serve` process, killed when dropped. Its output goes to files in its directory (a
/// pipe nobody reads would block a node that logs more than the pipe holds).
pub(crate) struct Node {
    pub(crate) child: Child,
    pub(crate) address: SocketAddr,
    dir: tempfile::TempDir,
}

impl Node {
    pub(crate) fn start(db: &DatabaseUrl, env: &[(&str, &str)]) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_khabar"));
        command
            .current_dir(dir.path())
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url(db))
            .env("KHABAR_BIND", address.to_string())
            .env("KHABAR_JWT_SECRET", TEST_JWT_SECRET)
            .env("KHABAR_DEMO", "always")
            .env("KHABAR_DEMO_LIVE_BLOG", "false")
            .env("KHABAR_WORKERS", "1")
            .env("KHABAR_DB_POOL_SIZE", "4")
            .env("KHABAR_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path().join("stdout")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap());
        Node {
            child: command.spawn().expect("khabar starts"),
            address,
            dir,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Waits for `/readyz` to answer 200; panics with the process output if it exits instead.
    pub(crate) fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                let (stdout, stderr) = self.output();
                panic!("khabar exited with {status} before it was ready:\n{stdout}\n{stderr}");
            }
            if raw_request(self.address, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
                .is_some_and(|answer| answer.starts_with("HTTP/1.1 200"))
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("khabar was not ready within 60 s");
    }

    pub(crate) fn output(&mut self) -> (String, String) {
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        (read("stdout"), read("stderr"))
    }

    pub(crate) fn signal(&self, signal: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `request` on a new connection and reads until the server closes it or 5 s pass.
fn raw_request(address: SocketAddr, request: &str) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buffer[..n]);
                // One answer is enough when the connection stays open.
                if let Some(end) = find(&answer, b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&answer[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok());
                    if length.is_some_and(|length| answer.len() >= end + 4 + length) {
                        break;
                    }
                }
            }
            Err(_) => break,
        }
    }
    Some(String::from_utf8_lossy(&answer).into_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Clients that send their headers and then trickle the body are cut off at the body deadline
/// (408, connection closed); past the per-address cap a client is refused at once (429); and a
/// client from another address is served normally all the while.
async fn slow_clients_are_cut_off_and_others_are_served(backend: Backend) {
    let db = TestDb::create(backend);
    let mut node = Node::start(
        &db.url,
        &[
            ("KHABAR_BODY_TIMEOUT_MS", "1500"),
            ("KHABAR_MAX_CONNECTIONS_PER_ADDRESS", "24"),
        ],
    );
    node.wait_ready();
    let address = node.address;
    let started = Instant::now();
    let slow: Vec<_> = (0..30)
        .map(|_| {
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(address).unwrap();
                stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
                stream
                    .write_all(
                        b"POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
                    )
                    .unwrap();
                let opened = Instant::now();
                let mut answer = Vec::new();
                let mut buffer = [0u8; 4096];
                // One byte every 100 ms: 10 s for the whole body, if the server waited.
                while opened.elapsed() < Duration::from_secs(10) {
                    match stream.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(n) => answer.extend_from_slice(&buffer[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(_) => break,
                    }
                    if stream.write_all(b" ").is_err() && !answer.is_empty() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                (opened.elapsed(), String::from_utf8_lossy(&answer).into_owned())
            })
        })
        .collect();
    // Meanwhile, a client from another address.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let other = crate::helpers::http_client_builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    for _ in 0..4 {
        let answer = other
            .get(format!("http://{address}/v1/articles?language=ar&limit=1"))
            .send()
            .await
            .expect("a normal client is served while slow clients wait");
        assert_eq!(answer.status(), 200);
    }
    let results: Vec<_> = slow.into_iter().map(|t| t.join().unwrap()).collect();
    let timed_out: Vec<_> = results
        .iter()
        .filter(|(_, a)| a.starts_with("HTTP/1.1 408"))
        .collect();
    let refused: Vec<_> = results
        .iter()
        .filter(|(_, a)| a.starts_with("HTTP/1.1 429"))
        .collect();
    assert_eq!(timed_out.len() + refused.len(), 30, "{results:?}");
    assert!(
        refused.len() >= 6,
        "past the cap of 24 per address: {}",
        refused.len()
    );
    for (took, answer) in &timed_out {
        assert!(
            *took < Duration::from_secs(4),
            "cut off near the 1.5 s deadline, not after {took:?}"
        );
        assert!(answer.to_lowercase().contains("connection: close"), "{answer}");
        assert!(answer.contains("application/problem+json"), "{answer}");
    }
    assert!(started.elapsed() < Duration::from_secs(15));
    // The slots are released: the same address is served again.
    let answer = raw_request(address, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// SIGTERM: `/readyz` turns 503 while the node still answers; requests already sent on
/// keep-alive connections and a body still arriving are answered; then the process exits 0
/// within the drain delay plus the grace period.
fn sigterm_answers_what_was_sent_then_exits(backend: Backend) {
    let db = TestDb::create(backend);
    let mut node = Node::start(
        &db.url,
        &[
            ("KHABAR_SHUTDOWN_DRAIN_MS", "1500"),
            ("KHABAR_SHUTDOWN_TIMEOUT", "5"),
        ],
    );
    node.wait_ready();
    let address = node.address;
    // Keep-alive connections that have each been answered once.
    let mut kept: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(address).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut buffer = [0u8; 4096];
            let n = stream.read(&mut buffer).unwrap();
            assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
            stream
        })
        .collect();
    // A body that is still arriving when the signal comes.
    let mut uploading = TcpStream::connect(address).unwrap();
    uploading.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = br#"{"email":"nobody@example.com","password":"wrong password"}"#;
    uploading
        .write_all(
            format!(
                "POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
    uploading.write_all(&body[..10]).unwrap();

    let signalled = Instant::now();
    node.signal(rustix::process::Signal::TERM);
    std::thread::sleep(Duration::from_millis(200));
    let readiness = raw_request(address, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert!(readiness.starts_with("HTTP/1.1 503"), "draining: {readiness}");
    assert!(readiness.contains("shutting down"), "{readiness}");
    // Requests sent on the kept connections after the signal are answered, and told to close.
    for stream in &mut kept {
        stream
            .write_all(b"GET /v1/articles?language=ar&limit=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
    }
    for stream in &mut kept {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.to_lowercase().contains("connection: close"), "{answer}");
    }
    uploading.write_all(&body[10..]).unwrap();
    let mut answer = Vec::new();
    let _ = uploading.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the sign-in in flight is judged: {answer}"
    );

    let status = loop {
        if let Some(status) = node.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(9),
            "exits within the drain delay and the grace period"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit {status}: {:?}", node.output());
    assert!(
        TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_err(),
        "no longer listening"
    );
}

/// Three nodes started together on one empty database, each told to load the demo: all three
/// serve, and the demo is there once.
fn nodes_started_together_load_the_demo_once(backend: Backend) {
    let db = TestDb::create(backend);
    let mut nodes: Vec<Node> = (0..3).map(|_| Node::start(&db.url, &[])).collect();
    for node in &mut nodes {
        node.wait_ready();
    }
    let pool = khabar::db::connect(&db.url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    use diesel::prelude::*;
    let articles: i64 = khabar::db::schema::articles::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(articles, 5, "the demo's five articles, once");
    let admins: i64 = khabar::db::schema::users::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(admins, 1, "one first admin");
}

/// Every log line of a request names it: a JSON log of a readiness check that fails (a disk
/// "full" by a threshold above its size) carries the request id a trusted proxy sent, on the
/// line logged on a blocking thread, the refusal's line, and the access log line.
fn a_requests_log_lines_carry_its_id(backend: Backend) {
    let db = TestDb::create(backend);
    let node = Node::start(
        &db.url,
        &[
            ("KHABAR_LOG", "info"),
            ("KHABAR_LOG_FORMAT", "json"),
            ("KHABAR_TRUSTED_PROXIES", "127.0.0.1"),
            ("KHABAR_MIN_FREE_DISK_MB", "1048576"),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !raw_request(node.address, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .is_some_and(|answer| answer.starts_with("HTTP/1.1 200"))
    {
        assert!(Instant::now() < deadline, "the node did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let answer = raw_request(
        node.address,
        "GET /readyz HTTP/1.1\r\nHost: x\r\nX-Request-Id: follow-me-4711\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("follow-me-4711"), "{answer}");
    // The access log line is written as the answer completes: give it a moment.
    std::thread::sleep(Duration::from_millis(300));
    let mut node = node;
    let (_, stderr) = node.output();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|line| line.contains("follow-me-4711"))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let messages: Vec<&str> = lines.iter().filter_map(|l| l["message"].as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("the disk is nearly full")),
        "the blocking thread's line: {stderr}"
    );
    assert!(messages.iter().any(|m| m.contains("request refused")), "{stderr}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("GET /readyz") && m.ends_with("follow-me-4711")),
        "the access log line: {stderr}"
    );
    for line in lines
        .iter()
        .filter(|l| !l["message"].as_str().unwrap_or_default().contains("GET /readyz"))
    {
        assert_eq!(
            line["span"]["request_id"], "follow-me-4711",
            "in the request's span: {line}"
        );
    }
}

#[test]
fn sqlite_a_requests_log_lines_carry_its_id() {
    a_requests_log_lines_carry_its_id(Backend::Sqlite);
}

#[test]
fn postgres_a_requests_log_lines_carry_its_id() {
    if postgres_available() {
        a_requests_log_lines_carry_its_id(Backend::Postgres);
    }
}

#[tokio::test]
async fn sqlite_slow_clients_are_cut_off_and_others_are_served() {
    slow_clients_are_cut_off_and_others_are_served(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_slow_clients_are_cut_off_and_others_are_served() {
    if postgres_available() {
        slow_clients_are_cut_off_and_others_are_served(Backend::Postgres).await;
    }
}

#[test]
fn sqlite_sigterm_answers_what_was_sent_then_exits() {
    sigterm_answers_what_was_sent_then_exits(Backend::Sqlite);
}

#[test]
fn postgres_sigterm_answers_what_was_sent_then_exits() {
    if postgres_available() {
        sigterm_answers_what_was_sent_then_exits(Backend::Postgres);
    }
}

/// SQLite serves one node per file, so this race is PostgreSQL's.
#[test]
fn postgres_nodes_started_together_load_the_demo_once() {
    if postgres_available() {
        nodes_started_together_load_the_demo_once(Backend::Postgres);
    }
}
