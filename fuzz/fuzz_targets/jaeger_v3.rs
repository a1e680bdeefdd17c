//! cargo-fuzz target `jaeger_v3`: the body is `capcom_fuzz::jaeger_v3` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::jaeger_v3(data));
