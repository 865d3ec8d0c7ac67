#!/bin/sh
# bench/corpus.sh DIR [--verify]
#
# Builds the benchmark corpus into DIR from photographs shipped in Debian 12 wallpaper
# packages, byte-for-byte reproducibly, then checks DIR against the committed manifest
# bench/corpus.sha256. With --verify it builds nothing and only checks an existing DIR.
#
#   square centre crop -> Lanczos resize to N in {500,1000,1500,2000,3000} -> per source+N:
#     png-rgb/NAME_N.png   8-bit RGB PNG (zlib level 7, adaptive filter, no ancillary chunks)
#     png-rgba/NAME_N.png  8-bit RGBA PNG, alpha all opaque, same pixels
#     jpg-base/NAME_N.jpg  JPEG q90, 4:2:0, baseline, optimised Huffman
#     jpg-prog/NAME_N.jpg  JPEG q90, 4:2:0, progressive
#     webp/NAME_N.webp     cwebp -q 90 -m 4 (lossy) from the RGB PNG
#   seed/                  four RGB PNGs near the seed workloads' sizes (1.6, 4, 11, 24 MB)
#   MANIFEST.sha256        sha256sum of every file, sorted by path, relative to DIR
#
# Reruns skip files whose checksum already matches bench/corpus.sha256. POSIX sh (dash).
# Environment: CORPUS_JOBS (parallel lanes, default: number of CPUs, at most 4).
# Exit status: 0 when DIR matches bench/corpus.sha256, 1 on a difference or an error.
set -eu

usage() { echo "usage: sh bench/corpus.sh DIR [--verify]" >&2; exit 2; }
die() { echo "corpus: error: $*" >&2; exit 1; }

DIR="" VERIFY=0
for a in "$@"; do
    case "$a" in
        --verify) VERIFY=1 ;;
        -h|--help) usage ;;
        -*) usage ;;
        *) [ -z "$DIR" ] || usage; DIR=$a ;;
    esac
done
[ -n "$DIR" ] || usage

HERE=$(cd "$(dirname "$0")" && pwd)
REF="$HERE/corpus.sha256"
# Before OMP_NUM_THREADS=1 below: GNU nproc honours it.
JOBS=${CORPUS_JOBS:-$(nproc 2>/dev/null || echo 1)}

# Everything that can change the output bytes is pinned here.
export LC_ALL=C TZ=UTC
export MAGICK_THREAD_LIMIT=1 OMP_NUM_THREADS=1 MAGICK_OCL_DEVICE=OFF
unset MAGICK_CONFIGURE_PATH MAGICK_CODER_MODULE_PATH MAGICK_CODER_FILTER_PATH 2>/dev/null || true
# Debian's own binaries, by full path: not a stand-in or another build earlier on PATH
# (and Q16, which the resize results depend on).
IM=/usr/bin/convert-im6.q16
CWEBP=/usr/bin/cwebp

SIZES="500 1000 1500 2000 3000"
W=/usr/share/wallpapers
M=/usr/share/backgrounds/mate
# name  package  file  (every source is cropped to its centred square)
SOURCES="
cups      plasma-workspace-wallpapers $W/ColorfulCups/contents/images/2560x1600.jpg
glow      plasma-workspace-wallpapers $W/EveningGlow/contents/images/2560x1600.jpg
path      plasma-workspace-wallpapers $W/Path/contents/images/2560x1600.jpg
grey      plasma-workspace-wallpapers $W/Grey/contents/images/2560x1600.jpg
yellow    mate-backgrounds            $M/nature/YellowFlower.jpg
elephants mate-backgrounds            $M/abstract/Elephants_5640x3172.jpg
landing   plasma-workspace-wallpapers $W/SafeLanding/contents/images/5120x2880.jpg
"
# Sources of the size x format matrix (landing is used only for a seed).
MATRIX="cups glow path grey yellow elephants"
# seed file name  source  size  -- sizes chosen to land near the seed workloads
SEEDS="
seed_1.6mb_glow_1000.png      glow      1000
seed_4mb_landing_1500.png     landing   1500
seed_11mb_path_2800.png       path      2800
seed_24mb_elephants_3600.png  elephants 3600
"
PKGS="imagemagick webp plasma-workspace-wallpapers mate-backgrounds"

# ---- manifest ----------------------------------------------------------------------------
write_manifest() { # DIR OUT: sha256 of every file but the manifest, sorted by relative path
    (cd "$1" && find . -type f ! -path ./MANIFEST.sha256 | sed 's|^\./||' | sort \
        | while IFS= read -r f; do sha256sum -- "$f"; done) > "$2"
}

compare_manifest() { # MANIFEST: prints the verdict, returns 0 when identical to $REF
    if [ ! -f "$REF" ]; then
        echo "corpus: no reference manifest $REF"
        echo "corpus: to adopt this build as the reference: cp $1 $REF"
        return 1
    fi
    if cmp -s "$REF" "$1"; then
        echo "corpus: identical to bench/corpus.sha256 ($(wc -l < "$REF" | tr -d ' ') files)"
        return 0
    fi
    echo "corpus: DIFFERS from bench/corpus.sha256:"
    awk 'NR == FNR { want[$2] = $1; next }
         { have[$2] = $1 }
         END {
           for (p in want) if (!(p in have)) printf "  missing  %s\n", p
           for (p in have) if (!(p in want)) printf "  extra    %s\n", p
           for (p in have) if ((p in want) && have[p] != want[p]) printf "  differs  %s (expected %.12s, got %.12s)\n", p, want[p], have[p]
         }' "$REF" "$1" | sort -k2
    [ "$VERIFY" = 1 ] || echo "corpus: full diff: diff -u $REF $1"
    return 1
}

total_size() { # DIR
    find "$1" -type f ! -name MANIFEST.sha256 -printf '%s\n' \
        | awk '{ n++; s += $1 } END { printf "corpus: %d files, %d bytes (%.1f MB)\n", n, s, s / 1e6 }'
}

if [ "$VERIFY" = 1 ]; then
    [ -d "$DIR" ] || die "$DIR does not exist (build it first: sh bench/corpus.sh $DIR)"
    tmp=$(mktemp)
    trap 'rm -f "$tmp"' EXIT
    write_manifest "$DIR" "$tmp"
    total_size "$DIR"
    compare_manifest "$tmp"
    exit $?
fi

# ---- tools and sources -------------------------------------------------------------------
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "corpus: installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing
fi
[ -x "$IM" ] || die "$IM not found (package imagemagick-6.q16)"
[ -x "$CWEBP" ] || die "$CWEBP not found (package webp)"

src_of() { # NAME -> file
    echo "$SOURCES" | awk -v n="$1" '$1 == n { print $3 }'
}
echo "$SOURCES" | while read -r name pkg file; do
    [ -n "$name" ] || continue
    [ -f "$file" ] || die "source '$name' missing: $file (package $pkg)"
done

ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
echo "corpus: tools: imagemagick $(ver imagemagick-6.q16), webp $(ver webp), libwebp7 $(ver libwebp7)," \
     "libjpeg62-turbo $(ver libjpeg62-turbo), libpng16-16 $(ver libpng16-16), zlib1g $(ver zlib1g)"
[ -f "$REF" ] || echo "corpus: no $REF yet: building everything"

# ---- recipes -----------------------------------------------------------------------------
PNG_OPTS="-strip -depth 8 -quality 75 -define png:compression-level=7 -define png:compression-filter=5
          -define png:exclude-chunk=all +set date:create +set date:modify"
JPG_OPTS="-strip -colorspace sRGB -type TrueColor -quality 90 -sampling-factor 2x2,1x1,1x1
          -define jpeg:optimize-coding=true -define jpeg:dct-method=islow"

# Each recipe writes DIR/.tmp.* first and renames, so an interrupted run leaves no bad file.
make_png_rgb() { # SRCFILE SIZE OUT
    side=$("$IM" "$1" -ping -format '%[fx:min(w,h)]' info:)
    # shellcheck disable=SC2086
    "$IM" "$1" -gravity center -crop "${side}x${side}+0+0" +repage \
        -filter Lanczos -resize "${2}x${2}!" -colorspace sRGB -type TrueColor $PNG_OPTS "PNG24:$3"
}
make_png_rgba() { # IN OUT
    # shellcheck disable=SC2086
    "$IM" "$1" -alpha opaque $PNG_OPTS "PNG32:$2"
}
make_jpg_base() { # IN OUT
    # shellcheck disable=SC2086
    "$IM" "$1" $JPG_OPTS -interlace none "JPEG:$2"
}
make_jpg_prog() { # IN OUT
    # shellcheck disable=SC2086
    "$IM" "$1" $JPG_OPTS -interlace JPEG "JPEG:$2"
}
make_webp() { # IN OUT
    "$CWEBP" -quiet -q 90 -m 4 -metadata none "$1" -o "$2"
}

up_to_date() { # RELPATH: exists and matches the reference manifest
    [ -f "$DIR/$1" ] && [ -f "$REF" ] || return 1
    want=$(awk -v p="$1" '$2 == p { print $1; exit }' "$REF")
    [ -n "$want" ] && [ "$(sha256sum < "$DIR/$1" | cut -d' ' -f1)" = "$want" ]
}

produce() { # RELPATH RECIPE ARGS... (the output path is appended)
    rel=$1; shift
    tmpf="$DIR/$(dirname "$rel")/.tmp.$(basename "$rel")"
    "$@" "$tmpf" || { rm -f "$tmpf"; die "failed: $rel"; }
    mv -f "$tmpf" "$DIR/$rel"
    echo "  built $rel ($(wc -c < "$DIR/$rel" | tr -d ' ') bytes)"
}

build_group() { # NAME SIZE: the five files of one source at one size
    name=$1 n=$2 base="${1}_$2"
    rgb="png-rgb/$base.png"
    todo=""
    for f in "$rgb" "png-rgba/$base.png" "jpg-base/$base.jpg" "jpg-prog/$base.jpg" "webp/$base.webp"; do
        up_to_date "$f" || todo="$todo $f"
    done
    if [ -z "$todo" ]; then echo "  up to date: $base (5 files)"; return 0; fi
    case " $todo " in *" $rgb "*) produce "$rgb" make_png_rgb "$(src_of "$name")" "$n" ;; esac
    for f in $todo; do
        case "$f" in
            png-rgba/*) produce "$f" make_png_rgba "$DIR/$rgb" ;;
            jpg-base/*) produce "$f" make_jpg_base "$DIR/$rgb" ;;
            jpg-prog/*) produce "$f" make_jpg_prog "$DIR/$rgb" ;;
            webp/*)     produce "$f" make_webp "$DIR/$rgb" ;;
        esac
    done
}

build_seed() { # FILE NAME SIZE
    f="seed/$1"
    if up_to_date "$f"; then echo "  up to date: $f"; return 0; fi
    produce "$f" make_png_rgb "$(src_of "$2")" "$3"
}

# ---- build -------------------------------------------------------------------------------
mkdir -p "$DIR"
for d in png-rgb png-rgba jpg-base jpg-prog webp seed; do mkdir -p "$DIR/$d"; done
find "$DIR" -name '.tmp.*' -type f -exec rm -f {} +

# Work units, most expensive first, dealt round-robin to JOBS lanes (each process is
# single-threaded, so parallel lanes do not change any byte).
units=$(
    echo "$SEEDS" | awk 'NF == 3 { print $3, "seed", $1, $2 }'
    for n in $SIZES; do for s in $MATRIX; do echo "$n group $s"; done; done
)
units=$(echo "$units" | sort -k1,1nr -k3,3 -s)
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
[ "$JOBS" -le 4 ] || JOBS=4
echo "corpus: building into $DIR ($(echo "$units" | wc -l | tr -d ' ') groups, $JOBS lanes)"

start=$(date +%s)
pids=""
lane=0
while [ "$lane" -lt "$JOBS" ]; do
    (
        echo "$units" | awk -v j="$JOBS" -v l="$lane" '(NR - 1) % j == l' |
        while read -r n kind a b; do
            case "$kind" in
                seed)  build_seed "$a" "$b" "$n" ;;
                group) build_group "$a" "$n" ;;
            esac
        done
    ) &
    pids="$pids $!"
    lane=$((lane + 1))
done
failed=0
for p in $pids; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || die "build failed (see above)"
echo "corpus: built in $(( $(date +%s) - start )) s"

write_manifest "$DIR" "$DIR/MANIFEST.sha256"
total_size "$DIR"
compare_manifest "$DIR/MANIFEST.sha256"
