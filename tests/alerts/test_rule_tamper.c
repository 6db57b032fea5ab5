/* Camera tamper on synthetic frames: a textured scene, then black frames, then a
 * blurred copy, then a different scene. 10 fps, learn 2 s, conditions held for 1 s. */
#include <check.h>
#include <stdlib.h>

#include "alerts_test_util.h"
#include "test_util.h"

enum { W = 160, H = 120 };
static collected c;
static uint8_t scene_a[W * H * 3], scene_b[W * H * 3], blurred[W * H * 3], black[W * H * 3];

/* Large shapes give the layout thumbnail structure; fine noise gives sharpness. */
static void make_scene(uint8_t *rgb, unsigned seed, bool rotated) {
    srand(seed);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int u = rotated ? y : x, v = rotated ? x : y;
            int base = ((u / 40) + (v / 30)) % 2 ? 170 : 70;
            int value = base + (rand() % 60) - 30;
            for (int k = 0; k < 3; k++)
                rgb[(y * W + x) * 3 + k] = (uint8_t)value;
        }
}

static void box_blur(const uint8_t *in, uint8_t *out, int r) {
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int sum = 0, n = 0;
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy >= 0 && yy < H && xx >= 0 && xx < W) {
                        sum += in[(yy * W + xx) * 3];
                        n++;
                    }
                }
            for (int k = 0; k < 3; k++)
                out[(y * W + x) * 3 + k] = (uint8_t)(sum / n);
        }
}

static const uint8_t *frame_at(int f) {
    if (f <= 30)
        return scene_a; /* learning */
    if (f <= 60)
        return black; /* blackout from pts 3.0: alert at 4.0 = frame 41 */
    if (f <= 90)
        return scene_a; /* clear from 6.0: end at 7.0 = frame 71 */
    if (f <= 130)
        return blurred; /* blur from 9.0: alert at 10.0 = frame 101 */
    if (f <= 170)
        return scene_a; /* end at 14.0 = frame 141 */
    return scene_b;     /* moved from 17.0: alert at 18.0 = frame 181 */
}

START_TEST(blackout_blur_scene_change) {
    make_scene(scene_a, 1, false);
    make_scene(scene_b, 2, true);
    box_blur(scene_a, blurred, 3);
    vigil_rules *rules =
        rules_from("{\"rules\": [{\"name\": \"tamper\", \"type\": \"tamper\", \"seconds\": 1,\n"
                   "             \"learn_seconds\": 2, \"snapshot\": false}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 200; f++) {
        vigil_alert_image img = {.width = W, .height = H, .stride = W * 3, .rgb = frame_at(f)};
        step_image(a, f, 10, NULL, 0, &img, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 3);
    const char *reasons[3] = {"\"reason\":\"blackout\"", "\"reason\":\"blur\"",
                              "\"reason\":\"scene_change\""};
    const int starts[3] = {41, 101, 181}, ends[2] = {71, 141};
    for (int i = 0; i < 3; i++) {
        const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, i);
        ck_assert_int_eq(s->frame, starts[i]);
        ck_assert_msg(strstr(s->details, reasons[i]), "start %d: %s", i, s->details);
        ck_assert_int_eq(s->severity, VIGIL_SEVERITY_CRITICAL);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_END, NULL), 2);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_END, NULL, i)->frame, ends[i]);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* With snapshots on, the start event carries a JPEG (SOI marker FF D8, EOI FF D9). */
START_TEST(snapshot_is_jpeg) {
    make_scene(scene_a, 1, false);
    vigil_rules *rules = rules_from(
        "{\"zones\": [{\"name\": \"z\", \"polygon\": [[0,0],[160,0],[160,120],[0,120]]}],\n"
        " \"rules\": [{\"name\": \"in\", \"type\": \"intrusion\", \"zone\": \"z\"}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    vigil_alert_image img = {.width = W, .height = H, .stride = W * 3, .rgb = scene_a};
    vigil_track_object o = at(1, 0, 80, 100);
    step_image(a, 1, 10, &o, 1, &img, &c);
    ck_assert_int_eq(c.count, 1);
    ck_assert_ptr_nonnull(c.items[0].snapshot);
    ck_assert_int_gt(c.items[0].snapshot_size, 200);
    ck_assert_int_eq(c.items[0].snapshot[0], 0xFF);
    ck_assert_int_eq(c.items[0].snapshot[1], 0xD8);
    ck_assert_int_eq(c.items[0].snapshot[c.items[0].snapshot_size - 2], 0xFF);
    ck_assert_int_eq(c.items[0].snapshot[c.items[0].snapshot_size - 1], 0xD9);
    char *json;
    size_t len;
    ck_assert_int_eq(vigil_alert_to_json(&c.items[0], &json, &len, NULL), 0);
    ck_assert_ptr_nonnull(strstr(json, "\"snapshot\":\"/9j/")); /* base64 of FF D8 FF */
    free(json);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rule_tamper");
    TCase *t = tcase_create("tamper");
    tcase_add_test(t, blackout_blur_scene_change);
    tcase_add_test(t, snapshot_is_jpeg);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
