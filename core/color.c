/* Colour conversions. Double precision throughout, one rounding at the end, and no
 * fused multiply-add (the Makefile passes -ffp-contract=off) so every build computes the
 * same bits. The 8-bit sRGB -> linear step is a 256-entry table built once. */
#include "color.h"

#include <math.h>
#include <pthread.h>

#include "../abi/covertheme.h"

static const double WHITE_X = 0.95047, WHITE_Y = 1.0, WHITE_Z = 1.08883;

static double lin_table[256];
static pthread_once_t lin_once = PTHREAD_ONCE_INIT;

static double srgb_decode(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double srgb_encode(double c)
{
    return c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1.0 / 2.4) - 0.055;
}

static void build_lin_table(void)
{
    for (int i = 0; i < 256; i++)
        lin_table[i] = srgb_decode(i / 255.0);
}

double ct_srgb8_to_linear(uint8_t v)
{
    pthread_once(&lin_once, build_lin_table);
    return lin_table[v];
}

static double clamp01(double v)
{
    return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

static uint8_t to_u8(double v01)
{
    return (uint8_t)floor(clamp01(v01) * 255.0 + 0.5);
}

uint8_t ct_linear_to_srgb8(double v)
{
    return to_u8(srgb_encode(clamp01(v)));
}

static void srgb8_to_linear3(const uint8_t rgb[3], double lin[3])
{
    for (int i = 0; i < 3; i++)
        lin[i] = ct_srgb8_to_linear(rgb[i]);
}

/* ---- CIE XYZ / Lab / Luv --------------------------------------------------------- */

static void linear_to_xyz(const double l[3], double xyz[3])
{
    xyz[0] = 0.4124564 * l[0] + 0.3575761 * l[1] + 0.1804375 * l[2];
    xyz[1] = 0.2126729 * l[0] + 0.7151522 * l[1] + 0.0721750 * l[2];
    xyz[2] = 0.0193339 * l[0] + 0.1191920 * l[1] + 0.9503041 * l[2];
}

static void xyz_to_linear(const double xyz[3], double l[3])
{
    l[0] = 3.2404542 * xyz[0] - 1.5371385 * xyz[1] - 0.4985314 * xyz[2];
    l[1] = -0.9692660 * xyz[0] + 1.8760108 * xyz[1] + 0.0415560 * xyz[2];
    l[2] = 0.0556434 * xyz[0] - 0.2040259 * xyz[1] + 1.0572252 * xyz[2];
}

static const double LAB_DELTA = 6.0 / 29.0;

static double lab_f(double t)
{
    return t > LAB_DELTA * LAB_DELTA * LAB_DELTA ? cbrt(t) : t / (3.0 * LAB_DELTA * LAB_DELTA) + 4.0 / 29.0;
}

static double lab_finv(double t)
{
    return t > LAB_DELTA ? t * t * t : 3.0 * LAB_DELTA * LAB_DELTA * (t - 4.0 / 29.0);
}

static void linear_to_lab(const double lin[3], double lab[3])
{
    double xyz[3];
    linear_to_xyz(lin, xyz);
    double fx = lab_f(xyz[0] / WHITE_X), fy = lab_f(xyz[1] / WHITE_Y), fz = lab_f(xyz[2] / WHITE_Z);
    lab[0] = 116.0 * fy - 16.0;
    lab[1] = 500.0 * (fx - fy);
    lab[2] = 200.0 * (fy - fz);
}

void ct_srgb8_to_lab(const uint8_t rgb[3], double lab[3])
{
    double lin[3];
    srgb8_to_linear3(rgb, lin);
    linear_to_lab(lin, lab);
}

/* ---- CIELAB by table, for clustering ----------------------------------------------------
 * X/Xn, Y/Yn, Z/Zn are sums of one term per 8-bit channel (the matrix applied to the
 * linearised value), so nine 256-entry tables give them with two additions each; the cube
 * root comes from a 16384-segment table with linear interpolation (at most 2e-4 L*a*b* units
 * from cbrt, far below a just-noticeable difference). About 10x faster than the exact path,
 * which matters when a cover has tens of thousands of distinct colours; reported colours
 * still go through the exact conversion. The cube-root table's reads bound it: an AVX2
 * version (gathers, the same bits) converted the histogram's points only 0.84-1.12x as fast
 * in the pipeline (bench/README.md, "The histogram's points converted in batches") and was
 * not kept. */
#define CBRT_SEGMENTS 16384

/* [channel][value][x, y, z], already divided by the white: a channel value's three terms
 * share a cache line. */
static double lab_term[3][256][3];
static double cbrt_table[CBRT_SEGMENTS + 2];
static pthread_once_t lab_tables_once = PTHREAD_ONCE_INIT;

static void lab_tables_init(void)
{
    static const double m[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                   {0.2126729, 0.7151522, 0.0721750},
                                   {0.0193339, 0.1191920, 0.9503041}};
    const double white[3] = {WHITE_X, WHITE_Y, WHITE_Z};
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++)
                lab_term[c][v][i] = m[i][c] * ct_srgb8_to_linear((uint8_t)v) / white[i];
    for (int j = 0; j <= CBRT_SEGMENTS + 1; j++)
        cbrt_table[j] = cbrt((double)j / CBRT_SEGMENTS);
}

static double lab_f_table(double t)
{
    if (t <= LAB_DELTA * LAB_DELTA * LAB_DELTA)
        return t / (3.0 * LAB_DELTA * LAB_DELTA) + 4.0 / 29.0;
    if (t >= 1.0)
        return cbrt(t); /* only white and rounding just above it */
    double x = t * CBRT_SEGMENTS;
    int j = (int)x;
    double frac = x - j;
    return cbrt_table[j] + (cbrt_table[j + 1] - cbrt_table[j]) * frac;
}

/* The tables must be built (lab_tables_once). */
static void srgb8_to_lab_table(const uint8_t rgb[3], float out[3])
{
    double t[3];
    for (int i = 0; i < 3; i++)
        t[i] = lab_term[0][rgb[0]][i] + lab_term[1][rgb[1]][i] + lab_term[2][rgb[2]][i];
    double fx = lab_f_table(t[0]), fy = lab_f_table(t[1]), fz = lab_f_table(t[2]);
    out[0] = (float)(116.0 * fy - 16.0);
    out[1] = (float)(500.0 * (fx - fy));
    out[2] = (float)(200.0 * (fy - fz));
}

void ct_space_from_srgb8_fast(int space, const uint8_t rgb[3], float out[3])
{
    ct_space_from_srgb8_fast_n(space, rgb, 1, out);
}

void ct_space_from_srgb8_fast_n(int space, const uint8_t *rgb, uint32_t n, float *out)
{
    if (space != COVERTHEME_SPACE_CIELAB) {
        for (uint32_t i = 0; i < n; i++)
            ct_space_from_srgb8(space, rgb + (size_t)i * 3, out + (size_t)i * 3);
        return;
    }
    pthread_once(&lab_tables_once, lab_tables_init);
    for (uint32_t i = 0; i < n; i++)
        srgb8_to_lab_table(rgb + (size_t)i * 3, out + (size_t)i * 3);
}

static void linear_to_srgb8_3(const double lin[3], uint8_t rgb[3])
{
    for (int i = 0; i < 3; i++)
        rgb[i] = ct_linear_to_srgb8(lin[i]);
}

void ct_lab_to_srgb8(const double lab[3], uint8_t rgb[3])
{
    double fy = (lab[0] + 16.0) / 116.0;
    double fx = fy + lab[1] / 500.0;
    double fz = fy - lab[2] / 200.0;
    double xyz[3] = {WHITE_X * lab_finv(fx), WHITE_Y * lab_finv(fy), WHITE_Z * lab_finv(fz)};
    double lin[3];
    xyz_to_linear(xyz, lin);
    linear_to_srgb8_3(lin, rgb);
}

/* u'v' chromaticity of a colour, and of the white point. */
static void uv_prime(const double xyz[3], double *u, double *v)
{
    double d = xyz[0] + 15.0 * xyz[1] + 3.0 * xyz[2];
    if (d < 1e-12) {
        *u = *v = 0.0;
        return;
    }
    *u = 4.0 * xyz[0] / d;
    *v = 9.0 * xyz[1] / d;
}

static void srgb8_to_luv(const uint8_t rgb[3], double luv[3])
{
    double lin[3], xyz[3], u, v, un, vn;
    srgb8_to_linear3(rgb, lin);
    linear_to_xyz(lin, xyz);
    const double white[3] = {WHITE_X, WHITE_Y, WHITE_Z};
    uv_prime(xyz, &u, &v);
    uv_prime(white, &un, &vn);
    double y = xyz[1] / WHITE_Y;
    double L = y > LAB_DELTA * LAB_DELTA * LAB_DELTA ? 116.0 * cbrt(y) - 16.0 : (29.0 / 3.0) * (29.0 / 3.0) * (29.0 / 3.0) * y;
    luv[0] = L;
    luv[1] = 13.0 * L * (u - un);
    luv[2] = 13.0 * L * (v - vn);
}

static void luv_to_srgb8(const float luv[3], uint8_t rgb[3])
{
    double L = luv[0];
    if (L <= 1e-9) {
        rgb[0] = rgb[1] = rgb[2] = 0;
        return;
    }
    const double white[3] = {WHITE_X, WHITE_Y, WHITE_Z};
    double un, vn;
    uv_prime(white, &un, &vn);
    double u = luv[1] / (13.0 * L) + un, v = luv[2] / (13.0 * L) + vn;
    double y = L > 8.0 ? pow((L + 16.0) / 116.0, 3.0) : L / ((29.0 / 3.0) * (29.0 / 3.0) * (29.0 / 3.0));
    y *= WHITE_Y;
    double xyz[3] = {0.0, y, 0.0};
    if (v > 1e-12) {
        xyz[0] = y * 9.0 * u / (4.0 * v);
        xyz[2] = y * (12.0 - 3.0 * u - 20.0 * v) / (4.0 * v);
    }
    double lin[3];
    xyz_to_linear(xyz, lin);
    linear_to_srgb8_3(lin, rgb);
}

/* ---- HSV / HSL / YUV --------------------------------------------------------------- */

static double hue_of(double r, double g, double b, double max, double delta)
{
    if (delta < 1e-9)
        return 0.0;
    double h;
    if (max == r)
        h = 60.0 * fmod((g - b) / delta, 6.0);
    else if (max == g)
        h = 60.0 * ((b - r) / delta + 2.0);
    else
        h = 60.0 * ((r - g) / delta + 4.0);
    if (h < 0.0)
        h += 360.0;
    if (h >= 360.0)
        h -= 360.0;
    return h;
}

void ct_srgb8_to_hsv(const uint8_t rgb[3], double hsv[3])
{
    double r = rgb[0] / 255.0, g = rgb[1] / 255.0, b = rgb[2] / 255.0;
    double max = fmax(r, fmax(g, b)), min = fmin(r, fmin(g, b)), delta = max - min;
    hsv[0] = hue_of(r, g, b, max, delta);
    hsv[1] = max < 1e-9 ? 0.0 : delta / max;
    hsv[2] = max;
}

static void srgb8_to_hsl(const uint8_t rgb[3], double hsl[3])
{
    double r = rgb[0] / 255.0, g = rgb[1] / 255.0, b = rgb[2] / 255.0;
    double max = fmax(r, fmax(g, b)), min = fmin(r, fmin(g, b)), delta = max - min;
    double l = (max + min) / 2.0;
    hsl[0] = hue_of(r, g, b, max, delta);
    hsl[1] = delta < 1e-9 ? 0.0 : delta / (1.0 - fabs(2.0 * l - 1.0));
    hsl[2] = l;
}

/* Shared inverse of HSV and HSL: chroma c, hue h, and the offset m added to every channel. */
static void hcm_to_srgb8(double h, double c, double m, uint8_t rgb[3])
{
    h = fmod(h, 360.0);
    if (h < 0.0)
        h += 360.0;
    double hp = h / 60.0, x = c * (1.0 - fabs(fmod(hp, 2.0) - 1.0));
    double r = 0, g = 0, b = 0;
    switch ((int)hp) {
    case 0: r = c; g = x; break;
    case 1: r = x; g = c; break;
    case 2: g = c; b = x; break;
    case 3: g = x; b = c; break;
    case 4: r = x; b = c; break;
    default: r = c; b = x; break;
    }
    rgb[0] = to_u8(r + m);
    rgb[1] = to_u8(g + m);
    rgb[2] = to_u8(b + m);
}

static void hsv_to_srgb8(const float hsv[3], uint8_t rgb[3])
{
    double s = clamp01(hsv[1]), v = clamp01(hsv[2]), c = v * s;
    hcm_to_srgb8(hsv[0], c, v - c, rgb);
}

static void hsl_to_srgb8(const float hsl[3], uint8_t rgb[3])
{
    double s = clamp01(hsl[1]), l = clamp01(hsl[2]);
    double c = (1.0 - fabs(2.0 * l - 1.0)) * s;
    hcm_to_srgb8(hsl[0], c, l - c / 2.0, rgb);
}

static uint8_t round_u8(double v)
{
    return v <= 0.0 ? 0 : (v >= 255.0 ? 255 : (uint8_t)floor(v + 0.5));
}

/* ---- clustering-space dispatch ------------------------------------------------------ */

void ct_space_from_srgb8(int space, const uint8_t rgb[3], float out[3])
{
    double v[3];
    switch (space) {
    case COVERTHEME_SPACE_RGB:
        v[0] = rgb[0]; v[1] = rgb[1]; v[2] = rgb[2];
        break;
    case COVERTHEME_SPACE_HSL:
        srgb8_to_hsl(rgb, v);
        break;
    case COVERTHEME_SPACE_HSV:
        ct_srgb8_to_hsv(rgb, v);
        break;
    case COVERTHEME_SPACE_YUV: {
        double r = rgb[0], g = rgb[1], b = rgb[2];
        v[0] = 0.299 * r + 0.587 * g + 0.114 * b;
        v[1] = -0.14713 * r - 0.28886 * g + 0.436 * b + 128.0;
        v[2] = 0.615 * r - 0.51499 * g - 0.10001 * b + 128.0;
        break;
    }
    case COVERTHEME_SPACE_CIELUV:
        srgb8_to_luv(rgb, v);
        break;
    default:
        ct_srgb8_to_lab(rgb, v);
        break;
    }
    for (int i = 0; i < 3; i++)
        out[i] = (float)v[i];
}

void ct_space_to_srgb8(int space, const float in[3], uint8_t rgb[3])
{
    switch (space) {
    case COVERTHEME_SPACE_RGB:
        for (int i = 0; i < 3; i++)
            rgb[i] = round_u8(in[i]);
        break;
    case COVERTHEME_SPACE_HSL:
        hsl_to_srgb8(in, rgb);
        break;
    case COVERTHEME_SPACE_HSV:
        hsv_to_srgb8(in, rgb);
        break;
    case COVERTHEME_SPACE_YUV: {
        double y = in[0], u = in[1] - 128.0, v = in[2] - 128.0;
        rgb[0] = round_u8(y + 1.13983 * v);
        rgb[1] = round_u8(y - 0.39465 * u - 0.58060 * v);
        rgb[2] = round_u8(y + 2.03211 * u);
        break;
    }
    case COVERTHEME_SPACE_CIELUV:
        luv_to_srgb8(in, rgb);
        break;
    default: {
        double lab[3] = {in[0], in[1], in[2]};
        ct_lab_to_srgb8(lab, rgb);
        break;
    }
    }
}

/* ---- OKLab / OKLCH ----------------------------------------------------------------- */

void ct_linear_to_oklab(const double c[3], double lab[3])
{
    double l = 0.4122214708 * c[0] + 0.5363325363 * c[1] + 0.0514459929 * c[2];
    double m = 0.2119034982 * c[0] + 0.6806995451 * c[1] + 0.1073969566 * c[2];
    double s = 0.0883024619 * c[0] + 0.2817188376 * c[1] + 0.6299787005 * c[2];
    l = cbrt(l);
    m = cbrt(m);
    s = cbrt(s);
    lab[0] = 0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s;
    lab[1] = 1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s;
    lab[2] = 0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s;
}

void ct_oklab_to_linear(const double lab[3], double c[3])
{
    double l = lab[0] + 0.3963377774 * lab[1] + 0.2158037573 * lab[2];
    double m = lab[0] - 0.1055613458 * lab[1] - 0.0638541728 * lab[2];
    double s = lab[0] - 0.0894841775 * lab[1] - 1.2914855480 * lab[2];
    l = l * l * l;
    m = m * m * m;
    s = s * s * s;
    c[0] = 4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s;
    c[1] = -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s;
    c[2] = -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s;
}

void ct_srgb8_to_oklab(const uint8_t rgb[3], double lab[3])
{
    double lin[3];
    srgb8_to_linear3(rgb, lin);
    ct_linear_to_oklab(lin, lab);
}

static const double PI = 3.14159265358979323846;

void ct_srgb8_to_oklch(const uint8_t rgb[3], double lch[3])
{
    double lab[3];
    ct_srgb8_to_oklab(rgb, lab);
    double c = sqrt(lab[1] * lab[1] + lab[2] * lab[2]);
    double h = c < 1e-9 ? 0.0 : atan2(lab[2], lab[1]) * 180.0 / PI;
    if (h < 0.0)
        h += 360.0;
    lch[0] = lab[0];
    lch[1] = c;
    lch[2] = h;
}

void ct_oklch_to_oklab(const double lch[3], double lab[3])
{
    double hr = lch[2] * PI / 180.0;
    lab[0] = lch[0];
    lab[1] = lch[1] * cos(hr);
    lab[2] = lch[1] * sin(hr);
}

int ct_oklch_in_gamut(double L, double C, double h)
{
    const double lch[3] = {L, C, h};
    double lab[3], lin[3];
    ct_oklch_to_oklab(lch, lab);
    ct_oklab_to_linear(lab, lin);
    const double eps = 1e-6;
    for (int i = 0; i < 3; i++)
        if (lin[i] < -eps || lin[i] > 1.0 + eps)
            return 0;
    return 1;
}

double ct_oklch_max_chroma(double L, double h, double c_max)
{
    if (c_max <= 0.0 || L <= 0.0 || L >= 1.0)
        return 0.0;
    if (ct_oklch_in_gamut(L, c_max, h))
        return c_max;
    double lo = 0.0, hi = c_max;
    for (int i = 0; i < 24; i++) {
        double mid = (lo + hi) / 2.0;
        if (ct_oklch_in_gamut(L, mid, h))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void ct_oklch_to_srgb8(double L, double C, double h, uint8_t rgb[3])
{
    const double lch[3] = {L, C, h};
    double lab[3], lin[3];
    ct_oklch_to_oklab(lch, lab);
    ct_oklab_to_linear(lab, lin);
    linear_to_srgb8_3(lin, rgb);
}

double ct_oklab_distance(const uint8_t a[3], const uint8_t b[3])
{
    double la[3], lb[3];
    ct_srgb8_to_oklab(a, la);
    ct_srgb8_to_oklab(b, lb);
    double d0 = la[0] - lb[0], d1 = la[1] - lb[1], d2 = la[2] - lb[2];
    return sqrt(d0 * d0 + d1 * d1 + d2 * d2);
}

double ct_hue_delta(double h1, double h2)
{
    double d = fmod(fabs(h1 - h2), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

/* ---- WCAG ------------------------------------------------------------------------ */

double ct_rel_luminance(const uint8_t rgb[3])
{
    return 0.2126 * ct_srgb8_to_linear(rgb[0]) + 0.7152 * ct_srgb8_to_linear(rgb[1]) +
           0.0722 * ct_srgb8_to_linear(rgb[2]);
}

double ct_contrast(const uint8_t a[3], const uint8_t b[3])
{
    double ya = ct_rel_luminance(a), yb = ct_rel_luminance(b);
    double hi = ya > yb ? ya : yb, lo = ya > yb ? yb : ya;
    return (hi + 0.05) / (lo + 0.05);
}
