#!/bin/sh
# make heap IMAGE=path: heap report for one theming run of the CLI: peak heap, number of
# allocations, top allocation sites. heaptrack runs at native speed with real threads (valgrind
# DHAT serialises threads and cannot run AVX-512 code). Output: build/heap/NAME.txt and the raw
# build/heap/NAME.zst for `heaptrack_print`.
set -eu
IMAGE=${1:-}
[ -n "$IMAGE" ] && [ -f "$IMAGE" ] || { echo "usage: make heap IMAGE=path/to/cover" >&2; exit 2; }
cd "$(dirname "$0")/.."
sh bench/install-tools
OUT=build/heap
mkdir -p "$OUT"
NAME=$(basename "$IMAGE" | sed 's/\.[^.]*$//')
rm -f "$OUT/$NAME".zst "$OUT/$NAME".*.zst
heaptrack -o "$OUT/$NAME" build/covertheme --image "$IMAGE" --output /dev/null >/dev/null 2>&1
RAW=$(ls "$OUT/$NAME"*.zst | head -1)
heaptrack_print -f "$RAW" --print-peaks 1 --print-allocators 1 --print-temporary 0 --print-leaks 1 \
    --peak-limit 10 > "$OUT/$NAME.full.txt" 2>/dev/null
{
    echo "# heap: build/covertheme --image $IMAGE (heaptrack_print -f $RAW)"
    grep -E '^(total runtime|calls to allocation functions|temporary memory allocations|peak heap memory consumption|peak RSS|total memory leaked)' "$OUT/$NAME.full.txt" || true
    echo
    echo "## top allocation sites by peak contribution"
    awk '/^PEAK MEMORY CONSUMERS/{p=1;next} /^MOST CALLS|^MOST TEMPORARY|^MEMORY LEAKS/{p=0} p' "$OUT/$NAME.full.txt" | head -60 || true
    echo
    echo "## top allocation sites by number of calls"
    awk '/^MOST CALLS TO ALLOCATION FUNCTIONS/{p=1;next} /^PEAK MEMORY|^MOST TEMPORARY|^MEMORY LEAKS/{p=0} p' "$OUT/$NAME.full.txt" | head -40
} > "$OUT/$NAME.txt"
sed -n 1,12p "$OUT/$NAME.txt"
echo "heap report: $OUT/$NAME.txt"
