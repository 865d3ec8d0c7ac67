#!/bin/sh
# make profile IMAGE=path: CPU flamegraph (SVG) and a text top-N of functions for one image.
#
# perf samples cpu-clock (no hardware counters on these VMs) with DWARF call graphs: gcc 12
# drops frame pointers in leaf functions and Debian's libc has none, so frame-pointer stacks
# lose callers (docs/tooling.md §0). The workload is the bench harness on that one image
# (warm-up plus 30 generate calls, no decode floors), so the profile shows warm calls the way
# a player makes them. Output: build/profile/NAME.svg, NAME.top.txt, NAME.folded.
set -eu
IMAGE=${1:-}
[ -n "$IMAGE" ] && [ -f "$IMAGE" ] || { echo "usage: make profile IMAGE=path/to/cover" >&2; exit 2; }
cd "$(dirname "$0")/.."
sh bench/install-tools
OUT=build/profile
mkdir -p "$OUT"
NAME=$(basename "$IMAGE" | sed 's/\.[^.]*$//')
DATA="$OUT/$NAME.perf.data"
SAMPLES=${PROFILE_SAMPLES:-30}
perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 -o "$DATA" \
    build/covertheme-bench --no-floors --samples "$SAMPLES" --out /dev/null "$IMAGE" 2>/dev/null
perf script -i "$DATA" -s /usr/lib/perf-core/scripts/python/stackcollapse.py 2>/dev/null > "$OUT/$NAME.folded"
perl /usr/share/perl5/Devel/NYTProf/flamegraph.pl --title "covertheme: $NAME (cpu-clock, $SAMPLES warm calls)" \
    "$OUT/$NAME.folded" > "$OUT/$NAME.svg"
{
    echo "# self time by function: $IMAGE ($SAMPLES warm calls through build/covertheme-bench)"
    echo "# perf report -i $DATA --stdio --no-children --sort dso,symbol"
    perf report -i "$DATA" --stdio --no-children --sort dso,symbol 2>/dev/null | grep -E '^ +[0-9.]+%' | head -"${TOPN:-25}"
    echo
    echo "# self time by library (addresses without symbols are internal functions of that library)"
    perf report -i "$DATA" --stdio --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9.]+%' | head -10
} > "$OUT/$NAME.top.txt"
cat "$OUT/$NAME.top.txt"
echo "flamegraph: $OUT/$NAME.svg"
