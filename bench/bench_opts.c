/* Part of covertheme-bench: command-line parsing and usage text (see bench_opts.h). */
#include "bench_opts.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "../abi/covertheme.h"

static void usage(FILE *f)
{
    fputs("Usage: covertheme-bench [options] FILE|DIR...\n"
          "Benchmarks covertheme_generate_file() + render per image, with decode floors.\n"
          "Directories are walked for *.png, *.jpg, *.jpeg, *.webp; files are sorted by name.\n\n"
          "  --samples N          timed samples per image (default 30, --quick 5)\n"
          "  --warmup N           untimed warm-up calls, at least N and at least --warmup-time (default 3)\n"
          "  --warmup-time S      minimum warm-up seconds (default 0.3, --quick 0)\n"
          "  --large-samples N    samples for images of at least --large-mpx megapixels (default --samples)\n"
          "  --large-mpx X        threshold of --large-samples (default 3.5, i.e. 2000x2000 and up)\n"
          "  --filter SUBSTR      only images whose name contains SUBSTR\n"
          "  --no-floors          skip the decode floors\n"
          "  --floors-only        only the decode floors\n"
          "  --k N                COVERTHEME_OPT_K\n"
          "  --space NAME         COVERTHEME_OPT_COLOR_SPACE (CIELAB, RGB, HSL, HSV, YUV, CIELUV)\n"
          "  --threads N          COVERTHEME_OPT_THREADS\n"
          "  --cpu N              pin to CPU N (sched_setaffinity)\n"
          "  --cache              keep the cover cache on (its default size): every timed call is\n"
          "                       a cache hit, so this measures a hit. Without it the harness\n"
          "                       sets COVERTHEME_OPT_CACHE_ENTRIES to 0 and measures the pipeline\n"
          "  --inject-slowdown P  busy-spin P % of each generate call's own CPU time inside the\n"
          "                       timed region. ONLY to show that compare.py catches a slowdown;\n"
          "                       recorded in every output line\n"
          "  --quick              smoke test: 5 samples, 1 warm-up call\n"
          "  --out FILE           JSON lines to FILE instead of stdout\n"
          "  -h, --help           this help\n\n"
          "JSON lines go to stdout (or --out), the table and progress to stderr.\n"
          "Run under LD_PRELOAD=build/libmcount.so for allocation counts (else null).\n",
          f);
}

static int parse_ll(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_d(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

enum {
    OPT_SAMPLES = 256, OPT_WARMUP, OPT_WARMUP_TIME, OPT_LARGE_SAMPLES, OPT_LARGE_MPX, OPT_FILTER,
    OPT_NO_FLOORS, OPT_FLOORS_ONLY, OPT_K, OPT_SPACE, OPT_THREADS, OPT_CPU, OPT_INJECT, OPT_QUICK,
    OPT_OUT, OPT_CACHE
};

int bench_opts_parse(int argc, char **argv, bench_opts *o)
{
    static const struct option longopts[] = {
        {"samples", required_argument, NULL, OPT_SAMPLES},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"warmup-time", required_argument, NULL, OPT_WARMUP_TIME},
        {"large-samples", required_argument, NULL, OPT_LARGE_SAMPLES},
        {"large-mpx", required_argument, NULL, OPT_LARGE_MPX},
        {"filter", required_argument, NULL, OPT_FILTER},
        {"no-floors", no_argument, NULL, OPT_NO_FLOORS},
        {"floors-only", no_argument, NULL, OPT_FLOORS_ONLY},
        {"k", required_argument, NULL, OPT_K},
        {"space", required_argument, NULL, OPT_SPACE},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"cpu", required_argument, NULL, OPT_CPU},
        {"inject-slowdown", required_argument, NULL, OPT_INJECT},
        {"quick", no_argument, NULL, OPT_QUICK},
        {"out", required_argument, NULL, OPT_OUT},
        {"cache", no_argument, NULL, OPT_CACHE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (bench_opts){.samples = -1, .warmup = -1, .large_samples = -1, .warmup_s = -1,
                      .large_mpx = 3.5, .run_e2e = 1, .run_floors = 1, .k = -1,
                      .threads = -1, .cpu = -1};
    int c;
    long long v = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case OPT_SAMPLES:
            bad = parse_ll(optarg, 3, 1000000, &v);
            o->samples = (int)v;
            break;
        case OPT_WARMUP:
            bad = parse_ll(optarg, 0, 1000000, &v);
            o->warmup = (int)v;
            break;
        case OPT_WARMUP_TIME:
            bad = parse_d(optarg, 0, 3600, &o->warmup_s);
            break;
        case OPT_LARGE_SAMPLES:
            bad = parse_ll(optarg, 3, 1000000, &v);
            o->large_samples = (int)v;
            break;
        case OPT_LARGE_MPX:
            bad = parse_d(optarg, 0, 1e6, &o->large_mpx);
            break;
        case OPT_FILTER:
            o->filter = optarg;
            break;
        case OPT_NO_FLOORS:
            o->run_floors = 0;
            break;
        case OPT_FLOORS_ONLY:
            o->run_e2e = 0;
            break;
        case OPT_K:
            bad = parse_ll(optarg, 1, 256, &o->k);
            break;
        case OPT_SPACE:
            o->space = optarg;
            bad = covertheme_space_from_name(optarg) < 0;
            break;
        case OPT_THREADS:
            bad = parse_ll(optarg, 0, 64, &o->threads);
            break;
        case OPT_CPU:
            bad = parse_ll(optarg, 0, CPU_SETSIZE - 1, &v);
            o->cpu = (int)v;
            break;
        case OPT_INJECT:
            bad = parse_d(optarg, 0, 1000, &o->inject_pct);
            break;
        case OPT_QUICK:
            o->quick = 1;
            break;
        case OPT_OUT:
            o->out_path = optarg;
            break;
        case OPT_CACHE:
            o->cache = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
        if (bad) {
            fprintf(stderr, "covertheme-bench: invalid value '%s' for --%s\n", optarg,
                    longopts[c - OPT_SAMPLES].name);
            return 2;
        }
    }
    if (!o->run_e2e && !o->run_floors) {
        fprintf(stderr, "covertheme-bench: --no-floors and --floors-only leave nothing to do\n");
        return 2;
    }
    if (o->samples < 0)
        o->samples = o->quick ? 5 : 30;
    if (o->warmup < 0)
        o->warmup = o->quick ? 1 : 3;
    if (o->warmup_s < 0)
        o->warmup_s = o->quick ? 0 : 0.3;
    if (o->large_samples < 0 || (o->quick && o->large_samples > o->samples))
        o->large_samples = o->samples; /* --quick caps every count, whatever run.sh adds */
    if (optind >= argc) {
        fprintf(stderr, "covertheme-bench: no image files or directories given\n");
        usage(stderr);
        return 2;
    }
    return 0;
}

int bench_opts_samples_for(const bench_opts *o, uint32_t w, uint32_t h)
{
    return (double)w * (double)h >= o->large_mpx * 1e6 ? o->large_samples : o->samples;
}
