#include "kmeans_groups.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "cpu.h"

/* Bits per axis of the Z-order key: 32 levels, a 15-bit key sorted in two byte passes.
 * Finer grids gave the same groups within 1 % (candidates per group, corpus photographs). */
#define KEY_BITS 5u

static size_t align16(size_t b)
{
    return (b + 15u) & ~(size_t)15u;
}

size_t ct_km_groups_bytes(uint32_t n, int weighted)
{
    uint32_t count = (n + CT_KM_GROUP - 1) / CT_KM_GROUP;
    return 2 * align16((size_t)n * 3 * sizeof(float)) + (weighted ? align16((size_t)n * sizeof(uint32_t)) : 0) +
           align16((size_t)count * 6 * sizeof(float));
}

size_t ct_km_groups_scratch_bytes(uint32_t n)
{
    return align16((size_t)n * sizeof(uint16_t)) + 2 * align16((size_t)n * sizeof(uint32_t));
}

/* Cell numbers with their bits spread to every third bit: the Z-order key of cell (x, y, z)
 * is SPREAD[x] << 2 | SPREAD[y] << 1 | SPREAD[z]. */
static const uint16_t SPREAD[1u << KEY_BITS] = {
    0x0000, 0x0001, 0x0008, 0x0009, 0x0040, 0x0041, 0x0048, 0x0049, 0x0200, 0x0201, 0x0208,
    0x0209, 0x0240, 0x0241, 0x0248, 0x0249, 0x1000, 0x1001, 0x1008, 0x1009, 0x1040, 0x1041,
    0x1048, 0x1049, 0x1200, 0x1201, 0x1208, 0x1209, 0x1240, 0x1241, 0x1248, 0x1249,
};

/* One stable counting-sort pass of `from` by byte `shift` of the keys into `to`. */
static void sort_pass(const uint16_t *key, const uint32_t *from, uint32_t *to, uint32_t n, unsigned shift)
{
    uint32_t start[256] = {0};
    for (uint32_t i = 0; i < n; i++)
        start[(key[from[i]] >> shift) & 0xFFu]++;
    uint32_t sum = 0;
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = start[b];
        start[b] = sum;
        sum += c;
    }
    for (uint32_t i = 0; i < n; i++)
        to[start[(key[from[i]] >> shift) & 0xFFu]++] = from[i];
}

void ct_km_groups_build(const float *pts, const uint32_t *w, uint32_t n, void *mem, void *scratch,
                        ct_km_groups *g)
{
    uint8_t *m = mem;
    g->n = n;
    g->count = (n + CT_KM_GROUP - 1) / CT_KM_GROUP;
    g->pts = (float *)m;
    m += align16((size_t)n * 3 * sizeof(float));
    g->soa = (float *)m;
    m += align16((size_t)n * 3 * sizeof(float));
    g->w = NULL;
    if (w) {
        g->w = (uint32_t *)m;
        m += align16((size_t)n * sizeof(uint32_t));
    }
    g->box = (float *)m;

    float lo[3] = {FLT_MAX, FLT_MAX, FLT_MAX}, hi[3] = {-FLT_MAX, -FLT_MAX, -FLT_MAX};
    float norm_max = 0.0f;
    int finite = 1;
    for (uint32_t i = 0; i < n; i++) {
        const float *p = pts + (size_t)i * 3;
        for (int a = 0; a < 3; a++) {
            lo[a] = p[a] < lo[a] ? p[a] : lo[a];
            hi[a] = p[a] > hi[a] ? p[a] : hi[a];
        }
        float q = (p[0] * p[0] + p[1] * p[1]) + p[2] * p[2];
        finite &= q <= FLT_MAX; /* false for a NaN or infinite coordinate, or |p|^2 overflowing */
        norm_max = q > norm_max ? q : norm_max;
    }
    /* An infinite margin keeps every centroid a candidate: the boxes say nothing sure about
     * points whose squared norm is not a finite float. */
    g->norm_max = finite ? norm_max : INFINITY;

    uint16_t *key = scratch;
    uint32_t *order = (uint32_t *)((uint8_t *)scratch + align16((size_t)n * sizeof(uint16_t)));
    uint32_t *tmp = order + align16((size_t)n * sizeof(uint32_t)) / sizeof(uint32_t);
    float scale[3];
    for (int a = 0; a < 3; a++)
        scale[a] = hi[a] > lo[a] ? (float)(1u << KEY_BITS) / (hi[a] - lo[a]) : 0.0f;
    for (uint32_t i = 0; i < n; i++) {
        const float *p = pts + (size_t)i * 3;
        uint32_t k = 0;
        for (int a = 0; a < 3; a++) {
            float f = (p[a] - lo[a]) * scale[a];
            uint32_t cell = f >= (float)((1u << KEY_BITS) - 1) ? (1u << KEY_BITS) - 1 : f > 0.0f ? (uint32_t)f : 0;
            k |= (uint32_t)SPREAD[cell] << (2 - a);
        }
        key[i] = (uint16_t)k;
        tmp[i] = i;
    }
    sort_pass(key, tmp, order, n, 0);
    sort_pass(key, order, tmp, n, 8);

    float *xs = g->soa, *ys = g->soa + n, *zs = g->soa + (size_t)2 * n;
    for (uint32_t j = 0; j < n; j++) {
        const float *p = pts + (size_t)tmp[j] * 3;
        memcpy(g->pts + (size_t)j * 3, p, 3 * sizeof(float));
        xs[j] = p[0];
        ys[j] = p[1];
        zs[j] = p[2];
        if (w)
            g->w[j] = w[tmp[j]];
    }
    for (uint32_t grp = 0; grp < g->count; grp++) {
        uint32_t a = grp * CT_KM_GROUP, b = n - a < CT_KM_GROUP ? n : a + CT_KM_GROUP;
        float *box = g->box + (size_t)grp * 6;
        box[0] = box[3] = xs[a];
        box[1] = box[4] = ys[a];
        box[2] = box[5] = zs[a];
        for (uint32_t j = a + 1; j < b; j++) {
            const float v[3] = {xs[j], ys[j], zs[j]};
            for (int ax = 0; ax < 3; ax++) {
                box[ax] = v[ax] < box[ax] ? v[ax] : box[ax];
                box[3 + ax] = v[ax] > box[3 + ax] ? v[ax] : box[3 + ax];
            }
        }
    }
}

/* The test below compares float bounds, and the kernel compares float scores
 * |c|^2 - 2 p.c. Each score is within about 8 roundings of (|p|^2 + |c|^2) of its exact
 * value (three FMAs, |c|^2 in three operations, every intermediate below 2 (|p|^2 + |c|^2)),
 * that is 4.8e-7 of it, and each bound within about 6 roundings of at most 2 (|p|^2 + |c|^2).
 * A centroid is left out only when its nearest approach to the box exceeds the farthest
 * reach of another centroid by MARGIN x (|p|max^2 + |c|max^2): 1e-5 is more than four times
 * all those errors together, so a left-out centroid's float score is always strictly above
 * the float score of that other centroid, and it can neither win nor tie. */
#define MARGIN 1e-5f

static uint32_t candidates_scalar(const float *box, const float *cx, const float *cy, const float *cz, uint32_t k,
                                  float slack, uint32_t *cand)
{
    const float lx = box[0], ly = box[1], lz = box[2], hx = box[3], hy = box[4], hz = box[5];
    float near[256];
    float reach = FLT_MAX; /* the smallest farthest-distance^2 from a centroid to the box */
    for (uint32_t c = 0; c < k; c++) {
        float fx = cx[c] - lx > hx - cx[c] ? cx[c] - lx : hx - cx[c];
        float fy = cy[c] - ly > hy - cy[c] ? cy[c] - ly : hy - cy[c];
        float fz = cz[c] - lz > hz - cz[c] ? cz[c] - lz : hz - cz[c];
        float far = (fx * fx + fy * fy) + fz * fz;
        reach = far < reach ? far : reach;
        float nx = lx - cx[c] > cx[c] - hx ? lx - cx[c] : cx[c] - hx;
        float ny = ly - cy[c] > cy[c] - hy ? ly - cy[c] : cy[c] - hy;
        float nz = lz - cz[c] > cz[c] - hz ? lz - cz[c] : cz[c] - hz;
        nx = nx > 0.0f ? nx : 0.0f;
        ny = ny > 0.0f ? ny : 0.0f;
        nz = nz > 0.0f ? nz : 0.0f;
        near[c] = (nx * nx + ny * ny) + nz * nz;
    }
    float limit = reach + slack;
    uint32_t m = 0;
    for (uint32_t c = 0; c < k; c++)
        if (!(near[c] > limit))
            cand[m++] = c;
    return m;
}

uint32_t ct_km_group_candidates(const ct_km_groups *g, uint32_t group, int isa, const float *cx, const float *cy,
                                const float *cz, uint32_t k, float cmax, uint32_t *cand)
{
    const float *box = g->box + (size_t)group * 6;
    float slack = MARGIN * (g->norm_max + cmax); /* infinite or NaN: every centroid stays */
    if (isa == CT_ISA_AVX2 && ct_cpu_has_avx2())
        return ct_km_candidates_avx2(box, cx, cy, cz, k, slack, cand);
    return candidates_scalar(box, cx, cy, cz, k, slack, cand);
}
