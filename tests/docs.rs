//! The README cannot drift from the code: every key binding and every theme role is in it.

use capcom::config::theme::ROLE_NAMES;
use capcom::keymap::help_lines;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn every_binding_is_documented() {
    let readme = readme();
    for b in help_lines() {
        assert!(
            readme.contains(b.what),
            "README lacks the binding {:?}: {}",
            b.keys,
            b.what
        );
    }
}

#[test]
fn every_theme_role_is_documented() {
    let readme = readme();
    for role in ROLE_NAMES {
        assert!(
            readme.contains(&format!("`{role}`")),
            "README lacks the theme role `{role}`"
        );
    }
}

#[test]
fn the_slo_example_in_the_readme_parses() {
    let readme = readme();
    let section = &readme[readme.find("### SLOs").expect("an SLO section")..];
    let start = section.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let block = &section[start..start + section[start..].find("```").expect("its end")];
    let text = format!("{block}\n[[layout.column]]\npanes = [{{ id = \"slo\" }}]\n");
    let config = capcom::config::parse(&text, "README.md").expect("the README's example parses");
    let kinds: Vec<&str> = config.slos.iter().map(|s| s.sli.kind()).collect();
    assert_eq!(kinds, ["ratio", "latency", "sloth", "pyrra"]);
    assert_eq!(
        config.slos[3].rules.len(),
        1,
        "its own rule replaces the Workbook's"
    );
}

/// The README's fenced blocks: (info string, body).
fn blocks(readme: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in readme.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn toml_blocks() -> Vec<String> {
    blocks(&readme())
        .into_iter()
        .filter(|(info, _)| info == "toml")
        .map(|(_, body)| body)
        .collect()
}

/// A README fragment made a whole configuration: a layout naming its panes (or one chart
/// pane, if it has none), as a file of one's own would have.
fn completed(fragment: &str) -> String {
    let value: toml::Table = toml::from_str(fragment).expect("TOML");
    if value.contains_key("layout") {
        return fragment.to_owned();
    }
    let mut ids: Vec<String> = value
        .get("pane")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("id")?.as_str().map(str::to_owned))
        .collect();
    let mut text = fragment.to_owned();
    if ids.is_empty() {
        text.push_str(
            "\n[[pane]]\nid = \"doc\"\nkind = \"chart\"\n[[pane.series]]\nquery = \"up\"\n",
        );
        ids.push("doc".into());
    }
    let panes: Vec<String> = ids.iter().map(|id| format!("{{ id = {id:?} }}")).collect();
    text.push_str("\n[[layout.column]]\npanes = [");
    text.push_str(&panes.join(", "));
    text.push_str("]\n");
    text
}

#[test]
fn every_toml_example_in_the_readme_parses() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut kinds = Vec::new();
    for (i, block) in toml_blocks().iter().enumerate() {
        if block.lines().any(|l| l.starts_with("format =")) {
            let manifest: Result<capcom::source::recording::Manifest, _> = toml::from_str(block);
            manifest.unwrap_or_else(|e| panic!("the README's manifest:\n{block}\n{e}"));
            kinds.push("manifest");
        } else if block.contains("[roles]") || block.contains("[palette]") {
            let path = dir.path().join(format!("theme-{i}.toml"));
            std::fs::write(&path, block).expect("write");
            capcom::config::theme::Theme::load(path.to_str().expect("utf-8"))
                .unwrap_or_else(|e| panic!("the README's theme:\n{block}\n{e}"));
            kinds.push("theme");
        } else {
            capcom::config::parse(&completed(block), "README.md")
                .unwrap_or_else(|e| panic!("the README's configuration:\n{block}\n{e}"));
            kinds.push("config");
        }
    }
    assert!(
        kinds.iter().filter(|k| **k == "config").count() >= 5,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"theme") && kinds.contains(&"manifest"),
        "{kinds:?}"
    );
}

/// Splits a shell line into words: quotes kept together, and the line ends at a comment,
/// a pipe, a redirection, `&` or `;` (what follows is not capcom's).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            // A `#` inside a word (`#rrggbb`) is not a comment.
            (None, '#') if !started => break,
            (None, '|' | '>' | '&' | ';' | '\\') => break,
            (None, c) => {
                // `2>` is a redirection too.
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    if out.last().is_some_and(|w| w == "2") {
        out.pop();
    }
    out
}

/// Every `capcom …` command line the README shows (in `sh` blocks, and after `$ ` in
/// output examples), and the arguments of `cargo run -- …`, as argv.
fn command_lines() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (info, body) in blocks(&readme()) {
        for line in body.lines() {
            let line = line.trim();
            let line = match line.strip_prefix("$ ") {
                Some(rest) => rest,
                None if info == "sh" => line,
                None => continue,
            };
            let mut argv = words(line);
            if argv.first().is_some_and(|w| w == "cargo") && argv.get(1).is_some_and(|w| w == "run")
            {
                let Some(dashes) = argv.iter().position(|w| w == "--") else {
                    argv = vec!["capcom".into()];
                    out.push(argv);
                    continue;
                };
                if argv[..dashes].iter().any(|w| w == "capcom-sim") {
                    continue; // the simulator's own command line: sim/tests/docs.rs
                }
                argv.drain(..=dashes);
                argv.insert(0, "capcom".into());
            }
            if argv.first().is_some_and(|w| w == "capcom") {
                out.push(argv);
            }
        }
    }
    out
}

#[test]
fn every_capcom_command_line_in_the_readme_parses() {
    use clap::Parser as _;
    use clap::error::ErrorKind;
    let lines = command_lines();
    assert!(
        lines.len() >= 25,
        "{} command lines found: {lines:?}",
        lines.len()
    );
    for argv in &lines {
        match capcom::cli::Cli::try_parse_from(argv) {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {}
            Err(e) => panic!("the README's `{}` does not parse:\n{e}", argv.join(" ")),
        }
    }
}

#[test]
fn the_shell_line_splitter_keeps_only_capcoms_words() {
    assert_eq!(
        words("capcom --replay DIR --speed 60   # a minute a second"),
        ["capcom", "--replay", "DIR", "--speed", "60"]
    );
    assert_eq!(
        words("capcom simulate --metrics-listen 127.0.0.1:9184 2> sim.log &"),
        ["capcom", "simulate", "--metrics-listen", "127.0.0.1:9184"]
    );
    assert_eq!(
        words(r#"capcom --theme "my theme.toml" | less"#),
        ["capcom", "--theme", "my theme.toml"]
    );
}

/// Every key (at any depth) of a TOML document, but not the names inside `headers` and
/// `[palette]`, which are the user's own.
fn keys(value: &toml::Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                out.insert(k.clone());
                if k != "headers" && k != "palette" {
                    keys(v, out);
                }
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn the_example_config_parses_and_holds_every_key_the_readme_shows() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/capcom.toml");
    let text = std::fs::read_to_string(path).expect("examples/capcom.toml");
    let config = capcom::config::parse(&text, path).expect("the example parses");
    assert!(config.prometheus.is_some() && config.opensearch.is_some() && config.jaeger.is_some());
    let kinds: Vec<&str> = config.slos.iter().map(|s| s.sli.kind()).collect();
    assert_eq!(kinds, ["ratio", "latency", "sloth", "pyrra"]);
    let mut have = std::collections::BTreeSet::new();
    keys(&toml::from_str(&text).expect("TOML"), &mut have);
    // Keys the example shows only in a comment, as one of two ways to say the same thing.
    for commented in ["password-file", "token-file", "selector"] {
        assert!(text.contains(&format!("{commented} =")), "{commented}");
        have.insert(commented.into());
    }
    for block in toml_blocks() {
        if block.lines().any(|l| l.starts_with("format =")) || block.contains("[roles]") {
            continue;
        }
        let mut shown = std::collections::BTreeSet::new();
        keys(&toml::from_str(&block).expect("TOML"), &mut shown);
        let missing: Vec<&String> = shown.difference(&have).collect();
        assert!(
            missing.is_empty(),
            "examples/capcom.toml lacks {missing:?}, which the README shows"
        );
    }
}
