#include "kmeans.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cpu.h"
#include "kmeans_groups.h"
#include "kmeans_seed.h"
#include "pool.h"
#include "rng.h"

void ct_pack_centroids(const float *centroids, uint32_t k, float *packed)
{
    for (uint32_t c = 0; c < k; c++) {
        const float *cc = centroids + (size_t)c * 3;
        float *q = packed + (size_t)c * 4;
        q[0] = -2.0f * cc[0];
        q[1] = -2.0f * cc[1];
        q[2] = -2.0f * cc[2];
        q[3] = (cc[0] * cc[0] + cc[1] * cc[1]) + cc[2] * cc[2];
    }
}

/* The score of centroid q for point p: |c|^2 - 2 p.c, fused as the AVX2 kernel fuses it.
 * fmaf is correctly rounded wherever it runs (an FMA instruction or glibc's exact
 * emulation), so this is the reference bit for bit. */
static inline __attribute__((always_inline)) float score(const float *p, const float *q)
{
    return fmaf(p[0], q[0], fmaf(p[1], q[1], fmaf(p[2], q[2], q[3])));
}

static float norm2(const float *p)
{
    return (p[0] * p[0] + p[1] * p[1]) + p[2] * p[2];
}

/* Lowest-scoring packed centroid (lowest index on ties; a NaN score never wins), with its
 * score; with `ids`, packed centroid c is centroid ids[c] (ascending). Inlined into two
 * callers: the plain one, whose fmaf() is a libm call, and one built for CPUs with FMA, where
 * the same fmaf() becomes one instruction with the same bits; the scalar batch uses the
 * latter when the CPU has it (the scalar-vs-AVX2 test case went from 5.3 to 1.8 s). */
static inline __attribute__((always_inline)) uint32_t nearest_packed_body(const float *pt, const float *packed,
                                                                          const uint32_t *ids, uint32_t k,
                                                                          float *best_score)
{
    uint32_t best = 0;
    float best_s = FLT_MAX;
    for (uint32_t c = 0; c < k; c++) {
        float sc = score(pt, packed + (size_t)c * 4);
        if (sc < best_s) {
            best_s = sc;
            best = ids ? ids[c] : c;
        }
    }
    *best_score = best_s;
    return best;
}

static uint32_t nearest_packed(const float *pt, const float *packed, const uint32_t *ids, uint32_t k,
                               float *best_score)
{
    return nearest_packed_body(pt, packed, ids, k, best_score);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("fma"))) static uint32_t nearest_packed_fma(const float *pt, const float *packed,
                                                                  const uint32_t *ids, uint32_t k,
                                                                  float *best_score)
{
    return nearest_packed_body(pt, packed, ids, k, best_score);
}
#else
#define nearest_packed_fma nearest_packed
#endif

uint32_t ct_nearest_centroid(const float *pt, const float *centroids, uint32_t k, float *dist)
{
    float packed[4 * 256];
    if (k > 256)
        k = 256;
    ct_pack_centroids(centroids, k, packed);
    float s;
    uint32_t best = nearest_packed(pt, packed, NULL, k, &s);
    if (dist)
        *dist = s + norm2(pt);
    return best;
}

static double weight_of(const uint32_t *w, uint32_t i)
{
    return w ? (double)w[i] : 1.0;
}

void ct_points_to_soa(const float *pts, uint32_t n, float *soa)
{
    for (uint32_t i = 0; i < n; i++) {
        soa[i] = pts[(size_t)i * 3 + 0];
        soa[(size_t)n + i] = pts[(size_t)i * 3 + 1];
        soa[(size_t)n * 2 + i] = pts[(size_t)i * 3 + 2];
    }
}

/* ct_nearest_batch on SoA coordinates given as three arrays (a block of the points needs
 * no copy) or none (xs == NULL: the scalar kernel). */
static void nearest_run(int isa, const float *pts, const float *xs, const float *ys, const float *zs, uint32_t n,
                        const float *centroids, uint32_t k, uint32_t *labels, float *dist)
{
    uint32_t done = 0;
    if (isa == CT_ISA_AVX2 && xs && ct_cpu_has_avx2())
        done = ct_nearest_soa_avx2(xs, ys, zs, n, centroids, k, labels, dist);
    if (done == n)
        return;
    float packed[4 * 256];
    ct_pack_centroids(centroids, k, packed);
    /* AVX2 implies FMA here (cpu.h checks both) */
    uint32_t (*nearest)(const float *, const float *, const uint32_t *, uint32_t, float *) =
        ct_cpu_has_avx2() ? nearest_packed_fma : nearest_packed;
    for (uint32_t i = done; i < n; i++) { /* the scalar kernel, and the AVX2 kernel's tail */
        const float *p = pts + (size_t)i * 3;
        float s;
        labels[i] = nearest(p, packed, NULL, k, &s);
        dist[i] = s + norm2(p);
    }
}

void ct_nearest_batch(int isa, const float *pts, const float *soa, uint32_t n, const float *centroids,
                      uint32_t k, uint32_t *labels, float *dist)
{
    nearest_run(isa, pts, soa, soa ? soa + n : NULL, soa ? soa + (size_t)2 * n : NULL, n, centroids, k, labels,
                dist);
}

/* Assignment passes work on fixed blocks of points: each block's labels, label changes and
 * the change they make to the weighted sums are computed on their own (by whichever thread
 * takes the block), and the caller adds the blocks up in block order. The partition depends
 * only on n, so the sums, and with them every centroid, are the same for any thread count.
 * The sums run from pass to pass and only moved points update them: after the first few
 * passes a few percent of the points move, so the pass is the kernel and little else.
 *
 * From CT_KMEANS_GROUPS_MIN points on, the passes run on the points in the order of their
 * groups (kmeans_groups.h): the blocks are then runs of that order, and each group of a
 * block scores only the centroids that can reach it, with the kernel's own arithmetic, so
 * labels and distances are those of a full search. Per point, Hamerly's bounds were tried
 * (bench/README.md): at k = 30 on colour data about a fifth of the points still needed a
 * scalar full scan per pass, which made passes slower than the brute-force AVX2 kernel; a
 * group's box is tested once for its 64 points. */
#define KM_BLOCK 1024u

typedef struct km_block {
    double *sums;      /* k * 3 */
    uint32_t *counts;  /* k */
    uint32_t changed;
} km_block;

typedef struct km_pass {
    int isa;
    const float *pts, *soa;
    const uint32_t *w;
    uint32_t n, k;
    const float *centroids;
    uint32_t *labels;
    float *pdist;      /* n: squared distance of each point to its centroid */
    km_block *blocks;
    /* With groups (kmeans_groups.h; the points above are then in their order), each group
     * of a block searches only the centroids that may be nearest to one of its points. */
    const ct_km_groups *groups;
    ct_km_centroids cents;
    /* Side by side (ct_kmeans): where other threads may take blocks of this restart's
     * passes; NULL: the pass runs on `pool` as usual. */
    struct km_share *share;
} km_pass;

void ct_km_centroids_prepare(const float *centroids, uint32_t k, ct_km_centroids *c)
{
    c->k = k;
    ct_pack_centroids(centroids, k, c->packed);
    float cmax = 0.0f;
    int finite = 1;
    for (uint32_t j = 0; j < k; j++) {
        c->cx[j] = centroids[j * 3 + 0];
        c->cy[j] = centroids[j * 3 + 1];
        c->cz[j] = centroids[j * 3 + 2];
        float q = c->packed[j * 4 + 3];
        finite &= q <= FLT_MAX;
        cmax = q > cmax ? q : cmax;
    }
    for (uint32_t j = k; j % 8; j++) /* the candidate search reads whole vectors */
        c->cx[j] = c->cy[j] = c->cz[j] = 0.0f;
    /* a centroid whose |c|^2 is not a finite float makes the search keep every centroid */
    c->cmax = finite ? cmax : INFINITY;
}

void ct_nearest_group(int isa, const ct_km_groups *g, uint32_t grp, const ct_km_centroids *c, uint32_t *labels,
                      float *dist)
{
    uint32_t cand[256];
    float q[4 * 256];
    uint32_t m = ct_km_group_candidates(g, grp, isa, c->cx, c->cy, c->cz, c->k, c->cmax, cand);
    for (uint32_t j = 0; j < m; j++)
        memcpy(q + (size_t)j * 4, c->packed + (size_t)cand[j] * 4, 4 * sizeof(float));
    uint32_t lo = grp * CT_KM_GROUP, cnt = g->n - lo < CT_KM_GROUP ? g->n - lo : CT_KM_GROUP;
    uint32_t done = 0;
    if (isa == CT_ISA_AVX2 && ct_cpu_has_avx2())
        done = ct_nearest_packed_avx2(g->soa + lo, g->soa + g->n + lo, g->soa + (size_t)2 * g->n + lo, cnt, q, cand,
                                      m, labels, dist);
    uint32_t (*nearest)(const float *, const float *, const uint32_t *, uint32_t, float *) =
        ct_cpu_has_avx2() ? nearest_packed_fma : nearest_packed;
    for (uint32_t i = done; i < cnt; i++) {
        const float *p = g->pts + (size_t)(lo + i) * 3;
        float s;
        labels[i] = nearest(p, q, cand, m, &s);
        dist[i] = s + norm2(p);
    }
}

static void assign_block(void *arg, uint32_t b)
{
    const km_pass *ps = arg;
    uint32_t lo = b * KM_BLOCK, hi = ps->n - lo < KM_BLOCK ? ps->n : lo + KM_BLOCK, m = hi - lo, k = ps->k;
    uint32_t nearest[KM_BLOCK];
    if (ps->groups) {
        for (uint32_t at = lo; at < hi; at += CT_KM_GROUP) /* KM_BLOCK is a multiple of CT_KM_GROUP */
            ct_nearest_group(ps->isa, ps->groups, at / CT_KM_GROUP, &ps->cents, nearest + (at - lo), ps->pdist + at);
    } else {
        const float *xs = ps->soa ? ps->soa + lo : NULL, *ys = ps->soa ? ps->soa + ps->n + lo : NULL,
                    *zs = ps->soa ? ps->soa + (size_t)2 * ps->n + lo : NULL;
        nearest_run(ps->isa, ps->pts + (size_t)lo * 3, xs, ys, zs, m, ps->centroids, k, nearest, ps->pdist + lo);
    }
    km_block *blk = &ps->blocks[b];
    memset(blk->sums, 0, (size_t)k * 3 * sizeof(double));
    memset(blk->counts, 0, (size_t)k * sizeof(uint32_t));
    int avx2 = ps->isa == CT_ISA_AVX2 && ct_cpu_has_avx2();
    /* Only a point that changes cluster changes the sums: it moves its weighted coordinates
     * from the old cluster's sum (none on the first pass) to the new one's, in point order.
     * Counts are exact in modular uint32 arithmetic. */
    uint32_t moved[KM_BLOCK];
    uint32_t changed = 0;
    if (avx2) {
        changed = ct_label_changes_avx2(nearest, ps->labels + lo, m, moved);
    } else {
        for (uint32_t i = 0; i < m; i++)
            if (nearest[i] != ps->labels[lo + i])
                moved[changed++] = i;
    }
    for (uint32_t t = 0; t < changed; t++) {
        uint32_t i = lo + moved[t], c = nearest[moved[t]], old = ps->labels[i];
        const float *p = ps->pts + (size_t)i * 3;
        double wi = weight_of(ps->w, i);
        uint32_t wc = ps->w ? ps->w[i] : 1;
        ps->labels[i] = c;
        blk->sums[c * 3 + 0] += wi * p[0];
        blk->sums[c * 3 + 1] += wi * p[1];
        blk->sums[c * 3 + 2] += wi * p[2];
        blk->counts[c] += wc;
        if (old != UINT32_MAX) {
            blk->sums[old * 3 + 0] -= wi * p[0];
            blk->sums[old * 3 + 1] -= wi * p[1];
            blk->sums[old * 3 + 2] -= wi * p[2];
            blk->counts[old] -= wc;
        }
    }
    blk->changed = changed;
}

/* The inertia of the pass just run: block by block in block order, each block's points in
 * four interleaved partial sums (point lo + i in lane i % 4: no chain of dependent adds, and
 * the AVX2 code adds four lanes per vector in the same order). Only a restart's last pass
 * needs it, so it is not summed on every pass. */
static double pass_inertia(const km_pass *ps)
{
    int avx2 = ps->isa == CT_ISA_AVX2 && ct_cpu_has_avx2();
    double total = 0.0;
    for (uint32_t lo = 0; lo < ps->n; lo += KM_BLOCK) {
        uint32_t m = ps->n - lo < KM_BLOCK ? ps->n - lo : KM_BLOCK;
        const float *pd = ps->pdist + lo;
        const uint32_t *wb = ps->w ? ps->w + lo : NULL;
        double lanes[4] = {0.0, 0.0, 0.0, 0.0};
        uint32_t i4 = avx2 ? ct_inertia_lanes_avx2(wb, pd, m, lanes) : 0;
        for (; i4 < m; i4++)
            lanes[i4 % 4] += weight_of(wb, i4) * pd[i4];
        total += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    }
    return total;
}

static uint32_t block_count(uint32_t n)
{
    return (n + KM_BLOCK - 1) / KM_BLOCK;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define km_relax() _mm_pause()
#else
#define km_relax() ((void)0)
#endif

/* Restarts side by side leave a thread idle once no restart is left to start, while the
 * slowest one runs on: on two threads the search took 1.10-1.23x half its restarts' summed
 * time (bench/README.md, "Restarts that finish together"). So each such restart opens its
 * passes block by block to the other threads: its owner claims blocks like any helper and
 * waits for the ones helpers took. A block computes the same thing whoever runs it, and the
 * owner adds the blocks up in block order, so helping changes nothing in the result. The
 * ticket packs pass << 32 | blocks << 16 | next block, so a helper still holding an old
 * pass's ticket fails to claim from a newer one (pass 0: nothing opened yet). */
typedef struct km_share {
    _Alignas(64) uint64_t ticket;
    _Alignas(64) uint32_t done; /* blocks of the open pass finished */
    uint32_t helped;            /* blocks helpers ran, over the restart (read once it ended) */
    uint32_t opened;            /* passes opened so far */
    km_pass *pass;              /* the restart's pass, set before each pass opens */
} km_share;

#define KM_TICKET(pass, blocks) ((uint64_t)(pass) << 32 | (uint64_t)(blocks) << 16)
#define KM_T_PASS(t) ((uint32_t)((t) >> 32))
#define KM_T_BLOCKS(t) ((uint32_t)((t) >> 16) & 0xffffu)
#define KM_T_NEXT(t) ((uint32_t)(t) & 0xffffu)

/* Claims and runs blocks of whatever pass is open on `sh` until none is left; returns how
 * many it ran. A successful claim proves the pass is still open: its owner opens the next
 * one only after every block of this one has finished, so sh->pass is stable meanwhile. */
static uint32_t claim_blocks(km_share *sh)
{
    uint32_t ran = 0;
    uint64_t t = __atomic_load_n(&sh->ticket, __ATOMIC_SEQ_CST);
    for (;;) {
        if (KM_T_PASS(t) == 0 || KM_T_NEXT(t) >= KM_T_BLOCKS(t))
            return ran;
        if (!__atomic_compare_exchange_n(&sh->ticket, &t, t + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            continue; /* t now holds the current ticket */
        assign_block(sh->pass, KM_T_NEXT(t));
        __atomic_add_fetch(&sh->done, 1, __ATOMIC_SEQ_CST);
        ran++;
        t = __atomic_load_n(&sh->ticket, __ATOMIC_SEQ_CST);
    }
}

/* The owner's side of a pass of nb blocks (nb <= 0xffff): open it, take blocks, wait for
 * the helpers' (a block is microseconds; they only spin where the pool may, ct_pool_spins). */
static void assign_shared(km_pass *ps, uint32_t nb)
{
    km_share *sh = ps->share;
    sh->pass = ps;
    __atomic_store_n(&sh->done, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&sh->ticket, KM_TICKET(++sh->opened, nb), __ATOMIC_SEQ_CST);
    uint32_t mine = claim_blocks(sh);
    while (__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST) != nb)
        km_relax();
    sh->helped += nb - mine;
}

/* One assignment pass over all blocks (on the pool when it pays), then each block's change
 * to the running per-cluster sums and counts (zero before the first pass), in block order.
 * Returns how many labels changed. */
static uint32_t assign(km_pass *ps, ct_pool *pool, double *sums, uint32_t *counts)
{
    uint32_t nb = block_count(ps->n), k = ps->k;
    int parallel = nb > 1 && (uint64_t)ps->n * k >= CT_KMEANS_POOL_MIN_WORK;
    if (ps->groups)
        ct_km_centroids_prepare(ps->centroids, k, &ps->cents);
    if (ps->share)
        assign_shared(ps, nb);
    else
        ct_pool_run(parallel ? pool : NULL, nb, assign_block, ps);
    uint32_t changed = 0;
    for (uint32_t b = 0; b < nb; b++) {
        const km_block *blk = &ps->blocks[b];
        for (uint32_t j = 0; j < k * 3; j++)
            sums[j] += blk->sums[j];
        for (uint32_t c = 0; c < k; c++)
            counts[c] += blk->counts[c];
        changed += blk->changed;
    }
    return changed;
}

/* New centroids are the means. An empty cluster takes the point that is currently worst
 * served (largest distance to its centroid, lowest index on ties), which is deterministic
 * and splits the cluster that most needs it. That point's distance is then zeroed so two
 * empty clusters do not take the same point. */
static void update(const float *pts, uint32_t n, float *centroids, uint32_t k, const double *sums,
                   const uint32_t *counts, float *pdist)
{
    for (uint32_t c = 0; c < k; c++) {
        float *cc = centroids + (size_t)c * 3;
        if (counts[c] > 0) {
            for (int j = 0; j < 3; j++)
                cc[j] = (float)(sums[c * 3 + j] / counts[c]);
            continue;
        }
        uint32_t worst = 0;
        for (uint32_t i = 1; i < n; i++)
            if (pdist[i] > pdist[worst])
                worst = i;
        memcpy(cc, pts + (size_t)worst * 3, 3 * sizeof(float));
        pdist[worst] = 0.0f;
    }
}

/* Everything one restart needs. */
typedef struct restart_ws {
    float *centroids;  /* k * 3 */
    uint32_t *counts;  /* k */
    uint32_t k, iterations, last_changed;
    double inertia;
} restart_ws;

/* Shared by the restarts, which run one after the other (each one's passes in parallel). */
typedef struct km_job {
    const float *pts, *soa;
    const uint32_t *w;
    const float *init;
    uint32_t n, k, max_iterations, candidates;
    uint64_t seed;
    int isa;
    ct_pool *pool;
    double *sums;
    ct_seed_ws seed_ws;
    float *pdist;
    uint32_t *labels;
    km_block *blocks;
    /* The points as given, which the seeding reads. With groups, pts, soa and w above are the
     * groups' copies in Z-order, which the passes read; without, the same arrays. */
    const float *seed_pts, *seed_soa;
    const uint32_t *seed_w;
    const ct_km_groups *groups; /* NULL: every pass searches all k centroids */
    km_share *share;            /* side by side with helping (assign_shared), else NULL */
} km_job;

/* Restart r's own generator: the seed for r = 0 (so one restart is plain seeded k-means++),
 * a fixed odd-constant stride apart for the others. */
uint64_t ct_kmeans_restart_seed(uint64_t seed, uint32_t r)
{
    return seed + (uint64_t)r * UINT64_C(0x9E3779B97F4A7C15);
}

/* Restart r's start: its seeding (or the given centroids) and a state before any pass. */
static void start_restart(km_job *j, uint32_t r, restart_ws *ws)
{
    ct_rng rng;
    ct_rng_seed(&rng, ct_kmeans_restart_seed(j->seed, r));
    uint32_t k = j->k;
    if (j->init)
        memcpy(ws->centroids, j->init, (size_t)k * 3 * sizeof(float));
    else
        k = ct_seed_plus_plus(j->isa, j->seed_pts, j->seed_soa, j->seed_w, j->n, j->k, j->candidates, &rng,
                              &j->seed_ws, ws->centroids);
    for (uint32_t i = 0; i < j->n; i++)
        j->labels[i] = UINT32_MAX; /* the first pass counts every point as changed */
    memset(j->sums, 0, (size_t)j->k * 3 * sizeof(double));
    memset(ws->counts, 0, (size_t)j->k * sizeof(uint32_t));
    ws->k = k;
    ws->iterations = 0;
    ws->last_changed = 0;
    ws->inertia = 0.0;
}

/* Lloyd passes from the restart's state until a pass changes at most `settle` labels or
 * the cap is reached. A run stopped at a looser settle (ranking, ct_kmeans) resumes here
 * where it stopped: with its labels, sums and counts as they were, it computes exactly what
 * one run to the tighter settle computes. */
static void run_lloyd(km_job *j, restart_ws *ws, uint32_t settle)
{
    uint32_t k = ws->k, iter = ws->iterations, changed = ws->last_changed;
    km_pass ps = {.isa = j->isa,
                  .pts = j->pts,
                  .soa = j->soa,
                  .w = j->w,
                  .n = j->n,
                  .k = k,
                  .centroids = ws->centroids,
                  .labels = j->labels,
                  .pdist = j->pdist,
                  .blocks = j->blocks,
                  .groups = j->groups,
                  .share = j->share};
    if (iter > 0) { /* resuming: the last pass's inertia is known, its update not yet made */
        if (changed <= settle || iter >= j->max_iterations)
            return;
        update(j->pts, j->n, ws->centroids, k, j->sums, ws->counts, j->pdist);
    }
    double inertia = ws->inertia;
    while (iter < j->max_iterations) {
        changed = assign(&ps, j->pool, j->sums, ws->counts);
        iter++;
        /* the last pass's inertia, before update() may zero a distance for an empty cluster */
        if (changed <= settle || iter == j->max_iterations)
            inertia = pass_inertia(&ps);
        if (changed <= settle)
            break; /* centroids are (nearly) the means of this assignment */
        update(j->pts, j->n, ws->centroids, k, j->sums, ws->counts, j->pdist);
    }
    ws->iterations = iter;
    ws->last_changed = changed;
    ws->inertia = inertia;
}

/* Heap or arena, so the same code serves the library (arena) and tests/tools (heap). */
typedef struct km_mem {
    struct ct_arena *arena;
    void *heap[256];
    uint32_t nheap;
    int failed;
} km_mem;

static void *km_alloc(km_mem *m, size_t bytes)
{
    void *p = NULL;
    if (m->arena)
        p = ct_arena_alloc(m->arena, bytes);
    else if (m->nheap < sizeof m->heap / sizeof m->heap[0] && (p = malloc(bytes)))
        m->heap[m->nheap++] = p;
    if (!p)
        m->failed = 1;
    return p;
}

static void km_release(km_mem *m, const void *keep1, const void *keep2, const void *keep3)
{
    for (uint32_t i = 0; i < m->nheap; i++)
        if (m->heap[i] != keep1 && m->heap[i] != keep2 && m->heap[i] != keep3)
            free(m->heap[i]);
    m->nheap = 0;
}

void ct_kmeans_free(ct_kmeans_result *r)
{
    if (!r)
        return;
    if (!r->in_arena) {
        free(r->centroids);
        free(r->counts);
        free(r->runner_up);
    }
    memset(r, 0, sizeof *r);
}

#define MAX_RESTARTS 16

/* A restart's state between passes: what a run stopped for ranking resumes from. */
static void job_state(km_job *j, km_mem *mem)
{
    j->sums = km_alloc(mem, (size_t)j->k * 3 * sizeof(double));
    j->pdist = km_alloc(mem, (size_t)j->n * sizeof(float));
    j->labels = km_alloc(mem, (size_t)j->n * sizeof(uint32_t));
}

/* Scratch of one restart's passes (a restart run on its own thread needs its own). */
static void job_scratch(km_job *j, km_mem *mem)
{
    uint32_t nb = block_count(j->n), k = j->k;
    job_state(j, mem);
    if (!j->init) {
        size_t nsb = (j->n + CT_SEED_BLOCK - 1) / CT_SEED_BLOCK;
        j->seed_ws.d2 = km_alloc(mem, (size_t)j->n * sizeof(float));
        j->seed_ws.block_sums = km_alloc(mem, nsb * sizeof(double));
        for (int s = 0; s < 2 && j->candidates > 1; s++) { /* greedy seeding keeps its best candidate's */
            j->seed_ws.spare_d2[s] = km_alloc(mem, (size_t)j->n * sizeof(float));
            j->seed_ws.spare_sums[s] = km_alloc(mem, nsb * sizeof(double));
        }
    }
    j->blocks = km_alloc(mem, (size_t)nb * sizeof(km_block));
    double *block_sums = km_alloc(mem, (size_t)nb * k * 3 * sizeof(double));
    uint32_t *block_counts = km_alloc(mem, (size_t)nb * k * sizeof(uint32_t));
    if (mem->failed)
        return;
    for (uint32_t b = 0; b < nb; b++) {
        j->blocks[b].sums = block_sums + (size_t)b * k * 3;
        j->blocks[b].counts = block_counts + (size_t)b * k;
    }
}

/* One round of restarts (ids[0..count)): started (seeded) or resumed, each then run to
 * `settle`. */
typedef struct restarts_job {
    km_job *jobs;
    restart_ws *ws;
    const uint32_t *ids;
    uint32_t count, settle;
    int start;
    km_share *shares; /* one per restart; NULL: no helping */
    ct_pool *pool;
    _Alignas(64) uint32_t next;     /* the next of ids to take */
    _Alignas(64) uint32_t finished; /* taken and finished */
} restarts_job;

static void run_one(restarts_job *rj, uint32_t r)
{
    if (rj->start)
        start_restart(&rj->jobs[r], r, &rj->ws[r]);
    run_lloyd(&rj->jobs[r], &rj->ws[r], rj->settle);
}

/* Side by side: each pool share is a participant that takes restarts while any is left
 * (whole, on its own thread), then, with helping on (shares), takes blocks of the passes
 * of those still running until all have finished. */
static void restart_participant(void *arg, uint32_t share)
{
    (void)share;
    restarts_job *rj = arg;
    uint32_t i;
    while ((i = __atomic_fetch_add(&rj->next, 1, __ATOMIC_SEQ_CST)) < rj->count) {
        run_one(rj, rj->ids[i]);
        __atomic_add_fetch(&rj->finished, 1, __ATOMIC_SEQ_CST);
    }
    if (!rj->shares || !ct_pool_spins(rj->pool))
        return;
    while (__atomic_load_n(&rj->finished, __ATOMIC_SEQ_CST) < rj->count) {
        uint32_t ran = 0;
        for (uint32_t q = 0; q < rj->count; q++)
            ran += claim_blocks(&rj->shares[rj->ids[q]]);
        if (ran == 0)
            km_relax();
    }
}

/* Runs a round on the pool (side by side) or one restart after the other. */
static void run_round(restarts_job *rj, int side_by_side)
{
    rj->next = rj->finished = 0;
    if (side_by_side) {
        uint32_t threads = ct_pool_threads(rj->pool);
        ct_pool_run(rj->pool, threads < rj->count ? threads : rj->count, restart_participant, rj);
    } else {
        for (uint32_t i = 0; i < rj->count; i++)
            run_one(rj, rj->ids[i]);
    }
}

/* Whether restart a ranks before restart b: lower inertia, lower index on ties; a NaN
 * inertia ranks before nothing. */
static int ranks_before(const restart_ws *ws, uint32_t a, uint32_t b)
{
    return ws[a].inertia < ws[b].inertia || (ws[a].inertia == ws[b].inertia && a < b);
}

int ct_kmeans_groups(const float *points, const uint32_t *w, uint32_t n, struct ct_arena *arena, ct_km_groups *g,
                     ct_err *err)
{
    if (n < CT_KMEANS_GROUPS_MIN || !arena)
        return 0;
    void *mem = ct_arena_alloc(arena, ct_km_groups_bytes(n, w != NULL));
    ct_arena_mark mark = ct_arena_mark_get(arena);
    void *scratch = mem ? ct_arena_alloc(arena, ct_km_groups_scratch_bytes(n)) : NULL;
    if (!scratch)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "k-means: out of memory (groups of %u points)", n);
    ct_km_groups_build(points, w, n, mem, scratch, g);
    ct_arena_rewind(arena, &mark);
    return 1;
}

int ct_kmeans(const float *points, uint32_t n, const ct_kmeans_params *p, ct_kmeans_result *out,
              ct_err *err)
{
    memset(out, 0, sizeof *out);
    if (!points || n == 0 || !p || p->k == 0 || p->max_iterations == 0)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "k-means: no points or k = 0");
    uint32_t k = p->k < n ? p->k : n;
    uint32_t restarts = p->restarts == 0 || p->init ? 1 : p->restarts > MAX_RESTARTS ? MAX_RESTARTS : p->restarts;
    km_mem mem = {.arena = p->arena};
    km_job job = {.pts = points,
                  .w = p->weights,
                  .init = p->init,
                  .n = n,
                  .k = k,
                  .max_iterations = p->max_iterations,
                  .candidates = p->seed_candidates,
                  .seed = p->seed,
                  .isa = ct_isa(),
                  .pool = p->pool,
                  .seed_pts = points,
                  .seed_w = p->weights};
    restart_ws ws[MAX_RESTARTS];
    km_job jobs[MAX_RESTARTS];
    memset(ws, 0, sizeof ws);
    /* Several restarts on a pool run side by side, one per thread, each with its own
     * scratch and its passes inline: no hand-off per pass, and the serial k-means++
     * seeding overlaps too. A single run (or no pool) splits each pass into blocks instead.
     * Either way a restart computes exactly the same thing. A pass pays for a hand-off
     * from n * k >= CT_KMEANS_POOL_MIN_WORK, but a restart is about k such passes (its
     * seeding makes k - 1, each candidate's, then come the Lloyd passes), so restarts go
     * side by side from n * k * k: a cover of 256 grey levels now does (bench/README.md,
     * "A scanline that stays in the cache"). */
    int side_by_side = restarts > 1 && ct_pool_threads(p->pool) > 1 &&
                       (uint64_t)n * k * k >= CT_KMEANS_POOL_MIN_WORK;
    /* Passes over enough points search group by group (kmeans_groups.h): the labels of a
     * full search, with the blocks and their sums in the groups' order, which depends on
     * the points alone. */
    ct_km_groups groups;
    void *groups_mem = NULL, *groups_scratch = NULL;
    if (p->groups && p->groups->n == n && k <= 256) {
        job.groups = p->groups;
    } else if (n >= CT_KMEANS_GROUPS_MIN && k <= 256) {
        groups_mem = km_alloc(&mem, ct_km_groups_bytes(n, p->weights != NULL));
        groups_scratch = km_alloc(&mem, ct_km_groups_scratch_bytes(n));
        job.groups = &groups;
    }
    /* The AVX2 kernels read the points as SoA; without that copy the scalar kernel runs
     * (same result, only slower). The groups carry their own copy in their order, so this
     * one is only needed by the seeding (or by passes without groups). */
    int want_soa = job.isa == CT_ISA_AVX2 && (!p->init || !job.groups);
    float *soa = want_soa ? km_alloc(&mem, (size_t)n * 3 * sizeof(float)) : NULL;
    /* Ranked: every restart runs to the looser rank_settle, and only the best rank_keep
     * go on; each keeps its own state for that. */
    int ranked = p->rank_keep >= 1 && p->rank_keep < restarts && p->rank_settle > p->settle;
    for (uint32_t r = 0; r < restarts; r++) {
        jobs[r] = job;
        if (side_by_side)
            jobs[r].pool = NULL;
        if (r == 0 || side_by_side) {
            job_scratch(&jobs[r], &mem);
        } else {
            jobs[r] = jobs[0]; /* one after the other: restart 0's scratch serves all */
            if (ranked)
                job_state(&jobs[r], &mem);
        }
        ws[r].centroids = km_alloc(&mem, (size_t)k * 3 * sizeof(float));
        ws[r].counts = km_alloc(&mem, (size_t)k * sizeof(uint32_t));
    }
    if (mem.failed) {
        km_release(&mem, NULL, NULL, NULL);
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "k-means: out of memory (n=%u, k=%u)", n, k);
    }
    if (soa)
        ct_points_to_soa(points, n, soa);
    if (groups_mem)
        ct_km_groups_build(points, p->weights, n, groups_mem, groups_scratch, &groups);
    for (uint32_t r = 0; r < restarts; r++) {
        jobs[r].seed_soa = soa;
        jobs[r].soa = soa;
        if (job.groups) {
            jobs[r].pts = job.groups->pts;
            jobs[r].w = job.groups->w;
            jobs[r].soa = job.groups->soa;
        }
    }
    /* Helping needs threads that may spin (known once the workers run, so asked by the
     * participants' job: a first call starts them there) and passes of 2 to 0xffff blocks:
     * a pass of one block is its owner's anyway, and a helper polling its ticket only
     * slowed it (grey_500.jpg, 256 points, 1.04x the call without). */
    km_share shares[MAX_RESTARTS];
    memset(shares, 0, sizeof shares);
    uint32_t ids[MAX_RESTARTS];
    for (uint32_t r = 0; r < restarts; r++)
        ids[r] = r;
    restarts_job rj = {.jobs = jobs,
                       .ws = ws,
                       .ids = ids,
                       .count = restarts,
                       .settle = ranked ? p->rank_settle : p->settle,
                       .start = 1,
                       .pool = p->pool};
    if (side_by_side && block_count(n) >= 2 && block_count(n) <= 0xffffu) {
        rj.shares = shares;
        for (uint32_t r = 0; r < restarts; r++)
            jobs[r].share = &shares[r];
    }
    run_round(&rj, side_by_side);
    if (ranked) { /* the best rank_keep, in rank order, resume to the final settle */
        for (uint32_t i = 1; i < restarts; i++)
            for (uint32_t j = i; j > 0 && ranks_before(ws, ids[j], ids[j - 1]); j--) {
                uint32_t t = ids[j];
                ids[j] = ids[j - 1];
                ids[j - 1] = t;
            }
        rj.count = p->rank_keep;
        rj.settle = p->settle;
        rj.start = 0;
        run_round(&rj, side_by_side);
    }
    for (uint32_t r = 0; r < restarts; r++)
        out->helped_blocks += shares[r].helped;
    /* The winner and the runner-up among the restarts of the last round. */
    uint32_t best = ids[0], second = restarts;
    for (uint32_t i = 1; i < rj.count; i++)
        if (ranks_before(ws, ids[i], best))
            best = ids[i];
    for (uint32_t i = 0; i < rj.count; i++)
        if (ids[i] != best && (second == restarts || ranks_before(ws, ids[i], second)))
            second = ids[i];
    out->k = ws[best].k;
    out->centroids = ws[best].centroids;
    out->counts = ws[best].counts;
    out->iterations = ws[best].iterations;
    out->last_changed = ws[best].last_changed;
    out->restart = best;
    out->inertia = ws[best].inertia;
    if (second < restarts) {
        out->runner_up = ws[second].centroids;
        out->runner_up_k = ws[second].k;
    }
    out->in_arena = p->arena != NULL;
    km_release(&mem, out->centroids, out->counts, out->runner_up);
    return 0;
}
