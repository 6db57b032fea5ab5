/* The rules loader: DESIGN.md's example, and bad input named by line and field. */
#include <check.h>
#include <stdio.h>

#include "alerts_test_util.h"
#include "test_util.h"

static const char *DESIGN_EXAMPLE =
    "{\"camera_id\": \"plaza\",\n"
    " \"zones\": [{\"name\": \"lawn\", \"polygon\": [[0,330],[420,330],[420,576],[0,576]]}],\n"
    " \"lines\": [{\"name\": \"path\", \"points\": [[300,120],[330,480]], \"direction\": [1,0]}],\n"
    " \"rules\": [\n"
    "   {\"name\": \"keep-off-lawn\", \"type\": \"intrusion\", \"zone\": \"lawn\", \"classes\": "
    "[\"person\"]},\n"
    "   {\"name\": \"loiter\", \"type\": \"loitering\", \"zone\": \"lawn\", \"classes\": "
    "[\"person\"], \"seconds\": 20},\n"
    "   {\"name\": \"crowd\", \"type\": \"crowding\", \"zone\": \"lawn\", \"min_count\": 5, "
    "\"seconds\": 3},\n"
    "   {\"name\": \"cross\", \"type\": \"line_crossing\", \"line\": \"path\", \"classes\": "
    "[\"person\"]},\n"
    "   {\"name\": \"against-flow\", \"type\": \"wrong_way\", \"zone\": \"lawn\", "
    "\"direction\": [0,-1], \"seconds\": 1},\n"
    "   {\"name\": \"fast\", \"type\": \"speed\", \"zone\": \"lawn\", \"max_speed\": 250},\n"
    "   {\"name\": \"left-bag\", \"type\": \"abandoned_object\", \"classes\": "
    "[\"backpack\",\"handbag\",\"suitcase\"],\n"
    "    \"seconds\": 30, \"owner_distance\": 150},\n"
    "   {\"name\": \"tamper\", \"type\": \"tamper\"},\n"
    "   {\"name\": \"unusual\", \"type\": \"anomaly\", \"threshold\": 0.95, \"learn_seconds\": "
    "600}]}\n";

START_TEST(design_example_loads) {
    vigil_rules *r = rules_from(DESIGN_EXAMPLE);
    ck_assert_str_eq(r->camera_id, "plaza");
    ck_assert_int_eq(r->zone_count, 1);
    ck_assert_int_eq(r->line_count, 1);
    ck_assert_int_eq(r->rule_count, 9);
    static const vigil_rule_type types[] = {
        VIGIL_RULE_INTRUSION,        VIGIL_RULE_LOITERING, VIGIL_RULE_CROWDING,
        VIGIL_RULE_LINE_CROSSING,    VIGIL_RULE_WRONG_WAY, VIGIL_RULE_SPEED,
        VIGIL_RULE_ABANDONED_OBJECT, VIGIL_RULE_TAMPER,    VIGIL_RULE_ANOMALY};
    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(r->rules[i].type, types[i]);
    ck_assert_int_eq(r->rules[2].crowding.min_count, 5);
    ck_assert_int_eq(r->rules[2].crowding.clear_count, 4);
    ck_assert_double_eq(r->rules[2].crowding.clear_seconds, 3);
    ck_assert_int_eq(r->rules[3].line, 0);
    ck_assert(r->lines[0].directed);
    ck_assert_double_eq(r->rules[6].abandoned.owner_distance, 150);
    ck_assert_str_eq(r->rules[6].abandoned.owner_classes[0], "person");
    ck_assert_double_eq(r->rules[8].anomaly.threshold, 0.95);
    ck_assert_int_eq(r->rules[3].severity, VIGIL_SEVERITY_INFO);
    ck_assert_int_eq(r->rules[6].severity, VIGIL_SEVERITY_CRITICAL);
    vigil_rules_free(r);
}
END_TEST

/* Parses text that must fail and checks the message contains `expect`. */
static void expect_error(const char *json, const char *expect) {
    vigil_rules *r = NULL;
    vigil_error err = {0};
    vigil_status st = vigil_rules_parse(json, "rules.json", &r, &err);
    ck_assert_int_eq(st, VIGIL_STATUS_FORMAT);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, expect), "message '%s' lacks '%s'", err.message, expect);
}

START_TEST(malformed_json_names_line) {
    expect_error("{\"rules\": [\n  {\"name\": \"a\",\n   \"type\": \"tamper\",,}\n]}",
                 "rules.json:3: not valid JSON");
}
END_TEST

START_TEST(unknown_zone_names_line_and_field) {
    expect_error("{\"zones\": [{\"name\": \"lawn\", \"polygon\": [[0,0],[9,0],[9,9]]}],\n"
                 " \"rules\": [\n"
                 "  {\"name\": \"a\", \"type\": \"tamper\"},\n"
                 "  {\"name\": \"b\", \"type\": \"intrusion\",\n"
                 "   \"zone\": \"lwn\"}]}",
                 "rules.json:5: rules[1].zone: unknown zone 'lwn' (zones: lawn)");
}
END_TEST

START_TEST(self_intersecting_polygon) {
    expect_error("{\"zones\": [\n {\"name\": \"bow\",\n  \"polygon\": [[0,0],[100,100],[100,0],"
                 "[0,100]]}],\n \"rules\": []}",
                 "rules.json:3: zones[0].polygon: polygon intersects itself: edge 0-1 crosses "
                 "edge 2-3");
}
END_TEST

START_TEST(other_bad_input) {
    /* a typo in a field name */
    expect_error("{\"zones\": [{\"name\": \"z\", \"polygon\": [[0,0],[9,0],[9,9]]}],\n"
                 " \"rules\": [{\"name\": \"l\", \"type\": \"loitering\", \"zone\": \"z\",\n"
                 "   \"secnds\": 20}]}",
                 "rules.json:3: rules[0].secnds: unknown field");
    expect_error("{\"zones\": [{\"name\": \"z\", \"polygon\": [[0,0],[9,0],[9,9]]}],\n"
                 " \"rules\": [{\"name\": \"l\", \"type\": \"loitering\", \"zone\": \"z\"}]}",
                 "rules.json:2: rules[0]: missing field 'seconds'");
    expect_error("{\"rules\": [{\"name\": \"i\", \"type\": \"intrusion\", \"zone\": \"z\"}]}",
                 "unknown zone 'z' (zones: none defined)");
    expect_error("{\"rules\": [{\"name\": \"t\", \"type\": \"tamper\",\n \"classes\": "
                 "[\"persn\"]}]}",
                 "rules.json:2: rules[0].classes[0]: unknown label 'persn'");
    expect_error("{\"rules\": [{\"name\": \"t\", \"type\": \"tamper\"},\n"
                 "            {\"name\": \"t\", \"type\": \"tamper\"}]}",
                 "rules.json:2: rules[1].name: name 't' is already used by rules[0]");
    expect_error("{\"rules\": [{\"name\": \"t\", \"type\": \"teleport\"}]}",
                 "rules[0].type: unknown rule type 'teleport'");
    expect_error("{\"rules\": [{\"name\": \"c\", \"type\": \"speed\", \"max_speed\": -3}]}",
                 "rules[0].max_speed: -3 is out of range");
    expect_error("{\"lines\": [{\"name\": \"g\", \"points\": [[0,0],[0,10]], \"direction\": "
                 "[0,1]}], \"rules\": []}",
                 "lines[0].direction: direction runs along the line");
    expect_error("{\"homography\": {\"image\": [[0,0],[1,1],[2,2],[0,5]], \"world\": "
                 "[[0,0],[1,0],[1,1],[0,1]]}, \"rules\": []}",
                 "homography: degenerate");
    expect_error("{\"zones\": []}", "missing field 'rules'");
}
END_TEST

/* Custom labels are accepted once declared. */
START_TEST(declared_labels) {
    vigil_rules *r = rules_from("{\"labels\": [\"forklift\"], \"rules\": [{\"name\": \"f\", "
                                "\"type\": \"speed\", \"max_speed\": 5, \"classes\": "
                                "[\"forklift\"]}]}");
    ck_assert_str_eq(r->rules[0].classes[0], "forklift");
    vigil_rules_free(r);
}
END_TEST

START_TEST(missing_file) {
    vigil_rules *r = NULL;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_rules_load("/nonexistent/rules.json", &r, &err), VIGIL_STATUS_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/rules.json"));
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rules_file");
    TCase *t = tcase_create("rules");
    tcase_add_test(t, design_example_loads);
    tcase_add_test(t, malformed_json_names_line);
    tcase_add_test(t, unknown_zone_names_line_and_field);
    tcase_add_test(t, self_intersecting_polygon);
    tcase_add_test(t, other_bad_input);
    tcase_add_test(t, declared_labels);
    tcase_add_test(t, missing_file);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
