/* Helpers shared by the Check test programs. */
#ifndef VIGIL_TEST_UTIL_H
#define VIGIL_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Directory of the fetched assets (models, vtest.avi, reference fixtures). */
static inline const char *test_asset_dir(void) {
    static char path[1024];
    const char *home = getenv("VIGIL_HOME");
    if (home && *home)
        return home;
    snprintf(path, sizeof path, "%s/.cache/vigil", getenv("HOME") ? getenv("HOME") : "/tmp");
    return path;
}

/* Full path of a file in the asset directory, in a static buffer (one at a time). */
static inline const char *test_asset(const char *name) {
    static char path[2048]; /* room for the whole directory plus a name: no truncation */
    snprintf(path, sizeof path, "%s/%s", test_asset_dir(), name);
    return path;
}

/* Runs a Check suite and returns the process exit status. */
#define TEST_MAIN(suite_fn)                                                                        \
    int main(void) {                                                                               \
        SRunner *runner = srunner_create(suite_fn());                                              \
        srunner_run_all(runner, CK_NORMAL);                                                        \
        int failed = srunner_ntests_failed(runner);                                                \
        srunner_free(runner);                                                                      \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                                          \
    }

#endif
