//! Helpers for tests that talk HTTP, only ever on 127.0.0.1: a scripted HTTP server (for what a
//! real Prometheus cannot be made to do on demand: hang, 503, garbage), a `/metrics` exporter
//! with values the test sets, and a real Prometheus (Debian's package) started on a free port.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// What the scripted server does with one request.
pub enum Reply {
    /// Answer with this status line, content type and body.
    With(u16, &'static str, Vec<u8>),
    /// Read the request and never answer (until the test ends).
    Hang,
    /// Answer 200 with `prefix` and then filler, `total` bytes in all (chunked, no length
    /// announced when `total` is `None`: an endless answer), adding each byte written to the
    /// counter, until the client hangs up.
    Flood {
        /// How the body starts (e.g. an API's JSON envelope).
        prefix: Vec<u8>,
        /// The whole body's length, announced; `None` streams without end.
        total: Option<u64>,
        /// Bytes written so far.
        written: Arc<std::sync::atomic::AtomicU64>,
    },
    /// Announce `announced` bytes, send `body`, and close: an answer cut off in transfer.
    Cut {
        /// The Content-Length sent.
        announced: usize,
        /// What is sent of it.
        body: Vec<u8>,
    },
}

/// A scripted HTTP/1.1 server on 127.0.0.1. Every request's head is kept for inspection.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The request heads received, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// The request target of a head (`/path?query`), split into its path and its decoded query
/// parameters, in the order sent.
pub fn target(head: &str) -> (String, Vec<(String, String)>) {
    let target = head.split_whitespace().nth(1).expect("a request line");
    let url = reqwest::Url::parse(&format!("http://127.0.0.1{target}")).expect("a target");
    let params = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (url.path().to_owned(), params)
}

impl Server {
    /// The targets of the requests received so far (path and decoded parameters).
    pub fn targets(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.requests
            .lock()
            .expect("lock")
            .iter()
            .map(|h| target(h))
            .collect()
    }

    /// The paths of the requests received so far.
    pub fn paths(&self) -> Vec<String> {
        self.targets().into_iter().map(|(p, _)| p).collect()
    }

    /// Starts a server that answers each request with `reply(request_head, n)` (n counts from 0).
    pub fn start(reply: impl Fn(&str, usize) -> Reply + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let head = read_head(&mut stream);
                seen.lock().expect("lock").push(head.clone());
                match reply(&head, n) {
                    Reply::Hang => {
                        std::thread::spawn(move || {
                            std::thread::sleep(Duration::from_secs(60));
                            drop(stream);
                        });
                    }
                    Reply::Flood {
                        prefix,
                        total,
                        written,
                    } => {
                        std::thread::spawn(move || flood(stream, &prefix, total, &written));
                    }
                    Reply::Cut { announced, body } => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {announced}\r\n\r\n"
                        );
                        let _ = stream.write_all(&body);
                    }
                    Reply::With(status, content_type, body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            reason(status),
                            body.len()
                        );
                        let _ = stream.write_all(&body);
                    }
                }
            }
        });
        Self { url, requests }
    }
}

/// Writes a 200 answer of `prefix` and filler (spaces are valid JSON white space) until
/// `total` bytes or the client hangs up, counting what was written.
fn flood(
    mut stream: TcpStream,
    prefix: &[u8],
    total: Option<u64>,
    written: &std::sync::atomic::AtomicU64,
) {
    use std::sync::atomic::Ordering;
    let head = match total {
        Some(n) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\nConnection: close\r\n\r\n"
        ),
        None => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_owned(),
    };
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let filler = vec![b' '; 256 * 1024];
    let mut sent = 0u64;
    let mut first = true;
    loop {
        let piece: &[u8] = if first { prefix } else { &filler };
        first = false;
        let piece = match total {
            Some(n) if sent >= n => return,
            Some(n) => {
                &piece[..piece
                    .len()
                    .min(usize::try_from(n - sent).unwrap_or(usize::MAX))]
            }
            None => piece,
        };
        let ok = if total.is_some() {
            stream.write_all(piece).is_ok()
        } else {
            write!(stream, "{:x}\r\n", piece.len()).is_ok()
                && stream.write_all(piece).is_ok()
                && stream.write_all(b"\r\n").is_ok()
        };
        if !ok {
            return;
        }
        sent += piece.len() as u64;
        written.fetch_add(piece.len() as u64, Ordering::Relaxed);
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// The request's head and, after a blank line, its body (by Content-Length).
fn read_head(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    if length > 0 {
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_ok() {
            head.push_str("\r\n");
            head.push_str(&String::from_utf8_lossy(&body));
        }
    }
    head
}

/// A `/metrics` endpoint serving whatever text the test puts in `body`.
pub struct Exporter {
    /// `127.0.0.1:PORT`, as a scrape target.
    pub target: String,
    /// The exposition text served.
    pub body: Arc<Mutex<String>>,
}

impl Exporter {
    /// Serves `initial` until changed.
    pub fn start(initial: &str) -> Self {
        let body = Arc::new(Mutex::new(initial.to_owned()));
        let shared = Arc::clone(&body);
        let endpoint = Server::start(move |_, _| {
            let text = shared.lock().expect("lock").clone();
            Reply::With(200, "text/plain; version=0.0.4", text.into_bytes())
        });
        Self {
            target: endpoint.url.trim_start_matches("http://").to_owned(),
            body,
        }
    }
}

/// Debian's Prometheus binary, if installed. CI sets `CAPCOM_REQUIRE_PROMETHEUS=1` (its
/// `.ci/run` installs the package), so there a missing binary fails the tests instead of
/// skipping them; on a developer machine without it they say they were skipped.
pub fn prometheus_binary() -> Option<PathBuf> {
    let found = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CAPCOM_REQUIRE_PROMETHEUS").is_none(),
            "CAPCOM_REQUIRE_PROMETHEUS is set but no prometheus binary is installed (apt-get install prometheus)"
        );
        eprintln!(
            "SKIPPED: prometheus is not installed (apt-get install prometheus); CI runs this test"
        );
    }
    found
}

/// A real Prometheus on 127.0.0.1, with its own storage, scraping `targets` every second.
pub struct Prometheus {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    port: u16,
    binary: PathBuf,
    dir: tempfile::TempDir,
    child: Option<Child>,
    args: Vec<String>,
}

impl Prometheus {
    /// Starts one and waits until it is ready; `None` when it is not installed.
    pub fn start(targets: &[&str]) -> Option<Self> {
        let binary = prometheus_binary()?;
        let dir = tempfile::tempdir().expect("tempdir");
        let list = targets
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: test\n    static_configs:\n      - targets: [{list}]\n"
        );
        std::fs::write(dir.path().join("prometheus.yml"), config).expect("config");
        Some(Self::launch(binary, dir))
    }

    /// Starts one with the configuration and storage already in `dir`, on a free port.
    fn launch(binary: PathBuf, dir: tempfile::TempDir) -> Self {
        Self::launch_with(binary, dir, Vec::new())
    }

    fn launch_with(binary: PathBuf, dir: tempfile::TempDir, args: Vec<String>) -> Self {
        let port = free_port();
        let mut p = Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            binary,
            dir,
            child: None,
            args,
        };
        p.restart();
        p
    }

    /// Starts one over history written in OpenMetrics text, turned into blocks with Debian's
    /// `promtool tsdb create-blocks-from openmetrics` first; `None` when not installed.
    pub fn start_with_history(openmetrics: &str) -> Option<Self> {
        Self::start_with_history_and_rules(openmetrics, &[])
    }

    /// As [`Prometheus::start_with_history`], also evaluating the rule files `rules` (YAML
    /// text) every second from its start.
    pub fn start_with_history_and_rules(openmetrics: &str, rules: &[&str]) -> Option<Self> {
        let binary = prometheus_binary()?;
        let dir = tempfile::tempdir().expect("tempdir");
        let history = dir.path().join("history.om");
        std::fs::write(&history, openmetrics).expect("history");
        let promtool = binary.with_file_name("promtool");
        let made = Command::new(&promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&history)
            .arg(dir.path().join("data"))
            .output()
            .expect("run promtool");
        assert!(
            made.status.success(),
            "promtool: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let mut config =
            String::from("global:\n  scrape_interval: 15s\n  evaluation_interval: 1s\n");
        if !rules.is_empty() {
            config.push_str("rule_files:\n");
        }
        for (i, text) in rules.iter().enumerate() {
            let path = dir.path().join(format!("rules-{i}.yml"));
            std::fs::write(&path, text).expect("rules");
            config.push_str("  - '");
            config.push_str(&path.display().to_string());
            config.push_str("'\n");
        }
        config.push_str("scrape_configs: []\n");
        std::fs::write(dir.path().join("prometheus.yml"), config).expect("config");
        Some(Self::launch(binary, dir))
    }

    /// Starts one that evaluates the alerting `rules` (a rule file's YAML) every second and
    /// sends what fires to the Alertmanager at `alertmanager` (`127.0.0.1:PORT`), re-sending
    /// every second instead of every minute; `None` when not installed.
    pub fn start_alerting(rules: &str, alertmanager: &str) -> Option<Self> {
        let binary = prometheus_binary()?;
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("rules.yml"), rules).expect("rules");
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n\
             alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{alertmanager}']\n\
             scrape_configs: []\n"
        );
        std::fs::write(dir.path().join("prometheus.yml"), config).expect("config");
        Some(Self::launch_with(
            binary,
            dir,
            vec!["--rules.alert.resend-delay=1s".into()],
        ))
    }

    /// Starts (again) on the same port and storage, and waits until ready.
    pub fn restart(&mut self) {
        let child = Command::new(&self.binary)
            .arg(format!(
                "--config.file={}",
                self.dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                self.dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{}", self.port))
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.ready() {
            assert!(
                Instant::now() < deadline,
                "prometheus not ready within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops it (SIGKILL: as abrupt as a crash).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn ready(&self) -> bool {
        get(&format!("127.0.0.1:{}", self.port), "/-/ready")
            .is_some_and(|(status, _)| status == 200)
    }

    /// Waits until `query` returns at least one series with a sample, up to 30 s.
    pub fn wait_for(&self, query: &str) {
        let path = format!("/api/v1/query?query={}", query.replace(' ', "%20"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some((200, body)) = get(&format!("127.0.0.1:{}", self.port), &path)
                && body.contains("\"value\"")
            {
                return;
            }
            assert!(Instant::now() < deadline, "no {query} within 30 s");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Debian's Alertmanager binary (`prometheus-alertmanager`), if installed. CI sets
/// `CAPCOM_REQUIRE_ALERTMANAGER=1`, so there a missing binary fails the tests.
pub fn alertmanager_binary() -> Option<PathBuf> {
    let found = [
        "/usr/bin/prometheus-alertmanager",
        "/usr/local/bin/alertmanager",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CAPCOM_REQUIRE_ALERTMANAGER").is_none(),
            "CAPCOM_REQUIRE_ALERTMANAGER is set but no alertmanager is installed (apt-get install prometheus-alertmanager)"
        );
        eprintln!(
            "SKIPPED: alertmanager is not installed (apt-get install prometheus-alertmanager); CI runs this test"
        );
    }
    found
}

/// A real Alertmanager on 127.0.0.1, alone (no cluster), routing everything to a receiver
/// that notifies nobody.
pub struct Alertmanager {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// `127.0.0.1:PORT`, for Prometheus' `alerting` section.
    pub addr: String,
    _dir: tempfile::TempDir,
    child: Child,
}

impl Alertmanager {
    /// Starts one and waits until it is ready; `None` when it is not installed.
    pub fn start() -> Option<Self> {
        let binary = alertmanager_binary()?;
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("alertmanager.yml"),
            "route:\n  receiver: nobody\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: nobody\n",
        )
        .expect("config");
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(binary)
            .arg(format!(
                "--config.file={}",
                dir.path().join("alertmanager.yml").display()
            ))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start alertmanager");
        let deadline = Instant::now() + Duration::from_secs(30);
        while get(&addr, "/-/ready").is_none_or(|(status, _)| status != 200) {
            assert!(
                Instant::now() < deadline,
                "alertmanager not ready within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Self {
            url: format!("http://{addr}"),
            addr,
            _dir: dir,
            child,
        })
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real Alertmanager, and a real Prometheus whose one alerting rule — `alert` on `expr`,
/// with `labels` (YAML flow style, `{severity: critical}`) and a `summary` annotation — fires
/// into it, evaluated and re-sent every second; `None` when either is not installed.
pub fn firing(
    alert: &str,
    expr: &str,
    labels: &str,
    summary: &str,
) -> Option<(Alertmanager, Prometheus)> {
    let am = Alertmanager::start()?;
    let rules = format!(
        "groups:\n  - name: rover\n    interval: 1s\n    rules:\n      - alert: {alert}\n        \
         expr: {expr}\n        labels: {labels}\n        annotations: {{summary: {summary:?}}}\n"
    );
    let prometheus = Prometheus::start_alerting(&rules, &am.addr)?;
    Some((am, prometheus))
}

/// When `client`'s Alertmanager first holds an alert named `alert`, asking every 20 ms: what
/// a live test measures capcom's arrival against.
pub async fn first_held(
    client: capcom::source::alertmanager::AlertmanagerClient,
    alert: &'static str,
) -> std::time::Instant {
    loop {
        if client
            .alerts()
            .await
            .is_ok_and(|l| l.iter().any(|x| x.name() == alert))
        {
            return std::time::Instant::now();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A minimal HTTP GET: status and body.
fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

/// Events a scripted OpenSearch holds: (timestamp in ms, id).
pub type Store = Arc<Mutex<Vec<(i64, String)>>>;

/// Answers a `_search` body from `store` as OpenSearch would: `sort` order, `search_after`,
/// `size`, and the timestamp range's `gte` and `lt`.
pub fn opensearch_answer(store: &Store, request: &str) -> Reply {
    let body: Value = serde_json::from_str(request.split_once("\r\n\r\n").map_or("", |(_, b)| b))
        .expect("a JSON body");
    let order = body
        .pointer("/sort/0/@timestamp/order")
        .and_then(Value::as_str)
        .unwrap_or("asc");
    let size = body["size"].as_u64().expect("size") as usize;
    let range = |k: &str| {
        body.pointer(&format!("/query/bool/filter/0/range/@timestamp/{k}"))
            .and_then(Value::as_i64)
    };
    let (gte, lt, lte) = (
        range("gte").unwrap_or(i64::MIN),
        range("lt").unwrap_or(i64::MAX),
        range("lte").unwrap_or(i64::MAX),
    );
    let after = body.get("search_after").map(|a| {
        (
            a[0].as_i64().expect("ts"),
            a[1].as_str().expect("id").to_owned(),
        )
    });
    let mut docs: Vec<(i64, String)> = store
        .lock()
        .expect("lock")
        .iter()
        .filter(|(t, _)| *t >= gte && *t < lt && *t <= lte)
        .cloned()
        .collect();
    docs.sort();
    if order == "desc" {
        docs.reverse();
    }
    let docs = docs.into_iter().filter(|d| match &after {
        None => true,
        Some(a) if order == "asc" => d > a,
        Some(a) => d < a,
    });
    let hits: Vec<Value> = docs
        .take(size)
        .map(|(t, id)| json!({"_index": "ev", "_id": id, "_source": {"@timestamp": t, "message": id}, "sort": [t, id]}))
        .collect();
    let response =
        json!({"timed_out": false, "_shards": {"total": 1, "failed": 0}, "hits": {"hits": hits}});
    Reply::With(200, "application/json", response.to_string().into_bytes())
}

/// A v3 search answer as Jaeger writes it: one resource per trace, `service.name` on the
/// resource, one root span of 0.5 s with a `mode` attribute, times in nanoseconds as strings.
pub fn otlp(service: &str, traces: &[(&str, f64, &str)]) -> Vec<u8> {
    let resource_spans: Vec<Value> = traces
        .iter()
        .map(|(id, start, mode)| {
            let ns = |t: f64| format!("{}", (t * 1e9).round() as i128);
            json!({
                "resource": {"attributes": [
                    {"key": "service.name", "value": {"stringValue": service}}
                ]},
                "scopeSpans": [{"scope": {}, "spans": [{
                    "traceId": id,
                    "spanId": "00000000000000a1",
                    "name": "drive",
                    "kind": 2,
                    "startTimeUnixNano": ns(*start),
                    "endTimeUnixNano": ns(start + 0.5),
                    "attributes": [{"key": "mode", "value": {"stringValue": mode}}],
                    "status": {}
                }]}]
            })
        })
        .collect();
    json!({"result": {"resourceSpans": resource_spans}})
        .to_string()
        .into_bytes()
}

/// A tiny deterministic generator (`SplitMix64`) for mutation tests: no dependency for a loop.
pub fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `rounds` mutations of the files in `tests/fixtures/<dir>`: each a sample with up to eight
/// bytes changed, cut, inserted (JSON punctuation, escape, invalid UTF-8) or removed.
pub fn mutants(dir: &str, rounds: usize, seed: u64) -> Vec<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let samples: Vec<Vec<u8>> = std::fs::read_dir(path)
        .expect("fixtures dir")
        .map(|e| std::fs::read(e.expect("entry").path()).expect("read"))
        .collect();
    let pick: &[u8] = b"{}[]\",:0-e\\\x1b\xff";
    let mut state = seed;
    (0..rounds)
        .map(|round| {
            let mut bytes = samples[round % samples.len()].clone();
            for _ in 0..=(next(&mut state) % 8) {
                if bytes.is_empty() {
                    break;
                }
                let i = (next(&mut state) as usize) % bytes.len();
                match next(&mut state) % 4 {
                    0 => bytes[i] = next(&mut state) as u8,
                    1 => bytes.truncate(i),
                    2 => bytes.insert(i, pick[(next(&mut state) as usize) % pick.len()]),
                    _ => drop(bytes.remove(i)),
                }
            }
            bytes
        })
        .collect()
}
