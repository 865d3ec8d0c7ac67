/* covertheme_generate_file / _buffer: read -> decode -> sample -> convert -> k-means ->
 * palette -> roles -> one theme block. Each stage is timed for covertheme_timings.
 * Between read and decode, the cover cache (cache.h) is asked with a hash of the bytes;
 * a hit skips decode..roles and returns a copy of the stored theme. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/color.h"
#include "../core/decode.h"
#include "../core/hist.h"
#include "../core/hist_stream.h"
#include "../core/kmeans.h"
#include "../core/kmeans_groups.h"
#include "../core/roles.h"
#include "../core/sample.h"
#include "../core/theme_private.h"
#include "context.h"
#include "theme_alloc.h"

_Static_assert(CT_ROLE_COUNT == 13, "role tables assume 13 roles");

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- reading a file ------------------------------------------------------------------- */

/* The context's input buffer, grown to `need` bytes (never shrunk: a warm call on a file no
 * larger than one seen before reuses it). */
static int input_reserve(covertheme_ctx *ctx, size_t need)
{
    if (need <= ctx->input_cap)
        return 0;
    uint8_t *nb = realloc(ctx->input, need);
    if (!nb)
        return -1;
    ctx->input = nb;
    ctx->input_cap = need;
    return 0;
}

/* Reads to EOF into ctx->input. `expected` is the size fstat reported for a regular file
 * (0 otherwise): the buffer is made one byte larger, so the whole file arrives in place and
 * the spare byte shows EOF; a file that grows meanwhile still falls back to doubling. */
static int read_all(covertheme_ctx *ctx, int fd, uint64_t limit, size_t expected, size_t *size,
                    const char *path, ct_err *err)
{
    size_t len = 0;
    if (input_reserve(ctx, expected > 0 ? expected + 1 : 64 * 1024) < 0)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "%s: out of memory", path);
    for (;;) {
        if (len == ctx->input_cap && input_reserve(ctx, ctx->input_cap * 2) < 0)
            return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "%s: out of memory", path);
        ssize_t r = read(fd, ctx->input + len, ctx->input_cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return ct_fail(err, COVERTHEME_ERR_IO, "%s: read failed: %s", path, strerror(errno));
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > limit)
            return ct_fail(err, COVERTHEME_ERR_LIMIT_EXCEEDED, "%s: larger than the input limit of %llu bytes",
                           path, (unsigned long long)limit);
    }
    *size = len;
    return 0;
}

static int read_file(covertheme_ctx *ctx, const char *path, uint64_t limit, size_t *size, ct_err *err)
{
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return ct_fail(err, e == ENOENT ? COVERTHEME_ERR_NOT_FOUND : COVERTHEME_ERR_IO, "%s: %s", path, strerror(e));
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = ct_fail(err, COVERTHEME_ERR_IO, "%s: %s", path, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        rc = ct_fail(err, COVERTHEME_ERR_IO, "%s: is a directory", path);
    } else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > limit) {
        rc = ct_fail(err, COVERTHEME_ERR_LIMIT_EXCEEDED, "%s: %lld bytes, larger than the input limit of %llu",
                     path, (long long)st.st_size, (unsigned long long)limit);
    } else {
        rc = read_all(ctx, fd, limit, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, size, path, err);
    }
    close(fd);
    return rc;
}

/* ---- the pipeline ------------------------------------------------------------------------ */

/* k-means++ seedings per call, run on the coarse histogram; the two with the lowest
 * inertia there are polished on the fine level and the better one wins: the polish
 * reversed the coarse order of the best two on 3 of 7 covers logged, and polishing both
 * moved the worst of 48 corpus images (1000-3000 px, PNG and JPEG) from 2.9 % to 2.2 %
 * above the exhaustive reference (bench/README.md, "Greedy seeding"). */
#define CT_RESTARTS 4
#define CT_POLISHED 2

/* A search level of at most this many points (a cover of few colours: grey, flat art)
 * gets more restarts. On a few hundred points k-means lands in the seeds' luck: with 4
 * restarts 13 of 124 grey corpus runs (31 covers, seeds 1-4) were more than 2 % above the
 * exhaustive reference, up to 3.1 %, and grey_1000.webp was 2.9 % at the default seed; with
 * 16, one run was (2.2 %), for 0.3-0.5 ms more clustering on two CPUs (bench/README.md,
 * "More restarts for few colours"). */
#define CT_SMALL_SEARCH_MAX 1024
#define CT_SMALL_SEARCH_RESTARTS 16

/* Points drawn per greedy k-means++ step (kmeans_seed.h). Plain seeding left 12 of 48
 * corpus images more than 2 % above the exhaustive reference, six candidates 3. */
#define CT_SEED_CANDIDATES 6

/* Covers with at most this many distinct sampled colours are clustered exactly (every
 * colour its own weighted point); others on 6-bit bins (hist.h). */
#define CT_HIST_EXACT_LIMIT 4096

/* A binned cover whose fine level has at most this many points searches that level
 * directly instead of the coarse bins. Such covers hold their colours in few coarse bins
 * (the yellow flower: 2 000 coarse for 7 400 fine points, where other photographs have 35-40
 * coarse per 100 fine), and the coarse inertia then ranked the restarts badly: yellow_500.png
 * and yellow_3000.png were 3.0 and 2.2 % above the exhaustive reference, 1.4 and 1.1 % with
 * the fine search (bench/README.md, "Small fine levels"). Of the corpus only the yellow PNGs
 * have so few fine points; photographs have 30-37 thousand, where a fine search would cost
 * three times the coarse one. */
#define CT_FINE_SEARCH_MAX 8192

/* Such a search settles at 0.5 % of the points, and the polish then finishes its best
 * two on the same level: as good in make quality (seeds 1-8) as a search run to 0.1 %, for
 * 7.5 instead of 10.3 ms of clustering on yellow_1000.png (one thread, measured before the
 * polish ranked its two runs early). */
#define CT_FINE_SEARCH_SETTLE 200

/* The polish takes the search's best two restarts, and which two they are is mostly
 * decided well before the search settles: ranked when a pass moves at most 0.25 % of the
 * points, the best two were the final best two on 71 of the 75 corpus covers (baseline
 * PNG and JPEG, WebP) whose search has a polish after it, and the final best was among
 * them on all 75. Ranked at 0.5 %, the best two held on 65 of the 75, and yellow_2000.webp
 * lost its best restart and went 2.4 % above the exhaustive reference (bench/README.md,
 * "Restarts that finish together"). So every restart runs to that point only, and the best
 * two go on, each to exactly the palette it would have reached anyway
 * (ct_kmeans_params.rank_settle). */
#define CT_SEARCH_RANK_SETTLE 400

typedef struct run {
    /* The context's input buffer when the bytes are ours (a file read), so its pages can
     * be handed back once decoded; NULL for a caller's buffer. */
    uint8_t *own_input;
    size_t own_input_cap;
    ct_options opt;
    covertheme_timings t;
    ct_arena *arena;
    ct_pool *pool;
    ct_decoded_info info;
    ct_samples samples;
    ct_hist hist;
    ct_kmeans_result km;
    uint32_t k_effective;
} run;

static void run_release(run *r)
{
    ct_samples_free(&r->samples);
    ct_kmeans_free(&r->km);
}

/* Cluster order: most samples first, centroid index on ties (stable). */
static void order_clusters(const ct_kmeans_result *km, uint32_t *order, uint32_t *n_out)
{
    uint32_t n = 0;
    for (uint32_t c = 0; c < km->k; c++)
        if (km->counts[c] > 0)
            order[n++] = c;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t v = order[i], j = i;
        while (j > 0 && km->counts[order[j - 1]] < km->counts[v]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    *n_out = n;
}

static void fill_cluster(covertheme_cluster *c, const float *centroid, int space, uint32_t count,
                         uint32_t total)
{
    memset(c, 0, sizeof *c);
    uint8_t rgb[3];
    ct_space_to_srgb8(space, centroid, rgb);
    c->rgb.r = rgb[0];
    c->rgb.g = rgb[1];
    c->rgb.b = rgb[2];
    c->count = count;
    c->share = (float)((double)count / (double)total);
    double lab[3], lch[3], hsv[3];
    ct_srgb8_to_lab(rgb, lab);
    ct_srgb8_to_oklch(rgb, lch);
    ct_srgb8_to_hsv(rgb, hsv);
    for (int i = 0; i < 3; i++) {
        c->lab[i] = (float)lab[i];
        c->oklch[i] = (float)lch[i];
        c->hsv[i] = (float)hsv[i];
    }
}

static void fill_role(ct_theme_block *b, int role, const ct_roles *roles)
{
    covertheme_role_color *rc = &b->roles[role];
    const uint8_t *rgb = roles->rgb[role];
    rc->rgb.r = rgb[0];
    rc->rgb.g = rgb[1];
    rc->rgb.b = rgb[2];
    rc->flags = roles->flags[role];
    rc->source_cluster = roles->source[role];
    rc->contrast_background = (float)ct_contrast(rgb, roles->rgb[COVERTHEME_ROLE_BACKGROUND]);
    rc->contrast_text = (float)ct_contrast(rgb, roles->rgb[COVERTHEME_ROLE_TEXT]);
    rc->contrast_active = (float)ct_contrast(rgb, roles->rgb[COVERTHEME_ROLE_ACTIVE]);
    double lch[3];
    ct_srgb8_to_oklch(rgb, lch);
    for (int i = 0; i < 3; i++)
        rc->oklch[i] = (float)lch[i];
    memcpy(b->origin[role], roles->origin[role], CT_ORIGIN_MAX);
    rc->origin = b->origin[role];
}

/* Palette and roles into one allocation (see theme_private.h). */
static int build_theme(run *r, covertheme_theme **out, ct_err *err)
{
    uint32_t order[256], n = 0;
    if (r->km.k > 0)
        order_clusters(&r->km, order, &n);
    ct_theme_block *b = ct_theme_block_get();
    if (b)
        memset(b, 0, sizeof *b + (size_t)n * sizeof(covertheme_cluster));
    if (!b)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "out of memory for the theme");
    ct_role_cluster rcl[256];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = order[i];
        fill_cluster(&b->palette[i], r->km.centroids + (size_t)c * 3, (int)r->opt.space, r->km.counts[c],
                     r->samples.n);
        rcl[i].rgb[0] = b->palette[i].rgb.r;
        rcl[i].rgb[1] = b->palette[i].rgb.g;
        rcl[i].rgb[2] = b->palette[i].rgb.b;
        rcl[i].share = (double)r->km.counts[c] / (double)r->samples.n;
    }
    uint64_t t0 = now_ns();
    ct_roles roles;
    ct_assign_roles(rcl, n, (int)r->opt.bg_policy, &roles);
    for (int role = 0; role < CT_ROLE_COUNT; role++)
        fill_role(b, role, &roles);
    b->debug = roles.debug;
    r->t.roles_ns = now_ns() - t0;

    covertheme_theme *t = &b->pub;
    t->struct_size = sizeof *t;
    t->abi_version = COVERTHEME_ABI_VERSION;
    t->role_count = CT_ROLE_COUNT;
    t->roles = b->roles;
    t->palette_count = n;
    t->palette = n ? b->palette : NULL;
    t->image_width = r->info.width;
    t->image_height = r->info.height;
    t->image_format = (uint32_t)r->info.format;
    t->sample_count = r->samples.n;
    t->iterations = r->km.iterations;
    t->k_requested = (uint32_t)r->opt.k;
    t->k_effective = r->k_effective;
    t->color_space = (int32_t)r->opt.space;
    t->bg_policy = (int32_t)r->opt.bg_policy;
    t->seed = (uint64_t)r->opt.seed;
    *out = t;
    return 0;
}

/* Lloyd on the fine level from each of the CT_POLISHED best coarse palettes, each to a
 * loose settle (CT_POLISH_RANK_SETTLE) where their inertias are compared; the lower one
 * (the coarse winner on ties) then runs on to the usual 0.1 % settle. Running the runner-up
 * to 0.1 % as well only to rank it cost 25-45 % of the polish of four 1000 px covers, and
 * ranking at 0.5 % left make quality's 60 images within 2 % (bench/README.md, "Ranking the
 * polishes early"). The continuation starts from the winner's centroids, so its first pass
 * re-derives the labels the loose run ended with; it gets the passes the iteration cap
 * leaves plus that one. */
#define CT_POLISH_RANK_SETTLE 200

static int polish(run *r, const ct_kmeans_params *search, ct_err *err)
{
    const ct_kmeans_result coarse = r->km;
    const float *from[CT_POLISHED] = {coarse.centroids, coarse.runner_up};
    const uint32_t from_k[CT_POLISHED] = {coarse.k, coarse.runner_up_k};
    ct_kmeans_params kp = *search;
    kp.weights = r->hist.fine.weights;
    kp.settle = r->hist.fine.n / CT_POLISH_RANK_SETTLE;
    ct_km_groups groups; /* built once for the up to three runs below */
    int grouped = ct_kmeans_groups(r->hist.fine.points, kp.weights, r->hist.fine.n, r->arena, &groups, err);
    if (grouped < 0)
        return grouped;
    kp.groups = grouped ? &groups : NULL;
    ct_kmeans_result best = {0};
    for (int i = 0; i < CT_POLISHED && from[i]; i++) {
        ct_kmeans_result fine;
        kp.k = from_k[i];
        kp.init = from[i];
        int rc = ct_kmeans(r->hist.fine.points, r->hist.fine.n, &kp, &fine, err);
        if (rc < 0)
            return rc;
        if (i == 0 || fine.inertia < best.inertia)
            best = fine; /* arena memory: nothing to free */
    }
    /* Settled when at most 0.1 % of the colours change in a pass: this cut the passes
     * of glow_1000 from 71 to 45 and moved no 1000 px image's distortion ratio by more
     * than 0.0013 (make quality, SIZES=1000). */
    uint32_t settle = r->hist.fine.n / 1000;
    if (best.last_changed > settle && best.iterations < kp.max_iterations) {
        ct_kmeans_result fine;
        uint32_t done = best.iterations;
        kp.k = best.k;
        kp.init = best.centroids;
        kp.settle = settle;
        kp.max_iterations = kp.max_iterations - done + 1;
        int rc = ct_kmeans(r->hist.fine.points, r->hist.fine.n, &kp, &fine, err);
        if (rc < 0)
            return rc;
        best = fine;
        best.iterations += done - 1;
    }
    ct_kmeans_free(&r->km); /* arena memory: nothing to free, the fields reset */
    r->km = best;
    r->km.iterations += coarse.iterations;
    return 0;
}

/* The histogram of decoded samples, when it was not counted during the decode. */
static int build_hist(run *r, ct_err *err)
{
    uint64_t t0 = now_ns();
    int rc = ct_hist_build(&r->samples, (int)r->opt.space, CT_HIST_EXACT_LIMIT, r->arena, r->pool, &r->hist, err);
    r->t.convert_ns = now_ns() - t0;
    return rc;
}

static int cluster_samples(run *r, ct_err *err)
{
    uint64_t t1 = now_ns();
    uint32_t distinct = r->hist.distinct;
    r->k_effective = (uint32_t)r->opt.k < distinct ? (uint32_t)r->opt.k : distinct;
    /* Restarts search on the coarse bins; a binned histogram's best two are then polished
     * on the fine level (one Lloyd run from each): the exact colours, or 7-bit bins for
     * covers with very many (hist.h). When there are fewer coarse bins than k, the search
     * runs on the fine level to the end; when the fine level is small (CT_FINE_SEARCH_MAX),
     * the search runs there to a looser settle and the polish finishes on the same level. */
    const ct_hist_level *search = &r->hist.coarse;
    int polish_after = r->hist.fine.points != r->hist.coarse.points;
    uint32_t settle_div = 1000;
    if (search->n < r->k_effective) {
        search = &r->hist.fine;
        polish_after = 0;
    } else if (polish_after && r->hist.fine.n <= CT_FINE_SEARCH_MAX) {
        search = &r->hist.fine;
        settle_div = CT_FINE_SEARCH_SETTLE;
    }
    ct_kmeans_params kp = {
        .k = r->k_effective,
        .max_iterations = (uint32_t)r->opt.max_iterations,
        .seed = (uint64_t)r->opt.seed,
        .restarts = search->n <= CT_SMALL_SEARCH_MAX ? CT_SMALL_SEARCH_RESTARTS : CT_RESTARTS,
        .seed_candidates = CT_SEED_CANDIDATES,
        /* Settled at 0.1 % of the points, as the polish: with greedy seeds this left make
         * quality's 60 images as they were (ratio8 geo-mean 1.0074 against 1.0073, the same
         * two above 2 %) and cut the clustering of path_1000.jpg by 18 % (bench/README.md).
         * A search on a small fine level stops at 0.5 % (CT_FINE_SEARCH_SETTLE). */
        .settle = search->n / settle_div,
        /* A search the polish follows ranks its restarts early (CT_SEARCH_RANK_SETTLE). */
        .rank_settle = polish_after ? search->n / CT_SEARCH_RANK_SETTLE : 0,
        .rank_keep = polish_after ? CT_POLISHED : 0,
        .weights = search->weights,
        .arena = r->arena,
        .pool = r->pool,
    };
    int rc = ct_kmeans(search->points, search->n, &kp, &r->km, err);
    if (rc == 0 && polish_after)
        rc = polish(r, &kp, err);
    r->k_effective = r->km.k;
    r->t.cluster_ns = now_ns() - t1;
    return rc;
}

/* Inputs from this size up give their buffer's pages back to the kernel once decoded: the
 * buffer (grow-only, so a warm call allocates nothing) then stops holding a large file's
 * bytes through the clustering and between calls, and the next read faults fresh pages in.
 * On the 24 MB seed the CLI's peak RSS fell from 30.2-30.4 to 25.7-26.1 MiB; the cost of
 * the page faults is measured in bench/README.md ("Input pages"). */
#define CT_INPUT_RELEASE_MIN ((size_t)4 << 20)

static void release_input_pages(run *r)
{
    if (!r->own_input || r->own_input_cap < CT_INPUT_RELEASE_MIN)
        return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)r->own_input + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)r->own_input + r->own_input_cap) & ~(page - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED); /* advice only: a failure changes nothing */
}

/* Sampling keeps at most max_samples pixels, so a codec that can scale (JPEG) may decode
 * smaller, as long as 16x that many pixels remain (each sample stands for at least 4x4
 * decoded pixels). A DCT-scaled pixel is the mean of a 2x2..8x8 block, and means shrink
 * the colour spread the palette is judged on: scaling to the bare budget (1/8) moved
 * palettes up to 15 % further from the exhaustive reference in `make quality`, keeping
 * 4x still 3.6-4.6 % on 3000 px photographs (1/4), 16x 0.8-1.5 % (1/2). */
static ct_decode_limits decode_limits(const run *r)
{
    return (ct_decode_limits){.max_pixels = (uint64_t)r->opt.max_pixels,
                              .min_pixels = 16 * (uint32_t)r->opt.max_samples};
}

/* One thread: decode (rows are sampled as they are decoded, ct_decode_sampled, so no full
 * image is ever held for PNG and JPEG; sampling time is part of decode_ns and sample_ns
 * stays 0), then the histogram. */
static int decode_then_count(run *r, const uint8_t *data, size_t size, ct_err *err)
{
    uint64_t t0 = now_ns();
    ct_decode_limits lim = decode_limits(r);
    int rc = ct_decode_sampled(data, size, &lim, r->arena, (uint32_t)r->opt.max_samples, &r->info, &r->samples,
                               err);
    r->t.decode_ns = now_ns() - t0;
    release_input_pages(r);
    if (rc == 0 && r->samples.n > 0)
        rc = build_hist(r, err);
    return rc;
}

/* Two or more threads: the colours are counted on one thread while the other decodes
 * (hist_stream.h); after the decode only the levels are left, and that is what convert_ns
 * then measures. */
static int decode_and_count(run *r, const uint8_t *data, size_t size, ct_err *err)
{
    uint64_t t0 = now_ns();
    ct_hist_stream hs;
    ct_hist_stream_init(&hs, (int)r->opt.space, CT_HIST_EXACT_LIMIT);
    ct_decode_limits lim = decode_limits(r);
    int rc = ct_hist_stream_decode(&hs, data, size, &lim, r->arena, (uint32_t)r->opt.max_samples, r->pool,
                                   &r->info, &r->samples, err);
    uint64_t t1 = now_ns();
    r->t.decode_ns = t1 - t0;
    release_input_pages(r);
    if (rc == 0 && r->samples.n > 0) {
        rc = ct_hist_stream_finish(&hs, r->arena, r->pool, &r->hist, err);
        r->t.convert_ns = now_ns() - t1;
    }
    ct_hist_stream_destroy(&hs);
    return rc;
}

/* Inputs from this size up are decoded without the overlap. Their decode takes 140 ms and
 * more, the colour count 1-3 ms of it, and `covertheme-overlap-ab` measured no gain there
 * (elephants_3000.png, 18 MB, and the 24 MB seed: 1.008 and 1.001, both intervals around
 * 1; below it, 2000 px PNGs of 2.8-5.6 MB still gained 0-3 %, 1500 px ones 1-3.5 %);
 * meanwhile the count's tables (~5 MB for 65 536 samples of a photograph) would be filled
 * while the input buffer is still held, which took the CLI's peak RSS on the 24 MB seed from
 * 26.5 to 31.4 MB (bench/README.md, "Decode and colour count side by side"). */
#define CT_OVERLAP_MAX_INPUT ((size_t)8 << 20)

/* COVERTHEME_OVERLAP=0 turns the overlap off: the same theme either way, so it is only for
 * measuring it (bench/overlap_ab.c alternates it call by call) and for ruling it out when
 * something goes wrong. Read at every call, under the context lock. */
static int overlap_wanted(const run *r, size_t size)
{
    if (ct_pool_threads(r->pool) < 2 || size >= CT_OVERLAP_MAX_INPUT)
        return 0;
    const char *env = getenv("COVERTHEME_OVERLAP");
    return !env || strcmp(env, "0") != 0;
}

static int run_pipeline(run *r, const uint8_t *data, size_t size, covertheme_theme **out, ct_err *err)
{
    int rc = overlap_wanted(r, size) ? decode_and_count(r, data, size, err) : decode_then_count(r, data, size, err);
    if (rc < 0)
        return rc;
    if (r->samples.n > 0) { /* a fully transparent cover has no colours: roles go neutral */
        rc = cluster_samples(r, err);
        if (rc < 0)
            return rc;
    }
    return build_theme(r, out, err);
}

/* Shared by both entry points: `path` is NULL for buffers. */
static int generate(covertheme_ctx *ctx, const char *path, const void *data, size_t size,
                    covertheme_theme **out)
{
    ct_err err = {{0}};
    if (out)
        *out = NULL;
    if (!ctx || !out || (!path && !data && size > 0))
        return ct_report(ctx, ct_fail(&err, COVERTHEME_ERR_INVALID_ARGUMENT, "NULL argument"), &err);
    uint64_t start = now_ns();
    run r;
    memset(&r, 0, sizeof r);
    pthread_mutex_lock(&ctx->lock);
    r.opt = ctx->opt;
    ct_arena_reset(&ctx->arena);
    r.arena = &ctx->arena;
    r.pool = ct_ctx_pool(ctx);
    int rc = 0;
    if (path) {
        rc = read_file(ctx, path, (uint64_t)r.opt.max_input_bytes, &size, &err);
        data = ctx->input;
        r.own_input = ctx->input;
        r.own_input_cap = ctx->input_cap;
        r.t.read_ns = now_ns() - start;
    } else if (size > (uint64_t)r.opt.max_input_bytes) {
        rc = ct_fail(&err, COVERTHEME_ERR_LIMIT_EXCEEDED, "%zu bytes, larger than the input limit of %lld",
                     size, (long long)r.opt.max_input_bytes);
    }
    /* The cover cache: keyed by the bytes just read (never the path) and the options. */
    uint32_t cache_cap = (uint32_t)r.opt.cache_entries;
    int use_cache = rc == 0 && cache_cap > 0 && size > 0;
    int hit = 0;
    ct_cache_key key;
    if (use_cache) {
        ct_cache_key_make(&key, &r.opt, data, size);
        hit = ct_cache_get(&ctx->cache, &key, (uint64_t)r.opt.max_pixels, out);
        if (hit < 0)
            rc = ct_fail(&err, hit, "out of memory for the theme");
    }
    if (rc == 0 && hit <= 0) {
        rc = run_pipeline(&r, data, size, out, &err);
        if (rc == 0 && use_cache)
            ct_cache_put(&ctx->cache, &key, *out, cache_cap);
    }
    if (rc == 0) {
        r.t.total_ns = now_ns() - start;
        (*out)->timings = r.t;
    } else if (path) {
        /* Decoder messages do not know the file; name it unless the reader already did. */
        size_t pl = strlen(path);
        if (strncmp(err.msg, path, pl) != 0 || err.msg[pl] != ':')
            ct_err_prefix(&err, path);
    }
    run_release(&r);
    /* Nothing of the arena outlives the call; resetting now (not only at the next start)
     * folds any spill into one chunk here, so even the second call allocates nothing. */
    ct_arena_reset(&ctx->arena);
    pthread_mutex_unlock(&ctx->lock);
    return ct_report(ctx, rc, &err);
}

COVERTHEME_API int covertheme_generate_file(covertheme_ctx *ctx, const char *path, covertheme_theme **out)
{
    if (!path) {
        ct_err err;
        if (out)
            *out = NULL;
        return ct_report(ctx, ct_fail(&err, COVERTHEME_ERR_INVALID_ARGUMENT, "path is NULL"), &err);
    }
    return generate(ctx, path, NULL, 0, out);
}

COVERTHEME_API int covertheme_generate_buffer(covertheme_ctx *ctx, const void *data, size_t size,
                                              covertheme_theme **out)
{
    return generate(ctx, NULL, data, size, out);
}

COVERTHEME_API void covertheme_theme_free(covertheme_theme *theme)
{
    if (theme)
        ct_theme_block_put((ct_theme_block *)ct_theme_block_of(theme));
}
