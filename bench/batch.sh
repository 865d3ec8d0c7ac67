#!/bin/sh
# bench/batch.sh [N [RUNS]] — how `covertheme --batch` scales: wall time of one batch of N
# distinct covers (default 100) with --threads 1 and with --threads 2, RUNS times each
# (default 3), alternated (1 2, 2 1, 1 2, ...) so drift of the host hits both sides alike.
# Prints every run, the medians, the speedup (median 1 thread / median 2 threads) and the
# exact command. Not part of `make test`; needs the corpus (`make corpus`) and a built CLI.
#
# Inputs: the png-rgb covers at 500 and 1000 px of the corpus (12 files), cycled to N files.
# Every copy gets its own tEXt chunk before IEND (a valid PNG that decodes to the same
# pixels), so no two inputs have the same bytes: the library's cover cache is keyed by
# content, and plain copies would be answered from it instead of being computed.
#
# Scheduling: as root with chrt present, every batch runs under `chrt -f 10` (SCHED_FIFO,
# inherited by the worker threads) and without taskset, since the two-thread run needs both
# CPUs. RT throttling (sched_rt_runtime_us per sched_rt_period_us, 950 of 1000 ms on Debian)
# takes up to 5 % from each busy CPU in both configurations alike. BATCH_NO_RT=1 runs at the
# normal policy instead.
#
# Environment: CORPUS (default bench/corpus), CLI (default build/covertheme; it and the
# libcovertheme.so.1 next to it are copied into the work directory first, so a rebuild during
# the measurement cannot change what is measured), WORK (work directory; default a new one
# under $TMPDIR, removed at the end unless KEEP=1), OUT_BASE (where the batches write; default
# the work directory; a tmpfs such as /dev/shm takes the fsync of every atomic write out of the
# measurement).
#
# With GNU time (/usr/bin/time) each run also reports the process's CPU time (user + sys):
# equal CPU for 1 and 2 threads with a speedup under 2 means time lost waiting (fsync, other
# load, the tail), not extra work.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-100}
RUNS=${2:-3}
CORPUS=${CORPUS:-$ROOT/bench/corpus}
CLI=${CLI:-$ROOT/build/covertheme}

[ -x "$CLI" ] || { echo "batch.sh: $CLI is missing; run 'make'" >&2; exit 1; }
LIBDIR=$(dirname "$CLI")
[ -f "$LIBDIR/libcovertheme.so.1" ] || { echo "batch.sh: no libcovertheme.so.1 next to $CLI" >&2; exit 1; }
set -- "$CORPUS"/png-rgb/*_500.png "$CORPUS"/png-rgb/*_1000.png
[ -f "$1" ] || { echo "batch.sh: no covers in $CORPUS/png-rgb; build the corpus with 'make corpus'" >&2; exit 1; }

if [ -z "${WORK:-}" ]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/covertheme-batch-XXXXXX")
    [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/bin" "$WORK/in"
cp "$CLI" "$WORK/bin/covertheme"
cp "$LIBDIR/libcovertheme.so.1" "$WORK/bin/"
BIN="$WORK/bin/covertheme"
OUT_BASE=${OUT_BASE:-$WORK}
mkdir -p "$OUT_BASE"
TIME=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %U true >/dev/null 2>&1; then
    TIME="/usr/bin/time -f %U+%S -o $WORK/cpu"
fi

# N distinct PNGs: cycle the sources, each copy with its own tEXt chunk.
rm -f "$WORK"/in/*.png
python3 - "$N" "$WORK/in" "$@" <<'EOF'
import os, struct, sys, zlib
n, out, srcs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
for i in range(n):
    src = srcs[i % len(srcs)]
    data = open(src, 'rb').read()
    assert data[-12:-8] == b'\0\0\0\0' and data[-8:-4] == b'IEND', src
    body = b'tEXt' + b'covertheme-batch\0copy %d' % i
    chunk = struct.pack('>I', len(body) - 4) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)
    name = 'cover_%03d_%s' % (i, os.path.basename(src))
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data[:-12] + chunk + data[-12:])
EOF

PRIO=""
if [ "${BATCH_NO_RT:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v chrt >/dev/null 2>&1; then
    PRIO="chrt -f 10"
fi

now_ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }

run_batch() { # threads outdir (removed first, outside the timed region)
    echo 0+0 >"$WORK/cpu"
    # shellcheck disable=SC2086 # PRIO and TIME are command prefixes or empty
    $TIME $PRIO "$BIN" --batch --threads "$1" --out-dir "$2" "$WORK"/in/*.png >"$WORK/batch.log" 2>&1 || {
        echo "batch.sh: the batch failed:" >&2
        cat "$WORK/batch.log" >&2
        exit 1
    }
}

echo "batch.sh: $N covers ($(du -sh "$WORK/in" | cut -f1)), $RUNS runs per thread count, ${PRIO:-normal policy}," \
     "$(nproc) online CPUs, covertheme $("$BIN" --version | cut -d' ' -f2)," \
     "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" >&2
rm -rf "$OUT_BASE/warmup"
run_batch 2 "$OUT_BASE/warmup" # page cache, first-touch costs
: >"$WORK/times"
r=1
while [ "$r" -le "$RUNS" ]; do
    if [ $((r % 2)) -eq 1 ]; then order="1 2"; else order="2 1"; fi
    for t in $order; do
        rm -rf "$OUT_BASE/out-$t"
        sync
        s=$(now_ms)
        run_batch "$t" "$OUT_BASE/out-$t"
        e=$(now_ms)
        ms=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", e - s }')
        cpu=$(tail -1 "$WORK/cpu" | awk -F+ '{ printf "%.0f", ($1 + $2) * 1000 }')
        echo "$t $r $ms $cpu" >>"$WORK/times"
        echo "  run $r  --threads $t  $ms ms wall${TIME:+, $cpu ms CPU}" >&2
    done
    r=$((r + 1))
done

# Same themes whatever the thread count, one per input.
diff -r "$OUT_BASE/out-1" "$OUT_BASE/out-2" >/dev/null || { echo "batch.sh: --threads 1 and 2 outputs differ" >&2; exit 1; }
written=$(find "$OUT_BASE/out-1" -name '*.ron' | wc -l)
[ "$written" -eq "$N" ] || { echo "batch.sh: $written themes written for $N covers" >&2; exit 1; }

median() { # threads [column: 3 wall, 4 CPU]
    awk -v t="$1" -v c="${2:-3}" '$1 == t { print $c }' "$WORK/times" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
m1=$(median 1)
m2=$(median 2)
[ -z "$TIME" ] || echo "median CPU (user + sys): --threads 1 $(median 1 4) ms, --threads 2 $(median 2 4) ms"
awk -v n="$N" -v m1="$m1" -v m2="$m2" -v runs="$RUNS" 'BEGIN {
    printf "median wall of %d: --threads 1 %.0f ms (%.1f ms per cover), --threads 2 %.0f ms (%.1f ms per cover)\n",
           runs, m1, m1 / n, m2, m2 / n
    printf "speedup 2 threads vs 1: %.3f\n", m1 / m2
}'
if [ "$OUT_BASE" != "$WORK" ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$OUT_BASE/warmup" "$OUT_BASE/out-1" "$OUT_BASE/out-2"
    rmdir "$OUT_BASE" 2>/dev/null || true
fi
echo "command: ${PRIO:+$PRIO }covertheme --batch --threads T --out-dir OUT <$N covers>  (outputs identical for T = 1 and 2)"
