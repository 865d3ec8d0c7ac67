/* covertheme-quality: how good are covertheme's palettes and themes on real images?
 *
 *   covertheme-quality FILE... [--k N] [--seeds S] [--max-iter N] [--max-unique N] [--force]
 *                      [--no-polish] [--brute] [--bg-policy NAME] [--json OUT] [--quiet]
 *
 * For every image:
 *  1. covertheme_generate_file() through the public ABI (default options, --k, --bg-policy);
 *  2. palette distortion: the image is decoded again at full resolution with core's
 *     ct_decode, every opaque pixel (alpha >= 128, like the library's sampler) is mapped to
 *     its nearest palette colour (the Lab the library reports for the 8-bit colour) and the
 *     mean squared CIE76 distance is taken. Pixels are first folded into a histogram of
 *     distinct 24-bit colours with counts, so the number is the per-pixel mean (up to the
 *     order of the double additions);
 *  3. the reference: weighted Lloyd k-means on the distinct colours (weight = pixel count,
 *     i.e. the k-means objective over all pixels) at k = min(--k, distinct colours), run until
 *     no assignment changes (or --max-iter). Started from --seeds weighted k-means++ seedings
 *     and, unless --no-polish, from covertheme's own palette; the lowest MSE is the reference
 *     and ratio = covertheme / reference (>= 1 with the polish run). Skipped above
 *     --max-unique distinct colours unless --force. Lloyd's assignment uses Hamerly's bounds
 *     with a safety margin: the same assignments as brute force (--brute), bit for bit;
 *  4. the guarantees of docs/theme-roles.md, recomputed here from the 8-bit role colours with
 *     this file's own colour maths (not the library's, and not the theme's contrast fields);
 *  5. stability: a PNG and a JPEG of the same picture (corpus layout DIR/png-rgb/NAME.png and
 *     DIR/jpg-base/NAME.jpg, or DIR/NAME.png and DIR/NAME.jpg) must give background, text and
 *     accent within OKLab 0.05 of each other.
 *
 * Single-threaded and deterministic: the same files and options print the same numbers
 * (timings aside; "ref s" is thread CPU time). Exit status: 0 all measured and every guarantee
 * and pair held; 1 some guarantee or stability pair failed; 2 usage error or an image could not
 * be processed. Needs only the core objects and the library, not bench/stats. */
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../abi/covertheme.h"
#include "../core/color.h"
#include "../core/decode.h"
#include "../core/image.h"
#include "../core/rng.h"

#define MAX_SEEDS 64
#define BLK 64 /* colour arrays are padded to a multiple of this (kernels take 8 or 4 at a time) */

/* ==== options ========================================================================== */

typedef struct options {
    int k;
    int seeds;
    int max_iter;
    uint64_t max_unique; /* reference skipped above this many distinct colours (0 = never) */
    int force;
    int brute;
    int polish;
    int bg_policy;
    int quiet;
    const char *json;
} options;

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s FILE... [--k N] [--seeds S] [--max-iter N] [--max-unique N] [--force] [--no-polish]\n"
            "           [--brute] [--bg-policy tinted|faithful|dark|light] [--json OUT] [--quiet]\n"
            "  --k N           clusters for covertheme and for the reference (default 30)\n"
            "  --seeds S       k-means++ seeds of the reference, best kept (default 4, max %d)\n"
            "  --max-iter N    Lloyd iteration cap of the reference (default 300; hitting it is reported)\n"
            "  --max-unique N  skip the reference above N distinct colours (default 4000000)\n"
            "  --force         never skip the reference\n"
            "  --no-polish     skip the extra Lloyd run started from covertheme's own palette\n"
            "  --brute         plain Lloyd assignment instead of Hamerly's bounds (same results, slower;\n"
            "                  for checking)\n"
            "  --bg-policy P   background policy of the generated theme (default tinted)\n"
            "  --json OUT      one JSON object per image, per stability pair, and a summary (JSON Lines)\n"
            "  --quiet         no per-image progress on stderr\n",
            argv0, MAX_SEEDS);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* ==== clocks =========================================================================== */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ==== independent colour maths for the guarantees ======================================= */
/* Written from the definitions (WCAG 2.x, Ottosson's OKLab), on purpose not core/color.c:
 * a bug there must not hide itself here. */

static double g_srgb_to_linear(uint8_t v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double g_contrast(covertheme_rgb a, covertheme_rgb b)
{
    double ya = 0.2126 * g_srgb_to_linear(a.r) + 0.7152 * g_srgb_to_linear(a.g) + 0.0722 * g_srgb_to_linear(a.b);
    double yb = 0.2126 * g_srgb_to_linear(b.r) + 0.7152 * g_srgb_to_linear(b.g) + 0.0722 * g_srgb_to_linear(b.b);
    double hi = ya > yb ? ya : yb, lo = ya > yb ? yb : ya;
    return (hi + 0.05) / (lo + 0.05);
}

static void g_oklab(covertheme_rgb c, double out[3])
{
    double r = g_srgb_to_linear(c.r), g = g_srgb_to_linear(c.g), b = g_srgb_to_linear(c.b);
    double l = 0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b;
    double m = 0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b;
    double s = 0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b;
    double l_ = cbrt(l), m_ = cbrt(m), s_ = cbrt(s);
    out[0] = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_;
    out[1] = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_;
    out[2] = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_;
}

static double g_chroma(covertheme_rgb c)
{
    double lab[3];
    g_oklab(c, lab);
    return hypot(lab[1], lab[2]);
}

static double g_hue(covertheme_rgb c)
{
    double lab[3];
    g_oklab(c, lab);
    double h = atan2(lab[2], lab[1]) * (180.0 / M_PI);
    if (h < 0)
        h += 360.0;
    return h >= 360.0 ? h - 360.0 : h;
}

static double g_hue_delta(double a, double b)
{
    double d = fmod(fabs(a - b), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

static double g_dist(covertheme_rgb a, covertheme_rgb b)
{
    double x[3], y[3];
    g_oklab(a, x);
    g_oklab(b, y);
    return sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) + (x[2] - y[2]) * (x[2] - y[2]));
}

static char *hex(covertheme_rgb c, char buf[8])
{
    snprintf(buf, 8, "#%02x%02x%02x", c.r, c.g, c.b);
    return buf;
}

/* ==== the guarantees ===================================================================== */

enum guarantee {
    G_TEXT_45, G_TEXT_7, G_ACCENT_CR, G_ACCENT_DIST, G_HEADER_CR, G_ACTIVE_CR, G_HIGHLIGHT_CR,
    G_INACTIVE_CR, G_INACTIVE_BELOW, G_FRAME_CR, G_PROGRESS_CR, G_PROGRESS_DIST,
    G_WARN_CR, G_ERROR_CR, G_DEBUG_CR, G_TRACE_CR, G_WARN_HUE, G_ERROR_HUE, G_DEBUG_HUE, G_TRACE_HUE,
    G_NO_YIELD, G_ACCENT_CHROMA, G_ACCENT_HUE, G_ACCENT_ACTIVE, G_COUNT
};

static const char *const G_NAMES[G_COUNT] = {
    "text>=4.5", "text>=7", "accent>=4.5", "accent-text>=0.08", "header_accent>=4.5", "active>=3",
    "highlight/active>=4.5", "inactive>=3", "inactive<text", "frame>=3", "progress>=3",
    "progress-frame>=0.05", "warn>=4.5", "error>=4.5", "debug>=4.5", "trace>=4.5", "warn-hue",
    "error-hue", "debug-hue", "trace-hue", "no-yield", "accent-chroma", "accent-hue", "accent/active-hue"};

enum { G_NA = 0, G_PASS = 1, G_FAIL = 2 };

#define COLOURFUL_CHROMA 0.08
#define COLOURFUL_SHARE 0.02

typedef struct gresult {
    uint8_t status[G_COUNT];
    char *fail_text; /* "; "-separated descriptions of the failures, malloc'ed, or NULL */
    int passed, total, n_colourful;
    double accent_chroma, accent_hue;
} gresult;

static void g_note(gresult *g, int which, int ok, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void g_note(gresult *g, int which, int ok, const char *fmt, ...)
{
    g->status[which] = ok ? G_PASS : G_FAIL;
    g->total++;
    if (ok) {
        g->passed++;
        return;
    }
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = g->fail_text ? strlen(g->fail_text) : 0;
    size_t add = strlen(G_NAMES[which]) + strlen(msg) + 5;
    char *p = realloc(g->fail_text, old + add + 1);
    if (!p)
        return;
    snprintf(p + old, add + 1, "%s%s: %s", old ? "; " : "", G_NAMES[which], msg);
    g->fail_text = p;
}

/* docs/theme-roles.md, rule by rule. Contrast rules hold under every policy. Hue, chroma and
 * distance wishes may give way (role flagged YIELDED) only under `faithful`; a YIELDED role
 * under any other policy is itself a failure (no-yield). */
static void check_guarantees(const covertheme_theme *t, gresult *g)
{
    memset(g, 0, sizeof *g);
    const covertheme_role_color *R = t->roles;
    const int faithful = t->bg_policy == COVERTHEME_BG_FAITHFUL;
#define RGB(x) R[COVERTHEME_ROLE_##x].rgb
#define YIELDED(x) ((R[COVERTHEME_ROLE_##x].flags & COVERTHEME_ROLE_YIELDED) != 0)
    covertheme_rgb bg = RGB(BACKGROUND);
    char h1[8], h2[8];

    double c_text = g_contrast(RGB(TEXT), bg);
    g_note(g, G_TEXT_45, c_text >= 4.5, "text %s on %s %.3f", hex(RGB(TEXT), h1), hex(bg, h2), c_text);
    if (!faithful)
        g_note(g, G_TEXT_7, c_text >= 7.0, "text %s on %s %.3f", hex(RGB(TEXT), h1), hex(bg, h2), c_text);
    double c = g_contrast(RGB(ACCENT), bg);
    g_note(g, G_ACCENT_CR, c >= 4.5, "accent %s %.3f", hex(RGB(ACCENT), h1), c);
    if (!(faithful && YIELDED(ACCENT))) {
        double d = g_dist(RGB(ACCENT), RGB(TEXT));
        g_note(g, G_ACCENT_DIST, d >= 0.08, "accent %s text %s OKLab %.4f", hex(RGB(ACCENT), h1),
               hex(RGB(TEXT), h2), d);
    }
    c = g_contrast(RGB(HEADER_ACCENT), bg);
    g_note(g, G_HEADER_CR, c >= 4.5, "header_accent %s %.3f", hex(RGB(HEADER_ACCENT), h1), c);
    c = g_contrast(RGB(ACTIVE), bg);
    g_note(g, G_ACTIVE_CR, c >= 3.0, "active %s %.3f", hex(RGB(ACTIVE), h1), c);
    c = g_contrast(RGB(HIGHLIGHT_TEXT), RGB(ACTIVE));
    g_note(g, G_HIGHLIGHT_CR, c >= 4.5, "highlight_text %s on active %s %.3f", hex(RGB(HIGHLIGHT_TEXT), h1),
           hex(RGB(ACTIVE), h2), c);
    c = g_contrast(RGB(INACTIVE), bg);
    g_note(g, G_INACTIVE_CR, c >= 3.0, "inactive %s %.3f", hex(RGB(INACTIVE), h1), c);
    g_note(g, G_INACTIVE_BELOW, c < c_text, "inactive %.3f, text %.3f", c, c_text);
    c = g_contrast(RGB(FRAME), bg);
    g_note(g, G_FRAME_CR, c >= 3.0, "frame %s %.3f", hex(RGB(FRAME), h1), c);
    c = g_contrast(RGB(PROGRESS), bg);
    g_note(g, G_PROGRESS_CR, c >= 3.0, "progress %s %.3f", hex(RGB(PROGRESS), h1), c);
    if (!(faithful && YIELDED(PROGRESS))) {
        double d = g_dist(RGB(PROGRESS), RGB(FRAME));
        g_note(g, G_PROGRESS_DIST, d >= 0.05, "progress %s frame %s OKLab %.4f", hex(RGB(PROGRESS), h1),
               hex(RGB(FRAME), h2), d);
    }
    static const struct {
        int role;
        double hue;
        const char *name;
    } lv[4] = {{COVERTHEME_ROLE_WARN, 75, "warn"},
               {COVERTHEME_ROLE_ERROR, 27, "error"},
               {COVERTHEME_ROLE_DEBUG, 142, "debug"},
               {COVERTHEME_ROLE_TRACE, 305, "trace"}};
    for (int i = 0; i < 4; i++) {
        const covertheme_role_color *r = &R[lv[i].role];
        c = g_contrast(r->rgb, bg);
        g_note(g, G_WARN_CR + i, c >= 4.5, "%s %s %.3f", lv[i].name, hex(r->rgb, h1), c);
        if (!(faithful && (r->flags & COVERTHEME_ROLE_YIELDED))) {
            double dh = g_hue_delta(g_hue(r->rgb), lv[i].hue);
            g_note(g, G_WARN_HUE + i, dh <= 30.0, "%s %s hue %.1f is %.1f deg from %.0f", lv[i].name,
                   hex(r->rgb, h1), g_hue(r->rgb), dh, lv[i].hue);
        }
    }
    if (!faithful) {
        char who[200] = "";
        for (uint32_t i = 0; i < COVERTHEME_ROLE_COUNT_V1; i++)
            if (R[i].flags & COVERTHEME_ROLE_YIELDED) {
                const char *n = covertheme_role_name((int)i);
                size_t l = strlen(who);
                snprintf(who + l, sizeof who - l, "%s%s", l ? "," : "", n ? n : "?");
            }
        g_note(g, G_NO_YIELD, who[0] == 0, "YIELDED under a non-faithful policy: %s", who);
    }

    /* Fidelity. Colourful cluster: OKLCH C >= 0.08 of its 8-bit colour and >= 2 % of the
     * samples (count / sample_count, exactly the share the library's role code sees). */
    double hues[256];
    int n_col = 0;
    for (uint32_t i = 0; i < t->palette_count && n_col < 256; i++) {
        double share = t->sample_count ? (double)t->palette[i].count / (double)t->sample_count : 0.0;
        if (g_chroma(t->palette[i].rgb) >= COLOURFUL_CHROMA && share >= COLOURFUL_SHARE)
            hues[n_col++] = g_hue(t->palette[i].rgb);
    }
    g->n_colourful = n_col;
    g->accent_chroma = g_chroma(RGB(ACCENT));
    g->accent_hue = g_hue(RGB(ACCENT));
    if (n_col > 0 && !(faithful && YIELDED(ACCENT))) {
        double near = 360.0;
        for (int i = 0; i < n_col; i++)
            if (g_hue_delta(g->accent_hue, hues[i]) < near)
                near = g_hue_delta(g->accent_hue, hues[i]);
        g_note(g, G_ACCENT_CHROMA, g->accent_chroma >= 0.06, "accent %s chroma %.4f (%d colourful clusters)",
               hex(RGB(ACCENT), h1), g->accent_chroma, n_col);
        g_note(g, G_ACCENT_HUE, near <= 20.0, "accent %s hue %.1f is %.1f deg from every colourful cluster",
               hex(RGB(ACCENT), h1), g->accent_hue, near);
    }
    double spread = 0.0;
    for (int i = 0; i < n_col; i++)
        for (int j = i + 1; j < n_col; j++)
            if (g_hue_delta(hues[i], hues[j]) > spread)
                spread = g_hue_delta(hues[i], hues[j]);
    if (spread >= 30.0 && !(faithful && (YIELDED(ACCENT) || YIELDED(ACTIVE)))) {
        double d = g_hue_delta(g->accent_hue, g_hue(RGB(ACTIVE)));
        g_note(g, G_ACCENT_ACTIVE, d >= 25.0, "accent %s active %s hues %.1f apart (clusters span %.1f)",
               hex(RGB(ACCENT), h1), hex(RGB(ACTIVE), h2), d, spread);
    }
#undef RGB
#undef YIELDED
}

/* ==== distinct colours ==================================================================== */

/* Distinct opaque colours of an image, ascending by 0xRRGGBB, as SoA float Lab (the library's
 * conversion, rounded to float as its samples are) plus pixel counts. Arrays are padded to a
 * multiple of BLK with copies of the last colour of weight 0, so kernels need no tail. */
typedef struct colours {
    uint32_t n, n_pad;
    uint64_t pixels; /* opaque pixels = sum of w */
    float *L, *A, *B;
    double *w;
} colours;

static void colours_free(colours *c)
{
    free(c->L);
    free(c->A);
    free(c->B);
    free(c->w);
    memset(c, 0, sizeof *c);
}

static int colours_from_image(const ct_image *img, colours *out)
{
    memset(out, 0, sizeof *out);
    uint32_t *count = calloc((size_t)1 << 24, sizeof *count);
    if (!count)
        return -1;
    size_t npx = (size_t)img->width * img->height;
    uint64_t opaque = 0;
    uint32_t n = 0;
    for (size_t i = 0; i < npx; i++) {
        const uint8_t *p = img->rgba + i * 4;
        if (p[3] < 128)
            continue;
        uint32_t key = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        n += count[key] == 0;
        count[key]++;
        opaque++;
    }
    out->n = n;
    out->pixels = opaque;
    out->n_pad = n == 0 ? 0 : (n + BLK - 1) / BLK * BLK;
    size_t np = out->n_pad ? out->n_pad : 1;
    out->L = malloc(np * sizeof(float));
    out->A = malloc(np * sizeof(float));
    out->B = malloc(np * sizeof(float));
    out->w = malloc(np * sizeof(double));
    if (!out->L || !out->A || !out->B || !out->w) {
        free(count);
        colours_free(out);
        return -1;
    }
    uint32_t j = 0;
    for (uint32_t key = 0; key < (1u << 24) && j < n; key++) {
        if (!count[key])
            continue;
        uint8_t rgb[3] = {(uint8_t)(key >> 16), (uint8_t)(key >> 8), (uint8_t)key};
        double lab[3];
        ct_srgb8_to_lab(rgb, lab);
        out->L[j] = (float)lab[0];
        out->A[j] = (float)lab[1];
        out->B[j] = (float)lab[2];
        out->w[j] = (double)count[key];
        j++;
    }
    for (; j < out->n_pad; j++) {
        out->L[j] = out->L[n - 1];
        out->A[j] = out->A[n - 1];
        out->B[j] = out->B[n - 1];
        out->w[j] = 0.0;
    }
    free(count);
    return 0;
}

/* Weighted mean squared Lab distance of every colour to its nearest centre (double maths),
 * i.e. the per-pixel mean over all opaque pixels. cent: k Lab triples. */
static double weighted_mse(const colours *c, const double *cent, uint32_t k)
{
    double sse = 0.0;
    for (uint32_t i = 0; i < c->n; i++) {
        double l = c->L[i], a = c->A[i], b = c->B[i], best = DBL_MAX;
        for (uint32_t j = 0; j < k; j++) {
            double dl = l - cent[j * 3], da = a - cent[j * 3 + 1], db = b - cent[j * 3 + 2];
            double d = dl * dl + da * da + db * db;
            if (d < best)
                best = d;
        }
        sse += c->w[i] * best;
    }
    return c->pixels ? sse / (double)c->pixels : 0.0;
}

/* ==== reference k-means ==================================================================== */

typedef struct km_run {
    double mse;       /* weighted_mse of the final centres */
    double mse_rgb8;  /* the same centres rounded to 8-bit sRGB first, like a reported palette */
    uint32_t iterations;
    int hit_cap;
    double cpu_s;
} km_run;

/* Nearest centre (float, lowest index on ties) of every point, 8 points at a time with GCC
 * vector extensions (SSE2 on the default x86-64 target; the compiler does not if-convert the
 * scalar version at -O2; 16-byte vectors, since wider generic vectors are split into scalar
 * compares without AVX). Per point the result is the same as the scalar loop: strict < over
 * centres in index order. n is a multiple of 8 (the arrays are padded to BLK). */
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

/* One run: k-means++ seeding (or the given start centres), then Lloyd until no label changes
 * or max_iter assignment passes. Empty clusters keep their centre. `cent` receives the final
 * centres (k * 3). brute: plain Lloyd assignment instead of Hamerly's bounds. */
static int kmeans_run(const colours *c, uint32_t k, uint64_t seed, const double *start, int max_iter, int brute,
                      double *cent, km_run *res)
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
    res->mse = weighted_mse(c, cent, k);
    double *r8 = malloc((size_t)k * 3 * sizeof *r8);
    if (r8) {
        round_to_rgb8(cent, k, r8);
        res->mse_rgb8 = weighted_mse(c, r8, k);
        free(r8);
    }
    res->cpu_s = cpu_now() - t0;
    return 0;
}

/* ==== per-image work ======================================================================= */

typedef struct image_result {
    const char *path;
    int ok;          /* theme generated and image decoded */
    char err[600];
    uint32_t width, height, format;
    uint64_t opaque;
    uint32_t unique;
    uint32_t k_requested, k_effective, palette_count, k_ref;
    double theme_ms;
    double ct_mse;   /* NAN when no opaque pixel */
    int ref_state;   /* 0 not run, 1 done, 2 skipped */
    char ref_note[120];
    double ref_mse, ref_mse_rgb8, ratio, ref_cpu_s, ref_wall_s, prep_cpu_s;
    int ref_best_seed, ref_hit_cap, seeds_run;
    km_run runs[MAX_SEEDS];
    double seeds_mse;  /* best of the k-means++ seeds alone */
    double polish_mse; /* NAN when not run */
    km_run polish;
    gresult g;
    covertheme_rgb roles[COVERTHEME_ROLE_COUNT_V1];
} image_result;

static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (len < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = len;
    return 0;
}

static void process_image(covertheme_ctx *ctx, const options *o, image_result *r)
{
    covertheme_theme *t = NULL;
    double w0 = wall_now();
    int rc = covertheme_generate_file(ctx, r->path, &t);
    r->theme_ms = (wall_now() - w0) * 1e3;
    if (rc < 0) {
        snprintf(r->err, sizeof r->err, "generate: %s: %s", covertheme_strerror(rc), covertheme_last_error(ctx));
        return;
    }
    r->width = t->image_width;
    r->height = t->image_height;
    r->format = t->image_format;
    r->k_requested = t->k_requested;
    r->k_effective = t->k_effective;
    r->palette_count = t->palette_count;
    for (int i = 0; i < COVERTHEME_ROLE_COUNT_V1; i++)
        r->roles[i] = t->roles[i].rgb;
    check_guarantees(t, &r->g);

    /* Palette in the Lab the library reports for its 8-bit colours. */
    uint32_t pk = t->palette_count;
    double *pal = malloc(((size_t)pk + 1) * 3 * sizeof *pal);
    for (uint32_t i = 0; pal && i < pk; i++)
        for (int j = 0; j < 3; j++)
            pal[i * 3 + j] = t->palette[i].lab[j];
    covertheme_theme_free(t);

    uint8_t *data = NULL;
    size_t size = 0;
    if (!pal || read_file(r->path, &data, &size) < 0) {
        snprintf(r->err, sizeof r->err, "cannot read %s: %s", r->path, pal ? strerror(errno) : "out of memory");
        free(pal);
        return;
    }
    double c0 = cpu_now();
    ct_image img;
    ct_err err;
    memset(&err, 0, sizeof err);
    rc = ct_decode(data, size, NULL, &img, &err);
    free(data);
    if (rc < 0) {
        snprintf(r->err, sizeof r->err, "decode: %s", err.msg);
        free(pal);
        return;
    }
    colours col;
    rc = colours_from_image(&img, &col);
    ct_image_free(&img);
    if (rc < 0) {
        snprintf(r->err, sizeof r->err, "out of memory for the colour histogram");
        free(pal);
        return;
    }
    r->ok = 1;
    r->opaque = col.pixels;
    r->unique = col.n;
    r->ct_mse = (col.n && pk) ? weighted_mse(&col, pal, pk) : NAN;
    r->prep_cpu_s = cpu_now() - c0;
    r->ref_mse = r->ref_mse_rgb8 = r->ratio = NAN;

    r->k_ref = (uint32_t)o->k < col.n ? (uint32_t)o->k : col.n;
    if (col.n == 0) {
        snprintf(r->ref_note, sizeof r->ref_note, "no opaque pixel");
        r->ref_state = 2;
    } else if (!o->force && o->max_unique && col.n > o->max_unique) {
        snprintf(r->ref_note, sizeof r->ref_note, "skipped: %u unique colours (> --max-unique %llu; --force runs it)",
                 col.n, (unsigned long long)o->max_unique);
        r->ref_state = 2;
    } else {
        double *cent = malloc((size_t)r->k_ref * 3 * sizeof *cent);
        double wall0 = wall_now(), cpu0 = cpu_now();
        r->ref_mse = INFINITY;
        for (int s = 0; cent && s < o->seeds; s++) {
            km_run *run = &r->runs[s];
            if (kmeans_run(&col, r->k_ref, (uint64_t)s + 1, NULL, o->max_iter, o->brute, cent, run) < 0)
                break;
            r->seeds_run++;
            r->ref_hit_cap |= run->hit_cap;
            if (run->mse < r->ref_mse) {
                r->ref_mse = run->mse;
                r->ref_mse_rgb8 = run->mse_rgb8;
                r->ref_best_seed = s + 1;
            }
        }
        free(cent);
        r->ref_cpu_s = cpu_now() - cpu0;
        r->ref_wall_s = wall_now() - wall0;
        if (r->seeds_run == o->seeds) {
            r->ref_state = 1;
            if (r->ref_hit_cap)
                snprintf(r->ref_note, sizeof r->ref_note, "iteration cap %d hit", o->max_iter);
        } else {
            snprintf(r->ref_note, sizeof r->ref_note, "out of memory in the reference");
            r->ref_state = 2;
        }
    }
    /* Polish: Lloyd on all pixels started from covertheme's own palette. Its MSE is <= the
     * palette's (Lloyd never increases the objective): ct/polished is what convergence on every
     * pixel would still gain in covertheme's basin. It joins the reference, so the reference is
     * the best optimum found by either route and the ratio is never below 1 (the k-means++
     * seeds alone sometimes miss the optimum covertheme found; the ratio must not flatter). */
    r->polish_mse = NAN;
    r->seeds_mse = r->ref_mse;
    if (o->polish && r->ref_state == 1 && pk > 0) {
        double *cent = malloc((size_t)pk * 3 * sizeof *cent);
        double cpu0 = cpu_now(), wall0 = wall_now();
        if (cent && kmeans_run(&col, pk, 0, pal, o->max_iter, o->brute, cent, &r->polish) == 0) {
            r->polish_mse = r->polish.mse;
            if (r->polish.mse < r->ref_mse) {
                r->ref_mse = r->polish.mse;
                r->ref_mse_rgb8 = r->polish.mse_rgb8;
                r->ref_best_seed = 0;
            }
        }
        free(cent);
        r->ref_cpu_s += cpu_now() - cpu0;
        r->ref_wall_s += wall_now() - wall0;
    }
    if (r->ref_state == 1)
        r->ratio = r->ref_mse > 0.0 ? r->ct_mse / r->ref_mse : (r->ct_mse > 0.0 ? INFINITY : 1.0);
    free(pal);
    colours_free(&col);
}

/* ==== stability pairs ====================================================================== */

/* Splits "X/png-rgb/NAME.png" into prefix "X/", variant "png-rgb", stem "NAME", ext "png";
 * without a variant directory, variant is "". Returns 0 when the path has an extension. */
typedef struct pathparts {
    char prefix[1024], variant[64], stem[256], ext[16];
} pathparts;

static int split_path(const char *path, pathparts *p)
{
    memset(p, 0, sizeof *p);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || strlen(dot + 1) >= sizeof p->ext || (size_t)(dot - base) >= sizeof p->stem)
        return -1;
    memcpy(p->stem, base, (size_t)(dot - base));
    snprintf(p->ext, sizeof p->ext, "%s", dot + 1);
    size_t dirlen = (size_t)(base - path);
    if (dirlen >= sizeof p->prefix)
        return -1;
    memcpy(p->prefix, path, dirlen);
    /* a known corpus variant directory as the last component? */
    static const char *const variants[] = {"png-rgb", "jpg-base", "jpg-prog", "webp", "png-rgba"};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        size_t vl = strlen(variants[v]);
        if (dirlen >= vl + 1 && memcmp(path + dirlen - vl - 1, variants[v], vl) == 0 &&
            (dirlen == vl + 1 || path[dirlen - vl - 2] == '/')) {
            snprintf(p->variant, sizeof p->variant, "%s", variants[v]);
            p->prefix[dirlen - vl - 1] = 0;
            break;
        }
    }
    return 0;
}

typedef struct pair_result {
    int a, b; /* indices of the PNG and the JPEG */
    double d_bg, d_text, d_accent, worst;
    int ok;
} pair_result;

static int is_png_side(const pathparts *p)
{
    return strcmp(p->ext, "png") == 0 && (p->variant[0] == 0 || strcmp(p->variant, "png-rgb") == 0);
}

static int is_jpg_partner(const pathparts *png, const pathparts *q)
{
    if (strcmp(q->ext, "jpg") != 0 && strcmp(q->ext, "jpeg") != 0)
        return 0;
    if (strcmp(png->prefix, q->prefix) != 0 || strcmp(png->stem, q->stem) != 0)
        return 0;
    if (png->variant[0] == 0)
        return q->variant[0] == 0;
    return strcmp(q->variant, "jpg-base") == 0;
}

static int find_pairs(image_result *res, int n, pair_result **out)
{
    pathparts *pp = calloc((size_t)n ? (size_t)n : 1, sizeof *pp);
    pair_result *pr = calloc((size_t)n ? (size_t)n : 1, sizeof *pr);
    int np = 0;
    if (!pp || !pr) {
        free(pp);
        free(pr);
        *out = NULL;
        return 0;
    }
    int *valid = calloc((size_t)n ? (size_t)n : 1, sizeof *valid);
    for (int i = 0; i < n; i++)
        valid[i] = valid && split_path(res[i].path, &pp[i]) == 0;
    for (int i = 0; valid && i < n; i++) {
        if (!valid[i] || !res[i].ok || !is_png_side(&pp[i]))
            continue;
        for (int j = 0; j < n; j++) {
            if (j == i || !valid[j] || !res[j].ok || !is_jpg_partner(&pp[i], &pp[j]))
                continue;
            pair_result *p = &pr[np++];
            p->a = i;
            p->b = j;
            p->d_bg = g_dist(res[i].roles[COVERTHEME_ROLE_BACKGROUND], res[j].roles[COVERTHEME_ROLE_BACKGROUND]);
            p->d_text = g_dist(res[i].roles[COVERTHEME_ROLE_TEXT], res[j].roles[COVERTHEME_ROLE_TEXT]);
            p->d_accent = g_dist(res[i].roles[COVERTHEME_ROLE_ACCENT], res[j].roles[COVERTHEME_ROLE_ACCENT]);
            p->worst = fmax(p->d_bg, fmax(p->d_text, p->d_accent));
            p->ok = p->worst <= 0.05;
            break; /* one partner per PNG */
        }
    }
    free(valid);
    free(pp);
    *out = pr;
    return np;
}

/* ==== output ================================================================================ */

/* The last two path components, for the table. */
static const char *short_name(const char *path)
{
    const char *end = path + strlen(path), *p = end;
    int slashes = 0;
    while (p > path) {
        if (p[-1] == '/' && ++slashes == 2)
            break;
        p--;
    }
    return p;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A number, or null for NaN/inf (JSON has neither). */
static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

static void json_image(FILE *f, const image_result *r, const options *o)
{
    fputs("{\"type\":\"image\",\"image\":", f);
    json_string(f, r->path);
    if (!r->ok) {
        fputs(",\"error\":", f);
        json_string(f, r->err);
        fputs("}\n", f);
        return;
    }
    char hb[8];
    fprintf(f, ",\"width\":%u,\"height\":%u,\"format\":%u,\"opaque_pixels\":%llu,\"unique_colours\":%u", r->width,
            r->height, r->format, (unsigned long long)r->opaque, r->unique);
    fprintf(f, ",\"k_requested\":%u,\"k_effective\":%u,\"palette_count\":%u,\"k_reference\":%u", r->k_requested,
            r->k_effective, r->palette_count, r->k_ref);
    fputs(",\"theme_ms\":", f);
    json_num(f, r->theme_ms);
    fputs(",\"covertheme_mse\":", f);
    json_num(f, r->ct_mse);
    fputs(",\"reference_mse\":", f);
    json_num(f, r->ref_mse);
    fputs(",\"reference_mse_rgb8\":", f);
    json_num(f, r->ref_mse_rgb8);
    fputs(",\"ratio\":", f);
    json_num(f, r->ratio);
    fprintf(f, ",\"reference_state\":\"%s\"", r->ref_state == 1 ? "done" : "skipped");
    fputs(",\"reference_note\":", f);
    json_string(f, r->ref_note);
    fputs(",\"seeds_best_mse\":", f);
    json_num(f, r->seeds_mse);
    fputs(",\"polished_mse\":", f);
    json_num(f, r->polish_mse);
    if (isfinite(r->polish_mse))
        fprintf(f, ",\"polished_iterations\":%u,\"polished_converged\":%s", r->polish.iterations,
                r->polish.hit_cap ? "false" : "true");
    fputs(",\"polished_cpu_s\":", f);
    json_num(f, isfinite(r->polish_mse) ? r->polish.cpu_s : NAN);
    fputs(",\"reference_cpu_s\":", f);
    json_num(f, r->ref_cpu_s);
    fputs(",\"reference_wall_s\":", f);
    json_num(f, r->ref_wall_s);
    fputs(",\"histogram_cpu_s\":", f);
    json_num(f, r->prep_cpu_s);
    if (r->ref_state == 1 && r->ref_best_seed == 0)
        fputs(",\"reference_source\":\"polished\"", f);
    else if (r->ref_state == 1)
        fprintf(f, ",\"reference_source\":\"seed %d\"", r->ref_best_seed);
    fprintf(f, ",\"reference_max_iter\":%d,\"reference_seeds\":[", o->max_iter);
    for (int s = 0; s < r->seeds_run; s++) {
        fprintf(f, "%s{\"seed\":%d,\"mse\":", s ? "," : "", s + 1);
        json_num(f, r->runs[s].mse);
        fprintf(f, ",\"iterations\":%u,\"converged\":%s,\"cpu_s\":", r->runs[s].iterations,
                r->runs[s].hit_cap ? "false" : "true");
        json_num(f, r->runs[s].cpu_s);
        fputc('}', f);
    }
    fprintf(f, "],\"guarantees_passed\":%d,\"guarantees_total\":%d,\"guarantees\":{", r->g.passed, r->g.total);
    for (int i = 0, first = 1; i < G_COUNT; i++) {
        if (r->g.status[i] == G_NA)
            continue;
        fprintf(f, "%s\"%s\":%s", first ? "" : ",", G_NAMES[i], r->g.status[i] == G_PASS ? "true" : "false");
        first = 0;
    }
    fputs("},\"failures\":", f);
    json_string(f, r->g.fail_text ? r->g.fail_text : "");
    fprintf(f, ",\"colourful_clusters\":%d,\"accent\":\"%s\",\"accent_chroma\":", r->g.n_colourful,
            hex(r->roles[COVERTHEME_ROLE_ACCENT], hb));
    json_num(f, r->g.accent_chroma);
    fputs(",\"accent_hue\":", f);
    json_num(f, r->g.accent_hue);
    fputs(",\"roles\":{", f);
    for (int i = 0; i < COVERTHEME_ROLE_COUNT_V1; i++) {
        const char *name = covertheme_role_name(i);
        fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", name ? name : "?", hex(r->roles[i], hb));
    }
    fputs("}}\n", f);
}

static void fmt_num(char *buf, size_t n, double v, const char *fmt)
{
    if (isfinite(v))
        snprintf(buf, n, fmt, v);
    else
        snprintf(buf, n, "-");
}

int main(int argc, char **argv)
{
    setlocale(LC_NUMERIC, "C");
    options o = {30, 4, 300, 4000000, 0, 0, 1, COVERTHEME_BG_TINTED, 0, NULL};
    const char **files = calloc((size_t)argc, sizeof *files);
    int nfiles = 0;
    if (!files)
        return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        int need = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, argv[0]);
            free(files);
            return 0;
        } else if (strcmp(a, "--k") == 0 && need && parse_int(argv[i + 1], 1, 256, &v) == 0) {
            o.k = (int)v, i++;
        } else if (strcmp(a, "--seeds") == 0 && need && parse_int(argv[i + 1], 1, MAX_SEEDS, &v) == 0) {
            o.seeds = (int)v, i++;
        } else if (strcmp(a, "--max-iter") == 0 && need && parse_int(argv[i + 1], 1, 100000, &v) == 0) {
            o.max_iter = (int)v, i++;
        } else if (strcmp(a, "--max-unique") == 0 && need && parse_int(argv[i + 1], 0, 1L << 24, &v) == 0) {
            o.max_unique = (uint64_t)v, i++;
        } else if (strcmp(a, "--force") == 0) {
            o.force = 1;
        } else if (strcmp(a, "--no-polish") == 0) {
            o.polish = 0;
        } else if (strcmp(a, "--brute") == 0) {
            o.brute = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            o.quiet = 1;
        } else if (strcmp(a, "--bg-policy") == 0 && need && covertheme_bg_policy_from_name(argv[i + 1]) >= 0) {
            o.bg_policy = covertheme_bg_policy_from_name(argv[++i]);
        } else if (strcmp(a, "--json") == 0 && need) {
            o.json = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "%s: bad option or value: %s\n", argv[0], a);
            usage(stderr, argv[0]);
            free(files);
            return 2;
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles == 0) {
        usage(stderr, argv[0]);
        free(files);
        return 2;
    }
    FILE *jf = NULL;
    if (o.json && !(jf = fopen(o.json, "w"))) {
        fprintf(stderr, "%s: cannot write %s: %s\n", argv[0], o.json, strerror(errno));
        return 2;
    }
    covertheme_ctx *ctx = covertheme_create();
    if (!ctx || covertheme_set_option(ctx, COVERTHEME_OPT_K, o.k) < 0 ||
        covertheme_set_option(ctx, COVERTHEME_OPT_BG_POLICY, o.bg_policy) < 0) {
        fprintf(stderr, "%s: cannot create a covertheme context\n", argv[0]);
        return 2;
    }
    image_result *res = calloc((size_t)nfiles, sizeof *res);
    if (!res)
        return 2;

    printf("covertheme %s, k=%d, bg-policy %s; reference: best of %d weighted k-means++ seeds%s, Lloyd on all "
           "opaque pixels to convergence (cap %d)\n\n",
           covertheme_version_string(), o.k, covertheme_bg_policy_name(o.bg_policy), o.seeds,
           o.polish ? " and covertheme's palette" : "", o.max_iter);
    printf("%-32s %9s %5s %9s %9s %7s %8s %7s %6s\n", "image", "unique", "k", "ct MSE", "ref MSE", "ratio", "ref s",
           "guar", "acc C");
    int errors = 0;
    for (int i = 0; i < nfiles; i++) {
        image_result *r = &res[i];
        r->path = files[i];
        if (!o.quiet)
            fprintf(stderr, "[%d/%d] %s\n", i + 1, nfiles, r->path);
        process_image(ctx, &o, r);
        if (!r->ok) {
            errors++;
            printf("%-32s error: %s\n", short_name(r->path), r->err);
        } else {
            char a[16], b[16], c[16], d[16], e[16], kbuf[16];
            fmt_num(a, sizeof a, r->ct_mse, "%.3f");
            fmt_num(b, sizeof b, r->ref_mse, "%.3f");
            fmt_num(c, sizeof c, r->ratio, "%.4f");
            fmt_num(d, sizeof d, r->ref_state == 1 ? r->ref_cpu_s : NAN, "%.2f");
            fmt_num(e, sizeof e, r->g.accent_chroma, "%.3f");
            if (r->palette_count != r->k_ref)
                snprintf(kbuf, sizeof kbuf, "%u/%u", r->palette_count, r->k_ref);
            else
                snprintf(kbuf, sizeof kbuf, "%u", r->k_ref);
            printf("%-32s %9u %5s %9s %9s %7s %8s %3d/%-3d %6s\n", short_name(r->path), r->unique, kbuf, a, b, c, d,
                   r->g.passed, r->g.total, e);
            if (r->ref_note[0])
                printf("    note: %s\n", r->ref_note);
            if (r->ref_state == 1 && r->ref_best_seed == 0)
                printf("    note: reference from the polished covertheme palette; best seed %.3f\n", r->seeds_mse);
            if (r->g.fail_text)
                printf("    FAIL: %s\n", r->g.fail_text);
        }
        fflush(stdout);
        if (jf)
            json_image(jf, r, &o);
    }

    /* Summary. */
    double log_sum = 0.0, worst = 0.0;
    int n_ratio = 0, worst_i = -1, g_fail = 0, g_total = 0, n_skipped = 0;
    int per_pass[G_COUNT] = {0}, per_fail[G_COUNT] = {0};
    for (int i = 0; i < nfiles; i++) {
        const image_result *r = &res[i];
        if (!r->ok)
            continue;
        if (r->ref_state == 1 && isfinite(r->ratio) && r->ratio > 0.0) {
            log_sum += log(r->ratio);
            n_ratio++;
            if (r->ratio > worst)
                worst = r->ratio, worst_i = i;
        } else if (r->ref_state != 1) {
            n_skipped++;
        }
        g_total += r->g.total;
        g_fail += r->g.total - r->g.passed;
        for (int g = 0; g < G_COUNT; g++) {
            per_pass[g] += r->g.status[g] == G_PASS;
            per_fail[g] += r->g.status[g] == G_FAIL;
        }
    }
    pair_result *pairs = NULL;
    int np = find_pairs(res, nfiles, &pairs), p_ok = 0;
    if (np) {
        printf("\nstability (PNG vs JPEG of the same picture; OKLab distance, requirement <= 0.05)\n");
        printf("%-32s %-32s %7s %7s %7s %s\n", "png", "jpeg", "bg", "text", "accent", "");
    }
    for (int i = 0; i < np; i++) {
        const pair_result *p = &pairs[i];
        p_ok += p->ok;
        printf("%-32s %-32s %7.4f %7.4f %7.4f %s\n", short_name(res[p->a].path), short_name(res[p->b].path), p->d_bg,
               p->d_text, p->d_accent, p->ok ? "ok" : "FAIL");
        if (jf) {
            fputs("{\"type\":\"pair\",\"png\":", jf);
            json_string(jf, res[p->a].path);
            fputs(",\"jpeg\":", jf);
            json_string(jf, res[p->b].path);
            fputs(",\"background\":", jf);
            json_num(jf, p->d_bg);
            fputs(",\"text\":", jf);
            json_num(jf, p->d_text);
            fputs(",\"accent\":", jf);
            json_num(jf, p->d_accent);
            fprintf(jf, ",\"within\":%s}\n", p->ok ? "true" : "false");
        }
    }

    double geo = n_ratio ? exp(log_sum / n_ratio) : NAN;
    printf("\nsummary: %d image(s), %d error(s), %d reference(s) skipped\n", nfiles, errors, n_skipped);
    if (n_ratio)
        printf("  MSE ratio covertheme/reference: geo-mean %.4f over %d image(s), worst %.4f (%s)\n", geo, n_ratio,
               worst, short_name(res[worst_i].path));
    printf("  guarantees: %d of %d checks failed\n", g_fail, g_total);
    for (int g = 0; g < G_COUNT; g++)
        if (per_fail[g])
            printf("    %-24s %d fail / %d checked\n", G_NAMES[g], per_fail[g], per_pass[g] + per_fail[g]);
    printf("  stability pairs within 0.05: %d / %d\n", p_ok, np);

    if (jf) {
        fprintf(jf, "{\"type\":\"summary\",\"images\":%d,\"errors\":%d,\"k\":%d,\"seeds\":%d,\"max_iter\":%d,"
                    "\"bg_policy\":\"%s\",\"references\":%d,\"skipped\":%d,\"geomean_ratio\":",
                nfiles, errors, o.k, o.seeds, o.max_iter, covertheme_bg_policy_name(o.bg_policy), n_ratio, n_skipped);
        json_num(jf, geo);
        fputs(",\"worst_ratio\":", jf);
        json_num(jf, n_ratio ? worst : NAN);
        fputs(",\"worst_image\":", jf);
        if (worst_i >= 0)
            json_string(jf, res[worst_i].path);
        else
            fputs("null", jf);
        fprintf(jf, ",\"guarantee_checks\":%d,\"guarantee_failures\":%d,\"per_guarantee\":{", g_total, g_fail);
        for (int g = 0; g < G_COUNT; g++)
            fprintf(jf, "%s\"%s\":{\"pass\":%d,\"fail\":%d}", g ? "," : "", G_NAMES[g], per_pass[g], per_fail[g]);
        fprintf(jf, "},\"stability_pairs\":%d,\"stability_within\":%d}\n", np, p_ok);
        if (fclose(jf) != 0) {
            fprintf(stderr, "%s: writing %s failed\n", argv[0], o.json);
            errors++;
        }
    }
    for (int i = 0; i < nfiles; i++)
        free(res[i].g.fail_text);
    free(res);
    free(pairs);
    free(files);
    covertheme_destroy(ctx);
    if (errors)
        return 2;
    return (g_fail || p_ok != np) ? 1 : 0;
}
