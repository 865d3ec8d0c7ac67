/* Part of covertheme-quality: the guarantees of docs/theme-roles.md, checked rule by rule on
 * a generated theme from its 8-bit role colours, with this tool's own colour maths
 * (wcag_oklab.h): not the library's, and not the theme's contrast fields, so the check does
 * not trust what it checks. */
#ifndef COVERTHEME_BENCH_GUARANTEES_H
#define COVERTHEME_BENCH_GUARANTEES_H

#include <stdint.h>

#include "../abi/covertheme.h"

enum guarantee {
    G_TEXT_45, G_TEXT_7, G_ACCENT_CR, G_ACCENT_DIST, G_HEADER_CR, G_ACTIVE_CR, G_HIGHLIGHT_CR,
    G_INACTIVE_CR, G_INACTIVE_BELOW, G_FRAME_CR, G_PROGRESS_CR, G_PROGRESS_DIST,
    G_WARN_CR, G_ERROR_CR, G_DEBUG_CR, G_TRACE_CR, G_WARN_HUE, G_ERROR_HUE, G_DEBUG_HUE, G_TRACE_HUE,
    G_NO_YIELD, G_ACCENT_CHROMA, G_ACCENT_HUE, G_ACCENT_ACTIVE, G_COUNT
};

/* Short names of the guarantees, as in the table and the JSON. */
extern const char *const guarantee_names[G_COUNT];

/* Status of one guarantee: not applicable (a wish that may yield, or no colourful cluster),
 * held, or broken. */
enum { G_NA = 0, G_PASS = 1, G_FAIL = 2 };

typedef struct guarantee_result {
    uint8_t status[G_COUNT];
    char *fail_text; /* "; "-separated descriptions of the failures, malloc'ed, or NULL */
    int passed, total, n_colourful;
    double accent_chroma, accent_hue;
} guarantee_result;

/* Checks theme t into *g (overwritten; free g->fail_text). Contrast rules hold under every
 * policy. Hue, chroma and distance wishes may give way (role flagged YIELDED) only under
 * `faithful`; a YIELDED role under any other policy is itself a failure (no-yield). */
void guarantees_check(const covertheme_theme *t, guarantee_result *g);

#endif /* COVERTHEME_BENCH_GUARANTEES_H */
