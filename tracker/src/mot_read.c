/* Reading MOT Challenge text: one record per line, checked, with the line number in
 * every error so that a user can fix the file. */
#include "vigil/mot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MOT_MIN_FIELDS 6
#define MOT_MAX_FIELDS 10

static const char *const field_names[MOT_MAX_FIELDS] = {
    "frame", "id", "x", "y", "width", "height", "conf", "class", "visibility", "z"};

/* Splits line at commas into numbers; returns the field count, or -1 with the index of
 * the bad field in *bad. Surrounding spaces and a trailing CR are tolerated. */
static int mot_split_numbers(char *line, double values[MOT_MAX_FIELDS], int *bad) {
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == MOT_MAX_FIELDS) {
            *bad = n;
            return -1;
        }
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(v)) {
            *bad = n;
            return -1;
        }
        values[n++] = v;
        while (*end == ' ' || *end == '\t' || *end == '\r')
            end++;
        if (*end == '\0' || *end == '\n')
            return n;
        if (*end != ',') {
            *bad = n - 1;
            return -1;
        }
        p = end + 1;
    }
}

static int mot_is_integer(double v) {
    return v == floor(v) && fabs(v) < 1e9;
}

/* Fills rec from the numbers of one line, or writes why not into why. */
static int mot_record_from_fields(const double *v, int n, vigil_mot_kind kind,
                                  vigil_mot_record *rec, char *why, size_t why_size) {
    if (n < MOT_MIN_FIELDS) {
        snprintf(why, why_size, "expected at least 6 comma-separated fields, found %d", n);
        return -1;
    }
    if (!mot_is_integer(v[0]) || v[0] < 1) {
        snprintf(why, why_size, "frame must be an integer from 1, got %g", v[0]);
        return -1;
    }
    if (!mot_is_integer(v[1])) {
        snprintf(why, why_size, "id must be an integer, got %g", v[1]);
        return -1;
    }
    if (kind != VIGIL_MOT_DETECTIONS && v[1] < 0) {
        snprintf(why, why_size, "%s id must be 0 or more, got %g",
                 kind == VIGIL_MOT_TRACKS ? "track" : "object", v[1]);
        return -1;
    }
    if (v[4] < 0 || v[5] < 0) {
        snprintf(why, why_size, "negative %s %g", v[4] < 0 ? "width" : "height",
                 v[4] < 0 ? v[4] : v[5]);
        return -1;
    }
    rec->frame = (int)v[0];
    rec->id = (int)v[1];
    for (int k = 0; k < 4; k++)
        rec->box[k] = (float)v[2 + k];
    rec->score = n > 6 ? (float)v[6] : 1.0f;
    rec->class_id = -1;
    rec->visibility = -1.0f;
    if (n > 7) {
        if (!mot_is_integer(v[7])) {
            snprintf(why, why_size, "class must be an integer, got %g", v[7]);
            return -1;
        }
        /* MOT16 writes world coordinates -1 here: any negative means "no class". */
        rec->class_id = v[7] < 0 ? -1 : (int)v[7];
    }
    if (n > 8)
        rec->visibility = (float)v[8];
    return 0;
}

/* Tracks and ground truth name each object once per frame; a repeat means a broken
 * writer and would corrupt identity metrics. */
static int mot_find_duplicate(const vigil_mot_records *out, const vigil_mot_record *rec) {
    for (int i = out->count - 1; i >= 0 && out->items[i].frame == rec->frame; i--)
        if (out->items[i].id == rec->id)
            return 1;
    return 0;
}

vigil_status vigil_mot_read_stream(FILE *stream, const char *name, vigil_mot_kind kind,
                                   vigil_mot_records *out, vigil_error *err) {
    vigil_mot_records_reset(out);
    char *line = NULL;
    size_t line_size = 0;
    vigil_status status = VIGIL_STATUS_OK;
    int line_no = 0;
    ssize_t len;
    while ((len = getline(&line, &line_size, stream)) >= 0) {
        line_no++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
            continue;
        double values[MOT_MAX_FIELDS];
        int bad = 0;
        int n = mot_split_numbers(p, values, &bad);
        if (n < 0) {
            if (bad >= MOT_MAX_FIELDS)
                status = vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s:%d: more than %d fields",
                                         name, line_no, MOT_MAX_FIELDS);
            else
                status = vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                         "%s:%d: field %d (%s) is not a number", name, line_no,
                                         bad + 1, field_names[bad]);
            goto done;
        }
        vigil_mot_record rec;
        char why[160];
        if (mot_record_from_fields(values, n, kind, &rec, why, sizeof why) < 0) {
            status = vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s:%d: %s", name, line_no, why);
            goto done;
        }
        if (out->count > 0 && rec.frame < out->items[out->count - 1].frame) {
            status = vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                     "%s:%d: frame %d comes after frame %d (frames must be in "
                                     "increasing order)",
                                     name, line_no, rec.frame, out->items[out->count - 1].frame);
            goto done;
        }
        if (kind != VIGIL_MOT_DETECTIONS && mot_find_duplicate(out, &rec)) {
            status =
                vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s:%d: id %d appears twice in frame %d",
                                name, line_no, rec.id, rec.frame);
            goto done;
        }
        status = vigil_mot_records_push(out, &rec, err);
        if (status < 0)
            goto done;
    }
    if (ferror(stream))
        status =
            vigil_error_set(err, VIGIL_STATUS_IO, "%s: read error after line %d", name, line_no);
done:
    free(line);
    return status;
}

vigil_status vigil_mot_read(const char *path, vigil_mot_kind kind, vigil_mot_records *out,
                            vigil_error *err) {
    FILE *f = fopen(path, "r");
    if (!f)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: %s", path, strerror(errno));
    vigil_status status = vigil_mot_read_stream(f, path, kind, out, err);
    fclose(f);
    return status;
}
