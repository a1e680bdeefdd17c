//! cargo-fuzz target `config`: the body is `capcom_fuzz::config` (fuzz/targets.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| capcom_fuzz::config(data));
