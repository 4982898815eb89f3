#!/usr/bin/env bash
# Fuzzes with AFL++ for MINUTES (default 10) per target, on stable Rust:
#
#   fuzz/run.sh [MINUTES] [TARGET…]      targets: request image (default: both)
#
# - request: raw bytes of one HTTP/1.1 connection through the whole request path
#   (src/bin/request.rs); a panic, a 500 or a hang is a finding.
# - image: an uploaded file through the image pipeline alone (src/bin/image.rs); a
#   panic, an `Encoding` error, or an input over the time or memory limit is a finding.
#
# Before fuzzing, every seed runs once outside AFL (`--replay`), with its time and
# what each request got: a seed that fails or hangs stops the run (AFL++ would skip it
# silently), and the request target must show each class (login, signup, password,
# upload, comment, admin) answered. After it, fuzz/runs/DATE-TARGET.md gets AFL's
# fuzzer_stats numbers, the requests served per class and status, and the load of the
# machine: commit it. Findings are minimised (afl-tmin) into fuzz/regressions/ (request)
# and fuzz/regressions/image/ (image), which `cargo test --test properties` replays:
# commit them with their fix.
#
# Needs cargo-afl (installed when missing: `cargo install cargo-afl`, then
# `cargo afl config --build`). Environment, all optional:
#   CARGO_TARGET_DIR   where to build (default fuzz/target); the AFL build goes in afl/ under it
#   FUZZ_TIMEOUT_MS    per-input time limit of the request target (default 2000); the image
#                      target's is FUZZ_IMAGE_TIMEOUT_MS (default 3000, see NOTES.md)
#   FUZZ_MEMORY_MB     per-input memory limit, both targets (default 1024, see NOTES.md)
#   FUZZ_TMIN_SECONDS  time for afl-tmin per finding (default 180), else kept as found
#   AFL_FUZZER_LOOPCOUNT  inputs per forked child before it exits and a fresh one (with a
#                      fresh blog) takes over (default 1000)
# and, set here unless already set:
#   AFL_SKIP_CPUFREQ=1 AFL++ otherwise refuses to start unless the CPU governor is
#                      "performance", which a VM or container cannot change
#   AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
#                      AFL++ otherwise refuses to start when core dumps go to a
#                      handler (apport, systemd-coredump) it cannot change here
#   AFL_NO_UI=1        plain status lines instead of the full-screen display, for logs and CI
#   AFL_TRY_AFFINITY=1 bind to a free core if there is one, run anyway if not
set -euo pipefail

minutes="${1:-10}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || [ "$minutes" -lt 1 ]; then
    echo "usage: $0 [MINUTES] [request|image]…" >&2
    exit 2
fi
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(request image)
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

export AFL_SKIP_CPUFREQ="${AFL_SKIP_CPUFREQ:-1}"
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="${AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES:-1}"
export AFL_NO_UI="${AFL_NO_UI:-1}"
export AFL_TRY_AFFINITY="${AFL_TRY_AFFINITY:-1}"
export AFL_FUZZER_LOOPCOUNT="${AFL_FUZZER_LOOPCOUNT:-1000}"
# Not AFL_SKIP_CRASHES: a seed that crashes is a finding, and the replay below has
# already refused the run.
unset AFL_SKIP_CRASHES
memory_mb="${FUZZ_MEMORY_MB:-1024}"

if ! cargo afl --version >/dev/null 2>&1; then
    cargo install cargo-afl
    cargo afl config --build
fi

target_dir="${CARGO_TARGET_DIR:-$here/target}"
afl_target_dir="$target_dir/afl"
mkdir -p "$afl_target_dir" "$here/runs" "$here/regressions/image"

# One instrumented build of every binary: the seed writer runs as a plain program
# when AFL is not driving it.
CARGO_TARGET_DIR="$afl_target_dir" cargo afl build --release
# The seeds carry the harness admin's CSRF token: rewrite them, so they stay valid
# whatever changed in the token's format.
"$afl_target_dir/release/seeds" "$here/seeds" "$here/seeds-image"

status=0
for target in "${targets[@]}"; do
    case "$target" in
        request) seeds="$here/seeds" timeout_ms="${FUZZ_TIMEOUT_MS:-2000}" found="$here/regressions" ;;
        image) seeds="$here/seeds-image" timeout_ms="${FUZZ_IMAGE_TIMEOUT_MS:-3000}" found="$here/regressions/image" ;;
        *) echo "unknown target $target (request or image)" >&2; exit 2 ;;
    esac
    binary="$afl_target_dir/release/$target"
    out="$here/out/$target"
    rm -rf "$out"
    mkdir -p "$out/tally" "$out/work"
    stamp="$(date -u +%Y-%m-%dT%H%M)"
    summary="$here/runs/$stamp-$target.md"

    echo "== $target: every seed once, outside AFL (time, then what each request got)"
    replay_failed=0
    : >"$out/replay.txt"
    for seed in "$seeds"/*; do
        if ! FUZZ_WORK_DIR="$out/work" timeout "$(( timeout_ms / 1000 + 10 ))" \
            "$binary" --replay "$seed" >>"$out/replay.txt" 2>"$out/replay.err"; then
            echo "$(basename "$seed"): FAILED or timed out; $(tail -n 3 "$out/replay.err")" >>"$out/replay.txt"
            replay_failed=1
        fi
    done
    cat "$out/replay.txt"
    if [ "$target" = request ]; then
        for class in login signup password upload comment admin; do
            if ! grep -Eq "(  |, )$class [0-9]+" "$out/replay.txt"; then
                echo "no seed reached the $class handler" >&2
                replay_failed=1
            fi
        done
    fi
    if [ "$replay_failed" = 1 ]; then
        echo "error: a seed failed before fuzzing; fix it (AFL++ would skip it silently)" >&2
        status=1
        continue
    fi

    echo "== fuzzing $target for $minutes minutes (-t $timeout_ms ms, -m $memory_mb MB); output in $out"
    load_before="$(uptime)"
    # -V: stop after this many seconds. The binary's stdout and stderr go to /dev/null
    # under AFL; afl.log is AFL's own, and its warnings are shown below.
    FUZZ_TALLY_DIR="$out/tally" FUZZ_WORK_DIR="$out/work" \
        cargo afl fuzz -i "$seeds" -o "$out" -V "$((minutes * 60))" -t "$timeout_ms" -m "$memory_mb" \
        -- "$binary" >"$out/afl.log" 2>&1 || {
        echo "afl-fuzz failed; its last lines:" >&2
        tail -n 30 "$out/afl.log" >&2
        status=1
        continue
    }
    load_after="$(uptime)"
    # AFL++ names the seeds it did not run ("skipping", "timeout") in its dry run.
    # Instability is expected: each child starts a fresh blog whose state the inputs
    # change, so it is counted, not listed.
    sed 's/\x1b\[[0-9;]*m//g' "$out/afl.log" >"$out/afl.txt"
    echo "AFL++ warnings: $(grep -c 'instability detected' "$out/afl.txt" || true) inputs flagged unstable in calibration (expected, see above); the others:"
    grep -E 'WARNING|skipping|timeout|Statistics' "$out/afl.txt" | grep -v 'instability detected' | sort | uniq -c || true
    if grep -Eqi 'skipping|results in a timeout' "$out/afl.txt"; then
        echo "error: AFL++ skipped a seed (above); fix it or raise the time limit" >&2
        status=1
    fi

    stats="$out/default/fuzzer_stats"
    afl_stat() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
    echo "$target: $(afl_stat execs_done) executions in $(afl_stat run_time) s ($(afl_stat execs_per_sec)/s)," \
        "$(afl_stat corpus_count) inputs in the corpus, edges found $(afl_stat edges_found)," \
        "$(afl_stat saved_crashes) crashes, $(afl_stat saved_hangs) hangs"
    tally="$(cat "$out"/tally/*.tally 2>/dev/null \
        | awk '{ n[$1 " " $2] += $3 } END { for (k in n) print k, n[k] }' | sort)"
    {
        echo "# Fuzzing run: $target, $stamp UTC"
        echo
        echo "\`fuzz/run.sh $minutes $target\` at commit $(git -C "$here" rev-parse --short HEAD)" \
            "(work tree $(git -C "$here" diff --quiet HEAD -- . ../src && echo clean || echo modified))," \
            "limits -t $timeout_ms ms and -m $memory_mb MB per input, AFL_FUZZER_LOOPCOUNT=$AFL_FUZZER_LOOPCOUNT."
        echo "Machine: $(nproc) cores shared with other builds; load before: \`$load_before\`; after: \`$load_after\`."
        echo
        echo "## fuzzer_stats"
        echo
        echo '```'
        grep -E '^(afl_version|run_time|execs_done|execs_per_sec|corpus_count|corpus_found|edges_found|total_edges|bitmap_cvg|stability|saved_crashes|saved_hangs|cycles_done|last_find|slowest_exec_ms|peak_rss_mb)\b' "$stats"
        echo '```'
        echo
        if [ "$target" = request ]; then
            echo "## Requests served by the forked children, by class and status"
            echo
            echo "Summed over the children that finished their $AFL_FUZZER_LOOPCOUNT inputs (a child"
            echo "killed by AFL, or still running at the end, wrote none)."
        else
            echo "## Inputs run by the forked children, by kind (first bytes) and result"
            echo
            echo "Summed over the children that finished their $AFL_FUZZER_LOOPCOUNT inputs."
        fi
        echo
        echo '```'
        echo "${tally:-none written}"
        echo '```'
        echo
        echo "## Seeds, replayed once before the run"
        echo
        echo '```'
        cat "$out/replay.txt"
        echo '```'
    } >"$summary"
    echo "summary written to ${summary#"$here/"}"
    echo "$tally"

    shopt -s nullglob
    for finding in "$out"/default/crashes/id:* "$out"/default/hangs/id:*; do
        kind=crash
        hang_flag=()
        if [[ "$finding" == */hangs/* ]]; then kind=hang; hang_flag=(-H); fi
        name="$target-$kind-$(sha256sum "$finding" | cut -c1-16)"
        # Minimising a hang runs it many times at up to the time limit each: bounded.
        if ! FUZZ_WORK_DIR="$out/work" timeout "${FUZZ_TMIN_SECONDS:-180}" \
            cargo afl tmin "${hang_flag[@]}" -t "$timeout_ms" -m "$memory_mb" \
            -i "$finding" -o "$found/$name" -- "$binary" >>"$out/tmin.log" 2>&1 \
            || ! [ -s "$found/$name" ]; then
            cp "$finding" "$found/$name"
        fi
        echo "$kind kept as ${found#"$here/"}/$name ($(stat -c %s "$found/$name") bytes)"
        echo "- $kind: ${found#"$here/"}/$name" >>"$summary"
    done
    shopt -u nullglob
    if [ "$(afl_stat saved_crashes)" != "0" ] || [ "$(afl_stat saved_hangs)" != "0" ]; then
        status=1
    fi
    rm -rf "$out/work"
done
exit "$status"
