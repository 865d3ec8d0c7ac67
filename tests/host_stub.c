/*
 * host_stub.c — the ABI tests: a stand-in for a player that loads libcovertheme.so.1 with
 * dlopen, looks up the single symbol covertheme_get_api and calls everything through the
 * returned table, exactly as a host would. Nothing here links the library or includes its
 * internal headers; only abi/covertheme.h is used, for types.
 *
 * The tests check the contracts documented in abi/covertheme.h and the guarantees of
 * docs/theme-roles.md. Contrast, OKLab and OKLCH are computed here, independently, from the
 * 8-bit colours the library returns; the struct's own contrast fields are only compared
 * against them. The CLI (examples/cli) is run as a child process.
 *
 * Environment: COVERTHEME_LIB (library path, default build/libcovertheme.so.1) and
 * COVERTHEME_CLI (CLI path, default build/covertheme); COVERTHEME_TEST_VERBOSE=1 prints a
 * line per cover and policy (roles, contrasts, colourful clusters) to stderr.
 *
 * Check forks per test, so the library is loaded inside each test, never in the parent.
 */
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../abi/covertheme.h"
#include "covers.h"
#include "imggen.h"
#include "testenv.h"

#define TIMEOUT_S 60

/* ==== Loading the library ============================================================= */

static void *g_lib; /* handle of the last load_api(), for the dlclose test */

static const char *lib_path(void)
{
    const char *p = getenv("COVERTHEME_LIB");
    return p && *p ? p : "build/libcovertheme.so.1";
}

static const char *cli_path(void)
{
    const char *p = getenv("COVERTHEME_CLI");
    return p && *p ? p : "build/covertheme";
}

static covertheme_get_api_fn load_get_api(void)
{
    void *h = dlopen(lib_path(), RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h != NULL, "dlopen(%s): %s", lib_path(), dlerror());
    void *sym = dlsym(h, "covertheme_get_api");
    ck_assert_msg(sym != NULL, "dlsym(covertheme_get_api): %s", dlerror());
    g_lib = h;
    return (covertheme_get_api_fn)sym;
}

static const covertheme_api *load_api(void)
{
    covertheme_get_api_fn get = load_get_api();
    const covertheme_api *api = get(COVERTHEME_ABI_VERSION);
    ck_assert_msg(api != NULL, "covertheme_get_api(%d) returned NULL", COVERTHEME_ABI_VERSION);
    return api;
}

/* ==== Small utilities ================================================================== */

/* Growable string for collecting failure messages. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int count;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t need = b->len + (size_t)n + 2;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < need)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns)
            return;
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, tmp, (size_t)n);
    b->len += (size_t)n;
    b->s[b->len++] = '\n';
    b->s[b->len] = '\0';
    b->count++;
}

/* Fails the test with every collected message (all of them also go to stderr, since
 * Check truncates long messages). */
static void sb_assert_empty(sbuf *b, const char *what)
{
    if (b->count > 0) {
        if (b->len > 2800) /* too long for one Check message: the whole list goes to stderr */
            fprintf(stderr, "---- %s: %d failure(s)\n%s----\n", what, b->count, b->s);
        char msg[3000];
        snprintf(msg, sizeof msg, "%s: %d failure(s):\n%s", what, b->count, b->s);
        free(b->s);
        b->s = NULL;
        ck_abort_msg("%s", msg);
    }
    free(b->s);
    b->s = NULL;
}

static char *temp_dir(const char *tag)
{
    char *d = tg_temp_dir(tag);
    ck_assert_msg(d != NULL, "tg_temp_dir(%s) failed", tag);
    return d;
}

static char *join(const char *dir, const char *name)
{
    char *p = tg_path_join(dir, name);
    ck_assert_msg(p != NULL, "tg_path_join failed");
    return p;
}


static void write_file(const char *path, const void *data, size_t len)
{
    ck_assert_msg(tg_write_file(path, data, len) == 0, "cannot write %s", path);
}

/* Names of the entries of `dir` (without . and ..), sorted, joined with '|'. */
static char *list_dir(const char *dir)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0)
        return strdup("<cannot list>");
    size_t cap = 16;
    for (int i = 0; i < n; i++)
        cap += strlen(ents[i]->d_name) + 1;
    char *s = calloc(1, cap);
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (s && strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
            if (*s)
                strcat(s, "|");
            strcat(s, nm);
        }
        free(ents[i]);
    }
    free(ents);
    return s;
}

static int path_exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ==== Colour maths, independent of the library ======================================= */

static double srgb_to_linear(uint8_t v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double rel_luminance(covertheme_rgb c)
{
    return 0.2126 * srgb_to_linear(c.r) + 0.7152 * srgb_to_linear(c.g) + 0.0722 * srgb_to_linear(c.b);
}

static double contrast(covertheme_rgb a, covertheme_rgb b)
{
    double ya = rel_luminance(a), yb = rel_luminance(b);
    double hi = ya > yb ? ya : yb, lo = ya > yb ? yb : ya;
    return (hi + 0.05) / (lo + 0.05);
}

/* Ottosson's OKLab from 8-bit sRGB. */
static void oklab(covertheme_rgb c, double out[3])
{
    double r = srgb_to_linear(c.r), g = srgb_to_linear(c.g), b = srgb_to_linear(c.b);
    double l = 0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b;
    double m = 0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b;
    double s = 0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b;
    double l_ = cbrt(l), m_ = cbrt(m), s_ = cbrt(s);
    out[0] = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_;
    out[1] = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_;
    out[2] = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_;
}

/* OKLCH: L, C, hue in degrees [0, 360). */
static void oklch(covertheme_rgb c, double out[3])
{
    double lab[3];
    oklab(c, lab);
    out[0] = lab[0];
    out[1] = sqrt(lab[1] * lab[1] + lab[2] * lab[2]);
    double h = atan2(lab[2], lab[1]) * 180.0 / M_PI;
    if (h < 0)
        h += 360.0;
    if (h >= 360.0)
        h -= 360.0;
    out[2] = h;
}

static double chroma_of(covertheme_rgb c)
{
    double lch[3];
    oklch(c, lch);
    return lch[1];
}

static double hue_of(covertheme_rgb c)
{
    double lch[3];
    oklch(c, lch);
    return lch[2];
}

static double hue_diff(double h1, double h2)
{
    double d = fmod(fabs(h1 - h2), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

static double oklab_dist(covertheme_rgb a, covertheme_rgb b)
{
    double x[3], y[3];
    oklab(a, x);
    oklab(b, y);
    return sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) + (x[2] - y[2]) * (x[2] - y[2]));
}

static const char *hex(covertheme_rgb c, char buf[8])
{
    snprintf(buf, 8, "#%02x%02x%02x", c.r, c.g, c.b);
    return buf;
}

/* ==== Text checks: JSON syntax, RON colours ============================================ */

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
    if (*p != '"')
        return NULL;
    p++;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 5;
                continue;
            }
            if (!*p || !strchr("\"\\/bfnrt", *p))
                return NULL;
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *json_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

static const char *json_value(const char *p, int depth)
{
    if (depth > 64)
        return NULL;
    p = json_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = json_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                p = json_string(json_ws(p));
                if (!p)
                    return NULL;
                p = json_ws(p);
                if (*p != ':')
                    return NULL;
                p++;
            }
            p = json_value(p, depth + 1);
            if (!p)
                return NULL;
            p = json_ws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            return *p == close ? p + 1 : NULL;
        }
    }
    if (*p == '"')
        return json_string(p);
    if (!strncmp(p, "true", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    if (!strncmp(p, "null", 4))
        return p + 4;
    return json_number(p);
}

static int json_valid(const char *s)
{
    const char *end = json_value(s, 0);
    return end && *json_ws(end) == '\0';
}

/* True when the JSON has a key "debug" whose value is an object (the debug block; the
 * "roles" object also has a "debug" key, for the log-level colour, whose value is a string). */
static int json_has_debug_block(const char *s)
{
    for (const char *p = strstr(s, "\"debug\""); p; p = strstr(p + 1, "\"debug\"")) {
        const char *q = json_ws(p + 7);
        if (*q == ':' && *json_ws(q + 1) == '{')
            return 1;
    }
    return 0;
}

/* Every quoted string starting with '#' must be a lowercase #rrggbb colour, and brackets
 * must balance outside strings and comments. Returns NULL or a description. */
static const char *ron_problem(const char *s, char *buf, size_t bufsz)
{
    int depth = 0;
    for (const char *p = s; *p; p++) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                p++;
            if (!*p)
                break;
            continue;
        }
        if (*p == '"') {
            const char *q = p + 1;
            while (*q && *q != '"') {
                if (*q == '\\' && q[1])
                    q++;
                q++;
            }
            if (!*q)
                return "unterminated string";
            if (p[1] == '#') {
                int ok = q - p == 8;
                for (int i = 2; ok && i < 8; i++)
                    ok = strchr("0123456789abcdef", p[i]) != NULL;
                if (!ok) {
                    snprintf(buf, bufsz, "bad colour string %.*s", (int)(q - p + 1 < 40 ? q - p + 1 : 40), p);
                    return buf;
                }
            }
            p = q;
            continue;
        }
        if (*p == '(' || *p == '[' || *p == '{')
            depth++;
        if (*p == ')' || *p == ']' || *p == '}')
            if (--depth < 0)
                return "unbalanced closing bracket";
    }
    return depth == 0 ? NULL : "unbalanced brackets";
}

/* ==== Images ========================================================================== */

typedef struct img {
    uint8_t *data;
    size_t len;
    uint32_t w, h;
} img;

static int cover_index(const char *name)
{
    int i = tg_cover_find(name);
    ck_assert_msg(i >= 0, "cover '%s' not found in tests/covers.c", name);
    return i;
}

static uint8_t *cover_rgba(int i, uint32_t *w, uint32_t *h)
{
    uint8_t *rgba = NULL;
    ck_assert_msg(tg_cover_make(i, w, h, &rgba) == 0 && rgba, "tg_cover_make(%d) failed", i);
    return rgba;
}

static img encode_png(const uint8_t *rgba, uint32_t w, uint32_t h)
{
    img m = {NULL, 0, w, h};
    tg_png_opts o = {TG_PNG_RGBA, 8, 0, 0};
    ck_assert_msg(tg_png_encode(rgba, w, h, &o, &m.data, &m.len) == 0, "tg_png_encode %ux%u failed", w, h);
    return m;
}

static img cover_png(int i)
{
    uint32_t w, h;
    uint8_t *rgba = cover_rgba(i, &w, &h);
    img m = encode_png(rgba, w, h);
    free(rgba);
    return m;
}

static img cover_jpeg(int i, int quality)
{
    uint32_t w, h;
    uint8_t *rgba = cover_rgba(i, &w, &h);
    img m = {NULL, 0, w, h};
    ck_assert_msg(tg_jpeg_encode(rgba, w, h, quality, 0, TG_JPEG_YCC, &m.data, &m.len) == 0,
                  "tg_jpeg_encode failed");
    free(rgba);
    return m;
}

static img cover_webp(int i, int lossless)
{
    uint32_t w, h;
    uint8_t *rgba = cover_rgba(i, &w, &h);
    img m = {NULL, 0, w, h};
    ck_assert_msg(tg_webp_encode(rgba, w, h, lossless, 90.0f, &m.data, &m.len) == 0, "tg_webp_encode failed");
    free(rgba);
    return m;
}

/* A flat w x h opaque image. */
static img flat_png(uint32_t w, uint32_t h, uint8_t r, uint8_t g, uint8_t b)
{
    uint8_t *rgba = malloc((size_t)w * h * 4);
    ck_assert_ptr_nonnull(rgba);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        rgba[i * 4] = r;
        rgba[i * 4 + 1] = g;
        rgba[i * 4 + 2] = b;
        rgba[i * 4 + 3] = 255;
    }
    img m = encode_png(rgba, w, h);
    free(rgba);
    return m;
}

/* ==== Generating and rendering through the table ===================================== */

static covertheme_theme *gen_buffer(const covertheme_api *api, covertheme_ctx *ctx, const img *m,
                                    const char *what)
{
    covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
    int rc = api->generate_buffer(ctx, m->data, m->len, &t);
    ck_assert_msg(rc == COVERTHEME_OK, "%s: generate_buffer rc %d (%s): %s", what, rc, api->strerror(rc),
                  api->last_error(ctx));
    ck_assert_msg(t != NULL && t != (covertheme_theme *)(uintptr_t)1, "%s: no theme", what);
    return t;
}

static char *render(const covertheme_api *api, const covertheme_theme *t, int format, unsigned flags)
{
    char *out = (char *)(uintptr_t)1;
    size_t len = 12345;
    int rc = api->render(t, format, flags, &out, &len);
    ck_assert_msg(rc == COVERTHEME_OK, "render(format %d, flags %#x) rc %d", format, flags, rc);
    ck_assert_msg(out != NULL && out != (char *)(uintptr_t)1, "render gave no text");
    ck_assert_msg(len == strlen(out), "render len %zu != strlen %zu", len, strlen(out));
    return out;
}

/* Byte-comparable renders of a theme: RON, RON palette-only and JSON without timings. */
typedef struct renders {
    char *ron, *pal, *json;
} renders;

static renders render_all(const covertheme_api *api, const covertheme_theme *t)
{
    renders r;
    r.ron = render(api, t, COVERTHEME_FORMAT_RON, COVERTHEME_RENDER_NO_TIMINGS);
    r.pal = render(api, t, COVERTHEME_FORMAT_RON_PALETTE, COVERTHEME_RENDER_NO_TIMINGS);
    r.json = render(api, t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_NO_TIMINGS);
    return r;
}

static void renders_free(const covertheme_api *api, renders *r)
{
    api->free(r->ron);
    api->free(r->pal);
    api->free(r->json);
    memset(r, 0, sizeof *r);
}

/* First differing line of two texts, for messages. */
static void first_diff(const char *a, const char *b, char *buf, size_t n)
{
    size_t i = 0, line = 1;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '\n')
            line++;
        i++;
    }
    size_t s = i;
    while (s > 0 && a[s - 1] != '\n')
        s--;
    snprintf(buf, n, "line %zu: '%.60s' vs '%.60s'", line, a + s, b + s);
}

static void assert_same_text(const char *a, const char *b, const char *what)
{
    if (strcmp(a, b) != 0) {
        char d[200];
        first_diff(a, b, d, sizeof d);
        ck_abort_msg("%s differ at %s", what, d);
    }
}

static void assert_same_renders(const renders *a, const renders *b, const char *what)
{
    char w[200];
    snprintf(w, sizeof w, "%s: RON", what);
    assert_same_text(a->ron, b->ron, w);
    snprintf(w, sizeof w, "%s: RON palette", what);
    assert_same_text(a->pal, b->pal, w);
    snprintf(w, sizeof w, "%s: JSON", what);
    assert_same_text(a->json, b->json, w);
}

/* ==== Structural checks of a theme ===================================================== */

/* Checks of the theme struct that do not depend on the cover: sizes, palette order and
 * shares, role fields against independently computed values. */
static void check_theme_struct(const covertheme_theme *t, const char *tag, sbuf *f)
{
    if (t->struct_size < sizeof(covertheme_theme))
        sb_add(f, "%s: struct_size %u < %zu", tag, t->struct_size, sizeof(covertheme_theme));
    if (t->abi_version != COVERTHEME_ABI_VERSION)
        sb_add(f, "%s: abi_version %u", tag, t->abi_version);
    if (t->role_count != COVERTHEME_ROLE_COUNT_V1 || !t->roles) {
        sb_add(f, "%s: role_count %u (roles %p)", tag, t->role_count, (const void *)t->roles);
        return;
    }
    if (t->palette_count > 0 && !t->palette) {
        sb_add(f, "%s: palette_count %u with NULL palette", tag, t->palette_count);
        return;
    }
    if (t->k_effective > t->k_requested)
        sb_add(f, "%s: k_effective %u > k_requested %u", tag, t->k_effective, t->k_requested);
    if (t->palette_count > t->k_effective)
        sb_add(f, "%s: palette_count %u > k_effective %u", tag, t->palette_count, t->k_effective);
    if (t->timings.total_ns == 0)
        sb_add(f, "%s: timings.total_ns is 0", tag);

    /* Palette: most samples first, shares = count / sample_count summing to 1. */
    uint64_t counts = 0;
    double shares = 0;
    for (uint32_t i = 0; i < t->palette_count; i++) {
        const covertheme_cluster *c = &t->palette[i];
        counts += c->count;
        shares += c->share;
        if (c->count == 0)
            sb_add(f, "%s: cluster %u is empty", tag, i);
        if (i > 0 && c->count > t->palette[i - 1].count)
            sb_add(f, "%s: palette not sorted: cluster %u count %u > cluster %u count %u", tag, i, c->count,
                   i - 1, t->palette[i - 1].count);
        if (t->sample_count && fabs(c->share - (double)c->count / t->sample_count) > 1e-4)
            sb_add(f, "%s: cluster %u share %.6f != count/sample_count %.6f", tag, i, (double)c->share,
                   (double)c->count / t->sample_count);
        double lch[3];
        oklch(c->rgb, lch);
        if (fabs(lch[0] - c->oklch[0]) > 2e-3 || fabs(lch[1] - c->oklch[1]) > 2e-3 ||
            (lch[1] > 0.02 && hue_diff(lch[2], c->oklch[2]) > 0.5))
            sb_add(f, "%s: cluster %u oklch (%.4f %.4f %.2f) != computed (%.4f %.4f %.2f)", tag, i,
                   (double)c->oklch[0], (double)c->oklch[1], (double)c->oklch[2], lch[0], lch[1], lch[2]);
    }
    if (t->palette_count > 0) {
        if (counts != t->sample_count)
            sb_add(f, "%s: cluster counts sum to %llu, sample_count %u", tag, (unsigned long long)counts,
                   t->sample_count);
        if (fabs(shares - 1.0) > 1e-3)
            sb_add(f, "%s: shares sum to %.6f", tag, shares);
    }

    /* Roles: the struct's contrast and OKLCH fields agree with our own maths. */
    const covertheme_role_color *R = t->roles;
    covertheme_rgb bg = R[COVERTHEME_ROLE_BACKGROUND].rgb, tx = R[COVERTHEME_ROLE_TEXT].rgb,
                   ac = R[COVERTHEME_ROLE_ACTIVE].rgb;
    for (uint32_t i = 0; i < t->role_count; i++) {
        const covertheme_role_color *r = &R[i];
        double cb = contrast(r->rgb, bg), ct = contrast(r->rgb, tx), ca = contrast(r->rgb, ac);
        if (fabs(cb - r->contrast_background) > 0.01 || fabs(ct - r->contrast_text) > 0.01 ||
            fabs(ca - r->contrast_active) > 0.01)
            sb_add(f, "%s: role %u contrast fields (%.3f %.3f %.3f) != computed (%.3f %.3f %.3f)", tag, i,
                   (double)r->contrast_background, (double)r->contrast_text, (double)r->contrast_active, cb,
                   ct, ca);
        double lch[3];
        oklch(r->rgb, lch);
        if (fabs(lch[0] - r->oklch[0]) > 2e-3 || fabs(lch[1] - r->oklch[1]) > 2e-3 ||
            (lch[1] > 0.02 && hue_diff(lch[2], r->oklch[2]) > 0.5) || r->oklch[2] < 0 || r->oklch[2] >= 360)
            sb_add(f, "%s: role %u oklch (%.4f %.4f %.2f) != computed (%.4f %.4f %.2f)", tag, i,
                   (double)r->oklch[0], (double)r->oklch[1], (double)r->oklch[2], lch[0], lch[1], lch[2]);
        if (r->source_cluster < -1 || r->source_cluster >= (int32_t)t->palette_count)
            sb_add(f, "%s: role %u source_cluster %d outside -1..%u", tag, i, r->source_cluster,
                   t->palette_count - 1);
        if ((r->flags & COVERTHEME_ROLE_FROM_CLUSTER) && r->source_cluster < 0)
            sb_add(f, "%s: role %u FROM_CLUSTER without a source_cluster", tag, i);
        if (!r->origin)
            sb_add(f, "%s: role %u origin is NULL", tag, i);
    }
}

/* ==== The guarantees of docs/theme-roles.md ============================================= */

static const char *const POLICY_NAMES[4] = {"tinted", "faithful", "dark", "light"};

static int is_colourful(const covertheme_theme *t, uint32_t i)
{
    const covertheme_cluster *c = &t->palette[i];
    double share = t->sample_count ? (double)c->count / t->sample_count : 0;
    return chroma_of(c->rgb) >= 0.08 && share >= 0.02;
}

static void check_guarantees(const covertheme_api *api, const covertheme_theme *t, const char *cover, int policy,
                             sbuf *f)
{
    char tag[160];
    snprintf(tag, sizeof tag, "[%s/%s]", cover, POLICY_NAMES[policy]);
    check_theme_struct(t, tag, f);
    if (t->role_count < COVERTHEME_ROLE_COUNT_V1 || !t->roles)
        return;
    if (t->bg_policy != policy)
        sb_add(f, "%s: theme bg_policy %d", tag, t->bg_policy);
    const covertheme_role_color *R = t->roles;
    covertheme_rgb bg = R[COVERTHEME_ROLE_BACKGROUND].rgb;
    char h1[8], h2[8];
    const int faithful = policy == COVERTHEME_BG_FAITHFUL;

#define ROLE(x) R[COVERTHEME_ROLE_##x].rgb
#define NEED(cond, ...)                                                                                           \
    do {                                                                                                          \
        if (!(cond)) {                                                                                            \
            char m_[400];                                                                                         \
            snprintf(m_, sizeof m_, __VA_ARGS__);                                                                 \
            sb_add(f, "%s: %s", tag, m_);                                                                         \
        }                                                                                                         \
    } while (0)

    double c_text = contrast(ROLE(TEXT), bg);
    NEED(c_text >= 4.5, "text %s on bg %s: contrast %.3f < 4.5", hex(ROLE(TEXT), h1), hex(bg, h2), c_text);
    NEED(faithful || c_text >= 7.0, "text %s on bg %s: contrast %.3f < 7.0", hex(ROLE(TEXT), h1), hex(bg, h2),
         c_text);
    double c_acc = contrast(ROLE(ACCENT), bg);
    NEED(c_acc >= 4.5, "accent %s on bg %s: contrast %.3f < 4.5", hex(ROLE(ACCENT), h1), hex(bg, h2), c_acc);
    double d_acc = oklab_dist(ROLE(ACCENT), ROLE(TEXT));
    NEED(d_acc >= 0.08, "accent %s vs text %s: OKLab distance %.4f < 0.08", hex(ROLE(ACCENT), h1),
         hex(ROLE(TEXT), h2), d_acc);
    double c_ha = contrast(ROLE(HEADER_ACCENT), bg);
    NEED(c_ha >= 4.5, "header_accent %s: contrast %.3f < 4.5", hex(ROLE(HEADER_ACCENT), h1), c_ha);
    double c_act = contrast(ROLE(ACTIVE), bg);
    NEED(c_act >= 3.0, "active %s on bg %s: contrast %.3f < 3.0", hex(ROLE(ACTIVE), h1), hex(bg, h2), c_act);
    double c_hl = contrast(ROLE(HIGHLIGHT_TEXT), ROLE(ACTIVE));
    NEED(c_hl >= 4.5, "highlight_text %s on active %s: contrast %.3f < 4.5", hex(ROLE(HIGHLIGHT_TEXT), h1),
         hex(ROLE(ACTIVE), h2), c_hl);
    double c_in = contrast(ROLE(INACTIVE), bg);
    NEED(c_in >= 3.0, "inactive %s: contrast %.3f < 3.0", hex(ROLE(INACTIVE), h1), c_in);
    NEED(c_in < c_text, "inactive contrast %.3f not below text contrast %.3f", c_in, c_text);
    double c_fr = contrast(ROLE(FRAME), bg);
    NEED(c_fr >= 3.0, "frame %s: contrast %.3f < 3.0", hex(ROLE(FRAME), h1), c_fr);
    double c_pr = contrast(ROLE(PROGRESS), bg);
    NEED(c_pr >= 3.0, "progress %s: contrast %.3f < 3.0", hex(ROLE(PROGRESS), h1), c_pr);
    double d_pf = oklab_dist(ROLE(PROGRESS), ROLE(FRAME));
    NEED(d_pf >= 0.05, "progress %s vs frame %s: OKLab distance %.4f < 0.05", hex(ROLE(PROGRESS), h1),
         hex(ROLE(FRAME), h2), d_pf);

    static const struct {
        int role;
        double hue;
    } levels[4] = {{COVERTHEME_ROLE_WARN, 75}, {COVERTHEME_ROLE_ERROR, 27}, {COVERTHEME_ROLE_DEBUG, 142},
                   {COVERTHEME_ROLE_TRACE, 305}};
    for (int i = 0; i < 4; i++) {
        const covertheme_role_color *r = &R[levels[i].role];
        const char *name = api->role_name(levels[i].role);
        double c = contrast(r->rgb, bg);
        NEED(c >= 4.5, "%s %s: contrast %.3f < 4.5", name, hex(r->rgb, h1), c);
        int yielded = (r->flags & COVERTHEME_ROLE_YIELDED) != 0;
        NEED(faithful || !yielded, "%s %s is YIELDED under a non-faithful policy", name, hex(r->rgb, h1));
        if (!yielded || !faithful) {
            double dh = hue_diff(hue_of(r->rgb), levels[i].hue);
            NEED(dh <= 30.0, "%s %s: hue %.1f is %.1f deg from %.0f (chroma %.3f)", name, hex(r->rgb, h1),
                 hue_of(r->rgb), dh, levels[i].hue, chroma_of(r->rgb));
        }
    }

    /* Fidelity. Waived without a colourful cluster. Under faithful only a role that says it
     * YIELDED may miss it; under the other policies nothing may yield. */
    double hues[256];
    int n_col = 0;
    for (uint32_t i = 0; i < t->palette_count && n_col < 256; i++)
        if (is_colourful(t, i))
            hues[n_col++] = hue_of(t->palette[i].rgb);
    if (getenv("COVERTHEME_TEST_VERBOSE")) {
        char h3[8], h4[8];
        fprintf(stderr, "%-40s pal %2u colourful %2d bg %s text %s (%.2f) accent %s (%.2f C %.3f h %.0f) active %s (h %.0f)%s\n",
                tag, t->palette_count, n_col, hex(bg, h1), hex(ROLE(TEXT), h2), c_text, hex(ROLE(ACCENT), h3), c_acc,
                chroma_of(ROLE(ACCENT)), hue_of(ROLE(ACCENT)), hex(ROLE(ACTIVE), h4), hue_of(ROLE(ACTIVE)),
                (R[COVERTHEME_ROLE_ACCENT].flags & COVERTHEME_ROLE_YIELDED) ? " accent YIELDED" : "");
    }
    if (n_col == 0)
        goto done;
    const covertheme_role_color *acc = &R[COVERTHEME_ROLE_ACCENT], *act = &R[COVERTHEME_ROLE_ACTIVE];
    int acc_y = (acc->flags & COVERTHEME_ROLE_YIELDED) != 0, act_y = (act->flags & COVERTHEME_ROLE_YIELDED) != 0;
    NEED(faithful || !acc_y, "accent %s is YIELDED under a non-faithful policy", hex(acc->rgb, h1));
    NEED(faithful || !act_y, "active %s is YIELDED under a non-faithful policy", hex(act->rgb, h1));
    if (!faithful || !acc_y) {
        double ch = chroma_of(acc->rgb), h = hue_of(acc->rgb), best = 360;
        for (int i = 0; i < n_col; i++)
            if (hue_diff(h, hues[i]) < best)
                best = hue_diff(h, hues[i]);
        NEED(ch >= 0.06, "accent %s: chroma %.4f < 0.06 although the cover has %d colourful cluster(s)%s",
             hex(acc->rgb, h1), ch, n_col, faithful ? " (faithful, not YIELDED)" : "");
        NEED(best <= 20.0, "accent %s: hue %.1f is %.1f deg from the nearest colourful cluster%s", hex(acc->rgb, h1),
             h, best, faithful ? " (faithful, not YIELDED)" : "");
    }
    double spread = 0;
    for (int i = 0; i < n_col; i++)
        for (int j = i + 1; j < n_col; j++)
            if (hue_diff(hues[i], hues[j]) > spread)
                spread = hue_diff(hues[i], hues[j]);
    if (spread >= 30.0 && (!faithful || (!acc_y && !act_y))) {
        double d = hue_diff(hue_of(acc->rgb), hue_of(act->rgb));
        NEED(d >= 25.0, "accent %s and active %s: hues %.1f apart < 25 (colourful clusters span %.1f deg)%s",
             hex(acc->rgb, h1), hex(act->rgb, h2), d, spread, faithful ? " (faithful, not YIELDED)" : "");
    }
done:;
#undef NEED
#undef ROLE
}

/* Renders every format of a cover's theme and checks the texts are well formed. */
static void check_renders(const covertheme_api *api, const covertheme_theme *t, const char *cover, int policy,
                          sbuf *f)
{
    char *ron = NULL, *pal = NULL, *json = NULL, buf[120];
    size_t len;
    int r1 = api->render(t, COVERTHEME_FORMAT_RON, COVERTHEME_RENDER_NO_TIMINGS, &ron, &len);
    int r2 = api->render(t, COVERTHEME_FORMAT_RON_PALETTE, COVERTHEME_RENDER_NO_TIMINGS, &pal, &len);
    int r3 = api->render(t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_DEBUG, &json, &len);
    if (r1 || r2 || r3 || !ron || !pal || !json) {
        sb_add(f, "[%s/%s]: render failed (%d %d %d)", cover, POLICY_NAMES[policy], r1, r2, r3);
    } else {
        const char *p;
        if ((p = ron_problem(ron, buf, sizeof buf)))
            sb_add(f, "[%s/%s]: RON: %s", cover, POLICY_NAMES[policy], p);
        if ((p = ron_problem(pal, buf, sizeof buf)))
            sb_add(f, "[%s/%s]: RON palette: %s", cover, POLICY_NAMES[policy], p);
        if (!json_valid(json))
            sb_add(f, "[%s/%s]: JSON (debug) is not valid JSON", cover, POLICY_NAMES[policy]);
        char want[64], h[8];
        snprintf(want, sizeof want, "background_color: \"%s\"", hex(t->roles[COVERTHEME_ROLE_BACKGROUND].rgb, h));
        if (!strstr(ron, want))
            sb_add(f, "[%s/%s]: RON lacks %s", cover, POLICY_NAMES[policy], want);
    }
    api->free(ron);
    api->free(pal);
    api->free(json);
}

/* ==== Tests: the table, versions, names, options ======================================= */

START_TEST(api_table)
{
    covertheme_get_api_fn get = load_get_api();
    const covertheme_api *api = get(COVERTHEME_ABI_VERSION);
    ck_assert_ptr_nonnull(api);
    ck_assert_uint_ge(api->struct_size, sizeof(covertheme_api));
    ck_assert_uint_eq(api->abi_version, COVERTHEME_ABI_VERSION);
    ck_assert_ptr_eq(get(COVERTHEME_ABI_VERSION), api); /* a static table */
    ck_assert_ptr_null(get(0));
    ck_assert_ptr_null(get(COVERTHEME_ABI_VERSION + 1));
    ck_assert_ptr_null(get(UINT_MAX));
    /* Every member of ABI 1 is filled in. */
    const void *members[] = {
        (const void *)api->version_number, (const void *)api->version_string, (const void *)api->abi_version_fn,
        (const void *)api->strerror,       (const void *)api->create,         (const void *)api->destroy,
        (const void *)api->set_option,     (const void *)api->get_option,     (const void *)api->reset_options,
        (const void *)api->space_from_name, (const void *)api->space_name,    (const void *)api->bg_policy_from_name,
        (const void *)api->bg_policy_name, (const void *)api->role_name,      (const void *)api->generate_file,
        (const void *)api->generate_buffer, (const void *)api->theme_free,    (const void *)api->last_error,
        (const void *)api->render,         (const void *)api->render_to_file, (const void *)api->free,
    };
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        ck_assert_msg(members[i] != NULL, "api member %zu is NULL", i);
}
END_TEST

/* The exported names are exactly the functions of the table (abi/exported-symbols.txt). */
START_TEST(api_exported_symbols_match_table)
{
    const covertheme_api *api = load_api();
    covertheme_get_api_fn get = (covertheme_get_api_fn)dlsym(g_lib, "covertheme_get_api");
    const struct {
        const char *name;
        const void *fn;
    } table[] = {
        {"covertheme_abi_version", (const void *)api->abi_version_fn},
        {"covertheme_bg_policy_from_name", (const void *)api->bg_policy_from_name},
        {"covertheme_bg_policy_name", (const void *)api->bg_policy_name},
        {"covertheme_create", (const void *)api->create},
        {"covertheme_destroy", (const void *)api->destroy},
        {"covertheme_free", (const void *)api->free},
        {"covertheme_generate_buffer", (const void *)api->generate_buffer},
        {"covertheme_generate_file", (const void *)api->generate_file},
        {"covertheme_get_api", (const void *)get},
        {"covertheme_get_option", (const void *)api->get_option},
        {"covertheme_last_error", (const void *)api->last_error},
        {"covertheme_render", (const void *)api->render},
        {"covertheme_render_to_file", (const void *)api->render_to_file},
        {"covertheme_reset_options", (const void *)api->reset_options},
        {"covertheme_role_name", (const void *)api->role_name},
        {"covertheme_set_option", (const void *)api->set_option},
        {"covertheme_space_from_name", (const void *)api->space_from_name},
        {"covertheme_space_name", (const void *)api->space_name},
        {"covertheme_strerror", (const void *)api->strerror},
        {"covertheme_theme_free", (const void *)api->theme_free},
        {"covertheme_version_number", (const void *)api->version_number},
        {"covertheme_version_string", (const void *)api->version_string},
    };
    const size_t n_table = sizeof table / sizeof table[0];

    /* abi/exported-symbols.txt from the working directory, else beside the library's build dir. */
    FILE *fp = fopen("abi/exported-symbols.txt", "r");
    if (!fp) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s", lib_path());
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(p, '/');
            if (slash)
                *slash = '\0';
            else
                snprintf(p, sizeof p, ".");
        }
        strncat(p, "/abi/exported-symbols.txt", sizeof p - strlen(p) - 1);
        fp = fopen(p, "r");
    }
    ck_assert_msg(fp != NULL, "cannot open abi/exported-symbols.txt");
    char line[256];
    int seen[64] = {0}, listed = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n \t")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        listed++;
        size_t k = 0;
        while (k < n_table && strcmp(table[k].name, line) != 0)
            k++;
        ck_assert_msg(k < n_table, "exported symbol %s has no member in covertheme_api", line);
        seen[k]++;
        dlerror();
        void *sym = dlsym(g_lib, line);
        ck_assert_msg(sym != NULL, "dlsym(%s): %s", line, dlerror());
        ck_assert_msg(sym == table[k].fn, "dlsym(%s) = %p, table has %p", line, sym, table[k].fn);
    }
    fclose(fp);
    for (size_t k = 0; k < n_table; k++)
        ck_assert_msg(seen[k] == 1, "%s listed %d times in abi/exported-symbols.txt", table[k].name, seen[k]);
    ck_assert_int_eq(listed, (int)n_table);
    /* Internal symbols are hidden. */
    ck_assert_ptr_null(dlsym(g_lib, "ct_report"));
    ck_assert_ptr_null(dlsym(g_lib, "ct_fail"));
}
END_TEST

START_TEST(api_versions)
{
    const covertheme_api *api = load_api();
    ck_assert_uint_eq(api->version_number(), COVERTHEME_VERSION_NUMBER);
    const char *vs = api->version_string();
    ck_assert_ptr_nonnull(vs);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", COVERTHEME_VERSION_MAJOR, COVERTHEME_VERSION_MINOR,
             COVERTHEME_VERSION_PATCH);
    ck_assert_str_eq(vs, want);
    unsigned a, b, c;
    ck_assert_int_eq(sscanf(vs, "%u.%u.%u", &a, &b, &c), 3);
    ck_assert_uint_eq(a * 10000 + b * 100 + c, api->version_number());
    ck_assert_ptr_eq(api->version_string(), vs); /* static */
    ck_assert_uint_eq(api->abi_version_fn(), COVERTHEME_ABI_VERSION);
    ck_assert_uint_eq(api->abi_version_fn(), api->abi_version);
}
END_TEST

START_TEST(api_strerror)
{
    const covertheme_api *api = load_api();
    const char *seen[11] = {0};
    for (int code = COVERTHEME_ERR_INVALID_ARGUMENT; code >= COVERTHEME_ERR_INTERNAL; code--) {
        const char *s = api->strerror(code);
        ck_assert_msg(s && *s, "strerror(%d) empty", code);
        ck_assert_msg(strcmp(s, "unknown error") && strcmp(s, "no error"), "strerror(%d) = '%s'", code, s);
        for (int j = 1; j < -code; j++)
            ck_assert_msg(strcmp(seen[j], s) != 0, "strerror(%d) == strerror(%d) == '%s'", code, -j, s);
        seen[-code] = s;
    }
    ck_assert_str_eq(api->strerror(COVERTHEME_ERR_INTERNAL - 1), "unknown error");
    ck_assert_str_eq(api->strerror(-1000), "unknown error");
    ck_assert_str_eq(api->strerror(INT_MIN), "unknown error");
    ck_assert_str_eq(api->strerror(0), "no error");
    ck_assert_str_eq(api->strerror(7), "no error");
    ck_assert_str_eq(api->strerror(INT_MAX), "no error");
}
END_TEST

typedef struct optcase {
    int id;
    int64_t def, good, bad[4];
    int nbad;
} optcase;

static const optcase OPTS[] = {
    {COVERTHEME_OPT_K, 30, 7, {0, 257, -1, 0}, 3},
    {COVERTHEME_OPT_COLOR_SPACE, COVERTHEME_SPACE_CIELAB, COVERTHEME_SPACE_HSV, {99, -1, 6, 0}, 3},
    {COVERTHEME_OPT_BG_POLICY, COVERTHEME_BG_TINTED, COVERTHEME_BG_LIGHT, {4, -1, 99, 0}, 3},
    {COVERTHEME_OPT_SEED, 1, INT64_MAX, {-1, INT64_MIN, 0, 0}, 2},
    {COVERTHEME_OPT_THREADS, 0, 8, {-1, 65, 0, 0}, 2},
    {COVERTHEME_OPT_MAX_ITERATIONS, 40, 1000, {0, 1001, -5, 0}, 3},
    {COVERTHEME_OPT_MAX_SAMPLES, 65536, 16777216, {0, 16777217, 0, 0}, 2},
    {COVERTHEME_OPT_MAX_PIXELS, 100000000, 1073741824, {0, 1073741825, 0, 0}, 2},
    {COVERTHEME_OPT_MAX_INPUT_BYTES, 268435456, (int64_t)1 << 40, {0, ((int64_t)1 << 40) + 1, 0, 0}, 2},
    {COVERTHEME_OPT_CACHE_ENTRIES, 8, 64, {-1, 65, INT64_MAX, 0}, 3},
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

START_TEST(api_options)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    ck_assert_ptr_nonnull(ctx);
    int64_t v;
    for (size_t i = 0; i < N_OPTS; i++) {
        const optcase *o = &OPTS[i];
        ck_assert_int_eq(api->get_option(ctx, o->id, &v), COVERTHEME_OK);
        ck_assert_msg(v == o->def, "option %d default %lld, want %lld", o->id, (long long)v, (long long)o->def);
        ck_assert_int_eq(api->set_option(ctx, o->id, o->good), COVERTHEME_OK);
        ck_assert_int_eq(api->get_option(ctx, o->id, &v), COVERTHEME_OK);
        ck_assert_msg(v == o->good, "option %d round trip %lld, want %lld", o->id, (long long)v, (long long)o->good);
        for (int b = 0; b < o->nbad; b++) {
            int rc = api->set_option(ctx, o->id, o->bad[b]);
            ck_assert_msg(rc == COVERTHEME_ERR_INVALID_ARGUMENT, "option %d = %lld accepted (rc %d)", o->id,
                          (long long)o->bad[b], rc);
            ck_assert_msg(*api->last_error(ctx), "no last_error after rejecting option %d", o->id);
            ck_assert_int_eq(api->get_option(ctx, o->id, &v), COVERTHEME_OK);
            ck_assert_msg(v == o->good, "option %d changed to %lld by a rejected value", o->id, (long long)v);
        }
    }
    /* Unknown option ids. */
    int unknown[] = {0, 11, -1, 1000};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        ck_assert_int_eq(api->set_option(ctx, unknown[i], 1), COVERTHEME_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(api->get_option(ctx, unknown[i], &v), COVERTHEME_ERR_INVALID_ARGUMENT);
    }
    ck_assert_int_eq(api->get_option(ctx, COVERTHEME_OPT_K, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    /* Reset restores every default. */
    ck_assert_int_eq(api->reset_options(ctx), COVERTHEME_OK);
    for (size_t i = 0; i < N_OPTS; i++) {
        ck_assert_int_eq(api->get_option(ctx, OPTS[i].id, &v), COVERTHEME_OK);
        ck_assert_msg(v == OPTS[i].def, "after reset option %d = %lld, want %lld", OPTS[i].id, (long long)v,
                      (long long)OPTS[i].def);
    }
    /* Boundaries are accepted. */
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_K, 1), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_K, 256), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_SEED, 0), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_THREADS, 64), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_ITERATIONS, 1), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_SAMPLES, 1), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_PIXELS, 1), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_INPUT_BYTES, 1), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    /* NULL context. */
    ck_assert_int_eq(api->set_option(NULL, COVERTHEME_OPT_K, 5), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->get_option(NULL, COVERTHEME_OPT_K, &v), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->reset_options(NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    /* Options are per context. */
    covertheme_ctx *other = api->create();
    ck_assert_ptr_nonnull(other);
    ck_assert_int_eq(api->get_option(other, COVERTHEME_OPT_K, &v), COVERTHEME_OK);
    ck_assert_int_eq(v, 30);
    api->destroy(other);
    api->destroy(ctx);
}
END_TEST

/* Options reach the theme: k, space, policy and seed are reported back. */
START_TEST(api_options_apply)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img m = cover_png(cover_index("two_hue"));
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_K, 3), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_COLOR_SPACE, COVERTHEME_SPACE_RGB), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_BG_POLICY, COVERTHEME_BG_LIGHT), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_SEED, 12345), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_ITERATIONS, 2), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_SAMPLES, 100), COVERTHEME_OK);
    covertheme_theme *t = gen_buffer(api, ctx, &m, "two_hue k=3");
    ck_assert_uint_eq(t->k_requested, 3);
    ck_assert_uint_le(t->k_effective, 3);
    ck_assert_uint_le(t->palette_count, 3);
    ck_assert_int_eq(t->color_space, COVERTHEME_SPACE_RGB);
    ck_assert_int_eq(t->bg_policy, COVERTHEME_BG_LIGHT);
    ck_assert_uint_eq(t->seed, 12345);
    ck_assert_uint_le(t->iterations, 2);
    ck_assert_uint_ge(t->iterations, 1);
    ck_assert_uint_le(t->sample_count, 100);
    ck_assert_uint_gt(t->sample_count, 0);
    /* A light background is light. */
    double lch[3];
    oklch(t->roles[COVERTHEME_ROLE_BACKGROUND].rgb, lch);
    ck_assert_msg(lch[0] >= 0.85, "light policy background L %.3f", lch[0]);
    api->theme_free(t);
    /* Each colour space runs. */
    for (int s = COVERTHEME_SPACE_CIELAB; s <= COVERTHEME_SPACE_CIELUV; s++) {
        ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_COLOR_SPACE, s), COVERTHEME_OK);
        t = gen_buffer(api, ctx, &m, api->space_name(s));
        ck_assert_int_eq(t->color_space, s);
        api->theme_free(t);
    }
    api->destroy(ctx);
    free(m.data);
}
END_TEST

START_TEST(api_names)
{
    const covertheme_api *api = load_api();
    static const struct {
        const char *name;
        int space;
    } spaces[] = {
        {"lab", COVERTHEME_SPACE_CIELAB}, {"CIELAB", COVERTHEME_SPACE_CIELAB}, {"cieLab", COVERTHEME_SPACE_CIELAB},
        {"LAB", COVERTHEME_SPACE_CIELAB}, {"luv", COVERTHEME_SPACE_CIELUV},    {"CIELUV", COVERTHEME_SPACE_CIELUV},
        {"Rgb", COVERTHEME_SPACE_RGB},    {"hsl", COVERTHEME_SPACE_HSL},       {"HSV", COVERTHEME_SPACE_HSV},
        {"yuv", COVERTHEME_SPACE_YUV},
    };
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        ck_assert_msg(api->space_from_name(spaces[i].name) == spaces[i].space, "space_from_name(%s) = %d",
                      spaces[i].name, api->space_from_name(spaces[i].name));
    const char *bad[] = {"foo", "", "lab ", "CIE", "rgba"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(api->space_from_name(bad[i]), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->space_from_name(NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    static const char *const canon[] = {"CIELAB", "RGB", "HSL", "HSV", "YUV", "CIELUV"};
    for (int s = 0; s <= COVERTHEME_SPACE_CIELUV; s++) {
        const char *n = api->space_name(s);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_eq(n, canon[s]);
        ck_assert_int_eq(api->space_from_name(n), s);
    }
    ck_assert_ptr_null(api->space_name(6));
    ck_assert_ptr_null(api->space_name(-1));

    for (int p = 0; p < 4; p++) {
        const char *n = api->bg_policy_name(p);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_eq(n, POLICY_NAMES[p]);
        ck_assert_int_eq(api->bg_policy_from_name(n), p);
        char up[16];
        size_t k;
        for (k = 0; n[k] && k < sizeof up - 1; k++)
            up[k] = (char)(n[k] >= 'a' && n[k] <= 'z' ? n[k] - 32 : n[k]);
        up[k] = '\0';
        ck_assert_int_eq(api->bg_policy_from_name(up), p);
    }
    ck_assert_int_eq(api->bg_policy_from_name("foo"), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->bg_policy_from_name(""), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->bg_policy_from_name(NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(api->bg_policy_name(4));
    ck_assert_ptr_null(api->bg_policy_name(-1));

    static const char *const roles[COVERTHEME_ROLE_COUNT_V1] = {
        "background", "text",     "accent", "header_accent", "active", "highlight_text", "inactive",
        "frame",      "progress", "warn",   "error",         "debug",  "trace"};
    for (int r = 0; r < COVERTHEME_ROLE_COUNT_V1; r++) {
        const char *n = api->role_name(r);
        ck_assert_msg(n && *n, "role_name(%d) empty", r);
        ck_assert_str_eq(n, roles[r]);
        for (int q = 0; q < r; q++)
            ck_assert_msg(strcmp(api->role_name(q), n) != 0, "role names %d and %d equal", q, r);
    }
    ck_assert_ptr_null(api->role_name(COVERTHEME_ROLE_COUNT_V1));
    ck_assert_ptr_null(api->role_name(-1));
}
END_TEST

START_TEST(api_null_tolerance)
{
    const covertheme_api *api = load_api();
    api->theme_free(NULL);
    api->destroy(NULL);
    api->free(NULL);
    ck_assert_ptr_nonnull(api->last_error(NULL)); /* never NULL */
    covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
    ck_assert_int_eq(api->generate_buffer(NULL, "x", 1, &t), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(t);
    t = (covertheme_theme *)(uintptr_t)1;
    ck_assert_int_eq(api->generate_file(NULL, "/nonexistent", &t), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(t);
    covertheme_ctx *ctx = api->create();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_str_eq(api->last_error(ctx), ""); /* no call made yet */
    ck_assert_int_eq(api->generate_buffer(ctx, "x", 1, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    t = (covertheme_theme *)(uintptr_t)1;
    ck_assert_int_eq(api->generate_file(ctx, NULL, &t), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(t);
    char *s = (char *)(uintptr_t)1;
    ck_assert_int_eq(api->render(NULL, COVERTHEME_FORMAT_JSON, 0, &s, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(s);
    api->destroy(ctx);
}
END_TEST

/* The library is built with -z nodelete; dlclose after destroy must not crash, and a
 * second dlopen gives a working table again. */
START_TEST(api_dlclose)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img m = flat_png(8, 8, 200, 40, 40);
    covertheme_theme *t = gen_buffer(api, ctx, &m, "flat");
    api->theme_free(t);
    api->destroy(ctx);
    free(m.data);
    ck_assert_int_eq(dlclose(g_lib), 0);
    const covertheme_api *again = load_api();
    ck_assert_uint_eq(again->abi_version_fn(), COVERTHEME_ABI_VERSION);
    ck_assert_int_eq(dlclose(g_lib), 0);
}
END_TEST

/* ==== Tests: generating ================================================================= */

/* PNG, JPEG and WebP through both entry points: a valid theme, and file and buffer give the
 * same rendered text. */
START_TEST(gen_formats_file_and_buffer)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    char *dir = temp_dir("formats");
    int ci = cover_index("two_hue");
    static const char *const names[] = {"cover.png", "cover.jpg", "cover.webp", "cover-lossy.webp", "noext"};
    static const uint32_t fmts[] = {COVERTHEME_IMAGE_PNG, COVERTHEME_IMAGE_JPEG, COVERTHEME_IMAGE_WEBP,
                                    COVERTHEME_IMAGE_WEBP, COVERTHEME_IMAGE_JPEG};
    for (int k = 0; k < 5; k++) {
        img m = k == 0 ? cover_png(ci) : k == 1 || k == 4 ? cover_jpeg(ci, 90) : cover_webp(ci, k == 2);
        char *path = join(dir, names[k]);
        write_file(path, m.data, m.len);

        covertheme_theme *tf = (covertheme_theme *)(uintptr_t)1;
        int rc = api->generate_file(ctx, path, &tf);
        ck_assert_msg(rc == COVERTHEME_OK, "%s: generate_file rc %d: %s", names[k], rc, api->last_error(ctx));
        ck_assert_str_eq(api->last_error(ctx), "");
        covertheme_theme *tb = gen_buffer(api, ctx, &m, names[k]);

        sbuf f = {0};
        check_theme_struct(tf, names[k], &f);
        check_theme_struct(tb, names[k], &f);
        sb_assert_empty(&f, names[k]);
        for (int i = 0; i < 2; i++) {
            const covertheme_theme *t = i ? tb : tf;
            ck_assert_uint_eq(t->role_count, 13);
            ck_assert_uint_eq(t->image_width, m.w);
            ck_assert_uint_eq(t->image_height, m.h);
            ck_assert_msg(t->image_format == fmts[k], "%s: image_format %u", names[k], t->image_format);
            ck_assert_uint_gt(t->sample_count, 0);
            ck_assert_uint_le(t->sample_count, m.w * m.h);
            ck_assert_uint_gt(t->palette_count, 0);
            ck_assert_uint_eq(t->k_requested, 30);
            ck_assert_uint_le(t->k_effective, t->k_requested);
            ck_assert_uint_ge(t->iterations, 1);
            ck_assert_uint_le(t->iterations, 40);
            ck_assert_int_eq(t->color_space, COVERTHEME_SPACE_CIELAB);
            ck_assert_int_eq(t->bg_policy, COVERTHEME_BG_TINTED);
            ck_assert_uint_eq(t->seed, 1);
            ck_assert(t->timings.total_ns > 0);
            ck_assert(t->timings.total_ns >= t->timings.decode_ns);
        }
        ck_assert_msg(tb->timings.read_ns == 0, "buffer read_ns %llu", (unsigned long long)tb->timings.read_ns);

        renders a = render_all(api, tf), b = render_all(api, tb);
        assert_same_renders(&a, &b, names[k]);
        ck_assert_msg(json_valid(a.json), "%s: JSON invalid", names[k]);
        ck_assert_msg(starts_with(a.ron, "#![enable(implicit_some)]"), "%s: RON start", names[k]);
        ck_assert_msg(starts_with(a.pal, "#![enable(implicit_some)]"), "%s: RON palette start", names[k]);
        char pb[100];
        const char *prob = ron_problem(a.ron, pb, sizeof pb);
        ck_assert_msg(prob == NULL, "%s: RON: %s", names[k], prob);
        prob = ron_problem(a.pal, pb, sizeof pb);
        ck_assert_msg(prob == NULL, "%s: RON palette: %s", names[k], prob);
        renders_free(api, &a);
        renders_free(api, &b);
        api->theme_free(tf);
        api->theme_free(tb);
        free(path);
        free(m.data);
    }
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
}
END_TEST


/* Image variants decoded through the ABI: every PNG colour type, interlacing, 16 bits,
 * progressive, grey and CMYK/YCCK JPEG, lossless WebP with alpha. Each gives a theme of the
 * right size and format; the colour ones keep the picture's colours (their background is
 * close to that of the plain 8-bit PNG). */
START_TEST(gen_format_variants)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    int ci = cover_index("sunset_gradient");
    uint32_t w, h;
    uint8_t *rgba = cover_rgba(ci, &w, &h);
    img ref = encode_png(rgba, w, h);
    covertheme_theme *tr = gen_buffer(api, ctx, &ref, "reference PNG");
    covertheme_rgb ref_bg = tr->roles[COVERTHEME_ROLE_BACKGROUND].rgb;
    api->theme_free(tr);
    free(ref.data);

    static const struct {
        const char *name;
        int kind; /* 0 PNG, 1 JPEG, 2 WebP */
        int a, b, c; /* PNG: type, depth, interlace; JPEG: space, progressive; WebP: lossless */
        int colour;  /* compare the background with the reference */
    } v[] = {
        {"png rgb8", 0, TG_PNG_RGB, 8, 0, 1},          {"png rgb16", 0, TG_PNG_RGB, 16, 0, 1},
        {"png rgba16", 0, TG_PNG_RGBA, 16, 0, 1},      {"png rgba8 adam7", 0, TG_PNG_RGBA, 8, 1, 1},
        {"png grey8", 0, TG_PNG_GREY, 8, 0, 0},        {"png grey2", 0, TG_PNG_GREY, 2, 0, 0},
        {"png grey16", 0, TG_PNG_GREY, 16, 0, 0},      {"png grey-alpha8", 0, TG_PNG_GREY_ALPHA, 8, 0, 0},
        {"jpeg ycc progressive", 1, TG_JPEG_YCC, 1, 0, 1}, {"jpeg grey", 1, TG_JPEG_GREY, 0, 0, 0},
        {"jpeg cmyk", 1, TG_JPEG_CMYK, 0, 0, 1},       {"jpeg ycck", 1, TG_JPEG_YCCK, 0, 0, 1},
        {"webp lossless", 2, 1, 0, 0, 1},              {"webp lossy", 2, 0, 0, 0, 1},
    };
    sbuf f = {0};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        img m = {NULL, 0, w, h};
        int rc;
        uint32_t fmt;
        if (v[i].kind == 0) {
            tg_png_opts o = {v[i].a, v[i].b, v[i].c, 0};
            rc = tg_png_encode(rgba, w, h, &o, &m.data, &m.len);
            fmt = COVERTHEME_IMAGE_PNG;
        } else if (v[i].kind == 1) {
            rc = tg_jpeg_encode(rgba, w, h, 92, v[i].b, v[i].a, &m.data, &m.len);
            fmt = COVERTHEME_IMAGE_JPEG;
        } else {
            rc = tg_webp_encode(rgba, w, h, v[i].a, 92.0f, &m.data, &m.len);
            fmt = COVERTHEME_IMAGE_WEBP;
        }
        ck_assert_msg(rc == 0, "%s: encoder failed", v[i].name);
        covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
        rc = api->generate_buffer(ctx, m.data, m.len, &t);
        if (rc != COVERTHEME_OK) {
            sb_add(&f, "%s: rc %d: %s", v[i].name, rc, api->last_error(ctx));
            free(m.data);
            continue;
        }
        if (t->image_width != w || t->image_height != h || t->image_format != fmt)
            sb_add(&f, "%s: %ux%u format %u, want %ux%u format %u", v[i].name, t->image_width, t->image_height,
                   t->image_format, w, h, fmt);
        check_theme_struct(t, v[i].name, &f);
        if (v[i].colour) {
            double d = oklab_dist(t->roles[COVERTHEME_ROLE_BACKGROUND].rgb, ref_bg);
            char h1[8], h2[8];
            if (d > 0.05)
                sb_add(&f, "%s: background %s vs %s of the 8-bit PNG: OKLab distance %.4f", v[i].name,
                       hex(t->roles[COVERTHEME_ROLE_BACKGROUND].rgb, h1), hex(ref_bg, h2), d);
        } else {
            for (uint32_t k = 0; k < t->palette_count; k++)
                if (chroma_of(t->palette[k].rgb) > 0.02)
                    sb_add(&f, "%s: grey image has a coloured cluster (chroma %.3f)", v[i].name,
                           chroma_of(t->palette[k].rgb));
        }
        api->theme_free(t);
        free(m.data);
    }
    free(rgba);
    api->destroy(ctx);
    sb_assert_empty(&f, "format variants");
}
END_TEST

/* The guarantees on every cover, for each background policy (loop over covers). */
START_TEST(gen_guarantees_cover)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    const char *name = tg_cover_name(_i);
    ck_assert_ptr_nonnull(name);
    img m = cover_png(_i);
    sbuf f = {0};
    for (int p = 0; p < 4; p++) {
        ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_BG_POLICY, p), COVERTHEME_OK);
        covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
        int rc = api->generate_buffer(ctx, m.data, m.len, &t);
        if (rc != COVERTHEME_OK) {
            sb_add(&f, "[%s/%s]: generate rc %d: %s", name, POLICY_NAMES[p], rc, api->last_error(ctx));
            continue;
        }
        if (t->image_width != m.w || t->image_height != m.h)
            sb_add(&f, "[%s/%s]: size %ux%u, want %ux%u", name, POLICY_NAMES[p], t->image_width, t->image_height,
                   m.w, m.h);
        check_guarantees(api, t, name, p, &f);
        check_renders(api, t, name, p, &f);
        api->theme_free(t);
    }
    api->destroy(ctx);
    free(m.data);
    char what[120];
    snprintf(what, sizeof what, "guarantees of cover '%s'", name);
    sb_assert_empty(&f, what);
}
END_TEST

START_TEST(gen_cover_count)
{
    ck_assert_int_ge(tg_cover_count(), 20);
    for (int i = 0; i < tg_cover_count(); i++)
        ck_assert_ptr_nonnull(tg_cover_name(i));
    ck_assert_ptr_null(tg_cover_name(tg_cover_count()));
}
END_TEST

START_TEST(gen_special_covers)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    sbuf f = {0};

    img m = cover_png(cover_index("transparent"));
    covertheme_theme *t = gen_buffer(api, ctx, &m, "transparent");
    ck_assert_uint_eq(t->palette_count, 0);
    ck_assert_uint_eq(t->image_width, m.w);
    check_guarantees(api, t, "transparent", COVERTHEME_BG_TINTED, &f);
    check_renders(api, t, "transparent", COVERTHEME_BG_TINTED, &f);
    api->theme_free(t);
    free(m.data);

    m = cover_png(cover_index("tiny1x1"));
    t = gen_buffer(api, ctx, &m, "tiny1x1");
    ck_assert_uint_eq(t->palette_count, 1);
    ck_assert_uint_eq(t->sample_count, 1);
    ck_assert_uint_eq(t->k_effective, 1);
    ck_assert_uint_eq(t->image_width, 1);
    ck_assert_uint_eq(t->image_height, 1);
    ck_assert(fabs(t->palette[0].share - 1.0f) < 1e-6);
    check_guarantees(api, t, "tiny1x1", COVERTHEME_BG_TINTED, &f);
    api->theme_free(t);
    free(m.data);

    m = cover_png(cover_index("single"));
    t = gen_buffer(api, ctx, &m, "single");
    ck_assert_uint_eq(t->palette_count, 1);
    ck_assert_uint_eq(t->k_effective, 1);
    check_guarantees(api, t, "single", COVERTHEME_BG_TINTED, &f);
    api->theme_free(t);
    free(m.data);

    m = cover_png(cover_index("grey"));
    t = gen_buffer(api, ctx, &m, "grey");
    for (uint32_t i = 0; i < t->palette_count; i++)
        ck_assert_msg(!is_colourful(t, i), "grey cover: cluster %u is colourful (chroma %.4f)", i,
                      chroma_of(t->palette[i].rgb));
    check_guarantees(api, t, "grey", COVERTHEME_BG_TINTED, &f);
    api->theme_free(t);
    free(m.data);

    /* 1x1 as JPEG and WebP too. */
    int ti = cover_index("tiny1x1");
    for (int k = 0; k < 2; k++) {
        m = k ? cover_webp(ti, 1) : cover_jpeg(ti, 90);
        t = gen_buffer(api, ctx, &m, k ? "tiny1x1.webp" : "tiny1x1.jpg");
        ck_assert_uint_eq(t->palette_count, 1);
        api->theme_free(t);
        free(m.data);
    }
    api->destroy(ctx);
    sb_assert_empty(&f, "special covers");
}
END_TEST

/* The same picture as lossless PNG and as a quality-90 JPEG is the same cover. */
START_TEST(gen_stability_png_vs_jpeg)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    static const char *const names[] = {"two_hue", "ocean", "sunset_gradient", "green_forest", "pastel"};
    static const int roles[] = {COVERTHEME_ROLE_BACKGROUND, COVERTHEME_ROLE_TEXT, COVERTHEME_ROLE_ACCENT};
    sbuf f = {0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int ci = cover_index(names[i]);
        img p = cover_png(ci), j = cover_jpeg(ci, 90);
        covertheme_theme *tp = gen_buffer(api, ctx, &p, names[i]);
        covertheme_theme *tj = gen_buffer(api, ctx, &j, names[i]);
        for (int r = 0; r < 3; r++) {
            covertheme_rgb a = tp->roles[roles[r]].rgb, b = tj->roles[roles[r]].rgb;
            double d = oklab_dist(a, b);
            char h1[8], h2[8];
            if (d > 0.05)
                sb_add(&f, "[%s]: %s PNG %s vs JPEG q90 %s: OKLab distance %.4f > 0.05", names[i],
                       api->role_name(roles[r]), hex(a, h1), hex(b, h2), d);
        }
        api->theme_free(tp);
        api->theme_free(tj);
        free(p.data);
        free(j.data);
    }
    api->destroy(ctx);
    sb_assert_empty(&f, "PNG/JPEG stability");
}
END_TEST

/* A w x h PNG of random opaque colours: tens of thousands of distinct colours, so k-means
 * works on enough points for the pool to take part (CT_KMEANS_POOL_MIN_WORK). */
static img noise_png(uint32_t w, uint32_t h, uint64_t seed)
{
    uint8_t *rgba = malloc((size_t)w * h * 4);
    ck_assert_ptr_nonnull(rgba);
    uint64_t x = seed;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        /* smooth-ish blobs plus noise, so clusters have structure */
        size_t px = i % w, py = i / w;
        rgba[i * 4] = (uint8_t)((px * 255 / w + (x >> 59)) & 0xff);
        rgba[i * 4 + 1] = (uint8_t)((py * 255 / h + (x >> 53 & 31)) & 0xff);
        rgba[i * 4 + 2] = (uint8_t)(x >> 40);
        rgba[i * 4 + 3] = 255;
    }
    img m = encode_png(rgba, w, h);
    free(rgba);
    return m;
}

/* Every generated cover plus a large noisy one (which the pool works on): the same bytes
 * for thread counts 1, 2, 3, 8 and 0 (one per CPU), and on a second call of a context. */
START_TEST(gen_determinism_threads)
{
    const covertheme_api *api = load_api();
    static const int threads[] = {1, 2, 3, 8, 0};
    int n = tg_cover_count();
    for (int i = 0; i <= n; i++) {
        img m = i < n ? cover_png(i) : noise_png(400, 400, 7);
        const char *name = i < n ? tg_cover_name(i) : "noise 400x400";
        renders first = {0};
        for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++) {
            covertheme_ctx *ctx = api->create();
            ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_THREADS, threads[k]), COVERTHEME_OK);
            ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
            for (int rep = 0; rep < 2; rep++) {
                covertheme_theme *t = gen_buffer(api, ctx, &m, name);
                renders r = render_all(api, t);
                if (!first.ron) {
                    first = r;
                } else {
                    char what[120];
                    snprintf(what, sizeof what, "%s threads=%d run %d", name, threads[k], rep);
                    assert_same_renders(&first, &r, what);
                    renders_free(api, &r);
                }
                api->theme_free(t);
            }
            api->destroy(ctx);
        }
        renders_free(api, &first);
        free(m.data);
    }
}
END_TEST

/* In a fresh child with COVERTHEME_ISA=isa: the RON and JSON of every cover (and the noisy
 * one) at 1 and 3 threads, concatenated into `path`. The library is loaded only in the
 * child, after the environment is set, so the ISA is decided there. */
static void renders_with_isa(const char *isa, const char *path)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("COVERTHEME_ISA", isa, 1);
        const covertheme_api *api = load_api();
        FILE *f = fopen(path, "w");
        if (!f)
            _exit(3);
        int n = tg_cover_count();
        for (int t = 1; t <= 3; t += 2) {
            covertheme_ctx *ctx = api->create();
            api->set_option(ctx, COVERTHEME_OPT_THREADS, t);
            for (int i = 0; i <= n; i++) {
                img m = i < n ? cover_png(i) : noise_png(400, 400, 7);
                covertheme_theme *th = NULL;
                if (api->generate_buffer(ctx, m.data, m.len, &th) != COVERTHEME_OK)
                    _exit(4);
                renders r = render_all(api, th);
                fprintf(f, "== %d %d\n%s\n%s\n", t, i, r.ron, r.json);
                renders_free(api, &r);
                api->theme_free(th);
                free(m.data);
            }
            api->destroy(ctx);
        }
        _exit(fclose(f) == 0 ? 0 : 5);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child with COVERTHEME_ISA=%s failed (%d)", isa,
                  status);
}

/* Scalar and AVX2 kernels give the same themes, byte for byte (on a CPU without AVX2 both
 * runs use the scalar kernel and the test still holds). */
START_TEST(gen_determinism_isa)
{
    char *dir = temp_dir("isa");
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/scalar.txt", dir);
    snprintf(b, sizeof b, "%s/avx2.txt", dir);
    renders_with_isa("scalar", a);
    renders_with_isa("avx2", b);
    size_t la = 0, lb = 0;
    char *ta = tg_read_text(a, &la), *tb = tg_read_text(b, &lb);
    ck_assert_ptr_nonnull(ta);
    ck_assert_ptr_nonnull(tb);
    ck_assert_uint_gt(la, 1000);
    ck_assert_msg(la == lb && memcmp(ta, tb, la) == 0, "scalar and AVX2 themes differ");
    free(ta);
    free(tb);
    tg_remove_tree(dir);
    free(dir);
}
END_TEST

/* The context's pool: started by a call that needs it, reused by the next, joined by
 * destroy. A host that dlcloses the library while a context (and its workers) is alive
 * does not crash: the library stays mapped (-z nodelete), the parked workers keep running
 * nothing, and destroy through the old table still joins them. */
START_TEST(pool_lifecycle_and_dlclose)
{
    int base = tg_task_count();
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_THREADS, 3), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    ck_assert_int_eq(tg_task_count(), base); /* nothing starts before a call needs it */
    img m = noise_png(400, 400, 11);
    covertheme_theme *t = gen_buffer(api, ctx, &m, "noise");
    api->theme_free(t);
    ck_assert_int_eq(tg_task_count(), base + 2);
    t = gen_buffer(api, ctx, &m, "noise again");
    api->theme_free(t);
    ck_assert_int_eq(tg_task_count(), base + 2); /* reused, not restarted */
    ck_assert_int_eq(dlclose(g_lib), 0);
    usleep(50 * 1000);
    ck_assert_int_eq(tg_task_count(), base + 2);
    api->destroy(ctx);
    ck_assert_int_eq(tg_task_count_settled(base), base); /* joined: gone from /proc soon */
    free(m.data);
}
END_TEST

/* Files of 4 MB and more give their buffer's pages back once decoded (generate.c); the
 * next call reads into the same buffer again. Each file's theme must then be exactly the
 * one its bytes give through generate_buffer (never released), whatever came before. */
START_TEST(large_files_after_their_pages_are_released)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK); /* decode each time */
    char *dir = temp_dir("large");
    img m[2] = {noise_png(1700, 1700, 21), noise_png(1500, 1500, 22)};
    char *paths[2] = {join(dir, "a.png"), join(dir, "b.png")};
    renders want[2];
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(m[i].len >= ((size_t)4 << 20), "noise PNG %d is only %zu bytes", i, m[i].len);
        write_file(paths[i], m[i].data, m[i].len);
        covertheme_theme *t = gen_buffer(api, ctx, &m[i], "buffer");
        want[i] = render_all(api, t);
        api->theme_free(t);
    }
    static const int order[] = {0, 0, 1, 0, 1, 1};
    for (size_t n = 0; n < sizeof order / sizeof order[0]; n++) {
        int i = order[n];
        covertheme_theme *t = NULL;
        int rc = api->generate_file(ctx, paths[i], &t);
        ck_assert_msg(rc == COVERTHEME_OK, "call %zu: rc %d: %s", n, rc, api->last_error(ctx));
        renders got = render_all(api, t);
        char what[64];
        snprintf(what, sizeof what, "call %zu (file %d) against its bytes", n, i);
        assert_same_renders(&got, &want[i], what);
        renders_free(api, &got);
        api->theme_free(t);
    }
    ck_assert_msg(strcmp(want[0].ron, want[1].ron) != 0, "the two files should give different themes");
    for (int i = 0; i < 2; i++) {
        renders_free(api, &want[i]);
        free(paths[i]);
        free(m[i].data);
    }
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
}
END_TEST

/* ==== Tests: rendering ==================================================================== */

START_TEST(render_formats_and_flags)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img m = cover_png(cover_index("two_hue"));
    covertheme_theme *t = gen_buffer(api, ctx, &m, "two_hue");
    int formats[] = {COVERTHEME_FORMAT_RON, COVERTHEME_FORMAT_RON_PALETTE, COVERTHEME_FORMAT_JSON};
    for (int i = 0; i < 3; i++) {
        char *s = render(api, t, formats[i], 0);
        ck_assert_uint_gt(strlen(s), 100);
        api->free(s);
        /* len may be NULL */
        s = (char *)(uintptr_t)1;
        ck_assert_int_eq(api->render(t, formats[i], 0, &s, NULL), COVERTHEME_OK);
        ck_assert_ptr_nonnull(s);
        api->free(s);
    }
    int bad_formats[] = {0, 4, 99, -1};
    for (int i = 0; i < 4; i++) {
        char *s = (char *)(uintptr_t)1;
        size_t len = 7;
        ck_assert_int_eq(api->render(t, bad_formats[i], 0, &s, &len), COVERTHEME_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_null(s);
    }
    unsigned bad_flags[] = {0x8u, 0x100u, 0x80000000u, 0xffffffffu};
    for (int i = 0; i < 4; i++) {
        char *s = (char *)(uintptr_t)1;
        ck_assert_int_eq(api->render(t, COVERTHEME_FORMAT_RON, bad_flags[i], &s, NULL),
                         COVERTHEME_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_null(s);
    }
    ck_assert_int_eq(api->render(t, COVERTHEME_FORMAT_RON, 0, NULL, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);

    /* Debug block only with RENDER_DEBUG. */
    char *plain = render(api, t, COVERTHEME_FORMAT_JSON, 0);
    char *dbg = render(api, t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_DEBUG);
    ck_assert_msg(strstr(dbg, "\"debug\"") != NULL, "JSON with RENDER_DEBUG lacks \"debug\"");
    ck_assert_msg(json_has_debug_block(dbg), "JSON with RENDER_DEBUG lacks the debug block");
    ck_assert_msg(!json_has_debug_block(plain), "JSON without RENDER_DEBUG has a debug block");
    ck_assert(json_valid(plain));
    ck_assert(json_valid(dbg));
    ck_assert_msg(strstr(plain, "\"scrollbarEnabled\": true") != NULL, "scrollbarEnabled true missing");
    api->free(plain);
    api->free(dbg);

    /* NO_SCROLLBAR */
    char *ns = render(api, t, COVERTHEME_FORMAT_RON, COVERTHEME_RENDER_NO_SCROLLBAR);
    char *ron = render(api, t, COVERTHEME_FORMAT_RON, 0);
    ck_assert_msg(strstr(ns, "scrollbar: None") != NULL, "RON with NO_SCROLLBAR lacks 'scrollbar: None'");
    ck_assert_msg(strstr(ron, "scrollbar: None") == NULL, "RON without NO_SCROLLBAR has 'scrollbar: None'");
    ck_assert_msg(strstr(ron, "scrollbar:") != NULL, "RON has no scrollbar block");
    api->free(ns);
    api->free(ron);
    ns = render(api, t, COVERTHEME_FORMAT_RON_PALETTE, COVERTHEME_RENDER_NO_SCROLLBAR);
    ck_assert_msg(strstr(ns, "scrollbar: None") != NULL, "RON palette with NO_SCROLLBAR lacks 'scrollbar: None'");
    api->free(ns);
    ns = render(api, t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_NO_SCROLLBAR);
    ck_assert_msg(strstr(ns, "\"scrollbarEnabled\": false") != NULL, "JSON NO_SCROLLBAR: scrollbarEnabled");
    api->free(ns);

    /* Pure: twice the same. NO_TIMINGS makes two generations comparable. */
    covertheme_theme *t2 = gen_buffer(api, ctx, &m, "two_hue again");
    renders a = render_all(api, t), b = render_all(api, t2);
    assert_same_renders(&a, &b, "two generations");
    renders_free(api, &a);
    renders_free(api, &b);
    api->theme_free(t2);

    /* Themes outlive their context. */
    api->destroy(ctx);
    char *late = render(api, t, COVERTHEME_FORMAT_JSON, 0);
    ck_assert(json_valid(late));
    api->free(late);
    api->theme_free(t);
    free(m.data);
}
END_TEST

static covertheme_theme *some_theme(const covertheme_api *api, covertheme_ctx *ctx)
{
    img m = cover_png(cover_index("two_hue"));
    covertheme_theme *t = gen_buffer(api, ctx, &m, "two_hue");
    free(m.data);
    return t;
}

START_TEST(render_to_file_writes_and_replaces)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    covertheme_theme *t = some_theme(api, ctx);
    char *dir = temp_dir("rtf");
    char *path = join(dir, "theme.ron");
    int formats[] = {COVERTHEME_FORMAT_RON, COVERTHEME_FORMAT_RON_PALETTE, COVERTHEME_FORMAT_JSON};
    unsigned flags[] = {0, COVERTHEME_RENDER_NO_SCROLLBAR, COVERTHEME_RENDER_DEBUG | COVERTHEME_RENDER_NO_TIMINGS};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(api->render_to_file(ctx, t, formats[i], flags[i], path), COVERTHEME_OK);
        ck_assert_str_eq(api->last_error(ctx), "");
        char *want = render(api, t, formats[i], flags[i]);
        size_t len = 0;
        char *got = tg_read_text(path, &len);
        ck_assert_ptr_nonnull(got);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_msg(strcmp(got, want) == 0, "file content differs from render (format %d)", formats[i]);
        free(got);
        api->free(want);
        char *ls = list_dir(dir);
        ck_assert_msg(strcmp(ls, "theme.ron") == 0, "directory holds '%s' after a replace", ls);
        free(ls);
    }
    /* Replacing a file that has other content. */
    write_file(path, "old theme\n", 10);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, path), COVERTHEME_OK);
    char *got = tg_read_text(path, NULL);
    ck_assert_msg(starts_with(got, "#![enable(implicit_some)]"), "replaced file starts '%.30s'", got);
    free(got);
    char *ls = list_dir(dir);
    ck_assert_str_eq(ls, "theme.ron");
    free(ls);

    /* NULL ctx is allowed for render_to_file. */
    ck_assert_int_eq(api->render_to_file(NULL, t, COVERTHEME_FORMAT_JSON, 0, path), COVERTHEME_OK);
    got = tg_read_text(path, NULL);
    ck_assert(got && got[0] == '{');
    free(got);

    /* Invalid arguments write nothing. */
    char *p2 = join(dir, "other.ron");
    ck_assert_int_eq(api->render_to_file(ctx, t, 99, 0, p2), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0x40u, p2), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->render_to_file(ctx, NULL, COVERTHEME_FORMAT_RON, 0, p2), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, NULL), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, ""), COVERTHEME_ERR_INVALID_ARGUMENT);
    ck_assert_msg(*api->last_error(ctx), "no last_error after an invalid render_to_file");
    ck_assert(!path_exists(p2));
    ls = list_dir(dir);
    ck_assert_str_eq(ls, "theme.ron");
    free(ls);
    free(p2);

    api->theme_free(t);
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
    free(path);
}
END_TEST

/* Reads a FIFO to the end on another thread while the library writes into it. */
static void *drain_fifo(void *arg)
{
    size_t len = 0;
    return tg_read_text((const char *)arg, &len);
}

/* A symlinked theme keeps its link (its target is replaced); a FIFO (stand-in for /dev/null
 * and /dev/stdout) is written through and stays a FIFO; a dangling link is refused. */
START_TEST(render_to_file_links_and_pipes)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    covertheme_theme *t = some_theme(api, ctx);
    char *dir = temp_dir("rtl");
    char *real = join(dir, "real.ron"), *link = join(dir, "link.ron");
    write_file(real, "old\n", 4);
    ck_assert_int_eq(symlink(real, link), 0);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, link), COVERTHEME_OK);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert_msg(S_ISLNK(st.st_mode), "the symlink was replaced by a file");
    char *got = tg_read_text(real, NULL);
    ck_assert_msg(starts_with(got, "#![enable(implicit_some)]"), "link target not rewritten: '%.20s'", got);
    free(got);

    char *fifo = join(dir, "pipe");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    pthread_t reader;
    ck_assert_int_eq(pthread_create(&reader, NULL, drain_fifo, fifo), 0);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_NO_TIMINGS, fifo), COVERTHEME_OK);
    void *read_back = NULL;
    pthread_join(reader, &read_back);
    char *want = render(api, t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_NO_TIMINGS);
    ck_assert_ptr_nonnull(read_back);
    ck_assert_str_eq((char *)read_back, want);
    api->free(want);
    free(read_back);
    ck_assert_int_eq(lstat(fifo, &st), 0);
    ck_assert_msg(S_ISFIFO(st.st_mode), "the FIFO was replaced by a regular file");

    char *dangling = join(dir, "dangling.ron");
    ck_assert_int_eq(symlink("/nonexistent/covertheme-target.ron", dangling), 0);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, dangling), COVERTHEME_ERR_WRITE);
    ck_assert_ptr_nonnull(strstr(api->last_error(ctx), "dangling.ron"));

    free(dangling);
    free(fifo);
    free(real);
    free(link);
    api->theme_free(t);
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
}
END_TEST

/* rmpc reloads on IN_CLOSE_WRITE of the theme path itself. */
START_TEST(render_to_file_close_write_event)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    covertheme_theme *t = some_theme(api, ctx);
    char *dir = temp_dir("inotify");
    char *path = join(dir, "theme.ron");
    write_file(path, "old\n", 4);
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(inotify_add_watch(fd, dir, IN_CLOSE_WRITE), 0);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, path), COVERTHEME_OK);
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n = read(fd, buf, sizeof buf);
    int found = 0;
    for (char *p = buf; n > 0 && p < buf + n;) {
        struct inotify_event *ev = (struct inotify_event *)(void *)p;
        if ((ev->mask & IN_CLOSE_WRITE) && ev->len && strcmp(ev->name, "theme.ron") == 0)
            found = 1;
        p += sizeof *ev + ev->len;
    }
    close(fd);
    ck_assert_msg(found, "no IN_CLOSE_WRITE for theme.ron after render_to_file");
    api->theme_free(t);
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
    free(path);
}
END_TEST

START_TEST(render_to_file_failures_keep_old)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    covertheme_theme *t = some_theme(api, ctx);
    char *dir = temp_dir("rtffail");

    /* A directory that does not exist: WRITE, the path in last_error, nothing created. */
    char *nodir = join(dir, "nodir");
    char *p = join(nodir, "theme.ron");
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, p), COVERTHEME_ERR_WRITE);
    ck_assert_msg(strstr(api->last_error(ctx), p) != NULL, "last_error '%s' does not name %s", api->last_error(ctx), p);
    ck_assert(!path_exists(nodir));
    char *ls = list_dir(dir);
    ck_assert_str_eq(ls, "");
    free(ls);
    free(p);
    free(nodir);

    /* The parent is a regular file. */
    char *file = join(dir, "plain");
    write_file(file, "x", 1);
    p = join(file, "theme.ron");
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, p), COVERTHEME_ERR_WRITE);
    ck_assert_msg(strstr(api->last_error(ctx), p) != NULL, "last_error '%s' does not name %s", api->last_error(ctx), p);
    free(p);

    /* The target is a directory: the rename fails, the directory stays, no temporary file. */
    char *adir = join(dir, "adir");
    ck_assert_int_eq(mkdir(adir, 0755), 0);
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, adir), COVERTHEME_ERR_WRITE);
    struct stat st;
    ck_assert(stat(adir, &st) == 0 && S_ISDIR(st.st_mode));
    ls = list_dir(dir);
    ck_assert_msg(strcmp(ls, "adir|plain") == 0, "directory holds '%s'", ls);
    free(ls);

    /* A write that fails half-way (file size limit, works as root too): old content kept,
     * no temporary file left. The limit is restored before anything else is written, since
     * Check itself uses a temporary file to report results. */
    char *target = join(dir, "theme.ron");
    write_file(target, "old theme\n", 10);
    struct rlimit old_lim, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
    lim = old_lim;
    lim.rlim_cur = 64;
    signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, target);
    setrlimit(RLIMIT_FSIZE, &old_lim);
    ck_assert_int_eq(rc, COVERTHEME_ERR_WRITE);
    ck_assert_msg(strstr(api->last_error(ctx), target) != NULL, "last_error '%s'", api->last_error(ctx));
    char *got = tg_read_text(target, NULL);
    ck_assert_msg(got && strcmp(got, "old theme\n") == 0, "old file changed to '%.40s'", got ? got : "(unreadable)");
    free(got);
    ls = list_dir(dir);
    ck_assert_msg(strcmp(ls, "adir|plain|theme.ron") == 0, "directory holds '%s' after a failed write", ls);
    free(ls);

    /* Without root, a read-only directory also refuses. */
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(dir, 0555), 0);
        rc = api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, target);
        chmod(dir, 0755);
        ck_assert_int_eq(rc, COVERTHEME_ERR_WRITE);
        got = tg_read_text(target, NULL);
        ck_assert_msg(got && strcmp(got, "old theme\n") == 0, "old file changed");
        free(got);
    }

    /* A later success clears last_error. */
    ck_assert_int_eq(api->render_to_file(ctx, t, COVERTHEME_FORMAT_RON, 0, target), COVERTHEME_OK);
    ck_assert_str_eq(api->last_error(ctx), "");

    api->theme_free(t);
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
    free(file);
    free(adir);
    free(target);
}
END_TEST


/* The JSON reports what the struct holds; NO_TIMINGS zeroes the durations. */
static double json_number_after(const char *json, const char *key)
{
    const char *p = strstr(json, key);
    ck_assert_msg(p != NULL, "JSON lacks %s", key);
    p = json_ws(p + strlen(key));
    ck_assert_msg(*p == ':', "JSON %s not followed by ':'", key);
    return strtod(json_ws(p + 1), NULL);
}

START_TEST(render_json_matches_struct)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    covertheme_theme *t = some_theme(api, ctx);
    char *json = render(api, t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_NO_TIMINGS);
    char *ron = render(api, t, COVERTHEME_FORMAT_RON, 0);
    char want[160], h[8];
    for (uint32_t r = 0; r < t->role_count; r++) {
        snprintf(want, sizeof want, "\"%s\": \"%s\"", api->role_name((int)r), hex(t->roles[r].rgb, h));
        ck_assert_msg(strstr(json, want) != NULL, "JSON lacks %s", want);
    }
    snprintf(want, sizeof want, "background_color: \"%s\"", hex(t->roles[COVERTHEME_ROLE_BACKGROUND].rgb, h));
    ck_assert_msg(strstr(ron, want) != NULL, "RON lacks %s", want);
    snprintf(want, sizeof want, "text_color: \"%s\"", hex(t->roles[COVERTHEME_ROLE_TEXT].rgb, h));
    ck_assert_msg(strstr(ron, want) != NULL, "RON lacks %s", want);
    ck_assert_uint_eq((unsigned)json_number_after(json, "\"totalSamples\""), t->sample_count);
    ck_assert_uint_eq((unsigned)json_number_after(json, "\"kEffective\""), t->k_effective);
    ck_assert_uint_eq((unsigned)json_number_after(json, "\"iterations\""), t->iterations);
    ck_assert_uint_eq((unsigned)json_number_after(json, "\"width\""), t->image_width);
    ck_assert_uint_eq((unsigned)json_number_after(json, "\"height\""), t->image_height);
    ck_assert_msg(strstr(json, "\"format\": \"png\"") != NULL, "JSON image format");
    ck_assert_msg(strstr(json, "\"colorSpace\": \"CIELAB\"") != NULL, "JSON colorSpace");
    ck_assert_msg(strstr(json, "\"backgroundPolicy\": \"tinted\"") != NULL, "JSON backgroundPolicy");
    /* Every number of timingsMs and durationMs is 0 with NO_TIMINGS. */
    ck_assert(json_number_after(json, "\"durationMs\"") == 0.0);
    const char *tm = strstr(json, "\"timingsMs\"");
    ck_assert_ptr_nonnull(tm);
    const char *end = strchr(tm, '}');
    ck_assert_ptr_nonnull(end);
    int numbers = 0;
    for (const char *p = strchr(tm, ':'); p && p < end; p = strchr(p + 1, ':')) {
        const char *q = json_ws(p + 1);
        if (*q == '{')
            continue;
        numbers++;
        ck_assert_msg(strtod(q, NULL) == 0.0, "timingsMs value '%.12s' not 0 with NO_TIMINGS", q);
    }
    ck_assert_int_ge(numbers, 1);
    api->free(json);
    /* Without the flag the real duration shows. */
    json = render(api, t, COVERTHEME_FORMAT_JSON, 0);
    ck_assert_msg(json_number_after(json, "\"durationMs\"") > 0.0, "durationMs is 0 without NO_TIMINGS");
    api->free(json);
    api->free(ron);
    api->theme_free(t);
    api->destroy(ctx);
}
END_TEST

/* A host's LC_NUMERIC must not change the text (header: numbers are formatted without the
 * C locale). Uses de_DE (decimal comma), compiled with localedef when not installed. */
START_TEST(render_locale_independent)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    covertheme_theme *t = some_theme(api, ctx);
    renders c = render_all(api, t);
    char *dir = NULL;
    const char *loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    if (!loc) {
        dir = temp_dir("locale");
        char *out = join(dir, "de_DE.UTF-8");
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            int nul = open("/dev/null", O_WRONLY);
            if (nul >= 0) {
                dup2(nul, 1);
                dup2(nul, 2);
            }
            execlp("localedef", "localedef", "-i", "de_DE", "-f", "UTF-8", out, (char *)NULL);
            _exit(127);
        }
        int st;
        waitpid(pid, &st, 0);
        free(out);
        setenv("LOCPATH", dir, 1);
        loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    }
    if (!loc) {
        fprintf(stderr, "note: render_locale_independent: no de_DE locale available, not checked\n");
    } else {
        char num[16];
        snprintf(num, sizeof num, "%.1f", 1.5);
        ck_assert_msg(strcmp(num, "1,5") == 0, "de_DE locale not active (%s)", num);
        renders d = render_all(api, t);
        assert_same_renders(&c, &d, "C vs de_DE LC_NUMERIC (render)");
        renders_free(api, &d);
        covertheme_theme *t2 = some_theme(api, ctx);
        d = render_all(api, t2);
        assert_same_renders(&c, &d, "C vs de_DE LC_NUMERIC (generate)");
        renders_free(api, &d);
        api->theme_free(t2);
        setlocale(LC_NUMERIC, "C");
    }
    renders_free(api, &c);
    api->theme_free(t);
    api->destroy(ctx);
    if (dir) {
        tg_remove_tree(dir);
        free(dir);
    }
}
END_TEST

/* ==== Tests: errors through the ABI ======================================================= */

/* Calls generate_file and checks rc, *out == NULL and that last_error names the path. */
static void expect_file_error(const covertheme_api *api, covertheme_ctx *ctx, const char *path, int want,
                              const char *what)
{
    covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
    int rc = api->generate_file(ctx, path, &t);
    ck_assert_msg(rc == want, "%s: rc %d (%s), want %d (%s); last_error '%s'", what, rc, api->strerror(rc), want,
                  api->strerror(want), api->last_error(ctx));
    ck_assert_msg(t == NULL, "%s: *out not NULL on failure", what);
    ck_assert_msg(strstr(api->last_error(ctx), path) != NULL, "%s: last_error '%s' does not name %s", what,
                  api->last_error(ctx), path);
}

static void expect_buffer_error(const covertheme_api *api, covertheme_ctx *ctx, const void *data, size_t size,
                                int want, const char *what)
{
    covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
    int rc = api->generate_buffer(ctx, data, size, &t);
    ck_assert_msg(rc == want, "%s: rc %d (%s), want %d (%s); last_error '%s'", what, rc, api->strerror(rc), want,
                  api->strerror(want), api->last_error(ctx));
    ck_assert_msg(t == NULL, "%s: *out not NULL on failure", what);
    ck_assert_msg(*api->last_error(ctx) != '\0', "%s: empty last_error", what);
}

START_TEST(err_inputs)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    char *dir = temp_dir("errors");
    int ci = cover_index("two_hue");

    char *missing = join(dir, "missing.png");
    expect_file_error(api, ctx, missing, COVERTHEME_ERR_NOT_FOUND, "missing file");
    expect_file_error(api, ctx, dir, COVERTHEME_ERR_IO, "directory");

    char *empty = join(dir, "empty.png");
    write_file(empty, "", 0);
    expect_file_error(api, ctx, empty, COVERTHEME_ERR_EMPTY_INPUT, "empty file");
    expect_buffer_error(api, ctx, "", 0, COVERTHEME_ERR_EMPTY_INPUT, "empty buffer");
    expect_buffer_error(api, ctx, NULL, 0, COVERTHEME_ERR_EMPTY_INPUT, "NULL buffer of size 0");
    expect_buffer_error(api, ctx, NULL, 5, COVERTHEME_ERR_INVALID_ARGUMENT, "NULL buffer of size 5");

    img png = cover_png(ci), jpg = cover_jpeg(ci, 90);
    char *tpng = join(dir, "trunc.png"), *tjpg = join(dir, "trunc.jpg");
    write_file(tpng, png.data, png.len * 6 / 10);
    write_file(tjpg, jpg.data, jpg.len * 6 / 10);
    expect_file_error(api, ctx, tpng, COVERTHEME_ERR_CORRUPT_IMAGE, "PNG cut at 60%");
    expect_file_error(api, ctx, tjpg, COVERTHEME_ERR_CORRUPT_IMAGE, "JPEG cut at 60%");
    expect_buffer_error(api, ctx, png.data, png.len * 6 / 10, COVERTHEME_ERR_CORRUPT_IMAGE, "PNG buffer cut at 60%");
    expect_buffer_error(api, ctx, jpg.data, jpg.len * 6 / 10, COVERTHEME_ERR_CORRUPT_IMAGE, "JPEG buffer cut at 60%");
    /* A flipped byte in PNG image data breaks its CRC. */
    uint8_t *bad = malloc(png.len);
    memcpy(bad, png.data, png.len);
    bad[png.len / 2] ^= 0x55;
    expect_buffer_error(api, ctx, bad, png.len, COVERTHEME_ERR_CORRUPT_IMAGE, "PNG with a flipped byte");
    free(bad);

    static const uint8_t gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00"
                                 "\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00;";
    char *pgif = join(dir, "cover.gif");
    write_file(pgif, gif, sizeof gif - 1);
    expect_file_error(api, ctx, pgif, COVERTHEME_ERR_UNSUPPORTED_FORMAT, "GIF");
    expect_buffer_error(api, ctx, gif, sizeof gif - 1, COVERTHEME_ERR_UNSUPPORTED_FORMAT, "GIF buffer");
    expect_buffer_error(api, ctx, "hello, world", 12, COVERTHEME_ERR_UNSUPPORTED_FORMAT, "text");

    /* After a failure, a success on the same context clears last_error. */
    covertheme_theme *t = gen_buffer(api, ctx, &png, "two_hue");
    ck_assert_str_eq(api->last_error(ctx), "");
    api->theme_free(t);

    free(png.data);
    free(jpg.data);
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
    free(missing);
    free(empty);
    free(tpng);
    free(tjpg);
    free(pgif);
}
END_TEST

START_TEST(err_limits)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    char *dir = temp_dir("limits");
    img m = flat_png(20, 20, 30, 120, 200);
    char *path = join(dir, "flat.png");
    write_file(path, m.data, m.len);

    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_PIXELS, 100), COVERTHEME_OK);
    expect_buffer_error(api, ctx, m.data, m.len, COVERTHEME_ERR_LIMIT_EXCEEDED, "20x20 with MAX_PIXELS 100");
    expect_file_error(api, ctx, path, COVERTHEME_ERR_LIMIT_EXCEEDED, "20x20 file with MAX_PIXELS 100");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_PIXELS, 400), COVERTHEME_OK);
    covertheme_theme *t = gen_buffer(api, ctx, &m, "20x20 with MAX_PIXELS 400");
    api->theme_free(t);
    ck_assert_int_eq(api->reset_options(ctx), COVERTHEME_OK);

    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_INPUT_BYTES, (int64_t)m.len - 1), COVERTHEME_OK);
    expect_file_error(api, ctx, path, COVERTHEME_ERR_LIMIT_EXCEEDED, "file one byte over MAX_INPUT_BYTES");
    expect_buffer_error(api, ctx, m.data, m.len, COVERTHEME_ERR_LIMIT_EXCEEDED, "buffer over MAX_INPUT_BYTES");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_INPUT_BYTES, (int64_t)m.len), COVERTHEME_OK);
    t = (covertheme_theme *)(uintptr_t)1;
    ck_assert_int_eq(api->generate_file(ctx, path, &t), COVERTHEME_OK);
    ck_assert_str_eq(api->last_error(ctx), "");
    api->theme_free(t);
    t = gen_buffer(api, ctx, &m, "buffer at MAX_INPUT_BYTES");
    api->theme_free(t);

    free(m.data);
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
    free(path);
}
END_TEST

START_TEST(err_last_error_per_context)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *a = api->create(), *b = api->create();
    covertheme_theme *t = NULL;
    ck_assert_int_eq(api->generate_file(a, "/nonexistent/covertheme-a.png", &t), COVERTHEME_ERR_NOT_FOUND);
    ck_assert_msg(strstr(api->last_error(a), "covertheme-a.png") != NULL, "a: '%s'", api->last_error(a));
    ck_assert_msg(strcmp(api->last_error(b), "") == 0, "a's error visible on b: '%s'", api->last_error(b));
    /* A success on b does not clear a's error. */
    img m = flat_png(4, 4, 10, 200, 10);
    t = gen_buffer(api, b, &m, "b");
    api->theme_free(t);
    ck_assert_msg(strstr(api->last_error(a), "covertheme-a.png") != NULL, "a after success on b: '%s'",
                  api->last_error(a));
    free(m.data);
    api->destroy(a);
    api->destroy(b);
}
END_TEST

/* Contract: last_error(ctx) is the most recent failure of this thread *on ctx*; a failure on
 * another context must not replace it. The header promises this for the 8 contexts a thread
 * failed on most recently. */
START_TEST(err_last_error_two_failing_contexts)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *c[8];
    char path[64];
    for (int i = 0; i < 8; i++) {
        c[i] = api->create();
        ck_assert_ptr_nonnull(c[i]);
        covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
        snprintf(path, sizeof path, "/nonexistent/covertheme-%d.png", i);
        ck_assert_int_eq(api->generate_file(c[i], path, &t), COVERTHEME_ERR_NOT_FOUND);
        ck_assert_ptr_null(t);
    }
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "/nonexistent/covertheme-%d.png", i);
        ck_assert_msg(strstr(api->last_error(c[i]), path) != NULL,
                      "last_error(context %d) lost after failures on other contexts: '%s'", i,
                      api->last_error(c[i]));
    }
    /* A success on one of them clears only its own. */
    img m = flat_png(4, 4, 10, 200, 10);
    covertheme_theme *t = gen_buffer(api, c[3], &m, "c3");
    api->theme_free(t);
    free(m.data);
    ck_assert_str_eq(api->last_error(c[3]), "");
    ck_assert_msg(strstr(api->last_error(c[4]), "covertheme-4.png") != NULL, "c4: '%s'", api->last_error(c[4]));
    for (int i = 0; i < 8; i++)
        api->destroy(c[i]);
}
END_TEST

typedef struct err_thread_arg {
    const covertheme_api *api;
    covertheme_ctx *ctx;
    char seen[256];
} err_thread_arg;

static void *err_thread(void *p)
{
    err_thread_arg *a = p;
    snprintf(a->seen, sizeof a->seen, "%s", a->api->last_error(a->ctx));
    return NULL;
}

/* last_error is per thread: another thread does not see this thread's failure. */
START_TEST(err_last_error_per_thread)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    covertheme_theme *t = NULL;
    ck_assert_int_eq(api->generate_file(ctx, "/nonexistent/x.png", &t), COVERTHEME_ERR_NOT_FOUND);
    err_thread_arg arg = {api, ctx, "unset"};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, err_thread, &arg), 0);
    pthread_join(th, NULL);
    ck_assert_msg(arg.seen[0] == '\0', "other thread sees '%s'", arg.seen);
    ck_assert_msg(strstr(api->last_error(ctx), "/nonexistent/x.png") != NULL, "own error '%s'", api->last_error(ctx));
    api->destroy(ctx);
}
END_TEST


typedef struct reuse_arg {
    const covertheme_api *api;
    covertheme_ctx *ctx;
    pthread_barrier_t *bar;
    int rc;
    char before[256], after[256];
} reuse_arg;

static void *reuse_thread(void *p)
{
    reuse_arg *a = p;
    covertheme_theme *t = NULL;
    a->rc = a->api->generate_file(a->ctx, "/nonexistent/reuse-a.png", &t);
    snprintf(a->before, sizeof a->before, "%s", a->api->last_error(a->ctx));
    pthread_barrier_wait(a->bar); /* main destroys the context and creates another */
    pthread_barrier_wait(a->bar);
    snprintf(a->after, sizeof a->after, "%s", a->api->last_error(a->ctx));
    return NULL;
}

/* A thread that failed on a context that another thread then destroyed must not see that
 * failure on a new context (which malloc tends to place at the same address): it made no
 * call on the new one, so its last_error there is "". */
START_TEST(err_last_error_new_context_same_address)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *a = api->create();
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    reuse_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.api = api;
    arg.ctx = a;
    arg.bar = &bar;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, reuse_thread, &arg), 0);
    pthread_barrier_wait(&bar);
    /* Make the allocator hand A's block out again: fill glibc's per-thread cache for that
     * size first (calloc bypasses it), then free A and create until the address comes back. */
    covertheme_ctx *fill[8], *extra[32];
    for (int i = 0; i < 8; i++)
        fill[i] = api->create();
    for (int i = 0; i < 8; i++)
        api->destroy(fill[i]);
    api->destroy(a);
    covertheme_ctx *b = NULL;
    int n_extra = 0;
    while (n_extra < 32) {
        extra[n_extra] = api->create();
        if (extra[n_extra] == a) {
            b = extra[n_extra];
            break;
        }
        n_extra++;
    }
    for (int i = 0; i < n_extra; i++)
        api->destroy(extra[i]);
    int same = b != NULL;
    if (!b)
        b = api->create();
    arg.ctx = b;
    pthread_barrier_wait(&bar);
    pthread_join(th, NULL);
    pthread_barrier_destroy(&bar);
    ck_assert_int_eq(arg.rc, COVERTHEME_ERR_NOT_FOUND);
    ck_assert_msg(strstr(arg.before, "reuse-a.png") != NULL, "before: '%s'", arg.before);
    if (!same)
        fprintf(stderr, "note: err_last_error_new_context_same_address: the address was not reused, "
                        "so the check is weaker\n");
    ck_assert_msg(arg.after[0] == '\0', "thread sees '%s' on a new context it never used (%s address)", arg.after,
                  same ? "same" : "different");
    api->destroy(b);
}
END_TEST

/* ==== Tests: threads ======================================================================== */

typedef struct gen_thread_arg {
    const covertheme_api *api;
    covertheme_ctx *ctx;
    const img *m;
    const covertheme_theme *shared; /* rendered concurrently by every thread */
    int rc[5];
    char *json[5];
    char *shared_json;
    int failures;
} gen_thread_arg;

static void *gen_thread(void *p)
{
    gen_thread_arg *a = p;
    for (int i = 0; i < 5; i++) {
        covertheme_theme *t = NULL;
        a->rc[i] = a->api->generate_buffer(a->ctx, a->m->data, a->m->len, &t);
        if (a->rc[i] != COVERTHEME_OK || !t) {
            a->failures++;
            continue;
        }
        if (*a->api->last_error(a->ctx))
            a->failures++;
        size_t len;
        if (a->api->render(t, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_NO_TIMINGS, &a->json[i], &len) != 0)
            a->failures++;
        a->api->theme_free(t);
    }
    size_t len;
    if (a->api->render(a->shared, COVERTHEME_FORMAT_RON, 0, &a->shared_json, &len) != 0)
        a->failures++;
    return NULL;
}

START_TEST(threads_share_one_context)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img m = cover_png(cover_index("two_hue"));
    covertheme_theme *shared = gen_buffer(api, ctx, &m, "two_hue");
    char *want = render(api, shared, COVERTHEME_FORMAT_JSON, COVERTHEME_RENDER_NO_TIMINGS);
    char *want_ron = render(api, shared, COVERTHEME_FORMAT_RON, 0);
    gen_thread_arg args[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].api = api;
        args[i].ctx = ctx;
        args[i].m = &m;
        args[i].shared = shared;
        ck_assert_int_eq(pthread_create(&th[i], NULL, gen_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 5; k++) {
            ck_assert_msg(args[i].rc[k] == COVERTHEME_OK, "thread %d call %d rc %d", i, k, args[i].rc[k]);
            ck_assert_msg(args[i].json[k] && strcmp(args[i].json[k], want) == 0, "thread %d call %d output differs",
                          i, k);
            api->free(args[i].json[k]);
        }
        ck_assert_int_eq(args[i].failures, 0);
        ck_assert_msg(args[i].shared_json && strcmp(args[i].shared_json, want_ron) == 0,
                      "thread %d: concurrent render of a shared theme differs", i);
        api->free(args[i].shared_json);
    }
    api->free(want);
    api->free(want_ron);
    api->theme_free(shared);
    api->destroy(ctx);
    free(m.data);
}
END_TEST

/* ==== Tests: the cover cache ================================================================ */

/* The documented signal of a cache hit: decode_ns through roles_ns are 0 (a real decode
 * always takes time), total_ns still covers the call. */
static int cache_hit(const covertheme_theme *t)
{
    return t->timings.decode_ns == 0;
}

/* generate_buffer, then checks that the theme was (want_hit) or was not served from the
 * cache, and that its timings are consistent with that. */
static covertheme_theme *gen_expect(const covertheme_api *api, covertheme_ctx *ctx, const img *m, int want_hit,
                                    const char *what)
{
    covertheme_theme *t = gen_buffer(api, ctx, m, what);
    const covertheme_timings *tm = &t->timings;
    ck_assert_msg(cache_hit(t) == want_hit, "%s: %s, want a %s (decode_ns %llu)", what,
                  cache_hit(t) ? "cache hit" : "computed", want_hit ? "hit" : "miss",
                  (unsigned long long)tm->decode_ns);
    ck_assert_msg(tm->total_ns > 0, "%s: total_ns 0", what);
    ck_assert_msg(tm->read_ns == 0, "%s: buffer read_ns %llu", what, (unsigned long long)tm->read_ns);
    if (want_hit)
        ck_assert_msg(tm->sample_ns == 0 && tm->convert_ns == 0 && tm->cluster_ns == 0 && tm->roles_ns == 0,
                      "%s: a hit reports pipeline stages", what);
    return t;
}

/* Like gen_expect, freeing the theme. */
static void gen_check(const covertheme_api *api, covertheme_ctx *ctx, const img *m, int want_hit, const char *what)
{
    api->theme_free(gen_expect(api, ctx, m, want_hit, what));
}

static covertheme_theme *file_expect(const covertheme_api *api, covertheme_ctx *ctx, const char *path,
                                     int want_hit, const char *what)
{
    covertheme_theme *t = (covertheme_theme *)(uintptr_t)1;
    int rc = api->generate_file(ctx, path, &t);
    ck_assert_msg(rc == COVERTHEME_OK, "%s: generate_file rc %d: %s", what, rc, api->last_error(ctx));
    ck_assert_msg(cache_hit(t) == want_hit, "%s: %s, want a %s", what, cache_hit(t) ? "cache hit" : "computed",
                  want_hit ? "hit" : "miss");
    ck_assert_msg(t->timings.read_ns > 0, "%s: file read_ns 0", what);
    ck_assert_msg(t->timings.total_ns >= t->timings.read_ns, "%s: total_ns < read_ns", what);
    return t;
}

/* Renders of `m` computed by a context without a cache. */
static renders uncached_renders(const covertheme_api *api, const img *m, const char *what)
{
    covertheme_ctx *ctx = api->create();
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    covertheme_theme *t = gen_expect(api, ctx, m, 0, what);
    renders r = render_all(api, t);
    api->theme_free(t);
    api->destroy(ctx);
    return r;
}

static void assert_same_as(const covertheme_api *api, const covertheme_theme *t, const renders *want,
                           const char *what)
{
    renders r = render_all(api, t);
    assert_same_renders(want, &r, what);
    renders_free(api, &r);
}

/* The same bytes twice: the second call is a hit and renders exactly as the first, and as a
 * context without a cache; files and buffers share entries (content, not origin, is the key);
 * a hit is an independent copy whose pointers point into its own block. */
START_TEST(cache_hit_same_bytes)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    int64_t v = -1;
    ck_assert_int_eq(api->get_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, &v), COVERTHEME_OK);
    ck_assert_int_eq(v, 8);
    static const char *const names[] = {"two_hue", "transparent", "tiny1x1", "stripes_many_hues"};
    char *dir = temp_dir("cache-hit");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        img m = cover_png(cover_index(names[i]));
        renders want = uncached_renders(api, &m, names[i]);
        covertheme_theme *t1 = gen_expect(api, ctx, &m, 0, names[i]);
        covertheme_theme *t2 = gen_expect(api, ctx, &m, 1, names[i]);
        assert_same_as(api, t1, &want, names[i]);
        assert_same_as(api, t2, &want, names[i]);
        sbuf f = {0};
        check_theme_struct(t2, names[i], &f);
        sb_assert_empty(&f, names[i]);
        ck_assert_ptr_ne(t1, t2);
        ck_assert_ptr_ne(t1->roles, t2->roles);
        ck_assert_uint_eq(t1->palette_count, t2->palette_count);
        if (t1->palette_count) {
            ck_assert_ptr_ne(t1->palette, t2->palette);
            ck_assert_int_eq(memcmp(t1->palette, t2->palette, t1->palette_count * sizeof *t1->palette), 0);
        } else {
            ck_assert_ptr_null(t2->palette);
        }
        for (uint32_t r = 0; r < t2->role_count; r++) {
            ck_assert_ptr_ne(t1->roles[r].origin, t2->roles[r].origin);
            ck_assert_str_eq(t1->roles[r].origin, t2->roles[r].origin);
        }
        /* A file with the same bytes is a hit too, with its own read time. */
        char *path = join(dir, "cover.png");
        write_file(path, m.data, m.len);
        covertheme_theme *t3 = file_expect(api, ctx, path, 1, names[i]);
        assert_same_as(api, t3, &want, names[i]);
        /* A copy of the bytes elsewhere in memory is the same cover. */
        img copy = {malloc(m.len), m.len, m.w, m.h};
        ck_assert_ptr_nonnull(copy.data);
        memcpy(copy.data, m.data, m.len);
        covertheme_theme *t4 = gen_expect(api, ctx, &copy, 1, names[i]);
        assert_same_as(api, t4, &want, names[i]);
        api->theme_free(t1);
        api->theme_free(t2);
        api->theme_free(t3);
        api->theme_free(t4);
        renders_free(api, &want);
        free(copy.data);
        free(path);
        free(m.data);
    }
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
}
END_TEST

/* Players write every cover to one path: new bytes at the same path are a new cover, and
 * bytes of the same length that differ are not confused either. */
START_TEST(cache_keyed_by_bytes_not_path)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    char *dir = temp_dir("cache-path");
    char *path = join(dir, "current-cover.png");
    img a = cover_png(cover_index("two_hue")), b = cover_png(cover_index("ocean"));
    renders ra = uncached_renders(api, &a, "two_hue"), rb = uncached_renders(api, &b, "ocean");

    write_file(path, a.data, a.len);
    covertheme_theme *t = file_expect(api, ctx, path, 0, "A at the path");
    assert_same_as(api, t, &ra, "A at the path");
    api->theme_free(t);
    write_file(path, b.data, b.len);
    t = file_expect(api, ctx, path, 0, "B rewritten at the same path");
    assert_same_as(api, t, &rb, "B rewritten at the same path");
    ck_assert_msg(strcmp(ra.ron, rb.ron) != 0, "two_hue and ocean give the same RON");
    api->theme_free(t);
    write_file(path, a.data, a.len);
    t = file_expect(api, ctx, path, 1, "A written back");
    assert_same_as(api, t, &ra, "A written back");
    api->theme_free(t);

    /* Same length, one byte different: a corrupt copy must fail, not hit A's entry. */
    img bad = {malloc(a.len), a.len, a.w, a.h};
    ck_assert_ptr_nonnull(bad.data);
    memcpy(bad.data, a.data, a.len);
    bad.data[a.len / 2] ^= 0x5a;
    expect_buffer_error(api, ctx, bad.data, bad.len, COVERTHEME_ERR_CORRUPT_IMAGE, "A with one byte flipped");
    write_file(path, bad.data, bad.len);
    expect_file_error(api, ctx, path, COVERTHEME_ERR_CORRUPT_IMAGE, "A with one byte flipped at the path");
    /* Failures are not cached: the same bad bytes fail again. */
    expect_buffer_error(api, ctx, bad.data, bad.len, COVERTHEME_ERR_CORRUPT_IMAGE, "bad bytes again");
    /* Two valid covers of equal length (flat PNGs of one size compress alike). */
    img f1 = flat_png(32, 32, 200, 30, 30), f2 = flat_png(32, 32, 30, 30, 200);
    ck_assert_uint_eq(f1.len, f2.len);
    covertheme_theme *t1 = gen_expect(api, ctx, &f1, 0, "flat red");
    covertheme_theme *t2 = gen_expect(api, ctx, &f2, 0, "flat blue, same length");
    ck_assert_msg(t1->palette[0].rgb.r == 200 && t2->palette[0].rgb.b == 200, "flat covers mixed up");
    api->theme_free(t1);
    api->theme_free(t2);

    renders_free(api, &ra);
    renders_free(api, &rb);
    free(a.data);
    free(b.data);
    free(bad.data);
    free(f1.data);
    free(f2.data);
    api->destroy(ctx);
    tg_remove_tree(dir);
    free(dir);
    free(path);
}
END_TEST

/* Every option that changes the theme is part of the key; threads is not; the input limits
 * apply to hits too. */
START_TEST(cache_options_are_part_of_key)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img m = cover_png(cover_index("two_hue"));
    renders want = uncached_renders(api, &m, "defaults");
    gen_check(api, ctx, &m, 0, "defaults");
    gen_check(api, ctx, &m, 1, "defaults again");

    static const struct {
        int id;
        int64_t value;
        const char *name;
    } changes[] = {
        {COVERTHEME_OPT_K, 7, "k 7"},
        {COVERTHEME_OPT_COLOR_SPACE, COVERTHEME_SPACE_RGB, "space RGB"},
        {COVERTHEME_OPT_BG_POLICY, COVERTHEME_BG_LIGHT, "bg light"},
        {COVERTHEME_OPT_SEED, 99, "seed 99"},
        {COVERTHEME_OPT_MAX_ITERATIONS, 5, "max iterations 5"},
        {COVERTHEME_OPT_MAX_SAMPLES, 500, "max samples 500"},
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        ck_assert_int_eq(api->reset_options(ctx), COVERTHEME_OK);
        ck_assert_int_eq(api->set_option(ctx, changes[i].id, changes[i].value), COVERTHEME_OK);
        covertheme_ctx *plain = api->create();
        ck_assert_int_eq(api->set_option(plain, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
        ck_assert_int_eq(api->set_option(plain, changes[i].id, changes[i].value), COVERTHEME_OK);
        covertheme_theme *ref = gen_expect(api, plain, &m, 0, changes[i].name);
        renders rr = render_all(api, ref);
        covertheme_theme *t1 = gen_expect(api, ctx, &m, 0, changes[i].name);
        covertheme_theme *t2 = gen_expect(api, ctx, &m, 1, changes[i].name);
        assert_same_as(api, t1, &rr, changes[i].name);
        assert_same_as(api, t2, &rr, changes[i].name);
        ck_assert_uint_eq(t2->k_requested, ref->k_requested);
        ck_assert_int_eq(t2->color_space, ref->color_space);
        ck_assert_int_eq(t2->bg_policy, ref->bg_policy);
        ck_assert_uint_eq(t2->seed, ref->seed);
        renders_free(api, &rr);
        api->theme_free(ref);
        api->theme_free(t1);
        api->theme_free(t2);
        api->destroy(plain);
    }
    /* 7 entries in 8 slots: the defaults' entry is still there. */
    ck_assert_int_eq(api->reset_options(ctx), COVERTHEME_OK);
    covertheme_theme *t = gen_expect(api, ctx, &m, 1, "back to defaults");
    assert_same_as(api, t, &want, "back to defaults");
    api->theme_free(t);
    /* Threads do not change a theme, so they are not in the key. */
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_THREADS, 3), COVERTHEME_OK);
    gen_check(api, ctx, &m, 1, "threads 3");
    /* Limits hold for a cached cover. */
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_PIXELS, (int64_t)m.w * m.h - 1), COVERTHEME_OK);
    expect_buffer_error(api, ctx, m.data, m.len, COVERTHEME_ERR_LIMIT_EXCEEDED, "cached cover over MAX_PIXELS");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_PIXELS, (int64_t)m.w * m.h), COVERTHEME_OK);
    gen_check(api, ctx, &m, 1, "cached cover at MAX_PIXELS");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_INPUT_BYTES, (int64_t)m.len - 1), COVERTHEME_OK);
    expect_buffer_error(api, ctx, m.data, m.len, COVERTHEME_ERR_LIMIT_EXCEEDED, "cached cover over MAX_INPUT_BYTES");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_MAX_INPUT_BYTES, (int64_t)m.len), COVERTHEME_OK);
    gen_check(api, ctx, &m, 1, "cached cover at MAX_INPUT_BYTES");
    renders_free(api, &want);
    free(m.data);
    api->destroy(ctx);
}
END_TEST

/* Capacity 0 never hits; setting it to 0 drops what was kept; capacity 1 keeps only the
 * last cover. */
START_TEST(cache_capacity_zero_and_one)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img a = cover_png(cover_index("two_hue")), b = cover_png(cover_index("ocean"));
    renders want = uncached_renders(api, &a, "two_hue");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    for (int i = 0; i < 3; i++) {
        covertheme_theme *t = gen_expect(api, ctx, &a, 0, "capacity 0");
        assert_same_as(api, t, &want, "capacity 0");
        api->theme_free(t);
    }
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 8), COVERTHEME_OK);
    gen_check(api, ctx, &a, 0, "capacity 8, first");
    gen_check(api, ctx, &a, 1, "capacity 8, second");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 8), COVERTHEME_OK);
    gen_check(api, ctx, &a, 0, "after a pass through capacity 0");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 1), COVERTHEME_OK);
    gen_check(api, ctx, &a, 1, "capacity 1 keeps the last cover");
    gen_check(api, ctx, &b, 0, "capacity 1, B");
    gen_check(api, ctx, &a, 0, "capacity 1, A after B");
    gen_check(api, ctx, &a, 1, "capacity 1, A again");
    /* reset_options restores the default capacity, keeping the entry. */
    ck_assert_int_eq(api->reset_options(ctx), COVERTHEME_OK);
    int64_t v = -1;
    ck_assert_int_eq(api->get_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, &v), COVERTHEME_OK);
    ck_assert_int_eq(v, 8);
    gen_check(api, ctx, &a, 1, "after reset");
    renders_free(api, &want);
    free(a.data);
    free(b.data);
    api->destroy(ctx);
}
END_TEST

/* Least recently used (stored or hit) goes first. */
START_TEST(cache_lru_eviction)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img a = cover_png(cover_index("two_hue")), b = cover_png(cover_index("ocean")),
        c = cover_png(cover_index("neon"));
    renders want = uncached_renders(api, &a, "two_hue");
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 2), COVERTHEME_OK);
    gen_check(api, ctx, &a, 0, "A");
    gen_check(api, ctx, &b, 0, "B");
    gen_check(api, ctx, &c, 0, "C evicts A");
    covertheme_theme *t = gen_expect(api, ctx, &a, 0, "A recomputed (evicts B)");
    assert_same_as(api, t, &want, "A recomputed");
    api->theme_free(t);
    gen_check(api, ctx, &c, 1, "C kept");
    gen_check(api, ctx, &a, 1, "A kept");
    gen_check(api, ctx, &b, 0, "B evicts C, the least recently used");
    gen_check(api, ctx, &a, 1, "A still kept");
    gen_check(api, ctx, &c, 0, "C evicts B (A was used later)");
    gen_check(api, ctx, &a, 1, "A survives");
    /* A hit refreshes: A B A(hit) C evicts B, not A. */
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 0), COVERTHEME_OK);
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 2), COVERTHEME_OK);
    gen_check(api, ctx, &a, 0, "A (2)");
    gen_check(api, ctx, &b, 0, "B (2)");
    gen_check(api, ctx, &a, 1, "A hit (2)");
    gen_check(api, ctx, &c, 0, "C (2) evicts B");
    gen_check(api, ctx, &a, 1, "A (2) kept by its hit");
    gen_check(api, ctx, &b, 0, "B (2) was evicted");
    /* Lowering the capacity keeps the most recent. */
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 3), COVERTHEME_OK);
    gen_check(api, ctx, &c, 0, "C (3)"); /* evicted by B above */
    gen_check(api, ctx, &a, 1, "A (3)");
    gen_check(api, ctx, &b, 1, "B (3)"); /* now most recent: B, A, C */
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 1), COVERTHEME_OK);
    gen_check(api, ctx, &b, 1, "B, the most recent, kept at capacity 1");
    gen_check(api, ctx, &a, 0, "A dropped by capacity 1");
    renders_free(api, &want);
    free(a.data);
    free(b.data);
    free(c.data);
    api->destroy(ctx);
}
END_TEST

/* Hits are independent of the cache and of each other: freed in any order, used after
 * their entry is evicted and after the context is destroyed. */
START_TEST(cache_themes_outlive_entries_and_context)
{
    const covertheme_api *api = load_api();
    covertheme_ctx *ctx = api->create();
    img a = cover_png(cover_index("two_hue")), b = cover_png(cover_index("ocean"));
    renders want = uncached_renders(api, &a, "two_hue");
    covertheme_theme *t1 = gen_expect(api, ctx, &a, 0, "miss");
    covertheme_theme *t2 = gen_expect(api, ctx, &a, 1, "hit 1");
    covertheme_theme *t3 = gen_expect(api, ctx, &a, 1, "hit 2");
    covertheme_theme *t4 = gen_expect(api, ctx, &a, 1, "hit 3");
    api->theme_free(t2); /* a hit first */
    assert_same_as(api, t1, &want, "computed theme after a hit was freed");
    assert_same_as(api, t3, &want, "hit after another hit was freed");
    api->theme_free(t1); /* then the computed one */
    assert_same_as(api, t4, &want, "hit after the computed theme was freed");
    /* Evict A's entry: the hits stay valid. */
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 1), COVERTHEME_OK);
    gen_check(api, ctx, &b, 0, "B evicts A");
    assert_same_as(api, t3, &want, "hit after its entry was evicted");
    covertheme_theme *t5 = gen_expect(api, ctx, &b, 1, "B hit");
    covertheme_theme *t6 = gen_expect(api, ctx, &a, 0, "A again, evicting B");
    /* Destroy the context with themes and an entry outstanding. */
    api->destroy(ctx);
    assert_same_as(api, t3, &want, "hit after destroy");
    assert_same_as(api, t6, &want, "computed after destroy");
    char *json = render(api, t5, COVERTHEME_FORMAT_JSON, 0);
    ck_assert(json_valid(json));
    api->free(json);
    api->theme_free(t5);
    api->theme_free(t4);
    api->theme_free(t6);
    api->theme_free(t3);
    /* Destroying a context whose cache is full and whose themes were all freed. */
    ctx = api->create();
    ck_assert_int_eq(api->set_option(ctx, COVERTHEME_OPT_CACHE_ENTRIES, 64), COVERTHEME_OK);
    gen_check(api, ctx, &a, 0, "A in a fresh context");
    gen_check(api, ctx, &b, 0, "B in a fresh context");
    api->destroy(ctx);
    renders_free(api, &want);
    free(a.data);
    free(b.data);
}
END_TEST

/* ==== Tests: the CLI ======================================================================== */

typedef tg_proc cli_result;

/* Runs the CLI with `args` (NULL-terminated), stdin from `in_path` (or /dev/null) and
 * RMPC_THEME_DEBUG set to `debug_env` (or unset). */
static cli_result run_cli(const char *dir, const char *in_path, const char *debug_env, const char *const *args)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = cli_path();
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    return tg_run(argv, in_path, debug_env, dir);
}

#define cli_free tg_proc_free

#define CLI(dir, in, dbg, ...) run_cli((dir), (in), (dbg), (const char *const[]){__VA_ARGS__, NULL})

static void expect_status(const cli_result *r, int want, const char *what)
{
    ck_assert_msg(r->status == want, "%s: exit %d, want %d; stderr: %.300s", what, r->status, want, r->err);
}

START_TEST(cli_usage_and_version)
{
    const covertheme_api *api = load_api();
    char *dir = temp_dir("cli-usage");
    char *png = join(dir, "cover.png");
    img m = cover_png(cover_index("two_hue"));
    write_file(png, m.data, m.len);
    free(m.data);

    cli_result r = CLI(dir, NULL, NULL, "--help");
    expect_status(&r, 0, "--help");
    ck_assert_msg(strstr(r.out, "--image") != NULL, "--help does not mention --image");
    cli_free(&r);
    r = CLI(dir, NULL, NULL, "-h");
    expect_status(&r, 0, "-h");
    cli_free(&r);
    r = CLI(dir, NULL, NULL, "--version");
    expect_status(&r, 0, "--version");
    ck_assert_msg(strstr(r.out, api->version_string()) != NULL, "--version says '%s'", r.out);
    cli_free(&r);
    r = CLI(dir, NULL, NULL, "-V");
    expect_status(&r, 0, "-V");
    cli_free(&r);

    const char *const *cases[] = {
        (const char *const[]){"--k", "5", NULL},
        (const char *const[]){"--image", png, "--k", "0", NULL},
        (const char *const[]){"--image", png, "--k", "257", NULL},
        (const char *const[]){"--image", png, "--k", "abc", NULL},
        (const char *const[]){"--image", png, "--space", "foo", NULL},
        (const char *const[]){"--image", png, "--bogus", NULL},
        (const char *const[]){"--image", png, "-z", NULL},
        (const char *const[]){"--image", NULL},
        (const char *const[]){"--image", png, "--format", "xml", NULL},
        (const char *const[]){"--image", png, "--bg-policy", "neon", NULL},
        (const char *const[]){"--image", png, "extra-argument", NULL},
        (const char *const[]){NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = run_cli(dir, NULL, NULL, cases[i]);
        char what[300] = "usage case:";
        for (const char *const *a = cases[i]; *a; a++) {
            strncat(what, " ", sizeof what - strlen(what) - 1);
            strncat(what, *a, sizeof what - strlen(what) - 1);
        }
        expect_status(&r, 2, what);
        ck_assert_msg(r.out[0] == '\0', "%s: wrote to stdout", what);
        ck_assert_msg(r.err[0] != '\0', "%s: nothing on stderr", what);
        cli_free(&r);
    }
    /* Accepted spellings of --space. */
    r = CLI(dir, NULL, NULL, "--image", png, "--space", "luv", "-k", "4");
    expect_status(&r, 0, "--space luv");
    cli_free(&r);
    tg_remove_tree(dir);
    free(dir);
    free(png);
}
END_TEST

START_TEST(cli_generate_outputs)
{
    char *dir = temp_dir("cli-gen");
    char *png = join(dir, "cover.png");
    img m = cover_png(cover_index("two_hue"));
    write_file(png, m.data, m.len);
    free(m.data);

    cli_result r = CLI(dir, NULL, NULL, "--image", png);
    expect_status(&r, 0, "valid PNG");
    ck_assert_msg(r.out[0] == '{', "stdout starts '%.20s'", r.out);
    ck_assert_msg(json_valid(r.out), "stdout is not valid JSON");
    ck_assert_msg(!json_has_debug_block(r.out), "debug block without --debug");
    cli_free(&r);

    r = CLI(dir, NULL, NULL, "--image", png, "--format", "ron");
    expect_status(&r, 0, "--format ron");
    ck_assert_msg(starts_with(r.out, "#![enable(implicit_some)]"), "RON stdout starts '%.30s'", r.out);
    char *ron_file = r.out;
    r.out = NULL;
    cli_free(&r);

    /* Standard input. */
    r = CLI(dir, png, NULL, "--image", "-", "--format", "ron");
    expect_status(&r, 0, "--image -");
    ck_assert_msg(strcmp(r.out, ron_file) == 0, "RON from stdin differs from RON from the file");
    cli_free(&r);
    r = CLI(dir, png, NULL, "-i", "-");
    expect_status(&r, 0, "-i - (JSON)");
    ck_assert(json_valid(r.out));
    cli_free(&r);

    /* --theme-output creates parents and writes the RON atomically. */
    char *sub = join(dir, "out");
    char *sub2 = join(sub, "sub");
    char *theme = join(sub2, "theme.ron");
    r = CLI(dir, NULL, NULL, "--image", png, "--theme-output", theme);
    expect_status(&r, 0, "--theme-output");
    ck_assert_msg(strstr(r.err, "Theme written to:") != NULL, "stderr: '%s'", r.err);
    ck_assert_msg(strstr(r.err, theme) != NULL, "stderr does not name the theme: '%s'", r.err);
    ck_assert(json_valid(r.out));
    cli_free(&r);
    char *got = tg_read_text(theme, NULL);
    ck_assert_msg(got != NULL, "theme file not written");
    ck_assert_msg(strcmp(got, ron_file) == 0, "--theme-output differs from --format ron");
    free(got);
    char *ls = list_dir(sub2);
    ck_assert_msg(strcmp(ls, "theme.ron") == 0, "theme directory holds '%s'", ls);
    free(ls);

    /* A failed run leaves the existing theme untouched. */
    char *corrupt = join(dir, "corrupt.png");
    write_file(corrupt, "\x89PNG\r\n\x1a\n garbage garbage garbage", 32);
    r = CLI(dir, NULL, NULL, "--image", corrupt, "--theme-output", theme);
    expect_status(&r, 1, "corrupt image with --theme-output");
    ck_assert_msg(strstr(r.err, "Theme written to:") == NULL, "failed run claims to have written the theme");
    cli_free(&r);
    got = tg_read_text(theme, NULL);
    ck_assert_msg(got && strcmp(got, ron_file) == 0, "old theme changed by a failed run");
    free(got);
    ls = list_dir(sub2);
    ck_assert_msg(strcmp(ls, "theme.ron") == 0, "theme directory holds '%s' after a failed run", ls);
    free(ls);

    /* --disable-scrollbar */
    r = CLI(dir, NULL, NULL, "--image", png, "--theme-output", theme, "--disable-scrollbar");
    expect_status(&r, 0, "--disable-scrollbar");
    ck_assert_msg(strstr(r.out, "\"scrollbarEnabled\": false") != NULL, "JSON scrollbarEnabled not false");
    cli_free(&r);
    got = tg_read_text(theme, NULL);
    ck_assert_msg(got && strstr(got, "scrollbar: None") != NULL, "theme lacks 'scrollbar: None'");
    free(got);

    /* --debug and RMPC_THEME_DEBUG */
    r = CLI(dir, NULL, NULL, "--image", png, "--debug");
    expect_status(&r, 0, "--debug");
    ck_assert_msg(json_has_debug_block(r.out), "--debug: no debug block");
    ck_assert(json_valid(r.out));
    cli_free(&r);
    static const char *const truthy[] = {"1", "true", "YES", "On"};
    for (int i = 0; i < 4; i++) {
        r = CLI(dir, NULL, truthy[i], "--image", png);
        expect_status(&r, 0, "RMPC_THEME_DEBUG");
        ck_assert_msg(json_has_debug_block(r.out), "RMPC_THEME_DEBUG=%s: no debug block", truthy[i]);
        cli_free(&r);
    }
    r = CLI(dir, NULL, "0", "--image", png);
    expect_status(&r, 0, "RMPC_THEME_DEBUG=0");
    ck_assert_msg(!json_has_debug_block(r.out), "RMPC_THEME_DEBUG=0 added a debug block");
    cli_free(&r);

    /* -o FILE: JSON to the file, nothing on stdout. */
    char *jpath = join(dir, "analysis.json");
    r = CLI(dir, NULL, NULL, "--image", png, "-o", jpath);
    expect_status(&r, 0, "-o FILE");
    ck_assert_msg(r.out[0] == '\0', "-o: stdout has '%.40s'", r.out);
    cli_free(&r);
    got = tg_read_text(jpath, NULL);
    ck_assert_msg(got && got[0] == '{' && json_valid(got), "-o FILE is not JSON");
    free(got);

    free(ron_file);
    tg_remove_tree(dir);
    free(dir);
    free(png);
    free(sub);
    free(sub2);
    free(theme);
    free(corrupt);
    free(jpath);
}
END_TEST

START_TEST(cli_runtime_errors)
{
    char *dir = temp_dir("cli-err");
    char *missing = join(dir, "no-such-cover.png");
    cli_result r = CLI(dir, NULL, NULL, "--image", missing);
    expect_status(&r, 1, "missing image");
    ck_assert_msg(strstr(r.err, missing) != NULL, "stderr does not name %s: '%s'", missing, r.err);
    ck_assert_msg(r.out[0] == '\0', "missing image: stdout '%.40s'", r.out);
    cli_free(&r);

    r = CLI(dir, NULL, NULL, "--image", dir);
    expect_status(&r, 1, "directory as image");
    cli_free(&r);

    char *empty = join(dir, "empty.png");
    write_file(empty, "", 0);
    r = CLI(dir, NULL, NULL, "--image", empty);
    expect_status(&r, 1, "empty image");
    cli_free(&r);

    r = CLI(dir, NULL, NULL, "--image", "-");
    expect_status(&r, 1, "empty stdin");
    cli_free(&r);

    /* Output into a path whose parent is a file. */
    char *png = join(dir, "cover.png");
    img m = flat_png(8, 8, 200, 50, 50);
    write_file(png, m.data, m.len);
    free(m.data);
    char *bad = join(png, "out.json");
    r = CLI(dir, NULL, NULL, "--image", png, "-o", bad);
    expect_status(&r, 1, "-o under a regular file");
    cli_free(&r);

    tg_remove_tree(dir);
    free(dir);
    free(missing);
    free(empty);
    free(png);
    free(bad);
}
END_TEST

/* ==== Suite ================================================================================= */

static Suite *abi_suite(void)
{
    Suite *s = suite_create("abi");

    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, api_table);
    tcase_add_test(tc, api_exported_symbols_match_table);
    tcase_add_test(tc, api_versions);
    tcase_add_test(tc, api_strerror);
    tcase_add_test(tc, api_options);
    tcase_add_test(tc, api_options_apply);
    tcase_add_test(tc, api_names);
    tcase_add_test(tc, api_null_tolerance);
    tcase_add_test(tc, api_dlclose);
    suite_add_tcase(s, tc);

    tc = tcase_create("generate");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, gen_cover_count);
    tcase_add_test(tc, gen_formats_file_and_buffer);
    tcase_add_test(tc, gen_format_variants);
    tcase_add_loop_test(tc, gen_guarantees_cover, 0, tg_cover_count());
    tcase_add_test(tc, gen_special_covers);
    tcase_add_test(tc, gen_stability_png_vs_jpeg);
    tcase_add_test(tc, gen_determinism_threads);
    tcase_add_test(tc, gen_determinism_isa);
    tcase_add_test(tc, pool_lifecycle_and_dlclose);
    suite_add_tcase(s, tc);

    tc = tcase_create("render");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, render_formats_and_flags);
    tcase_add_test(tc, render_to_file_writes_and_replaces);
    tcase_add_test(tc, render_to_file_close_write_event);
    tcase_add_test(tc, render_to_file_links_and_pipes);
    tcase_add_test(tc, render_to_file_failures_keep_old);
    tcase_add_test(tc, render_json_matches_struct);
    tcase_add_test(tc, render_locale_independent);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, err_inputs);
    tcase_add_test(tc, err_limits);
    tcase_add_test(tc, err_last_error_per_context);
    tcase_add_test(tc, err_last_error_two_failing_contexts);
    tcase_add_test(tc, err_last_error_per_thread);
    tcase_add_test(tc, err_last_error_new_context_same_address);
    suite_add_tcase(s, tc);

    tc = tcase_create("threads");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, threads_share_one_context);
    suite_add_tcase(s, tc);

    tc = tcase_create("cache");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, cache_hit_same_bytes);
    tcase_add_test(tc, cache_keyed_by_bytes_not_path);
    tcase_add_test(tc, cache_options_are_part_of_key);
    tcase_add_test(tc, cache_capacity_zero_and_one);
    tcase_add_test(tc, cache_lru_eviction);
    tcase_add_test(tc, large_files_after_their_pages_are_released);
    tcase_add_test(tc, cache_themes_outlive_entries_and_context);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, cli_usage_and_version);
    tcase_add_test(tc, cli_generate_outputs);
    tcase_add_test(tc, cli_runtime_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int failed = tg_run_private(srunner_create(abi_suite()), "abi", CK_ENV);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
