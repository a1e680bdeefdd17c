//! The Prometheus client against a scripted server on 127.0.0.1, for what a real Prometheus
//! cannot be made to do on demand: hang past the timeout, answer 503 or garbage, or an error
//! envelope; and that credentials are sent but never shown.

mod common;

use std::sync::Arc;
use std::time::Duration;

use capcom::config::{Auth, Connection, Secret};
use capcom::source::SourceError;
use capcom::source::prometheus::PrometheusClient;
use capcom::source::prometheus::poller::{self, Plan, Want};
use common::{Reply, Server};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

const MATRIX: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[1700000000,"1"],[1700000015,"1"]]}]}}"#;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn client(url: &str, timeout: f64) -> PrometheusClient {
    let mut conn = Connection::to_url(url);
    conn.timeout = timeout;
    PrometheusClient::new(&conn).expect("client")
}

fn range(c: &PrometheusClient) -> Result<capcom::source::prometheus::Fetched, SourceError> {
    block_on(c.query_range("up", 1_700_000_000.0, 1_700_000_015.0, 15.0))
}

#[test]
fn a_hang_past_the_timeout_is_a_timeout() {
    let server = Server::start(|_, _| Reply::Hang);
    let started = std::time::Instant::now();
    let err = range(&client(&server.url, 1.0)).expect_err("times out");
    assert_eq!(
        err,
        SourceError::Timeout(capcom::source::SourceId::Prometheus, 1000)
    );
    assert_eq!(err.to_string(), "prometheus: timeout after 1 s");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_503_says_its_status_and_a_safe_start_of_the_body() {
    let server = Server::start(|_, _| {
        Reply::With(
            503,
            "text/plain",
            b"upstream down\x1b[31m\nretry later".to_vec(),
        )
    });
    let err = range(&client(&server.url, 5.0)).expect_err("503");
    assert_eq!(
        err.to_string(),
        "prometheus: HTTP 503 Service Unavailable: upstream down␛[31m retry later"
    );
    assert!(
        !err.to_string().contains('\x1b'),
        "no escape reaches the screen"
    );
}

#[test]
fn the_error_envelope_beats_the_status_line() {
    let body = br#"{"status":"error","errorType":"bad_data","error":"1:7: parse error: unclosed left parenthesis"}"#;
    let server = Server::start(move |_, _| Reply::With(400, "application/json", body.to_vec()));
    let err = range(&client(&server.url, 5.0)).expect_err("400");
    assert_eq!(
        err.to_string(),
        "prometheus: bad_data: 1:7: parse error: unclosed left parenthesis"
    );
    assert!(err.is_query_only());
}

#[test]
fn garbage_with_200_is_a_malformed_response() {
    let server =
        Server::start(|_, _| Reply::With(200, "text/html", b"<html>proxy login</html>".to_vec()));
    let err = range(&client(&server.url, 5.0)).expect_err("garbage");
    assert!(
        err.to_string()
            .starts_with("prometheus: malformed response: "),
        "{err}"
    );
    assert!(
        !err.is_query_only(),
        "a proxy in the way is the source's problem"
    );
}

#[test]
fn connection_refused_names_the_url() {
    let url = format!("http://127.0.0.1:{}", common::free_port());
    let err = range(&client(&url, 5.0)).expect_err("refused");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("prometheus: cannot connect: {url}: ")),
        "{text}"
    );
    assert!(text.to_lowercase().contains("refused"), "{text}");
}

#[test]
fn the_path_prefix_and_parameters_reach_the_server() {
    let server =
        Server::start(|_, _| Reply::With(200, "application/json", MATRIX.as_bytes().to_vec()));
    let c = client(&format!("{}/prom/", server.url), 5.0);
    let fetched = range(&c).expect("ok");
    assert_eq!(fetched.body, MATRIX.as_bytes(), "the body is kept verbatim");
    assert_eq!(fetched.result.series[0].points.len(), 2);
    let head = server.requests.lock().expect("lock")[0].clone();
    assert!(
        head.starts_with(
            "GET /prom/api/v1/query_range?query=up&start=1700000000&end=1700000015&step=15 "
        ),
        "{head}"
    );
}

#[test]
fn bearer_and_basic_credentials_are_sent_and_never_shown() {
    let server = Server::start(|_, _| Reply::With(503, "text/plain", b"down".to_vec()));
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("token"), "t0ps3cret\n").expect("write");
    let mut conn = Connection::to_url(&server.url);
    conn.auth = Some(Auth::Bearer(Secret::File(dir.path().join("token"))));
    let err = range(&PrometheusClient::new(&conn).expect("client")).expect_err("503");
    assert!(!err.to_string().contains("t0ps3cret"));
    assert!(
        !format!("{conn:?}").contains("t0ps3cret"),
        "the config holds no secret"
    );

    // cargo sets CARGO_PKG_NAME for the tests it runs: a variable that is surely there.
    conn.auth = Some(Auth::Basic {
        username: "capcom".into(),
        password: Secret::Env("CARGO_PKG_NAME".into()),
    });
    let _ = range(&PrometheusClient::new(&conn).expect("client"));

    let heads = server.requests.lock().expect("lock").clone();
    assert!(
        heads[0]
            .to_lowercase()
            .contains("authorization: bearer t0ps3cret"),
        "{}",
        heads[0]
    );
    // base64("capcom:capcom"), the file's trailing newline not part of the token above.
    assert!(
        heads[1].contains("Basic Y2FwY29tOmNhcGNvbQ=="),
        "{}",
        heads[1]
    );
}

#[test]
fn a_missing_secret_is_a_setup_error_naming_where_it_looked() {
    let mut conn = Connection::to_url("http://127.0.0.1:9");
    conn.auth = Some(Auth::Bearer(Secret::Env("CAPCOM_TEST_SURELY_UNSET".into())));
    let err = PrometheusClient::new(&conn).expect_err("no token");
    assert_eq!(
        err.to_string(),
        "token: environment variable CAPCOM_TEST_SURELY_UNSET is not set"
    );
}

#[test]
fn a_failing_query_backs_off_then_recovers_by_itself() {
    // Three 503s, then success: the poller retries (1 s, ~2 s, ~4 s apart) and recovers.
    let server = Server::start(|_, n| {
        if n < 3 {
            Reply::With(503, "text/plain", b"starting".to_vec())
        } else {
            Reply::With(200, "application/json", MATRIX.as_bytes().to_vec())
        }
    });
    let updates = block_on(async {
        let c = client(&server.url, 2.0);
        let want = Want::Range {
            window: 900.0,
            step: 15.0,
            paused_end: None,
        };
        let (_plan_tx, plan_rx) = watch::channel(Plan::new(vec![want]));
        let (tx, mut rx) = mpsc::channel(16);
        let cancel = CancellationToken::new();
        poller::spawn(
            &c,
            &["up".to_owned()],
            &plan_rx,
            Duration::from_secs(1),
            &tx,
            &cancel,
        );
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while let Ok(Some(u)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            let capcom::source::SourceUpdate::MetricsFetched { result, .. } = u else {
                continue;
            };
            let ok = result.is_ok();
            got.push((tokio::time::Instant::now(), ok));
            if ok {
                break;
            }
        }
        cancel.cancel();
        got
    });
    let oks: Vec<bool> = updates.iter().map(|u| u.1).collect();
    assert_eq!(
        oks,
        [false, false, false, true],
        "three failures, then recovery"
    );
    let gaps: Vec<f64> = updates
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).as_secs_f64())
        .collect();
    // Jittered to 0.5–1.5× the doubling base, the third wait (2–6 s) always exceeds the first
    // (0.5–1.5 s); neighbours may overlap.
    assert!(gaps[2] > gaps[0], "waits grow: {gaps:?}");
    assert!(gaps.iter().all(|g| *g <= 60.0), "{gaps:?}");
}

/// The start of a range answer, so a flood is a body Prometheus could send.
const MATRIX_START: &[u8] =
    br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]"#;

fn capped_client(url: &str, max_body: u64) -> PrometheusClient {
    let mut conn = Connection::to_url(url);
    conn.max_body = max_body;
    PrometheusClient::new(&conn).expect("client")
}

#[test]
fn an_endless_answer_is_refused_at_max_body_while_it_streams() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let written = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&written);
    let server = Server::start(move |_, _| Reply::Flood {
        prefix: MATRIX_START.to_vec(),
        total: None,
        written: Arc::clone(&counter),
    });
    let err = range(&capped_client(&server.url, 4 << 20)).expect_err("too large");
    assert_eq!(
        err.to_string(),
        "prometheus: answer larger than 4 MiB; narrow the query or raise max-body"
    );
    // What the server managed to write before capcom hung up: the limit and what the sockets
    // buffer, not the endless rest.
    std::thread::sleep(Duration::from_millis(200));
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < 16 << 20, "{sent} bytes were sent");
}

#[test]
fn an_announced_length_over_max_body_is_refused_before_reading() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let written = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&written);
    let server = Server::start(move |_, _| Reply::Flood {
        prefix: MATRIX_START.to_vec(),
        total: Some(200 << 20),
        written: Arc::clone(&counter),
    });
    let err = range(&client(&server.url, 10.0)).expect_err("too large");
    assert_eq!(
        err,
        SourceError::TooLarge(capcom::source::SourceId::Prometheus, 64 << 20),
        "the default limit is 64 MiB"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(written.load(Ordering::Relaxed) < 16 << 20);
}

#[test]
fn an_answer_cut_off_in_transfer_says_so_not_cannot_connect() {
    let server = Server::start(|_, _| Reply::Cut {
        announced: MATRIX.len() * 2,
        body: MATRIX.as_bytes().to_vec(),
    });
    let err = range(&client(&server.url, 5.0)).expect_err("cut");
    let text = err.to_string();
    assert!(
        text.starts_with("prometheus: the answer was cut off: "),
        "{text}"
    );
}

#[test]
fn credentials_a_server_echoes_are_redacted_everywhere_they_would_show() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("pw"), "echo-me-not-42\n").expect("write");
    // A gateway that echoes the request's headers in its error body, as some proxies do.
    let server = Server::start(|head, _| {
        let sent: Vec<&str> = head.lines().filter(|l| l.contains("orization")).collect();
        Reply::With(
            401,
            "text/plain",
            format!("denied; you sent:\n{}", sent.join("\n")).into_bytes(),
        )
    });
    let mut conn = Connection::to_url(&server.url);
    conn.auth = Some(Auth::Basic {
        username: "flight".into(),
        password: Secret::File(dir.path().join("pw")),
    });
    let err = range(&PrometheusClient::new(&conn).expect("client")).expect_err("401");
    let text = err.to_string();
    // base64("flight:echo-me-not-42") is what the header carried.
    for secret in ["ZmxpZ2h0OmVjaG8tbWUtbm90LTQy", "echo-me-not-42", "Basic Zm"] {
        assert!(!text.contains(secret), "{text}");
    }
    assert!(text.contains("authorization: ‹redacted›"), "{text}");
    // The same for a bearer token that a body quotes in JSON.
    std::fs::write(dir.path().join("tok"), "tok-tok-tok-99").expect("write");
    let server = Server::start(|_, _| {
        Reply::With(
            500,
            "application/json",
            br#"{"msg":"bad token tok-tok-tok-99","headers":{"Authorization":"Bearer tok-tok-tok-99"}}"#.to_vec(),
        )
    });
    let mut conn = Connection::to_url(&server.url);
    conn.auth = Some(Auth::Bearer(Secret::File(dir.path().join("tok"))));
    let text = range(&PrometheusClient::new(&conn).expect("client"))
        .expect_err("500")
        .to_string();
    assert!(!text.contains("tok-tok-tok-99"), "{text}");
}

#[test]
fn bidi_and_zero_width_characters_in_an_error_body_never_reach_the_screen() {
    let server = Server::start(|_, _| {
        Reply::With(
            502,
            "text/plain",
            "gate\u{202E}way\u{2066}\u{200B}\u{FEFF} down\u{1b}]52;c;aGk=\u{7}".into(),
        )
    });
    let text = range(&client(&server.url, 5.0))
        .expect_err("502")
        .to_string();
    assert_eq!(
        text,
        "prometheus: HTTP 502 Bad Gateway: gateway down␛]52;c;aGk=�"
    );
}
