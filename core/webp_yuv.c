#include "webp_yuv.h"

#include <stddef.h>

/* libwebp's YUV -> RGB: coefficients with 8 fractional bits applied as (a * b) >> 8 (the
 * emulation of _mm_mulhi_epu16 on a << 8), sums with 6 fractional bits, clipped to 0..255. */
static int mult_hi(int v, int coeff)
{
    return (v * coeff) >> 8;
}

static uint8_t clip8(int v)
{
    return (v & ~16383) == 0 ? (uint8_t)(v >> 6) : v < 0 ? 0 : 255;
}

static void yuv_to_rgb(int y, int u, int v, uint8_t *rgb)
{
    int luma = mult_hi(y, 19077);
    rgb[0] = clip8(luma + mult_hi(v, 26149) - 14234);
    rgb[1] = clip8(luma - mult_hi(u, 6419) - mult_hi(v, 13320) + 8708);
    rgb[2] = clip8(luma + mult_hi(u, 33050) - 17685);
}

/* The chroma of pixel x from the nearer chroma row `near` and the other one `far` (the same
 * row at the top, and at the bottom of an image of even height), as libwebp's fancy
 * upsampler rounds it. Pixel 2k-1 lies nearer chroma column k-1, pixel 2k nearer column k;
 * the weights are 9 for the nearest sample, 3 for the two beside it and 1 for the far
 * corner, in libwebp's two-step rounding. The first pixel, and the last of an even width,
 * have one column: 3:1 between the rows. */
static int chroma_at(const uint8_t *near, const uint8_t *far, uint32_t x, uint32_t width)
{
    if (x == 0 || (x == width - 1 && width % 2 == 0)) {
        uint32_t k = x / 2;
        return (3 * near[k] + far[k] + 2) >> 2;
    }
    uint32_t b = (x + 1) / 2, a = b - 1; /* the columns either side: b = k for x = 2k-1 and 2k */
    int sum = near[a] + near[b] + far[a] + far[b] + 8;
    if (x % 2) /* 2k-1: nearest column a */
        return (((sum + 2 * (near[b] + far[a])) >> 3) + near[a]) >> 1;
    return (((sum + 2 * (near[a] + far[b])) >> 3) + near[b]) >> 1;
}

void ct_yuv_row_to_rgba(const ct_yuv_planes *p, uint32_t row, uint32_t x0, uint32_t step, uint8_t *rgba)
{
    /* Row 0 and an odd row lie below their nearer chroma row, an even row above it. */
    uint32_t chroma_rows = (p->height + 1) / 2, near_row, far_row;
    if (row == 0) {
        near_row = far_row = 0;
    } else if (row % 2) {
        near_row = (row - 1) / 2;
        far_row = (row + 1) / 2 < chroma_rows ? (row + 1) / 2 : near_row;
    } else {
        near_row = row / 2;
        far_row = row / 2 - 1;
    }
    const uint8_t *luma = p->y + (size_t)row * p->y_stride;
    const uint8_t *u_near = p->u + (size_t)near_row * p->uv_stride, *u_far = p->u + (size_t)far_row * p->uv_stride;
    const uint8_t *v_near = p->v + (size_t)near_row * p->uv_stride, *v_far = p->v + (size_t)far_row * p->uv_stride;
    const uint8_t *alpha = p->a ? p->a + (size_t)row * p->a_stride : NULL;
    for (uint32_t x = x0; x < p->width; x += step) {
        uint8_t *px = rgba + (size_t)x * 4;
        yuv_to_rgb(luma[x], chroma_at(u_near, u_far, x, p->width), chroma_at(v_near, v_far, x, p->width), px);
        px[3] = alpha ? alpha[x] : 255;
    }
}
