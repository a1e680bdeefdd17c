//! The simulator's command line (`capcom-sim`, and `capcom simulate`, which runs it with the
//! same arguments) and what it runs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, bail, eyre};

use crate::{live, recording};

/// Run the rover world simulator: write a recording of one sol (--write-recording), or run
/// it live with any of its outputs: metrics for a Prometheus to scrape (--metrics-listen),
/// events into OpenSearch (--opensearch), traces over OTLP (--otlp-endpoint).
#[derive(Debug, Parser)]
#[command(name = "capcom-sim", version, about, long_about)]
#[expect(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, not rustdoc"
)]
pub struct Cli {
    /// Write a recording of one sol to DIR (the bundled fixtures/mars-rover is made this way).
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present_any = ["metrics_listen", "opensearch", "otlp_endpoint"]
    )]
    pub write_recording: Option<PathBuf>,
    /// Run live and serve /metrics (OpenMetrics text) on this address, e.g. 127.0.0.1:9184.
    #[arg(long, value_name = "ADDR", conflicts_with = "write_recording")]
    pub metrics_listen: Option<SocketAddr>,
    /// Run live and index the events into this OpenSearch (a template, then _bulk into
    /// daily rover-events-YYYY.MM.DD indices), e.g. http://127.0.0.1:9200.
    #[arg(long, value_name = "URL", conflicts_with = "write_recording")]
    pub opensearch: Option<String>,
    /// Run live and send the traces over OTLP/HTTP to this endpoint (OpenTelemetry's
    /// SDK and exporter), e.g. http://127.0.0.1:4318 for Jaeger.
    #[arg(long, value_name = "URL", conflicts_with = "write_recording")]
    pub otlp_endpoint: Option<String>,
    /// Live: world seconds per wall-clock second.
    #[arg(long = "sim-speed", value_name = "N", default_value_t = 1.0, value_parser = capcom::cli::parse_speed)]
    pub sim_speed: f64,
    /// Live: the world time to start at, seconds since the sol's start (default: where the
    /// bundled replay starts, five minutes into the wheel slip).
    #[arg(long, value_name = "SECONDS", default_value_t = recording::REPLAY_FROM)]
    pub from: f64,
    /// The world's random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Runs what the command line asks.
///
/// # Errors
/// A bad URL, an output that cannot start, a recording that cannot be written.
pub fn run(cli: Cli) -> Result<()> {
    if cli.metrics_listen.is_some() || cli.opensearch.is_some() || cli.otlp_endpoint.is_some() {
        for (flag, url) in [
            ("--opensearch", &cli.opensearch),
            ("--otlp-endpoint", &cli.otlp_endpoint),
        ] {
            if let Some(url) = url {
                capcom::config::validate_url(url, None).map_err(|e| eyre!("{flag}: {e}"))?;
            }
        }
        return live::run(&live::Options {
            seed: cli.seed,
            metrics_listen: cli.metrics_listen,
            opensearch: cli.opensearch,
            otlp_endpoint: cli.otlp_endpoint,
            speed: cli.sim_speed,
            from: cli.from,
        });
    }
    let Some(dir) = cli.write_recording else {
        bail!("give --write-recording DIR or --metrics-listen ADDR");
    };
    recording::write(&dir, cli.seed)
        .wrap_err_with(|| format!("writing the recording to {}", dir.display()))?;
    eprintln!(
        "wrote a recording of one sol (seed {}) to {}",
        cli.seed,
        dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
