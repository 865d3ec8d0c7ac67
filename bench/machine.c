/* Part of covertheme-bench: /proc readers and the run's metadata (see machine.h).
 *
 * The only file built with -DCOVERTHEME_BENCH_CFLAGS (Makefile), since only the metadata
 * records the flags. */
#include "machine.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../abi/covertheme.h"

/* The Makefile passes the flags the harness (and, in the same make, the library) was
 * built with; a hand-built harness says so instead of guessing. */
#ifndef COVERTHEME_BENCH_CFLAGS
#define COVERTHEME_BENCH_CFLAGS "unknown"
#endif

#ifdef __clang__
#define BENCH_COMPILER "clang " __VERSION__
#else
#define BENCH_COMPILER "gcc " __VERSION__
#endif

void machine_read_line(const char *path, char *buf, size_t len)
{
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)len, f))
        buf[strcspn(buf, "\n")] = 0;
    fclose(f);
}

void machine_loadavg(double la[3])
{
    char line[128];
    la[0] = la[1] = la[2] = NAN;
    machine_read_line("/proc/loadavg", line, sizeof line);
    if (sscanf(line, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
        la[0] = la[1] = la[2] = NAN;
}

void machine_loadavg_json(strbuf *s, const double la[3])
{
    strbuf_putn(s, "[", 1);
    for (int i = 0; i < 3; i++) {
        if (i)
            strbuf_putn(s, ",", 1);
        strbuf_json_num(s, "%.2f", la[i]);
    }
    strbuf_putn(s, "]", 1);
}

long machine_rss_kb(void)
{
    char line[128];
    long pages_total = 0, pages_rss = 0;
    machine_read_line("/proc/self/statm", line, sizeof line);
    if (sscanf(line, "%ld %ld", &pages_total, &pages_rss) != 2)
        return -1;
    return pages_rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ======================================================================================
 * The run's metadata (identical in every line of a run)
 * ====================================================================================== */

static const char *policy_name(int policy)
{
    switch (policy) {
    case SCHED_OTHER:
        return "other";
    case SCHED_FIFO:
        return "fifo";
    case SCHED_RR:
        return "rr";
    case SCHED_BATCH:
        return "batch";
    case SCHED_IDLE:
        return "idle";
    }
    return "unknown";
}

static void affinity_json(strbuf *s)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        strbuf_puts(s, "null");
        return;
    }
    strbuf_putn(s, "\"", 1);
    int first = 1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &set))
            continue;
        int end = cpu;
        while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, &set))
            end++;
        strbuf_printf(s, first ? "%d" : ",%d", cpu);
        if (end > cpu)
            strbuf_printf(s, "-%d", end);
        first = 0;
        cpu = end;
    }
    strbuf_putn(s, "\"", 1);
}

static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (colon) {
            colon += 1 + (colon[1] == ' ');
            colon[strcspn(colon, "\n")] = 0;
            snprintf(buf, len, "%s", colon);
        }
        break;
    }
    fclose(f);
}

/* Builds the `"key":value,...` fragment shared by every line (no braces), and reads back
 * the options from a context so defaults are recorded as the values actually used. */
int machine_build_meta(const bench_opts *o, strbuf *m)
{
    covertheme_ctx *ctx = covertheme_create();
    if (!ctx) {
        fprintf(stderr, "covertheme-bench: covertheme_create failed\n");
        return -1;
    }
    int rc = 0;
    if (o->k >= 0)
        rc |= covertheme_set_option(ctx, COVERTHEME_OPT_K, o->k);
    if (o->space)
        rc |= covertheme_set_option(ctx, COVERTHEME_OPT_COLOR_SPACE, covertheme_space_from_name(o->space));
    if (o->threads >= 0)
        rc |= covertheme_set_option(ctx, COVERTHEME_OPT_THREADS, o->threads);
    if (rc) {
        fprintf(stderr, "covertheme-bench: the library rejected an option\n");
        covertheme_destroy(ctx);
        return -1;
    }
    int64_t k = 0, space = 0, threads = 0, max_samples = 0, seed = 0, iters = 0;
    covertheme_get_option(ctx, COVERTHEME_OPT_K, &k);
    covertheme_get_option(ctx, COVERTHEME_OPT_COLOR_SPACE, &space);
    covertheme_get_option(ctx, COVERTHEME_OPT_THREADS, &threads);
    covertheme_get_option(ctx, COVERTHEME_OPT_MAX_SAMPLES, &max_samples);
    covertheme_get_option(ctx, COVERTHEME_OPT_SEED, &seed);
    covertheme_get_option(ctx, COVERTHEME_OPT_MAX_ITERATIONS, &iters);
    covertheme_destroy(ctx);

    char model[256], rt_runtime[64], governor[64], host[256] = "";
    cpu_model(model, sizeof model);
    machine_read_line("/proc/sys/kernel/sched_rt_runtime_us", rt_runtime, sizeof rt_runtime);
    machine_read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", governor, sizeof governor);
    gethostname(host, sizeof host - 1);
    struct utsname un;
    if (uname(&un) != 0)
        snprintf(un.release, sizeof un.release, "unknown");
    double la[3];
    machine_loadavg(la);
    struct sched_param sp = {0};
    int policy = sched_getscheduler(0);
    sched_getparam(0, &sp);
    time_t t = time(NULL);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    const char *commit = getenv("COVERTHEME_COMMIT");

    strbuf_puts(m, "\"machine\":{\"cpu_model\":");
    strbuf_json_str(m, model);
    strbuf_printf(m, ",\"nproc\":%ld,\"kernel\":", sysconf(_SC_NPROCESSORS_ONLN));
    strbuf_json_str(m, un.release);
    strbuf_puts(m, ",\"hostname\":");
    strbuf_json_str(m, host);
    strbuf_puts(m, ",\"loadavg_run_start\":");
    machine_loadavg_json(m, la);
    strbuf_puts(m, ",\"scaling_governor\":");
    strbuf_json_str(m, governor[0] ? governor : NULL);
    strbuf_printf(m, ",\"sched_rt_runtime_us\":%s}", rt_runtime[0] ? rt_runtime : "null");
    strbuf_printf(m, ",\"sched\":{\"policy\":\"%s\",\"priority\":%d,\"affinity\":", policy_name(policy),
                  sp.sched_priority);
    affinity_json(m);
    strbuf_puts(m, "},\"compiler\":");
    strbuf_json_str(m, BENCH_COMPILER);
    strbuf_puts(m, ",\"cflags\":");
    strbuf_json_str(m, COVERTHEME_BENCH_CFLAGS);
    strbuf_puts(m, ",\"commit\":");
    strbuf_json_str(m, commit && *commit ? commit : "unknown");
    strbuf_puts(m, ",\"lib_version\":");
    strbuf_json_str(m, covertheme_version_string());
    /* Which file was measured: LD_LIBRARY_PATH (run.sh BENCH_LIB_DIR) can swap builds. */
    Dl_info dl;
    strbuf_puts(m, ",\"lib_path\":");
    strbuf_json_str(m, dladdr((void *)covertheme_version_string, &dl) && dl.dli_fname ? dl.dli_fname
                                                                                      : NULL);
    strbuf_printf(m, ",\"abi_version\":%u,\"timestamp\":\"%s\",\"run_id\":\"%s-%ld\"",
                  covertheme_abi_version(), stamp, stamp, (long)getpid());
    strbuf_printf(m,
                  ",\"options\":{\"k\":%" PRId64 ",\"space\":", k);
    strbuf_json_str(m, covertheme_space_name((int)space));
    strbuf_printf(m,
                  ",\"threads\":%" PRId64 ",\"max_samples\":%" PRId64 ",\"seed\":%" PRId64
                  ",\"max_iterations\":%" PRId64 ",\"samples\":%d,\"large_samples\":%d,"
                  "\"large_mpx\":%g,\"warmup\":%d,\"warmup_time_s\":%g,\"quick\":%s}",
                  threads, max_samples, seed, iters, o->samples, o->large_samples, o->large_mpx,
                  o->warmup, o->warmup_s, o->quick ? "true" : "false");
    strbuf_printf(m, ",\"inject_slowdown_pct\":%g", o->inject_pct);
    return 0;
}
