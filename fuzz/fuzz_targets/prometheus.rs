//! cargo-fuzz target `prometheus`: the body is `capcom_fuzz::prometheus` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::prometheus(data));
