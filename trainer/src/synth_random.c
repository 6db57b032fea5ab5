/* Random numbers for the clip generator; see synth_random.h. */
#include "synth_random.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void vigil_synth_rng_seed(vigil_synth_rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t vigil_synth_rng_next(vigil_synth_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double vigil_synth_uniform(vigil_synth_rng *r) {
    return (double)(vigil_synth_rng_next(r) >> 11) * 0x1.0p-53;
}

double vigil_synth_range(vigil_synth_rng *r, double lo, double hi) {
    return lo + (hi - lo) * vigil_synth_uniform(r);
}

double vigil_synth_gauss(vigil_synth_rng *r) {
    /* Box-Muller; one value per call keeps the stream simple to reason about. */
    double u = vigil_synth_uniform(r), v = vigil_synth_uniform(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

int vigil_synth_poisson(vigil_synth_rng *r, double mean) {
    if (mean <= 0)
        return 0;
    double limit = exp(-mean), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= vigil_synth_uniform(r);
    } while (p > limit && k < 1000);
    return k - 1;
}

double vigil_synth_hash01(uint64_t a, uint64_t b, uint64_t c) {
    uint64_t x = a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full ^ c * 0x165667b19e3779f9ull;
    return (double)(splitmix64(&x) >> 11) * 0x1.0p-53;
}
