//! The live events tail against a local server on 127.0.0.1 that answers `_search` the way
//! OpenSearch does — honouring `sort`, `search_after`, `size` and the time range — with many
//! events sharing a timestamp, pages ending among them, and events arriving between polls:
//! none may be lost, none repeated.

mod common;

use std::sync::{Arc, Mutex};

use std::time::Duration;

use capcom::config::{Connection, OpenSearchConfig};
use capcom::source::SourceUpdate;
use capcom::source::opensearch::FieldMap;
use capcom::source::opensearch::{OpenSearchClient, tail};
use common::{Reply, Server};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use common::{Store, opensearch_answer as answer};

fn config(url: &str, page_size: usize, max_events: usize) -> OpenSearchConfig {
    OpenSearchConfig {
        connection: Connection::to_url(url),
        index: "ev-*".into(),
        query: String::new(),
        interval: 0.2,
        max_events,
        page_size,
        tiebreaker: "_id".into(),
        fields: FieldMap::default(),
    }
}

/// Starts the tail on `cfg`, its window reaching back to the epoch: its updates, the senders
/// of its query and of the conductor's end, and what stops it. Call inside a runtime.
fn start_tail(
    cfg: OpenSearchConfig,
) -> (
    mpsc::Receiver<SourceUpdate>,
    watch::Sender<String>,
    watch::Sender<Option<f64>>,
    CancellationToken,
) {
    let client = OpenSearchClient::new(&cfg.connection).expect("client");
    let (tx, rx) = mpsc::channel(16);
    let (query, query_rx) = watch::channel(String::new());
    let (until, until_rx) = watch::channel(None);
    let cancel = CancellationToken::new();
    let task = tail::run(client, cfg, 1e12, query_rx, until_rx, tx, cancel.clone());
    tokio::spawn(task);
    (rx, query, until, cancel)
}

/// Runs the tail, calling `between` after each answer, until `want` events have arrived.
fn tail_until(cfg: OpenSearchConfig, want: usize, mut between: impl FnMut(usize)) -> Vec<String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async move {
            let (mut rx, _query, _until, cancel) = start_tail(cfg);
            let mut seen = Vec::new();
            let mut answers = 0;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
            while seen.len() < want {
                let Ok(Some(SourceUpdate::EventsFetched { result, .. })) =
                    tokio::time::timeout_at(deadline, rx.recv()).await
                else {
                    break;
                };
                seen.extend(result.expect("ok").events.into_iter().map(|e| e.id));
                answers += 1;
                between(answers);
            }
            cancel.cancel();
            seen
        })
}

#[test]
fn equal_timestamps_across_pages_and_polls_are_neither_lost_nor_repeated() {
    let store: Store = Arc::default();
    {
        let mut s = store.lock().expect("lock");
        for i in 0..20 {
            // Ten events at 1000 ms, the rest spread out: pages of 3 end among the equal ones.
            let t = if i < 10 { 1_000 } else { 1_000 + i64::from(i) };
            s.push((t, format!("e{i:03}")));
        }
    }
    let shared = Arc::clone(&store);
    let server = Server::start(move |req, _| answer(&shared, req));
    let feeder = Arc::clone(&store);
    // The first fetch takes the newest 5; then everything after them arrives, in pages of 3,
    // including new events sharing the newest timestamp, added between polls.
    let seen = tail_until(config(&server.url, 3, 5), 5 + 12, move |answers| {
        if answers == 2 {
            let mut s = feeder.lock().expect("lock");
            for i in 20..32 {
                s.push((1_019 + i64::from(i / 4), format!("e{i:03}")));
            }
        }
    });
    let want: Vec<String> = (15..32).map(|i| format!("e{i:03}")).collect();
    assert_eq!(
        seen, want,
        "the newest 5, then every later event once, in order"
    );
}

#[test]
fn a_flood_is_taken_in_pages_and_the_first_fetch_is_bounded() {
    let store: Store = Arc::new(Mutex::new(
        (0..100).map(|i| (5_000, format!("f{i:03}"))).collect(),
    ));
    let shared = Arc::clone(&store);
    let server = Server::start(move |req, _| answer(&shared, req));
    let feeder = Arc::clone(&store);
    let seen = tail_until(config(&server.url, 7, 10), 10 + 50, move |answers| {
        if answers == 1 {
            feeder
                .lock()
                .expect("lock")
                .extend((100..150).map(|i| (5_000, format!("f{i:03}"))));
        }
    });
    let want: Vec<String> = (90..150).map(|i| format!("f{i:03}")).collect();
    assert_eq!(seen, want);
    let requests = server.requests.lock().expect("lock").len();
    assert!(requests > 50 / 7, "pages of 7: {requests} requests");
}

#[test]
fn the_error_envelope_becomes_one_line_and_the_tail_keeps_trying() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/opensearch/error_search_phase_execution_500.json"
    ))
    .expect("sample");
    let server = Server::start(move |_, _| Reply::With(500, "application/json", body.clone()));
    let errors = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let (mut rx, _query, _until, cancel) = start_tail(config(&server.url, 3, 5));
            let mut errors = Vec::new();
            while errors.len() < 2 {
                let Some(SourceUpdate::EventsFetched { result: Err(e), .. }) = rx.recv().await
                else {
                    continue;
                };
                errors.push(e.to_string());
            }
            cancel.cancel();
            errors
        });
    assert!(errors[0].starts_with("opensearch: search_phase_execution_exception: all shards failed (task_cancelled_exception"), "{errors:?}");
}

#[test]
fn an_events_only_dashboard_tails_a_live_opensearch() {
    let now_ms = (capcom::wall_now() * 1000.0) as i64;
    let store: Store = Arc::new(Mutex::new(vec![
        (now_ms - 60_000, "boot".to_owned()),
        (now_ms - 30_000, "wheel\u{1b}[2J slip".to_owned()),
    ]));
    let shared = Arc::clone(&store);
    let server = Server::start(move |req, _| answer(&shared, req));
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("events.toml");
    let text = format!(
        "[opensearch]\nurl = \"{}\"\nindex = \"ev-*\"\n[[layout.column]]\npanes = [{{ id = \"ev\" }}]\n[[pane]]\nid = \"ev\"\ntitle = \"Events\"\nkind = \"events\"\n",
        server.url
    );
    std::fs::write(&config, text).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(["snapshot", "--size", "80x12", "--theme", "mono", "--config"])
        .arg(&config)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .expect("run capcom");
    let frame = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        frame.contains("LIVE") && frame.contains("opensearch ok"),
        "{frame}"
    );
    assert!(
        frame.contains("boot") && frame.contains("wheel␛[2J slip"),
        "{frame}"
    );
    assert!(!frame.contains('\u{1b}'), "{frame:?}");
}

/// The next events answer: its ids, and whether it replaces what the pane holds.
async fn next_batch(rx: &mut mpsc::Receiver<SourceUpdate>) -> (String, bool) {
    match rx.recv().await {
        Some(SourceUpdate::EventsFetched {
            result, replace, ..
        }) => {
            let ids: Vec<String> = result
                .expect("ok")
                .events
                .into_iter()
                .map(|e| e.id)
                .collect();
            (ids.join(" "), replace)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn paused_before_what_is_held_the_tail_fetches_up_to_the_end_and_following_starts_over() {
    let store: Store = Arc::new(Mutex::new(
        (0..20).map(|i| (1_000 + i, format!("e{i:03}"))).collect(),
    ));
    let shared = Arc::clone(&store);
    let server = Server::start(move |req, _| answer(&shared, req));
    let answers = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let (mut rx, _query, until, cancel) = start_tail(config(&server.url, 3, 5));
            let first = next_batch(&mut rx).await;
            // The conductor's end, 1.010 s: the newest events up to it, replacing the tail's.
            until.send_replace(Some(1.010));
            let paused = next_batch(&mut rx).await;
            // Nothing more while paused, however long the interval.
            let idle = tokio::time::timeout(Duration::from_millis(700), rx.recv()).await;
            until.send_replace(None);
            let live = next_batch(&mut rx).await;
            cancel.cancel();
            (first, paused, idle.is_err(), live)
        });
    let newest = ("e015 e016 e017 e018 e019".to_owned(), true);
    assert_eq!(answers.0, newest);
    assert_eq!(answers.1, ("e006 e007 e008 e009 e010".to_owned(), true));
    assert!(answers.2, "no poll while the end is held");
    assert_eq!(answers.3, newest, "following again starts the tail over");
}
