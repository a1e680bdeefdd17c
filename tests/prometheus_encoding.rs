//! How a following chart asks Prometheus for its answers: the first window gzipped, like
//! any client, then each small tail plain (`Accept-Encoding: identity`), since gzip on a few
//! points cost more CPU than the bytes it saved; a query whose tails are large keeps gzip.
//! Against a scripted server on 127.0.0.1, which keeps each request's head: a real Prometheus
//! cannot show what it was asked.

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use capcom::source::SourceUpdate;
use capcom::source::prometheus::PrometheusClient;
use capcom::source::prometheus::poller::{self, Plan, Want};
use common::{Reply, Server};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// A `query_range` answer of `series` series with a point each at the request's `end`.
fn answer(head: &str, series: usize) -> Reply {
    let (_, params) = common::target(head);
    let end = params
        .iter()
        .find(|(k, _)| k == "end")
        .map_or("0", |(_, v)| v.as_str())
        .to_owned();
    let mut result = String::new();
    for i in 0..series {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(
            result,
            r#"{sep}{{"metric":{{"__name__":"m","instance":"host-{i:05}-with-a-long-name"}},"values":[[{end},"{i}.5"]]}}"#
        );
    }
    let body =
        format!(r#"{{"status":"success","data":{{"resultType":"matrix","result":[{result}]}}}}"#);
    Reply::With(200, "application/json", body.into_bytes())
}

/// The `Accept-Encoding` of each request a poller of one query made over its first `polls`
/// answers, from a server answering `series` series.
fn encodings_asked(series: usize, polls: usize) -> Vec<String> {
    let server = Server::start(move |head, _| answer(head, series));
    let client =
        PrometheusClient::new(&capcom::config::Connection::to_url(&server.url)).expect("client");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let want = Want::Range {
                window: 300.0,
                step: 1.0,
                paused_end: None,
            };
            let (_plan_tx, plan_rx) = watch::channel(Plan::new(vec![want]));
            let (tx, mut rx) = mpsc::channel(64);
            let cancel = CancellationToken::new();
            poller::spawn(
                &client,
                &["m".to_owned()],
                &plan_rx,
                Duration::from_secs(1),
                &tx,
                &cancel,
            );
            for _ in 0..polls {
                match rx.recv().await {
                    Some(SourceUpdate::MetricsFetched { result, .. }) => {
                        result.expect("an answer");
                    }
                    other => panic!("a metrics update, not {other:?}"),
                }
            }
            cancel.cancel();
        });
    let heads = server.requests.lock().expect("lock").clone();
    heads
        .iter()
        .take(polls)
        .map(|head| {
            head.lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("accept-encoding")
                        .then(|| value.trim().to_owned())
                })
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn the_first_window_is_gzipped_and_small_tails_come_plain() {
    let asked = encodings_asked(2, 3);
    assert!(asked[0].contains("gzip"), "the first window: {asked:?}");
    assert_eq!(asked[1..], ["identity", "identity"], "{asked:?}");
}

#[test]
fn a_query_whose_tails_are_large_keeps_gzip() {
    // 400 series of ~80 bytes each: 32 KB a tail, past the 16 KiB bar.
    let asked = encodings_asked(400, 3);
    assert!(
        asked.iter().all(|a| a.contains("gzip")),
        "every request of a large query: {asked:?}"
    );
}
