/* Colour conversions against published values and round trips over an RGB grid. */
#include <math.h>
#include <stdlib.h>

#include "../abi/covertheme.h"
#include "../core/color.h"
#include "suites.h"

START_TEST(lab_known_values)
{
    const uint8_t red[3] = {255, 0, 0}, white[3] = {255, 255, 255}, black[3] = {0, 0, 0};
    double lab[3];
    ct_srgb8_to_lab(red, lab); /* CIE76 reference values for sRGB red, D65 */
    ck_assert_double_eq_tol(lab[0], 53.24, 0.05);
    ck_assert_double_eq_tol(lab[1], 80.09, 0.1);
    ck_assert_double_eq_tol(lab[2], 67.20, 0.1);
    ct_srgb8_to_lab(white, lab);
    ck_assert_double_eq_tol(lab[0], 100.0, 0.01);
    ck_assert_double_eq_tol(lab[1], 0.0, 0.01);
    ck_assert_double_eq_tol(lab[2], 0.0, 0.01);
    ct_srgb8_to_lab(black, lab);
    ck_assert_double_eq_tol(lab[0], 0.0, 1e-9);
}
END_TEST

START_TEST(oklab_known_values)
{
    /* Values from Ottosson's OKLab post: white (1, 0, 0), sRGB red (0.6279, 0.2249, 0.1258). */
    const uint8_t red[3] = {255, 0, 0}, white[3] = {255, 255, 255};
    double lab[3], lch[3];
    ct_srgb8_to_oklab(white, lab);
    ck_assert_double_eq_tol(lab[0], 1.0, 1e-4);
    ck_assert_double_eq_tol(lab[1], 0.0, 1e-4);
    ct_srgb8_to_oklab(red, lab);
    ck_assert_double_eq_tol(lab[0], 0.6279, 1e-3);
    ck_assert_double_eq_tol(lab[1], 0.2249, 1e-3);
    ck_assert_double_eq_tol(lab[2], 0.1258, 1e-3);
    ct_srgb8_to_oklch(red, lch);
    ck_assert_double_eq_tol(lch[1], 0.2577, 1e-3);
    ck_assert_double_eq_tol(lch[2], 29.23, 0.1);
}
END_TEST

START_TEST(hsv_known_values)
{
    const uint8_t c[3] = {0, 128, 255};
    double hsv[3];
    ct_srgb8_to_hsv(c, hsv);
    ck_assert_double_eq_tol(hsv[0], 209.88, 0.05);
    ck_assert_double_eq_tol(hsv[1], 1.0, 1e-9);
    ck_assert_double_eq_tol(hsv[2], 1.0, 1e-9);
    const uint8_t grey[3] = {90, 90, 90};
    ct_srgb8_to_hsv(grey, hsv);
    ck_assert_double_eq(hsv[0], 0.0);
    ck_assert_double_eq(hsv[1], 0.0);
}
END_TEST

/* Every clustering space maps an RGB grid forward and back within one step per channel. */
START_TEST(space_round_trip)
{
    const int space = _i;
    int worst = 0;
    for (int r = 0; r < 256; r += 15)
        for (int g = 0; g < 256; g += 15)
            for (int b = 0; b < 256; b += 15) {
                const uint8_t in[3] = {(uint8_t)r, (uint8_t)g, (uint8_t)b};
                float v[3];
                uint8_t out[3];
                ct_space_from_srgb8(space, in, v);
                ct_space_to_srgb8(space, v, out);
                for (int k = 0; k < 3; k++) {
                    int d = abs((int)out[k] - (int)in[k]);
                    if (d > worst)
                        worst = d;
                }
            }
    ck_assert_msg(worst <= 1, "space %d: worst round-trip error %d", space, worst);
}
END_TEST

START_TEST(linear_table_matches_formula)
{
    for (int i = 0; i < 256; i++) {
        double c = i / 255.0;
        double want = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
        ck_assert_double_eq_tol(ct_srgb8_to_linear((uint8_t)i), want, 1e-12);
        ck_assert_int_eq(ct_linear_to_srgb8(want), i);
    }
}
END_TEST

START_TEST(wcag_contrast)
{
    const uint8_t black[3] = {0, 0, 0}, white[3] = {255, 255, 255}, grey[3] = {0x77, 0x77, 0x77};
    ck_assert_double_eq_tol(ct_contrast(black, white), 21.0, 1e-9);
    ck_assert_double_eq_tol(ct_contrast(white, black), 21.0, 1e-9);
    ck_assert_double_eq_tol(ct_contrast(grey, grey), 1.0, 1e-12);
    ck_assert_double_eq_tol(ct_contrast(grey, white), 4.48, 0.01); /* the classic #777 case */
}
END_TEST

START_TEST(gamut_max_chroma)
{
    for (double h = 0; h < 360; h += 7.5)
        for (double L = 0.05; L < 1.0; L += 0.05) {
            double c = ct_oklch_max_chroma(L, h, 0.4);
            ck_assert(c >= 0.0 && c <= 0.4);
            ck_assert(ct_oklch_in_gamut(L, c, h));
            if (c < 0.399)
                ck_assert(!ct_oklch_in_gamut(L, c + 0.002, h));
        }
    ck_assert_double_eq(ct_oklch_max_chroma(1.0, 40, 0.2), 0.0);
    ck_assert_double_eq(ct_oklch_max_chroma(0.0, 40, 0.2), 0.0);
}
END_TEST

START_TEST(oklch_to_srgb_keeps_hue)
{
    for (double h = 0; h < 360; h += 15) {
        double c = ct_oklch_max_chroma(0.7, h, 0.12);
        uint8_t rgb[3];
        ct_oklch_to_srgb8(0.7, c, h, rgb);
        double lch[3];
        ct_srgb8_to_oklch(rgb, lch);
        ck_assert_double_eq_tol(lch[0], 0.7, 0.01);
        ck_assert_msg(ct_hue_delta(lch[2], h) < 3.0, "hue %.1f came back as %.1f", h, lch[2]);
    }
}
END_TEST

START_TEST(hue_delta_wraps)
{
    ck_assert_double_eq_tol(ct_hue_delta(350, 10), 20, 1e-9);
    ck_assert_double_eq_tol(ct_hue_delta(10, 350), 20, 1e-9);
    ck_assert_double_eq_tol(ct_hue_delta(0, 180), 180, 1e-9);
    ck_assert_double_eq_tol(ct_hue_delta(90, 90), 0, 1e-9);
}
END_TEST

/* The table path used for clustering stays within 1e-3 of the exact CIELAB conversion
 * (measured: 1.4e-4 at worst, in a* where the 500x scale amplifies) on a lattice through the whole cube, white included,
 * and equals the exact path for every other space. */
START_TEST(fast_lab_matches_exact)
{
    double worst = 0.0;
    for (int r = 0; r < 256; r += 5)
        for (int g = 0; g < 256; g += 5)
            for (int b = 0; b < 256; b += 5) {
                const uint8_t c[3] = {(uint8_t)r, (uint8_t)g, (uint8_t)b};
                float fast[3], exact[3];
                ct_space_from_srgb8_fast(COVERTHEME_SPACE_CIELAB, c, fast);
                ct_space_from_srgb8(COVERTHEME_SPACE_CIELAB, c, exact);
                for (int j = 0; j < 3; j++) {
                    double d = fabs((double)fast[j] - exact[j]);
                    if (d > worst)
                        worst = d;
                }
                float f2[3], e2[3];
                ct_space_from_srgb8_fast(COVERTHEME_SPACE_HSV, c, f2);
                ct_space_from_srgb8(COVERTHEME_SPACE_HSV, c, e2);
                ck_assert_mem_eq(f2, e2, sizeof f2);
            }
    ck_assert_msg(worst < 1e-3, "table CIELAB differs by %g", worst);
}
END_TEST

Suite *suite_color(void)
{
    Suite *s = suite_create("color");
    TCase *tc = tcase_create("conversions");
    tcase_add_test(tc, fast_lab_matches_exact);
    tcase_add_test(tc, lab_known_values);
    tcase_add_test(tc, oklab_known_values);
    tcase_add_test(tc, hsv_known_values);
    tcase_add_loop_test(tc, space_round_trip, 0, 6);
    tcase_add_test(tc, linear_table_matches_formula);
    tcase_add_test(tc, wcag_contrast);
    tcase_add_test(tc, gamut_max_chroma);
    tcase_add_test(tc, oklch_to_srgb_keeps_hue);
    tcase_add_test(tc, hue_delta_wraps);
    suite_add_tcase(s, tc);
    return s;
}
