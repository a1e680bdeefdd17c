//! The rover world live, end to end with a real Prometheus (Debian's package): the
//! simulator serves `/metrics`, Prometheus scrapes it every second, and capcom's own
//! Prometheus client reads back the values the world produced at the world time the same
//! scrape carried. Skipped, saying so, where prometheus is not installed; CI requires it.

#![allow(
    clippy::float_cmp,
    reason = "the exporter rounds as the recording does: exact values are the point"
)]

mod common;

use std::process::{Child, Command, Stdio};

use capcom::config::Connection;
use capcom::sim::metrics::round;
use capcom::sim::world::World;
use capcom::source::prometheus::PrometheusClient;
use common::{Prometheus, free_port};

struct Simulator(Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn prometheus_scrapes_the_worlds_values_and_capcom_reads_them_back() {
    if common::prometheus_binary().is_none() {
        return;
    }
    let port = free_port();
    let _sim = Simulator(
        Command::new(env!("CARGO_BIN_EXE_capcom"))
            .args(["simulate", "--metrics-listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--sim-speed", "30"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the simulator"),
    );
    let Some(prom) = Prometheus::start(&[&format!("127.0.0.1:{port}")]) else {
        return;
    };
    prom.wait_for("rover_sim_time_seconds");
    prom.wait_for("rover_mobility_commands_total");
    let client = PrometheusClient::new(&Connection::to_url(&prom.url)).expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // One scrape carries the clock and the readings together.
    let fetched = runtime
        .block_on(client.query(
            r#"{__name__=~"rover_sim_time_seconds|rover_battery_soc_percent|rover_air_temperature_celsius"}"#,
            None,
        ))
        .expect("query");
    let value = |name: &str| {
        fetched
            .result
            .series
            .iter()
            .find(|s| s.labels.get("__name__").is_some_and(|n| n == name))
            .and_then(|s| s.points.last())
            .unwrap_or_else(|| panic!("no {name} in {:?}", fetched.result.series))
    };
    let t = value("rover_sim_time_seconds");
    let soc = value("rover_battery_soc_percent");
    let air = value("rover_air_temperature_celsius");
    assert!((t.t - soc.t).abs() < 1e-6, "the same scrape");
    let world = World::new(1).sample(t.v);
    assert_eq!(
        soc.v,
        round(world.battery_soc_pct, 2),
        "at world time {}",
        t.v
    );
    assert_eq!(air.v, round(world.air_temp_c, 2));
    let labels = |name: &str| {
        fetched
            .result
            .series
            .iter()
            .find(|s| s.labels.get("__name__").is_some_and(|n| n == name))
            .map(|s| s.labels.clone())
            .expect("series")
    };
    assert_eq!(labels("rover_battery_soc_percent")["job"], "test");
    // The SLI counters the SLOs read, and the latency histogram's bucket.
    let sli = runtime
        .block_on(client.query(
            r#"rover_mobility_commands_total or rover_downlink_latency_seconds_bucket{le="0.5"}"#,
            None,
        ))
        .expect("query");
    assert_eq!(sli.result.series.len(), 3, "{:?}", sli.result.series);
}
