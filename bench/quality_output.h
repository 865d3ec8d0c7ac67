/* Part of covertheme-quality: what it prints. A table on stdout (one row per image, the
 * stability pairs, a summary) and, with --json, one JSON object per image, per stability
 * pair and for the summary (JSON Lines). Numbers JSON cannot hold (NaN, inf) are null. */
#ifndef COVERTHEME_BENCH_QUALITY_OUTPUT_H
#define COVERTHEME_BENCH_QUALITY_OUTPUT_H

#include <stdio.h>

#include "guarantees.h"
#include "quality.h"
#include "quality_image.h"
#include "stability.h"

/* The totals the summary reports, over the images that have a theme. */
typedef struct quality_summary {
    int images, errors;     /* images given; images that could not be processed */
    int n_ratio, n_skipped; /* references compared; references not run */
    double geo, worst;      /* geometric mean and largest ratio; NAN / 0 without any */
    int worst_i;            /* index of the largest ratio, -1 without any */
    double geo8, worst8;    /* the same for ratio8 (quality_image.h) */
    int worst8_i;
    int over2, over2_8;     /* images whose ratio / ratio8 exceeds 1.02 */
    int g_total, g_fail;    /* guarantee checks made and failed */
    int per_pass[G_COUNT], per_fail[G_COUNT];
    int pairs, pairs_within; /* stability pairs found and within 0.05 */
} quality_summary;

/* The run's title line and the table header. */
void quality_output_header(const quality_opts *o);
/* One image's table row, or its error, with notes and guarantee failures below it. */
void quality_output_row(const image_result *r);
void quality_output_image_json(FILE *f, const image_result *r, const quality_opts *o);
/* The stability table, and a JSON object per pair to jf unless NULL. Returns how many
 * pairs are within 0.05. */
int quality_output_pairs(FILE *jf, const image_result *res, const stability_pair *pairs, int np);
/* The summary, and its JSON object to jf unless NULL. */
void quality_output_summary(FILE *jf, const quality_summary *s, const image_result *res,
                            const quality_opts *o);

#endif /* COVERTHEME_BENCH_QUALITY_OUTPUT_H */
