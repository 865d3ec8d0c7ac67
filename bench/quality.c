/* covertheme-quality: how good are covertheme's palettes and themes on real images?
 *
 *   covertheme-quality FILE... [--k N] [--seeds S] [--max-iter N] [--max-unique N] [--force]
 *                      [--no-polish] [--brute] [--bg-policy NAME] [--json OUT] [--quiet]
 *
 * For every image:
 *  1. covertheme_generate_file() through the public ABI (default options, --k, --bg-policy);
 *  2. palette distortion: the image is decoded again at full resolution with core's
 *     ct_decode, every opaque pixel (alpha >= 128, like the library's sampler) is mapped to
 *     its nearest palette colour (the Lab the library reports for the 8-bit colour) and the
 *     mean squared CIE76 distance is taken. Pixels are first folded into a histogram of
 *     distinct 24-bit colours with counts, so the number is the per-pixel mean (up to the
 *     order of the double additions);
 *  3. the reference: weighted Lloyd k-means on the distinct colours (weight = pixel count,
 *     i.e. the k-means objective over all pixels) at k = min(--k, distinct colours), run until
 *     no assignment changes (or --max-iter). Started from --seeds weighted k-means++ seedings
 *     and, unless --no-polish, from covertheme's own palette; the lowest MSE is the reference
 *     and ratio = covertheme / reference (>= 1 with the polish run). Skipped above
 *     --max-unique distinct colours unless --force. Lloyd's assignment uses Hamerly's bounds
 *     with a safety margin: the same assignments as brute force (--brute), bit for bit;
 *  4. the guarantees of docs/theme-roles.md, recomputed here from the 8-bit role colours with
 *     this file's own colour maths (not the library's, and not the theme's contrast fields);
 *  5. stability: a PNG and a JPEG of the same picture (corpus layout DIR/png-rgb/NAME.png and
 *     DIR/jpg-base/NAME.jpg, or DIR/NAME.png and DIR/NAME.jpg) must give background, text and
 *     accent within OKLab 0.05 of each other.
 *
 * Single-threaded and deterministic: the same files and options print the same numbers
 * (timings aside; "ref s" is thread CPU time). Exit status: 0 all measured and every guarantee
 * and pair held; 1 some guarantee or stability pair failed; 2 usage error or an image could not
 * be processed. Needs only the core objects and the library, not bench/stats.
 *
 * This file is the command line and the run: options, then per image the work of
 * quality_image.c (which uses colours.c, refkmeans.c, guarantees.c and wcag_oklab.c), the
 * pairs of stability.c, and the summary; quality_output.c formats all of it. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../abi/covertheme.h"
#include "guarantees.h"
#include "quality.h"
#include "quality_image.h"
#include "quality_output.h"
#include "stability.h"

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s FILE... [--k N] [--seeds S] [--max-iter N] [--max-unique N] [--force] [--no-polish]\n"
            "           [--brute] [--bg-policy tinted|faithful|dark|light] [--max-samples N] [--seed N] [--json OUT] [--quiet]\n"
            "  --k N           clusters for covertheme and for the reference (default 30)\n"
            "  --seeds S       k-means++ seeds of the reference, best kept (default 4, max %d)\n"
            "  --max-iter N    Lloyd iteration cap of the reference (default 300; hitting it is reported)\n"
            "  --max-unique N  skip the reference above N distinct colours (default 4000000)\n"
            "  --force         never skip the reference\n"
            "  --no-polish     skip the extra Lloyd run started from covertheme's own palette\n"
            "  --brute         plain Lloyd assignment instead of Hamerly's bounds (same results, slower;\n"
            "                  for checking)\n"
            "  --bg-policy P   background policy of the generated theme (default tinted)\n"
            "  --max-samples N the generated theme's COVERTHEME_OPT_MAX_SAMPLES (default: the library's)\n"
            "  --seed N        the generated theme's COVERTHEME_OPT_SEED (default: the library's; how\n"
            "                  much a palette depends on its k-means++ draws)\n"
            "  --json OUT      one JSON object per image, per stability pair, and a summary (JSON Lines)\n"
            "  --quiet         no per-image progress on stderr\n",
            argv0, QUALITY_MAX_SEEDS);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses argv into *o and files[0..*nfiles). Returns -1 to go on, else the exit status
 * (0 after --help; 2 for a bad option or value, or no file). */
static int parse_options(int argc, char **argv, quality_opts *o, const char **files, int *nfiles)
{
    *o = (quality_opts){.k = 30, .seeds = 4, .max_iter = 300, .max_unique = 4000000, .polish = 1,
                        .bg_policy = COVERTHEME_BG_TINTED, .seed = -1};
    *nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        int need = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, argv[0]);
            return 0;
        } else if (strcmp(a, "--k") == 0 && need && parse_int(argv[i + 1], 1, 256, &v) == 0) {
            o->k = (int)v, i++;
        } else if (strcmp(a, "--seeds") == 0 && need && parse_int(argv[i + 1], 1, QUALITY_MAX_SEEDS, &v) == 0) {
            o->seeds = (int)v, i++;
        } else if (strcmp(a, "--max-iter") == 0 && need && parse_int(argv[i + 1], 1, 100000, &v) == 0) {
            o->max_iter = (int)v, i++;
        } else if (strcmp(a, "--max-unique") == 0 && need && parse_int(argv[i + 1], 0, 1L << 24, &v) == 0) {
            o->max_unique = (uint64_t)v, i++;
        } else if (strcmp(a, "--max-samples") == 0 && need && parse_int(argv[i + 1], 1, 1L << 30, &v) == 0) {
            o->max_samples = v, i++;
        } else if (strcmp(a, "--seed") == 0 && need && parse_int(argv[i + 1], 0, INT32_MAX, &v) == 0) {
            o->seed = v, i++;
        } else if (strcmp(a, "--force") == 0) {
            o->force = 1;
        } else if (strcmp(a, "--no-polish") == 0) {
            o->polish = 0;
        } else if (strcmp(a, "--brute") == 0) {
            o->brute = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--bg-policy") == 0 && need && covertheme_bg_policy_from_name(argv[i + 1]) >= 0) {
            o->bg_policy = covertheme_bg_policy_from_name(argv[++i]);
        } else if (strcmp(a, "--json") == 0 && need) {
            o->json = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "%s: bad option or value: %s\n", argv[0], a);
            usage(stderr, argv[0]);
            return 2;
        } else {
            files[(*nfiles)++] = a;
        }
    }
    if (*nfiles == 0) {
        usage(stderr, argv[0]);
        return 2;
    }
    return -1;
}

/* Ratios (geometric mean, worst) and guarantee counts over the images that have a theme. */
static void summarize(const image_result *res, int nfiles, int errors, quality_summary *s)
{
    double log_sum = 0.0;
    double log8_sum = 0.0;
    *s = (quality_summary){.images = nfiles, .errors = errors, .worst_i = -1, .worst8_i = -1};
    for (int i = 0; i < nfiles; i++) {
        const image_result *r = &res[i];
        if (!r->ok)
            continue;
        if (r->ref_state == 1 && isfinite(r->ratio) && r->ratio > 0.0) {
            log_sum += log(r->ratio);
            s->n_ratio++;
            if (r->ratio > s->worst)
                s->worst = r->ratio, s->worst_i = i;
            log8_sum += log(r->ratio8);
            if (r->ratio8 > s->worst8)
                s->worst8 = r->ratio8, s->worst8_i = i;
            s->over2 += r->ratio > 1.02;
            s->over2_8 += r->ratio8 > 1.02;
        } else if (r->ref_state != 1) {
            s->n_skipped++;
        }
        s->g_total += r->g.total;
        s->g_fail += r->g.total - r->g.passed;
        for (int g = 0; g < G_COUNT; g++) {
            s->per_pass[g] += r->g.status[g] == G_PASS;
            s->per_fail[g] += r->g.status[g] == G_FAIL;
        }
    }
    s->geo = s->n_ratio ? exp(log_sum / s->n_ratio) : NAN;
    s->geo8 = s->n_ratio ? exp(log8_sum / s->n_ratio) : NAN;
}

int main(int argc, char **argv)
{
    setlocale(LC_NUMERIC, "C");
    quality_opts o;
    const char **files = calloc((size_t)argc, sizeof *files);
    int nfiles = 0;
    if (!files)
        return 2;
    int rc = parse_options(argc, argv, &o, files, &nfiles);
    if (rc >= 0) {
        free(files);
        return rc;
    }
    FILE *jf = NULL;
    if (o.json && !(jf = fopen(o.json, "w"))) {
        fprintf(stderr, "%s: cannot write %s: %s\n", argv[0], o.json, strerror(errno));
        return 2;
    }
    covertheme_ctx *ctx = covertheme_create();
    if (!ctx || covertheme_set_option(ctx, COVERTHEME_OPT_K, o.k) < 0 ||
        covertheme_set_option(ctx, COVERTHEME_OPT_BG_POLICY, o.bg_policy) < 0 ||
        (o.max_samples > 0 && covertheme_set_option(ctx, COVERTHEME_OPT_MAX_SAMPLES, o.max_samples) < 0) ||
        (o.seed >= 0 && covertheme_set_option(ctx, COVERTHEME_OPT_SEED, o.seed) < 0)) {
        fprintf(stderr, "%s: cannot create a covertheme context\n", argv[0]);
        return 2;
    }
    image_result *res = calloc((size_t)nfiles, sizeof *res);
    if (!res)
        return 2;

    quality_output_header(&o);
    int errors = 0;
    for (int i = 0; i < nfiles; i++) {
        image_result *r = &res[i];
        r->path = files[i];
        if (!o.quiet)
            fprintf(stderr, "[%d/%d] %s\n", i + 1, nfiles, r->path);
        quality_process_image(ctx, &o, r);
        if (!r->ok)
            errors++;
        quality_output_row(r);
        fflush(stdout);
        if (jf)
            quality_output_image_json(jf, r, &o);
    }

    quality_summary s;
    summarize(res, nfiles, errors, &s);
    stability_pair *pairs = NULL;
    s.pairs = stability_find_pairs(res, nfiles, &pairs);
    s.pairs_within = quality_output_pairs(jf, res, pairs, s.pairs);
    quality_output_summary(jf, &s, res, &o);
    if (jf && fclose(jf) != 0) {
        fprintf(stderr, "%s: writing %s failed\n", argv[0], o.json);
        errors++;
    }
    for (int i = 0; i < nfiles; i++)
        free(res[i].g.fail_text);
    free(res);
    free(pairs);
    free(files);
    covertheme_destroy(ctx);
    if (errors)
        return 2;
    return (s.g_fail || s.pairs_within != s.pairs) ? 1 : 0;
}
