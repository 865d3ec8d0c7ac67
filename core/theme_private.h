/* The memory block behind a covertheme_theme: the public struct first, then the arrays
 * it points into and data only the renderers read (debug notes, solver candidates).
 * One malloc, one free. */
#ifndef CT_THEME_PRIVATE_H
#define CT_THEME_PRIVATE_H

#include <stddef.h>

#include "../abi/covertheme.h"

#define CT_ROLE_COUNT COVERTHEME_ROLE_COUNT_V1
#define CT_ORIGIN_MAX 48
#define CT_NOTE_MAX 128
#define CT_MAX_CANDIDATES 8

/* A colour the role solver considered for accent or active (JSON debug output). */
typedef struct ct_candidate {
    uint8_t rgb[3];
    int rank;                   /* 0 = cluster as is, 1 = adjusted cluster, 2 = synthetic */
    float score;                /* higher = preferred */
    char origin[CT_ORIGIN_MAX];
} ct_candidate;

typedef struct ct_theme_debug {
    uint32_t n_accent, n_active;
    ct_candidate accent[CT_MAX_CANDIDATES];
    ct_candidate active[CT_MAX_CANDIDATES];
    char note[CT_ROLE_COUNT][CT_NOTE_MAX]; /* why a role yielded a wish, or "" */
} ct_theme_debug;

typedef struct ct_theme_block {
    covertheme_theme pub;
    covertheme_role_color roles[CT_ROLE_COUNT];
    char origin[CT_ROLE_COUNT][CT_ORIGIN_MAX];
    ct_theme_debug debug;
    covertheme_cluster palette[]; /* pub.palette_count entries */
} ct_theme_block;

static inline const ct_theme_block *ct_theme_block_of(const covertheme_theme *t)
{
    return (const ct_theme_block *)(const void *)((const char *)t - offsetof(ct_theme_block, pub));
}

#endif
