//! `y` through tmux: the binary runs in its own tmux server (`set-clipboard on`), the Traces
//! pane is focused, `y` is pressed, and tmux's paste buffer then holds the trace id the status
//! bar says was copied. Skipped, saying so, where tmux is not installed (`.ci/run` installs it
//! and sets `CAPCOM_REQUIRE_TMUX=1`).

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "capcom"])
    }

    /// Waits up to 20 s for the screen to hold `what`; the screen.
    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no {what:?} on screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
fn y_on_a_trace_puts_its_id_in_tmuxs_buffer() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CAPCOM_REQUIRE_TMUX").is_none(),
            "tmux is required here but not installed"
        );
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let conf = dir.path().join("tmux.conf");
    std::fs::write(&conf, "set -g set-clipboard on\nset -g status off\n").expect("conf");
    let tmux = Tmux {
        socket: format!("handoff-{}", std::process::id()),
    };
    // Tabs from the first pane to the Traces pane, as the bundled dashboard lays them out.
    let config = capcom::config::parse(capcom::DASHBOARD_TOML, "t").expect("ok");
    let theme = capcom::config::theme::Theme::builtin("mono").expect("theme");
    let app = capcom::app::App::new(config, theme, capcom::app::Clock::Live, None, 0.0);
    let tabs = app
        .focus_order()
        .iter()
        .position(|&p| matches!(app.config.panes[p].kind, capcom::config::PaneKind::Traces))
        .expect("a Traces pane");
    let home = dir.path().display().to_string();
    let command = format!(
        "env HOME={home} XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config TERM=xterm-256color {} --theme mono",
        env!("CARGO_BIN_EXE_capcom")
    );
    tmux.run(&[
        "-f",
        &conf.display().to_string(),
        "new-session",
        "-d",
        "-s",
        "capcom",
        "-x",
        "160",
        "-y",
        "48",
        &command,
    ]);
    tmux.wait_for("REPLAY");
    for _ in 0..tabs {
        tmux.run(&["send-keys", "-t", "capcom", "Tab"]);
    }
    // The replay lists its first traces within seconds (more on a loaded machine): until
    // then `y` says no trace is selected, and is pressed again.
    let start = Instant::now();
    let screen = loop {
        tmux.run(&["send-keys", "-t", "capcom", "y"]);
        std::thread::sleep(Duration::from_millis(500));
        let screen = tmux.screen();
        if screen.contains("copied trace id: ") {
            break screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no trace id copied:\n{screen}"
        );
    };
    let id: String = screen
        .split("copied trace id: ")
        .nth(1)
        .expect("the id")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert!(id.len() >= 16, "a trace id: {id:?}\n{screen}");
    assert_eq!(tmux.run(&["show-buffer"]), id, "tmux's buffer holds the id");
    tmux.run(&["send-keys", "-t", "capcom", "q"]);
}
