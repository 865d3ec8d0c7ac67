/* Part of covertheme-quality: the colour maths its checks use, written from the definitions
 * (WCAG 2.x relative luminance and contrast, Ottosson's OKLab) and on purpose not taken from
 * core/color.c: a bug there must not hide itself here. All inputs are 8-bit sRGB colours. */
#ifndef COVERTHEME_BENCH_WCAG_OKLAB_H
#define COVERTHEME_BENCH_WCAG_OKLAB_H

#include "../abi/covertheme.h"

/* WCAG 2.x contrast ratio of two colours, 1 to 21, order-independent. */
double wcag_contrast(covertheme_rgb a, covertheme_rgb b);
/* OKLCH chroma and hue (degrees, [0, 360)). */
double oklab_chroma(covertheme_rgb c);
double oklab_hue(covertheme_rgb c);
/* Smallest angle between two hues, [0, 180]. */
double oklab_hue_delta(double a, double b);
/* Euclidean distance in OKLab. */
double oklab_dist(covertheme_rgb a, covertheme_rgb b);
/* "#rrggbb" into buf, which is returned (for messages and JSON). */
char *rgb_hex(covertheme_rgb c, char buf[8]);

#endif /* COVERTHEME_BENCH_WCAG_OKLAB_H */
