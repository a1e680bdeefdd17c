//! cargo-fuzz target `alertmanager`: the body is `capcom_fuzz::alertmanager` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::alertmanager(data));
