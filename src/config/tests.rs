use clap::Parser;

use super::*;

#[derive(Parser)]
struct Probe {
    #[command(flatten)]
    options: Options,
}

fn settings(args: &[&str]) -> Result<Settings, ConfigError> {
    let probe = Probe::try_parse_from(std::iter::once("khabar").chain(args.iter().copied())).unwrap();
    Settings::from_options(&probe.options)
}

#[test]
fn defaults_are_sqlite_on_loopback() {
    let s = settings(&["--database-url", "sqlite://khabar.db", "--bind", "127.0.0.1:8080"]).unwrap();
    assert_eq!(s.database_url, DatabaseUrl::Sqlite("khabar.db".into()));
    assert_eq!(s.public_url.as_str(), "http://127.0.0.1:8080/");
    assert!(s.loads_demo());
    assert!(s.require_jwt_secret().is_ok());
}

#[test]
fn edge_purge_targets_are_a_comma_list() {
    let s = settings(&[
        "--purge-url",
        "varnish+http://10.0.0.5:6081, varnish+http://10.0.0.6:6081,cloudflare:zone1",
        "--purge-token",
        "t0ken",
    ])
    .unwrap();
    assert_eq!(s.worker.purge_targets.len(), 3);
    assert_eq!(s.worker.purge_token.as_deref(), Some("t0ken"));
    assert!(settings(&[]).unwrap().worker.purge_targets.is_empty());
}

#[test]
fn each_bad_setting_is_named() {
    let cases: &[(&[&str], &str)] = &[
        (&["--database-url", "mysql://x"], "DATABASE_URL"),
        (&["--bind", "localhost"], "KHABAR_BIND"),
        (&["--jwt-secret", "short"], "KHABAR_JWT_SECRET"),
        (&["--public-url", "ftp://x"], "KHABAR_PUBLIC_URL"),
        (&["--pool-size", "0"], "KHABAR_DB_POOL_SIZE"),
        (&["--workers", "many"], "KHABAR_WORKERS"),
        (&["--cache-max-age=-1"], "KHABAR_CACHE_MAX_AGE"),
        (&["--cache-mb", "lots"], "KHABAR_CACHE_MB"),
        (&["--feed-items", "10"], "KHABAR_FEED_ITEMS"),
        (&["--websub-hub", "not a url"], "KHABAR_WEBSUB_HUB"),
        (&["--purge-url", "varnish+ftp://x"], "KHABAR_PURGE_URL"),
        (&["--purge-url", "akamai:123"], "KHABAR_PURGE_URL"),
        (&["--purge-url", "fastly:svc"], "KHABAR_PURGE_TOKEN"),
        (&["--jwt-algorithm", "eddsa"], "KHABAR_JWT_PRIVATE_KEY_FILE"),
        (&["--access-token-ttl", "5"], "KHABAR_ACCESS_TOKEN_TTL"),
        (&["--worker", "maybe"], "KHABAR_WORKER"),
        (&["--webhook-max-attempts", "0"], "KHABAR_WEBHOOK_MAX_ATTEMPTS"),
        (&["--rate-limit", "lots"], "KHABAR_RATE_LIMIT"),
        (
            &["--webhook-allow-private", "sometimes"],
            "KHABAR_WEBHOOK_ALLOW_PRIVATE",
        ),
        (&["--partner-rate-limit=-5"], "KHABAR_PARTNER_RATE_LIMIT"),
        (&["--max-connections", "3"], "KHABAR_MAX_CONNECTIONS"),
        (
            &["--max-connections-per-address", "x"],
            "KHABAR_MAX_CONNECTIONS_PER_ADDRESS",
        ),
        (&["--header-timeout-ms", "0"], "KHABAR_HEADER_TIMEOUT_MS"),
        (&["--body-timeout-ms", "soon"], "KHABAR_BODY_TIMEOUT_MS"),
        (&["--request-timeout-ms", "1"], "KHABAR_REQUEST_TIMEOUT_MS"),
        (&["--db-timeout-ms", "5"], "KHABAR_DB_TIMEOUT_MS"),
        (&["--shutdown-drain-ms=-1"], "KHABAR_SHUTDOWN_DRAIN_MS"),
        (&["--shutdown-timeout", "0"], "KHABAR_SHUTDOWN_TIMEOUT"),
        (&["--min-free-disk-mb", "lots"], "KHABAR_MIN_FREE_DISK_MB"),
        (&["--media-max-pixels", "0"], "KHABAR_MEDIA_MAX_PIXELS"),
        (&["--media-store", "s3://No_Such"], "KHABAR_MEDIA_STORE"),
        (&["--media-store", "gs://bucket"], "KHABAR_MEDIA_STORE"),
        (
            &["--trusted-proxies", "10.0.0.0/8, lb.internal"],
            "KHABAR_TRUSTED_PROXIES",
        ),
        (&["--database-read-url", "postgres://r/db"], "DATABASE_READ_URL"),
        (
            &[
                "--database-url",
                "postgres://p/db",
                "--database-read-url",
                "sqlite://r.db",
            ],
            "DATABASE_READ_URL",
        ),
        (
            &[
                "--database-url",
                "postgres://p/db",
                "--database-read-url",
                "r:5432",
            ],
            "DATABASE_READ_URL",
        ),
        (&["--replica-max-lag-ms", "10"], "KHABAR_REPLICA_MAX_LAG_MS"),
        (&["--jwt-issuer", " "], "KHABAR_JWT_ISSUER"),
        (
            &["--rate-limit-store", "memcached://x"],
            "KHABAR_RATE_LIMIT_STORE",
        ),
        (
            &["--rate-limit-store", "redis://[oops"],
            "KHABAR_RATE_LIMIT_STORE",
        ),
    ];
    for (args, setting) in cases {
        let err = settings(args).unwrap_err();
        assert_eq!(err.setting, *setting, "{args:?}");
        assert!(!err.to_string().contains('\n'));
    }
}

/// The README's table and the deployment example's environment name every setting there is.
#[test]
fn every_setting_is_documented_and_in_the_deployment_environment() {
    use clap::CommandFactory;
    let readme = include_str!("../../README.md");
    let environment = include_str!("../../deploy/systemd/khabar.env");
    let names: Vec<String> = Probe::command()
        .get_arguments()
        .filter_map(|arg| arg.get_env().map(|env| env.to_string_lossy().into_owned()))
        .collect();
    assert!(names.len() > 40, "{names:?}");
    for name in names {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "{name} is not in the README's table"
        );
        assert!(
            environment
                .lines()
                .any(|line| line.trim_start_matches('#').starts_with(&format!("{name}="))),
            "{name} is not in deploy/systemd/khabar.env"
        );
    }
}

#[test]
fn read_replicas_are_a_comma_list_of_postgres_urls() {
    let s = settings(&[
        "--database-url",
        "postgres://primary/khabar",
        "--database-read-url",
        "postgres://replica-a/khabar, postgres://replica-b/khabar",
    ])
    .unwrap();
    assert_eq!(s.read_replicas.urls.len(), 2);
    assert_eq!(s.read_replicas.max_lag, std::time::Duration::from_secs(5));
    assert!(settings(&[]).unwrap().read_replicas.urls.is_empty());
    assert_eq!(settings(&[]).unwrap().jwt_issuer, "khabar");
}

#[test]
fn postgres_needs_a_shared_secret() {
    let s = settings(&["--database-url", "postgres://localhost/khabar"]).unwrap();
    assert!(!s.loads_demo());
    assert_eq!(s.require_jwt_secret().unwrap_err().setting, "KHABAR_JWT_SECRET");
}
