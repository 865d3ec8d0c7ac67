/* Synthetic album covers; see covers.h.
 *
 * Only integer arithmetic and IEEE-exact double operations (+, -, *, /, sqrt, fmod,
 * lround) are used, no sin/cos/atan2/hypot whose last bit may differ between libm
 * versions, and a private xorshift32 generator seeded per cover replaces rand(): the
 * pixels are the same on every machine and run. */
#include "covers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Drawing primitives ------------------------------------------------------------- */

typedef struct colour {
    uint8_t r, g, b, a;
} colour;

#define RGB(r, g, b) ((colour){(r), (g), (b), 255})

typedef struct canvas {
    uint32_t w, h;
    uint8_t *px;
    uint32_t rng; /* xorshift32 state, never 0 */
} canvas;

static uint32_t next_random(canvas *c)
{
    uint32_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c->rng = x;
    return x;
}

/* Uniform integer in [lo, hi]. */
static int random_between(canvas *c, int lo, int hi)
{
    return lo + (int)(next_random(c) % (uint32_t)(hi - lo + 1));
}

static uint8_t clamp_u8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static uint8_t *pixel_at(canvas *c, uint32_t x, uint32_t y)
{
    return c->px + ((size_t)y * c->w + x) * 4;
}

static void put(canvas *c, uint32_t x, uint32_t y, colour col)
{
    uint8_t *p = pixel_at(c, x, y);
    p[0] = col.r;
    p[1] = col.g;
    p[2] = col.b;
    p[3] = col.a;
}

/* Paints `col` over a pixel with coverage 0..255 (straight-alpha "over" for the RGB,
 * alpha kept as the maximum so opaque art stays opaque). */
static void blend(canvas *c, uint32_t x, uint32_t y, colour col, unsigned coverage)
{
    uint8_t *p = pixel_at(c, x, y);
    unsigned k = coverage * col.a / 255;
    p[0] = (uint8_t)((p[0] * (255 - k) + col.r * k + 127) / 255);
    p[1] = (uint8_t)((p[1] * (255 - k) + col.g * k + 127) / 255);
    p[2] = (uint8_t)((p[2] * (255 - k) + col.b * k + 127) / 255);
    if (col.a > p[3])
        p[3] = (uint8_t)(p[3] + (col.a - p[3]) * coverage / 255);
}

/* Euclidean distance from the centre of pixel (x, y) to (cx, cy). */
static double distance_to(uint32_t x, uint32_t y, double cx, double cy)
{
    double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
    return sqrt(dx * dx + dy * dy);
}

static colour mix(colour a, colour b, double t)
{
    colour m;
    m.r = clamp_u8((int)lround(a.r + (b.r - a.r) * t));
    m.g = clamp_u8((int)lround(a.g + (b.g - a.g) * t));
    m.b = clamp_u8((int)lround(a.b + (b.b - a.b) * t));
    m.a = clamp_u8((int)lround(a.a + (b.a - a.a) * t));
    return m;
}

static void fill(canvas *c, colour col)
{
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++)
            put(c, x, y, col);
}

/* Top-to-bottom gradient. */
static void vertical_gradient(canvas *c, colour top, colour bottom)
{
    for (uint32_t y = 0; y < c->h; y++) {
        colour row = mix(top, bottom, c->h > 1 ? (double)y / (c->h - 1) : 0.0);
        for (uint32_t x = 0; x < c->w; x++)
            put(c, x, y, row);
    }
}

/* Gradient from the top-left to the bottom-right corner. */
static void diagonal_gradient(canvas *c, colour from, colour to)
{
    double span = (double)c->w + c->h - 2;
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++)
            put(c, x, y, mix(from, to, span > 0 ? (x + y) / span : 0.0));
}

/* Disc with a one-pixel soft edge (so edges look like real, anti-aliased art). */
static void disc(canvas *c, double cx, double cy, double radius, colour col)
{
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++) {
            double d = distance_to(x, y, cx, cy);
            double cover = radius + 0.5 - d;
            if (cover <= 0)
                continue;
            blend(c, x, y, col, cover >= 1 ? 255u : (unsigned)(cover * 255));
        }
}

/* Disc whose coverage falls off linearly from the centre: a bokeh light. */
static void soft_disc(canvas *c, double cx, double cy, double radius, colour col)
{
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++) {
            double d = distance_to(x, y, cx, cy);
            if (d < radius)
                blend(c, x, y, col, (unsigned)(255 * (1.0 - d / radius)));
        }
}

/* Filled rectangle [x0, x1) x [y0, y1), clipped to the canvas. */
static void rect(canvas *c, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1, colour col)
{
    for (uint32_t y = y0; y < y1 && y < c->h; y++)
        for (uint32_t x = x0; x < x1 && x < c->w; x++)
            blend(c, x, y, col, 255);
}

/* Adds independent noise of +-amount to R, G and B (film grain, JPEG-like texture). */
static void grain(canvas *c, int amount)
{
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++) {
            uint8_t *p = pixel_at(c, x, y);
            for (int ch = 0; ch < 3; ch++)
                p[ch] = clamp_u8(p[ch] + random_between(c, -amount, amount));
        }
}

/* Adds the same +-amount to all channels: luminance-only grain that keeps the hue. */
static void mono_grain(canvas *c, int amount)
{
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++) {
            uint8_t *p = pixel_at(c, x, y);
            int n = random_between(c, -amount, amount);
            for (int ch = 0; ch < 3; ch++)
                p[ch] = clamp_u8(p[ch] + n);
        }
}

/* Converts HSV (h in degrees, s and v 0..1) to an opaque colour. */
static colour hsv(double h, double s, double v)
{
    h = fmod(h, 360.0);
    if (h < 0)
        h += 360.0;
    double c = v * s, x = c * (1 - fabs(fmod(h / 60.0, 2.0) - 1)), m = v - c;
    double r = 0, g = 0, b = 0;
    switch ((int)(h / 60.0)) {
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x; break;
    }
    return RGB(clamp_u8((int)lround((r + m) * 255)), clamp_u8((int)lround((g + m) * 255)),
               clamp_u8((int)lround((b + m) * 255)));
}

/* ---- The covers --------------------------------------------------------------------- */

static void draw_grey(canvas *c)
{
    vertical_gradient(c, RGB(20, 20, 20), RGB(235, 235, 235));
    disc(c, c->w * 0.35, c->h * 0.4, c->w * 0.2, RGB(60, 60, 60));
    rect(c, c->w / 2, c->h / 2, c->w - 8, c->h - 8, RGB(200, 200, 200));
    mono_grain(c, 4);
}

static void draw_single(canvas *c) { fill(c, RGB(0x2E, 0x86, 0xC1)); }

static void draw_tiny1x1(canvas *c) { fill(c, RGB(0xC0, 0x39, 0x2B)); }

static void draw_transparent(canvas *c)
{
    /* Colour under zero alpha must be ignored, so give it a loud one. */
    fill(c, (colour){255, 0, 128, 0});
}

static void draw_two_hue(canvas *c)
{
    fill(c, RGB(20, 60, 200));                                /* saturated blue field */
    disc(c, c->w * 0.55, c->h * 0.5, c->w * 0.3, RGB(245, 130, 20)); /* orange disc */
}

static void draw_black(canvas *c) { fill(c, RGB(0, 0, 0)); }

static void draw_white(canvas *c) { fill(c, RGB(255, 255, 255)); }

static void draw_mid_grey(canvas *c) { fill(c, RGB(0x77, 0x77, 0x77)); }

static void draw_dark_purple_bokeh(canvas *c)
{
    vertical_gradient(c, RGB(30, 10, 45), RGB(55, 20, 70));
    for (int i = 0; i < 14; i++)
        soft_disc(c, random_between(c, 0, (int)c->w), random_between(c, 0, (int)c->h),
                  random_between(c, 6, 18), hsv(random_between(c, 270, 330), 0.5, 0.9));
    grain(c, 3);
}

static void draw_yellow_flower_on_dark(canvas *c)
{
    fill(c, RGB(18, 24, 16));
    /* Unit vectors every 45 degrees, written out to stay clear of libm's sin/cos. */
    static const double dir[8][2] = {
        {1, 0},  {0.70710678, 0.70710678},   {0, 1},  {-0.70710678, 0.70710678},
        {-1, 0}, {-0.70710678, -0.70710678}, {0, -1}, {0.70710678, -0.70710678},
    };
    double cx = c->w * 0.5, cy = c->h * 0.5, r = c->w * 0.12;
    for (int petal = 0; petal < 8; petal++)
        disc(c, cx + dir[petal][0] * r * 1.6, cy + dir[petal][1] * r * 1.6, r, RGB(250, 210, 30));
    disc(c, cx, cy, r * 0.9, RGB(120, 70, 20));
    rect(c, (uint32_t)cx - 1, (uint32_t)(cy + r * 2.4), (uint32_t)cx + 2, c->h, RGB(40, 110, 40));
    grain(c, 4);
}

static void draw_pastel(canvas *c)
{
    diagonal_gradient(c, RGB(250, 218, 221), RGB(205, 230, 250));
    disc(c, c->w * 0.3, c->h * 0.65, c->w * 0.22, RGB(210, 245, 215));
    disc(c, c->w * 0.7, c->h * 0.3, c->w * 0.15, RGB(250, 240, 200));
}

static void draw_neon(canvas *c)
{
    fill(c, RGB(10, 5, 20));
    rect(c, 0, c->h / 5, c->w, c->h / 5 + 10, RGB(255, 0, 220));
    rect(c, 0, c->h / 2, c->w, c->h / 2 + 10, RGB(0, 240, 255));
    disc(c, c->w * 0.75, c->h * 0.78, c->w * 0.14, RGB(60, 255, 40));
}

static void draw_sepia(canvas *c)
{
    vertical_gradient(c, RGB(240, 220, 180), RGB(110, 80, 50));
    disc(c, c->w * 0.5, c->h * 0.45, c->w * 0.25, RGB(80, 55, 35));
    mono_grain(c, 6);
}

static void draw_red_only(canvas *c)
{
    vertical_gradient(c, RGB(90, 0, 0), RGB(255, 30, 30));
    disc(c, c->w * 0.5, c->h * 0.5, c->w * 0.2, RGB(180, 0, 0));
}

static void draw_blue_only(canvas *c)
{
    diagonal_gradient(c, RGB(5, 20, 90), RGB(60, 140, 255));
    rect(c, c->w / 4, c->h / 4, c->w * 3 / 4, c->h * 3 / 4, RGB(20, 50, 160));
}

static void draw_green_forest(canvas *c)
{
    vertical_gradient(c, RGB(150, 190, 150), RGB(10, 40, 15));
    for (int i = 0; i < 10; i++) {
        uint32_t x = (uint32_t)random_between(c, 0, (int)c->w - 6);
        uint32_t top = (uint32_t)random_between(c, (int)c->h / 5, (int)c->h / 2);
        rect(c, x, top, x + 5, c->h, RGB(35, 25, 15));
        double crown = random_between(c, 8, 16);
        disc(c, x + 2.5, top, crown, hsv(random_between(c, 95, 140), 0.7, 0.45));
    }
    grain(c, 5);
}

static void draw_sunset_gradient(canvas *c)
{
    vertical_gradient(c, RGB(40, 30, 110), RGB(255, 120, 40));
    disc(c, c->w * 0.5, c->h * 0.8, c->w * 0.18, RGB(255, 220, 90));
    rect(c, 0, c->h * 7 / 8, c->w, c->h, RGB(30, 15, 30));
}

static void draw_noise(canvas *c)
{
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++)
            put(c, x, y, RGB((uint8_t)next_random(c), (uint8_t)next_random(c),
                             (uint8_t)next_random(c)));
}

static void draw_half_transparent(canvas *c)
{
    diagonal_gradient(c, RGB(230, 90, 40), RGB(40, 90, 200));
    double cx = c->w / 2.0, cy = c->h / 2.0, rmax = sqrt(cx * cx + cy * cy);
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++) {
            double t = distance_to(x, y, cx, cy) / rmax; /* 0 centre .. 1 corner */
            pixel_at(c, x, y)[3] = clamp_u8((int)lround(255 * (1.0 - t * t * 1.3)));
        }
}

static void draw_stripes_many_hues(canvas *c)
{
    const uint32_t stripes = 12;
    for (uint32_t i = 0; i < stripes; i++)
        rect(c, 0, c->h * i / stripes, c->w, c->h * (i + 1) / stripes,
             hsv(i * 360.0 / stripes, 0.8, 0.9));
}

static void draw_mostly_white_with_red_dot(canvas *c)
{
    fill(c, RGB(250, 250, 248));
    disc(c, c->w * 0.5, c->h * 0.5, c->w * 0.08, RGB(210, 20, 30));
}

static void draw_near_black_with_teal(canvas *c)
{
    fill(c, RGB(8, 10, 12));
    rect(c, c->w / 8, c->h * 3 / 5, c->w * 7 / 8, c->h * 3 / 5 + 6, RGB(0, 150, 140));
    disc(c, c->w * 0.3, c->h * 0.3, c->w * 0.07, RGB(20, 190, 175));
    grain(c, 2);
}

static void draw_skin_tones(canvas *c)
{
    vertical_gradient(c, RGB(90, 60, 50), RGB(60, 40, 35));
    disc(c, c->w * 0.5, c->h * 0.45, c->w * 0.3, RGB(224, 172, 140));
    disc(c, c->w * 0.5, c->h * 0.55, c->w * 0.18, RGB(198, 134, 100));
    disc(c, c->w * 0.5, c->h * 0.12, c->w * 0.25, RGB(70, 45, 30));
    mono_grain(c, 3);
}

static void draw_checker_bw(canvas *c)
{
    const uint32_t cell = 8;
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++)
            put(c, x, y, ((x / cell + y / cell) % 2) ? RGB(255, 255, 255) : RGB(0, 0, 0));
}

static void draw_ocean(canvas *c)
{
    vertical_gradient(c, RGB(170, 220, 240), RGB(0, 60, 110));
    for (int i = 0; i < 6; i++)
        rect(c, 0, c->h * (5 + i) / 12, c->w, c->h * (5 + i) / 12 + 2, RGB(230, 245, 250));
    grain(c, 3);
}

static void draw_wide_banner(canvas *c)
{
    fill(c, RGB(200, 30, 45));
    rect(c, c->w / 2, 0, c->w, c->h, RGB(25, 60, 170));
    disc(c, c->w * 0.5, c->h * 0.5, c->h * 0.3, RGB(245, 245, 245));
}

static void draw_low_contrast_beige(canvas *c)
{
    fill(c, RGB(214, 200, 178));
    disc(c, c->w * 0.4, c->h * 0.5, c->w * 0.25, RGB(205, 190, 168));
    mono_grain(c, 2);
}

/* An angle-like value in [0, 360) that grows monotonically around (0, 0): the "diamond
 * angle", exact in IEEE arithmetic unlike atan2. */
static double pseudo_angle(double dx, double dy)
{
    double sum = fabs(dx) + fabs(dy);
    if (sum == 0)
        return 0;
    double t = dy / sum; /* -1..1 */
    double quarter = dx >= 0 ? (dy >= 0 ? t : 4 + t) : 2 - t;
    return quarter * 90.0;
}

static void draw_hue_wheel(canvas *c)
{
    double cx = c->w / 2.0, cy = c->h / 2.0;
    for (uint32_t y = 0; y < c->h; y++)
        for (uint32_t x = 0; x < c->w; x++) {
            double s = fmin(1.0, distance_to(x, y, cx, cy) / cx);
            put(c, x, y, hsv(pseudo_angle(x + 0.5 - cx, y + 0.5 - cy), s, 0.95));
        }
}

static void draw_tall_strip(canvas *c)
{
    vertical_gradient(c, RGB(255, 200, 0), RGB(120, 0, 160));
}

typedef struct cover_def {
    const char *name;
    uint32_t w, h;
    void (*draw)(canvas *c);
} cover_def;

/* Sizes vary on purpose (odd, non-square, tiny) so sampling grids meet awkward edges. */
static const cover_def covers[] = {
    {"grey", 96, 96, draw_grey},
    {"single", 32, 32, draw_single},
    {"tiny1x1", 1, 1, draw_tiny1x1},
    {"transparent", 24, 24, draw_transparent},
    {"two_hue", 96, 96, draw_two_hue},
    {"black", 16, 16, draw_black},
    {"white", 16, 16, draw_white},
    {"mid_grey", 40, 40, draw_mid_grey},
    {"dark_purple_bokeh", 128, 128, draw_dark_purple_bokeh},
    {"yellow_flower_on_dark", 128, 128, draw_yellow_flower_on_dark},
    {"pastel", 100, 100, draw_pastel},
    {"neon", 96, 96, draw_neon},
    {"sepia", 90, 120, draw_sepia},
    {"red_only", 64, 64, draw_red_only},
    {"blue_only", 64, 64, draw_blue_only},
    {"green_forest", 128, 96, draw_green_forest},
    {"sunset_gradient", 128, 128, draw_sunset_gradient},
    {"noise", 64, 64, draw_noise},
    {"half_transparent", 97, 97, draw_half_transparent},
    {"stripes_many_hues", 120, 120, draw_stripes_many_hues},
    {"mostly_white_with_red_dot", 128, 128, draw_mostly_white_with_red_dot},
    {"near_black_with_teal", 96, 96, draw_near_black_with_teal},
    {"skin_tones", 100, 120, draw_skin_tones},
    {"checker_bw", 64, 64, draw_checker_bw},
    {"ocean", 128, 128, draw_ocean},
    {"wide_banner", 256, 64, draw_wide_banner},
    {"low_contrast_beige", 80, 80, draw_low_contrast_beige},
    {"hue_wheel", 256, 256, draw_hue_wheel},
    {"tall_strip", 7, 200, draw_tall_strip},
};

#define COVER_COUNT ((int)(sizeof covers / sizeof covers[0]))

int tg_cover_count(void)
{
    return COVER_COUNT;
}

const char *tg_cover_name(int i)
{
    return i >= 0 && i < COVER_COUNT ? covers[i].name : NULL;
}

int tg_cover_find(const char *name)
{
    for (int i = 0; name && i < COVER_COUNT; i++)
        if (strcmp(covers[i].name, name) == 0)
            return i;
    return -1;
}

/* FNV-1a of the name: a cover's pixels depend on its name only, so adding, removing or
 * reordering covers never changes another one. */
static uint32_t seed_from_name(const char *name)
{
    uint32_t hash = 2166136261u;
    for (; *name; name++)
        hash = (hash ^ (uint8_t)*name) * 16777619u;
    return hash;
}

int tg_cover_make(int i, uint32_t *w, uint32_t *h, uint8_t **rgba)
{
    if (rgba)
        *rgba = NULL;
    if (i < 0 || i >= COVER_COUNT || !w || !h || !rgba)
        return -1;
    const cover_def *def = &covers[i];
    uint32_t seed = seed_from_name(def->name);
    canvas c = {def->w, def->h, calloc((size_t)def->w * def->h, 4), seed ? seed : 1};
    if (!c.px)
        return -1;
    def->draw(&c);
    *w = c.w;
    *h = c.h;
    *rgba = c.px;
    return 0;
}
