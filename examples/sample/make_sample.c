/* Draws the bundled sample cover (a dusk landscape: gradient sky, sun, two hill ranges,
 * a little grain) and writes it as PNG with libspng. Generated at build time so the
 * repository ships no artwork. Usage: make_sample OUT.png */
#include <math.h>
#include <spng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SIZE 600

static uint8_t mix(double a, double b, double t)
{
    double v = a + (b - a) * t;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

static void paint(uint8_t *px, int x, int y, uint32_t *rng)
{
    double ty = (double)y / SIZE;
    /* sky: deep indigo at the top to warm rose at the horizon */
    uint8_t r = mix(28, 214, ty * 1.2), g = mix(22, 110, ty * 1.2), b = mix(74, 120, ty);
    double dx = x - 400.0, dy = y - 300.0;
    if (dx * dx + dy * dy < 70.0 * 70.0) { /* the sun */
        r = 250; g = 196; b = 84;
    }
    double hill1 = 380 + 40 * sin(x / 70.0), hill2 = 450 + 30 * sin(x / 45.0 + 1.3);
    if (y > hill1) { r = 52; g = 38; b = 88; }       /* far hills, violet */
    if (y > hill2) { r = 18; g = 44; b = 40; }       /* near hills, dark teal */
    *rng = *rng * 1664525u + 1013904223u;            /* grain, deterministic */
    int n = (int)(*rng >> 28) - 8;
    px[0] = mix(r + n, r + n, 0);
    px[1] = mix(g + n, g + n, 0);
    px[2] = mix(b + n, b + n, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.png\n", argv[0]);
        return 2;
    }
    uint8_t *img = malloc((size_t)SIZE * SIZE * 3);
    if (!img)
        return 1;
    uint32_t rng = 12345;
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++)
            paint(img + ((size_t)y * SIZE + x) * 3, x, y, &rng);
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    struct spng_ihdr ihdr = {.width = SIZE, .height = SIZE, .bit_depth = 8, .color_type = SPNG_COLOR_TYPE_TRUECOLOR};
    FILE *f = fopen(argv[1], "wb");
    int rc = !ctx || !f || spng_set_png_file(ctx, f) || spng_set_ihdr(ctx, &ihdr) ||
             spng_encode_image(ctx, img, (size_t)SIZE * SIZE * 3, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    spng_ctx_free(ctx);
    if (f && fclose(f) != 0)
        rc = 1;
    free(img);
    if (rc) {
        fprintf(stderr, "make_sample: cannot write %s\n", argv[1]);
        remove(argv[1]);
        return 1;
    }
    return 0;
}
