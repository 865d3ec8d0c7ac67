/* Part of covertheme-quality: stability pairs. A PNG and a JPEG of the same picture must
 * give background, text and accent within OKLab 0.05 of each other, or a player would show
 * a different theme for the same album depending on the file it happens to have.
 *
 * Pairs are found by path: the corpus layout DIR/png-rgb/NAME.png with DIR/jpg-base/NAME.jpg,
 * or DIR/NAME.png with DIR/NAME.jpg (or .jpeg). */
#ifndef COVERTHEME_BENCH_STABILITY_H
#define COVERTHEME_BENCH_STABILITY_H

#include "quality_image.h"

typedef struct stability_pair {
    int a, b; /* indices of the PNG and the JPEG */
    double d_bg, d_text, d_accent, worst;
    int ok; /* worst <= 0.05 */
} stability_pair;

/* Pairs among the n results that have a theme (one JPEG partner per PNG), with distances.
 * *out is malloc'ed (free it, also when 0 is returned). Returns the number of pairs. */
int stability_find_pairs(const image_result *res, int n, stability_pair **out);

#endif /* COVERTHEME_BENCH_STABILITY_H */
