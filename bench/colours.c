/* Part of covertheme-quality: distinct colours and distortion (see colours.h). */
#include "colours.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "../core/color.h"

void colours_free(colours *c)
{
    free(c->L);
    free(c->A);
    free(c->B);
    free(c->w);
    memset(c, 0, sizeof *c);
}

int colours_from_image(const ct_image *img, colours *out)
{
    memset(out, 0, sizeof *out);
    uint32_t *count = calloc((size_t)1 << 24, sizeof *count);
    if (!count)
        return -1;
    size_t npx = (size_t)img->width * img->height;
    uint64_t opaque = 0;
    uint32_t n = 0;
    for (size_t i = 0; i < npx; i++) {
        const uint8_t *p = img->rgba + i * 4;
        if (p[3] < 128)
            continue;
        uint32_t key = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        n += count[key] == 0;
        count[key]++;
        opaque++;
    }
    out->n = n;
    out->pixels = opaque;
    out->n_pad = n == 0 ? 0 : (n + COLOURS_BLK - 1) / COLOURS_BLK * COLOURS_BLK;
    size_t np = out->n_pad ? out->n_pad : 1;
    out->L = malloc(np * sizeof(float));
    out->A = malloc(np * sizeof(float));
    out->B = malloc(np * sizeof(float));
    out->w = malloc(np * sizeof(double));
    if (!out->L || !out->A || !out->B || !out->w) {
        free(count);
        colours_free(out);
        return -1;
    }
    uint32_t j = 0;
    for (uint32_t key = 0; key < (1u << 24) && j < n; key++) {
        if (!count[key])
            continue;
        uint8_t rgb[3] = {(uint8_t)(key >> 16), (uint8_t)(key >> 8), (uint8_t)key};
        double lab[3];
        ct_srgb8_to_lab(rgb, lab);
        out->L[j] = (float)lab[0];
        out->A[j] = (float)lab[1];
        out->B[j] = (float)lab[2];
        out->w[j] = (double)count[key];
        j++;
    }
    for (; j < out->n_pad; j++) {
        out->L[j] = out->L[n - 1];
        out->A[j] = out->A[n - 1];
        out->B[j] = out->B[n - 1];
        out->w[j] = 0.0;
    }
    free(count);
    return 0;
}

double colours_weighted_mse(const colours *c, const double *cent, uint32_t k)
{
    double sse = 0.0;
    for (uint32_t i = 0; i < c->n; i++) {
        double l = c->L[i], a = c->A[i], b = c->B[i], best = DBL_MAX;
        for (uint32_t j = 0; j < k; j++) {
            double dl = l - cent[j * 3], da = a - cent[j * 3 + 1], db = b - cent[j * 3 + 2];
            double d = dl * dl + da * da + db * db;
            if (d < best)
                best = d;
        }
        sse += c->w[i] * best;
    }
    return c->pixels ? sse / (double)c->pixels : 0.0;
}
