/* MOT text reading and writing: field defaults, the checks that name a line, and a
 * round trip through the writer. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "vigil/mot.h"

/* Parses text as a file named "t.txt" of the given kind. */
static vigil_status read_text(const char *text, vigil_mot_kind kind, vigil_mot_records *out,
                              vigil_error *err) {
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    ck_assert_ptr_nonnull(f);
    vigil_status status = vigil_mot_read_stream(f, "t.txt", kind, out, err);
    fclose(f);
    return status;
}

START_TEST(test_reads_fields_and_defaults) {
    const char *text = "# comment\n"
                       "1,-1,10,20,30,40,0.9,1,-1\r\n"
                       "\n"
                       "1,-1, 5.5 ,6,7,8\n"
                       "3,-1,1,2,3,4,0.25,3,0.5,-1\n"
                       "4,-1,1,2,3,4,0.5,-1,-1,-1\n";
    vigil_mot_records r = {0};
    vigil_error err = {0};
    ck_assert_int_eq(read_text(text, VIGIL_MOT_DETECTIONS, &r, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(r.count, 4);
    ck_assert_int_eq(r.items[0].frame, 1);
    ck_assert_int_eq(r.items[0].id, -1);
    ck_assert_float_eq(r.items[0].box[3], 40.0f);
    ck_assert_float_eq_tol(r.items[0].score, 0.9f, 1e-6f);
    ck_assert_int_eq(r.items[0].class_id, 1);
    /* Six fields only: conf defaults to 1, class and visibility to "absent". */
    ck_assert_float_eq(r.items[1].box[0], 5.5f);
    ck_assert_float_eq(r.items[1].score, 1.0f);
    ck_assert_int_eq(r.items[1].class_id, -1);
    ck_assert_float_eq(r.items[1].visibility, -1.0f);
    ck_assert_int_eq(r.items[2].class_id, 3);
    ck_assert_float_eq(r.items[2].visibility, 0.5f);
    /* MOT16 world coordinates (-1) in the class column read as no class. */
    ck_assert_int_eq(r.items[3].class_id, -1);
    ck_assert_int_eq(vigil_mot_frame_end(&r, 0), 2);
    ck_assert_int_eq(vigil_mot_frame_end(&r, 2), 3);
    ck_assert_int_eq(vigil_mot_last_frame(&r), 4);
    vigil_mot_records_free(&r);
}
END_TEST

/* Each bad file must fail with FORMAT and a message naming t.txt and the right line. */
static void expect_error(const char *text, vigil_mot_kind kind, const char *where,
                         const char *what) {
    vigil_mot_records r = {0};
    vigil_error err = {0};
    ck_assert_int_eq(read_text(text, kind, &r, &err), VIGIL_STATUS_FORMAT);
    ck_assert_msg(strstr(err.message, where) != NULL, "'%s' lacks '%s'", err.message, where);
    ck_assert_msg(strstr(err.message, what) != NULL, "'%s' lacks '%s'", err.message, what);
    vigil_mot_records_free(&r);
}

START_TEST(test_errors_name_the_line) {
    expect_error("1,-1,1,2,3,4,0.9\n1,-1,1,2,x,4,0.9\n", VIGIL_MOT_DETECTIONS,
                 "t.txt:2:", "field 5 (width) is not a number");
    expect_error("1,-1,1,2,3,4\n\n1,-1,1,2\n", VIGIL_MOT_DETECTIONS, "t.txt:3:", "at least 6");
    expect_error("1,-1,1,2,-3,4,0.9\n", VIGIL_MOT_DETECTIONS, "t.txt:1:", "negative width -3");
    expect_error("1,-1,1,2,3,-4,0.9\n", VIGIL_MOT_DETECTIONS, "t.txt:1:", "negative height -4");
    expect_error("2,-1,1,2,3,4\n1,-1,1,2,3,4\n", VIGIL_MOT_DETECTIONS,
                 "t.txt:2:", "frame 1 comes after frame 2");
    expect_error("0,-1,1,2,3,4\n", VIGIL_MOT_DETECTIONS, "t.txt:1:", "frame must be");
    expect_error("1.5,-1,1,2,3,4\n", VIGIL_MOT_DETECTIONS, "t.txt:1:", "frame must be");
    expect_error("1,-1,1,2,3,4;0.9\n", VIGIL_MOT_DETECTIONS, "t.txt:1:", "not a number");
    expect_error("1,-1,1,2,3,4,0.9,1,1,1,1\n", VIGIL_MOT_DETECTIONS,
                 "t.txt:1:", "more than 10 fields");
    expect_error("1,-1,1,2,3,4,0.9,1.5\n", VIGIL_MOT_DETECTIONS, "t.txt:1:", "class must be");
    expect_error("1,3,1,2,3,4\n1,-2,1,2,3,4\n", VIGIL_MOT_TRACKS, "t.txt:2:", "track id");
    expect_error("1,3,1,2,3,4\n1,3,5,6,7,8\n", VIGIL_MOT_GROUND_TRUTH,
                 "t.txt:2:", "id 3 appears twice in frame 1");
    expect_error("1,1,1,2,3,4,nan\n", VIGIL_MOT_TRACKS, "t.txt:1:", "field 7 (conf)");
}
END_TEST

START_TEST(test_same_id_in_other_frames_is_fine) {
    vigil_mot_records r = {0};
    vigil_error err = {0};
    ck_assert_int_eq(
        read_text("1,3,1,2,3,4\n2,3,1,2,3,4\n2,4,1,2,3,4\n", VIGIL_MOT_TRACKS, &r, &err),
        VIGIL_STATUS_OK);
    ck_assert_int_eq(r.count, 3);
    vigil_mot_records_free(&r);
}
END_TEST

START_TEST(test_missing_file_is_io_error) {
    vigil_mot_records r = {0};
    vigil_error err = {0};
    ck_assert_int_eq(vigil_mot_read("/nonexistent/dets.txt", VIGIL_MOT_DETECTIONS, &r, &err),
                     VIGIL_STATUS_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/dets.txt"));
}
END_TEST

START_TEST(test_round_trip) {
    vigil_mot_record in[2] = {{.frame = 1,
                               .id = 4,
                               .box = {10.25f, 20.5f, 30, 40},
                               .score = 0.8125f,
                               .class_id = 3,
                               .visibility = 0.75f},
                              {.frame = 2,
                               .id = 4,
                               .box = {11, 21, 31, 41},
                               .score = 1,
                               .class_id = 1,
                               .visibility = -1}};
    char buffer[512] = {0};
    FILE *f = fmemopen(buffer, sizeof buffer, "w");
    vigil_error err = {0};
    ck_assert_int_eq(vigil_mot_write(f, in, 2, &err), VIGIL_STATUS_OK);
    fclose(f);
    ck_assert_str_eq(buffer, "1,4,10.25,20.50,30.00,40.00,0.8125,3,0.75\n"
                             "2,4,11.00,21.00,31.00,41.00,1,1,-1\n");
    vigil_mot_records r = {0};
    ck_assert_int_eq(read_text(buffer, VIGIL_MOT_TRACKS, &r, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(r.count, 2);
    ck_assert_int_eq(memcmp(&r.items[0], &in[0], sizeof in[0]), 0);
    ck_assert_int_eq(memcmp(&r.items[1], &in[1], sizeof in[1]), 0);
    vigil_mot_records_free(&r);
}
END_TEST

static Suite *mot_io_suite(void) {
    Suite *s = suite_create("mot_io");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reads_fields_and_defaults);
    tcase_add_test(tc, test_errors_name_the_line);
    tcase_add_test(tc, test_same_id_in_other_frames_is_fine);
    tcase_add_test(tc, test_missing_file_is_io_error);
    tcase_add_test(tc, test_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(mot_io_suite)
