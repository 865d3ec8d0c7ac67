/* Part of covertheme-quality: reference k-means with Hamerly's bounds (see refkmeans.h). */
#include "refkmeans.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/color.h"
#include "../core/rng.h"
#include "seconds.h"

/* Nearest centre (float, lowest index on ties) of every point, 8 points at a time with GCC
 * vector extensions (SSE2 on the default x86-64 target; the compiler does not if-convert the
 * scalar version at -O2; 16-byte vectors, since wider generic vectors are split into scalar
 * compares without AVX). Per point the result is the same as the scalar loop: strict < over
 * centres in index order. n is a multiple of 8 (the arrays are padded to COLOURS_BLK). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static void assign_all(const float *L, const float *A, const float *B, uint32_t n, const float *cl,
                       const float *ca, const float *cb, uint32_t k, int32_t *best_i)
{
    for (uint32_t i = 0; i < n; i += 8) {
        v4f l0, a0, b0, l1, a1, b1;
        memcpy(&l0, L + i, sizeof l0);
        memcpy(&a0, A + i, sizeof a0);
        memcpy(&b0, B + i, sizeof b0);
        memcpy(&l1, L + i + 4, sizeof l1);
        memcpy(&a1, A + i + 4, sizeof a1);
        memcpy(&b1, B + i + 4, sizeof b1);
        v4f bd0 = {FLT_MAX, FLT_MAX, FLT_MAX, FLT_MAX}, bd1 = bd0;
        v4i bi0 = {0, 0, 0, 0}, bi1 = bi0;
        for (uint32_t c = 0; c < k; c++) {
            const v4i ci = (v4i){0, 0, 0, 0} + (int32_t)c;
            v4f dl = l0 - cl[c], da = a0 - ca[c], db = b0 - cb[c];
            v4f d = dl * dl + da * da + db * db;
            v4i lt = d < bd0; /* all ones where centre c is strictly nearer */
            bd0 = (v4f)(((v4i)d & lt) | ((v4i)bd0 & ~lt));
            bi0 = (bi0 & ~lt) | (ci & lt);
            dl = l1 - cl[c], da = a1 - ca[c], db = b1 - cb[c];
            d = dl * dl + da * da + db * db;
            lt = d < bd1;
            bd1 = (v4f)(((v4i)d & lt) | ((v4i)bd1 & ~lt));
            bi1 = (bi1 & ~lt) | (ci & lt);
        }
        memcpy(best_i + i, &bi0, sizeof bi0);
        memcpy(best_i + i + 4, &bi1, sizeof bi1);
    }
}

/* assign_all plus the second-nearest squared distance, for Hamerly's bounds. Same per-lane
 * expression and tie rule; d1/d2 receive the nearest and second-nearest squared distances. */
static void assign2_all(const float *L, const float *A, const float *B, uint32_t n, const float *cl,
                        const float *ca, const float *cb, uint32_t k, int32_t *best_i, float *d1, float *d2)
{
    for (uint32_t i = 0; i < n; i += 4) {
        v4f l, a, b;
        memcpy(&l, L + i, sizeof l);
        memcpy(&a, A + i, sizeof a);
        memcpy(&b, B + i, sizeof b);
        v4f bd = {FLT_MAX, FLT_MAX, FLT_MAX, FLT_MAX}, sd = bd;
        v4i bi = {0, 0, 0, 0};
        for (uint32_t c = 0; c < k; c++) {
            v4f dl = l - cl[c], da = a - ca[c], db = b - cb[c];
            v4f d = dl * dl + da * da + db * db;
            v4i lt = d < bd, lt2 = d < sd;
            v4i second = ((v4i)d & lt2) | ((v4i)sd & ~lt2); /* min(sd, d) when d is not the new best */
            sd = (v4f)(((v4i)bd & lt) | (second & ~lt));
            bd = (v4f)(((v4i)d & lt) | ((v4i)bd & ~lt));
            bi = (bi & ~lt) | ((((v4i){0, 0, 0, 0}) + (int32_t)c) & lt);
        }
        memcpy(best_i + i, &bi, sizeof bi);
        memcpy(d1 + i, &bd, sizeof bd);
        memcpy(d2 + i, &sd, sizeof sd);
    }
}

/* Weighted k-means++ (D^2 sampling with weights, the first centre drawn by weight): the
 * same distribution as k-means++ over the pixels themselves. */
static uint32_t seed_weighted(const colours *c, uint32_t k, uint64_t seed, double *cent, double *d2)
{
    ct_rng rng;
    ct_rng_seed(&rng, seed);
    uint32_t n = c->n;
    double target = ct_rng_unit(&rng) * (double)c->pixels;
    uint32_t pick = n - 1;
    for (uint32_t i = 0; i < n; i++) {
        target -= c->w[i];
        if (target < 0.0) {
            pick = i;
            break;
        }
    }
    uint32_t chosen = 0;
    for (;;) {
        cent[chosen * 3] = c->L[pick];
        cent[chosen * 3 + 1] = c->A[pick];
        cent[chosen * 3 + 2] = c->B[pick];
        double x = c->L[pick], y = c->A[pick], z = c->B[pick];
        double sum = 0.0;
        for (uint32_t i = 0; i < n; i++) {
            double dl = c->L[i] - x, da = c->A[i] - y, db = c->B[i] - z;
            double d = c->w[i] * (dl * dl + da * da + db * db);
            if (chosen == 0 || d < d2[i])
                d2[i] = d;
            sum += d2[i];
        }
        chosen++;
        if (chosen == k || !(sum > 0.0))
            break;
        target = ct_rng_unit(&rng) * sum;
        pick = n;
        for (uint32_t i = 0; i < n; i++) {
            if (d2[i] <= 0.0)
                continue;
            pick = i; /* rounding may leave target > 0 after the last point: keep the last */
            target -= d2[i];
            if (target < 0.0)
                break;
        }
        if (pick == n)
            break;
    }
    return chosen;
}

static void round_to_rgb8(const double *cent, uint32_t k, double *out)
{
    for (uint32_t j = 0; j < k; j++) {
        uint8_t rgb[3];
        ct_lab_to_srgb8(cent + j * 3, rgb);
        ct_srgb8_to_lab(rgb, out + j * 3);
    }
}

/* Squared float distance of a point to centre c: the very expression assign_all evaluates
 * per lane ((dl*dl + da*da) + db*db, no contraction), so both give bit-identical values. */
static inline float dist2f(float x, float y, float z, const float *cl, const float *ca, const float *cb, uint32_t c)
{
    float dl = x - cl[c], da = y - ca[c], db = z - cb[c];
    return dl * dl + da * da + db * db;
}

/* Hamerly's bounds (2010) are only trusted with a margin far above the float error of a
 * distance (~2e-7 relative): a point is skipped only when every other centre is farther by
 * that margin, so the float brute-force argmin cannot differ. Points inside the margin are
 * rescanned with the brute-force kernel's expression and tie rule. Result: the same assignment as
 * assign_all in every iteration, hence bit-identical centres, MSE and iteration counts
 * (checked with --brute). */
#define HAM_REL 1e-5
#define HAM_ABS 1e-6

int refkmeans_run(const colours *c, uint32_t k, uint64_t seed, const double *start, int max_iter, int brute,
                  double *cent, refkmeans_result *res)
{
    double t0 = cpu_now();
    memset(res, 0, sizeof *res);
    uint32_t n = c->n, np = c->n_pad;
    uint16_t *label = malloc((size_t)np * sizeof *label);
    int32_t *bi = brute ? malloc((size_t)np * sizeof *bi) : NULL;
    double *ub = brute ? NULL : malloc((size_t)n * sizeof *ub);
    double *lb = brute ? NULL : malloc((size_t)n * sizeof *lb);
    /* Hamerly: points to rescan, gathered into SoA buffers for the vector kernel */
    uint32_t *sidx = brute ? NULL : malloc((size_t)np * sizeof *sidx);
    float *sbuf = brute ? NULL : malloc((size_t)np * 5 * sizeof *sbuf);
    int32_t *sbest = brute ? NULL : malloc((size_t)np * sizeof *sbest);
    double *sum = calloc((size_t)k * 4, sizeof *sum);
    double *mv = calloc((size_t)k * 2, sizeof *mv); /* per centre: movement, half gap */
    float *cf = calloc((size_t)k * 6, sizeof *cf); /* float centres, now and before */
#define KM_FREE() free(label), free(bi), free(ub), free(lb), free(sidx), free(sbuf), free(sbest), free(sum), free(mv), free(cf)
    if (!label || !sum || !mv || !cf || (brute ? !bi : (!ub || !lb || !sidx || !sbuf || !sbest))) {
        KM_FREE();
        return -1;
    }
    if (start) {
        memcpy(cent, start, (size_t)k * 3 * sizeof *cent);
    } else {
        double *d2 = malloc((size_t)n * sizeof *d2);
        if (!d2) {
            KM_FREE();
            return -1;
        }
        uint32_t kk = seed_weighted(c, k, seed, cent, d2);
        free(d2);
        for (uint32_t j = kk; j < k; j++) /* only when distinct colours < k: duplicate centre 0 */
            memcpy(cent + j * 3, cent, 3 * sizeof *cent);
    }
    float *cl = cf, *ca = cf + k, *cb = cf + 2 * k, *ol = cf + 3 * k, *oa = cf + 4 * k, *ob = cf + 5 * k;
    double *move = mv, *half = mv + k;
    uint32_t it = 0, changed = 1;
    while (changed && it < (uint32_t)max_iter) {
        memcpy(ol, cl, (size_t)k * 3 * sizeof *cl);
        for (uint32_t j = 0; j < k; j++) {
            cl[j] = (float)cent[j * 3];
            ca[j] = (float)cent[j * 3 + 1];
            cb[j] = (float)cent[j * 3 + 2];
        }
        changed = 0;
        if (brute) {
            assign_all(c->L, c->A, c->B, np, cl, ca, cb, k, bi);
            for (uint32_t i = 0; i < n; i++) {
                if (it == 0 || label[i] != (uint16_t)bi[i]) {
                    changed++;
                    label[i] = (uint16_t)bi[i];
                }
            }
        } else {
            /* Which points may have a nearer centre? All of them in the first pass. */
            uint32_t m = 0;
            if (it == 0) {
                for (uint32_t i = 0; i < n; i++)
                    sidx[m++] = i;
            } else {
                /* how far each float centre moved, the largest two moves, and half the
                 * distance from each centre to its nearest other centre */
                double m1 = 0.0, m2 = 0.0;
                uint32_t m1i = 0;
                for (uint32_t j = 0; j < k; j++) {
                    double dl = (double)cl[j] - ol[j], da = (double)ca[j] - oa[j], db = (double)cb[j] - ob[j];
                    move[j] = sqrt(dl * dl + da * da + db * db);
                    if (move[j] > m1) {
                        m2 = m1;
                        m1 = move[j];
                        m1i = j;
                    } else if (move[j] > m2) {
                        m2 = move[j];
                    }
                    half[j] = INFINITY;
                }
                for (uint32_t j = 0; j < k; j++)
                    for (uint32_t q = j + 1; q < k; q++) {
                        double dl = (double)cl[j] - cl[q], da = (double)ca[j] - ca[q], db = (double)cb[j] - cb[q];
                        double h = 0.5 * sqrt(dl * dl + da * da + db * db);
                        half[j] = h < half[j] ? h : half[j];
                        half[q] = h < half[q] ? h : half[q];
                    }
                for (uint32_t i = 0; i < n; i++) {
                    uint32_t a = label[i];
                    double u = ub[i] + move[a], l = lb[i] - (a == m1i ? m2 : m1);
                    lb[i] = l;
                    double bound = half[a] > l ? half[a] : l;
                    if (u * (1.0 + HAM_REL) + HAM_ABS >= bound) {
                        u = sqrt((double)dist2f(c->L[i], c->A[i], c->B[i], cl, ca, cb, a));
                        if (u * (1.0 + HAM_REL) + HAM_ABS >= bound)
                            sidx[m++] = i;
                    }
                    ub[i] = u;
                }
            }
            /* Rescan them with the vector kernel (padded to 4 with copies of the last one). */
            uint32_t mp = (m + 3) & ~3u;
            float *sl = sbuf, *sa = sbuf + np, *sb = sbuf + 2 * (size_t)np, *s1 = sbuf + 3 * (size_t)np,
                  *s2 = sbuf + 4 * (size_t)np;
            for (uint32_t j = 0; j < mp; j++) {
                uint32_t i = sidx[j < m ? j : m - 1];
                sl[j] = c->L[i];
                sa[j] = c->A[i];
                sb[j] = c->B[i];
            }
            if (m)
                assign2_all(sl, sa, sb, mp, cl, ca, cb, k, sbest, s1, s2);
            for (uint32_t j = 0; j < m; j++) {
                uint32_t i = sidx[j];
                ub[i] = sqrt((double)s1[j]);
                lb[i] = k > 1 ? sqrt((double)s2[j]) : INFINITY;
                if (it == 0 || label[i] != (uint16_t)sbest[j]) {
                    label[i] = (uint16_t)sbest[j];
                    changed++;
                }
            }
        }
        it++;
        if (!changed)
            break; /* centres are the means of this very assignment already */
        memset(sum, 0, (size_t)k * 4 * sizeof *sum);
        for (uint32_t i = 0; i < n; i++) {
            double *s = sum + (size_t)label[i] * 4, w = c->w[i];
            s[0] += w;
            s[1] += w * c->L[i];
            s[2] += w * c->A[i];
            s[3] += w * c->B[i];
        }
        for (uint32_t j = 0; j < k; j++) {
            const double *s = sum + (size_t)j * 4;
            if (s[0] > 0.0) {
                cent[j * 3] = s[1] / s[0];
                cent[j * 3 + 1] = s[2] / s[0];
                cent[j * 3 + 2] = s[3] / s[0];
            }
        }
    }
    res->iterations = it;
    res->hit_cap = changed != 0;
    KM_FREE();
#undef KM_FREE
    res->mse = colours_weighted_mse(c, cent, k);
    double *r8 = malloc((size_t)k * 3 * sizeof *r8);
    if (r8) {
        round_to_rgb8(cent, k, r8);
        res->mse_rgb8 = colours_weighted_mse(c, r8, k);
        free(r8);
    }
    res->cpu_s = cpu_now() - t0;
    return 0;
}
