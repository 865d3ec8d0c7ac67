#!/bin/sh
# bench/determinism.sh [CORPUS [CLI]]
#
# The corpus check of the determinism promise: every image under CORPUS (default
# bench/corpus) is themed by the CLI with COVERTHEME_ISA=scalar and =avx2, each at
# --threads 1, 2, 3 and 8, and the full RON and the palette RON must be byte-identical across
# all eight runs. Prints one line per image that differs and a summary; exit 0 when all
# agree, 1 otherwise, 2 on a usage or setup error. (tests/host_stub.c checks the same on the
# generated covers in `make test`; this runs it on real photographs at every size.)
set -eu

CORPUS=${1:-bench/corpus}
CLI=${2:-build/covertheme}
[ -x "$CLI" ] || { echo "determinism: $CLI not built (make)" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "determinism: no corpus at $CORPUS (make corpus)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
images=0
differ=0
for f in $(find "$CORPUS" -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.webp' \) | sort); do
    images=$((images + 1))
    ref=""
    for isa in scalar avx2; do
        for t in 1 2 3 8; do
            out="$tmp/$isa-$t"
            COVERTHEME_ISA=$isa "$CLI" -i "$f" --threads "$t" --format ron > "$out.full" 2>&1 || true
            COVERTHEME_ISA=$isa "$CLI" -i "$f" --threads "$t" --format ron --ron-shape palette > "$out.pal" 2>&1 || true
            sum=$(cat "$out.full" "$out.pal" | sha256sum | cut -d' ' -f1)
            if [ -z "$ref" ]; then
                ref=$sum
            elif [ "$sum" != "$ref" ]; then
                echo "DIFFERS: $f (COVERTHEME_ISA=$isa --threads $t)"
                differ=$((differ + 1))
            fi
        done
    done
done
echo "determinism: $images images x {scalar, avx2} x threads {1, 2, 3, 8}: $differ differing runs"
[ "$differ" -eq 0 ]
