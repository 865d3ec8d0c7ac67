#!/usr/bin/env python3
"""Markdown tables for bench/README.md from a covertheme-bench JSON-lines run.

    python3 bench/report.py build/bench/latest.jsonl

Prints: stage scaling over the seed-sized PNGs, the same per format at 1000 px (median over the
six sources), scaling with size for RGB PNGs, and decode floors with ratios. End-to-end stage
times are the library's own wall timings per call (pinned, SCHED_FIFO when run.sh ran as root);
"cpu" columns are thread CPU time. All figures are medians of the per-image sample medians.
"""
import json
import statistics
import sys
from collections import defaultdict

STAGES = ["read", "decode", "sample", "convert", "cluster", "roles"]


def load(path):
    rows = {}
    meta = {}
    for line in open(path):
        d = json.loads(line)
        rows[(d["image"], d["kind"], d["stage"], d["metric"])] = d
        meta[d["image"]] = d
    return rows, meta


def ms(rows, image, kind, stage, metric="wall"):
    d = rows.get((image, kind, stage, metric))
    return None if d is None else d["median_ns"] / 1e6


def fmt(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def seed_table(rows, meta):
    seeds = sorted((i for i in meta if i.startswith("seed/")), key=lambda i: meta[i]["file_bytes"])
    print("| seed image | MB | px | " + " | ".join(STAGES) + " | total | total cpu | floor read+decode | ratio | peak RSS MB | allocs/call |")
    print("|---|---|---|" + "---|" * (len(STAGES) + 6))
    for img in seeds:
        m = meta[img]
        total = ms(rows, img, "e2e", "total")
        floor = ms(rows, img, "floor", "read_decode")
        cells = [fmt(ms(rows, img, "e2e", s), 2) for s in STAGES]
        rss = rows[(img, "e2e", "total", "wall")]["peak_rss_kb"] / 1024
        allocs = rows[(img, "e2e", "total", "wall")]["allocs_per_call"]
        print(f"| {img[5:]} | {m['file_bytes'] / 1e6:.1f} | {m['width']}² | " + " | ".join(cells) +
              f" | {fmt(total)} | {fmt(ms(rows, img, 'e2e', 'total', 'cpu'))} | {fmt(floor)} | "
              f"{fmt(total / floor if total and floor else None, 2)} | {rss:.1f} | {allocs if allocs is not None else '–'} |")


def per_folder(rows, meta, size):
    folders = ["png-rgb", "png-rgba", "jpg-base", "jpg-prog", "webp"]
    print(f"| format ({size} px, median of 6 sources) | decode | cluster | total | floor read+decode | ratio | floor 1/4 | ratio to 1/4 | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in folders:
        imgs = [i for i in meta if i.startswith(f + "/") and i.endswith(f"_{size}" + i[i.rfind("."):])]
        if not imgs:
            continue
        dec = med([ms(rows, i, "e2e", "decode") for i in imgs])
        clu = med([ms(rows, i, "e2e", "cluster") for i in imgs])
        tot = med([ms(rows, i, "e2e", "total") for i in imgs])
        flo = med([ms(rows, i, "floor", "read_decode") for i in imgs])
        ratio = med([(ms(rows, i, "e2e", "total") or 0) / ms(rows, i, "floor", "read_decode") for i in imgs])
        f14 = med([ms(rows, i, "floor", "read_decode_1_4") for i in imgs])
        r14 = med([(ms(rows, i, "e2e", "total") or 0) / ms(rows, i, "floor", "read_decode_1_4")
                   for i in imgs if ms(rows, i, "floor", "read_decode_1_4")])
        rss = med([rows[(i, "e2e", "total", "wall")]["peak_rss_kb"] / 1024 for i in imgs])
        print(f"| {f} | {fmt(dec)} | {fmt(clu)} | {fmt(tot)} | {fmt(flo)} | {fmt(ratio, 2)} | {fmt(f14)} | {fmt(r14, 2)} | {rss:.1f} |")


def size_table(rows, meta, folder="png-rgb"):
    by_size = defaultdict(list)
    for i in meta:
        if i.startswith(folder + "/"):
            by_size[meta[i]["width"]].append(i)
    print(f"| {folder} size (median of 6 sources) | decode | sample | convert | cluster | roles | total | floor read+decode | ratio | peak RSS MB | allocs/call |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sorted(by_size):
        imgs = by_size[size]
        cells = [fmt(med([ms(rows, i, "e2e", s) for i in imgs]), 2) for s in ["decode", "sample", "convert", "cluster", "roles"]]
        tot = med([ms(rows, i, "e2e", "total") for i in imgs])
        flo = med([ms(rows, i, "floor", "read_decode") for i in imgs])
        ratio = med([ms(rows, i, "e2e", "total") / ms(rows, i, "floor", "read_decode") for i in imgs])
        rss = med([rows[(i, "e2e", "total", "wall")]["peak_rss_kb"] / 1024 for i in imgs])
        allocs = med([rows[(i, "e2e", "total", "wall")]["allocs_per_call"] for i in imgs])
        print(f"| {size}² | " + " | ".join(cells) + f" | {fmt(tot)} | {fmt(flo)} | {fmt(ratio, 2)} | {rss:.1f} | {allocs} |")


def main():
    rows, meta = load(sys.argv[1])
    any_row = next(iter(rows.values()))
    print(f"<!-- {sys.argv[1]}: commit {any_row['commit']}, lib {any_row['lib_version']}, "
          f"{any_row['machine']['cpu_model']}, sched {any_row['sched']['policy']}, {any_row['timestamp']} -->")
    print("\n**Stages across the seed-sized PNGs** (ms per call, wall, pinned)\n")
    seed_table(rows, meta)
    print("\n**Formats at 1000 px** (ms per call)\n")
    per_folder(rows, meta, 1000)
    print("\n**Formats at 3000 px** (ms per call)\n")
    per_folder(rows, meta, 3000)
    print("\n**RGB PNG by size** (ms per call)\n")
    size_table(rows, meta)


if __name__ == "__main__":
    main()
