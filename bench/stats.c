/* Robust statistics for benchmark samples; see stats.h for the contract. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers ------------------------------------------------------------------ */

void stats_rng_seed(stats_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t stats_rng_next(stats_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

size_t stats_rng_below(stats_rng *rng, size_t n)
{
    /* Multiply-shift instead of %: no division, and the bias (n / 2^64) is irrelevant. */
    return (size_t)(((unsigned __int128)stats_rng_next(rng) * n) >> 64);
}

/* ---- order statistics ------------------------------------------------------------------ */

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    if (q <= 0)
        return sorted[0];
    if (q >= 1)
        return sorted[n - 1];
    double h = (double)(n - 1) * q;
    size_t i = (size_t)h;
    double frac = h - (double)i;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

static void swap_d(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Moves the k-th smallest element to x[k], smaller ones before it, larger after
 * (Hoare-style quickselect with a median-of-three pivot: deterministic, O(n) on average,
 * and no worst case on the already-sorted input that bootstrap loops often produce). */
static void select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < x[lo])
            swap_d(&x[mid], &x[lo]);
        if (x[hi] < x[lo])
            swap_d(&x[hi], &x[lo]);
        if (x[hi] < x[mid])
            swap_d(&x[hi], &x[mid]);
        double pivot = x[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                swap_d(&x[i], &x[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

double stats_median_inplace(double *x, size_t n)
{
    if (n == 0)
        return NAN;
    size_t k = (n - 1) / 2;
    select_kth(x, n, k);
    double m = x[k];
    if (n % 2)
        return m;
    /* Even n: the other middle value is the smallest of the upper part. */
    double up = x[k + 1];
    for (size_t i = k + 2; i < n; i++)
        if (x[i] < up)
            up = x[i];
    return (m + up) / 2;
}

double stats_median(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return NAN;
    memcpy(tmp, x, n * sizeof *tmp);
    double m = stats_median_inplace(tmp, n);
    free(tmp);
    return m;
}

double stats_mad(const double *x, size_t n, double center)
{
    if (n == 0)
        return NAN;
    double *dev = malloc(n * sizeof *dev);
    if (!dev)
        return NAN;
    for (size_t i = 0; i < n; i++)
        dev[i] = fabs(x[i] - center);
    double m = stats_median_inplace(dev, n);
    free(dev);
    return m;
}

size_t stats_outliers(const double *x, size_t n, double median, double mad)
{
    double limit = STATS_OUTLIER_K * STATS_MAD_SIGMA * mad;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i] - median) > limit)
            count++;
    return count;
}

/* ---- bootstrap ------------------------------------------------------------------------- */

/* Median of one resample (with replacement) of x into scratch. */
static double resampled_median(const double *x, size_t n, double *scratch, stats_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = x[stats_rng_below(rng, n)];
    return stats_median_inplace(scratch, n);
}

int stats_bootstrap_median_ci(const double *x, size_t n, size_t b, uint64_t seed, double conf,
                              double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n == 0 || b == 0)
        return -1;
    double *scratch = malloc(n * sizeof *scratch);
    double *meds = malloc(b * sizeof *meds);
    if (!scratch || !meds) {
        free(scratch);
        free(meds);
        return -1;
    }
    stats_rng rng;
    stats_rng_seed(&rng, seed);
    for (size_t r = 0; r < b; r++)
        meds[r] = resampled_median(x, n, scratch, &rng);
    qsort(meds, b, sizeof *meds, cmp_double);
    *lo = stats_quantile_sorted(meds, b, (1 - conf) / 2);
    *hi = stats_quantile_sorted(meds, b, (1 + conf) / 2);
    free(scratch);
    free(meds);
    return 0;
}

int stats_summarize(const double *x, size_t n, stats_summary *out)
{
    out->n = n;
    out->median = out->mad = out->ci_lo = out->ci_hi = out->min = out->max = NAN;
    out->outliers = 0;
    if (n == 0)
        return -1;
    out->min = out->max = x[0];
    for (size_t i = 1; i < n; i++) {
        if (x[i] < out->min)
            out->min = x[i];
        if (x[i] > out->max)
            out->max = x[i];
    }
    out->median = stats_median(x, n);
    out->mad = stats_mad(x, n, out->median);
    if (isnan(out->median) || isnan(out->mad))
        return -1;
    out->outliers = stats_outliers(x, n, out->median, out->mad);
    return stats_bootstrap_median_ci(x, n, STATS_BOOT_B, STATS_BOOT_SEED, STATS_CONF, &out->ci_lo,
                                     &out->ci_hi);
}

int stats_bootstrap_ratio_ci(const double *base, size_t nb, const double *cand, size_t nc,
                             size_t b, uint64_t seed, double conf, double *ratio, double *lo,
                             double *hi)
{
    *ratio = *lo = *hi = NAN;
    if (nb == 0 || nc == 0 || b == 0)
        return -1;
    double mb = stats_median(base, nb), mc = stats_median(cand, nc);
    if (isnan(mb) || isnan(mc))
        return -1;
    *ratio = mc / mb;
    double *scratch = malloc((nb > nc ? nb : nc) * sizeof *scratch);
    double *ratios = malloc(b * sizeof *ratios);
    if (!scratch || !ratios) {
        free(scratch);
        free(ratios);
        return -1;
    }
    stats_rng rng;
    stats_rng_seed(&rng, seed);
    for (size_t r = 0; r < b; r++) {
        double rb = resampled_median(base, nb, scratch, &rng);
        double rc = resampled_median(cand, nc, scratch, &rng);
        ratios[r] = rc / rb;
    }
    qsort(ratios, b, sizeof *ratios, cmp_double);
    *lo = stats_quantile_sorted(ratios, b, (1 - conf) / 2);
    *hi = stats_quantile_sorted(ratios, b, (1 + conf) / 2);
    free(scratch);
    free(ratios);
    return 0;
}

/* ---- Mann-Whitney U ---------------------------------------------------------------------- */

typedef struct tagged {
    double v;
    int from_a;
} tagged;

static int cmp_tagged(const void *pa, const void *pb)
{
    const tagged *a = pa, *b = pb;
    return (a->v > b->v) - (a->v < b->v);
}

double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u,
                          double *z)
{
    if (u)
        *u = NAN;
    if (z)
        *z = NAN;
    if (na == 0 || nb == 0)
        return NAN;
    size_t n = na + nb;
    tagged *all = malloc(n * sizeof *all);
    if (!all)
        return NAN;
    for (size_t i = 0; i < na; i++)
        all[i] = (tagged){a[i], 1};
    for (size_t i = 0; i < nb; i++)
        all[na + i] = (tagged){b[i], 0};
    qsort(all, n, sizeof *all, cmp_tagged);

    /* Average ranks for ties; accumulate the tie term sum(t^3 - t) for the variance. */
    double rank_sum_a = 0, tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && all[j].v == all[i].v)
            j++;
        double avg_rank = (double)(i + 1 + j) / 2; /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++)
            if (all[k].from_a)
                rank_sum_a += avg_rank;
        double t = (double)(j - i);
        tie_term += t * t * t - t;
        i = j;
    }
    free(all);

    double n1 = (double)na, n2 = (double)nb, nn = (double)n;
    double u1 = rank_sum_a - n1 * (n1 + 1) / 2;
    double mu = n1 * n2 / 2;
    double var = n1 * n2 / 12 * ((nn + 1) - tie_term / (nn * (nn - 1)));
    if (u)
        *u = u1;
    if (!(var > 0)) {
        if (z)
            *z = 0;
        return 1;
    }
    double d = u1 - mu;
    double cc = fabs(d) < 0.5 ? fabs(d) : 0.5; /* continuity correction towards mu */
    double zz = (d > 0 ? d - cc : d + cc) / sqrt(var);
    if (z)
        *z = zz;
    return erfc(fabs(zz) / sqrt(2.0));
}

/* ---- verdict ------------------------------------------------------------------------------ */

stats_verdict stats_decide(double p, double ratio, double ci_lo, double ci_hi, double alpha,
                           double threshold)
{
    if (!(p < alpha)) /* also catches NAN */
        return STATS_SAME;
    if (ci_lo > 1 && ratio - 1 > threshold)
        return STATS_SLOWER;
    if (ci_hi < 1 && 1 - ratio > threshold)
        return STATS_FASTER;
    return STATS_SAME;
}

const char *stats_verdict_name(stats_verdict v)
{
    switch (v) {
    case STATS_SLOWER:
        return "slower";
    case STATS_FASTER:
        return "faster";
    case STATS_SAME:
        break;
    }
    return "same";
}
