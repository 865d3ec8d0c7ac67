/* Deterministic synthetic "album covers" for tests of palettes, roles and guarantees.
 *
 * Each cover is drawn from simple primitives (gradients, discs, rectangles, noise) with a
 * private xorshift generator, so the pixels are identical on every run and machine. They
 * span the cases that stress a theme generator: flat colours, greys, near-black and
 * near-white, one hue, opposing hues, pastels, neon, noise, transparency, 1x1.
 *
 * Names are stable; tests may look covers up by name. */
#ifndef CT_TEST_COVERS_H
#define CT_TEST_COVERS_H

#include <stdint.h>

/* Number of covers (at least 24). */
int tg_cover_count(void);

/* Name of cover i ("grey", "two_hue", ...), or NULL when i is out of range. */
const char *tg_cover_name(int i);

/* Index of the cover called `name`, or -1. */
int tg_cover_find(const char *name);

/* Draws cover i as packed RGBA8 (straight alpha) into a malloc'ed buffer.
 * Returns 0, or -1 for a bad index or out of memory (then *rgba is NULL). */
int tg_cover_make(int i, uint32_t *w, uint32_t *h, uint8_t **rgba);

#endif
