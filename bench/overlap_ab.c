/* covertheme-overlap-ab: what the decode/colour-count overlap (core/hist_stream.h) saves,
 * measured call against call.
 *
 * On this shared 2-vCPU VM the CPU speed drifts by more than the 1-3 ms the overlap can
 * save on a 15-150 ms call, and bench/ab.sh, which alternates whole processes, left it
 * inside the noise. So this tool alternates the overlap itself, call by call, in one
 * process on one context (COVERTHEME_OVERLAP=0 for the calls without it; the theme is the
 * same bits either way) and takes the ratio of each adjacent pair: a drift slower than two
 * calls cancels out. The order within a pair alternates too.
 *
 *   covertheme-overlap-ab [--pairs N] [--threads N] FILE|DIR...
 *
 * Per image: medians of decode+convert and of the whole call with and without the overlap,
 * and the median of the paired ratios (with / without) with its 95 % bootstrap interval. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../abi/covertheme.h"
#include "inputs.h"
#include "stats.h"

#define MAX_PAIRS 1000

typedef struct pair_times {
    double with_dc[MAX_PAIRS], without_dc[MAX_PAIRS], with_total[MAX_PAIRS], without_total[MAX_PAIRS];
    double ratio_dc[MAX_PAIRS], ratio_total[MAX_PAIRS];
} pair_times;

static int one_call(covertheme_ctx *ctx, const char *path, int overlap, double *dc_ms, double *total_ms)
{
    if (overlap)
        unsetenv("COVERTHEME_OVERLAP");
    else
        setenv("COVERTHEME_OVERLAP", "0", 1);
    covertheme_theme *t;
    int rc = covertheme_generate_file(ctx, path, &t);
    if (rc != COVERTHEME_OK) {
        fprintf(stderr, "covertheme-overlap-ab: %s: %s\n", path, covertheme_last_error(ctx));
        return -1;
    }
    *dc_ms = (double)(t->timings.decode_ns + t->timings.convert_ns) / 1e6;
    *total_ms = (double)t->timings.total_ns / 1e6;
    covertheme_theme_free(t);
    return 0;
}

static void print_ratio(const char *what, double *ratios, int n)
{
    double lo = 0, hi = 0;
    stats_bootstrap_median_ci(ratios, (size_t)n, 2000, 1, 0.95, &lo, &hi);
    printf(" %s %.3f [%.3f, %.3f]", what, stats_median(ratios, (size_t)n), lo, hi);
}

static int measure(covertheme_ctx *ctx, const input *in, int pairs, pair_times *pt)
{
    double dc, total;
    for (int w = 0; w < 6; w++) /* warm: the arena, the pool, the page cache */
        if (one_call(ctx, in->path, w % 2, &dc, &total) < 0)
            return -1;
    for (int i = 0; i < pairs; i++) {
        for (int k = 0; k < 2; k++) {
            int overlap = (i % 2) ? k : 1 - k;
            if (one_call(ctx, in->path, overlap, &dc, &total) < 0)
                return -1;
            (overlap ? pt->with_dc : pt->without_dc)[i] = dc;
            (overlap ? pt->with_total : pt->without_total)[i] = total;
        }
        pt->ratio_dc[i] = pt->with_dc[i] / pt->without_dc[i];
        pt->ratio_total[i] = pt->with_total[i] / pt->without_total[i];
    }
    printf("%-32s decode+convert %7.2f -> %7.2f ms, total %7.2f -> %7.2f ms;", in->name,
           stats_median(pt->without_dc, (size_t)pairs), stats_median(pt->with_dc, (size_t)pairs),
           stats_median(pt->without_total, (size_t)pairs), stats_median(pt->with_total, (size_t)pairs));
    print_ratio("ratio decode+convert", pt->ratio_dc, pairs);
    print_ratio("total", pt->ratio_total, pairs);
    printf("\n");
    fflush(stdout);
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    int pairs = 40, threads = 0, first = 1;
    for (; first < argc && strncmp(argv[first], "--", 2) == 0; first += 2) {
        const char *value = first + 1 < argc ? argv[first + 1] : "";
        int ok = 0;
        if (strcmp(argv[first], "--pairs") == 0)
            ok = parse_int(value, 2, MAX_PAIRS, &pairs) == 0;
        else if (strcmp(argv[first], "--threads") == 0)
            ok = parse_int(value, 0, 64, &threads) == 0;
        if (!ok) {
            fprintf(stderr, "usage: covertheme-overlap-ab [--pairs 2..%d] [--threads 0..64] FILE|DIR...\n", MAX_PAIRS);
            return 2;
        }
    }
    input_list inputs = {0};
    optind = first; /* where inputs_collect starts */
    inputs_collect(argc, argv, NULL, &inputs);
    if (inputs.n == 0) {
        fprintf(stderr, "covertheme-overlap-ab: no images\n");
        return 2;
    }
    covertheme_ctx *ctx = covertheme_create();
    pair_times *pt = malloc(sizeof *pt);
    if (!ctx || !pt || covertheme_set_option(ctx, COVERTHEME_OPT_THREADS, threads) != COVERTHEME_OK ||
        covertheme_set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0) != COVERTHEME_OK) {
        fprintf(stderr, "covertheme-overlap-ab: cannot set up a context\n");
        return 3;
    }
    printf("# %d pairs per image, --threads %d; ratio = with / without the overlap (median, 95 %% CI)\n", pairs,
           threads);
    int failed = 0;
    for (size_t i = 0; i < inputs.n; i++)
        failed |= measure(ctx, &inputs.v[i], pairs, pt) < 0;
    free(pt);
    covertheme_destroy(ctx);
    inputs_free(&inputs);
    return failed ? 1 : 0;
}
