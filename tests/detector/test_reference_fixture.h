/* The TF.js reference fixtures made by tests/reference/make_fixtures.js, as the
 * test_reference_*.c programs read them: $VIGIL_HOME/reference/<model>_f<frame>/ holds
 * meta.json, frame.rgb (the decoded frame), input.bin (the tensor TF.js was fed) and one
 * .bin per output (float32, little-endian, row-major), and detections.json.
 *
 * Absent assets make a test skip locally (printing why) and fail under CI=true, where
 * scripts/fetch-assets.sh has made them. */
#ifndef VIGIL_TEST_REFERENCE_FIXTURE_H
#define VIGIL_TEST_REFERENCE_FIXTURE_H

#include <check.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vigil/tensor.h"

#define REF_N_MODELS 2
#define REF_N_FRAMES 4
static const char *const ref_models[REF_N_MODELS] = {"nanodet", "centernet"};
static const int ref_frames[REF_N_FRAMES] = {0, 200, 400, 700};

typedef struct ref_fixture {
    char dir[1100];
    cJSON *meta;
    int width, height; /* frame.rgb, rgb24 */
    uint8_t *frame;
    vigil_tensor input; /* owned: the tensor fed to TF.js */
    char layout[8];     /* "NCHW" or "NHWC" */
} ref_fixture;

static inline bool ref_in_ci(void) {
    const char *ci = getenv("CI");
    return ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
}

/* Fails under CI, otherwise prints why the check is skipped. Returns false to let the
 * caller return. */
static inline bool ref_missing(const char *what) {
    if (ref_in_ci())
        ck_abort_msg("%s (CI=true: scripts/fetch-assets.sh should have made it)", what);
    printf("SKIP: %s (run scripts/fetch-assets.sh)\n", what);
    return false;
}

/* Reads a whole file; NULL if it cannot be opened or read. */
static inline void *ref_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    void *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            ((char *)buf)[n] = '\0'; /* JSON files are read as strings */
            *size = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

static inline int ref_json_shape(const cJSON *arr, int64_t *shape) {
    int n = cJSON_GetArraySize(arr);
    ck_assert_msg(n >= 1 && n <= VIGIL_MAX_DIMS, "fixture shape with %d dims", n);
    for (int i = 0; i < n; i++)
        shape[i] = (int64_t)cJSON_GetArrayItem(arr, i)->valuedouble;
    return n;
}

/* Reads a float32 file of the given shape into t (owned). */
static inline void ref_read_tensor(const ref_fixture *fx, const char *file, int ndim,
                                   const int64_t *shape, vigil_tensor *t) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", fx->dir, file);
    size_t size = 0;
    void *data = ref_read_file(path, &size);
    ck_assert_msg(data, "%s: cannot read", path);
    vigil_error err = {0};
    ck_assert_msg(vigil_tensor_alloc(t, VIGIL_DTYPE_F32, ndim, shape, &err) == 0, "%s",
                  err.message);
    ck_assert_msg(size == vigil_tensor_nbytes(t), "%s: %zu bytes, its shape needs %zu", path, size,
                  vigil_tensor_nbytes(t));
    memcpy(t->data, data, size);
    free(data);
}

/* Loads <model>_f<frame>; false (after ref_missing) when the fixture is absent. */
static inline bool ref_fixture_load(const char *model, int frame, ref_fixture *fx) {
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "%s/reference/%s_f%d", test_asset_dir(), model, frame);
    char path[1200], why[1300];
    snprintf(path, sizeof path, "%s/meta.json", fx->dir);
    size_t size = 0;
    char *text = ref_read_file(path, &size);
    if (!text) {
        snprintf(why, sizeof why, "no reference fixture %s", path);
        return ref_missing(why);
    }
    fx->meta = cJSON_Parse(text);
    free(text);
    ck_assert_msg(fx->meta, "%s: not JSON", path);

    const cJSON *frame_meta = cJSON_GetObjectItem(fx->meta, "frame");
    fx->width = cJSON_GetObjectItem(frame_meta, "width")->valueint;
    fx->height = cJSON_GetObjectItem(frame_meta, "height")->valueint;
    snprintf(path, sizeof path, "%s/frame.rgb", fx->dir);
    fx->frame = ref_read_file(path, &size);
    ck_assert_msg(fx->frame && size == (size_t)fx->width * fx->height * 3,
                  "%s: missing or not %dx%d rgb24", path, fx->width, fx->height);

    const cJSON *input = cJSON_GetObjectItem(fx->meta, "input");
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = ref_json_shape(cJSON_GetObjectItem(input, "shape"), shape);
    ref_read_tensor(fx, cJSON_GetObjectItem(input, "file")->valuestring, ndim, shape, &fx->input);
    snprintf(fx->layout, sizeof fx->layout, "%s",
             cJSON_GetObjectItem(input, "layout")->valuestring);
    return true;
}

static inline void ref_fixture_free(ref_fixture *fx) {
    cJSON_Delete(fx->meta);
    free(fx->frame);
    vigil_tensor_free(&fx->input);
    memset(fx, 0, sizeof *fx);
}

/* The imported model file, or NULL (after ref_missing) when absent. */
static inline const char *ref_model_path(const char *model) {
    static char path[1100];
    snprintf(path, sizeof path, "%s/models/%s.safetensors", test_asset_dir(), model);
    FILE *f = fopen(path, "rb");
    if (!f) {
        char why[1200];
        snprintf(why, sizeof why, "no imported model %s", path);
        ref_missing(why);
        return NULL;
    }
    fclose(f);
    return path;
}

#endif
