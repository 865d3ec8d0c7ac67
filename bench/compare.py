#!/usr/bin/env python3
"""Compare two covertheme-bench JSON-lines files: is NEW slower than BASE?

usage: compare.py BASE NEW [--metric cpu|wall] [--alpha 0.01] [--threshold 0.03]
                  [--min-abs-ms 0.01] [--gate-stages] [--filter SUBSTR]
                  [--changed-only] [--bootstrap 2000]

Lines are paired by (image, kind, stage, metric). For each pair: the ratio of medians
NEW/BASE, a percentile-bootstrap 95 % CI of that ratio (fixed seed: reruns print the same
numbers), and a two-sided Mann-Whitney U test (normal approximation, tie- and
continuity-corrected). A verdict other than "same" needs all of (tooling.md §2.9):

    p < alpha  AND  the CI excludes 1  AND  |ratio - 1| > threshold
    AND  |median change| > --min-abs-ms

A p-value alone is not a verdict: two processes running identical code differ by 0.4-0.7 %
in CPU time (more while co-tenants run), which a U test on 30 within-run samples calls
"significant". The absolute guard is for microsecond-scale calls (render: 20-90 us),
whose cache state moves them by 10-20 % between processes.

Which rows gate the exit status: the end-to-end rows of kind e2e, i.e. "total" (the
generate call as a player sees it) and "render_ron"/"render_json" (separate API calls).
Shown with a verdict but marked "~" (informational) and never gating:
  - the library's own per-stage timings (read, decode, sample, convert, cluster, roles,
    lib_total): they explain *where* a change is, and they are parts of "total", so
    gating on them too would multiply the number of tests (and false alarms) by ten;
    --gate-stages makes them gate as well;
  - floors: they run no covertheme code, only the decoders and the machine.

BASE and NEW may each be a comma-separated list of files from repeated runs; samples are
pooled per line. Alternating runs (base, new, base, new) and pooling them spreads slow
machine drift over both sides, which a shared VM needs (see bench/README.md).

Exit status: 1 if any gating row is "slower", else 0 (2 on usage/input errors).
Python 3 standard library only.
"""
import argparse
import json
import math
import random
import signal
import sys

BOOT_SEED = 0x636F7665727468  # the constant of bench/stats.h STATS_BOOT_SEED
END_TO_END = ("total", "render_ron", "render_json")

# Which metric --metric cpu compares, per stage.
#
# Wall time on this shared 2-vCPU VM is useless unless the run was pinned and given
# real-time priority (tooling.md §0: unpinned wall MAD 6-9 %, max/min up to 3.8x; under
# `chrt -f 10 taskset -c 1` MAD 0.03 %), whereas thread CPU time does not count the time
# other tasks hold the CPU. So the default compares thread CPU ("cpu") wherever the
# harness measured it and found the call single-threaded. Two cases use wall instead:
#   - the library's own per-stage timings exist only as wall time;
#   - a call that used more process CPU than thread CPU (worker threads) must be judged
#     on latency: its CPU sum hides parallel speed-ups.
# Such wall rows only gate when BOTH runs were pinned under SCHED_FIFO/RR on a single CPU
# (bench/run.sh does that as root); otherwise they are informational.


def die(msg):
    print("compare: " + msg, file=sys.stderr)
    sys.exit(2)


def load_one(path, rows, errors, order):
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    seen = set()
    with f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
            except ValueError as e:
                die("%s:%d: not JSON (%s)" % (path, lineno, e))
            kind = d.get("kind")
            if kind == "error":
                errors.append(d)
                continue
            if kind not in ("e2e", "floor"):
                continue
            key = (d["image"], kind, d["stage"], d["metric"])
            if key in seen:
                die("%s:%d: duplicate line for %s" % (path, lineno, "/".join(key)))
            seen.add(key)
            if key not in rows:
                order.append(key)
                rows[key] = d
            else:  # another run of the same side: pool the samples
                merged = dict(rows[key])
                merged["samples_ns"] = rows[key]["samples_ns"] + d["samples_ns"]
                rows[key] = merged


def load(spec):
    """spec: one JSON-lines file, or several separated by commas (runs of one side)."""
    rows, errors, order = {}, [], []
    for path in spec.split(","):
        load_one(path, rows, errors, order)
    return rows, errors, order


# ---- statistics (as bench/stats.c) ------------------------------------------------------


def median_sorted(s):
    n = len(s)
    m = n // 2
    return s[m] if n % 2 else (s[m - 1] + s[m]) / 2


def quantile_sorted(s, q):
    """Hyndman-Fan type 7 (linear interpolation), as stats_quantile_sorted()."""
    n = len(s)
    if n == 0:
        return float("nan")
    h = (n - 1) * q
    i = int(math.floor(h))
    if i + 1 >= n:
        return s[-1]
    return s[i] + (h - i) * (s[i + 1] - s[i])


_rank_cache = {}


def median_ranks(n, stream, b):
    """For b bootstrap resamples of size n: the (lo, hi) positions of the middle order
    statistics of the resampled *indices*. For sorted x, the median of a resample
    {x[i1], ..., x[in]} is (x[lo] + x[hi]) / 2 because x does not decrease with its index,
    so one list serves every sample of size n. The resampling runs once per (n, stream)
    instead of once per pair, and every replicate is still an exact bootstrap draw."""
    key = (n, stream, b)
    if key not in _rank_cache:
        rng = random.Random(BOOT_SEED * 31 + n * 2 + stream)
        lo_k, hi_k = (n - 1) // 2, n // 2
        rr = rng.randrange
        out = []
        for _ in range(b):
            idx = sorted([rr(n) for _ in range(n)])
            out.append((idx[lo_k], idx[hi_k]))
        _rank_cache[key] = out
    return _rank_cache[key]


def ratio_ci(base_sorted, new_sorted, b, conf=0.95):
    """Percentile-bootstrap CI of median(new) / median(base); the two sides are resampled
    independently (different index streams)."""
    rb = median_ranks(len(base_sorted), 0, b)
    rn = median_ranks(len(new_sorted), 1, b)
    ratios = []
    for (bl, bh), (nl, nh) in zip(rb, rn):
        den = base_sorted[bl] + base_sorted[bh]
        ratios.append((new_sorted[nl] + new_sorted[nh]) / den if den else float("inf"))
    ratios.sort()
    return quantile_sorted(ratios, (1 - conf) / 2), quantile_sorted(ratios, (1 + conf) / 2)


def mann_whitney(a, b):
    """Two-sided Mann-Whitney U, normal approximation with tie and continuity correction
    (as scipy.stats.mannwhitneyu(method='asymptotic')). Returns (U of a, p)."""
    n1, n2 = len(a), len(b)
    pooled = sorted([(v, 1) for v in a] + [(v, 0) for v in b])
    n = n1 + n2
    rank_a = tie = 0.0
    i = 0
    while i < n:
        j = i + 1
        while j < n and pooled[j][0] == pooled[i][0]:
            j += 1
        avg = (i + 1 + j) / 2.0  # ranks i+1 .. j share their mean
        rank_a += avg * sum(pooled[k][1] for k in range(i, j))
        t = j - i
        tie += t * t * t - t
        i = j
    u1 = rank_a - n1 * (n1 + 1) / 2.0
    var = n1 * n2 / 12.0 * ((n + 1) - tie / (n * (n - 1))) if n > 1 else 0.0
    if var <= 0:
        return u1, 1.0
    d = u1 - n1 * n2 / 2.0
    cc = min(abs(d), 0.5)
    z = (d - cc if d > 0 else d + cc) / math.sqrt(var)
    return u1, math.erfc(abs(z) / math.sqrt(2))


def decide(p, ratio, lo, hi, abs_change, args):
    if not (p < args.alpha) or not (abs_change > args.min_abs_ms * 1e6):
        return "same"
    if lo > 1 and ratio - 1 > args.threshold:
        return "slower"
    if hi < 1 and 1 - ratio > args.threshold:
        return "faster"
    return "same"


# ---- run metadata -------------------------------------------------------------------------


def first(rows):
    return next(iter(rows.values())) if rows else {}


def pinned(row):
    s = row.get("sched") or {}
    return s.get("policy") in ("fifo", "rr") and str(s.get("affinity") or "").isdigit()


def describe(rows):
    r = first(rows)
    if not r:
        return "no benchmark lines"
    s = r.get("sched") or {}
    return "commit %s, %s, lib %s, sched %s/%s cpu %s, load at start %s" % (
        r.get("commit"), r.get("timestamp"), r.get("lib_version"), s.get("policy"),
        s.get("priority"), s.get("affinity"), (r.get("machine") or {}).get("loadavg_run_start"))


def setup_warnings(base, new):
    """Differences that make a comparison misleading."""
    warn = []
    b, n = first(base), first(new)
    if not b or not n:
        return warn
    for name, rows in (("BASE", base), ("NEW", new)):
        pct = max((r.get("inject_slowdown_pct") or 0) for r in rows.values())
        if pct:
            warn.append("%s ran with --inject-slowdown %g: a deliberate slowdown, only for "
                        "demonstrating this gate" % (name, pct))
    bo, no = b.get("options") or {}, n.get("options") or {}
    for k in ("k", "space", "threads", "max_samples", "seed", "max_iterations"):
        if bo.get(k) != no.get(k):
            warn.append("option %s differs: %r vs %r" % (k, bo.get(k), no.get(k)))
    bm, nm = b.get("machine") or {}, n.get("machine") or {}
    if bm.get("cpu_model") != nm.get("cpu_model"):
        warn.append("different CPU: %r vs %r" % (bm.get("cpu_model"), nm.get("cpu_model")))
    if pinned(b) != pinned(n):
        warn.append("only one side ran pinned under a real-time scheduler")
    return warn


# ---- comparison ---------------------------------------------------------------------------


def choose_metric(mode, metrics, row):
    """(metric, is_wall_fallback) for one (image, kind, stage); row(m) gives both sides."""
    if mode == "wall":
        return ("wall", False) if "wall" in metrics else (None, False)
    if "cpu" in metrics and all(r.get("single_threaded", True) is not False
                                for r in row("cpu")):
        return "cpu", False
    if "wall" in metrics:
        return "wall", True
    return None, False


def fmt_ms(ns):
    return "%.3f" % (ns / 1e6) if ns is not None and math.isfinite(ns) else "-"


def fmt_allocs(b, n):
    a, c = b.get("allocs_per_call"), n.get("allocs_per_call")
    if a is None and c is None:
        return "-"
    if a == c:
        return "%g" % a
    return "%s->%s" % ("-" if a is None else "%g" % a, "-" if c is None else "%g" % c)


def compare(base, new, order, args, both_pinned):
    groups = {}
    for key in order:
        groups.setdefault(key[:3], set()).add(key[3])
    results = []
    for g, base_metrics in groups.items():
        image, kind, stage = g
        if args.filter and args.filter not in image:
            continue
        metrics = {m for m in base_metrics if g + (m,) in new}
        metric, wall_fallback = choose_metric(
            args.metric, metrics, lambda m, g=g: (base[g + (m,)], new[g + (m,)]))
        if metric is None:
            continue
        b, n = base[g + (metric,)], new[g + (metric,)]
        a, c = sorted(b["samples_ns"]), sorted(n["samples_ns"])
        if not a or not c:
            continue
        mb, mn = median_sorted(a), median_sorted(c)
        if mb > 0:
            ratio = mn / mb
            lo, hi = ratio_ci(a, c, args.bootstrap)
        else:
            ratio = lo = hi = float("nan")
        _, p = mann_whitney(a, c)
        verdict = decide(p, ratio, lo, hi, abs(mn - mb), args)
        gating = (kind == "e2e" and (stage in END_TO_END or args.gate_stages)
                  and (not wall_fallback or both_pinned or args.metric == "wall"))
        results.append(dict(image=image, kind=kind, stage=stage, metric=metric, base=mb,
                            new=mn, ratio=ratio, lo=lo, hi=hi, p=p, verdict=verdict,
                            gating=gating, allocs=fmt_allocs(b, n)))
    return results


def print_table(results, changed_only):
    width = min(max([30] + [len(r["image"]) for r in results]), 48)
    print("%-*s %-5s %-15s %-4s %10s %10s %7s %17s %8s %9s  %s" % (
        width, "image", "kind", "stage", "mtrc", "base ms", "new ms", "ratio", "95% CI",
        "p", "allocs", "verdict"))
    for r in results:
        if changed_only and r["verdict"] == "same":
            continue
        name = r["image"] if len(r["image"]) <= width else ".." + r["image"][-(width - 2):]
        verdict = r["verdict"].upper() if r["verdict"] != "same" else "same"
        print("%-*s %-5s %-15s %-4s %10s %10s %7.4f [%7.4f,%7.4f] %8.2g %9s  %s%s" % (
            width, name, r["kind"], r["stage"], r["metric"], fmt_ms(r["base"]),
            fmt_ms(r["new"]), r["ratio"], r["lo"], r["hi"], r["p"], r["allocs"],
            "" if r["gating"] else "~", verdict))


def main():
    if hasattr(signal, "SIGPIPE"):  # `compare.py ... | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base", help="baseline JSON lines (or a,b,c: pooled runs)")
    ap.add_argument("new", help="candidate JSON lines (or a,b,c: pooled runs)")
    ap.add_argument("--metric", choices=("cpu", "wall"), default="cpu",
                    help="cpu (default): thread CPU where the harness measured it and the "
                         "call was single-threaded, else wall; wall: wall everywhere")
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--threshold", type=float, default=0.03,
                    help="minimum relative change for a verdict (default 0.03)")
    ap.add_argument("--min-abs-ms", type=float, default=0.01,
                    help="minimum change of the median per call, ms (default 0.01)")
    ap.add_argument("--gate-stages", action="store_true",
                    help="let the library's per-stage rows gate the exit status too")
    ap.add_argument("--bootstrap", type=int, default=2000, help="bootstrap replicates")
    ap.add_argument("--filter", help="only images whose name contains this")
    ap.add_argument("--changed-only", action="store_true",
                    help="print only rows whose verdict is not 'same'")
    args = ap.parse_args()

    base, base_err, order = load(args.base)
    new, new_err, _ = load(args.new)
    print("BASE %s: %s" % (args.base, describe(base)))
    print("NEW  %s: %s" % (args.new, describe(new)))
    for w in setup_warnings(base, new):
        print("WARNING: " + w)
    for name, errs in (("BASE", base_err), ("NEW", new_err)):
        for e in errs:
            print("WARNING: %s failed on %s (%s): %s" % (name, e.get("image"), e.get("stage"),
                                                         e.get("error")))
    both_pinned = pinned(first(base)) and pinned(first(new))

    results = compare(base, new, order, args, both_pinned)
    print()
    print_table(results, args.changed_only)

    gate = {"slower": 0, "faster": 0, "same": 0}
    info = {"slower": 0, "faster": 0, "same": 0}
    for r in results:
        (gate if r["gating"] else info)[r["verdict"]] += 1
    print()
    print("criteria: p < %g, 95%% CI of the ratio excludes 1, |ratio-1| > %g, |change| > %g ms;"
          " metric %s; gating rows: e2e %s%s" % (
              args.alpha, args.threshold, args.min_abs_ms, args.metric,
              "total, render and stages" if args.gate_stages else "total and render",
              "" if both_pinned or args.metric == "wall" or not args.gate_stages
              else " (wall-only stages informational: runs not both pinned)"))
    print("summary: gating rows: %d slower, %d faster, %d same; informational rows (~): "
          "%d slower, %d faster, %d same; unpaired lines: %d only in BASE, %d only in NEW" % (
              gate["slower"], gate["faster"], gate["same"], info["slower"], info["faster"],
              info["same"], sum(1 for k in base if k not in new),
              sum(1 for k in new if k not in base)))
    # A slower end-to-end row whose image's decode floor (no covertheme code) moved the
    # same way points at the machine or the decoder libraries. Said, not excused.
    floor_ratio = {r["image"]: r["ratio"] for r in results
                   if r["kind"] == "floor" and r["stage"] == "read_decode"}
    for image in sorted({r["image"] for r in results
                         if r["gating"] and r["verdict"] == "slower"}):
        f = floor_ratio.get(image)
        if f is not None and f - 1 > args.threshold:
            print("note: %s: its decode floor moved too (read_decode x%.3f): suspect the "
                  "machine; rerun, or alternate runs and pool them" % (image, f))
    sys.exit(1 if gate["slower"] else 0)


if __name__ == "__main__":
    main()
