#include "roles.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "color.h"

/* ---- per-cluster facts ------------------------------------------------------------ */

typedef struct cl_info {
    uint8_t rgb[3];
    double share;
    double L, C, h; /* OKLCH */
    double a, b;    /* OKLab */
    int colourful;
    double score;   /* prominence as an accent: sqrt(share) * chroma */
} cl_info;

static void describe_clusters(const ct_role_cluster *in, uint32_t n, cl_info *out)
{
    for (uint32_t i = 0; i < n; i++) {
        cl_info *c = &out[i];
        memcpy(c->rgb, in[i].rgb, 3);
        c->share = in[i].share;
        double lch[3], lab[3];
        ct_srgb8_to_oklch(c->rgb, lch);
        ct_srgb8_to_oklab(c->rgb, lab);
        c->L = lch[0];
        c->C = lch[1];
        c->h = lch[2];
        c->a = lab[1];
        c->b = lab[2];
        c->colourful = c->C >= CT_COLOURFUL_CHROMA && c->share >= CT_COLOURFUL_SHARE;
        c->score = sqrt(c->share) * c->C;
    }
}

/* ---- the lightness search ---------------------------------------------------------- */

#define MAX_CONSTRAINTS 4

/* One requirement on a candidate 8-bit colour, relative to another colour. */
typedef struct constraint {
    const uint8_t *other;
    double min_contrast; /* 0 = none */
    double max_contrast; /* 0 = none; the candidate's contrast must stay below */
    double min_distance; /* OKLab distance, 0 = none */
} constraint;

typedef struct pick_req {
    double h;          /* hue to keep, degrees */
    double c_want;     /* chroma wished for (reduced to the gamut at each lightness) */
    double c_min;      /* below this the hue wish yields (0 = no wish) */
    double L_pref;     /* start of the search */
    double L_lo, L_hi; /* search range */
    double hue_ref;    /* if >= 0: 8-bit result's hue must stay within hue_tol of it ... */
    double hue_tol;
    double hue_avoid;  /* if >= 0: ... and at least hue_gap away from this hue */
    double hue_gap;
    int n;
    constraint cons[MAX_CONSTRAINTS];
} pick_req;

typedef struct pick_res {
    uint8_t rgb[3];
    double L, C;
    int met_wish; /* chroma and hue wishes met */
    int found;    /* constraints met at all */
} pick_res;

static pick_req req_new(double h, double c_want, double c_min, double L_pref)
{
    pick_req r;
    memset(&r, 0, sizeof r);
    r.h = h;
    r.c_want = c_want;
    r.c_min = c_min;
    r.L_pref = L_pref;
    r.L_lo = 0.0;
    r.L_hi = 1.0;
    r.hue_ref = -1.0;
    r.hue_avoid = -1.0;
    return r;
}

static void req_add(pick_req *r, const uint8_t *other, double min_c, double max_c, double min_d)
{
    if (r->n >= MAX_CONSTRAINTS)
        return;
    constraint *c = &r->cons[r->n++];
    c->other = other;
    c->min_contrast = min_c;
    c->max_contrast = max_c;
    c->min_distance = min_d;
}

static int constraints_hold(const pick_req *r, const uint8_t rgb[3])
{
    for (int i = 0; i < r->n; i++) {
        const constraint *c = &r->cons[i];
        double cr = ct_contrast(rgb, c->other);
        if (c->min_contrast > 0.0 && cr < c->min_contrast)
            return 0;
        if (c->max_contrast > 0.0 && cr >= c->max_contrast)
            return 0;
        if (c->min_distance > 0.0 && ct_oklab_distance(rgb, c->other) < c->min_distance)
            return 0;
    }
    return 1;
}

static int wish_holds(const pick_req *r, const uint8_t rgb[3])
{
    if (r->c_min <= 0.0)
        return 1;
    double lch[3];
    ct_srgb8_to_oklch(rgb, lch);
    if (lch[1] < r->c_min)
        return 0;
    if (r->hue_ref >= 0.0 && ct_hue_delta(lch[2], r->hue_ref) > r->hue_tol)
        return 0;
    if (r->hue_avoid >= 0.0 && ct_hue_delta(lch[2], r->hue_avoid) < r->hue_gap)
        return 0;
    return 1;
}

#define L_STEP 0.0025

/* Walks lightness outward from L_pref (alternating sides, nearest first). The first colour
 * meeting constraints and wishes wins; otherwise the colour meeting the constraints with
 * the most chroma (nearest on ties) is returned with met_wish = 0. */
static pick_res pick(const pick_req *r)
{
    pick_res best;
    memset(&best, 0, sizeof best);
    double best_c = -1.0;
    int steps = (int)(1.0 / L_STEP) + 2;
    for (int i = 0; i <= 2 * steps; i++) {
        int k = (i + 1) / 2;
        double L = r->L_pref + ((i & 1) ? k * L_STEP : -k * L_STEP);
        if (i > 0 && (L < r->L_lo - 1e-12 || L > r->L_hi + 1e-12))
            continue;
        if (L < 0.0)
            L = 0.0;
        if (L > 1.0)
            L = 1.0;
        double C = ct_oklch_max_chroma(L, r->h, r->c_want);
        uint8_t rgb[3];
        ct_oklch_to_srgb8(L, C, r->h, rgb);
        if (!constraints_hold(r, rgb))
            continue;
        if (wish_holds(r, rgb)) {
            memcpy(best.rgb, rgb, 3);
            best.L = L;
            best.C = C;
            best.met_wish = 1;
            best.found = 1;
            return best;
        }
        if (C > best_c + 1e-9) {
            best_c = C;
            memcpy(best.rgb, rgb, 3);
            best.L = L;
            best.C = C;
            best.found = 1;
        }
    }
    return best;
}

/* Black or white, whichever contrasts more with `against`: the last resort that always
 * reaches 4.58:1 or more. */
static void black_or_white(const uint8_t against[3], uint8_t out[3])
{
    static const uint8_t black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
    const uint8_t *pick_bw = ct_contrast(black, against) >= ct_contrast(white, against) ? black : white;
    memcpy(out, pick_bw, 3);
}

static double hue_of_rgb(const uint8_t rgb[3])
{
    double lch[3];
    ct_srgb8_to_oklch(rgb, lch);
    return lch[2];
}

/* ---- output helpers ---------------------------------------------------------------- */

/* "+0.123" with integer arithmetic, so no locale can change it. */
static void fmt_signed3(char *buf, size_t cap, double v)
{
    if (!(v > -9.0))
        v = -9.0; /* colour differences are tiny; clamping keeps the text short */
    if (v > 9.0)
        v = 9.0;
    int m = (int)lround(v * 1000.0);
    char sign = m < 0 ? '-' : '+';
    if (m < 0)
        m = -m;
    snprintf(buf, cap, "%c%d.%03d", sign, (m / 1000) % 10, m % 1000);
}

static void set_role(ct_roles *o, int role, const uint8_t rgb[3], int source, const cl_info *cl,
                     const char *what)
{
    memcpy(o->rgb[role], rgb, 3);
    o->source[role] = source;
    uint32_t flags = 0;
    char *org = o->origin[role];
    if (source >= 0) {
        flags |= COVERTHEME_ROLE_FROM_CLUSTER;
        const cl_info *c = &cl[source];
        if (memcmp(c->rgb, rgb, 3) != 0) {
            flags |= COVERTHEME_ROLE_ADJUSTED;
            double lch[3];
            ct_srgb8_to_oklch(rgb, lch);
            char dl[16], dc[16];
            fmt_signed3(dl, sizeof dl, lch[0] - c->L);
            fmt_signed3(dc, sizeof dc, lch[1] - c->C);
            snprintf(org, CT_ORIGIN_MAX, "%s:%d L%s C%s", what, source, dl, dc);
        } else {
            snprintf(org, CT_ORIGIN_MAX, "%s:%d", what, source);
        }
    } else {
        snprintf(org, CT_ORIGIN_MAX, "%s", what);
    }
    o->flags[role] = flags;
}

static void note_yield(ct_roles *o, int role, const pick_res *r, const char *wish)
{
    o->flags[role] |= COVERTHEME_ROLE_YIELDED;
    char c[16];
    fmt_signed3(c, sizeof c, r->C);
    snprintf(o->debug.note[role], CT_NOTE_MAX,
             "%s not reachable together with the contrast minimum; kept chroma %s", wish, c);
}

/* ---- background ------------------------------------------------------------------- */

typedef struct bg_facts {
    int dark;       /* background in the dark band (text lighter than background) */
    double h, C, L; /* OKLCH of the chosen background */
} bg_facts;

/* The reference rule: first cluster with HSV S < 0.4 and 15 < L* < 85, else the largest. */
static int faithful_cluster(const cl_info *cl, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        double hsv[3], lab[3];
        ct_srgb8_to_hsv(cl[i].rgb, hsv);
        ct_srgb8_to_lab(cl[i].rgb, lab);
        if (hsv[1] < 0.4 && lab[0] > 15.0 && lab[0] < 85.0)
            return (int)i;
    }
    return 0;
}

/* Tinted: hue and chroma from a share-weighted mean of the clusters in OKLab, where weights
 * fall off quickly with chroma (the dominant low-saturation colours lead). A weighted mean
 * instead of a hard "first cluster with S < 0.4" keeps the background stable when a cover
 * is re-encoded (PNG vs JPEG). Lightness goes into a dark or light band by the cover's mean
 * lightness. */
static void tinted_background(const cl_info *cl, uint32_t n, int policy, ct_roles *o, bg_facts *bg)
{
    double wsum = 0.0, a = 0.0, b = 0.0, Lmean = 0.0, best_w = -1.0;
    int donor = -1;
    for (uint32_t i = 0; i < n; i++) {
        double w = cl[i].share * exp(-(cl[i].C / 0.05) * (cl[i].C / 0.05));
        wsum += w;
        a += w * cl[i].a;
        b += w * cl[i].b;
        Lmean += cl[i].share * cl[i].L;
        if (w > best_w) {
            best_w = w;
            donor = (int)i;
        }
    }
    if (!(wsum > 1e-6)) { /* every cluster vivid: fall back to plain shares */
        wsum = a = b = 0.0;
        for (uint32_t i = 0; i < n; i++) {
            wsum += cl[i].share;
            a += cl[i].share * cl[i].a;
            b += cl[i].share * cl[i].b;
        }
    }
    double h = 0.0, C = 0.0;
    if (wsum > 0.0) {
        a /= wsum;
        b /= wsum;
        C = sqrt(a * a + b * b);
        h = C < 1e-9 ? 0.0 : atan2(b, a) * 180.0 / 3.14159265358979323846;
        if (h < 0.0)
            h += 360.0;
    } else {
        Lmean = 0.2; /* no pixels at all: a neutral dark theme */
    }
    int dark = policy == COVERTHEME_BG_DARK ? 1 : policy == COVERTHEME_BG_LIGHT ? 0 : Lmean < 0.62;
    double L;
    if (dark) {
        double t = Lmean / 0.62;
        L = 0.18 + 0.10 * (t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t);
        if (C > 0.045)
            C = 0.045;
    } else {
        double t = (Lmean - 0.62) / 0.38;
        L = 0.90 + 0.07 * (t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t);
        if (C > 0.03)
            C = 0.03;
    }
    C = ct_oklch_max_chroma(L, h, C);
    uint8_t rgb[3];
    ct_oklch_to_srgb8(L, C, h, rgb);
    set_role(o, COVERTHEME_ROLE_BACKGROUND, rgb, donor, cl, donor >= 0 ? "tinted" : "synthetic:neutral");
    bg->dark = dark;
    bg->h = h;
    bg->C = C;
    bg->L = L;
}

static void choose_background(const cl_info *cl, uint32_t n, int policy, ct_roles *o, bg_facts *bg)
{
    if (policy != COVERTHEME_BG_FAITHFUL || n == 0) {
        tinted_background(cl, n, policy == COVERTHEME_BG_FAITHFUL ? COVERTHEME_BG_TINTED : policy, o, bg);
        return;
    }
    int i = faithful_cluster(cl, n);
    set_role(o, COVERTHEME_ROLE_BACKGROUND, cl[i].rgb, i, cl, "cluster");
    bg->h = cl[i].h;
    bg->C = cl[i].C;
    bg->L = cl[i].L;
    /* Text goes to whichever side of the background offers more contrast. */
    static const uint8_t black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
    bg->dark = ct_contrast(white, cl[i].rgb) >= ct_contrast(black, cl[i].rgb);
}

/* ---- text ------------------------------------------------------------------------- */

static void choose_text(const cl_info *cl, const bg_facts *bg, int policy, ct_roles *o)
{
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    double c = bg->C < 0.02 ? bg->C : 0.02;
    double L_pref = bg->dark ? 0.93 : 0.24;
    static const double targets[2] = {7.0, 4.5};
    int tries = policy == COVERTHEME_BG_FAITHFUL ? 2 : 1;
    for (int t = 0; t < tries; t++) {
        pick_req r = req_new(bg->h, c, 0.0, L_pref);
        req_add(&r, bgc, targets[t], 0.0, 0.0);
        pick_res p = pick(&r);
        if (p.found) {
            set_role(o, COVERTHEME_ROLE_TEXT, p.rgb, o->source[COVERTHEME_ROLE_BACKGROUND], cl,
                     "background-hue");
            return;
        }
    }
    uint8_t bw[3];
    black_or_white(bgc, bw);
    set_role(o, COVERTHEME_ROLE_TEXT, bw, -1, cl, "synthetic:black-or-white");
}

/* ---- accent and active -------------------------------------------------------------- */

typedef struct pair_choice {
    int accent, active; /* cluster indices, -1 = none */
    int need_gap;       /* the cover has two colourful hues >= 30 deg apart */
    uint32_t evaluated;
} pair_choice;

/* Colourful clusters by accent score, best first (stable: index order on ties). */
static uint32_t colourful_order(const cl_info *cl, uint32_t n, int *idx)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (cl[i].colourful)
            idx[m++] = (int)i;
    for (uint32_t i = 1; i < m; i++) { /* insertion sort: m <= 256 */
        int v = idx[i];
        uint32_t j = i;
        while (j > 0 && cl[idx[j - 1]].score < cl[v].score) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
    return m;
}

/* Picks the accent and active clusters. When two colourful hues at least 30 degrees apart
 * exist, the best-scoring such pair wins (accent weighs double), so accent and active can
 * keep different hues; otherwise active shares the accent's cluster. */
static pair_choice choose_pair(const cl_info *cl, const int *order, uint32_t m)
{
    pair_choice pc = {-1, -1, 0, 0};
    if (m == 0)
        return pc;
    pc.accent = pc.active = order[0];
    double best = -1.0;
    for (uint32_t i = 0; i < m; i++) {
        for (uint32_t j = 0; j < m; j++) {
            if (i == j)
                continue;
            pc.evaluated++;
            const cl_info *a = &cl[order[i]], *b = &cl[order[j]];
            if (ct_hue_delta(a->h, b->h) < 30.0)
                continue;
            double s = 2.0 * a->score + b->score;
            if (s > best) {
                best = s;
                pc.accent = order[i];
                pc.active = order[j];
                pc.need_gap = 1;
            }
        }
    }
    if (pc.evaluated == 0)
        pc.evaluated = 1;
    return pc;
}

/* Most chromatic cluster (any share), for covers with no colourful cluster. */
static int most_chromatic(const cl_info *cl, uint32_t n)
{
    int best = -1;
    for (uint32_t i = 0; i < n; i++)
        if (best < 0 || cl[i].C > cl[best].C)
            best = (int)i;
    return best;
}

static void record_candidates(const cl_info *cl, const int *order, uint32_t m, const pair_choice *pc,
                              ct_roles *o)
{
    ct_theme_debug *d = &o->debug;
    for (uint32_t i = 0; i < m && d->n_accent < CT_MAX_CANDIDATES; i++) {
        ct_candidate *c = &d->accent[d->n_accent++];
        memcpy(c->rgb, cl[order[i]].rgb, 3);
        c->rank = 0;
        c->score = (float)cl[order[i]].score;
        snprintf(c->origin, sizeof c->origin, "cluster:%d", order[i]);
    }
    for (uint32_t i = 0; i < m && d->n_active < CT_MAX_CANDIDATES; i++) {
        if (pc->need_gap && ct_hue_delta(cl[order[i]].h, cl[pc->accent].h) < 30.0)
            continue;
        ct_candidate *c = &d->active[d->n_active++];
        memcpy(c->rgb, cl[order[i]].rgb, 3);
        c->rank = 0;
        c->score = (float)cl[order[i]].score;
        snprintf(c->origin, sizeof c->origin, "cluster:%d", order[i]);
    }
}

/* Fills a request for a role that keeps the hue of cluster `src` (or of the background when
 * src < 0), wishing for the cluster's chroma (at least `c_floor` when it is colourful). */
static pick_req hue_request(const cl_info *cl, int src, const bg_facts *bg, double c_floor)
{
    if (src < 0)
        return req_new(bg->h, bg->C, 0.0, bg->dark ? 0.75 : 0.45);
    const cl_info *c = &cl[src];
    /* Only a colourful cluster is pushed up to the chroma floor: inventing chroma for a
     * grey cluster would invent its (meaningless) hue too. */
    double c_want = c->colourful && c->C < c_floor ? c_floor : c->C;
    pick_req r = req_new(c->h, c_want, c->colourful ? c_floor : 0.0, c->L);
    if (c->colourful) {
        r.hue_ref = c->h;
        r.hue_tol = 20.0;
    }
    return r;
}

/* Searches on the side of the background where the text is (lighter for a dark background). */
static void toward_text(pick_req *r, const bg_facts *bg)
{
    if (bg->dark)
        r->L_lo = bg->L;
    else
        r->L_hi = bg->L;
    if (r->L_pref < r->L_lo)
        r->L_pref = r->L_lo;
    if (r->L_pref > r->L_hi)
        r->L_pref = r->L_hi;
}

/* Last resort before black/white: keep every constraint but let the hue go, trying hues in
 * order of distance from the wished one with as much chroma as the gamut gives. Needed on
 * mid-tone `faithful` backgrounds, where the only colours reaching 4.5:1 are very light and
 * the wished hue has almost no chroma there (then a pale yellow still can). */
static pick_res pick_any_hue(const pick_req *r)
{
    for (int step = 1; step <= 18; step++) {
        for (int side = -1; side <= 1; side += 2) {
            pick_req q = *r;
            q.h = fmod(r->h + side * step * 10.0 + 360.0, 360.0);
            q.c_want = 0.33;
            pick_res p = pick(&q);
            if (p.found)
                return p;
        }
    }
    pick_res none;
    memset(&none, 0, sizeof none);
    return none;
}

static void solve_role(ct_roles *o, const cl_info *cl, int role, pick_req *r, int src,
                       const char *what, const char *wish)
{
    pick_res p = pick(r);
    if (!p.found) {
        /* The hue's wishes cannot be kept with the constraints: drop them. */
        r->c_min = 0.0;
        r->hue_ref = r->hue_avoid = -1.0;
        r->L_lo = 0.0;
        r->L_hi = 1.0;
        p = pick(r);
    }
    if (!p.found) {
        p = pick_any_hue(r);
        if (p.found) {
            set_role(o, role, p.rgb, -1, cl, "synthetic:hue-moved");
            o->flags[role] |= COVERTHEME_ROLE_YIELDED;
            snprintf(o->debug.note[role], CT_NOTE_MAX,
                     "no colour of the wished hue meets the constraints; hue moved to %d deg",
                     (int)lround(hue_of_rgb(p.rgb)));
            return;
        }
    }
    if (!p.found) {
        /* Only distance wishes can still be in the way; contrast is never given up. */
        pick_req q = *r;
        for (int i = 0; i < q.n; i++)
            q.cons[i].min_distance = 0.0;
        p = pick(&q);
        if (p.found) {
            set_role(o, role, p.rgb, -1, cl, "synthetic:distance-waived");
            o->flags[role] |= COVERTHEME_ROLE_YIELDED;
            snprintf(o->debug.note[role], CT_NOTE_MAX,
                     "no sRGB colour meets both the contrast minimum and the distance from its neighbour");
            return;
        }
        black_or_white(r->cons[0].other, p.rgb);
        set_role(o, role, p.rgb, -1, cl, "synthetic:black-or-white");
        return;
    }
    set_role(o, role, p.rgb, src, cl, what);
    if (!p.met_wish)
        note_yield(o, role, &p, wish);
}

static void choose_accent_active(const cl_info *cl, uint32_t n, const bg_facts *bg, ct_roles *o,
                                 int *accent_src, int *active_src)
{
    int order[256];
    uint32_t m = colourful_order(cl, n, order);
    pair_choice pc = choose_pair(cl, order, m);
    record_candidates(cl, order, m, &pc, o);
    if (pc.accent < 0) {
        pc.accent = pc.active = most_chromatic(cl, n);
        o->debug.n_accent = o->debug.n_active = 0;
    }
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    const uint8_t *txt = o->rgb[COVERTHEME_ROLE_TEXT];

    pick_req ra = hue_request(cl, pc.accent, bg, CT_ACCENT_MIN_CHROMA);
    req_add(&ra, bgc, 4.5, 0.0, 0.0);
    req_add(&ra, txt, 0.0, 0.0, 0.08);
    solve_role(o, cl, COVERTHEME_ROLE_ACCENT, &ra, pc.accent, "cluster",
               "accent chroma >= 0.06 within 20 deg of its cluster");

    pick_req rv = hue_request(cl, pc.active, bg, CT_ACCENT_MIN_CHROMA);
    req_add(&rv, bgc, 3.0, 0.0, 0.0);
    if (pc.need_gap) {
        double lch[3];
        ct_srgb8_to_oklch(o->rgb[COVERTHEME_ROLE_ACCENT], lch);
        rv.hue_avoid = lch[2];
        rv.hue_gap = 25.0;
    }
    solve_role(o, cl, COVERTHEME_ROLE_ACTIVE, &rv, pc.active, "cluster",
               "active hue >= 25 deg from accent");
    *accent_src = pc.accent;
    *active_src = pc.active;
}

/* ---- the rest ------------------------------------------------------------------------ */

static void choose_highlight_text(const cl_info *cl, const bg_facts *bg, ct_roles *o)
{
    const uint8_t *act = o->rgb[COVERTHEME_ROLE_ACTIVE];
    const uint8_t *txt = o->rgb[COVERTHEME_ROLE_TEXT];
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    if (ct_contrast(txt, act) >= 4.5) {
        set_role(o, COVERTHEME_ROLE_HIGHLIGHT_TEXT, txt, o->source[COVERTHEME_ROLE_TEXT], cl, "text");
        snprintf(o->origin[COVERTHEME_ROLE_HIGHLIGHT_TEXT], CT_ORIGIN_MAX, "text");
        return;
    }
    if (ct_contrast(bgc, act) >= 4.5) {
        set_role(o, COVERTHEME_ROLE_HIGHLIGHT_TEXT, bgc, o->source[COVERTHEME_ROLE_BACKGROUND], cl, "background");
        snprintf(o->origin[COVERTHEME_ROLE_HIGHLIGHT_TEXT], CT_ORIGIN_MAX, "background");
        return;
    }
    double lch[3];
    ct_srgb8_to_oklch(txt, lch);
    pick_req r = req_new(bg->h, lch[1], 0.0, lch[0]);
    req_add(&r, act, 4.5, 0.0, 0.0);
    solve_role(o, cl, COVERTHEME_ROLE_HIGHLIGHT_TEXT, &r, -1, "text-adjusted", "");
}

static void choose_header_accent(const cl_info *cl, const bg_facts *bg, int accent_src,
                                 int active_src, ct_roles *o)
{
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    int src = active_src != accent_src ? active_src : accent_src;
    pick_req r = hue_request(cl, src, bg, CT_ACCENT_MIN_CHROMA);
    if (src == accent_src) {
        /* Same hue as the accent: sit a little further from the background than it. */
        double lch[3];
        ct_srgb8_to_oklch(o->rgb[COVERTHEME_ROLE_ACCENT], lch);
        r.L_pref = lch[0] + (bg->dark ? 0.08 : -0.08);
    }
    req_add(&r, bgc, 4.5, 0.0, 0.0);
    toward_text(&r, bg);
    solve_role(o, cl, COVERTHEME_ROLE_HEADER_ACCENT, &r, src, "cluster",
               "header accent chroma >= 0.06");
}

/* Inactive: a quiet tint of the background hue, dimmer than the text but >= 3:1. */
static void choose_inactive(const cl_info *cl, const bg_facts *bg, ct_roles *o)
{
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    double text_cr = ct_contrast(o->rgb[COVERTHEME_ROLE_TEXT], bgc);
    double target = 3.0 + (text_cr - 3.0) * 0.3;
    target = target < 3.0 ? 3.0 : target > 4.0 ? 4.0 : target;
    double c = bg->C < 0.03 ? bg->C : 0.03;
    pick_req r = req_new(bg->h, c, 0.0, bg->L);
    req_add(&r, bgc, target, text_cr, 0.0);
    toward_text(&r, bg);
    solve_role(o, cl, COVERTHEME_ROLE_INACTIVE, &r, o->source[COVERTHEME_ROLE_BACKGROUND],
               "background-hue", "");
}

/* Frame: the active hue, muted, at the first lightness that reaches 3:1. */
static void choose_frame(const cl_info *cl, const bg_facts *bg, int active_src, ct_roles *o)
{
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    double h = active_src >= 0 ? cl[active_src].h : bg->h;
    double c = active_src >= 0 ? cl[active_src].C : bg->C;
    if (c > 0.08)
        c = 0.08;
    pick_req r = req_new(h, c, 0.0, bg->L);
    req_add(&r, bgc, 3.0, 0.0, 0.0);
    toward_text(&r, bg);
    solve_role(o, cl, COVERTHEME_ROLE_FRAME, &r, active_src, "cluster", "");
}

/* Progress and scrollbar thumb: the accent, moved only if it is too close to the frame. */
static void choose_progress(const cl_info *cl, const bg_facts *bg, int accent_src, ct_roles *o)
{
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    double lch[3];
    ct_srgb8_to_oklch(o->rgb[COVERTHEME_ROLE_ACCENT], lch);
    pick_req r = req_new(lch[2], lch[1], 0.0, lch[0]);
    req_add(&r, bgc, 3.0, 0.0, 0.0);
    req_add(&r, o->rgb[COVERTHEME_ROLE_FRAME], 0.0, 0.0, 0.05);
    toward_text(&r, bg);
    solve_role(o, cl, COVERTHEME_ROLE_PROGRESS, &r, accent_src, "cluster", "");
}

/* Log levels keep the hue of their meaning (OKLCH degrees) at a readable contrast. */
static void choose_levels(const cl_info *cl, const bg_facts *bg, ct_roles *o)
{
    static const struct {
        int role;
        double hue;
        const char *name;
    } levels[] = {
        {COVERTHEME_ROLE_WARN, 75.0, "level:warn"},
        {COVERTHEME_ROLE_ERROR, 27.0, "level:error"},
        {COVERTHEME_ROLE_DEBUG, 142.0, "level:debug"},
        {COVERTHEME_ROLE_TRACE, 305.0, "level:trace"},
    };
    const uint8_t *bgc = o->rgb[COVERTHEME_ROLE_BACKGROUND];
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        pick_req r = req_new(levels[i].hue, 0.15, 0.06, bg->dark ? 0.78 : 0.45);
        r.hue_ref = levels[i].hue;
        r.hue_tol = 30.0;
        req_add(&r, bgc, 4.5, 0.0, 0.0);
        toward_text(&r, bg);
        solve_role(o, cl, levels[i].role, &r, -1, levels[i].name, "level hue within 30 deg");
    }
}

void ct_assign_roles(const ct_role_cluster *clusters, uint32_t n, int bg_policy, ct_roles *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < CT_ROLE_COUNT; i++)
        out->source[i] = -1;
    if (n > 256)
        n = 256;
    cl_info cl[256];
    describe_clusters(clusters, n, cl);

    bg_facts bg;
    choose_background(cl, n, bg_policy, out, &bg);
    choose_text(cl, &bg, bg_policy, out);
    int accent_src = -1, active_src = -1;
    choose_accent_active(cl, n, &bg, out, &accent_src, &active_src);
    choose_highlight_text(cl, &bg, out);
    choose_header_accent(cl, &bg, accent_src, active_src, out);
    choose_inactive(cl, &bg, out);
    choose_frame(cl, &bg, active_src, out);
    choose_progress(cl, &bg, accent_src, out);
    choose_levels(cl, &bg, out);
}
