//! Measures what polling costs: bytes fetched per minute by capcom's incremental tail polling
//! versus re-fetching the whole window every interval, against a real Prometheus.
//!
//! ```sh
//! cargo run --release --example fetch_cost -- http://127.0.0.1:9090 'up' 15m 15 5 60
//! #                                            URL                   QUERY WINDOW STEP INTERVAL SECONDS
//! ```

use std::sync::atomic::Ordering;
use std::time::Duration;

use capcom::config::Connection;
use capcom::source::prometheus::PrometheusClient;
use capcom::source::prometheus::poller::{self, Plan, Want};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, query, window, step, interval, seconds] = args.as_slice() else {
        eprintln!("usage: fetch_cost URL QUERY WINDOW STEP_S INTERVAL_S SECONDS");
        std::process::exit(2);
    };
    let window = humantime::parse_duration(window)
        .expect("window")
        .as_secs_f64();
    let step: f64 = step.parse().expect("step");
    let interval = Duration::from_secs_f64(interval.parse().expect("interval"));
    let seconds: f64 = seconds.parse().expect("seconds");
    let conn = Connection::to_url(url);
    let incremental = PrometheusClient::new(&conn).expect("client");
    let full = PrometheusClient::new(&conn).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let want = Want::Range {
            window,
            step,
            paused_end: None,
        };
        let (_plan, plan_rx) = watch::channel(Plan::new(vec![want]));
        let (tx, mut rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        poller::spawn(
            &incremental,
            std::slice::from_ref(query),
            &plan_rx,
            interval,
            &tx,
            &cancel,
        );
        tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let refetch = async {
            let mut tick = tokio::time::interval(interval);
            loop {
                tick.tick().await;
                let now = capcom::wall_now();
                let start = ((now - window) / step).floor() * step;
                let _ = full.query_range(query, start, now, step).await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs_f64(seconds), refetch).await;
        cancel.cancel();
    });
    let per_minute = 60.0 / seconds;
    for (name, c) in [("incremental", &incremental), ("whole window", &full)] {
        let bytes = c.stats.bytes.load(Ordering::Relaxed) as f64;
        println!(
            "{name:>12}: {:>9.0} bytes/min  {:>6.0} points/min  {:>4} requests in {seconds} s",
            bytes * per_minute,
            c.stats.points.load(Ordering::Relaxed) as f64 * per_minute,
            c.stats.requests.load(Ordering::Relaxed),
        );
    }
}
