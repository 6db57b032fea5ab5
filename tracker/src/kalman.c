/* Kalman filter for track boxes; see kalman.h for why it is four 2-state filters. */
#include "kalman.h"

/* Noise scales with the box's width for x and width, with its height for y and height,
 * as in BoT-SORT's x, y, w, h filter; never below a pixel, so a degenerate box cannot
 * make the innovation covariance vanish. */
static double axis_scale(const vigil_kalman_box *k, int a) {
    double s = (a == 0 || a == 2) ? k->axis[2].x : k->axis[3].x;
    return s > 1.0 ? s : 1.0;
}

static void box_to_measurement(const float box[4], double z[4]) {
    z[0] = box[0] + 0.5 * box[2];
    z[1] = box[1] + 0.5 * box[3];
    z[2] = box[2];
    z[3] = box[3];
}

void vigil_kalman_init(vigil_kalman_box *k, const float box[4], const vigil_kalman_noise *noise) {
    double z[4];
    box_to_measurement(box, z);
    for (int a = 0; a < 4; a++) {
        k->axis[a].x = z[a];
        k->axis[a].v = 0;
    }
    for (int a = 0; a < 4; a++) {
        double s = axis_scale(k, a);
        double sp = 2.0 * noise->position * s;
        double sv = 10.0 * noise->velocity * s / noise->interval;
        k->axis[a].p00 = sp * sp;
        k->axis[a].p01 = 0;
        k->axis[a].p11 = sv * sv;
    }
}

void vigil_kalman_predict(vigil_kalman_box *k, double dt, const vigil_kalman_noise *noise) {
    if (dt <= 0)
        return;
    /* ByteTrack adds its process noise once per frame; spread it over time so that one
     * reference interval gets exactly that much and longer gaps get proportionally more. */
    double steps = dt / noise->interval;
    double qp[4], qv[4];
    for (int a = 0; a < 4; a++) {
        double s = axis_scale(k, a);
        double sp = noise->position * s;
        double sv = noise->velocity * s / noise->interval;
        qp[a] = sp * sp * steps;
        qv[a] = sv * sv * steps;
    }
    for (int a = 0; a < 4; a++) {
        vigil_kalman_axis *x = &k->axis[a];
        x->x += x->v * dt;
        x->p00 += 2.0 * dt * x->p01 + dt * dt * x->p11 + qp[a];
        x->p01 += dt * x->p11;
        x->p11 += qv[a];
    }
}

void vigil_kalman_update(vigil_kalman_box *k, const float box[4], const vigil_kalman_noise *noise) {
    double z[4], r[4];
    box_to_measurement(box, z);
    for (int a = 0; a < 4; a++) {
        double s = noise->position * axis_scale(k, a);
        r[a] = s * s;
    }
    for (int a = 0; a < 4; a++) {
        vigil_kalman_axis *x = &k->axis[a];
        double innovation_var = x->p00 + r[a];
        double k0 = x->p00 / innovation_var, k1 = x->p01 / innovation_var;
        double y = z[a] - x->x;
        x->x += k0 * y;
        x->v += k1 * y;
        /* (I - K H) P, written out for the 2x2 block; p11 uses the old p01. */
        double p01 = x->p01;
        x->p11 -= k1 * p01;
        x->p01 = (1.0 - k0) * p01;
        x->p00 = (1.0 - k0) * x->p00;
    }
}

void vigil_kalman_get_box(const vigil_kalman_box *k, float box[4]) {
    double w = k->axis[2].x, h = k->axis[3].x;
    w = w > 0 ? w : 0;
    h = h > 0 ? h : 0;
    box[0] = (float)(k->axis[0].x - 0.5 * w);
    box[1] = (float)(k->axis[1].x - 0.5 * h);
    box[2] = (float)w;
    box[3] = (float)h;
}
