#!/bin/sh
# bench/run.sh CORPUS OUT [covertheme-bench options...]
#
# Runs build/covertheme-bench over CORPUS (a directory, walked, or image files) and writes
# JSON lines to OUT; the table and progress go to stderr. Builds nothing: `make bench`
# builds the tools first. Extra arguments go to the harness after the defaults below, so
# they override them (e.g. `make bench BENCH_ARGS="--filter _1000 --samples 50"`).
#
# What it sets up, and why:
#  - COVERTHEME_COMMIT from git (describe --always --dirty), recorded in every line.
#  - Scheduling (tooling.md §0): on this shared 2-vCPU VM wall time is useless without
#    priority control (unpinned MAD 6-9 %, max/min up to 3.8x); `nice -n -20` does not
#    help because of sched_autogroup; `chrt -f 10 taskset -c 1` brings wall MAD to
#    0.03 %. So as root, with chrt and taskset present, the run is SCHED_FIFO priority 10
#    on CPU 1 (the last CPU on a 1-CPU machine). The harness sleeps briefly between samples
#    so RT throttling (950 ms per 1 s) does not land inside a sample. Thread CPU time,
#    compare.py's default metric, is robust either way. BENCH_NO_RT=1 disables this.
#  - LD_PRELOAD=build/libmcount.so so every line carries allocations per call.
#  - BENCH_LIB_DIR=DIR (optional) measures DIR/libcovertheme.so.1 instead of build/'s
#    (LD_LIBRARY_PATH beats the harness's RUNPATH); each line records lib_path. Used to
#    alternate runs of two builds with one harness (bench/README.md, "A/B").
#  - Sample counts: 30 per image (the harness default), for every image. BENCH_LARGE_SAMPLES=N
#    gives images of >= 3.5 MP (2000x2000, 3000x3000, the two large seeds) N samples instead,
#    for a quicker look: with library 0.1.0 (0.12-0.6 s per call, mostly k-means) the
#    154-image corpus takes 17 min with N = 12 and roughly twice that with the default 30.
#    Floors use the same counts; compare.py handles unequal n.
set -eu

usage() {
    echo "usage: sh bench/run.sh CORPUS OUT [covertheme-bench options...]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
CORPUS=$1
OUT=$2
shift 2

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/build/covertheme-bench"
MCOUNT="$ROOT/build/libmcount.so"

[ -x "$BENCH" ] || { echo "run.sh: $BENCH is missing; run 'make bench-tools' (or make bench)" >&2; exit 1; }
if [ ! -e "$CORPUS" ]; then
    echo "run.sh: corpus '$CORPUS' does not exist; build it with 'make corpus'" >&2
    exit 1
fi
mkdir -p "$(dirname "$OUT")"

COVERTHEME_COMMIT=$(git -C "$ROOT" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
export COVERTHEME_COMMIT

if [ -f "$MCOUNT" ]; then
    LD_PRELOAD="$MCOUNT${LD_PRELOAD:+ $LD_PRELOAD}"
    export LD_PRELOAD
else
    echo "run.sh: $MCOUNT missing: allocation counts will be null" >&2
fi

if [ -n "${BENCH_LIB_DIR:-}" ]; then
    [ -f "$BENCH_LIB_DIR/libcovertheme.so.1" ] || { echo "run.sh: no $BENCH_LIB_DIR/libcovertheme.so.1" >&2; exit 1; }
    LD_LIBRARY_PATH="$BENCH_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export LD_LIBRARY_PATH
fi

# Real-time priority and pinning only when we can have them.
set --  ${BENCH_LARGE_SAMPLES:+--large-samples "$BENCH_LARGE_SAMPLES"} --out "$OUT" "$@" "$CORPUS"
PREFIX=""
if [ "${BENCH_NO_RT:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v chrt >/dev/null 2>&1 \
        && command -v taskset >/dev/null 2>&1; then
    NCPU=$(nproc 2>/dev/null || echo 1)
    CPU=$((NCPU > 1 ? 1 : 0))
    # BENCH_CPUS=all keeps SCHED_FIFO but allows every CPU, so the library's worker pool can
    # use the second core (wall time is then the latency a player sees; thread CPU time
    # no longer covers the whole call). The default, one CPU, is for single-thread A/B.
    [ "${BENCH_CPUS:-one}" = all ] && CPU="0-$((NCPU - 1))"
    PREFIX="chrt -f 10 taskset -c $CPU"
    echo "run.sh: pinned: $PREFIX (SCHED_FIFO 10 on CPU $CPU)" >&2
else
    echo "run.sh: not pinned (needs root, chrt and taskset): wall times will be noisy;" \
         "compare on CPU time (compare.py's default)" >&2
fi
echo "run.sh: commit $COVERTHEME_COMMIT, corpus $CORPUS" >&2

status=0
# shellcheck disable=SC2086  # PREFIX is a word list on purpose
$PREFIX "$BENCH" "$@" || status=$?

echo "run.sh: results: $OUT ($(wc -l < "$OUT" 2>/dev/null || echo 0) lines)" >&2
if [ $status -ne 0 ]; then
    echo "run.sh: covertheme-bench exited with status $status (see FAILED/ERROR above)" >&2
fi
exit $status
