/* Colour roles from a palette, meeting every guarantee of docs/theme-roles.md.
 *
 * Method: each role is given a hue (from a cover cluster where one fits), a wished-for
 * chroma and a preferred OKLCH lightness; a search then moves only the lightness (and, when
 * the sRGB gamut requires, the chroma) until the role's constraints hold on the final 8-bit
 * colour. Contrast minimums are hard constraints; hue/chroma wishes give way only when no
 * sRGB colour meets them together with the contrast, and the role is then flagged
 * COVERTHEME_ROLE_YIELDED with a note. Pure function: same palette, same roles. */
#ifndef CT_ROLES_H
#define CT_ROLES_H

#include <stdint.h>

#include "theme_private.h"

typedef struct ct_role_cluster {
    uint8_t rgb[3];
    double share; /* fraction of samples, clusters sorted by share descending */
} ct_role_cluster;

typedef struct ct_roles {
    uint8_t rgb[CT_ROLE_COUNT][3];
    uint32_t flags[CT_ROLE_COUNT];
    int32_t source[CT_ROLE_COUNT];
    char origin[CT_ROLE_COUNT][CT_ORIGIN_MAX];
    ct_theme_debug debug;
} ct_roles;

/* Thresholds of theme-roles.md, shared with the tests that check them. */
#define CT_COLOURFUL_CHROMA 0.08
#define CT_COLOURFUL_SHARE 0.02
#define CT_ACCENT_MIN_CHROMA 0.06

void ct_assign_roles(const ct_role_cluster *clusters, uint32_t n, int bg_policy, ct_roles *out);

#endif
