//! cargo-fuzz target `manifest`: the body is `capcom_fuzz::manifest` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::manifest(data));
