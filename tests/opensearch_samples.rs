//! The OpenSearch parsers on every real response in `tests/fixtures/opensearch/` (copied from
//! `shared/samples/`; provenance in `tests/fixtures/SAMPLES-README.md`), and on thousands of
//! mutations of them: whatever bytes arrive, the parser answers and never panics.

mod common;

use std::path::Path;

use capcom::model::event::Level;
use capcom::source::opensearch::{FieldMap, SearchError, parse_search, to_event};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/opensearch")
            .join(name),
    )
    .expect(name)
}

#[test]
fn a_search_after_page_gives_hits_with_their_sort_values() {
    let page = parse_search(&fixture("search_after_sort_values_shakespeare.json")).expect("parses");
    assert_eq!(page.total, Some(4244));
    assert!(page.warnings.is_empty());
    assert!(!page.hits.is_empty());
    assert_eq!(page.hits[0].id, "32435");
    assert_eq!(
        page.hits[0].sort,
        vec![serde_json::json!(1), serde_json::json!(32436)]
    );
    let last = page.hits.last().expect("a hit");
    assert_eq!(last.sort.len(), 2, "the cursor for the next page");
}

#[test]
fn a_data_stream_hit_maps_to_an_event_with_a_zoneless_timestamp() {
    let page = parse_search(&fixture("data_stream_search_timestamp.json")).expect("parses");
    let hit = &page.hits[0];
    assert_eq!(hit.index, ".ds-logs-redis-000001");
    let e = to_event(hit, &FieldMap::default());
    assert_eq!(
        e.t,
        Some(1_362_096_000.0),
        "2013-03-01T00:00:00 read as UTC"
    );
    assert_eq!(e.message, "login attempt");
    assert_eq!(e.level, Level::Unknown);
}

#[test]
fn the_error_envelope_is_one_readable_line() {
    let e = parse_search(&fixture("error_search_phase_execution_500.json")).expect_err("an error");
    assert_eq!(
        e.to_string(),
        "search_phase_execution_exception: all shards failed (task_cancelled_exception: cancelled task with reason: cpu usage exceeded [17.9ms >= 15ms], elapsed time exceeded [1.1s >= 300ms])"
    );
    assert!(matches!(e, SearchError::Api { .. }));
}

#[test]
fn no_input_makes_the_parser_panic() {
    let map = FieldMap::default();
    for bytes in common::mutants("opensearch", 6_000, 42) {
        if let Ok(page) = parse_search(&bytes) {
            for hit in &page.hits {
                let _ = to_event(hit, &map);
            }
        }
    }
    let mut state = 42;
    let random: Vec<u8> = (0..4096).map(|_| common::next(&mut state) as u8).collect();
    assert!(parse_search(&random).is_err());
    assert!(parse_search(b"").is_err());
}
