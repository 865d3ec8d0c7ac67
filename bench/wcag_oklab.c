/* Part of covertheme-quality: independent WCAG and OKLab maths (see wcag_oklab.h). */
#include "wcag_oklab.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

static double srgb_to_linear(uint8_t v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double wcag_contrast(covertheme_rgb a, covertheme_rgb b)
{
    double ya = 0.2126 * srgb_to_linear(a.r) + 0.7152 * srgb_to_linear(a.g) + 0.0722 * srgb_to_linear(a.b);
    double yb = 0.2126 * srgb_to_linear(b.r) + 0.7152 * srgb_to_linear(b.g) + 0.0722 * srgb_to_linear(b.b);
    double hi = ya > yb ? ya : yb, lo = ya > yb ? yb : ya;
    return (hi + 0.05) / (lo + 0.05);
}

static void oklab(covertheme_rgb c, double out[3])
{
    double r = srgb_to_linear(c.r), g = srgb_to_linear(c.g), b = srgb_to_linear(c.b);
    double l = 0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b;
    double m = 0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b;
    double s = 0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b;
    double l_ = cbrt(l), m_ = cbrt(m), s_ = cbrt(s);
    out[0] = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_;
    out[1] = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_;
    out[2] = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_;
}

double oklab_chroma(covertheme_rgb c)
{
    double lab[3];
    oklab(c, lab);
    return hypot(lab[1], lab[2]);
}

double oklab_hue(covertheme_rgb c)
{
    double lab[3];
    oklab(c, lab);
    double h = atan2(lab[2], lab[1]) * (180.0 / M_PI);
    if (h < 0)
        h += 360.0;
    return h >= 360.0 ? h - 360.0 : h;
}

double oklab_hue_delta(double a, double b)
{
    double d = fmod(fabs(a - b), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

double oklab_dist(covertheme_rgb a, covertheme_rgb b)
{
    double x[3], y[3];
    oklab(a, x);
    oklab(b, y);
    return sqrt((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) + (x[2] - y[2]) * (x[2] - y[2]));
}

char *rgb_hex(covertheme_rgb c, char buf[8])
{
    snprintf(buf, 8, "#%02x%02x%02x", c.r, c.g, c.b);
    return buf;
}
