//! The built binary in a pseudo-terminal, as a user runs it: it draws the dashboard, and however
//! it ends — `q`, SIGTERM, SIGQUIT, or SIGHUP (an ssh link dropping) — it exits cleanly with the terminal
//! restored: alternate screen left, mouse capture off, cursor shown, raw mode off.

mod common;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::termios::LocalFlags;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const LEAVE_ALT_SCREEN: &str = "\x1b[?1049l";
const ENTER_ALT_SCREEN: &str = "\x1b[?1049h";
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1006h";
const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1000l";
/// Motion tracking (button-drag, any-motion) and the urxvt encoding: never asked for.
const MOUSE_FLOODS: [&str; 3] = ["\x1b[?1002h", "\x1b[?1003h", "\x1b[?1015h"];
const SHOW_CURSOR: &str = "\x1b[?25h";

struct Session {
    pair: portable_pty::PtyPair,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: mpsc::Receiver<Vec<u8>>,
    seen: Vec<u8>,
}

impl Session {
    fn start(args: &[&str]) -> Self {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: 40,
                cols: 140,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_capcom"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", "/nonexistent-capcom-test");
        cmd.env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("capcom-pty-test"),
        );
        cmd.env_remove("CAPCOM_CONFIG");
        let child = pair.slave.spawn_command(cmd).expect("spawn capcom");
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Self {
            pair,
            child,
            writer,
            output,
            seen: Vec::new(),
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }

    /// Reads output until `needle` has appeared (or panics after `secs`).
    fn wait_for(&mut self, needle: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !self.text().contains(needle) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {needle:?} within {secs} s; screen so far:\n{}",
                self.text()
            );
            if let Ok(chunk) = self
                .output
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                self.seen.extend(chunk);
            }
        }
    }

    /// Waits for the child to exit, collecting the rest of its output; returns its exit code.
    fn finish(&mut self, secs: u64) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            while let Ok(chunk) = self.output.try_recv() {
                self.seen.extend(chunk);
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                std::thread::sleep(Duration::from_millis(100));
                while let Ok(chunk) = self.output.try_recv() {
                    self.seen.extend(chunk);
                }
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "capcom did not exit within {secs} s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn assert_restored(&self) {
        let text = self.text();
        let entered = text
            .find(ENTER_ALT_SCREEN)
            .expect("entered the alternate screen");
        let left = text
            .rfind(LEAVE_ALT_SCREEN)
            .expect("left the alternate screen");
        assert!(
            left > entered,
            "left the alternate screen after entering it"
        );
        let on = text[entered..]
            .find(MOUSE_ON)
            .expect("clicks and the wheel reported, in SGR form");
        assert!(
            text[entered + on..].contains(MOUSE_OFF),
            "mouse capture turned off"
        );
        for mode in MOUSE_FLOODS {
            assert!(!text.contains(mode), "{mode:?} asked for");
        }
        assert!(text[entered..].contains(SHOW_CURSOR), "cursor shown again");
        let termios = self.pair.master.get_termios().expect("termios");
        assert!(
            termios.local_flags.contains(LocalFlags::ICANON),
            "canonical mode back on"
        );
        assert!(
            termios.local_flags.contains(LocalFlags::ECHO),
            "echo back on"
        );
    }
}

#[test]
fn q_quits_with_exit_0_and_the_terminal_restored() {
    let mut s = Session::start(&[]);
    s.wait_for("Environment", 20);
    s.wait_for("REPLAY", 5);
    s.writer.write_all(b"q").expect("type q");
    assert_eq!(s.finish(10), 0);
    s.assert_restored();
}

#[test]
fn sigterm_and_sigquit_restore_the_terminal() {
    for signal in [
        nix::sys::signal::Signal::SIGTERM,
        nix::sys::signal::Signal::SIGQUIT,
    ] {
        let mut s = Session::start(&[]);
        s.wait_for("Environment", 20);
        let pid = s.child.process_id().expect("pid");
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), signal).expect("kill");
        s.finish(10);
        s.assert_restored();
    }
}

#[test]
fn sighup_from_a_dropped_link_restores_the_terminal() {
    let mut s = Session::start(&[]);
    s.wait_for("Environment", 20);
    s.child.kill().expect("SIGHUP");
    s.finish(10);
    s.assert_restored();
}

#[test]
fn help_opens_on_question_mark() {
    let mut s = Session::start(&[]);
    s.wait_for("Environment", 20);
    s.writer.write_all(b"?").expect("type ?");
    s.wait_for("Esc or ? to close", 5);
    s.writer.write_all(b"q").expect("type q");
    assert_eq!(s.finish(10), 0);
}

#[test]
fn three_keys_from_the_dashboard_reach_a_span_and_esc_walks_back() {
    let mut s = Session::start(&[]);
    s.wait_for("Traces", 20);
    s.wait_for("ERR", 10);
    // Focus order: Internal, Faults, Environment, SLOs, Traces. The first failed trace, its
    // span.
    s.writer
        .write_all(b"\t\t\t\t/error\r")
        .expect("focus, filter");
    s.writer.write_all(b"\r").expect("open the trace");
    s.wait_for("Enter span · Esc back", 5);
    s.writer.write_all(b"\r").expect("open the span");
    s.wait_for("Esc back to the waterfall", 5);
    s.wait_for("ERROR", 5);
    // Each Esc alone, so the terminal does not read Esc and a key as Alt-key.
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(150));
        s.writer.write_all(b"\x1b").expect("Esc");
    }
    std::thread::sleep(Duration::from_millis(150));
    s.writer.write_all(b"q").expect("type q");
    assert_eq!(s.finish(10), 0);
    s.assert_restored();
}

/// Peak resident memory of a process, from `/proc` (kB).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM")
}

#[test]
fn endless_answers_from_every_backend_stay_under_128_mib_and_keys_still_answer() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    // Every request of every backend is answered with a body that never ends (chunked, no
    // length): the default max-body (64 MiB) must stop each one, one large body at a time.
    let written = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&written);
    let server = common::Server::start(move |_, _| common::Reply::Flood {
        prefix: br#"{"status":"success","data":{"resultType":"matrix","result":["#.to_vec(),
        total: None,
        written: Arc::clone(&counter),
    });
    let dashboard =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/capcom.toml"))
            .expect("deploy/capcom.toml");
    let config = ["9090", "9200", "16686"].iter().fold(dashboard, |c, port| {
        c.replace(&format!("http://127.0.0.1:{port}"), &server.url)
    });
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("capcom.toml");
    std::fs::write(&path, config).expect("write");
    let mut s = Session::start(&["--config", path.to_str().expect("utf-8")]);
    s.wait_for("Environment", 20);
    let pid = s.child.process_id().expect("pid");
    // Until several answers have been cut off at the limit (each is 64 MiB read).
    let deadline = Instant::now() + Duration::from_secs(60);
    while written.load(Ordering::Relaxed) < 4 * (64 << 20) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        while let Ok(chunk) = s.output.try_recv() {
            s.seen.extend(chunk);
        }
    }
    assert!(
        written.load(Ordering::Relaxed) >= 2 * (64 << 20),
        "the floods were read: {} bytes",
        written.load(Ordering::Relaxed)
    );
    s.wait_for("answer larger than 64 MiB", 30);
    // Keys still answer while the floods go on: help opens.
    s.writer.write_all(b"?").expect("type ?");
    s.wait_for("Esc or ? to close", 5);
    let peak = peak_rss_kib(pid);
    s.writer.write_all(b"q").expect("type q");
    assert_eq!(s.finish(20), 0);
    s.assert_restored();
    eprintln!("peak resident memory under endless answers: {peak} kB");
    assert!(peak < 128 * 1024, "peak resident memory {peak} kB");
}
