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
 *    could reach the budget; pauses are counted in the output (rt_pauses). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../abi/covertheme.h"
#include "floors.h"
#include "stats.h"

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

/* Provided by build/libmcount.so when it is LD_PRELOADed; NULL otherwise. */
extern uint64_t mcount_allocs(void) __attribute__((weak));
extern uint64_t mcount_bytes(void) __attribute__((weak));

/* ======================================================================================
 * Options
 * ====================================================================================== */

typedef struct bench_opts {
    int samples, warmup, large_samples;
    double warmup_s, large_mpx;
    int run_e2e, run_floors, quick;
    long long k, threads; /* -1: library default */
    const char *space;    /* NULL: library default */
    int cpu;              /* -1: no pinning */
    double inject_pct;
    const char *filter, *out_path;
} bench_opts;

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
    OPT_OUT
};

/* Returns 0, or 2 for a usage error (message printed). */
static int parse_options(int argc, char **argv, bench_opts *o)
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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (bench_opts){.samples = -1, .warmup = -1, .large_samples = -1, .warmup_s = -1,
                      .large_mpx = 3.5, .run_e2e = 1, .run_floors = 1, .k = -1,
                      .threads = -1, .cpu = -1};
    int c;
    long long v;
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

/* ======================================================================================
 * Small utilities: string builder with JSON helpers, clocks, files
 * ====================================================================================== */

typedef struct sb {
    char *p;
    size_t len, cap;
} sb;

static void sb_reserve(sb *s, size_t extra)
{
    if (s->len + extra + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + extra + 1)
        cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) {
        fprintf(stderr, "covertheme-bench: out of memory\n");
        _exit(3);
    }
    s->p = p;
    s->cap = cap;
}

static void sb_putn(sb *s, const char *str, size_t n)
{
    sb_reserve(s, n);
    memcpy(s->p + s->len, str, n);
    s->len += n;
    s->p[s->len] = 0;
}

static void sb_puts(sb *s, const char *str)
{
    sb_putn(s, str, strlen(str));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(sb *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sb_reserve(s, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

static void sb_json_str(sb *s, const char *str)
{
    if (!str) {
        sb_puts(s, "null");
        return;
    }
    sb_putn(s, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)str; *c; c++) {
        if (*c == '"' || *c == '\\') {
            char esc[2] = {'\\', (char)*c};
            sb_putn(s, esc, 2);
        } else if (*c < 0x20) {
            sb_printf(s, "\\u%04x", *c);
        } else {
            sb_putn(s, (const char *)c, 1);
        }
    }
    sb_putn(s, "\"", 1);
}

/* JSON has no NaN: unknown numbers are null. */
static void sb_num(sb *s, const char *fmt, double v)
{
    if (isfinite(v))
        sb_printf(s, fmt, v);
    else
        sb_puts(s, "null");
}

static void sb_free(sb *s)
{
    free(s->p);
    *s = (sb){0};
}

static inline uint64_t now_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t allocs_now(void)
{
    return mcount_allocs ? mcount_allocs() : 0;
}

static uint64_t bytes_now(void)
{
    return mcount_bytes ? mcount_bytes() : 0;
}

/* First line of a small file, without the newline; "" when unreadable. */
static void read_line(const char *path, char *buf, size_t len)
{
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)len, f))
        buf[strcspn(buf, "\n")] = 0;
    fclose(f);
}

static void loadavg(double la[3])
{
    char line[128];
    la[0] = la[1] = la[2] = NAN;
    read_line("/proc/loadavg", line, sizeof line);
    if (sscanf(line, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
        la[0] = la[1] = la[2] = NAN;
}

static void sb_loadavg(sb *s, const double la[3])
{
    sb_putn(s, "[", 1);
    for (int i = 0; i < 3; i++) {
        if (i)
            sb_putn(s, ",", 1);
        sb_num(s, "%.2f", la[i]);
    }
    sb_putn(s, "]", 1);
}

static long rss_now_kb(void)
{
    char line[128];
    long pages_total = 0, pages_rss = 0;
    read_line("/proc/self/statm", line, sizeof line);
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

static void sb_affinity(sb *s)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        sb_puts(s, "null");
        return;
    }
    sb_putn(s, "\"", 1);
    int first = 1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &set))
            continue;
        int end = cpu;
        while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, &set))
            end++;
        sb_printf(s, first ? "%d" : ",%d", cpu);
        if (end > cpu)
            sb_printf(s, "-%d", end);
        first = 0;
        cpu = end;
    }
    sb_putn(s, "\"", 1);
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
static int build_meta(const bench_opts *o, sb *m)
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
    read_line("/proc/sys/kernel/sched_rt_runtime_us", rt_runtime, sizeof rt_runtime);
    read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", governor, sizeof governor);
    gethostname(host, sizeof host - 1);
    struct utsname un;
    if (uname(&un) != 0)
        snprintf(un.release, sizeof un.release, "unknown");
    double la[3];
    loadavg(la);
    struct sched_param sp = {0};
    int policy = sched_getscheduler(0);
    sched_getparam(0, &sp);
    time_t t = time(NULL);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    const char *commit = getenv("COVERTHEME_COMMIT");

    sb_puts(m, "\"machine\":{\"cpu_model\":");
    sb_json_str(m, model);
    sb_printf(m, ",\"nproc\":%ld,\"kernel\":", sysconf(_SC_NPROCESSORS_ONLN));
    sb_json_str(m, un.release);
    sb_puts(m, ",\"hostname\":");
    sb_json_str(m, host);
    sb_puts(m, ",\"loadavg_run_start\":");
    sb_loadavg(m, la);
    sb_puts(m, ",\"scaling_governor\":");
    sb_json_str(m, governor[0] ? governor : NULL);
    sb_printf(m, ",\"sched_rt_runtime_us\":%s}", rt_runtime[0] ? rt_runtime : "null");
    sb_printf(m, ",\"sched\":{\"policy\":\"%s\",\"priority\":%d,\"affinity\":", policy_name(policy),
              sp.sched_priority);
    sb_affinity(m);
    sb_puts(m, "},\"compiler\":");
    sb_json_str(m, BENCH_COMPILER);
    sb_puts(m, ",\"cflags\":");
    sb_json_str(m, COVERTHEME_BENCH_CFLAGS);
    sb_puts(m, ",\"commit\":");
    sb_json_str(m, commit && *commit ? commit : "unknown");
    sb_puts(m, ",\"lib_version\":");
    sb_json_str(m, covertheme_version_string());
    /* Which file was measured: LD_LIBRARY_PATH (run.sh BENCH_LIB_DIR) can swap builds. */
    Dl_info dl;
    sb_puts(m, ",\"lib_path\":");
    sb_json_str(m, dladdr((void *)covertheme_version_string, &dl) && dl.dli_fname ? dl.dli_fname
                                                                                 : NULL);
    sb_printf(m, ",\"abi_version\":%u,\"timestamp\":\"%s\",\"run_id\":\"%s-%ld\"",
              covertheme_abi_version(), stamp, stamp, (long)getpid());
    sb_printf(m,
              ",\"options\":{\"k\":%" PRId64 ",\"space\":", k);
    sb_json_str(m, covertheme_space_name((int)space));
    sb_printf(m,
              ",\"threads\":%" PRId64 ",\"max_samples\":%" PRId64 ",\"seed\":%" PRId64
              ",\"max_iterations\":%" PRId64 ",\"samples\":%d,\"large_samples\":%d,"
              "\"large_mpx\":%g,\"warmup\":%d,\"warmup_time_s\":%g,\"quick\":%s}",
              threads, max_samples, seed, iters, o->samples, o->large_samples, o->large_mpx,
              o->warmup, o->warmup_s, o->quick ? "true" : "false");
    sb_printf(m, ",\"inject_slowdown_pct\":%g", o->inject_pct);
    return 0;
}

/* ======================================================================================
 * Real-time throttling guard (see the header comment)
 * ====================================================================================== */

typedef struct rt_guard {
    int active;
    uint64_t segment_start, limit_ns, pause_ns;
    unsigned pauses;
} rt_guard;

static void rt_guard_init(rt_guard *g)
{
    memset(g, 0, sizeof *g);
    int policy = sched_getscheduler(0);
    if (policy != SCHED_FIFO && policy != SCHED_RR)
        return;
    char a[64], b[64];
    read_line("/proc/sys/kernel/sched_rt_runtime_us", a, sizeof a);
    read_line("/proc/sys/kernel/sched_rt_period_us", b, sizeof b);
    long long runtime = atoll(a), period = atoll(b);
    if (runtime < 0 || period <= 0 || runtime >= period)
        return; /* throttling disabled */
    /* Sleeping 2x the non-RT share and running at most period - 2x pause between sleeps
     * keeps every period-long window below the RT budget. */
    uint64_t pause = (uint64_t)(period - runtime) * 2000;
    uint64_t per = (uint64_t)period * 1000;
    if (pause < 20000000)
        pause = 20000000;
    if (2 * pause >= per)
        return;
    g->active = 1;
    g->pause_ns = pause;
    g->limit_ns = per - 2 * pause;
    g->segment_start = now_ns(CLOCK_MONOTONIC);
}

/* Call before each timed sample; `expected_ns` is the previous sample's wall time. */
static void rt_guard_before(rt_guard *g, uint64_t expected_ns)
{
    if (!g->active)
        return;
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    if (now - g->segment_start + expected_ns <= g->limit_ns)
        return;
    struct timespec ts = {(time_t)(g->pause_ns / 1000000000u), (long)(g->pause_ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    g->pauses++;
    g->segment_start = now_ns(CLOCK_MONOTONIC);
}

/* ======================================================================================
 * Records sent from a child to the parent
 * ====================================================================================== */

enum { REC_E2E = 0, REC_FLOOR = 1, REC_ERROR = 2 };
static const char *const rec_kind_name[] = {"e2e", "floor", "error"};
#define REC_MAGIC 0x43544252u

typedef struct rec_hdr {
    uint32_t magic, kind;
    char stage[24], metric[8];
    stats_summary sum;
    int32_t has_allocs;
    double allocs, bytes; /* per call */
    uint32_t body_len;    /* JSON object text without its closing brace */
    char message[1024];   /* REC_ERROR only: what went wrong, for stderr */
} rec_hdr;

typedef struct rec {
    rec_hdr h;
    char *body;
} rec;

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_rec(int fd, const rec_hdr *h, const sb *body)
{
    rec_hdr copy = *h;
    copy.magic = REC_MAGIC;
    copy.body_len = (uint32_t)body->len;
    if (write_all(fd, &copy, sizeof copy) != 0)
        return -1;
    return write_all(fd, body->p, body->len);
}

/* What a child knows about its image, for the JSON text. */
typedef struct image_info {
    const char *path, *name;
    floor_format format;
    uint32_t width, height;
    long long file_bytes;
    double la_start[3];
} image_info;

static const char *meta_json; /* built by the parent before forking */

static void sb_line_head(sb *s, int kind, const char *stage, const char *metric,
                         const image_info *img)
{
    sb_printf(s, "{\"kind\":\"%s\",\"stage\":\"%s\",\"metric\":\"%s\",\"image\":",
              rec_kind_name[kind], stage, metric);
    sb_json_str(s, img->name);
    sb_puts(s, ",\"path\":");
    sb_json_str(s, img->path);
    sb_printf(s, ",\"format\":\"%s\",\"width\":%u,\"height\":%u,\"file_bytes\":%lld",
              floors_format_name(img->format), img->width, img->height, img->file_bytes);
}

/* One series of samples (ns) -> one framed record with statistics and the raw samples. */
static int send_series(int fd, int kind, const char *stage, const char *metric,
                       const image_info *img, const double *v, size_t n, int has_allocs,
                       double allocs, double bytes, const char *extra)
{
    rec_hdr h;
    memset(&h, 0, sizeof h);
    h.kind = (uint32_t)kind;
    snprintf(h.stage, sizeof h.stage, "%s", stage);
    snprintf(h.metric, sizeof h.metric, "%s", metric);
    stats_summarize(v, n, &h.sum);
    h.has_allocs = has_allocs;
    h.allocs = allocs;
    h.bytes = bytes;

    sb s = {0};
    sb_line_head(&s, kind, stage, metric, img);
    sb_printf(&s, ",\"unit\":\"ns\",\"n\":%zu,\"median_ns\":", h.sum.n);
    sb_num(&s, "%.1f", h.sum.median);
    sb_puts(&s, ",\"mad_ns\":");
    sb_num(&s, "%.1f", h.sum.mad);
    sb_puts(&s, ",\"mad_pct\":");
    sb_num(&s, "%.4f", 100 * h.sum.mad / h.sum.median);
    sb_puts(&s, ",\"ci95_lo_ns\":");
    sb_num(&s, "%.1f", h.sum.ci_lo);
    sb_puts(&s, ",\"ci95_hi_ns\":");
    sb_num(&s, "%.1f", h.sum.ci_hi);
    sb_puts(&s, ",\"min_ns\":");
    sb_num(&s, "%.0f", h.sum.min);
    sb_puts(&s, ",\"max_ns\":");
    sb_num(&s, "%.0f", h.sum.max);
    sb_printf(&s, ",\"outliers\":%zu,\"allocs_per_call\":", h.sum.outliers);
    sb_num(&s, "%.3f", has_allocs ? allocs : NAN);
    sb_puts(&s, ",\"alloc_bytes_per_call\":");
    sb_num(&s, "%.1f", has_allocs ? bytes : NAN);
    if (extra)
        sb_puts(&s, extra);
    sb_puts(&s, ",\"loadavg_start\":");
    sb_loadavg(&s, img->la_start);
    sb_putn(&s, ",", 1);
    sb_puts(&s, meta_json);
    sb_puts(&s, ",\"samples_ns\":[");
    for (size_t i = 0; i < n; i++)
        sb_printf(&s, i ? ",%.0f" : "%.0f", v[i]);
    sb_putn(&s, "]", 1);
    int rc = send_rec(fd, &h, &s);
    sb_free(&s);
    return rc;
}

__attribute__((format(printf, 4, 5))) static int send_error(int fd, const image_info *img,
                                                            const char *stage,
                                                            const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rec_hdr h;
    memset(&h, 0, sizeof h);
    h.kind = REC_ERROR;
    snprintf(h.stage, sizeof h.stage, "%s", stage);
    snprintf(h.metric, sizeof h.metric, "-");
    h.sum.median = NAN;
    snprintf(h.message, sizeof h.message, "%s", msg);
    sb s = {0};
    sb_line_head(&s, REC_ERROR, stage, "-", img);
    sb_puts(&s, ",\"error\":");
    sb_json_str(&s, msg);
    sb_putn(&s, ",", 1);
    sb_puts(&s, meta_json);
    int rc = send_rec(fd, &h, &s);
    sb_free(&s);
    return rc;
}

static int choose_samples(const bench_opts *o, uint32_t w, uint32_t h)
{
    return (double)w * (double)h >= o->large_mpx * 1e6 ? o->large_samples : o->samples;
}

/* ======================================================================================
 * Child 1: end to end through the ABI
 * ====================================================================================== */

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
    }
    covertheme_theme_free(th);
    if (rrc < 0 || jrc < 0) {
        snprintf(err, errlen, "covertheme_render failed");
        return rrc < 0 ? rrc : jrc;
    }
    return 0;
}

static int child_e2e(const bench_opts *o, image_info *img, int fd)
{
    covertheme_ctx *ctx = covertheme_create();
    if (!ctx)
        return send_error(fd, img, "e2e", "covertheme_create failed"), 2;
    if (o->k >= 0)
        covertheme_set_option(ctx, COVERTHEME_OPT_K, o->k);
    if (o->space)
        covertheme_set_option(ctx, COVERTHEME_OPT_COLOR_SPACE, covertheme_space_from_name(o->space));
    if (o->threads >= 0)
        covertheme_set_option(ctx, COVERTHEME_OPT_THREADS, o->threads);

    rt_guard g;
    rt_guard_init(&g);
    char err[512] = "";
    uint64_t wall = 0;
    alloc_acc dummy = {0};

    /* First call: learn the size (for the sample count) and fail early on a bad file. */
    covertheme_theme *th = NULL;
    int rc = covertheme_generate_file(ctx, img->path, &th);
    if (rc < 0) {
        send_error(fd, img, "e2e", "%s: %s", covertheme_strerror(rc), covertheme_last_error(ctx));
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

    size_t n = (size_t)choose_samples(o, img->width, img->height);
    double *buf = calloc(n * S_COUNT, sizeof *buf);
    if (!buf) {
        covertheme_destroy(ctx);
        return send_error(fd, img, "e2e", "out of memory for %zu samples", n), 2;
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
        send_error(fd, img, "e2e", "%s: %s", covertheme_strerror(rc), err);
        free(buf);
        return 2;
    }

    /* Single-threaded when the process used no more CPU than this thread: then thread CPU
     * is the right robust metric (compare.py picks it); otherwise workers ran elsewhere. */
    double cpu_med = stats_median(v[S_TOTAL_CPU], n), pcpu_med = stats_median(v[S_TOTAL_PCPU], n);
    int single = pcpu_med <= cpu_med * 1.05;
    int have_mc = mcount_allocs != NULL && mcount_bytes != NULL;
    sb extra = {0};
    sb_printf(&extra, ",\"single_threaded\":%s,\"warmup_calls\":%d,\"rt_pauses\":%u",
              single ? "true" : "false", warm, g.pauses);
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
        if (send_series(fd, REC_E2E, e2e_series[s].stage, e2e_series[s].metric, img, v[s], n, has,
                        a, b, extra.p) != 0)
            break;
    }
    sb_free(&extra);
    free(buf);
    return 0;
}

/* ======================================================================================
 * Child 2: decode floors
 * ====================================================================================== */

#define FLOOR_MAX_VARIANTS FLOORS_JPEG_SCALES

static const char *const floor_decode_stage[FLOOR_MAX_VARIANTS] = {"decode", "decode_1_2",
                                                                    "decode_1_4", "decode_1_8"};
static const char *const floor_rd_stage[FLOOR_MAX_VARIANTS] = {"read_decode", "read_decode_1_2",
                                                                "read_decode_1_4",
                                                                "read_decode_1_8"};

/* One floor sample: read the file, then decode every variant from that buffer. With
 * rw == NULL nothing is recorded (warm-up). Returns 0 or -1 (message in err). */
static int floor_once(const image_info *img, int nv, double *rw, double *rc_, double *dw[],
                      double *dc[], size_t i, uint64_t *wall_out, char *err, size_t errlen)
{
    uint8_t *data = NULL;
    size_t size = 0;
    uint64_t start = now_ns(CLOCK_MONOTONIC);
    uint64_t c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
    int rc = floors_read_file(img->path, &data, &size);
    uint64_t w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    if (rc != 0) {
        snprintf(err, errlen, "read: %s", strerror(errno));
        return -1;
    }
    if (rw) {
        rw[i] = (double)(w1 - w0);
        rc_[i] = (double)(c1 - c0);
    }
    for (int k = 0; k < nv && rc == 0; k++) {
        uint32_t w, h;
        c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
        w0 = now_ns(CLOCK_MONOTONIC);
        rc = floors_decode(img->format, data, size, floors_jpeg_scales[k], &w, &h, err, errlen);
        w1 = now_ns(CLOCK_MONOTONIC);
        c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
        if (rw) {
            dw[k][i] = (double)(w1 - w0);
            dc[k][i] = (double)(c1 - c0);
        }
    }
    free(data);
    *wall_out = now_ns(CLOCK_MONOTONIC) - start;
    return rc;
}

static int child_floors(const bench_opts *o, image_info *img, int fd)
{
    char err[512] = "";
    uint8_t *data = NULL;
    size_t size = 0;
    if (floors_read_file(img->path, &data, &size) != 0)
        return send_error(fd, img, "floor", "read: %s", strerror(errno)), 2;
    img->format = floors_sniff(data, size);
    int rc = floors_decode(img->format, data, size, 1, &img->width, &img->height, err, sizeof err);
    free(data);
    if (rc != 0)
        return send_error(fd, img, "floor", "%s", err), 2;

    int nv = img->format == FLOOR_JPEG ? FLOORS_JPEG_SCALES : 1;
    rt_guard g;
    rt_guard_init(&g);
    uint64_t wall = 0, start = now_ns(CLOCK_MONOTONIC);
    int warm = 1;
    while (rc == 0 && (warm < o->warmup ||
                       (double)(now_ns(CLOCK_MONOTONIC) - start) < o->warmup_s * 1e9)) {
        rt_guard_before(&g, wall);
        rc = floor_once(img, nv, NULL, NULL, NULL, NULL, 0, &wall, err, sizeof err);
        warm++;
    }

    size_t n = (size_t)choose_samples(o, img->width, img->height);
    /* Series: read, then per variant decode and read+decode; each as wall and cpu. */
    double *buf = calloc(n * (2 + 4 * (size_t)nv), sizeof *buf);
    if (!buf)
        return send_error(fd, img, "floor", "out of memory for %zu samples", n), 2;
    double *rw = buf, *rcpu = buf + n, *dw[FLOOR_MAX_VARIANTS], *dc[FLOOR_MAX_VARIANTS];
    double *sw[FLOOR_MAX_VARIANTS], *sc[FLOOR_MAX_VARIANTS];
    for (int k = 0; k < nv; k++) {
        dw[k] = buf + (2 + 4 * (size_t)k) * n;
        dc[k] = dw[k] + n;
        sw[k] = dc[k] + n;
        sc[k] = sw[k] + n;
    }
    g.pauses = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rt_guard_before(&g, wall);
        rc = floor_once(img, nv, rw, rcpu, dw, dc, i, &wall, err, sizeof err);
    }
    if (rc != 0) {
        send_error(fd, img, "floor", "%s", err);
        free(buf);
        return 2;
    }
    for (int k = 0; k < nv; k++)
        for (size_t i = 0; i < n; i++) {
            sw[k][i] = rw[i] + dw[k][i];
            sc[k][i] = rcpu[i] + dc[k][i];
        }

    sb extra = {0};
    sb_printf(&extra, ",\"single_threaded\":true,\"warmup_calls\":%d,\"rt_pauses\":%u,\"decoder\":\"%s\"",
              warm, g.pauses,
              img->format == FLOOR_PNG    ? "libspng RGBA8+TRNS"
              : img->format == FLOOR_JPEG ? "libjpeg JCS_EXT_RGBA"
                                          : "libwebp WebPDecodeRGBA");
    int bad = send_series(fd, REC_FLOOR, "read", "wall", img, rw, n, 0, 0, 0, extra.p) ||
              send_series(fd, REC_FLOOR, "read", "cpu", img, rcpu, n, 0, 0, 0, extra.p);
    for (int k = 0; k < nv && !bad; k++)
        bad = send_series(fd, REC_FLOOR, floor_decode_stage[k], "wall", img, dw[k], n, 0, 0, 0, extra.p) ||
              send_series(fd, REC_FLOOR, floor_decode_stage[k], "cpu", img, dc[k], n, 0, 0, 0, extra.p) ||
              send_series(fd, REC_FLOOR, floor_rd_stage[k], "wall", img, sw[k], n, 0, 0, 0, extra.p) ||
              send_series(fd, REC_FLOOR, floor_rd_stage[k], "cpu", img, sc[k], n, 0, 0, 0, extra.p);
    sb_free(&extra);
    free(buf);
    return 0;
}

/* ======================================================================================
 * Parent: fork a child, collect its records and its peak RSS
 * ====================================================================================== */

typedef struct child_result {
    rec *recs;
    size_t n;
    long peak_rss_kb, rss_at_fork_kb;
    char failure[256]; /* "" when the child exited 0 */
} child_result;

typedef int (*child_fn)(const bench_opts *, image_info *, int);

static void parse_records(const char *buf, size_t len, child_result *r)
{
    size_t off = 0, cap = 0;
    while (off + sizeof(rec_hdr) <= len) {
        rec_hdr h;
        memcpy(&h, buf + off, sizeof h);
        if (h.magic != REC_MAGIC || off + sizeof h + h.body_len > len)
            break;
        if (r->n == cap) {
            cap = cap ? cap * 2 : 32;
            rec *p = realloc(r->recs, cap * sizeof *p);
            if (!p)
                break;
            r->recs = p;
        }
        rec *out = &r->recs[r->n++];
        out->h = h;
        out->body = malloc(h.body_len + 1);
        if (out->body) {
            memcpy(out->body, buf + off + sizeof h, h.body_len);
            out->body[h.body_len] = 0;
        }
        off += sizeof h + h.body_len;
    }
}

static void run_child(child_fn fn, const bench_opts *o, image_info *img, child_result *r)
{
    memset(r, 0, sizeof *r);
    r->peak_rss_kb = -1;
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(r->failure, sizeof r->failure, "pipe: %s", strerror(errno));
        return;
    }
    r->rss_at_fork_kb = rss_now_kb();
    fflush(NULL); /* or the child's exit path could write our buffers twice */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(r->failure, sizeof r->failure, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGPIPE, SIG_IGN);
        int rc = fn(o, img, fds[1]);
        close(fds[1]);
        _exit(rc); /* no atexit handlers, no stdio flush of the parent's buffers */
    }
    close(fds[1]);
    sb buf = {0};
    char chunk[65536];
    for (;;) {
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        sb_putn(&buf, chunk, (size_t)got);
    }
    close(fds[0]);
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    r->peak_rss_kb = ru.ru_maxrss; /* kilobytes on Linux */
    if (buf.len)
        parse_records(buf.p, buf.len, r);
    sb_free(&buf);
    if (WIFSIGNALED(status))
        snprintf(r->failure, sizeof r->failure, "child killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        snprintf(r->failure, sizeof r->failure, "child exited with status %d", WEXITSTATUS(status));
}

static void free_result(child_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->recs[i].body);
    free(r->recs);
    memset(r, 0, sizeof *r);
}

/* 1 when the child explained its own failure with an error record. */
static int has_error_rec(const child_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->recs[i].h.kind == REC_ERROR)
            return 1;
    return 0;
}

static const rec *find_rec(const child_result *r, const char *stage, const char *metric)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->recs[i].h.kind == REC_FLOOR && !strcmp(r->recs[i].h.stage, stage) &&
            !strcmp(r->recs[i].h.metric, metric))
            return &r->recs[i];
    return NULL;
}

/* e2e median / the matching floor median; NAN when there is no matching floor. */
static double floor_ratio(const rec *e, const child_result *floors, int variant)
{
    const char *fstage = NULL, *metric = e->h.metric;
    const char *suffix[FLOOR_MAX_VARIANTS] = {"", "_1_2", "_1_4", "_1_8"};
    char name[32];
    if (!strcmp(metric, "pcpu"))
        metric = "cpu"; /* the decoders are single-threaded: their thread CPU is the process's */
    if (!strcmp(e->h.stage, "total") || !strcmp(e->h.stage, "lib_total"))
        fstage = "read_decode";
    else if (!strcmp(e->h.stage, "decode"))
        fstage = "decode";
    else if (!strcmp(e->h.stage, "read") && variant == 0)
        fstage = "read";
    if (!fstage)
        return NAN;
    snprintf(name, sizeof name, "%s%s", fstage, !strcmp(fstage, "read") ? "" : suffix[variant]);
    const rec *f = find_rec(floors, name, metric);
    if (!f || !(f->h.sum.median > 0))
        return NAN;
    return e->h.sum.median / f->h.sum.median;
}

/* ======================================================================================
 * Parent: output
 * ====================================================================================== */

static void table_header(void)
{
    fprintf(stderr, "%-30s %-5s %-15s %-4s %10s %7s %23s %4s %4s %11s %7s %7s\n", "image", "kind",
            "stage", "mtrc", "median ms", "MAD %", "95% CI of median, ms", "n", "out",
            "allocs/call", "RSS MB", "x floor");
}

static void table_row(const char *name, const rec *r, long rss_kb, double ratio)
{
    char img[31], allocs[16] = "-", rss[16] = "-", rat[16] = "-";
    size_t len = strlen(name);
    if (len > 30)
        snprintf(img, sizeof img, "..%s", name + len - 28);
    else
        snprintf(img, sizeof img, "%s", name);
    if (r->h.has_allocs)
        snprintf(allocs, sizeof allocs, "%.1f", r->h.allocs);
    if (rss_kb > 0)
        snprintf(rss, sizeof rss, "%.1f", (double)rss_kb / 1024);
    if (isfinite(ratio))
        snprintf(rat, sizeof rat, "%.2f", ratio);
    const stats_summary *s = &r->h.sum;
    fprintf(stderr, "%-30s %-5s %-15s %-4s %10.3f %6.2f%% [%10.3f,%10.3f] %4zu %4zu %11s %7s %7s\n",
            img, rec_kind_name[r->h.kind], r->h.stage, r->h.metric, s->median / 1e6,
            100 * s->mad / s->median, s->ci_lo / 1e6, s->ci_hi / 1e6, s->n, s->outliers, allocs, rss,
            rat);
}

/* Writes one child's records as JSON lines, completing each with the fields only the
 * parent knows (peak RSS, floor ratios, load at the end). Returns the number of error
 * records. */
static int emit_result(FILE *out, const image_info *img, const child_result *r,
                       const child_result *floors, const double la_end[3])
{
    int errors = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rec *e = &r->recs[i];
        if (!e->body)
            continue;
        double ratios[FLOOR_MAX_VARIANTS] = {NAN, NAN, NAN, NAN};
        if (e->h.kind == REC_E2E && floors)
            for (int k = 0; k < FLOOR_MAX_VARIANTS; k++)
                ratios[k] = floor_ratio(e, floors, k);
        sb s = {0};
        sb_puts(&s, e->body);
        if (e->h.kind != REC_ERROR) {
            sb_printf(&s, ",\"peak_rss_kb\":%ld,\"rss_at_fork_kb\":%ld", r->peak_rss_kb,
                      r->rss_at_fork_kb);
            sb_puts(&s, ",\"ratio_floor\":");
            sb_num(&s, "%.4f", ratios[0]);
            sb_puts(&s, ",\"ratio_floor_1_2\":");
            sb_num(&s, "%.4f", ratios[1]);
            sb_puts(&s, ",\"ratio_floor_1_4\":");
            sb_num(&s, "%.4f", ratios[2]);
            sb_puts(&s, ",\"ratio_floor_1_8\":");
            sb_num(&s, "%.4f", ratios[3]);
        } else {
            errors++;
        }
        sb_puts(&s, ",\"loadavg_end\":");
        sb_loadavg(&s, la_end);
        sb_puts(&s, "}\n");
        fwrite(s.p, 1, s.len, out);
        sb_free(&s);
        if (e->h.kind != REC_ERROR)
            table_row(img->name, e, r->peak_rss_kb, ratios[0]);
    }
    return errors;
}

/* A child that died without reporting still leaves a line, so the output shows it. */
static void emit_failure(FILE *out, const image_info *img, const char *what, const char *why)
{
    sb s = {0};
    sb_line_head(&s, REC_ERROR, what, "-", img);
    sb_puts(&s, ",\"error\":");
    sb_json_str(&s, why);
    sb_printf(&s, ",%s}\n", meta_json);
    fwrite(s.p, 1, s.len, out);
    sb_free(&s);
}

/* ======================================================================================
 * Inputs: files and directory walks
 * ====================================================================================== */

typedef struct input {
    char *path, *name;
} input;

typedef struct input_list {
    input *v;
    size_t n, cap;
} input_list;

static void add_input(input_list *l, const char *path, const char *name)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        input *p = realloc(l->v, l->cap * sizeof *p);
        if (!p) {
            fprintf(stderr, "covertheme-bench: out of memory\n");
            exit(3);
        }
        l->v = p;
    }
    l->v[l->n].path = strdup(path);
    l->v[l->n].name = strdup(name);
    l->n++;
}

static int is_image_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") ||
                   !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".webp"));
}

/* Walks dir; names are relative to the walked root so that baselines from different
 * checkouts or corpus locations pair up in compare.py. */
static void walk(input_list *l, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "covertheme-bench: %s: %s\n", dir, strerror(errno));
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096], name[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(l, path, name);
        else if (S_ISREG(st.st_mode) && is_image_name(de->d_name))
            add_input(l, path, name);
    }
    closedir(d);
}

static int cmp_input(const void *a, const void *b)
{
    return strcmp(((const input *)a)->name, ((const input *)b)->name);
}

static void collect_inputs(int argc, char **argv, const bench_opts *o, input_list *out)
{
    input_list all = {0};
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "covertheme-bench: %s: %s\n", argv[i], strerror(errno));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            char root[4096];
            snprintf(root, sizeof root, "%s", argv[i]);
            size_t len = strlen(root);
            while (len > 1 && root[len - 1] == '/')
                root[--len] = 0;
            walk(&all, root, "");
        } else {
            const char *name = argv[i];
            while (!strncmp(name, "./", 2))
                name += 2;
            add_input(&all, argv[i], name);
        }
    }
    qsort(all.v, all.n, sizeof *all.v, cmp_input);
    for (size_t i = 0; i < all.n; i++) {
        if (!o->filter || strstr(all.v[i].name, o->filter))
            add_input(out, all.v[i].path, all.v[i].name);
        free(all.v[i].path);
        free(all.v[i].name);
    }
    free(all.v);
}

/* ======================================================================================
 * main
 * ====================================================================================== */

int main(int argc, char **argv)
{
    bench_opts o;
    int rc = parse_options(argc, argv, &o);
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
    collect_inputs(argc, argv, &o, &inputs);
    if (inputs.n == 0) {
        fprintf(stderr, "covertheme-bench: no images to benchmark\n");
        return 2;
    }
    sb meta = {0};
    if (build_meta(&o, &meta) != 0)
        return 2;
    meta_json = meta.p;

    FILE *out = stdout;
    if (o.out_path && !(out = fopen(o.out_path, "w"))) {
        fprintf(stderr, "covertheme-bench: %s: %s\n", o.out_path, strerror(errno));
        return 2;
    }
    if (o.inject_pct > 0)
        fprintf(stderr, "covertheme-bench: WARNING: --inject-slowdown %g: every generate call is "
                        "made %g %% slower on purpose\n", o.inject_pct, o.inject_pct);
    if (!mcount_allocs)
        fprintf(stderr, "covertheme-bench: libmcount.so not preloaded: allocations are null\n");

    int failures = 0;
    uint64_t run_start = now_ns(CLOCK_MONOTONIC);
    table_header();
    for (size_t i = 0; i < inputs.n; i++) {
        image_info img = {.path = inputs.v[i].path, .name = inputs.v[i].name};
        struct stat st;
        img.file_bytes = stat(img.path, &st) == 0 ? (long long)st.st_size : -1;
        uint8_t head[16] = {0};
        FILE *f = fopen(img.path, "rb");
        size_t got = f ? fread(head, 1, sizeof head, f) : 0;
        if (f)
            fclose(f);
        img.format = floors_sniff(head, got);
        fprintf(stderr, "[%zu/%zu] %s ...\n", i + 1, inputs.n, img.name);
        uint64_t t0 = now_ns(CLOCK_MONOTONIC);
        loadavg(img.la_start);

        child_result e2e = {0}, fl = {0};
        if (o.run_floors)
            run_child(child_floors, &o, &img, &fl);
        if (o.run_e2e)
            run_child(child_e2e, &o, &img, &e2e);
        double la_end[3];
        loadavg(la_end);
        /* A child that died (signal, mcount trap) without an error record of its own still
         * gets an error line, even when it had sent some records before dying. */
        int bad = 0;
        if (o.run_e2e) {
            bad += emit_result(out, &img, &e2e, o.run_floors ? &fl : NULL, la_end);
            if (e2e.failure[0] && !has_error_rec(&e2e)) {
                emit_failure(out, &img, "e2e", e2e.failure);
                bad++;
            }
        }
        if (o.run_floors) {
            bad += emit_result(out, &img, &fl, NULL, la_end);
            if (fl.failure[0] && !has_error_rec(&fl)) {
                emit_failure(out, &img, "floor", fl.failure);
                bad++;
            }
        }
        const child_result *both[2] = {&e2e, &fl};
        for (int c = 0; c < 2; c++) {
            if (both[c]->failure[0] && !has_error_rec(both[c]))
                fprintf(stderr, "  FAILED (%s): %s\n", c ? "floors" : "e2e", both[c]->failure);
            for (size_t j = 0; j < both[c]->n; j++)
                if (both[c]->recs[j].h.kind == REC_ERROR)
                    fprintf(stderr, "  ERROR (%s): %s\n", c ? "floors" : "e2e",
                            both[c]->recs[j].h.message);
        }
        failures += bad > 0;
        fflush(out);
        fprintf(stderr, "  (%.1f s)\n", (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9);
        free_result(&e2e);
        free_result(&fl);
    }
    fprintf(stderr, "covertheme-bench: %zu image(s), %d failed, %.1f s\n", inputs.n, failures,
            (double)(now_ns(CLOCK_MONOTONIC) - run_start) / 1e9);
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "covertheme-bench: %s: %s\n", o.out_path, strerror(errno));
        failures++;
    }
    for (size_t i = 0; i < inputs.n; i++) {
        free(inputs.v[i].path);
        free(inputs.v[i].name);
    }
    free(inputs.v);
    sb_free(&meta);
    return failures ? 1 : 0;
}
