/* The tracker's Kalman filter (four decoupled 2-state filters) against a textbook
 * 8-state filter written here with general matrices: state (cx, cy, w, h, vx, vy, vw,
 * vh), F = [I dt I; 0 I], H = [I 0], and the noise model documented in tracker.h /
 * kalman.h: ByteTrack's standard deviations per reference interval tau (position 1/20,
 * velocity 1/160 of the box width for x and w, of the height for y and h), process noise
 * variance scaled by dt / tau, velocities in pixels per second, measurement noise
 * (size / 20)^2 from the predicted state, initial covariance (2 size/20)^2 and
 * (10 size/160/tau)^2. A single object is fed at irregular time steps; the tracker's
 * reported box must be the reference's posterior after every update. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "vigil/tracker.h"

#define N 8
#define TAU (1.0 / 30.0)
#define WP (1.0 / 20.0)
#define WV (1.0 / 160.0)

typedef struct ref_kf {
    double x[N], P[N][N];
} ref_kf;

static void matmul(double out[N][N], double a[N][N], double b[N][N]) {
    double t[N][N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            t[i][j] = 0;
            for (int k = 0; k < N; k++)
                t[i][j] += a[i][k] * b[k][j];
        }
    memcpy(out, t, sizeof t);
}

static void transpose(double out[N][N], double a[N][N]) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            out[j][i] = a[i][j];
}

/* Standard deviation scale of coordinate a (0..3): width for x and w, height for y, h. */
static double scale(const double *x, int a) {
    double s = (a == 0 || a == 2) ? x[2] : x[3];
    return s > 1 ? s : 1;
}

static void ref_init(ref_kf *k, const double z[4]) {
    memset(k, 0, sizeof *k);
    for (int a = 0; a < 4; a++)
        k->x[a] = z[a];
    for (int a = 0; a < 4; a++) {
        double sp = 2 * WP * scale(k->x, a), sv = 10 * WV * scale(k->x, a) / TAU;
        k->P[a][a] = sp * sp;
        k->P[4 + a][4 + a] = sv * sv;
    }
}

static void ref_predict(ref_kf *k, double dt) {
    double F[N][N] = {{0}}, Ft[N][N], Q[N][N] = {{0}};
    for (int i = 0; i < N; i++)
        F[i][i] = 1;
    for (int a = 0; a < 4; a++) {
        F[a][4 + a] = dt;
        double sp = WP * scale(k->x, a), sv = WV * scale(k->x, a) / TAU;
        Q[a][a] = sp * sp * dt / TAU;
        Q[4 + a][4 + a] = sv * sv * dt / TAU;
    }
    double x[N] = {0};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            x[i] += F[i][j] * k->x[j];
    memcpy(k->x, x, sizeof x);
    transpose(Ft, F);
    matmul(k->P, F, k->P);
    matmul(k->P, k->P, Ft);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            k->P[i][j] += Q[i][j];
}

/* Inverts the 4x4 innovation covariance by Gauss-Jordan elimination. */
static void invert4(double a[4][4], double inv[4][4]) {
    double m[4][8];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            m[i][j] = j < 4 ? a[i][j] : (j - 4 == i);
    for (int c = 0; c < 4; c++) {
        int p = c;
        for (int r = c + 1; r < 4; r++)
            if (fabs(m[r][c]) > fabs(m[p][c]))
                p = r;
        for (int j = 0; j < 8; j++) {
            double t = m[c][j];
            m[c][j] = m[p][j];
            m[p][j] = t;
        }
        double d = m[c][c];
        for (int j = 0; j < 8; j++)
            m[c][j] /= d;
        for (int r = 0; r < 4; r++)
            if (r != c) {
                double f = m[r][c];
                for (int j = 0; j < 8; j++)
                    m[r][j] -= f * m[c][j];
            }
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            inv[i][j] = m[i][4 + j];
}

static void ref_update(ref_kf *k, const double z[4]) {
    double S[4][4], Si[4][4], K[N][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            S[i][j] = k->P[i][j] + (i == j ? pow(WP * scale(k->x, i), 2) : 0);
    invert4(S, Si);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 4; j++) {
            K[i][j] = 0;
            for (int m = 0; m < 4; m++)
                K[i][j] += k->P[i][m] * Si[m][j];
        }
    double y[4];
    for (int i = 0; i < 4; i++)
        y[i] = z[i] - k->x[i];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 4; j++)
            k->x[i] += K[i][j] * y[j];
    double P[N][N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            P[i][j] = k->P[i][j];
            for (int m = 0; m < 4; m++)
                P[i][j] -= K[i][m] * k->P[m][j];
        }
    memcpy(k->P, P, sizeof P);
}

START_TEST(test_filter_matches_textbook_form) {
    vigil_tracker_options opt = vigil_tracker_options_bytetrack();
    opt.confirm_hits = 1; /* report from the first detection on */
    vigil_tracker *t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tracker_create(&opt, &t, &err), VIGIL_STATUS_OK);
    ref_kf ref;
    double time = 0;
    for (int step = 0; step < 40; step++) {
        /* A box drifting and growing, with a wobble, at uneven intervals (a camera whose
         * frames arrive every 20 to 70 ms). */
        double dt = step ? 0.02 + 0.05 * fabs(sin(step * 1.7)) : 0;
        time += dt;
        double cx = 100 + 90 * time + 3 * sin(step), cy = 200 - 40 * time + 2 * cos(step * 1.3);
        double w = 40 + 5 * time, h = 90 + 8 * time + sin(step * 0.7);
        vigil_tracker_detection d = {
            {(float)(cx - w / 2), (float)(cy - h / 2), (float)w, (float)h}, 0.9f, 1};
        /* The reference measures the same float box the tracker receives. */
        double z[4] = {d.box[0] + 0.5 * d.box[2], d.box[1] + 0.5 * d.box[3], d.box[2], d.box[3]};
        if (step == 0) {
            ref_init(&ref, z);
        } else {
            ref_predict(&ref, dt);
            ref_update(&ref, z);
        }
        const vigil_track *tracks;
        int n;
        ck_assert_int_eq(vigil_tracker_update(t, time, &d, 1, &tracks, &n, &err), VIGIL_STATUS_OK);
        ck_assert_int_eq(n, 1);
        ck_assert_int_eq(tracks[0].id, 1);
        double expect[4] = {ref.x[0] - ref.x[2] / 2, ref.x[1] - ref.x[3] / 2, ref.x[2], ref.x[3]};
        for (int c = 0; c < 4; c++)
            ck_assert_msg(fabs(tracks[0].box[c] - expect[c]) < 2e-3, "step %d coord %d: %f vs %f",
                          step, c, tracks[0].box[c], expect[c]);
        ck_assert_msg(fabs(tracks[0].velocity[0] - ref.x[4]) < 2e-3, "step %d: vx %f vs %f", step,
                      tracks[0].velocity[0], ref.x[4]);
        ck_assert_msg(fabs(tracks[0].velocity[1] - ref.x[5]) < 2e-3, "step %d: vy %f vs %f", step,
                      tracks[0].velocity[1], ref.x[5]);
    }
    /* After 40 updates the velocity has converged near the drift of 90, -40 px/s. */
    const vigil_track *all;
    int count;
    vigil_tracker_tracks(t, &all, &count);
    ck_assert_double_eq_tol(all[0].velocity[0], 90, 25);
    ck_assert_double_eq_tol(all[0].velocity[1], -40, 25);
    vigil_tracker_free(t);
}
END_TEST

static Suite *kalman_suite(void) {
    Suite *s = suite_create("tracker_kalman");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_filter_matches_textbook_form);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(kalman_suite)
