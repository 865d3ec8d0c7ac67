/* Part of covertheme-quality: the theme-roles.md checker (see guarantees.h). */
#include "guarantees.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wcag_oklab.h"

const char *const guarantee_names[G_COUNT] = {
    "text>=4.5", "text>=7", "accent>=4.5", "accent-text>=0.08", "header_accent>=4.5", "active>=3",
    "highlight/active>=4.5", "inactive>=3", "inactive<text", "frame>=3", "progress>=3",
    "progress-frame>=0.05", "warn>=4.5", "error>=4.5", "debug>=4.5", "trace>=4.5", "warn-hue",
    "error-hue", "debug-hue", "trace-hue", "no-yield", "accent-chroma", "accent-hue", "accent/active-hue"};

/* A palette cluster counts as colourful for the accent rules from this OKLCH chroma and
 * share of the samples on. */
#define COLOURFUL_CHROMA 0.08
#define COLOURFUL_SHARE 0.02

/* Records one verdict; a failure appends "name: message" to g->fail_text. */
static void g_note(guarantee_result *g, int which, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void g_note(guarantee_result *g, int which, int ok, const char *fmt, ...)
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
    size_t add = strlen(guarantee_names[which]) + strlen(msg) + 5;
    char *p = realloc(g->fail_text, old + add + 1);
    if (!p)
        return;
    snprintf(p + old, add + 1, "%s%s: %s", old ? "; " : "", guarantee_names[which], msg);
    g->fail_text = p;
}

/* docs/theme-roles.md, rule by rule (which rules apply under which policy: guarantees.h). */
void guarantees_check(const covertheme_theme *t, guarantee_result *g)
{
    memset(g, 0, sizeof *g);
    const covertheme_role_color *R = t->roles;
    const int faithful = t->bg_policy == COVERTHEME_BG_FAITHFUL;
#define RGB(x) R[COVERTHEME_ROLE_##x].rgb
#define YIELDED(x) ((R[COVERTHEME_ROLE_##x].flags & COVERTHEME_ROLE_YIELDED) != 0)
    covertheme_rgb bg = RGB(BACKGROUND);
    char h1[8], h2[8];

    double c_text = wcag_contrast(RGB(TEXT), bg);
    g_note(g, G_TEXT_45, c_text >= 4.5, "text %s on %s %.3f", rgb_hex(RGB(TEXT), h1), rgb_hex(bg, h2), c_text);
    if (!faithful)
        g_note(g, G_TEXT_7, c_text >= 7.0, "text %s on %s %.3f", rgb_hex(RGB(TEXT), h1), rgb_hex(bg, h2), c_text);
    double c = wcag_contrast(RGB(ACCENT), bg);
    g_note(g, G_ACCENT_CR, c >= 4.5, "accent %s %.3f", rgb_hex(RGB(ACCENT), h1), c);
    if (!(faithful && YIELDED(ACCENT))) {
        double d = oklab_dist(RGB(ACCENT), RGB(TEXT));
        g_note(g, G_ACCENT_DIST, d >= 0.08, "accent %s text %s OKLab %.4f", rgb_hex(RGB(ACCENT), h1),
               rgb_hex(RGB(TEXT), h2), d);
    }
    c = wcag_contrast(RGB(HEADER_ACCENT), bg);
    g_note(g, G_HEADER_CR, c >= 4.5, "header_accent %s %.3f", rgb_hex(RGB(HEADER_ACCENT), h1), c);
    c = wcag_contrast(RGB(ACTIVE), bg);
    g_note(g, G_ACTIVE_CR, c >= 3.0, "active %s %.3f", rgb_hex(RGB(ACTIVE), h1), c);
    c = wcag_contrast(RGB(HIGHLIGHT_TEXT), RGB(ACTIVE));
    g_note(g, G_HIGHLIGHT_CR, c >= 4.5, "highlight_text %s on active %s %.3f", rgb_hex(RGB(HIGHLIGHT_TEXT), h1),
           rgb_hex(RGB(ACTIVE), h2), c);
    c = wcag_contrast(RGB(INACTIVE), bg);
    g_note(g, G_INACTIVE_CR, c >= 3.0, "inactive %s %.3f", rgb_hex(RGB(INACTIVE), h1), c);
    g_note(g, G_INACTIVE_BELOW, c < c_text, "inactive %.3f, text %.3f", c, c_text);
    c = wcag_contrast(RGB(FRAME), bg);
    g_note(g, G_FRAME_CR, c >= 3.0, "frame %s %.3f", rgb_hex(RGB(FRAME), h1), c);
    c = wcag_contrast(RGB(PROGRESS), bg);
    g_note(g, G_PROGRESS_CR, c >= 3.0, "progress %s %.3f", rgb_hex(RGB(PROGRESS), h1), c);
    if (!(faithful && YIELDED(PROGRESS))) {
        double d = oklab_dist(RGB(PROGRESS), RGB(FRAME));
        g_note(g, G_PROGRESS_DIST, d >= 0.05, "progress %s frame %s OKLab %.4f", rgb_hex(RGB(PROGRESS), h1),
               rgb_hex(RGB(FRAME), h2), d);
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
        c = wcag_contrast(r->rgb, bg);
        g_note(g, G_WARN_CR + i, c >= 4.5, "%s %s %.3f", lv[i].name, rgb_hex(r->rgb, h1), c);
        if (!(faithful && (r->flags & COVERTHEME_ROLE_YIELDED))) {
            double dh = oklab_hue_delta(oklab_hue(r->rgb), lv[i].hue);
            g_note(g, G_WARN_HUE + i, dh <= 30.0, "%s %s hue %.1f is %.1f deg from %.0f", lv[i].name,
                   rgb_hex(r->rgb, h1), oklab_hue(r->rgb), dh, lv[i].hue);
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
        if (oklab_chroma(t->palette[i].rgb) >= COLOURFUL_CHROMA && share >= COLOURFUL_SHARE)
            hues[n_col++] = oklab_hue(t->palette[i].rgb);
    }
    g->n_colourful = n_col;
    g->accent_chroma = oklab_chroma(RGB(ACCENT));
    g->accent_hue = oklab_hue(RGB(ACCENT));
    if (n_col > 0 && !(faithful && YIELDED(ACCENT))) {
        double near = 360.0;
        for (int i = 0; i < n_col; i++)
            if (oklab_hue_delta(g->accent_hue, hues[i]) < near)
                near = oklab_hue_delta(g->accent_hue, hues[i]);
        g_note(g, G_ACCENT_CHROMA, g->accent_chroma >= 0.06, "accent %s chroma %.4f (%d colourful clusters)",
               rgb_hex(RGB(ACCENT), h1), g->accent_chroma, n_col);
        g_note(g, G_ACCENT_HUE, near <= 20.0, "accent %s hue %.1f is %.1f deg from every colourful cluster",
               rgb_hex(RGB(ACCENT), h1), g->accent_hue, near);
    }
    double spread = 0.0;
    for (int i = 0; i < n_col; i++)
        for (int j = i + 1; j < n_col; j++)
            if (oklab_hue_delta(hues[i], hues[j]) > spread)
                spread = oklab_hue_delta(hues[i], hues[j]);
    if (spread >= 30.0 && !(faithful && (YIELDED(ACCENT) || YIELDED(ACTIVE)))) {
        double d = oklab_hue_delta(g->accent_hue, oklab_hue(RGB(ACTIVE)));
        g_note(g, G_ACCENT_ACTIVE, d >= 25.0, "accent %s active %s hues %.1f apart (clusters span %.1f)",
               rgb_hex(RGB(ACCENT), h1), rgb_hex(RGB(ACTIVE), h2), d, spread);
    }
#undef RGB
#undef YIELDED
}
