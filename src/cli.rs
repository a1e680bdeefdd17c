//! The command line's types: flags and subcommands, and the parsers of their values. What each
//! subcommand runs is in `cmd/`; this file imports nothing else from the crate but the
//! configuration's ranges, so a flag takes what the config key takes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Mission control for telemetry, in a terminal.
///
/// With no configuration, capcom opens the bundled Mars rover recording (a REPLAY badge says so).
/// Configuration is looked up as --config, then $CAPCOM_CONFIG, then
/// $XDG_CONFIG_HOME/capcom/config.toml. Logs go to $XDG_STATE_HOME/capcom/capcom.log
/// (level from $CAPCOM_LOG or $RUST_LOG), never to the screen.
#[derive(Debug, Parser)]
#[command(name = "capcom", version, about, long_about)]
#[expect(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, not rustdoc"
)]
pub struct Cli {
    /// What to open.
    #[command(flatten)]
    pub open: OpenArgs,
    /// A subcommand; none runs the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Which dashboard and data to open: shared by the dashboard and `snapshot`.
#[derive(Debug, Args, Clone)]
#[expect(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, not rustdoc"
)]
pub struct OpenArgs {
    /// Dashboard configuration (TOML).
    #[arg(short, long, value_name = "FILE", env = "CAPCOM_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Replay a recording directory instead of polling live backends. Its own capcom.toml is
    /// the dashboard unless --config is given.
    #[arg(long, value_name = "DIR", global = true)]
    pub replay: Option<PathBuf>,
    /// A live Prometheus to read, e.g. http://127.0.0.1:9090 (overrides the config's
    /// [prometheus] url; with no config, the bundled rover dashboard reads it).
    #[arg(long, value_name = "URL", global = true)]
    pub prometheus: Option<String>,
    /// Replay speed, more than 0 and at most 100000: 1 is real time, 60 plays a minute each
    /// second.
    #[arg(long, value_name = "N", default_value_t = 1.0, global = true, value_parser = parse_speed)]
    pub speed: f64,
    /// Show a replay at its recorded times (e.g. 2026-11-26T09:10:30Z) instead of shifted so
    /// that it appears to be happening now; `O` switches while it plays.
    #[arg(long, global = true)]
    pub original_time: bool,
    /// Theme: dark, light, high-contrast, mono, or a theme file (default: the config's, or
    /// mono when NO_COLOR is set, else dark).
    #[arg(long, value_name = "NAME|FILE", global = true)]
    pub theme: Option<String>,
    /// Read-only, for shared terminals: nothing is ever written to a backend (acknowledging
    /// and shelving faults say why they cannot). Also on with CAPCOM_READ_ONLY=1 or the
    /// config's read-only = true; any one of the three turns it on, none turns it off.
    #[arg(
        long,
        global = true,
        env = "CAPCOM_READ_ONLY",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub read_only: bool,
    /// Connection settings for the live Prometheus, over the config's.
    #[command(flatten)]
    pub prometheus_flags: PrometheusFlags,
}

/// The `[prometheus]` connection keys as flags, for a quick start without a config file.
/// Credentials are still named by where they are kept, never given on the command line.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Prometheus connection (override the config's [prometheus])")]
pub struct PrometheusFlags {
    /// Time between polls of each query, e.g. 5s or 1m (a bare number is seconds; 1s to 1d).
    #[arg(long, value_name = "DURATION", global = true, value_parser = parse_interval)]
    pub prometheus_interval: Option<f64>,
    /// Time a request may take, e.g. 10s (a bare number is seconds; 100ms to 10m).
    #[arg(long, value_name = "DURATION", global = true, value_parser = parse_timeout)]
    pub prometheus_timeout: Option<f64>,
    /// Basic auth user name (with --prometheus-password-env or --prometheus-password-file).
    #[arg(long, value_name = "NAME", global = true)]
    pub prometheus_user: Option<String>,
    /// Environment variable holding the basic auth password.
    #[arg(long, value_name = "VAR", global = true)]
    pub prometheus_password_env: Option<String>,
    /// File holding the basic auth password.
    #[arg(long, value_name = "FILE", global = true)]
    pub prometheus_password_file: Option<PathBuf>,
    /// Environment variable holding a bearer token.
    #[arg(long, value_name = "VAR", global = true)]
    pub prometheus_token_env: Option<String>,
    /// File holding a bearer token.
    #[arg(long, value_name = "FILE", global = true)]
    pub prometheus_token_file: Option<PathBuf>,
    /// An extra header, "Name: value" (repeatable; not for secrets).
    #[arg(long, value_name = "HEADER", global = true, value_parser = parse_header)]
    pub prometheus_header: Vec<(String, String)>,
    /// A PEM bundle of extra CA certificates to trust.
    #[arg(long, value_name = "FILE", global = true)]
    pub prometheus_ca_file: Option<PathBuf>,
    /// Accept any TLS certificate (the status bar says so).
    #[arg(long, global = true)]
    pub prometheus_insecure_skip_verify: bool,
}

/// `capcom export`'s flags.
#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    /// The pane's id, as the dashboard's [[pane]] names it (e.g. environment).
    #[arg(long, value_name = "ID", required_unless_present = "trace")]
    pub pane: Option<String>,
    /// A trace's id, to export it (formats jaeger, otlp).
    #[arg(long, value_name = "TRACE_ID", conflicts_with = "pane")]
    pub trace: Option<String>,
    /// The window's start (default: the dashboard's window before --to).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The window's end (default: now).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// What to write.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["png", "svg", "csv", "ndjson", "jaeger", "otlp"]))]
    pub format: String,
    /// The file to write (replaced atomically if it exists), or - for standard output.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `capcom why`'s options: `--slo`, or `--from` (one of them).
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["slo", "from"])))]
pub struct WhyArgs {
    /// The SLO to explain, by name: its page rule's long window, ending at --to or now, its
    /// service's traces, failing by its SLI (errors, or slower than a latency SLO's bound).
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub slo: Option<String>,
    /// The window's start, read like the dashboard's `@` prompt (every service's traces; the
    /// failing ones are those with an error).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The window's end (default: now).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Print one JSON document instead of text: every row of every section, best first, each
    /// with its rank, counts and whether it is significant.
    #[arg(long)]
    pub json: bool,
}

fn parse_header(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!(
            "{s:?} is not a header like \"X-Scope-OrgID: mission-7\""
        )),
    }
}

impl Default for OpenArgs {
    /// What `capcom` with no flags opens (speed 1, as clap's default gives).
    fn default() -> Self {
        Self {
            config: None,
            replay: None,
            prometheus: None,
            prometheus_flags: PrometheusFlags::default(),
            speed: 1.0,
            original_time: false,
            theme: None,
            read_only: false,
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
#[expect(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, not rustdoc"
)]
pub enum Command {
    /// Print one rendered frame as plain text (exactly HEIGHT lines) and exit: for scripts, bug
    /// reports and tests.
    Snapshot {
        /// Frame size, COLUMNSxROWS.
        #[arg(long, default_value = "160x48", value_parser = parse_size)]
        size: (u16, u16),
    },
    /// Record what the live sources answer into a recording directory, for --replay.
    ///
    /// Every chunk (a minute by default) it asks each dashboard query for the range since the
    /// last chunk and writes the response bodies verbatim, with the dashboard and a manifest;
    /// Ctrl-C stops early and keeps everything recorded so far.
    Record {
        /// The recording directory to write (created; must be empty if it exists).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// How long to record.
        #[arg(long, default_value = "10m", value_parser = parse_duration)]
        duration: f64,
        /// History before now to include, so a replay starts with a full window (default:
        /// the dashboard's window).
        #[arg(long, value_parser = parse_duration)]
        since: Option<f64>,
        /// Seconds between recorded samples.
        #[arg(long, default_value = "15s", value_parser = parse_duration)]
        step: f64,
        /// How often to write what has been recorded.
        #[arg(long, default_value = "1m", value_parser = parse_duration)]
        chunk: f64,
    },
    /// Export one pane over a time window to a file, as `e` does in the dashboard: for scripts
    /// and cron.
    ///
    /// The data is gathered as `snapshot` gathers it: the replay played up to now, or each live
    /// query asked once over the window. A chart or table pane gives png, svg or csv; the path
    /// pane png, svg or csv; the events pane ndjson (the documents in the window); a trace
    /// (--trace ID) jaeger (Jaeger UI's "upload trace" opens it) or otlp. Times read like the
    /// dashboard's `@` prompt: 09:05 (UTC, today), 2026-11-26T09:05Z, -3h (before now).
    /// Examples:
    ///   capcom export --pane environment --from -1h --format png --out env.png
    ///   capcom --replay rec export --pane events --format ndjson --out -
    #[command(verbatim_doc_comment)]
    Export(ExportArgs),
    /// Why: compare an SLO's window (or any window) with the same length before it — what the
    /// failing traces share, where their time goes, which log patterns are new, which metrics
    /// moved, and the impact — as the dashboard's `w` does: for scripts.
    ///
    /// The data is gathered as `snapshot` gathers it: the replay played up to now, or the live
    /// sources asked once (the window's traces, events of the window and the baseline, every
    /// pane's series over both). Each section is ranked best first with its counts; rows that
    /// pass the section's significance test are marked * (text) or "significant": true (JSON).
    /// What could not be fetched is listed, never fatal. Times read like the dashboard's `@`
    /// prompt: 09:05 (UTC, today), 2026-11-26T09:05Z, -3h (before now). Exit status 0 when the
    /// analysis ran. Examples:
    ///   capcom why --slo "mobility commands"
    ///   capcom why --slo "mobility commands" --json | jq '.shared[0]'
    ///   capcom why --from -2h --to -1h
    #[command(verbatim_doc_comment)]
    Why(WhyArgs),
    /// Check the configuration and probe each source: reachable, credentials accepted, version,
    /// and that every query runs. One line per check; exit status 1 if any fails.
    Check,
    /// Print each SLO's state — objective, SLI, error budget left, burn rate per window, alert —
    /// and exit like a monitoring plugin: 0 ok, 1 ticket, 2 page, 3 unknown (or an error).
    Slo {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The operator's notebook: list its entries, write one, or export it for a hand-over.
    ///
    /// Each dashboard has its own notebook, a JSON-lines file (one entry a line, appended and
    /// synced to disk as it is written) at $XDG_DATA_HOME/capcom/notebooks/<dashboard>.jsonl,
    /// or ~/.local/share/capcom/notebooks/ without $XDG_DATA_HOME; <dashboard> is the
    /// dashboard's title made a file name (the demo's is mars-rover-sol-1). In the dashboard,
    /// n writes a note and N lists them. With no option this lists the entries.
    #[command(args_conflicts_with_subcommands = true)]
    Notebook {
        /// Print the notebook as a hand-over report: md (Markdown) or html.
        #[arg(long, value_name = "FORMAT")]
        export: Option<NotebookFormat>,
        /// Write the report to FILE (whole, or not at all) instead of standard output.
        #[arg(long, value_name = "FILE", requires = "export")]
        out: Option<PathBuf>,
        /// Write an entry instead.
        #[command(subcommand)]
        command: Option<NotebookCommand>,
    },
    /// Run the rover world simulator (the capcom-sim binary, given the same arguments): write a
    /// recording of one sol (--write-recording), or run it live with any of its outputs: metrics
    /// for a Prometheus to scrape (--metrics-listen), events into OpenSearch (--opensearch),
    /// traces over OTLP (--otlp-endpoint). `capcom simulate --help` shows its options.
    #[command(disable_help_flag = true)]
    Simulate {
        /// The simulator's arguments.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "ARGS"
        )]
        args: Vec<std::ffi::OsString>,
    },
}

/// A notebook report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NotebookFormat {
    /// Markdown.
    Md,
    /// One HTML page.
    Html,
}

/// `capcom notebook`'s own subcommands.
#[derive(Debug, Subcommand)]
pub enum NotebookCommand {
    /// Write a note, stamped with the time now (wall clock, not the time conductor's): TEXT,
    /// or standard input when no TEXT is given (several lines kept as they are).
    Add {
        /// The note; none reads standard input.
        text: Option<String>,
    },
}

/// A duration: `30s`, `10m`, `2h`, `1h30m`…, or a bare number of seconds (`5`, `0.5`).
fn parse_duration(s: &str) -> Result<f64, String> {
    let seconds = match s.trim().parse::<f64>() {
        Ok(n) => Some(n),
        Err(_) => humantime::parse_duration(s.trim())
            .ok()
            .map(|d| d.as_secs_f64()),
    };
    match seconds {
        Some(n) if n.is_finite() && n > 0.0 => Ok(n),
        Some(_) => Err(format!("{s:?}: a duration must be more than 0")),
        None => Err(format!(
            "{s:?} is not a duration like 30s, 10m or 2h (a bare number is seconds)"
        )),
    }
}

/// A duration within `range` seconds: the flag takes what the config key takes.
fn parse_duration_in(s: &str, range: &std::ops::RangeInclusive<f64>) -> Result<f64, String> {
    let secs = parse_duration(s)?;
    if range.contains(&secs) {
        Ok(secs)
    } else {
        Err(format!(
            "{s:?} is out of range: give {} to {}",
            crate::config::human_secs(*range.start()),
            crate::config::human_secs(*range.end())
        ))
    }
}

fn parse_interval(s: &str) -> Result<f64, String> {
    parse_duration_in(s, &crate::config::INTERVAL_SECS)
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    parse_duration_in(s, &crate::config::TIMEOUT_SECS)
}

/// A speed factor: more than 0, at most 100000.
///
/// # Errors
/// A message saying what is accepted.
pub fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 100_000.0 => Ok(v),
        Ok(_) => Err(format!(
            "{s:?}: a speed must be more than 0 and at most 100000 (1 is real time)"
        )),
        Err(_) => Err(format!(
            "{s:?} is not a speed: a number more than 0 and at most 100000 (1 is real time)"
        )),
    }
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let err = || format!("{s:?} is not a size like 160x48");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(err)?;
    let (w, h) = (
        w.trim().parse::<u16>().map_err(|_| err())?,
        h.trim().parse::<u16>().map_err(|_| err())?,
    );
    if w == 0 || h == 0 {
        return Err(err());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_speeds_are_checked() {
        assert_eq!(parse_size("160x48"), Ok((160, 48)));
        assert!(parse_size("160").is_err());
        assert!(parse_size("0x10").is_err());
        assert!(parse_speed("0").is_err());
        assert_eq!(parse_speed("60"), Ok(60.0));
    }

    #[test]
    fn a_bare_number_is_seconds_and_the_errors_say_what_is_accepted() {
        assert_eq!(parse_duration("5"), Ok(5.0));
        assert_eq!(parse_duration("0.5"), Ok(0.5));
        assert_eq!(parse_duration("5s"), Ok(5.0));
        assert_eq!(parse_duration("1h30m"), Ok(5400.0));
        for bad in ["0", "0s", "-5", "NaN", "inf"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        let e = parse_duration("soon").expect_err("not a duration");
        assert!(
            e.contains("30s") && e.contains("bare number is seconds"),
            "{e}"
        );
        let e = parse_speed("0").expect_err("zero");
        assert!(e.contains("more than 0 and at most 100000"), "{e}");
        assert!(!e.contains("between"), "{e}");
        assert!(parse_speed("100001").is_err());
        assert_eq!(parse_speed("100000"), Ok(100_000.0));
    }

    #[test]
    fn the_interval_flag_takes_a_bare_number_of_seconds() {
        let cli = Cli::try_parse_from(["capcom", "--prometheus-interval", "5"]).expect("parses");
        assert_eq!(cli.open.prometheus_flags.prometheus_interval, Some(5.0));
    }

    #[test]
    fn prometheus_flags_take_the_config_ranges() {
        assert_eq!(parse_interval("1s"), Ok(1.0));
        assert!(parse_interval("10ms").is_err(), "a poll storm");
        assert!(parse_interval("2d").is_err());
        assert_eq!(parse_timeout("100ms"), Ok(0.1));
        assert_eq!(
            parse_timeout("1h"),
            Err("\"1h\" is out of range: give 100ms to 10m".into())
        );
    }

    use clap::CommandFactory;

    #[test]
    fn read_only_is_a_flag_that_only_turns_it_on() {
        let flag = |args: &[&str]| Cli::try_parse_from(args).map(|c| c.open.read_only).ok();
        assert_eq!(flag(&["capcom", "--read-only"]), Some(true));
        assert_eq!(flag(&["capcom", "check", "--read-only"]), Some(true));
        assert_eq!(flag(&["capcom", "--read-only=false"]), None, "no way off");
        // CAPCOM_READ_ONLY is the flag's variable (tests/alertmanager_live.rs sets it).
        let env = Cli::command()
            .get_arguments()
            .find(|a| a.get_id() == "read_only")
            .and_then(|a| a.get_env().map(ToOwned::to_owned));
        assert_eq!(
            env.as_deref(),
            Some(std::ffi::OsStr::new("CAPCOM_READ_ONLY"))
        );
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
