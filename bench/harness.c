/* covertheme-bench: end-to-end benchmark of libcovertheme.so.1 as a player uses it, next to
 * decode floors, with robust statistics and JSON-lines output. Usage: --help, or
 * bench/README.md. The method follows docs/tooling.md §2:
 *
 *  - The library is driven only through abi/covertheme.h. One sample = one
 *    covertheme_generate_file() (path in, theme out: what a player does per track change),
 *    then covertheme_render() to RON and to JSON, timed separately.
 *  - Every sample records wall (CLOCK_MONOTONIC), thread CPU and process CPU for the call,
 *    plus the library's own per-stage wall timings from the theme. On a shared VM wall
 *    time is only trustworthy under chrt+taskset (bench/run.sh); CPU time is robust.
 *  - Each image runs in a forked child, so ru_maxrss from wait4() is that image's own
 *    peak, and a crash or an mcount trap loses one image, not the run. Children send
 *    their results back through a pipe as framed records (a binary header with the
 *    summary the parent needs for ratios and the table, then the JSON text).
 *  - The decode floors run in a second child per image, so their buffers do not raise
 *    the end-to-end peak RSS.
 *  - No harness allocation or I/O happens inside a timed region; allocation counters
 *    (bench/mcount.c, LD_PRELOAD) are read just outside it.
 *  - Under SCHED_FIFO/RR the kernel throttles real-time tasks after sched_rt_runtime_us
 *    per period; a sample hit by the throttle gains ~50 ms of wall time. The harness
 *    sleeps briefly between samples (outside the timed region) before a run of samples
 *    could reach the budget; pauses are counted in the output (rt_pauses).
 *
 * This file is the orchestration: options, inputs, the run's metadata, then per image the
 * two children (measure.h), their lines and table rows (results.h), and the exit status.
 * Where the rest lives: bench_opts.c (options), inputs.c (files and directory walks),
 * machine.c (/proc readers, metadata), child.c (fork, pipe, framed records), measure_e2e.c
 * and measure_floors.c (the sample loops), rt_guard.c (RT throttling), results.c (output),
 * strbuf.c (JSON text), stats.c (statistics), floors.c (decoders). */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench_opts.h"
#include "child.h"
#include "clocks.h"
#include "floors.h"
#include "inputs.h"
#include "machine.h"
#include "measure.h"
#include "results.h"
#include "strbuf.h"

/* Measures the i-th of n images: both children, their lines to out and table rows to
 * stderr. Returns 1 when the image produced an error line, else 0. */
static int bench_image(const bench_opts *o, FILE *out, const input *in, size_t i, size_t n)
{
    image_info img = {.path = in->path, .name = in->name};
    struct stat st;
    img.file_bytes = stat(img.path, &st) == 0 ? (long long)st.st_size : -1;
    uint8_t head[16] = {0};
    FILE *f = fopen(img.path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    img.format = floors_sniff(head, got);
    fprintf(stderr, "[%zu/%zu] %s ...\n", i + 1, n, img.name);
    uint64_t t0 = now_ns(CLOCK_MONOTONIC);
    machine_loadavg(img.la_start);

    child_result e2e = {0}, fl = {0};
    if (o->run_floors)
        child_run(measure_floors, o, &img, &fl);
    if (o->run_e2e)
        child_run(measure_e2e, o, &img, &e2e);
    double la_end[3];
    machine_loadavg(la_end);
    /* A child that died (signal, mcount trap) without an error record of its own still
     * gets an error line, even when it had sent some records before dying. */
    int bad = 0;
    if (o->run_e2e) {
        bad += results_emit(out, &img, &e2e, o->run_floors ? &fl : NULL, la_end);
        if (e2e.failure[0] && !child_has_error_rec(&e2e)) {
            results_emit_failure(out, &img, "e2e", e2e.failure);
            bad++;
        }
    }
    if (o->run_floors) {
        bad += results_emit(out, &img, &fl, NULL, la_end);
        if (fl.failure[0] && !child_has_error_rec(&fl)) {
            results_emit_failure(out, &img, "floor", fl.failure);
            bad++;
        }
    }
    const child_result *both[2] = {&e2e, &fl};
    for (int c = 0; c < 2; c++) {
        if (both[c]->failure[0] && !child_has_error_rec(both[c]))
            fprintf(stderr, "  FAILED (%s): %s\n", c ? "floors" : "e2e", both[c]->failure);
        for (size_t j = 0; j < both[c]->n; j++)
            if (both[c]->recs[j].h.kind == REC_ERROR)
                fprintf(stderr, "  ERROR (%s): %s\n", c ? "floors" : "e2e",
                        both[c]->recs[j].h.message);
    }
    fflush(out);
    fprintf(stderr, "  (%.1f s)\n", (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9);
    child_result_free(&e2e);
    child_result_free(&fl);
    return bad > 0;
}

int main(int argc, char **argv)
{
    bench_opts o;
    int rc = bench_opts_parse(argc, argv, &o);
    if (rc)
        return rc;
    if (o.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(o.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "covertheme-bench: --cpu %d: %s\n", o.cpu, strerror(errno));
            return 2;
        }
    }
    input_list inputs = {0};
    inputs_collect(argc, argv, o.filter, &inputs);
    if (inputs.n == 0) {
        fprintf(stderr, "covertheme-bench: no images to benchmark\n");
        return 2;
    }
    strbuf meta = {0};
    if (machine_build_meta(&o, &meta) != 0)
        return 2;
    results_set_meta(meta.p);

    FILE *out = stdout;
    if (o.out_path && !(out = fopen(o.out_path, "w"))) {
        fprintf(stderr, "covertheme-bench: %s: %s\n", o.out_path, strerror(errno));
        return 2;
    }
    if (o.inject_pct > 0)
        fprintf(stderr, "covertheme-bench: WARNING: --inject-slowdown %g: every generate call is "
                        "made %g %% slower on purpose\n", o.inject_pct, o.inject_pct);
    if (!measure_counts_allocs())
        fprintf(stderr, "covertheme-bench: libmcount.so not preloaded: allocations are null\n");

    int failures = 0;
    uint64_t run_start = now_ns(CLOCK_MONOTONIC);
    results_table_header();
    for (size_t i = 0; i < inputs.n; i++)
        failures += bench_image(&o, out, &inputs.v[i], i, inputs.n);
    fprintf(stderr, "covertheme-bench: %zu image(s), %d failed, %.1f s\n", inputs.n, failures,
            (double)(now_ns(CLOCK_MONOTONIC) - run_start) / 1e9);
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "covertheme-bench: %s: %s\n", o.out_path, strerror(errno));
        failures++;
    }
    inputs_free(&inputs);
    strbuf_free(&meta);
    return failures ? 1 : 0;
}
