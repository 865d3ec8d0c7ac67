/* Part of covertheme-bench: the end-to-end measurement through the ABI (see measure.h).
 *
 * Every sample records wall (CLOCK_MONOTONIC), thread CPU and process CPU for the
 * generate call, plus the library's own per-stage wall timings from the theme, and the
 * render calls timed separately. Allocation counters (bench/mcount.c, LD_PRELOAD) are read
 * just outside the timed regions. Everything the timed regions call is in this file or
 * inline, so the compiler sees the whole sample loop. */
#include "measure.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../abi/covertheme.h"
#include "clocks.h"
#include "rt_guard.h"
#include "stats.h"
#include "strbuf.h"

/* Provided by build/libmcount.so when it is LD_PRELOADed; NULL otherwise. */
extern uint64_t mcount_allocs(void) __attribute__((weak));
extern uint64_t mcount_bytes(void) __attribute__((weak));

int measure_counts_allocs(void)
{
    return mcount_allocs != NULL;
}

static uint64_t allocs_now(void)
{
    return mcount_allocs ? mcount_allocs() : 0;
}

static uint64_t bytes_now(void)
{
    return mcount_bytes ? mcount_bytes() : 0;
}

enum {
    S_TOTAL_WALL, S_TOTAL_CPU, S_TOTAL_PCPU,
    S_READ, S_DECODE, S_SAMPLE, S_CONVERT, S_CLUSTER, S_ROLES, S_LIB_TOTAL,
    S_RON_WALL, S_RON_CPU, S_JSON_WALL, S_JSON_CPU,
    S_COUNT
};
enum { A_NONE, A_GEN, A_RON, A_JSON };
static const struct {
    const char *stage, *metric;
    int allocs;
} e2e_series[S_COUNT] = {
    /* "total" is measured by the harness around covertheme_generate_file (read included,
     * injected slowdown included); the rest of the generate stages are the library's own
     * wall timings from theme->timings ("lib_total" = its total_ns). */
    {"total", "wall", A_GEN},     {"total", "cpu", A_GEN},      {"total", "pcpu", A_GEN},
    {"read", "wall", A_NONE},     {"decode", "wall", A_NONE},   {"sample", "wall", A_NONE},
    {"convert", "wall", A_NONE},  {"cluster", "wall", A_NONE},  {"roles", "wall", A_NONE},
    {"lib_total", "wall", A_NONE}, {"render_ron", "wall", A_RON}, {"render_ron", "cpu", A_RON},
    {"render_json", "wall", A_JSON}, {"render_json", "cpu", A_JSON},
};

typedef struct alloc_acc {
    uint64_t gen_allocs, gen_bytes, ron_allocs, ron_bytes, json_allocs, json_bytes;
    uint64_t cache_hits; /* timed calls served by the cover cache (theme decode_ns == 0) */
} alloc_acc;

/* Busy-spins until this thread has used `pct` % more CPU than the call that started at
 * thread CPU time cpu0. Spinning on CPU time (not wall) makes the injected cost exactly
 * what the default compare metric sees, whatever the scheduler does. */
static void inject_spin(uint64_t cpu0, double pct)
{
    uint64_t cpu1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    uint64_t target = cpu1 + (uint64_t)((double)(cpu1 - cpu0) * pct / 100.0);
    while (now_ns(CLOCK_THREAD_CPUTIME_ID) < target) {
    }
}

static int render_timed(const covertheme_theme *th, int format, double *wall, double *cpu,
                        uint64_t *allocs, uint64_t *bytes)
{
    char *text = NULL;
    size_t len = 0;
    uint64_t a0 = allocs_now(), b0 = bytes_now();
    uint64_t c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
    int rc = covertheme_render(th, format, 0, &text, &len);
    uint64_t w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    *allocs += allocs_now() - a0;
    *bytes += bytes_now() - b0;
    if (wall)
        *wall = (double)(w1 - w0);
    if (cpu)
        *cpu = (double)(c1 - c0);
    covertheme_free(text);
    return rc;
}

/* One untimed-or-timed generate+render. With v == NULL nothing is recorded (warm-up). */
static int e2e_once(covertheme_ctx *ctx, const image_info *img, double inject_pct,
                    double *v[S_COUNT], size_t i, alloc_acc *acc, uint64_t *wall_out,
                    char *err, size_t errlen)
{
    covertheme_theme *th = NULL;
    uint64_t a0 = allocs_now(), b0 = bytes_now();
    /* Nested so the wall interval is the innermost, tightest one. */
    uint64_t p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    uint64_t w0 = now_ns(CLOCK_MONOTONIC);
    int rc = covertheme_generate_file(ctx, img->path, &th);
    if (inject_pct > 0)
        inject_spin(c0, inject_pct);
    uint64_t w1 = now_ns(CLOCK_MONOTONIC);
    uint64_t c1 = now_ns(CLOCK_THREAD_CPUTIME_ID), p1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    uint64_t a1 = allocs_now(), b1 = bytes_now();
    *wall_out = w1 - w0;
    if (rc < 0) {
        /* Copied: the library's string only lives until our next call into it. */
        snprintf(err, errlen, "%s", covertheme_last_error(ctx));
        return rc;
    }
    if (th->struct_size < offsetof(covertheme_theme, timings) + sizeof(covertheme_timings)) {
        covertheme_theme_free(th);
        snprintf(err, errlen, "theme too old to carry timings");
        return COVERTHEME_ERR_INTERNAL;
    }
    uint64_t ra = 0, rb = 0, ja = 0, jb = 0;
    double rw, rcpu, jw, jcpu;
    int rrc = render_timed(th, COVERTHEME_FORMAT_RON, &rw, &rcpu, &ra, &rb);
    int jrc = render_timed(th, COVERTHEME_FORMAT_JSON, &jw, &jcpu, &ja, &jb);
    if (v) {
        const covertheme_timings *t = &th->timings;
        v[S_TOTAL_WALL][i] = (double)(w1 - w0);
        v[S_TOTAL_CPU][i] = (double)(c1 - c0);
        v[S_TOTAL_PCPU][i] = (double)(p1 - p0);
        v[S_READ][i] = (double)t->read_ns;
        v[S_DECODE][i] = (double)t->decode_ns;
        v[S_SAMPLE][i] = (double)t->sample_ns;
        v[S_CONVERT][i] = (double)t->convert_ns;
        v[S_CLUSTER][i] = (double)t->cluster_ns;
        v[S_ROLES][i] = (double)t->roles_ns;
        v[S_LIB_TOTAL][i] = (double)t->total_ns;
        v[S_RON_WALL][i] = rw;
        v[S_RON_CPU][i] = rcpu;
        v[S_JSON_WALL][i] = jw;
        v[S_JSON_CPU][i] = jcpu;
        acc->gen_allocs += a1 - a0;
        acc->gen_bytes += b1 - b0;
        acc->ron_allocs += ra;
        acc->ron_bytes += rb;
        acc->json_allocs += ja;
        acc->json_bytes += jb;
        acc->cache_hits += t->decode_ns == 0;
    }
    covertheme_theme_free(th);
    if (rrc < 0 || jrc < 0) {
        snprintf(err, errlen, "covertheme_render failed");
        return rrc < 0 ? rrc : jrc;
    }
    return 0;
}

int measure_e2e(const bench_opts *o, image_info *img, int fd)
{
    covertheme_ctx *ctx = covertheme_create();
    if (!ctx)
        return child_send_error(fd, img, "e2e", "covertheme_create failed"), 2;
    if (o->k >= 0)
        covertheme_set_option(ctx, COVERTHEME_OPT_K, o->k);
    if (o->space)
        covertheme_set_option(ctx, COVERTHEME_OPT_COLOR_SPACE, covertheme_space_from_name(o->space));
    if (o->threads >= 0)
        covertheme_set_option(ctx, COVERTHEME_OPT_THREADS, o->threads);
    /* The harness measures the pipeline, so the cover cache is off: with it every call after
     * the first would be a hit. --cache keeps the library's default to measure hits. A
     * library older than the option (bench-ab's base) rejects it and has no cache. */
    int64_t cache_entries = 0;
    if (!o->cache)
        covertheme_set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0);
    if (covertheme_get_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, &cache_entries) != COVERTHEME_OK)
        cache_entries = 0;
    if (o->cache && cache_entries <= 0) {
        covertheme_destroy(ctx);
        return child_send_error(fd, img, "e2e", "--cache: this library has no cover cache"), 2;
    }

    rt_guard g;
    rt_guard_init(&g);
    char err[512] = "";
    uint64_t wall = 0;
    alloc_acc dummy = {0};

    /* First call: learn the size (for the sample count) and fail early on a bad file. */
    covertheme_theme *th = NULL;
    int rc = covertheme_generate_file(ctx, img->path, &th);
    if (rc < 0) {
        child_send_error(fd, img, "e2e", "%s: %s", covertheme_strerror(rc), covertheme_last_error(ctx));
        covertheme_destroy(ctx);
        return 2;
    }
    img->width = th->image_width;
    img->height = th->image_height;
    covertheme_theme_free(th);

    /* Warm-up: at least N calls and at least the warm-up time (caches, page faults of the
     * first big buffers, lazy binding, CPU frequency). */
    uint64_t start = now_ns(CLOCK_MONOTONIC);
    int warm = 1;
    while (warm < o->warmup ||
           (double)(now_ns(CLOCK_MONOTONIC) - start) < o->warmup_s * 1e9) {
        rt_guard_before(&g, wall);
        if ((rc = e2e_once(ctx, img, o->inject_pct, NULL, 0, &dummy, &wall, err, sizeof err)) < 0)
            break;
        warm++;
    }

    size_t n = (size_t)bench_opts_samples_for(o, img->width, img->height);
    double *buf = calloc(n * S_COUNT, sizeof *buf);
    if (!buf) {
        covertheme_destroy(ctx);
        return child_send_error(fd, img, "e2e", "out of memory for %zu samples", n), 2;
    }
    double *v[S_COUNT];
    for (int s = 0; s < S_COUNT; s++)
        v[s] = buf + (size_t)s * n;
    alloc_acc acc = {0};
    g.pauses = 0;
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        rt_guard_before(&g, wall);
        rc = e2e_once(ctx, img, o->inject_pct, v, i, &acc, &wall, err, sizeof err);
    }
    covertheme_destroy(ctx);
    if (rc < 0) {
        child_send_error(fd, img, "e2e", "%s: %s", covertheme_strerror(rc), err);
        free(buf);
        return 2;
    }
    /* Every timed call must be what was asked for: all hits with --cache, none without. */
    if (acc.cache_hits != (o->cache ? (uint64_t)n : 0)) {
        child_send_error(fd, img, "e2e", "%llu of %zu timed calls were cover-cache hits, want %s",
                         (unsigned long long)acc.cache_hits, n, o->cache ? "all" : "none");
        free(buf);
        return 2;
    }

    /* Single-threaded when the process used no more CPU than this thread: then thread CPU
     * is the right robust metric (compare.py picks it); otherwise workers ran elsewhere. */
    double cpu_med = stats_median(v[S_TOTAL_CPU], n), pcpu_med = stats_median(v[S_TOTAL_PCPU], n);
    int single = pcpu_med <= cpu_med * 1.05;
    int have_mc = mcount_allocs != NULL && mcount_bytes != NULL;
    strbuf extra = {0};
    strbuf_printf(&extra, ",\"single_threaded\":%s,\"warmup_calls\":%d,\"rt_pauses\":%u",
                  single ? "true" : "false", warm, g.pauses);
    strbuf_printf(&extra, ",\"cache\":%s,\"cache_entries\":%lld,\"cache_hits\":%llu",
                  o->cache ? "true" : "false", (long long)cache_entries, (unsigned long long)acc.cache_hits);
    for (int s = 0; s < S_COUNT; s++) {
        double a = NAN, b = NAN;
        switch (e2e_series[s].allocs) {
        case A_GEN:
            a = (double)acc.gen_allocs / (double)n;
            b = (double)acc.gen_bytes / (double)n;
            break;
        case A_RON:
            a = (double)acc.ron_allocs / (double)n;
            b = (double)acc.ron_bytes / (double)n;
            break;
        case A_JSON:
            a = (double)acc.json_allocs / (double)n;
            b = (double)acc.json_bytes / (double)n;
            break;
        }
        int has = have_mc && e2e_series[s].allocs != A_NONE;
        if (child_send_series(fd, REC_E2E, e2e_series[s].stage, e2e_series[s].metric, img, v[s], n, has,
                              a, b, extra.p) != 0)
            break;
    }
    strbuf_free(&extra);
    free(buf);
    return 0;
}
