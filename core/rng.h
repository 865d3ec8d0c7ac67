/* xoshiro256++ seeded through SplitMix64: small, fast, and the same sequence everywhere,
 * so seeding is reproducible across machines (no rand(), no time). */
#ifndef CT_RNG_H
#define CT_RNG_H

#include <stdint.h>

typedef struct ct_rng {
    uint64_t s[4];
} ct_rng;

void ct_rng_seed(ct_rng *r, uint64_t seed);
uint64_t ct_rng_next(ct_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method). */
uint64_t ct_rng_below(ct_rng *r, uint64_t n);
/* Uniform double in [0, 1) with 53 random bits. */
double ct_rng_unit(ct_rng *r);

#endif
