/* The assignment solvers against exhaustive enumeration of every (partial) matching on
 * small random matrices, plus hand-worked cases. */
#include <check.h>
#include <math.h>
#include <stdint.h>

#include "test_util.h"
#include "vigil/assignment.h"

static uint64_t rng_state = 88172645463325252ull;

static double next_uniform(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Least cost over all complete matchings of the smaller side (brute force). */
static double brute_full(const double *cost, int nr, int nc, int row, int *used) {
    if (row == nr)
        return 0;
    double best = INFINITY;
    int free_cols = 0;
    for (int j = 0; j < nc; j++)
        free_cols += !used[j];
    /* Rows may be skipped only as long as enough rows remain for min(nr, nc) pairs. */
    int pairs_needed = (nr < nc ? nr : nc) - (nc - free_cols);
    if (nr - row > pairs_needed) {
        double skip = brute_full(cost, nr, nc, row + 1, used);
        best = skip < best ? skip : best;
    }
    for (int j = 0; j < nc; j++) {
        if (used[j])
            continue;
        used[j] = 1;
        double c = cost[row * nc + j] + brute_full(cost, nr, nc, row + 1, used);
        used[j] = 0;
        best = c < best ? c : best;
    }
    return best;
}

/* Least cost over all partial matchings with pairs above limit forbidden and each
 * unpaired row or column costing limit / 2. */
static double brute_limited(const double *cost, int nr, int nc, double limit, int row, int *used) {
    if (row == nr) {
        int unused = 0;
        for (int j = 0; j < nc; j++)
            unused += !used[j];
        return unused * limit / 2;
    }
    double best = limit / 2 + brute_limited(cost, nr, nc, limit, row + 1, used);
    for (int j = 0; j < nc; j++) {
        if (used[j] || !(cost[row * nc + j] <= limit))
            continue;
        used[j] = 1;
        double c = cost[row * nc + j] + brute_limited(cost, nr, nc, limit, row + 1, used);
        used[j] = 0;
        best = c < best ? c : best;
    }
    return best;
}

START_TEST(test_hand_worked) {
    /* Greedy takes 0.1 (row 0, col 0) and is then forced into 0.9 (row 1, col 1): 1.0.
     * The optimum is 0.2 + 0.3 = 0.5 with row 0 -> col 1, row 1 -> col 0. */
    double cost[4] = {0.1, 0.3, 0.2, 0.9};
    int r2c[2], c2r[2];
    vigil_lap_workspace ws = {0};
    vigil_error err = {0};
    ck_assert_int_eq(vigil_lap_solve(&ws, cost, 2, 2, r2c, c2r, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(r2c[0], 1);
    ck_assert_int_eq(r2c[1], 0);
    ck_assert_int_eq(c2r[0], 1);
    /* The header's example: limit 0.8 leaves column 2 unpaired. */
    double c23[6] = {0.1, 0.9, 0.5, 0.2, 0.3, 0.9};
    int r2[2], c3[3];
    ck_assert_int_eq(vigil_lap_solve_limited(&ws, c23, 2, 3, 0.8, r2, c3, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(r2[0], 0);
    ck_assert_int_eq(r2[1], 1);
    ck_assert_int_eq(c3[2], -1);
    /* With limit 0.25 only the 0.1 and 0.2 pairs are allowed, and they share column 0:
     * pairing (0,0) leaves row 1 and column 1... unpaired: 0.1 + 2 * 0.125 = 0.35 vs
     * pairing (1,0): 0.2 + 0.25 = 0.45. */
    ck_assert_int_eq(vigil_lap_solve_limited(&ws, c23, 2, 3, 0.25, r2, c3, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(r2[0], 0);
    ck_assert_int_eq(r2[1], -1);
    /* Tall matrix (more rows than columns) goes through the transpose. */
    double tall[6] = {5, 1, 1, 5, 3, 3};
    int r3[3], c2[2];
    ck_assert_int_eq(vigil_lap_solve(&ws, tall, 3, 2, r3, c2, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(r3[0], 1);
    ck_assert_int_eq(r3[1], 0);
    ck_assert_int_eq(r3[2], -1);
    vigil_lap_workspace_free(&ws);
}
END_TEST

START_TEST(test_random_against_brute_force) {
    vigil_lap_workspace ws = {0};
    vigil_error err = {0};
    for (int trial = 0; trial < 400; trial++) {
        int nr = 1 + (int)(next_uniform() * 6), nc = 1 + (int)(next_uniform() * 6);
        double cost[36];
        for (int k = 0; k < nr * nc; k++)
            /* Coarse values make ties common, which is where solvers go wrong. */
            cost[k] = trial % 2 ? floor(next_uniform() * 4) / 4 : next_uniform();
        int r2c[6], c2r[6], used[6] = {0};
        ck_assert_int_eq(vigil_lap_solve(&ws, cost, nr, nc, r2c, c2r, &err), VIGIL_STATUS_OK);
        double total = 0;
        int pairs = 0;
        for (int i = 0; i < nr; i++)
            if (r2c[i] >= 0) {
                ck_assert_int_eq(c2r[r2c[i]], i);
                total += cost[i * nc + r2c[i]];
                pairs++;
            }
        ck_assert_int_eq(pairs, nr < nc ? nr : nc);
        ck_assert_double_eq_tol(total, brute_full(cost, nr, nc, 0, used), 1e-9);

        double limit = 0.2 + 0.6 * next_uniform();
        ck_assert_int_eq(vigil_lap_solve_limited(&ws, cost, nr, nc, limit, r2c, c2r, &err),
                         VIGIL_STATUS_OK);
        double limited = 0;
        int paired_rows = 0, paired_cols = 0;
        for (int i = 0; i < nr; i++)
            if (r2c[i] >= 0) {
                ck_assert_int_eq(c2r[r2c[i]], i);
                ck_assert(cost[i * nc + r2c[i]] <= limit);
                limited += cost[i * nc + r2c[i]];
                paired_rows++;
            }
        for (int j = 0; j < nc; j++)
            paired_cols += c2r[j] >= 0;
        ck_assert_int_eq(paired_rows, paired_cols);
        limited += (nr - paired_rows + nc - paired_cols) * limit / 2;
        ck_assert_double_eq_tol(limited, brute_limited(cost, nr, nc, limit, 0, used), 1e-9);
    }
    vigil_lap_workspace_free(&ws);
}
END_TEST

START_TEST(test_infinite_entries_are_forbidden) {
    double cost[4] = {INFINITY, 0.4, 0.3, INFINITY};
    int r2c[2], c2r[2];
    vigil_lap_workspace ws = {0};
    vigil_error err = {0};
    ck_assert_int_eq(vigil_lap_solve_limited(&ws, cost, 2, 2, 0.5, r2c, c2r, &err),
                     VIGIL_STATUS_OK);
    ck_assert_int_eq(r2c[0], 1);
    ck_assert_int_eq(r2c[1], 0);
    /* The dense solver avoids forbidden pairs too, and fails when it cannot. */
    ck_assert_int_eq(vigil_lap_solve(&ws, cost, 2, 2, r2c, c2r, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(r2c[0], 1);
    double blocked[4] = {INFINITY, INFINITY, 0.3, 0.4};
    ck_assert_int_eq(vigil_lap_solve(&ws, blocked, 2, 2, r2c, c2r, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    vigil_lap_workspace_free(&ws);
}
END_TEST

START_TEST(test_workspace_stops_growing) {
    vigil_lap_workspace ws = {0};
    vigil_error err = {0};
    double cost[64];
    int r2c[8], c2r[8];
    for (int k = 0; k < 64; k++)
        cost[k] = next_uniform();
    ck_assert_int_eq(vigil_lap_solve_limited(&ws, cost, 8, 8, 0.7, r2c, c2r, &err), 0);
    long grown = ws.allocations;
    for (int trial = 0; trial < 50; trial++) {
        for (int k = 0; k < 64; k++)
            cost[k] = next_uniform();
        ck_assert_int_eq(vigil_lap_solve_limited(&ws, cost, 8, 8, 2.0, r2c, c2r, &err), 0);
    }
    /* limit 2.0 joins everything into one 16 x 16 extended problem: one more growth at
     * most per buffer, then none. */
    long after = ws.allocations;
    for (int trial = 0; trial < 50; trial++)
        ck_assert_int_eq(vigil_lap_solve_limited(&ws, cost, 8, 8, 2.0, r2c, c2r, &err), 0);
    ck_assert_int_eq(ws.allocations, after);
    ck_assert(after >= grown);
    vigil_lap_workspace_free(&ws);
}
END_TEST

static Suite *assignment_suite(void) {
    Suite *s = suite_create("assignment");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_hand_worked);
    tcase_add_test(tc, test_random_against_brute_force);
    tcase_add_test(tc, test_infinite_entries_are_forbidden);
    tcase_add_test(tc, test_workspace_stops_growing);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(assignment_suite)
