//! cargo-fuzz target `jaeger_v1`: the body is `capcom_fuzz::jaeger_v1` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::jaeger_v1(data));
