/* Role guarantees of docs/theme-roles.md on hand-made palettes (including the adversarial
 * ones: mid grey, pure blue, neighbouring hues) and on random palettes, for every policy.
 * The end-to-end version on real decoded covers lives in host_stub.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/color.h"
#include "../core/rng.h"
#include "../core/roles.h"
#include "suites.h"

static const int policies[] = {COVERTHEME_BG_TINTED, COVERTHEME_BG_FAITHFUL, COVERTHEME_BG_DARK, COVERTHEME_BG_LIGHT};

#define R(role) (out->rgb[COVERTHEME_ROLE_##role])

static double chroma(const uint8_t *rgb)
{
    double lch[3];
    ct_srgb8_to_oklch(rgb, lch);
    return lch[1];
}

static double hue(const uint8_t *rgb)
{
    double lch[3];
    ct_srgb8_to_oklch(rgb, lch);
    return lch[2];
}

/* Returns NULL when every guarantee holds, else a description of the first broken one. */
static const char *check_guarantees(const ct_role_cluster *cl, uint32_t n, int policy, const ct_roles *out)
{
    static char why[200];
    double text_cr = ct_contrast(R(TEXT), R(BACKGROUND));
#define NEED(cond, ...) do { if (!(cond)) { snprintf(why, sizeof why, __VA_ARGS__); return why; } } while (0)
    NEED(text_cr >= 4.5, "text %.2f < 4.5", text_cr);
    NEED(policy == COVERTHEME_BG_FAITHFUL || text_cr >= 7.0, "text %.2f < 7", text_cr);
    NEED(ct_contrast(R(ACCENT), R(BACKGROUND)) >= 4.5, "accent contrast %.2f", ct_contrast(R(ACCENT), R(BACKGROUND)));
    /* Distances (not contrasts) may yield on a mid-tone faithful background where sRGB has
     * no room, e.g. #d31fa2: only colours with OKLab L >= 0.986 reach 4.5:1 there. */
    int faithful = policy == COVERTHEME_BG_FAITHFUL;
    NEED(ct_oklab_distance(R(ACCENT), R(TEXT)) >= 0.08 ||
             (faithful && (out->flags[COVERTHEME_ROLE_ACCENT] & COVERTHEME_ROLE_YIELDED)),
         "accent too close to text");
    NEED(ct_contrast(R(HEADER_ACCENT), R(BACKGROUND)) >= 4.5, "header accent contrast");
    NEED(ct_contrast(R(ACTIVE), R(BACKGROUND)) >= 3.0, "active contrast");
    NEED(ct_contrast(R(HIGHLIGHT_TEXT), R(ACTIVE)) >= 4.5, "highlight text vs active %.2f", ct_contrast(R(HIGHLIGHT_TEXT), R(ACTIVE)));
    double inactive_cr = ct_contrast(R(INACTIVE), R(BACKGROUND));
    NEED(inactive_cr >= 3.0 && inactive_cr < text_cr, "inactive %.2f (text %.2f)", inactive_cr, text_cr);
    NEED(ct_contrast(R(FRAME), R(BACKGROUND)) >= 3.0, "frame contrast");
    NEED(ct_contrast(R(PROGRESS), R(BACKGROUND)) >= 3.0, "progress contrast");
    NEED(ct_oklab_distance(R(PROGRESS), R(FRAME)) >= 0.05 ||
             (faithful && (out->flags[COVERTHEME_ROLE_PROGRESS] & COVERTHEME_ROLE_YIELDED)),
         "progress too close to frame");
    static const struct { int role; double hue; } lv[] = {
        {COVERTHEME_ROLE_WARN, 75}, {COVERTHEME_ROLE_ERROR, 27}, {COVERTHEME_ROLE_DEBUG, 142}, {COVERTHEME_ROLE_TRACE, 305}};
    for (int i = 0; i < 4; i++) {
        const uint8_t *c = out->rgb[lv[i].role];
        NEED(ct_contrast(c, R(BACKGROUND)) >= 4.5, "level %d contrast", lv[i].role);
        int yielded = out->flags[lv[i].role] & COVERTHEME_ROLE_YIELDED;
        NEED(policy == COVERTHEME_BG_FAITHFUL || !yielded, "level %d yielded under a tinted policy", lv[i].role);
        NEED(yielded || ct_hue_delta(hue(c), lv[i].hue) <= 30.0, "level %d hue %.1f", lv[i].role, hue(c));
    }
    if (faithful)
        return NULL; /* fidelity may yield there, and says so */
    int any = 0, gap = 0;
    double acc_h = hue(R(ACCENT)), near = 360;
    for (uint32_t i = 0; i < n; i++) {
        if (chroma(cl[i].rgb) < CT_COLOURFUL_CHROMA || cl[i].share < CT_COLOURFUL_SHARE)
            continue;
        any = 1;
        double d = ct_hue_delta(hue(cl[i].rgb), acc_h);
        near = d < near ? d : near;
        for (uint32_t j = 0; j < n; j++)
            if (chroma(cl[j].rgb) >= CT_COLOURFUL_CHROMA && cl[j].share >= CT_COLOURFUL_SHARE &&
                ct_hue_delta(hue(cl[i].rgb), hue(cl[j].rgb)) >= 30.0)
                gap = 1;
    }
    if (any) {
        NEED(chroma(R(ACCENT)) >= CT_ACCENT_MIN_CHROMA, "accent chroma %.3f", chroma(R(ACCENT)));
        NEED(near <= 20.0, "accent hue %.1f is %.1f deg from every colourful cluster", acc_h, near);
        NEED(!(out->flags[COVERTHEME_ROLE_ACCENT] & COVERTHEME_ROLE_YIELDED), "accent yielded");
    }
    if (gap)
        NEED(ct_hue_delta(acc_h, hue(R(ACTIVE))) >= 25.0, "accent/active hues %.1f apart",
             ct_hue_delta(acc_h, hue(R(ACTIVE))));
#undef NEED
    return NULL;
}

static void assert_palette(const char *name, const ct_role_cluster *cl, uint32_t n)
{
    for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        ct_roles out;
        ct_assign_roles(cl, n, policies[p], &out);
        const char *why = check_guarantees(cl, n, policies[p], &out);
        ck_assert_msg(why == NULL, "%s, policy %d: %s", name, policies[p], why);
        ct_roles again;
        ct_assign_roles(cl, n, policies[p], &again);
        ck_assert_msg(memcmp(&out, &again, sizeof out) == 0, "%s: not deterministic", name);
    }
}

#define C(r, g, b, s) {{r, g, b}, s}

START_TEST(named_palettes)
{
    static const struct {
        const char *name;
        uint32_t n;
        ct_role_cluster cl[4];
    } cases[] = {
        {"mid_grey", 1, {C(0x77, 0x77, 0x77, 1.0)}},
        {"black", 1, {C(0, 0, 0, 1.0)}},
        {"white", 1, {C(255, 255, 255, 1.0)}},
        {"pure_blue", 1, {C(0, 0, 255, 1.0)}},
        {"pure_yellow", 1, {C(255, 255, 0, 1.0)}},
        {"two_hue", 2, {C(20, 60, 200, 0.6), C(240, 140, 30, 0.4)}},
        {"neighbour_hues", 3, {C(220, 40, 40, 0.4), C(220, 90, 40, 0.3), C(210, 140, 40, 0.3)}},
        {"neon", 3, {C(255, 0, 255, 0.34), C(0, 255, 255, 0.33), C(0, 255, 0, 0.33)}},
        {"white_red_dot", 2, {C(250, 250, 250, 0.95), C(220, 20, 30, 0.05)}},
        {"black_teal", 2, {C(5, 5, 8, 0.95), C(0, 128, 128, 0.05)}},
        {"mid_grey_orange", 2, {C(0x76, 0x76, 0x76, 0.7), C(230, 120, 20, 0.3)}},
        {"sepia", 3, {C(112, 66, 20, 0.5), C(180, 140, 90, 0.3), C(60, 40, 20, 0.2)}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_palette(cases[i].name, cases[i].cl, cases[i].n);
}
END_TEST

START_TEST(empty_palette_gets_a_full_theme)
{
    ct_roles out;
    ct_assign_roles(NULL, 0, COVERTHEME_BG_TINTED, &out);
    ck_assert_ptr_null(check_guarantees(NULL, 0, COVERTHEME_BG_TINTED, &out));
    for (int r = 0; r < CT_ROLE_COUNT; r++) {
        ck_assert_int_eq(out.source[r], -1);
        ck_assert(out.origin[r][0] != '\0');
    }
}
END_TEST

/* Random palettes: sizes 1..30, random colours (half of them vivid), random shares. */
START_TEST(random_palettes)
{
    ct_rng rng;
    ct_rng_seed(&rng, 2026);
    for (int t = 0; t < 600; t++) {
        ct_role_cluster cl[30];
        uint32_t n = 1 + (uint32_t)ct_rng_below(&rng, 30);
        double total = 0;
        for (uint32_t i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++)
                cl[i].rgb[j] = (uint8_t)ct_rng_below(&rng, 256);
            if (ct_rng_below(&rng, 2)) /* push one channel to an extreme for vivid colours */
                cl[i].rgb[ct_rng_below(&rng, 3)] = ct_rng_below(&rng, 2) ? 255 : 0;
            cl[i].share = 0.01 + ct_rng_unit(&rng);
            total += cl[i].share;
        }
        for (uint32_t i = 0; i < n; i++)
            cl[i].share /= total;
        char name[32];
        snprintf(name, sizeof name, "random #%d (n=%u)", t, n);
        assert_palette(name, cl, n);
    }
}
END_TEST

START_TEST(accent_comes_from_the_cover)
{
    const ct_role_cluster cl[] = {C(30, 30, 35, 0.7), C(200, 40, 60, 0.3)};
    ct_roles out;
    ct_assign_roles(cl, 2, COVERTHEME_BG_TINTED, &out);
    ck_assert_int_eq(out.source[COVERTHEME_ROLE_ACCENT], 1);
    ck_assert(out.flags[COVERTHEME_ROLE_ACCENT] & COVERTHEME_ROLE_FROM_CLUSTER);
    ck_assert_double_le(ct_hue_delta(hue(out.rgb[COVERTHEME_ROLE_ACCENT]), hue(cl[1].rgb)), 5.0);
    ck_assert_uint_ge(out.debug.n_accent, 1);
}
END_TEST

START_TEST(faithful_keeps_the_reference_background)
{
    /* cluster 0 too saturated (S >= 0.4), cluster 1 qualifies (S < 0.4, 15 < L* < 85) */
    const ct_role_cluster cl[] = {C(200, 30, 30, 0.5), C(90, 100, 110, 0.3), C(240, 240, 240, 0.2)};
    ct_roles out;
    ct_assign_roles(cl, 3, COVERTHEME_BG_FAITHFUL, &out);
    ck_assert_mem_eq(out.rgb[COVERTHEME_ROLE_BACKGROUND], cl[1].rgb, 3);
    ck_assert_int_eq(out.source[COVERTHEME_ROLE_BACKGROUND], 1);
}
END_TEST

START_TEST(light_cover_gets_light_background)
{
    const ct_role_cluster cl[] = {C(240, 236, 226, 0.8), C(60, 90, 160, 0.2)};
    ct_roles out;
    ct_assign_roles(cl, 2, COVERTHEME_BG_TINTED, &out);
    ck_assert_double_gt(ct_rel_luminance(out.rgb[COVERTHEME_ROLE_BACKGROUND]), 0.7);
    ct_assign_roles(cl, 2, COVERTHEME_BG_DARK, &out);
    ck_assert_double_lt(ct_rel_luminance(out.rgb[COVERTHEME_ROLE_BACKGROUND]), 0.05);
}
END_TEST

Suite *suite_roles(void)
{
    Suite *s = suite_create("roles");
    TCase *tc = tcase_create("guarantees");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, named_palettes);
    tcase_add_test(tc, empty_palette_gets_a_full_theme);
    tcase_add_test(tc, random_palettes);
    tcase_add_test(tc, accent_comes_from_the_cover);
    tcase_add_test(tc, faithful_keeps_the_reference_background);
    tcase_add_test(tc, light_cover_gets_light_background);
    suite_add_tcase(s, tc);
    return s;
}
