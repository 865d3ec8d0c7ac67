/*
 * render_json.c — a theme as the JSON analysis document.
 *
 * The reference tool's schema (docs/reference-tool.md §g) is kept as a subset so existing
 * scripts keep working: version, clusters, roleAssignments (its 11 role strings in its
 * order, then ours), totalSamples, iterations, durationMs, colorSpace, scrollbarEnabled,
 * and with COVERTHEME_RENDER_DEBUG the `debug` block. covertheme's own fields follow.
 *
 * Pretty-printed like serde_json (2-space indent, "key": value, empty containers as {} and
 * []), keys in a fixed order, every number through ct_buf_fixed/ct_buf_u64 so the output
 * is byte-deterministic and independent of LC_NUMERIC. Contrasts are recomputed from the
 * 8-bit colours that are written out, so they can never disagree with the hex values.
 */
#include "render.h"

#include <math.h>
#include <string.h>

#include "color.h"
#include "theme_private.h"

/* Decimal places per kind of number. */
enum {
    DEC_CONTRAST = 3,
    DEC_SHARE = 6,
    DEC_COLOUR = 4, /* Lab, HSV, OKLCH, deltaE, lightness separation */
    DEC_MS = 3,
    DEC_CONFIDENCE = 2,
    DEC_SCORE = 4
};

/* ---- A tiny pretty-printing JSON writer ----------------------------------------------- */

#define JW_MAX_DEPTH 16

typedef struct jw {
    ct_buf *b;
    int depth;
    int pending_key;                 /* a key was written; the value follows on the same line */
    unsigned char has[JW_MAX_DEPTH]; /* container at this depth already has a member */
} jw;

/* Comma, newline and indentation before a member (nothing at the top level). */
static void jw_prefix(jw *w)
{
    if (w->pending_key) {
        w->pending_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->has[w->depth - 1])
        ct_buf_putc(w->b, ',');
    ct_buf_putc(w->b, '\n');
    ct_buf_rep(w->b, "  ", w->depth);
    w->has[w->depth - 1] = 1;
}

static void jw_key(jw *w, const char *key)
{
    jw_prefix(w);
    ct_buf_json_str(w->b, key);
    ct_buf_puts(w->b, ": ");
    w->pending_key = 1;
}

static void jw_open(jw *w, char c)
{
    jw_prefix(w);
    ct_buf_putc(w->b, c);
    /* The nesting below is fixed and shallow; the guard only keeps `has` in bounds. */
    if (w->depth < JW_MAX_DEPTH)
        w->has[w->depth] = 0;
    w->depth++;
}

static void jw_close(jw *w, char c)
{
    w->depth--;
    if (w->depth < JW_MAX_DEPTH && w->has[w->depth]) {
        ct_buf_putc(w->b, '\n');
        ct_buf_rep(w->b, "  ", w->depth);
    }
    ct_buf_putc(w->b, c);
}

static void jw_str(jw *w, const char *s)
{
    jw_prefix(w);
    ct_buf_json_str(w->b, s ? s : "");
}

static void jw_num(jw *w, double v, int decimals)
{
    jw_prefix(w);
    ct_buf_fixed(w->b, v, decimals);
}

static void jw_u64(jw *w, uint64_t v)
{
    jw_prefix(w);
    ct_buf_u64(w->b, v);
}

static void jw_i64(jw *w, int64_t v)
{
    jw_prefix(w);
    ct_buf_i64(w->b, v);
}

static void jw_bool(jw *w, int v)
{
    jw_prefix(w);
    ct_buf_puts(w->b, v ? "true" : "false");
}

static void jw_hex(jw *w, const uint8_t rgb[3])
{
    jw_prefix(w);
    ct_buf_putc(w->b, '"');
    ct_buf_hex(w->b, rgb[0], rgb[1], rgb[2]);
    ct_buf_putc(w->b, '"');
}

static void jw_kobj(jw *w, const char *k) { jw_key(w, k); jw_open(w, '{'); }
static void jw_karr(jw *w, const char *k) { jw_key(w, k); jw_open(w, '['); }
static void jw_kstr(jw *w, const char *k, const char *s) { jw_key(w, k); jw_str(w, s); }
static void jw_knum(jw *w, const char *k, double v, int d) { jw_key(w, k); jw_num(w, v, d); }
static void jw_ku64(jw *w, const char *k, uint64_t v) { jw_key(w, k); jw_u64(w, v); }
static void jw_kbool(jw *w, const char *k, int v) { jw_key(w, k); jw_bool(w, v); }
static void jw_khex(jw *w, const char *k, const uint8_t rgb[3]) { jw_key(w, k); jw_hex(w, rgb); }

/* A fixed-size char array from the debug data as a JSON string, even if it lacks its NUL. */
static void jw_kbounded(jw *w, const char *k, const char *s, size_t max)
{
    char tmp[CT_NOTE_MAX > CT_ORIGIN_MAX ? CT_NOTE_MAX + 1 : CT_ORIGIN_MAX + 1];
    size_t n = strnlen(s, max < sizeof tmp - 1 ? max : sizeof tmp - 1);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    jw_kstr(w, k, tmp);
}

/* [a, b, c] with one number per line, as serde_json prints arrays. */
static void jw_ktriple(jw *w, const char *k, double a, double b, double c, int d)
{
    jw_karr(w, k);
    jw_num(w, a, d);
    jw_num(w, b, d);
    jw_num(w, c, d);
    jw_close(w, ']');
}

/* ---- Theme access ------------------------------------------------------------------- */

/* Lower-case role names by enum value (covertheme_role_name is an exported function and
 * renderers do not call the public API). */
static const char *const ROLE_NAMES[CT_ROLE_COUNT] = {
    "background", "text",     "accent", "header_accent", "active", "highlight_text", "inactive",
    "frame",      "progress", "warn",   "error",         "debug",  "trace",
};

/* The role, or a black, flagless stand-in for a role a foreign struct does not carry. */
static const covertheme_role_color *role_of(const covertheme_theme *t, int role)
{
    static const covertheme_role_color missing = {.source_cluster = -1};
    if (!t->roles || role < 0 || (uint32_t)role >= t->role_count)
        return &missing;
    return &t->roles[role];
}

static void rgb_of(const covertheme_theme *t, int role, uint8_t out[3])
{
    const covertheme_role_color *r = role_of(t, role);
    out[0] = r->rgb.r;
    out[1] = r->rgb.g;
    out[2] = r->rgb.b;
}

static double contrast_of(const covertheme_theme *t, int a, int b)
{
    uint8_t ca[3], cb[3];
    rgb_of(t, a, ca);
    rgb_of(t, b, cb);
    return ct_contrast(ca, cb);
}

/* 0 = cluster colour as is, 1 = cluster colour adjusted, 2 = synthetic. */
static int provenance(uint32_t flags)
{
    if (!(flags & COVERTHEME_ROLE_FROM_CLUSTER))
        return 2;
    return (flags & COVERTHEME_ROLE_ADJUSTED) ? 1 : 0;
}

static double confidence(uint32_t flags)
{
    static const double by_provenance[3] = {0.9, 0.75, 0.5};
    return by_provenance[provenance(flags)];
}

static const char *space_name(int32_t space)
{
    static const char *const names[] = {"CIELAB", "RGB", "HSL", "HSV", "YUV", "CIELUV"};
    if (space < 0 || (size_t)space >= sizeof names / sizeof names[0])
        return "";
    return names[space];
}

static const char *policy_name(int32_t policy)
{
    static const char *const names[] = {"tinted", "faithful", "dark", "light"};
    if (policy < 0 || (size_t)policy >= sizeof names / sizeof names[0])
        return "";
    return names[policy];
}

static const char *format_name(uint32_t format)
{
    switch (format) {
    case COVERTHEME_IMAGE_PNG: return "png";
    case COVERTHEME_IMAGE_JPEG: return "jpeg";
    case COVERTHEME_IMAGE_WEBP: return "webp";
    default: return "";
    }
}

static void rgb_object(jw *w, const char *k, const uint8_t rgb[3])
{
    jw_kobj(w, k);
    jw_ku64(w, "r", rgb[0]);
    jw_ku64(w, "g", rgb[1]);
    jw_ku64(w, "b", rgb[2]);
    jw_close(w, '}');
}

/* ---- Reference sections ------------------------------------------------------------- */

static void version_string(jw *w)
{
    jw_key(w, "version");
    jw_prefix(w); /* consumes the pending key */
    ct_buf_putc(w->b, '"');
    ct_buf_u64(w->b, COVERTHEME_VERSION_MAJOR);
    ct_buf_putc(w->b, '.');
    ct_buf_u64(w->b, COVERTHEME_VERSION_MINOR);
    ct_buf_putc(w->b, '.');
    ct_buf_u64(w->b, COVERTHEME_VERSION_PATCH);
    ct_buf_putc(w->b, '"');
}

static void clusters(jw *w, const covertheme_theme *t)
{
    jw_karr(w, "clusters");
    for (uint32_t i = 0; t->palette && i < t->palette_count; i++) {
        const covertheme_cluster *c = &t->palette[i];
        const uint8_t rgb[3] = {c->rgb.r, c->rgb.g, c->rgb.b};
        jw_open(w, '{');
        rgb_object(w, "rgb", rgb);
        jw_ktriple(w, "hsv", c->hsv[0], c->hsv[1], c->hsv[2], DEC_COLOUR);
        jw_ktriple(w, "lab", c->lab[0], c->lab[1], c->lab[2], DEC_COLOUR);
        jw_ku64(w, "count", c->count);
        jw_knum(w, "share", c->share, DEC_SHARE);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

/* The reference's role strings in its order (Border and InactiveItem are both our
 * inactive role, ProgressBar and Scrollbar both our progress role), then ours. */
static const struct {
    const char *name;
    int role;
} ASSIGNMENTS[] = {
    {"Background", COVERTHEME_ROLE_BACKGROUND},
    {"Text", COVERTHEME_ROLE_TEXT},
    {"Accent", COVERTHEME_ROLE_ACCENT},
    {"Border", COVERTHEME_ROLE_INACTIVE},
    {"ActiveItem", COVERTHEME_ROLE_ACTIVE},
    {"HighlightText", COVERTHEME_ROLE_HIGHLIGHT_TEXT},
    {"Frame", COVERTHEME_ROLE_FRAME},
    {"HeaderAccent", COVERTHEME_ROLE_HEADER_ACCENT},
    {"InactiveItem", COVERTHEME_ROLE_INACTIVE},
    {"ProgressBar", COVERTHEME_ROLE_PROGRESS},
    {"Scrollbar", COVERTHEME_ROLE_PROGRESS},
    {"Warn", COVERTHEME_ROLE_WARN},
    {"Error", COVERTHEME_ROLE_ERROR},
    {"Debug", COVERTHEME_ROLE_DEBUG},
    {"Trace", COVERTHEME_ROLE_TRACE},
};

static void role_assignment(jw *w, const covertheme_theme *t, const char *name, int role)
{
    const covertheme_role_color *r = role_of(t, role);
    uint8_t rgb[3];
    double hsv[3], lab[3];
    rgb_of(t, role, rgb);
    ct_srgb8_to_hsv(rgb, hsv);
    ct_srgb8_to_lab(rgb, lab);

    jw_open(w, '{');
    jw_kstr(w, "role", name);
    rgb_object(w, "rgb", rgb);
    jw_ktriple(w, "hsv", hsv[0], hsv[1], hsv[2], DEC_COLOUR);
    jw_ktriple(w, "lab", lab[0], lab[1], lab[2], DEC_COLOUR);
    jw_khex(w, "hex", rgb);
    if (r->source_cluster >= 0) {
        jw_key(w, "sourceClusterIndex");
        jw_i64(w, r->source_cluster);
    }
    jw_knum(w, "confidence", confidence(r->flags), DEC_CONFIDENCE);
    /* Unlike the reference (whose HighlightText "contrastAgainstBackground" is really
     * against active), each field means what it says; contrastAgainstActive is added. */
    jw_knum(w, "contrastAgainstBackground",
            contrast_of(t, role, COVERTHEME_ROLE_BACKGROUND), DEC_CONTRAST);
    jw_knum(w, "contrastAgainstText", contrast_of(t, role, COVERTHEME_ROLE_TEXT), DEC_CONTRAST);
    jw_knum(w, "contrastAgainstActive", contrast_of(t, role, COVERTHEME_ROLE_ACTIVE),
            DEC_CONTRAST);
    jw_kstr(w, "origin", r->origin);
    jw_close(w, '}');
}

static void role_assignments(jw *w, const covertheme_theme *t)
{
    jw_karr(w, "roleAssignments");
    for (size_t i = 0; i < sizeof ASSIGNMENTS / sizeof ASSIGNMENTS[0]; i++)
        role_assignment(w, t, ASSIGNMENTS[i].name, ASSIGNMENTS[i].role);
    jw_close(w, ']');
}

static double ms(uint64_t ns, unsigned flags)
{
    return (flags & COVERTHEME_RENDER_NO_TIMINGS) ? 0.0 : (double)ns / 1e6;
}

/* ---- covertheme's own fields -------------------------------------------------------- */

static void own_fields(jw *w, const covertheme_theme *t, unsigned flags)
{
    const covertheme_timings *tm = &t->timings;
    jw_kstr(w, "generator", "covertheme");
    jw_ku64(w, "abiVersion", t->abi_version);
    jw_kstr(w, "backgroundPolicy", policy_name(t->bg_policy));
    jw_ku64(w, "k", t->k_requested);
    jw_ku64(w, "kEffective", t->k_effective);
    jw_ku64(w, "seed", t->seed);

    jw_kobj(w, "image");
    jw_ku64(w, "width", t->image_width);
    jw_ku64(w, "height", t->image_height);
    jw_kstr(w, "format", format_name(t->image_format));
    jw_close(w, '}');

    jw_kobj(w, "roles");
    for (int i = 0; i < CT_ROLE_COUNT; i++) {
        uint8_t rgb[3];
        rgb_of(t, i, rgb);
        jw_khex(w, ROLE_NAMES[i], rgb);
    }
    jw_close(w, '}');

    jw_kobj(w, "timingsMs");
    jw_knum(w, "read", ms(tm->read_ns, flags), DEC_MS);
    jw_knum(w, "decode", ms(tm->decode_ns, flags), DEC_MS);
    jw_knum(w, "sample", ms(tm->sample_ns, flags), DEC_MS);
    jw_knum(w, "convert", ms(tm->convert_ns, flags), DEC_MS);
    jw_knum(w, "cluster", ms(tm->cluster_ns, flags), DEC_MS);
    jw_knum(w, "roles", ms(tm->roles_ns, flags), DEC_MS);
    jw_knum(w, "total", ms(tm->total_ns, flags), DEC_MS);
    jw_close(w, '}');
}

/* ---- debug -------------------------------------------------------------------------- */

/* The reference's pair entry for the accent/active pair the theme ended up with. */
static void pair_object(jw *w, const covertheme_theme *t)
{
    enum { BG = COVERTHEME_ROLE_BACKGROUND, TX = COVERTHEME_ROLE_TEXT,
           AC = COVERTHEME_ROLE_ACCENT, AV = COVERTHEME_ROLE_ACTIVE };
    const covertheme_role_color *acc = role_of(t, AC), *act = role_of(t, AV);
    uint8_t c[4][3];
    double lab[4][3], lch[4][3];
    const int order[4] = {AC, AV, BG, TX};
    for (int i = 0; i < 4; i++) {
        rgb_of(t, order[i], c[i]);
        ct_srgb8_to_lab(c[i], lab[i]);
        ct_srgb8_to_oklch(c[i], lch[i]);
    }
    const double acc_bg = ct_contrast(c[0], c[2]), acc_text = ct_contrast(c[0], c[3]);
    const double acc_act = ct_contrast(c[0], c[1]);
    const double act_bg = ct_contrast(c[1], c[2]), act_text = ct_contrast(c[1], c[3]);
    double min = acc_bg;
    const double rest[4] = {acc_text, acc_act, act_bg, act_text};
    for (int i = 0; i < 4; i++)
        if (rest[i] < min)
            min = rest[i];
    const double dl = lab[0][0] - lab[1][0], da = lab[0][1] - lab[1][1];
    const double db = lab[0][2] - lab[1][2];
    const double de = sqrt(dl * dl + da * da + db * db);

    jw_open(w, '{');
    jw_khex(w, "accentHex", c[0]);
    jw_kstr(w, "accentOrigin", acc->origin);
    jw_khex(w, "activeHex", c[1]);
    jw_kstr(w, "activeOrigin", act->origin);
    jw_knum(w, "accentBg", acc_bg, DEC_CONTRAST);
    jw_knum(w, "accentText", acc_text, DEC_CONTRAST);
    jw_knum(w, "accentActive", acc_act, DEC_CONTRAST);
    jw_knum(w, "activeBg", act_bg, DEC_CONTRAST);
    jw_knum(w, "activeText", act_text, DEC_CONTRAST);
    jw_knum(w, "deltaE", de, DEC_COLOUR);
    jw_knum(w, "minContrast", min, DEC_CONTRAST);
    jw_knum(w, "brightnessSeparation", fabs(dl), DEC_COLOUR);
    jw_ku64(w, "provenanceScore",
            (uint64_t)(provenance(acc->flags) + provenance(act->flags)));
    static const char *const hue_keys[4] = {"accentHue", "activeHue", "backgroundHue",
                                            "textHue"};
    static const char *const chroma_keys[4] = {"accentChroma", "activeChroma",
                                               "backgroundChroma", "textChroma"};
    for (int i = 0; i < 4; i++) {
        jw_knum(w, hue_keys[i], lch[i][2], DEC_COLOUR);
        jw_knum(w, chroma_keys[i], lch[i][1], DEC_COLOUR);
    }
    jw_close(w, '}');
}

static void candidates(jw *w, const char *k, const ct_candidate *c, uint32_t n)
{
    if (n > CT_MAX_CANDIDATES)
        n = CT_MAX_CANDIDATES;
    jw_karr(w, k);
    for (uint32_t i = 0; i < n; i++) {
        jw_open(w, '{');
        jw_khex(w, "hex", c[i].rgb);
        jw_kbounded(w, "origin", c[i].origin, sizeof c[i].origin);
        jw_key(w, "provenanceRank");
        jw_i64(w, c[i].rank);
        jw_knum(w, "baseScore", c[i].score, DEC_SCORE);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static void pairwise(jw *w, const covertheme_theme *t, const ct_theme_debug *d)
{
    const uint32_t yielded = (role_of(t, COVERTHEME_ROLE_ACCENT)->flags |
                              role_of(t, COVERTHEME_ROLE_ACTIVE)->flags) &
                             COVERTHEME_ROLE_YIELDED;
    jw_kobj(w, "pairwise");
    jw_ku64(w, "evaluatedPairs", (uint64_t)d->n_accent * d->n_active);
    jw_kstr(w, "passMode", yielded ? "yielded" : "strict");
    jw_key(w, "winningPair");
    pair_object(w, t);
    jw_karr(w, "topPairs");
    pair_object(w, t);
    jw_close(w, ']');
    candidates(w, "accentCandidates", d->accent, d->n_accent);
    candidates(w, "activeCandidates", d->active, d->n_active);
    jw_close(w, '}');
}

static void debug_roles(jw *w, const covertheme_theme *t)
{
    const covertheme_role_color *hl = role_of(t, COVERTHEME_ROLE_HIGHLIGHT_TEXT);
    const covertheme_role_color *fr = role_of(t, COVERTHEME_ROLE_FRAME);
    const covertheme_role_color *act = role_of(t, COVERTHEME_ROLE_ACTIVE);
    uint8_t rgb[3];

    jw_kobj(w, "roles");
    jw_kobj(w, "highlightText");
    rgb_of(t, COVERTHEME_ROLE_HIGHLIGHT_TEXT, rgb);
    jw_khex(w, "hex", rgb);
    jw_kstr(w, "origin", hl->origin);
    jw_knum(w, "contrastAgainstActive",
            contrast_of(t, COVERTHEME_ROLE_HIGHLIGHT_TEXT, COVERTHEME_ROLE_ACTIVE), DEC_CONTRAST);
    jw_close(w, '}');

    jw_kobj(w, "frame");
    rgb_of(t, COVERTHEME_ROLE_FRAME, rgb);
    jw_khex(w, "hex", rgb);
    jw_kstr(w, "origin", fr->origin);
    jw_knum(w, "contrastAgainstBackground",
            contrast_of(t, COVERTHEME_ROLE_FRAME, COVERTHEME_ROLE_BACKGROUND), DEC_CONTRAST);
    jw_knum(w, "contrastAgainstText",
            contrast_of(t, COVERTHEME_ROLE_FRAME, COVERTHEME_ROLE_TEXT), DEC_CONTRAST);
    jw_close(w, '}');

    /* The playing row is highlight_text on active (current_item_style in the RON). */
    jw_kobj(w, "playingRow");
    rgb_of(t, COVERTHEME_ROLE_HIGHLIGHT_TEXT, rgb);
    jw_khex(w, "hex", rgb);
    ct_buf origin;
    ct_buf_init(&origin);
    ct_buf_puts(&origin, "fg:");
    ct_buf_puts(&origin, hl->origin ? hl->origin : "");
    ct_buf_puts(&origin, " | bg:");
    ct_buf_puts(&origin, act->origin ? act->origin : "");
    if (origin.oom || !origin.data)
        w->b->oom = 1; /* the caller sees the failure through the output buffer */
    else
        jw_kstr(w, "origin", origin.data);
    ct_buf_release(&origin);
    jw_close(w, '}');
    jw_close(w, '}');
}

static void notes(jw *w, const ct_theme_debug *d)
{
    jw_kobj(w, "notes");
    for (int i = 0; i < CT_ROLE_COUNT; i++)
        if (d->note[i][0] != '\0')
            jw_kbounded(w, ROLE_NAMES[i], d->note[i], sizeof d->note[i]);
    jw_close(w, '}');
}

static void debug_block(jw *w, const covertheme_theme *t)
{
    const ct_theme_debug *d = &ct_theme_block_of(t)->debug;
    jw_kobj(w, "debug");
    pairwise(w, t, d);
    debug_roles(w, t);
    notes(w, d);
    jw_close(w, '}');
}

void ct_render_json(const covertheme_theme *t, unsigned flags, ct_buf *out)
{
    jw w;
    memset(&w, 0, sizeof w);
    w.b = out;

    jw_open(&w, '{');
    version_string(&w);
    clusters(&w, t);
    role_assignments(&w, t);
    jw_ku64(&w, "totalSamples", t->sample_count);
    jw_ku64(&w, "iterations", t->iterations);
    jw_knum(&w, "durationMs", ms(t->timings.total_ns, flags), DEC_MS);
    jw_kstr(&w, "colorSpace", space_name(t->color_space));
    jw_kbool(&w, "scrollbarEnabled", !(flags & COVERTHEME_RENDER_NO_SCROLLBAR));
    own_fields(&w, t, flags);
    if (flags & COVERTHEME_RENDER_DEBUG)
        debug_block(&w, t);
    jw_close(&w, '}');
    ct_buf_putc(out, '\n');
}
