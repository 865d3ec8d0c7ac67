#include "sample.h"

#include <stdlib.h>
#include <string.h>

static uint64_t grid_count(uint32_t w, uint32_t h, uint32_t step)
{
    return (uint64_t)((w + step - 1) / step) * ((h + step - 1) / step);
}

static uint32_t choose_step(uint32_t w, uint32_t h, uint32_t max_samples)
{
    uint32_t step = 1;
    while (grid_count(w, h, step) > max_samples)
        step++;
    return step;
}

int ct_sample_image(const ct_image *img, uint32_t max_samples, ct_samples *out, ct_err *err)
{
    memset(out, 0, sizeof *out);
    if (!img || !img->rgba || img->width == 0 || img->height == 0 || max_samples == 0)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "sampling: empty image");
    uint32_t step = choose_step(img->width, img->height, max_samples);
    uint64_t cap = grid_count(img->width, img->height, step);
    uint8_t *rgb = malloc((size_t)cap * 3);
    if (!rgb)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "sampling: out of memory for %llu samples",
                       (unsigned long long)cap);
    uint32_t n = 0;
    uint32_t x0 = (step - 1) / 2, y0 = (step - 1) / 2;
    if (x0 >= img->width)
        x0 = 0;
    if (y0 >= img->height)
        y0 = 0;
    for (uint32_t y = y0; y < img->height; y += step) {
        const uint8_t *row = img->rgba + (size_t)y * img->width * 4;
        for (uint32_t x = x0; x < img->width; x += step) {
            const uint8_t *p = row + (size_t)x * 4;
            if (p[3] < 128)
                continue;
            memcpy(rgb + (size_t)n * 3, p, 3);
            n++;
        }
    }
    if (n == 0) {
        free(rgb);
        rgb = NULL;
    }
    out->n = n;
    out->step = step;
    out->rgb = rgb;
    return 0;
}

void ct_samples_free(ct_samples *s)
{
    if (!s)
        return;
    free(s->rgb);
    memset(s, 0, sizeof *s);
}

uint32_t ct_samples_distinct(const ct_samples *s)
{
    if (!s || s->n == 0)
        return 0;
    /* One bit per 24-bit colour: 2 MiB, cheaper and simpler than sorting. */
    uint8_t *seen = calloc(1u << 21, 1);
    if (!seen) {
        return s->n; /* an upper bound is still a valid clamp for k */
    }
    uint32_t distinct = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        const uint8_t *p = s->rgb + (size_t)i * 3;
        uint32_t key = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        uint8_t bit = (uint8_t)(1u << (key & 7));
        if (!(seen[key >> 3] & bit)) {
            seen[key >> 3] |= bit;
            distinct++;
        }
    }
    free(seen);
    return distinct;
}
