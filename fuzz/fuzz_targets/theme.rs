//! cargo-fuzz target `theme`: the body is `capcom_fuzz::theme` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::theme(data));
