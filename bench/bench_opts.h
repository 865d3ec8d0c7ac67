/* Part of covertheme-bench: its command-line options, parsed once in main and read by every
 * child (fork copies them) and by the run's metadata. */
#ifndef COVERTHEME_BENCH_BENCH_OPTS_H
#define COVERTHEME_BENCH_BENCH_OPTS_H

#include <stdint.h>

typedef struct bench_opts {
    int samples, warmup, large_samples;
    double warmup_s, large_mpx;
    int run_e2e, run_floors, quick;
    long long k, threads; /* -1: library default */
    const char *space;    /* NULL: library default */
    int cpu;              /* -1: no pinning */
    double inject_pct;
    int cache;            /* --cache: keep the library's cover cache (measure hits); else 0 entries */
    const char *filter, *out_path;
} bench_opts;

/* Fills *o with defaults resolved (--quick applied). Returns 0, or 2 for a usage error
 * (message printed); --help prints the usage and exits 0. On return, optind indexes the
 * first FILE|DIR argument. */
int bench_opts_parse(int argc, char **argv, bench_opts *o);

/* Timed samples for an image of w x h pixels: --large-samples from --large-mpx up. */
int bench_opts_samples_for(const bench_opts *o, uint32_t w, uint32_t h);

#endif /* COVERTHEME_BENCH_BENCH_OPTS_H */
