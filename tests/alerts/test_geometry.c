/* Homography and polygon checks against hand-worked values. The geometry functions are
 * internal; the public path (vigil_rules_to_world) exercises them through a rules file. */
#include <check.h>

#include "alerts_test_util.h"
#include "test_util.h"

/* The four corners of the unit square mapped to a trapezoid by
 *   H = [[2, 0, 1], [0, 1, 0], [0, 0.5, 1]]:  (x, y) -> ((2x + 1) / (0.5y + 1), y / (0.5y + 1))
 * (0,0)->(1,0), (1,0)->(3,0), (1,1)->(2,2/3), (0,1)->(2/3,2/3). The centre (0.5, 0.5)
 * maps to (2/1.25, 0.5/1.25) = (1.6, 0.4), worked by hand. */
START_TEST(homography_hand_worked) {
    vigil_rules *r = rules_from("{\"homography\": {\"image\": [[0,0],[1,0],[1,1],[0,1]],\n"
                                "  \"world\": [[1,0],[3,0],[2,0.6666666666666666],"
                                "[0.6666666666666666,0.6666666666666666]]}, \"rules\": []}");
    ck_assert(r->has_homography);
    const double expect[9] = {2, 0, 1, 0, 1, 0, 0, 0.5, 1};
    for (int i = 0; i < 9; i++)
        ck_assert_double_eq_tol(r->homography[i], expect[i], 1e-9);
    vigil_point w = vigil_rules_to_world(r, (vigil_point){0.5, 0.5});
    ck_assert_double_eq_tol(w.x, 1.6, 1e-9);
    ck_assert_double_eq_tol(w.y, 0.4, 1e-9);
    vigil_rules_free(r);
}
END_TEST

/* A concave zone (an L): points in the notch are outside. */
START_TEST(concave_zone_membership) {
    vigil_rules *r =
        rules_from("{\"zones\": [{\"name\": \"L\", \"anchor\": \"center\",\n"
                   "   \"polygon\": [[0,0],[100,0],[100,40],[40,40],[40,100],[0,100]]}],\n"
                   " \"rules\": [{\"name\": \"in\", \"type\": \"intrusion\", \"zone\": \"L\"}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(r, &a, NULL), 0);
    static collected c;
    /* centres: (20, 80) inside the L's leg, (80, 80) in the notch, (80, 20) in the arm */
    vigil_track_object o[3] = {
        {.track_id = 1, .box = {10, 70, 20, 20}, .confidence = 1, .confirmed = true},
        {.track_id = 2, .box = {70, 70, 20, 20}, .confidence = 1, .confirmed = true},
        {.track_id = 3, .box = {70, 10, 20, 20}, .confidence = 1, .confirmed = true}};
    step(a, 1, 10, o, 3, &c);
    ck_assert_int_eq(c.count, 2);
    ck_assert_int_eq(c.items[0].objects[0].track_id + c.items[1].objects[0].track_id, 4);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(r);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("geometry");
    TCase *t = tcase_create("geometry");
    tcase_add_test(t, homography_hand_worked);
    tcase_add_test(t, concave_zone_membership);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
