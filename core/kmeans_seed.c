#include "kmeans_seed.h"

#include <math.h>
#include <string.h>

#include "cpu.h"

void ct_seed_lanes(const float *pts, const uint32_t *w, const float *d2, float *out, uint32_t n, const float *c,
                   double lanes[8])
{
    for (uint32_t i = 0; i < n; i++) {
        const float *p = pts + (size_t)i * 3;
        float dx = p[0] - c[0], dy = p[1] - c[1], dz = p[2] - c[2];
        float wd = (w ? (float)w[i] : 1.0f) * ((dx * dx + dy * dy) + dz * dz);
        float m = wd < d2[i] ? wd : d2[i];
        if (out)
            out[i] = m;
        lanes[i % 8] += (double)m;
    }
}

static uint32_t block_count(uint32_t n)
{
    return (n + CT_SEED_BLOCK - 1) / CT_SEED_BLOCK;
}

/* A set of distances: one per point, and their block sums. */
typedef struct seed_dist {
    float *d2;
    double *sums;
} seed_dist;

static void swap_dist(seed_dist *a, seed_dist *b)
{
    seed_dist t = *a;
    *a = *b;
    *b = t;
}

/* Sum over all points of min(d2, w * |p - c|^2), block by block in block order, from `d2`;
 * `out` (NULL: not kept; may be d2) gets the minima and out_sums[b] each block's share. */
static double seed_pass(int isa, const float *pts, const float *soa, const uint32_t *w, uint32_t n,
                        const float *d2, const float *c, float *out, double *out_sums)
{
    double total = 0.0;
    int avx2 = isa == CT_ISA_AVX2 && soa && ct_cpu_has_avx2();
    for (uint32_t b = 0, nb = block_count(n); b < nb; b++) {
        uint32_t lo = b * CT_SEED_BLOCK, m = n - lo < CT_SEED_BLOCK ? n - lo : CT_SEED_BLOCK;
        const uint32_t *wb = w ? w + lo : NULL;
        float *ob = out ? out + lo : NULL;
        double lanes[8] = {0};
        uint32_t done = 0;
        if (avx2)
            done = ct_seed_lanes_avx2(soa + lo, soa + n + lo, soa + (size_t)2 * n + lo, wb, d2 + lo, ob, m, c,
                                      lanes);
        if (done < m) { /* the scalar reference, or the kernel's tail (done is a multiple of 8) */
            ct_seed_lanes(pts + (size_t)(lo + done) * 3, wb ? wb + done : NULL, d2 + lo + done, ob ? ob + done : NULL,
                          m - done, c, lanes);
        }
        double s = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        if (out_sums)
            out_sums[b] = s;
        total += s;
    }
    return total;
}

/* A point drawn with probability proportional to d2: the block first (by its sum), then
 * the point within it. Rounding can leave the target positive past the last point with
 * d2 > 0 (of the block or of all): that point is taken. */
static uint32_t draw_by_d2(const seed_dist *cur, uint32_t n, double total, ct_rng *rng)
{
    double target = ct_rng_unit(rng) * total;
    uint32_t nb = block_count(n), b = 0;
    for (; b < nb; b++) {
        if (target < cur->sums[b])
            break;
        target -= cur->sums[b];
    }
    uint32_t lo = 0, hi = n;
    if (b < nb) {
        lo = b * CT_SEED_BLOCK;
        hi = n - lo < CT_SEED_BLOCK ? n : lo + CT_SEED_BLOCK;
    } else {
        target = INFINITY; /* past the end: take the last point with d2 > 0 */
    }
    uint32_t pick = n;
    for (uint32_t i = lo; i < hi; i++) {
        if (cur->d2[i] <= 0.0f)
            continue;
        pick = i;
        target -= cur->d2[i];
        if (target < 0.0)
            break;
    }
    return pick;
}

static uint32_t first_centre(const uint32_t *w, uint32_t n, ct_rng *rng)
{
    if (!w)
        return (uint32_t)ct_rng_below(rng, n);
    double total = 0.0;
    for (uint32_t i = 0; i < n; i++)
        total += w[i];
    double target = ct_rng_unit(rng) * total;
    uint32_t first = 0;
    for (; first + 1 < n; first++) {
        target -= w[first];
        if (target < 0.0)
            break;
    }
    return first;
}

uint32_t ct_seed_plus_plus(int isa, const float *pts, const float *soa, const uint32_t *w, uint32_t n,
                           uint32_t k, uint32_t candidates, ct_rng *rng, const ct_seed_ws *ws,
                           float *centroids)
{
    if (candidates < 1)
        candidates = 1;
    if (candidates > 16)
        candidates = 16;
    /* The current distances; with spares, also the best candidate's so far and the trial's. */
    seed_dist cur = {ws->d2, ws->block_sums}, best_d = {ws->spare_d2[0], ws->spare_sums[0]},
              trial = {ws->spare_d2[1], ws->spare_sums[1]};
    int keep = best_d.d2 && best_d.sums && trial.d2 && trial.sums;
    memcpy(centroids, pts + (size_t)first_centre(w, n, rng) * 3, 3 * sizeof(float));
    for (uint32_t i = 0; i < n; i++)
        cur.d2[i] = INFINITY;
    double total = seed_pass(isa, pts, soa, w, n, cur.d2, centroids, cur.d2, cur.sums);
    uint32_t chosen = 1;
    while (chosen < k && total > 0.0) {
        /* Every candidate is drawn from the same distribution, then each is scored by the
         * total it would leave; the lowest wins (the earliest drawn on ties). */
        uint32_t pick = draw_by_d2(&cur, n, total, rng);
        int kept = 0; /* the winner's distances are in best_d, its total in best */
        double best = INFINITY;
        if (candidates > 1) {
            uint32_t cand[16];
            cand[0] = pick;
            for (uint32_t t = 1; t < candidates; t++)
                cand[t] = draw_by_d2(&cur, n, total, rng);
            for (uint32_t t = 0; t < candidates; t++) {
                if (cand[t] == n)
                    continue;
                int seen = 0; /* a point drawn twice scores the same: score it once */
                for (uint32_t u = 0; u < t && !seen; u++)
                    seen = cand[u] == cand[t];
                if (seen)
                    continue;
                double s = seed_pass(isa, pts, soa, w, n, cur.d2, pts + (size_t)cand[t] * 3, keep ? trial.d2 : NULL,
                                     keep ? trial.sums : NULL);
                if (s < best) {
                    best = s;
                    pick = cand[t];
                    if (keep) { /* the trial's distances become the best ones */
                        swap_dist(&best_d, &trial);
                        kept = 1;
                    }
                }
            }
        }
        if (pick == n)
            break;
        float *c = centroids + (size_t)chosen * 3;
        memcpy(c, pts + (size_t)pick * 3, 3 * sizeof(float));
        if (kept) { /* the pass that scored it computed exactly what an update pass would */
            swap_dist(&cur, &best_d);
            total = best;
        } else {
            total = seed_pass(isa, pts, soa, w, n, cur.d2, c, cur.d2, cur.sums);
        }
        chosen++;
    }
    if (cur.d2 != ws->d2) { /* the caller's arrays hold the final distances, as documented */
        memcpy(ws->d2, cur.d2, (size_t)n * sizeof(float));
        memcpy(ws->block_sums, cur.sums, block_count(n) * sizeof(double));
    }
    return chosen;
}
