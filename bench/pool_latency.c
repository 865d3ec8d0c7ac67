/* covertheme-pool-latency: what a hand-off to the context's worker pool costs, and from
 * which amount of k-means work it pays (CT_KMEANS_POOL_MIN_WORK in core/kmeans.h).
 *
 *   build/covertheme-pool-latency [--rounds N] [--threads T]
 *
 * 1. Dispatch round trip of an empty job with T shares on a T-thread pool (the caller takes
 *    shares too), against running the shares inline.
 * 2. One k-means assignment pass (nearest centroid of n points, k = 30, the AVX2 or scalar
 *    kernel as dispatched) split in two shares, pool vs inline, for n from 256 to 65 536.
 * Reports min, median and p99 over the rounds, plus the load average: on a shared 2-vCPU
 * machine the second core is often busy, so medians of parallel runs suffer first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/cpu.h"
#include "../core/kmeans.h"
#include "../core/pool.h"
#include "../core/rng.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("%-34s min %9.2f  median %9.2f  p99 %9.2f  µs\n", what, t[0], t[n / 2], t[(int)(n * 0.99)]);
}

static void empty_share(void *arg, uint32_t share)
{
    (void)arg, (void)share;
}

typedef struct assign_job {
    const float *pts, *soa, *cents;
    uint32_t n, k;
    uint32_t *labels;
    float *dist;
} assign_job;

/* Share s of 2: half the points each (SoA halves are views into the full arrays). */
static void assign_share(void *arg, uint32_t s)
{
    const assign_job *j = arg;
    uint32_t half = j->n / 2, lo = s ? half : 0, cnt = s ? j->n - half : half;
    uint32_t done = 0;
    if (ct_isa() == CT_ISA_AVX2)
        done = ct_nearest_soa_avx2(j->soa + lo, j->soa + j->n + lo, j->soa + 2 * (size_t)j->n + lo, cnt,
                                   j->cents, j->k, j->labels + lo, j->dist + lo);
    for (uint32_t i = done; i < cnt; i++)
        j->labels[lo + i] = ct_nearest_centroid(j->pts + (size_t)(lo + i) * 3, j->cents, j->k, j->dist + lo + i);
}

int main(int argc, char **argv)
{
    int rounds = 2000;
    uint32_t threads = 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (uint32_t)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--rounds N] [--threads T]\n", argv[0]);
            return 2;
        }
    }
    if (rounds < 10 || threads < 2) {
        fprintf(stderr, "pool-latency: need --rounds >= 10 and --threads >= 2\n");
        return 2;
    }
    double load[3] = {0};
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = -1;
        fclose(la);
    }
    printf("pool latency: %u threads, %d rounds, ISA %s, load average %.2f %.2f %.2f\n", threads, rounds,
           ct_isa_name(ct_isa()), load[0], load[1], load[2]);
    double *t = malloc(sizeof(double) * (size_t)rounds);
    ct_pool *pool = ct_pool_create(threads);
    if (!t || !pool)
        return 1;
    ct_pool_run(pool, threads, empty_share, NULL); /* start the workers */
    for (int r = 0; r < rounds; r++) {
        double t0 = now_us();
        ct_pool_run(pool, threads, empty_share, NULL);
        t[r] = now_us() - t0;
    }
    report("empty job, pool", t, rounds);
    for (int r = 0; r < rounds; r++) {
        double t0 = now_us();
        ct_pool_run(NULL, threads, empty_share, NULL);
        t[r] = now_us() - t0;
    }
    report("empty job, inline", t, rounds);

    const uint32_t k = 30, max_n = 65536;
    float *pts = malloc((size_t)max_n * 3 * sizeof(float)), *soa = malloc((size_t)max_n * 3 * sizeof(float));
    float *cents = malloc((size_t)k * 3 * sizeof(float)), *dist = malloc((size_t)max_n * sizeof(float));
    uint32_t *labels = malloc((size_t)max_n * sizeof(uint32_t));
    if (!pts || !soa || !cents || !dist || !labels)
        return 1;
    ct_rng rng;
    ct_rng_seed(&rng, 1);
    for (uint32_t i = 0; i < max_n * 3; i++)
        pts[i] = (float)(ct_rng_unit(&rng) * 100.0);
    for (uint32_t i = 0; i < k * 3; i++)
        cents[i] = (float)(ct_rng_unit(&rng) * 100.0);
    for (uint32_t n = 256; n <= max_n; n *= 4) {
        ct_points_to_soa(pts, n, soa);
        assign_job j = {pts, soa, cents, n, k, labels, dist};
        int reps = n >= 16384 ? rounds / 4 : rounds;
        char name[64];
        for (int mode = 0; mode < 2; mode++) {
            for (int r = 0; r < reps; r++) {
                double t0 = now_us();
                ct_pool_run(mode ? pool : NULL, 2, assign_share, &j);
                t[r] = now_us() - t0;
            }
            snprintf(name, sizeof name, "assign n=%u (n*k=%u), %s", n, n * k, mode ? "pool" : "inline");
            report(name, t, reps);
        }
    }
    ct_pool_destroy(pool);
    free(t), free(pts), free(soa), free(cents), free(dist), free(labels);
    return 0;
}
