//! cargo-fuzz target `opensearch`: the body is `capcom_fuzz::opensearch` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::opensearch(data));
