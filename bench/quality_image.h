/* Part of covertheme-quality: everything measured on one image.
 *
 *  1. covertheme_generate_file() through the public ABI (the context carries --k and
 *     --bg-policy), and the guarantees checked on the theme (guarantees.h);
 *  2. palette distortion: the image is decoded again at full resolution with core's
 *     ct_decode and folded into distinct colours (colours.h); every opaque pixel is mapped
 *     to its nearest palette colour (the Lab the library reports for the 8-bit colour);
 *  3. the reference (refkmeans.h) at k = min(--k, distinct colours), best of --seeds
 *     k-means++ seedings and, unless --no-polish, of a run started from covertheme's own
 *     palette; ratio = covertheme / reference, ratio8 = covertheme / the reference rounded to
 *     8-bit colours. Skipped above --max-unique distinct colours
 *     unless --force. */
#ifndef COVERTHEME_BENCH_QUALITY_IMAGE_H
#define COVERTHEME_BENCH_QUALITY_IMAGE_H

#include <stdint.h>

#include "../abi/covertheme.h"
#include "guarantees.h"
#include "quality.h"
#include "refkmeans.h"

typedef struct image_result {
    const char *path;
    int ok;          /* theme generated and image decoded */
    char err[600];
    uint32_t width, height, format;
    uint64_t opaque;
    uint32_t unique;
    uint32_t k_requested, k_effective, palette_count, k_ref;
    double theme_ms;
    double ct_mse;   /* NAN when no opaque pixel */
    int ref_state;   /* 0 not run, 1 done, 2 skipped */
    char ref_note[120];
    double ref_mse, ref_mse_rgb8, ratio, ref_cpu_s, ref_wall_s, prep_cpu_s;
    /* ct_mse / ref_mse_rgb8: against the reference's palette rounded to 8-bit sRGB, as a
     * theme carries it (covertheme's palette is 8-bit too; the plain ratio also charges it
     * the rounding, up to 2 % on a grey cover whose 256 levels sit between two grey steps) */
    double ratio8;
    int ref_best_seed; /* the seed (1..) the reference came from; 0: the polished palette */
    int ref_hit_cap, seeds_run;
    refkmeans_result runs[QUALITY_MAX_SEEDS];
    double seeds_mse;  /* best of the k-means++ seeds alone */
    double polish_mse; /* NAN when not run */
    refkmeans_result polish;
    guarantee_result g;
    covertheme_rgb roles[COVERTHEME_ROLE_COUNT_V1];
} image_result;

/* Fills r (r->path set by the caller, the rest zeroed); r->ok says whether the theme and
 * the decoded image were obtained, r->err why not. Free r->g.fail_text afterwards. */
void quality_process_image(covertheme_ctx *ctx, const quality_opts *o, image_result *r);

#endif /* COVERTHEME_BENCH_QUALITY_IMAGE_H */
