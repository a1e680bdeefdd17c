//! The rover world live: `capcom simulate --metrics-listen ADDR` runs the same world that
//! writes the bundled recording in real time (or `--speed` times faster) and serves its
//! metrics on `/metrics` in the OpenMetrics text format (`prometheus-client`), for a
//! Prometheus to scrape: every gauge of the recording under the same names and labels, the
//! SLI counters the SLOs read (`rover_mobility_commands_total{result}` and the
//! `rover_downlink_latency_seconds` histogram), and `rover_sim_time_seconds`, the world's
//! clock. While the world's comms are down the endpoint answers 503, so Prometheus records
//! the same gap the recording has.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::metrics::{catalogue, round};
use super::slo::Sli;
use super::world::{Incident, World};

type Labels = Vec<(String, String)>;
type Gauges = Family<Labels, Gauge<f64, AtomicU64>>;

/// The buckets of the downlink latency histogram, seconds.
pub const LATENCY_BUCKETS: [f64; 6] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
/// A good frame's latency and a slow one's, seconds.
const FAST: f64 = 0.18;
const SLOW: f64 = 0.8;

/// How long stopping may wait for the last spans to go out: well inside `docker stop`'s 10 s
/// grace, so the simulator ends within 2 s of SIGTERM whatever its outputs are doing.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// What `capcom simulate` serves, and how fast the world runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The world's seed.
    pub seed: u64,
    /// Where to serve `/metrics`, if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// The OpenSearch to index the events into, if any.
    pub opensearch: Option<String>,
    /// The OTLP/HTTP endpoint to send the traces to, if any (e.g. `http://jaeger:4318`).
    pub otlp_endpoint: Option<String>,
    /// World seconds per wall second.
    pub speed: f64,
    /// The world time to start at, seconds since the sol's start.
    pub from: f64,
}

/// Every metric the simulator exports, and the world that feeds them.
struct Exporter {
    registry: Registry,
    gauges: Vec<(Vec<super::metrics::MetricSeries>, Gauges)>,
    clock: Gauge<f64, AtomicU64>,
    commands: Family<Labels, Counter<f64, AtomicU64>>,
    latency: Histogram,
    world: World,
    incidents: Vec<Incident>,
    /// World time of the last update, and frames not yet observed (fractional).
    last: f64,
    frames: f64,
    slow_frames: f64,
    comms_up: bool,
}

impl Exporter {
    fn new(seed: u64, from: f64) -> Self {
        let mut registry = Registry::default();
        let mut gauges = Vec::new();
        for (name, series) in catalogue() {
            let family = Gauges::default();
            registry.register(name, format!("rover telemetry: {name}"), family.clone());
            gauges.push((series, family));
        }
        let clock = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "rover_sim_time_seconds",
            "the world's clock: seconds since the sol's start",
            clock.clone(),
        );
        let commands = Family::<Labels, Counter<f64, AtomicU64>>::default();
        registry.register(
            "rover_mobility_commands",
            "mobility commands executed, by result",
            commands.clone(),
        );
        let latency = Histogram::new(LATENCY_BUCKETS);
        registry.register(
            "rover_downlink_latency_seconds",
            "downlink frame latency",
            latency.clone(),
        );
        let world = World::new(seed);
        let incidents = world.incidents().to_vec();
        let mut e = Self {
            registry,
            gauges,
            clock,
            commands,
            latency,
            world,
            incidents,
            last: from,
            frames: 0.0,
            slow_frames: 0.0,
            comms_up: true,
        };
        e.advance(from);
        e
    }

    /// Moves the world to `t` and updates every metric.
    fn advance(&mut self, t: f64) {
        let tel = self.world.sample(t);
        self.comms_up = tel.comms_up;
        self.clock.set(t);
        for (series, family) in &self.gauges {
            for s in series {
                let labels = s
                    .labels
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                family
                    .get_or_create(&labels)
                    .set(round((s.read)(&tel, s.index), s.decimals));
            }
        }
        let dt = (t - self.last).max(0.0);
        self.last = t;
        let (rate, bad) = Sli::MobilityCommands.rates_at(&tel, &self.incidents, t);
        let result = |r: &str| vec![("result".to_owned(), r.to_owned())];
        self.commands
            .get_or_create(&result("ok"))
            .inc_by(rate * (1.0 - bad) * dt);
        self.commands
            .get_or_create(&result("error"))
            .inc_by(rate * bad * dt);
        let (rate, bad) = Sli::DownlinkLatency.rates_at(&tel, &self.incidents, t);
        self.frames += rate * dt;
        self.slow_frames += rate * bad * dt;
        while self.frames >= 1.0 {
            self.frames -= 1.0;
            if self.slow_frames >= 1.0 {
                self.slow_frames -= 1.0;
                self.latency.observe(SLOW);
            } else {
                self.latency.observe(FAST);
            }
        }
    }

    /// The `/metrics` body, or `None` while the link is down.
    fn body(&self) -> Option<String> {
        if !self.comms_up {
            return None;
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).ok()?;
        Some(out)
    }
}

/// One HTTP answer: status line, content type, body.
fn answer(status: &str, kind: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn serve(mut stream: tokio::net::TcpStream, exporter: Arc<Mutex<Exporter>>) {
    let mut request = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => request.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split_whitespace().nth(1).unwrap_or("");
    let reply = if path == "/metrics" || path.starts_with("/metrics?") {
        let body = exporter.lock().ok().and_then(|e| e.body());
        match body {
            Some(b) => answer(
                "200 OK",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                &b,
            ),
            None => answer(
                "503 Service Unavailable",
                "text/plain",
                "the rover's link is down (loss of signal)\n",
            ),
        }
    } else {
        answer("404 Not Found", "text/plain", "try /metrics\n")
    };
    let _ = stream.write_all(&reply).await;
}

/// Runs the live world until Ctrl-C or SIGTERM.
///
/// # Errors
/// The address cannot be listened on.
pub fn run(opts: &Options) -> color_eyre::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Built outside the runtime: the OTLP exporter's blocking HTTP client must not be made
    // or dropped inside it.
    let mut traces = match &opts.otlp_endpoint {
        Some(url) => Some(super::export::Exporter::new(
            url,
            opts.seed,
            super::export::Clock {
                wall: capcom::wall_now(),
                from: opts.from,
                speed: opts.speed,
            },
        )?),
        None => None,
    };
    let result = runtime.block_on(async {
        let listener = match opts.metrics_listen {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|e| color_eyre::eyre::eyre!("--metrics-listen {addr}: {e}"))?,
            ),
            None => None,
        };
        eprintln!(
            "rover world (seed {}) live at ×{} from sol second {}",
            opts.seed, opts.speed, opts.from
        );
        if let Some(l) = &listener {
            eprintln!("  metrics on http://{}/metrics", l.local_addr()?);
        }
        if let Some(url) = &opts.otlp_endpoint {
            eprintln!("  traces over OTLP/HTTP to {url}");
        }
        let events = match &opts.opensearch {
            Some(url) => {
                let shipper = super::bulk::Shipper::new(url)
                    .map_err(|e| color_eyre::eyre::eyre!("--opensearch: {e}"))?;
                eprintln!("  events into {url}/{}*", super::bulk::INDEX_PREFIX);
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                tokio::spawn(ship(shipper, rx));
                Some(tx)
            }
            None => None,
        };
        let sol_events = super::events::events(opts.seed);
        let mut next_event = sol_events.partition_point(|e| e.t <= opts.from);
        let exporter = Arc::new(Mutex::new(Exporter::new(opts.seed, opts.from)));
        let started = tokio::time::Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let t = opts.from + started.elapsed().as_secs_f64() * opts.speed;
                    if let Ok(mut e) = exporter.lock() {
                        e.advance(t);
                    }
                    if let Some(x) = traces.as_mut() {
                        x.advance(t);
                    }
                    while let Some(e) = sol_events.get(next_event).filter(|e| e.t <= t) {
                        if let Some(tx) = &events {
                            let _ = tx.send(super::bulk::document(e, capcom::wall_now()));
                        }
                        next_event += 1;
                    }
                }
                accepted = accept(listener.as_ref()) => {
                    if let Ok((stream, _)) = accepted {
                        tokio::spawn(serve(stream, Arc::clone(&exporter)));
                    }
                }
                _ = tokio::signal::ctrl_c() => break,
                _ = term.recv() => break,
            }
        }
        Ok(())
    });
    if let Some(x) = traces {
        x.shutdown(STOP_GRACE);
    }
    result
}

/// The next connection, or never when there is no listener.
async fn accept(
    listener: Option<&TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

/// Ships events to OpenSearch as they come, flushing every second.
async fn ship(
    mut shipper: super::bulk::Shipper,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<(String, serde_json::Value)>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            doc = rx.recv() => match doc {
                Some(d) => shipper.push(d),
                None => return,
            },
            _ = tick.tick() => shipper.flush().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_holds_the_recordings_series_the_sli_counters_and_the_clock() {
        let mut e = Exporter::new(1, 33_030.0);
        e.advance(33_090.0);
        let body = e.body().expect("the link is up");
        for want in [
            "rover_battery_soc_percent ",
            "rover_motor_temperature_celsius{wheel=\"LM\"} ",
            "rover_mobility_commands_total{result=\"error\"} ",
            "rover_downlink_latency_seconds_bucket{le=\"0.5\"} ",
            "rover_sim_time_seconds 33090.0",
        ] {
            assert!(body.contains(want), "{want:?} not in\n{body}");
        }
        let tel = World::new(1).sample(33_090.0);
        let soc = format!(
            "rover_battery_soc_percent {}",
            round(tel.battery_soc_pct, 2)
        );
        assert!(body.contains(&soc), "{soc:?}");
    }

    #[test]
    fn the_slip_fails_commands_and_the_link_down_answers_nothing() {
        let world = World::new(1);
        let slip = world
            .incidents()
            .iter()
            .find(|i| i.kind == super::super::world::IncidentKind::WheelSlip)
            .expect("slip")
            .clone();
        let mut e = Exporter::new(1, slip.start);
        e.advance(slip.start + 60.0);
        let errors = e
            .commands
            .get_or_create(&vec![("result".to_owned(), "error".to_owned())])
            .get();
        assert!(errors > 50.0, "{errors}");
        let los = world
            .incidents()
            .iter()
            .find(|i| i.kind == super::super::world::IncidentKind::CommsLoss)
            .expect("los")
            .clone();
        let mut e = Exporter::new(1, los.start + 10.0);
        e.advance(los.start + 20.0);
        assert!(e.body().is_none());
    }
}
