/* The disk spool: what survives a close, a kill -9, a torn write, a full spool and a
 * full disk (a file size limit makes write() fail part-way like ENOSPC does). */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alerts_test_util.h"
#include "test_util.h"

static char dir[256];

static void fresh_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/vigil-spool-test-%d-XXXXXX", (int)getpid());
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static vigil_spool *open_spool(const vigil_spool_options *o) {
    vigil_spool *s;
    vigil_error err = {0};
    ck_assert_msg(vigil_spool_open(dir, o, &s, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return s;
}

static vigil_status append(vigil_spool *s, int i, uint64_t *seq, vigil_error *err) {
    char id[32], value[256];
    snprintf(id, sizeof id, "alert-%05d", i);
    int n = snprintf(value, sizeof value, "{\"alert_id\":\"%s\",\"pad\":\"%0*d\"}", id, 100, i);
    return vigil_spool_append(s, id, "cam", 3, value, (size_t)n, seq, err);
}

static int id_number(const vigil_spool_record *r) {
    return atoi(r->id + 6);
}

static void check_record(vigil_spool *s, uint64_t seq, int i) {
    vigil_spool_record r;
    vigil_error err = {0};
    ck_assert_msg(vigil_spool_read(s, seq, &r, &err) == VIGIL_STATUS_OK, "%s", err.message);
    ck_assert_int_eq(id_number(&r), i);
    ck_assert_str_eq(r.key, "cam");
    char expect[256];
    snprintf(expect, sizeof expect, "{\"alert_id\":\"alert-%05d\",\"pad\":\"%0*d\"}", i, 100, i);
    ck_assert_str_eq(r.value, expect);
    vigil_spool_record_free(&r);
}

START_TEST(reopen_keeps_unacknowledged_in_order) {
    fresh_dir();
    vigil_spool_options o = vigil_spool_options_default();
    o.segment_bytes = 8192; /* many segments */
    vigil_spool *s = open_spool(&o);
    for (int i = 0; i < 1000; i++) {
        uint64_t seq;
        ck_assert_int_eq(append(s, i, &seq, NULL), 0);
        ck_assert_int_eq(seq, (uint64_t)i);
    }
    for (int i = 0; i < 1000; i += 2)
        ck_assert_int_eq(vigil_spool_ack(s, (uint64_t)i, NULL), 0);
    vigil_spool_close(s);
    s = open_spool(&o);
    vigil_spool_stats st;
    vigil_spool_get_stats(s, &st);
    ck_assert_int_eq(st.recovered, 500);
    int expect = 1;
    for (uint64_t q = vigil_spool_first_pending(s); q != VIGIL_SPOOL_NONE;
         q = vigil_spool_next_pending(s, q), expect += 2)
        check_record(s, q, expect);
    ck_assert_int_eq(expect, 1001);
    /* New records continue the sequence. */
    uint64_t seq;
    ck_assert_int_eq(append(s, 1000, &seq, NULL), 0);
    ck_assert_int_eq(seq, 1000);
    vigil_spool_close(s);
    remove_dir();
}
END_TEST

/* A child appends 300 records, acknowledges the first 100, and is killed with SIGKILL
 * (no close): the reopened spool holds exactly records 100..299. */
START_TEST(kill_9_loses_nothing) {
    fresh_dir();
    pid_t pid = fork();
    if (pid == 0) {
        vigil_spool *s;
        vigil_spool_options o = vigil_spool_options_default();
        o.sync = VIGIL_SPOOL_SYNC_NEVER; /* a process crash needs no fsync */
        o.segment_bytes = 8192;
        if (vigil_spool_open(dir, &o, &s, NULL) < 0)
            _exit(1);
        for (int i = 0; i < 300; i++)
            if (append(s, i, NULL, NULL) < 0)
                _exit(1);
        for (int i = 0; i < 100; i++)
            vigil_spool_ack(s, (uint64_t)i, NULL);
        raise(SIGKILL);
        _exit(2);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    vigil_spool *s = open_spool(NULL);
    int expect = 100;
    for (uint64_t q = vigil_spool_first_pending(s); q != VIGIL_SPOOL_NONE;
         q = vigil_spool_next_pending(s, q))
        check_record(s, q, expect++);
    ck_assert_int_eq(expect, 300);
    vigil_spool_close(s);
    remove_dir();
}
END_TEST

/* A write cut short by a crash leaves half a record: it is cut off at open, the good
 * records stay, and appends go on cleanly after them. Same for half an ack. */
START_TEST(torn_tail_is_cut) {
    fresh_dir();
    vigil_spool *s = open_spool(NULL);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(append(s, i, NULL, NULL), 0);
    ck_assert_int_eq(vigil_spool_ack(s, 0, NULL), 0);
    vigil_spool_close(s);
    char path[512];
    snprintf(path, sizeof path, "%s/0000000000000000.log", dir);
    FILE *f = fopen(path, "ab");
    fwrite("VSP1\x12\x34garbage", 1, 13, f); /* a torn header */
    fclose(f);
    snprintf(path, sizeof path, "%s/0000000000000000.ack", dir);
    f = fopen(path, "ab");
    fwrite("\x05\x00\x00", 1, 3, f); /* a torn ack of record 5 */
    fclose(f);
    s = open_spool(NULL);
    vigil_spool_stats st;
    vigil_spool_get_stats(s, &st);
    ck_assert_int_eq(st.recovered, 9);
    ck_assert_int_eq(st.truncated, 16);
    uint64_t seq;
    ck_assert_int_eq(append(s, 10, &seq, NULL), 0);
    ck_assert_int_eq(seq, 10);
    vigil_spool_close(s);
    s = open_spool(NULL);
    int expect = 1;
    for (uint64_t q = vigil_spool_first_pending(s); q != VIGIL_SPOOL_NONE;
         q = vigil_spool_next_pending(s, q))
        check_record(s, q, expect++);
    ck_assert_int_eq(expect, 11);
    vigil_spool_close(s);
    remove_dir();
}
END_TEST

/* max_bytes: appends are refused with FULL once it is reached (counted), accepted
 * records are all still there, and delivering them makes room again. */
START_TEST(full_spool_refuses_new_keeps_old) {
    fresh_dir();
    vigil_spool_options o = vigil_spool_options_default();
    o.segment_bytes = 4096;
    o.max_bytes = 16384;
    vigil_spool *s = open_spool(&o);
    int accepted = 0;
    vigil_error err = {0};
    vigil_status st;
    while ((st = append(s, accepted, NULL, &err)) == VIGIL_STATUS_OK)
        accepted++;
    ck_assert_int_eq(st, VIGIL_STATUS_FULL);
    ck_assert_ptr_nonnull(strstr(err.message, "refused"));
    ck_assert_int_gt(accepted, 50);
    ck_assert_int_eq(append(s, accepted, NULL, NULL), VIGIL_STATUS_FULL);
    vigil_spool_stats ss;
    vigil_spool_get_stats(s, &ss);
    ck_assert_int_eq(ss.refused, 2);
    ck_assert_int_le(ss.bytes, o.max_bytes);
    vigil_spool_close(s);
    s = open_spool(&o);
    int expect = 0;
    for (uint64_t q = vigil_spool_first_pending(s); q != VIGIL_SPOOL_NONE;
         q = vigil_spool_next_pending(s, q))
        check_record(s, q, expect++);
    ck_assert_int_eq(expect, accepted);
    for (int i = 0; i < accepted; i++)
        vigil_spool_ack(s, (uint64_t)i, NULL);
    vigil_spool_get_stats(s, &ss);
    ck_assert_int_eq(ss.segments, 1); /* delivered segments are deleted */
    ck_assert_int_eq(append(s, accepted, NULL, NULL), VIGIL_STATUS_OK);
    vigil_spool_close(s);
    remove_dir();
}
END_TEST

/* A full disk: with a 6000-byte file size limit, write() stops part-way through a
 * record (EFBIG, handled like ENOSPC). The append fails with FULL and a clear message,
 * the partial record is undone, and reopening finds every accepted record intact. */
START_TEST(full_disk_keeps_accepted) {
    fresh_dir();
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {6000, 6000};
        setrlimit(RLIMIT_FSIZE, &lim);
        vigil_spool *s;
        if (vigil_spool_open(dir, NULL, &s, NULL) < 0)
            _exit(10);
        int i = 0;
        vigil_error err = {0};
        vigil_status st;
        while ((st = append(s, i, NULL, &err)) == VIGIL_STATUS_OK)
            i++;
        if (st != VIGIL_STATUS_FULL || !strstr(err.message, "no space left") ||
            !strstr(err.message, "pending records kept"))
            _exit(11);
        /* The spool stays usable after a refusal: delivering frees nothing here (one
         * segment), so the next append is refused the same way. */
        if (append(s, i, NULL, NULL) != VIGIL_STATUS_FULL)
            _exit(12);
        vigil_spool_close(s);
        _exit(i > 0 && i < 100 ? 0 : 13);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d",
                  WEXITSTATUS(status));
    vigil_spool *s = open_spool(NULL);
    vigil_spool_stats st;
    vigil_spool_get_stats(s, &st);
    ck_assert_int_eq(st.truncated, 0); /* the partial record was already undone */
    int expect = 0;
    for (uint64_t q = vigil_spool_first_pending(s); q != VIGIL_SPOOL_NONE;
         q = vigil_spool_next_pending(s, q))
        check_record(s, q, expect++);
    ck_assert_int_gt(expect, 20);
    vigil_spool_close(s);
    remove_dir();
}
END_TEST

START_TEST(one_writer_per_spool) {
    fresh_dir();
    vigil_spool *s = open_spool(NULL), *t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_spool_open(dir, NULL, &t, &err), VIGIL_STATUS_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "in use by another process"));
    vigil_spool_close(s);
    remove_dir();
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("spool");
    TCase *t = tcase_create("spool");
    tcase_add_test(t, reopen_keeps_unacknowledged_in_order);
    tcase_add_test(t, kill_9_loses_nothing);
    tcase_add_test(t, torn_tail_is_cut);
    tcase_add_test(t, full_spool_refuses_new_keeps_old);
    tcase_add_test(t, full_disk_keeps_accepted);
    tcase_add_test(t, one_writer_per_spool);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
