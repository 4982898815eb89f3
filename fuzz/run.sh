#!/usr/bin/env bash
# Fuzzes the request path with AFL++ for MINUTES (default 10) per target, on stable Rust.
#
#   fuzz/run.sh [MINUTES]
#
# Needs Debian's afl++ and cargo-afl (the script installs them when missing):
#   apt-get install -y afl++ && cargo install cargo-afl
#
# Results land in fuzz/out/<target>/ (AFL's own layout); crash inputs are copied to
# fuzz/regressions/, which `cargo test --test properties` replays, so commit them once
# the bug is fixed. Environment, all optional:
#   CARGO_TARGET_DIR   where to build (default fuzz/target); the AFL build goes in afl/ under it
#   AFL_SKIP_CPUFREQ=1 AFL++ otherwise refuses to start unless the CPU governor is
#                      "performance", which a VM or container cannot change
#   AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
#                      AFL++ otherwise refuses to start when core dumps go to a
#                      handler (apport, systemd-coredump) it cannot change here
#   AFL_NO_UI=1        plain status lines instead of the full-screen display, for logs and CI
#   AFL_TRY_AFFINITY=1 bind to a free core if there is one, run anyway if not
#   FUZZ_TIMEOUT_MS    per-input time limit before an input counts as a hang (default 2000)
set -euo pipefail

minutes="${1:-10}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || [ "$minutes" -lt 1 ]; then
    echo "usage: $0 [MINUTES]" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

export AFL_SKIP_CPUFREQ="${AFL_SKIP_CPUFREQ:-1}"
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="${AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES:-1}"
export AFL_NO_UI="${AFL_NO_UI:-1}"
export AFL_TRY_AFFINITY="${AFL_TRY_AFFINITY:-1}"
# Our own seeds may be slow on the first run (fresh database); do not drop them.
export AFL_SKIP_CRASHES="${AFL_SKIP_CRASHES:-1}"
timeout_ms="${FUZZ_TIMEOUT_MS:-2000}"

if ! command -v afl-fuzz >/dev/null 2>&1 && ! [ -d "$HOME/.local/share/afl.rs" ]; then
    apt-get install -y afl++
fi
if ! cargo afl --version >/dev/null 2>&1; then
    cargo install cargo-afl
fi

target_dir="${CARGO_TARGET_DIR:-$here/target}"
afl_target_dir="$target_dir/afl"
mkdir -p "$afl_target_dir"

# One instrumented build of both binaries: the seed writer runs as a plain program
# when AFL is not driving it.
CARGO_TARGET_DIR="$afl_target_dir" cargo afl build --release
binary="$afl_target_dir/release/request"
# The seeds carry the harness admin's CSRF token: rewrite them, so they stay valid
# whatever changed in the token's format.
"$afl_target_dir/release/seeds" "$here/seeds"

targets=(request)
status=0
for target in "${targets[@]}"; do
    out="$here/out/$target"
    rm -rf "$out"
    mkdir -p "$out"
    echo "fuzzing $target for $minutes minutes; output in $out"
    # -V: stop after this many seconds; -t: per-input limit in ms.
    # The binary's stdout and stderr go to /dev/null under AFL.
    cargo afl fuzz -i "$here/seeds" -o "$out" -V "$((minutes * 60))" -t "$timeout_ms" \
        -- "$binary" >"$out/afl.log" 2>&1 || {
        echo "afl-fuzz failed; its last lines:" >&2
        tail -n 20 "$out/afl.log" >&2
        status=1
        continue
    }
    stats="$out/default/fuzzer_stats"
    stat() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
    echo "$target: $(stat execs_done) executions in $(stat run_time) s ($(stat execs_per_sec)/s)," \
        "$(stat corpus_count) inputs in the corpus, edges found $(stat edges_found)," \
        "$(stat saved_crashes) crashes, $(stat saved_hangs) hangs"
    shopt -s nullglob
    for crash in "$out"/default/crashes/id:*; do
        name="$target-$(sha256sum "$crash" | cut -c1-16)"
        cp "$crash" "$here/regressions/$name"
        echo "crash kept as fuzz/regressions/$name"
    done
    for hang in "$out"/default/hangs/id:*; do
        echo "hang: $hang (replay it with: cargo test --test properties, after copying it to fuzz/regressions/)"
    done
    shopt -u nullglob
    if [ "$(stat saved_crashes)" != "0" ]; then
        status=1
    fi
done
exit "$status"
