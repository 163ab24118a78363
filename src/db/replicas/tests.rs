use super::*;

#[test]
fn wal_positions_parse_as_postgres_prints_them() {
    assert_eq!(parse_position("0/16B3748"), Some(0x16B_3748));
    assert_eq!(parse_position("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
    assert!(parse_position("16/B374D848").unwrap() > parse_position("15/FFFFFFFF").unwrap());
    for bad in ["", "0", "x/1", "1/", "100000000/0"] {
        assert_eq!(parse_position(bad), None, "{bad}");
    }
}

fn routing_with(states: &[(ReplicaState, WalPosition)]) -> ReadRouting {
    let url = DatabaseUrl::Postgres("postgres://127.0.0.1:1/none".into());
    let pool = || {
        Pool::builder()
            .max_size(1)
            .min_idle(Some(0))
            .build_unchecked(ConnectionManager::new(url.clone()))
    };
    let replicas = states
        .iter()
        .enumerate()
        .map(|(index, (state, replayed))| Replica {
            name: format!("replica-{}", index + 1),
            location: String::new(),
            pool: pool(),
            state: AtomicU8::new(*state as u8),
            replayed: AtomicU64::new(*replayed),
            lag_ms: AtomicU64::new(0),
        })
        .collect();
    ReadRouting::with_replicas(pool(), replicas, Duration::from_secs(1))
}

#[test]
fn only_streaming_replicas_past_the_fence_are_picked_in_turn() {
    let routing = routing_with(&[
        (ReplicaState::Streaming, 100),
        (ReplicaState::Lagging, 500),
        (ReplicaState::Streaming, 300),
        (ReplicaState::Down, 900),
    ]);
    let picked = |routing: &ReadRouting| routing.pick().map(|r| r.name.clone());
    let mut seen: Vec<_> = (0..8).filter_map(|_| picked(&routing)).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, ["replica-1", "replica-3"], "both fresh replicas take turns");
    routing.fence(200);
    assert!((0..8).all(|_| picked(&routing).as_deref() == Some("replica-3")));
    routing.fence(301);
    assert_eq!(
        picked(&routing),
        None,
        "nobody has replayed the change: the primary"
    );
    routing.fence(5);
    assert_eq!(picked(&routing), None, "the fence never goes back");
}

#[test]
fn an_unknown_position_holds_reads_on_the_primary_for_the_lag_bound() {
    let routing = routing_with(&[(ReplicaState::Streaming, 100)]);
    assert!(routing.pick().is_some());
    routing.hold_on_primary();
    assert!(routing.pick().is_none());
}

#[test]
fn lag_is_how_long_ago_the_primary_passed_the_replica() {
    let routing = routing_with(&[]);
    let now = Instant::now();
    {
        let mut history = routing.history.lock().unwrap();
        history.push_back((now - Duration::from_millis(900), 100));
        history.push_back((now - Duration::from_millis(600), 200));
        history.push_back((now - Duration::from_millis(300), 300));
    }
    assert_eq!(routing.lag_behind(300, now), Duration::ZERO);
    assert_eq!(routing.lag_behind(250, now), Duration::from_millis(300));
    assert_eq!(routing.lag_behind(150, now), Duration::from_millis(600));
    assert_eq!(routing.lag_behind(0, now), Duration::from_millis(900));
}
