//! The README cannot drift from the code: every key binding and every theme role is in it.

use capcom::keymap::BINDINGS;
use capcom::theme::ROLE_NAMES;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn every_binding_is_documented() {
    let readme = readme();
    for b in BINDINGS {
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
