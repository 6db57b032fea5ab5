#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly_model.h"

static const double PI = 3.14159265358979323846;
static const double MIN_SD = 0.15;         /* log units: spreads below ~15% are noise */
static const double DIRECTION_PRIOR = 0.5; /* pseudo-count per bin */

vigil_anomaly_options vigil_anomaly_options_default(void) {
    return (vigil_anomaly_options){.cell_size = 64,
                                   .hour_buckets = 4,
                                   .direction_bins = 8,
                                   .min_speed = 5,
                                   .min_samples = 30,
                                   .max_weight = 10000,
                                   .utc_offset = 0};
}

const char *vigil_anomaly_feature_name(vigil_anomaly_feature f) {
    switch (f) {
    case VIGIL_ANOMALY_SPEED:
        return "speed";
    case VIGIL_ANOMALY_DIRECTION:
        return "direction";
    case VIGIL_ANOMALY_DWELL:
        return "dwell";
    case VIGIL_ANOMALY_NONE:
        break;
    }
    return "none";
}

vigil_status vigil_anomaly_create(const vigil_anomaly_options *o, vigil_anomaly **out,
                                  vigil_error *err) {
    vigil_anomaly_options opt = o ? *o : vigil_anomaly_options_default();
    if (opt.cell_size <= 0 || opt.hour_buckets < 1 || opt.hour_buckets > 24 ||
        opt.direction_bins < 4 || opt.direction_bins > VIGIL_ANOMALY_MAX_BINS ||
        opt.min_samples < 1 || opt.max_weight < 1)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "anomaly: options out of range (cell_size > 0, hour_buckets "
                               "1..24, direction_bins 4..%d)",
                               VIGIL_ANOMALY_MAX_BINS);
    vigil_anomaly *m = calloc(1, sizeof *m);
    if (!m)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    m->options = opt;
    *out = m;
    return VIGIL_STATUS_OK;
}

void vigil_anomaly_free(vigil_anomaly *m) {
    if (!m)
        return;
    free(m->cells);
    free(m->table);
    free(m);
}

static uint64_t key_hash(int cx, int cy, int class_id, int bucket) {
    uint64_t h = (uint64_t)(uint32_t)cx * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uint32_t)cy * 0xC2B2AE3D27D4EB4Full + (h << 6) + (h >> 2);
    h ^= (uint64_t)(uint32_t)class_id * 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
    h ^= (uint64_t)(uint32_t)bucket * 0x27D4EB2F165667C5ull + (h << 6) + (h >> 2);
    return h ^ (h >> 31);
}

static int probe(const vigil_anomaly *m, int cx, int cy, int class_id, int bucket) {
    if (!m->slots)
        return -1;
    uint64_t h = key_hash(cx, cy, class_id, bucket);
    for (int i = 0; i < m->slots; i++) {
        int slot = (int)((h + (uint64_t)i) & (uint64_t)(m->slots - 1));
        int v = m->table[slot];
        if (v == 0)
            return -1 - slot;
        const anomaly_cell *c = &m->cells[v - 1];
        if (c->cx == cx && c->cy == cy && c->class_id == class_id && c->bucket == bucket)
            return slot;
    }
    return -1 - m->slots; /* full; cannot happen below the load factor */
}

static bool rehash(vigil_anomaly *m, int slots) {
    int *table = calloc((size_t)slots, sizeof *table);
    if (!table)
        return false;
    free(m->table);
    m->table = table;
    m->slots = slots;
    for (int i = 0; i < m->count; i++) {
        const anomaly_cell *c = &m->cells[i];
        int s = probe(m, c->cx, c->cy, c->class_id, c->bucket);
        m->table[-1 - s] = i + 1;
    }
    return true;
}

anomaly_cell *anomaly_cell_get(vigil_anomaly *m, int cx, int cy, int class_id, int bucket,
                               bool create) {
    int s = probe(m, cx, cy, class_id, bucket);
    if (s >= 0)
        return &m->cells[m->table[s] - 1];
    if (!create)
        return NULL;
    if (m->count == m->capacity) {
        int cap = m->capacity ? m->capacity * 2 : 64;
        anomaly_cell *grown = realloc(m->cells, (size_t)cap * sizeof *grown);
        if (!grown)
            return NULL;
        m->cells = grown;
        m->capacity = cap;
    }
    if ((m->count + 1) * 2 > m->slots && !rehash(m, m->slots ? m->slots * 2 : 128))
        return NULL;
    s = probe(m, cx, cy, class_id, bucket);
    anomaly_cell *c = &m->cells[m->count];
    memset(c, 0, sizeof *c);
    c->cx = cx;
    c->cy = cy;
    c->class_id = class_id;
    c->bucket = bucket;
    m->table[-1 - s] = ++m->count;
    return c;
}

const anomaly_cell *anomaly_cell_find(const vigil_anomaly *m, int cx, int cy, int class_id,
                                      int bucket) {
    int s = probe(m, cx, cy, class_id, bucket);
    return s >= 0 ? &m->cells[m->table[s] - 1] : NULL;
}

static void locate(const vigil_anomaly *m, double x, double y, double time, int *cx, int *cy,
                   int *bucket) {
    *cx = (int)floor(x / m->options.cell_size);
    *cy = (int)floor(y / m->options.cell_size);
    double hours = fmod(time / 3600.0 + m->options.utc_offset, 24.0);
    if (hours < 0)
        hours += 24;
    *bucket = (int)(hours * m->options.hour_buckets / 24.0);
    if (*bucket >= m->options.hour_buckets)
        *bucket = m->options.hour_buckets - 1;
}

static void gauss_add(anomaly_gauss *g, double x, double max_weight) {
    if (g->n + 1 <= max_weight) {
        g->n += 1;
        double delta = x - g->mean;
        g->mean += delta / g->n;
        g->m2 += delta * (x - g->mean);
        return;
    }
    double alpha = 1.0 / max_weight, delta = x - g->mean;
    double var = g->m2 / g->n;
    g->mean += alpha * delta;
    var = (1 - alpha) * (var + alpha * delta * delta);
    g->m2 = var * g->n;
}

static double gauss_z(const anomaly_gauss *g, double x) {
    double sd = sqrt(g->m2 / g->n);
    return (x - g->mean) / fmax(sd, MIN_SD);
}

/* Where a heading falls between two direction bins (soft assignment). */
static void heading_bins(int bins, double vx, double vy, int *b0, int *b1, double *w1) {
    double a = atan2(vy, vx);
    if (a < 0)
        a += 2 * PI;
    double f = a / (2 * PI / bins);
    int lo = (int)floor(f);
    *w1 = f - lo;
    *b0 = lo % bins;
    *b1 = (lo + 1) % bins;
}

vigil_anomaly_score vigil_anomaly_evaluate(const vigil_anomaly *m, const vigil_anomaly_sample *s) {
    vigil_anomaly_score r = {0};
    int cx, cy, bucket;
    locate(m, s->x, s->y, s->time, &cx, &cy, &bucket);
    const anomaly_cell *c = anomaly_cell_find(m, cx, cy, s->class_id, bucket);
    if (!c)
        return r;
    double speed = hypot(s->vx, s->vy);
    double min = m->options.min_samples;
    if (c->speed.n >= min)
        r.speed = erf(fabs(gauss_z(&c->speed, log1p(speed))) / sqrt(2.0));
    if (speed >= m->options.min_speed && c->direction_total >= min) {
        int bins = m->options.direction_bins, b0, b1;
        double w1;
        heading_bins(bins, s->vx, s->vy, &b0, &b1, &w1);
        double norm = c->direction_total + DIRECTION_PRIOR * bins, p[VIGIL_ANOMALY_MAX_BINS];
        for (int b = 0; b < bins; b++)
            p[b] = (c->direction[b] + DIRECTION_PRIOR) / norm;
        double observed = (1 - w1) * p[b0] + w1 * p[b1], more_typical = 0;
        for (int b = 0; b < bins; b++)
            if (p[b] > observed + 1e-12)
                more_typical += p[b];
        r.direction = more_typical;
    }
    if (s->dwell >= 0 && c->dwell.n >= min) {
        double z = gauss_z(&c->dwell, log1p(s->dwell));
        r.dwell = z > 0 ? erf(z / sqrt(2.0)) : 0;
    }
    r.score = r.speed;
    r.reason = c->speed.n >= min ? VIGIL_ANOMALY_SPEED : VIGIL_ANOMALY_NONE;
    if (r.direction > r.score) {
        r.score = r.direction;
        r.reason = VIGIL_ANOMALY_DIRECTION;
    }
    if (r.dwell > r.score) {
        r.score = r.dwell;
        r.reason = VIGIL_ANOMALY_DWELL;
    }
    return r;
}

void vigil_anomaly_learn(vigil_anomaly *m, const vigil_anomaly_sample *s) {
    int cx, cy, bucket;
    locate(m, s->x, s->y, s->time, &cx, &cy, &bucket);
    anomaly_cell *c = anomaly_cell_get(m, cx, cy, s->class_id, bucket, true);
    if (!c)
        return; /* out of memory: this observation is not learned */
    double speed = hypot(s->vx, s->vy);
    gauss_add(&c->speed, log1p(speed), m->options.max_weight);
    if (speed < m->options.min_speed)
        return;
    int b0, b1;
    double w1;
    heading_bins(m->options.direction_bins, s->vx, s->vy, &b0, &b1, &w1);
    if (c->direction_total + 1 > m->options.max_weight) {
        double keep = (m->options.max_weight - 1) / c->direction_total;
        for (int b = 0; b < m->options.direction_bins; b++)
            c->direction[b] *= keep;
        c->direction_total *= keep;
    }
    c->direction[b0] += 1 - w1;
    c->direction[b1] += w1;
    c->direction_total += 1;
}

void vigil_anomaly_learn_dwell(vigil_anomaly *m, int class_id, double x, double y, double time,
                               double seconds) {
    int cx, cy, bucket;
    locate(m, x, y, time, &cx, &cy, &bucket);
    anomaly_cell *c = anomaly_cell_get(m, cx, cy, class_id, bucket, true);
    if (c)
        gauss_add(&c->dwell, log1p(fmax(0, seconds)), m->options.max_weight);
}

double vigil_anomaly_learned_seconds(const vigil_anomaly *m) {
    return m->learned_seconds;
}

void vigil_anomaly_add_learned_seconds(vigil_anomaly *m, double seconds) {
    m->learned_seconds += seconds;
}
