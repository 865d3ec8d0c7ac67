/* Part of covertheme-quality: the work on one image (see quality_image.h). */
#include "quality_image.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/decode.h"
#include "../core/image.h"
#include "colours.h"
#include "seconds.h"

/* The whole file into a malloc'ed buffer. Returns 0, or -1 (unreadable or out of memory). */
static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (len < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = len;
    return 0;
}

void quality_process_image(covertheme_ctx *ctx, const quality_opts *o, image_result *r)
{
    covertheme_theme *t = NULL;
    double w0 = wall_now();
    int rc = covertheme_generate_file(ctx, r->path, &t);
    r->theme_ms = (wall_now() - w0) * 1e3;
    if (rc < 0) {
        snprintf(r->err, sizeof r->err, "generate: %s: %s", covertheme_strerror(rc), covertheme_last_error(ctx));
        return;
    }
    r->width = t->image_width;
    r->height = t->image_height;
    r->format = t->image_format;
    r->k_requested = t->k_requested;
    r->k_effective = t->k_effective;
    r->palette_count = t->palette_count;
    for (int i = 0; i < COVERTHEME_ROLE_COUNT_V1; i++)
        r->roles[i] = t->roles[i].rgb;
    guarantees_check(t, &r->g);

    /* Palette in the Lab the library reports for its 8-bit colours. */
    uint32_t pk = t->palette_count;
    double *pal = malloc(((size_t)pk + 1) * 3 * sizeof *pal);
    for (uint32_t i = 0; pal && i < pk; i++)
        for (int j = 0; j < 3; j++)
            pal[i * 3 + j] = t->palette[i].lab[j];
    covertheme_theme_free(t);

    uint8_t *data = NULL;
    size_t size = 0;
    if (!pal || read_file(r->path, &data, &size) < 0) {
        snprintf(r->err, sizeof r->err, "cannot read %s: %s", r->path, pal ? strerror(errno) : "out of memory");
        free(pal);
        return;
    }
    double c0 = cpu_now();
    ct_image img;
    ct_err err;
    memset(&err, 0, sizeof err);
    rc = ct_decode(data, size, NULL, &img, &err);
    free(data);
    if (rc < 0) {
        snprintf(r->err, sizeof r->err, "decode: %s", err.msg);
        free(pal);
        return;
    }
    colours col;
    rc = colours_from_image(&img, &col);
    ct_image_free(&img);
    if (rc < 0) {
        snprintf(r->err, sizeof r->err, "out of memory for the colour histogram");
        free(pal);
        return;
    }
    r->ok = 1;
    r->opaque = col.pixels;
    r->unique = col.n;
    r->ct_mse = (col.n && pk) ? colours_weighted_mse(&col, pal, pk) : NAN;
    r->prep_cpu_s = cpu_now() - c0;
    r->ref_mse = r->ref_mse_rgb8 = r->ratio = r->ratio8 = NAN;

    r->k_ref = (uint32_t)o->k < col.n ? (uint32_t)o->k : col.n;
    if (col.n == 0) {
        snprintf(r->ref_note, sizeof r->ref_note, "no opaque pixel");
        r->ref_state = 2;
    } else if (!o->force && o->max_unique && col.n > o->max_unique) {
        snprintf(r->ref_note, sizeof r->ref_note, "skipped: %u unique colours (> --max-unique %llu; --force runs it)",
                 col.n, (unsigned long long)o->max_unique);
        r->ref_state = 2;
    } else {
        double *cent = malloc((size_t)r->k_ref * 3 * sizeof *cent);
        double wall0 = wall_now(), cpu0 = cpu_now();
        r->ref_mse = INFINITY;
        for (int s = 0; cent && s < o->seeds; s++) {
            refkmeans_result *run = &r->runs[s];
            if (refkmeans_run(&col, r->k_ref, (uint64_t)s + 1, NULL, o->max_iter, o->brute, cent, run) < 0)
                break;
            r->seeds_run++;
            r->ref_hit_cap |= run->hit_cap;
            if (run->mse < r->ref_mse) {
                r->ref_mse = run->mse;
                r->ref_mse_rgb8 = run->mse_rgb8;
                r->ref_best_seed = s + 1;
            }
        }
        free(cent);
        r->ref_cpu_s = cpu_now() - cpu0;
        r->ref_wall_s = wall_now() - wall0;
        if (r->seeds_run == o->seeds) {
            r->ref_state = 1;
            if (r->ref_hit_cap)
                snprintf(r->ref_note, sizeof r->ref_note, "iteration cap %d hit", o->max_iter);
        } else {
            snprintf(r->ref_note, sizeof r->ref_note, "out of memory in the reference");
            r->ref_state = 2;
        }
    }
    /* Polish: Lloyd on all pixels started from covertheme's own palette. Its MSE is <= the
     * palette's (Lloyd never increases the objective): ct/polished is what convergence on every
     * pixel would still gain in covertheme's basin. It joins the reference, so the reference is
     * the best optimum found by either route and the ratio is never below 1 (the k-means++
     * seeds alone sometimes miss the optimum covertheme found; the ratio must not flatter). */
    r->polish_mse = NAN;
    r->seeds_mse = r->ref_mse;
    if (o->polish && r->ref_state == 1 && pk > 0) {
        double *cent = malloc((size_t)pk * 3 * sizeof *cent);
        double cpu0 = cpu_now(), wall0 = wall_now();
        if (cent && refkmeans_run(&col, pk, 0, pal, o->max_iter, o->brute, cent, &r->polish) == 0) {
            r->polish_mse = r->polish.mse;
            if (r->polish.mse < r->ref_mse) {
                r->ref_mse = r->polish.mse;
                r->ref_mse_rgb8 = r->polish.mse_rgb8;
                r->ref_best_seed = 0;
            }
        }
        free(cent);
        r->ref_cpu_s += cpu_now() - cpu0;
        r->ref_wall_s += wall_now() - wall0;
    }
    if (r->ref_state == 1) {
        r->ratio = r->ref_mse > 0.0 ? r->ct_mse / r->ref_mse : (r->ct_mse > 0.0 ? INFINITY : 1.0);
        r->ratio8 = r->ref_mse_rgb8 > 0.0 ? r->ct_mse / r->ref_mse_rgb8 : (r->ct_mse > 0.0 ? INFINITY : 1.0);
    }
    free(pal);
    colours_free(&col);
}
