#!/bin/sh
# bench/ab.sh BASE_REV CORPUS OUTDIR [covertheme-bench options...]
#
# The comparison that holds up on a shared VM: builds BASE_REV's library (git archive into
# build/ab/<rev>, so the work tree is untouched), then ALTERNATES runs of the base library and
# the working tree's library with one harness (RUNS pairs, default 3), and pools each side's
# samples in compare.py. Alternating matters: this VM's CPU speed drifts by up to 8 % over tens
# of seconds (bench/README.md, "Noise"), so two runs taken minutes apart differ by more than the
# 3 % threshold even for identical code; interleaving spreads the drift over both sides.
#
# NEW_ARGS="--inject-slowdown 5" adds harness options to the working-tree side only (used to
# show that the gate catches a 5 % slowdown). Exit status: compare.py's (1 = slower).
set -eu
[ $# -ge 3 ] || { echo "usage: sh bench/ab.sh BASE_REV CORPUS OUTDIR [harness options...]" >&2; exit 2; }
REV=$1
CORPUS=$2
OUT=$3
shift 3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SHA=$(git rev-parse --short=12 "$REV")
SRC="build/ab/$SHA"
if [ ! -f "$SRC/build/libcovertheme.so.1" ]; then
    rm -rf "$SRC"
    mkdir -p "$SRC"
    git archive "$SHA" | tar -x -C "$SRC"
    make -s -C "$SRC" all >/dev/null
fi
mkdir -p "$OUT"
base_runs=""
new_runs=""
i=1
while [ "$i" -le "${RUNS:-3}" ]; do
    echo "ab: pair $i: base $SHA" >&2
    BENCH_LIB_DIR="$ROOT/$SRC/build" sh bench/run.sh "$CORPUS" "$OUT/base$i.jsonl" "$@" 2>"$OUT/base$i.log"
    echo "ab: pair $i: working tree ${NEW_ARGS:+($NEW_ARGS)}" >&2
    # shellcheck disable=SC2086
    sh bench/run.sh "$CORPUS" "$OUT/new$i.jsonl" "$@" ${NEW_ARGS:-} 2>"$OUT/new$i.log"
    base_runs="$base_runs${base_runs:+,}$OUT/base$i.jsonl"
    new_runs="$new_runs${new_runs:+,}$OUT/new$i.jsonl"
    i=$((i + 1))
done
python3 bench/compare.py "$base_runs" "$new_runs"
