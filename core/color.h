/* Colour science: sRGB <-> the clustering spaces (CIELAB, RGB, HSL, HSV, YUV, CIELUV),
 * OKLab/OKLCH for role design, and WCAG contrast.
 *
 * Constants and formulas follow the reference tool (D65 white, sRGB matrices, Ottosson's
 * OKLab) so numbers are comparable; the maths is done in double and rounded once. */
#ifndef CT_COLOR_H
#define CT_COLOR_H

#include <stdint.h>

/* sRGB 8-bit -> linear light, 0..1 (table lookup). */
double ct_srgb8_to_linear(uint8_t v);
/* linear 0..1 (clamped) -> sRGB 8-bit, rounded. */
uint8_t ct_linear_to_srgb8(double v);

/* CIELAB D65. lab_to_srgb8 clips linear RGB per channel before encoding. */
void ct_srgb8_to_lab(const uint8_t rgb[3], double lab[3]);
void ct_lab_to_srgb8(const double lab[3], uint8_t rgb[3]);

/* HSV: h degrees [0,360), s, v in 0..1. */
void ct_srgb8_to_hsv(const uint8_t rgb[3], double hsv[3]);

/* Forward conversion into clustering space `space` (enum covertheme_space), and back to
 * 8-bit sRGB (clamped). Units: CIELAB/CIELUV as usual; RGB 0..255; HSL/HSV hue degrees and
 * s, l/v 0..1 (the reference's convention); YUV BT.601 on 0..255 with offset 128. */
void ct_space_from_srgb8(int space, const uint8_t rgb[3], float out[3]);
void ct_space_to_srgb8(int space, const float in[3], uint8_t rgb[3]);
/* ct_space_from_srgb8 for clustering many colours: CIELAB by table (within 2e-4 of the
 * exact values, deterministic), the other spaces exactly. Thread-safe. */
void ct_space_from_srgb8_fast(int space, const uint8_t rgb[3], float out[3]);
/* The same for n colours, packed RGB triples in, float triples out: the same bits as n
 * calls of ct_space_from_srgb8_fast, without a call and a once-check per colour. */
void ct_space_from_srgb8_fast_n(int space, const uint8_t *rgb, uint32_t n, float *out);

/* OKLab / OKLCH. oklch: L 0..1, C >= 0, h degrees [0,360). */
void ct_linear_to_oklab(const double lin[3], double lab[3]);
void ct_oklab_to_linear(const double lab[3], double lin[3]);
void ct_srgb8_to_oklab(const uint8_t rgb[3], double lab[3]);
void ct_srgb8_to_oklch(const uint8_t rgb[3], double lch[3]);
void ct_oklch_to_oklab(const double lch[3], double lab[3]);
/* Is OKLCH (L, C, h) inside the sRGB gamut (with a tiny tolerance)? */
int ct_oklch_in_gamut(double L, double C, double h);
/* Largest chroma <= c_max that is in gamut at (L, h); 0 if even grey is (it always is). */
double ct_oklch_max_chroma(double L, double h, double c_max);
/* OKLCH -> 8-bit sRGB, clipping per channel (call max_chroma first to stay faithful). */
void ct_oklch_to_srgb8(double L, double C, double h, uint8_t rgb[3]);

/* Euclidean distance in OKLab between two 8-bit colours. */
double ct_oklab_distance(const uint8_t a[3], const uint8_t b[3]);
/* Smallest angle between two hues, degrees 0..180. */
double ct_hue_delta(double h1, double h2);

/* WCAG 2.x relative luminance and contrast ratio (1..21) of 8-bit colours. */
double ct_rel_luminance(const uint8_t rgb[3]);
double ct_contrast(const uint8_t a[3], const uint8_t b[3]);

#endif
