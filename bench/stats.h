/* Robust statistics for benchmark samples: pure maths, no I/O, no clocks.
 *
 * Used by covertheme-bench (per-(image, stage, metric) summaries), by the quality tool,
 * and as the C reference of what bench/compare.py does (ratio CI, Mann-Whitney U,
 * verdict), so a C-side gate can be written without re-deriving the maths.
 *
 * Conventions: samples are doubles (nanoseconds in the harness, but nothing here cares);
 * input arrays are never modified unless the name says `_inplace`; functions that need
 * scratch memory allocate it and return -1 (or NAN) when malloc fails or n == 0.
 * Everything is deterministic: bootstrap resampling uses a fixed-seed splitmix64, so the
 * same samples always give the same CI (reports are reproducible and diffable). */
#ifndef COVERTHEME_BENCH_STATS_H
#define COVERTHEME_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_BOOT_B 2000                    /* bootstrap replicates */
#define STATS_BOOT_SEED 0x636f7665727468ULL  /* "coverth": fixed, so CIs are reproducible */
#define STATS_CONF 0.95                      /* two-sided confidence level of every CI */
#define STATS_MAD_SIGMA 1.4826               /* MAD -> sigma for normal data */
#define STATS_OUTLIER_K 3.0                  /* outlier: |x - median| > K * 1.4826 * MAD */

/* splitmix64: tiny, fast, and good enough for resampling indices. */
typedef struct stats_rng {
    uint64_t state;
} stats_rng;

void stats_rng_seed(stats_rng *rng, uint64_t seed);
uint64_t stats_rng_next(stats_rng *rng);
/* Uniform integer in [0, n) without modulo bias worth caring about (multiply-shift). */
size_t stats_rng_below(stats_rng *rng, size_t n);

/* Sample quantile of already sorted data, q in [0,1], linear interpolation between order
 * statistics (Hyndman-Fan type 7, the default of R and numpy). NAN when n == 0. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);

/* Median; for even n the mean of the two middle values. _inplace reorders x (quickselect,
 * O(n)); the other copies. NAN when n == 0 or out of memory. */
double stats_median_inplace(double *x, size_t n);
double stats_median(const double *x, size_t n);

/* Raw median absolute deviation around `center` (not scaled by 1.4826). */
double stats_mad(const double *x, size_t n, double center);

/* Number of samples farther than STATS_OUTLIER_K * 1.4826 * mad from `median`. With
 * mad == 0 every sample different from the median counts. */
size_t stats_outliers(const double *x, size_t n, double median, double mad);

/* Percentile-bootstrap CI of the median: `b` resamples of size n with replacement, CI =
 * the (1-conf)/2 and (1+conf)/2 quantiles of the resampled medians. Returns 0 or -1. */
int stats_bootstrap_median_ci(const double *x, size_t n, size_t b, uint64_t seed, double conf,
                              double *lo, double *hi);

typedef struct stats_summary {
    size_t n;
    double median;
    double mad;          /* raw MAD */
    double ci_lo, ci_hi; /* STATS_CONF bootstrap CI of the median (STATS_BOOT_B, STATS_BOOT_SEED) */
    double min, max;
    size_t outliers;
} stats_summary;

/* All of the above with the default constants. Returns 0, or -1 (n == 0 or no memory;
 * the summary is then filled with NAN and n). */
int stats_summarize(const double *x, size_t n, stats_summary *out);

/* Ratio of medians new/base and its percentile-bootstrap CI (base and new resampled
 * independently, `b` replicates). Returns 0 or -1. */
int stats_bootstrap_ratio_ci(const double *base, size_t nb, const double *cand, size_t nc,
                             size_t b, uint64_t seed, double conf, double *ratio, double *lo,
                             double *hi);

/* Two-sided Mann-Whitney U test, normal approximation with tie correction and continuity
 * correction (as scipy.stats.mannwhitneyu(method="asymptotic")). Returns the p-value
 * (1 when every value ties, NAN on no memory); *u gets U of `a`, *z the z score (either
 * may be NULL). */
double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u,
                          double *z);

/* The regression gate of tooling.md §2.9: a p-value alone is not a verdict, because two
 * processes running identical code already differ by 0.4-0.7 %. A change is only called
 * when all three agree: p < alpha, the CI of the ratio excludes 1, and |ratio - 1| >
 * threshold. */
typedef enum stats_verdict {
    STATS_SAME = 0,
    STATS_SLOWER = 1,
    STATS_FASTER = 2
} stats_verdict;

stats_verdict stats_decide(double p, double ratio, double ci_lo, double ci_hi, double alpha,
                           double threshold);
const char *stats_verdict_name(stats_verdict v);

#endif /* COVERTHEME_BENCH_STATS_H */
