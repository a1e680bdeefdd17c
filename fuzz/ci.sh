#!/usr/bin/env bash
# CI fuzz step: every cargo-fuzz target for FUZZ_SECONDS seconds (default 15) when a nightly
# toolchain works, two at a time (one per core); failing on any crash, hang (-timeout) or
# runaway memory (-rss_limit_mb), and printing the input that did it. Without nightly, or when
# cargo-fuzz cannot be installed, it runs the stable fallback (tests/fuzz_smoke.rs: the same
# target bodies over the seeds and their mutations) and says so.
#
#   fuzz/ci.sh                  from anywhere; FUZZ_SECONDS=60 fuzz/ci.sh for a longer run
#
# The fuzzer's new inputs go to a scratch folder, so the committed seeds in fuzz/corpus stay as
# they are; findings land in fuzz/artifacts/<target>/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

secs="${FUZZ_SECONDS:-15}"
targets=(prometheus jaeger_v1 jaeger_v3 opensearch config manifest theme)

stable_fallback() {
  echo "fuzz: $1; running the stable fallback instead of libFuzzer:"
  echo "fuzz:   cargo test --locked --test fuzz_smoke (seeds, mutations, deep nesting)"
  cargo test --locked --test fuzz_smoke
  exit 0
}

if ! cargo +nightly --version >/dev/null 2>&1; then
  stable_fallback "no nightly toolchain (cargo +nightly does not run)"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  started=$SECONDS
  cargo install --locked cargo-fuzz >/dev/null 2>&1 ||
    stable_fallback "cargo install --locked cargo-fuzz failed"
  echo "fuzz: cargo-fuzz installed in $((SECONDS - started)) s"
fi
cargo +nightly --version
cargo fuzz --version

# Release with debug assertions (cargo-fuzz's default), no sanitizer: capcom forbids unsafe
# code, so AddressSanitizer would find little and costs build and run time; 16 codegen units
# build several times faster than the default one.
build=(-O -s none --codegen-units 16)
started=$SECONDS
(cd fuzz && cargo +nightly fuzz build "${build[@]}")
echo "fuzz: targets built in $((SECONDS - started)) s"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
run_one() {
  local t="$1" dict=json.dict
  case "$t" in config | manifest | theme) dict=toml.dict ;; esac
  mkdir -p "$scratch/$t"
  (cd fuzz && cargo +nightly fuzz run "${build[@]}" "$t" "$scratch/$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -dict="dict/$dict" -print_final_stats=1) >"$scratch/$t.log" 2>&1
}

failed=()
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    run_one "$t" &
    pids+=("$!:$t")
  done
  for p in "${pids[@]}"; do
    t="${p#*:}"
    if wait "${p%%:*}"; then
      runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$t.log" | grep -o '[0-9]*$' || true)"
      echo "fuzz: $t ok, ${runs:-?} executions in ${secs} s"
    else
      failed+=("$t")
      echo "fuzz: $t FAILED; the end of its log:"
      tail -n 40 "$scratch/$t.log"
    fi
  done
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}; the inputs are in fuzz/artifacts/<target>/"
  exit 1
fi
echo "fuzz: every target ran ${secs} s without a crash, hang or memory blow-up"
