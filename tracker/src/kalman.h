/* The constant-velocity Kalman filter of one track box (centre x, centre y, width,
 * height), with ByteTrack's noise levels made proportional to the box size.
 *
 * With a constant-velocity model, a position-only measurement and diagonal noise, the
 * usual 8-state filter never couples its coordinates: starting from a diagonal
 * covariance, F P F' + Q and the update keep it block-diagonal with one 2x2 block per
 * coordinate. So the filter is kept as four independent position/velocity pairs, which
 * gives the same numbers as the 8x8 form at a fraction of the cost. */
#ifndef VIGIL_TRACKER_KALMAN_H
#define VIGIL_TRACKER_KALMAN_H

typedef struct vigil_kalman_axis {
    double x, v;          /* position (pixels) and velocity (pixels per second) */
    double p00, p01, p11; /* covariance of (x, v) */
} vigil_kalman_axis;

typedef struct vigil_kalman_box {
    vigil_kalman_axis axis[4]; /* centre x, centre y, width, height */
} vigil_kalman_box;

typedef struct vigil_kalman_noise {
    double position; /* standard deviation per box size: ByteTrack's 1/20 */
    double velocity; /* per box size and reference interval: ByteTrack's 1/160 */
    double interval; /* the reference frame interval in seconds (1/30) */
} vigil_kalman_noise;

void vigil_kalman_init(vigil_kalman_box *k, const float box[4], const vigil_kalman_noise *noise);
/* Moves the state dt seconds ahead; process noise grows linearly with dt. */
void vigil_kalman_predict(vigil_kalman_box *k, double dt, const vigil_kalman_noise *noise);
void vigil_kalman_update(vigil_kalman_box *k, const float box[4], const vigil_kalman_noise *noise);
/* The state as an x, y, w, h box. */
void vigil_kalman_get_box(const vigil_kalman_box *k, float box[4]);

#endif
