#!/bin/sh
# bench/quality.sh [CORPUS [OUT.jsonl [covertheme-quality options...]]]
#
# Palette quality, role guarantees and PNG/JPEG stability over the corpus: runs
# build/covertheme-quality on CORPUS/png-rgb/NAME_N.png and CORPUS/jpg-base/NAME_N.jpg for every
# N in $SIZES (default "1000 3000"), so each PNG has its JPEG partner. The table and summary go
# to stdout, one JSON object per image/pair plus a summary to OUT.jsonl
# (default build/bench/quality.jsonl). Extra arguments go to the tool (--k 8, --seeds 10, ...).
#
# Single-threaded; the reference k-means on every distinct colour costs 0.2-4.5 s of CPU per
# 1000 px image and 0.3-15 s per 3000 px image, about 1 minute for 6 sources x 2 sizes x 2 formats.
# Exit status: the tool's (0 all held, 1 a guarantee or stability pair failed, 2 an error).
set -eu

CORPUS=${1:-bench/corpus}
OUT=${2:-build/bench/quality.jsonl}
[ $# -ge 1 ] && shift
[ $# -ge 1 ] && shift
SIZES=${SIZES:-"1000 3000"}
TOOL=${QUALITY_TOOL:-build/covertheme-quality}

[ -x "$TOOL" ] || { echo "quality: $TOOL not built (make build/covertheme-quality)" >&2; exit 2; }
[ -d "$CORPUS/png-rgb" ] || { echo "quality: no corpus at $CORPUS (make corpus)" >&2; exit 2; }

# Collect the files first (sorted by the shell's glob), then append the tool's own options.
n_opts=$#
for s in $SIZES; do
    for f in "$CORPUS"/png-rgb/*_"$s".png "$CORPUS"/jpg-base/*_"$s".jpg; do
        [ -e "$f" ] && set -- "$@" "$f"
    done
done
[ $# -gt "$n_opts" ] || { echo "quality: no images of sizes $SIZES in $CORPUS" >&2; exit 2; }

# Move the options (the first n_opts arguments) behind the file names.
i=0
while [ "$i" -lt "$n_opts" ]; do
    a=$1
    shift
    set -- "$@" "$a"
    i=$((i + 1))
done

mkdir -p "$(dirname "$OUT")"
echo "quality: $(($# - n_opts)) images from $CORPUS (sizes $SIZES) -> $OUT" >&2
exec "$TOOL" --quiet "$@" --json "$OUT"
