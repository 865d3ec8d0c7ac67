#include "sample.h"

#include <stdlib.h>
#include <string.h>

void *ct_mem_alloc(ct_arena *arena, size_t size)
{
    return arena ? ct_arena_alloc(arena, size) : malloc(size);
}

void *ct_mem_calloc(ct_arena *arena, size_t n, size_t size)
{
    return arena ? ct_arena_calloc(arena, n, size) : calloc(n, size);
}

void ct_mem_free(ct_arena *arena, void *p)
{
    if (!arena)
        free(p);
}

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

/* The centred start of the grid on a side of `len` pixels: half a step in, or 0 when the
 * side is shorter than that (a 1-pixel-wide strip still gets its column sampled). */
static uint32_t grid_start(uint32_t len, uint32_t step)
{
    uint32_t start = (step - 1) / 2;
    return start < len ? start : 0;
}

int ct_sampler_begin(ct_sampler *s, uint32_t width, uint32_t height, uint32_t max_samples,
                     ct_arena *arena, ct_sample_watch *watch, ct_err *err)
{
    memset(s, 0, sizeof *s);
    if (width == 0 || height == 0 || max_samples == 0)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "sampling: empty image");
    uint32_t step = choose_step(width, height, max_samples);
    uint32_t x0 = grid_start(width, step), y0 = grid_start(height, step);
    uint32_t cols = (width - x0 + step - 1) / step, rows = (height - y0 + step - 1) / step;
    /* cols * rows <= max_samples, so the product fits; only the byte count may not
     * (32-bit size_t). */
    uint64_t points = (uint64_t)cols * rows;
    uint8_t *grid = points <= SIZE_MAX / 4 ? ct_mem_calloc(arena, (size_t)points, 4) : NULL;
    if (!grid)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "sampling: out of memory for %llu samples",
                       (unsigned long long)points);
    *s = (ct_sampler){width, height, step, x0, y0, cols, rows, grid, arena, watch, 0, 0};
    if (watch && watch->begun(watch, s) != 0) {
        ct_mem_free(arena, grid);
        memset(s, 0, sizeof *s);
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "sampling: out of memory for %llu samples",
                       (unsigned long long)points);
    }
    return COVERTHEME_OK;
}

uint32_t ct_sampler_next_row(const ct_sampler *s, uint32_t y)
{
    if (y <= s->y0)
        return s->y0;
    uint64_t next = s->y0 + ((uint64_t)y - s->y0 + s->step - 1) / s->step * s->step;
    return next < s->height ? (uint32_t)next : s->height;
}

int ct_sampler_wants_row(const ct_sampler *s, uint32_t y)
{
    return y < s->height && ct_sampler_next_row(s, y) == y;
}

/* Copies row y's grid pixels that this part of the row holds: x_first, x_first + x_every, ...
 * A whole row (x_every 1, every pixel valid) is the common case and gets a loop of its own,
 * one 4-byte load and store per grid point: the sampler reads every sample of every cover,
 * and the general test costs a division per point. */
static void copy_row(ct_sampler *s, uint32_t y, const uint8_t *rgba_row, uint32_t x_first, uint32_t x_every)
{
    uint8_t *cell = s->grid + (size_t)((y - s->y0) / s->step) * s->cols * 4;
    const uint8_t *src = rgba_row + (size_t)s->x0 * 4;
    size_t stride = (size_t)s->step * 4;
    if (x_every == 1 && x_first == 0) {
        for (uint32_t c = 0; c < s->cols; c++)
            memcpy(cell + (size_t)c * 4, src + c * stride, 4);
        return;
    }
    uint32_t x = s->x0;
    for (uint32_t c = 0; c < s->cols; c++, x += s->step, cell += 4)
        if (x >= x_first && (x - x_first) % x_every == 0)
            memcpy(cell, rgba_row + (size_t)x * 4, 4);
}

void ct_sampler_add_row_part(ct_sampler *s, uint32_t y, const uint8_t *rgba_row,
                             uint32_t x_first, uint32_t x_every)
{
    if (!ct_sampler_wants_row(s, y))
        return;
    copy_row(s, y, rgba_row, x_first, x_every);
    s->unordered = 1; /* the row may get more parts */
}

void ct_sampler_add_row(ct_sampler *s, uint32_t y, const uint8_t *rgba_row)
{
    if (!ct_sampler_wants_row(s, y))
        return;
    copy_row(s, y, rgba_row, 0, 1);
    if (!s->watch || s->unordered)
        return;
    uint32_t r = (y - s->y0) / s->step;
    if (r != s->final_rows) { /* a row skipped or repeated: nothing more is certain */
        s->unordered = 1;
        return;
    }
    s->final_rows = r + 1;
    s->watch->rows_final(s->watch, s->final_rows);
}

void ct_sampler_add_image(ct_sampler *s, const uint8_t *rgba)
{
    size_t stride = (size_t)s->width * 4;
    for (uint32_t r = 0; r < s->rows; r++) {
        uint32_t y = s->y0 + r * s->step;
        ct_sampler_add_row(s, y, rgba + (size_t)y * stride);
    }
}

void ct_sampler_finish(ct_sampler *s, ct_samples *out)
{
    if (s->watch) /* it may still be reading the grid the compaction below overwrites */
        s->watch->ending(s->watch);
    /* The opaque grid pixels, compacted to RGB in place: sample n moves from byte 4i to
     * byte 3n with n <= i, so it never overwrites a pixel still to be read (each is read
     * whole into px before it is stored). */
    uint32_t n = 0;
    size_t points = (size_t)s->cols * s->rows;
    for (size_t i = 0; i < points; i++) {
        uint8_t px[4];
        memcpy(px, s->grid + i * 4, 4);
        if (px[3] < 128)
            continue;
        /* All four bytes, as one store: the fourth lands on byte 3n + 3 <= 3i + 3, which
         * is before the next unread point (4i + 4) and inside the grid, and is either
         * overwritten by the next sample or lies past the last one. */
        memcpy(s->grid + (size_t)n * 3, px, 4);
        n++;
    }
    uint8_t *rgb = s->grid;
    if (n == 0) {
        ct_mem_free(s->arena, rgb);
        rgb = NULL;
    }
    *out = (ct_samples){n, s->step, rgb, s->arena};
    memset(s, 0, sizeof *s); /* the grid now belongs to `out` */
}

void ct_sampler_discard(ct_sampler *s)
{
    if (s->watch && s->grid)
        s->watch->abandoned(s->watch);
    ct_mem_free(s->arena, s->grid);
    memset(s, 0, sizeof *s);
}

int ct_sample_image(const ct_image *img, uint32_t max_samples, ct_samples *out, ct_err *err)
{
    memset(out, 0, sizeof *out);
    if (!img || !img->rgba)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "sampling: empty image");
    ct_sampler s;
    int rc = ct_sampler_begin(&s, img->width, img->height, max_samples, NULL, NULL, err);
    if (rc != COVERTHEME_OK)
        return rc;
    ct_sampler_add_image(&s, img->rgba);
    ct_sampler_finish(&s, out);
    return COVERTHEME_OK;
}

void ct_samples_free(ct_samples *s)
{
    if (!s)
        return;
    ct_mem_free(s->arena, s->rgb);
    memset(s, 0, sizeof *s);
}
