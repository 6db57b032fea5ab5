/* The generator's random numbers: xoshiro256** seeded through splitmix64, so a clip
 * depends on nothing but its seed. */
#ifndef VIGIL_SYNTH_RANDOM_H
#define VIGIL_SYNTH_RANDOM_H

#include <stdint.h>

typedef struct vigil_synth_rng {
    uint64_t s[4];
} vigil_synth_rng;

/* stream separates independent sequences drawn from the same seed. */
void vigil_synth_rng_seed(vigil_synth_rng *r, uint64_t seed, uint64_t stream);
uint64_t vigil_synth_rng_next(vigil_synth_rng *r);
double vigil_synth_uniform(vigil_synth_rng *r); /* [0, 1) */
double vigil_synth_range(vigil_synth_rng *r, double lo, double hi);
double vigil_synth_gauss(vigil_synth_rng *r); /* standard normal */
int vigil_synth_poisson(vigil_synth_rng *r, double mean);
/* A hash of integers to [0, 1), for textures that must not depend on drawing order. */
double vigil_synth_hash01(uint64_t a, uint64_t b, uint64_t c);

#endif
