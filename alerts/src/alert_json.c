/* The alert JSON of DESIGN.md (schema: alerts/schema/alert.schema.json). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "vigil/alert.h"

const char *vigil_alert_event_name(vigil_alert_event event) {
    switch (event) {
    case VIGIL_ALERT_EVENT_START:
        return "start";
    case VIGIL_ALERT_EVENT_UPDATE:
        return "update";
    case VIGIL_ALERT_EVENT_END:
        return "end";
    case VIGIL_ALERT_EVENT_INSTANT:
        return "instant";
    }
    return "start";
}

void vigil_alert_format_time(double seconds, char out[32]) {
    double whole = floor(seconds);
    int ms = (int)llround((seconds - whole) * 1000);
    if (ms == 1000) {
        whole += 1;
        ms = 0;
    }
    time_t t = (time_t)whole;
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[24];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", date, ms);
}

/* Rounds to 3 decimals so that the JSON reads cleanly and replays compare equal. */
static double r3(double v) {
    return round(v * 1000) / 1000;
}

static cJSON *build(const vigil_alert *a) {
    cJSON *root = cJSON_CreateObject();
    char when[32];
    cJSON_AddStringToObject(root, "schema", "vigil.alert.v1");
    cJSON_AddStringToObject(root, "alert_id", a->alert_id);
    cJSON_AddStringToObject(root, "incident_id", a->incident_id);
    cJSON_AddStringToObject(root, "camera_id", a->camera_id ? a->camera_id : "");
    cJSON_AddStringToObject(root, "type", vigil_rule_type_name(a->type));
    cJSON_AddStringToObject(root, "event", vigil_alert_event_name(a->event));
    cJSON_AddNumberToObject(root, "seq", a->seq);
    cJSON_AddStringToObject(root, "severity", vigil_severity_name(a->severity));
    cJSON_AddNumberToObject(root, "score", r3(a->score));
    cJSON_AddStringToObject(root, "rule", a->rule ? a->rule : "");
    if (a->zone)
        cJSON_AddStringToObject(root, "zone", a->zone);
    if (a->line)
        cJSON_AddStringToObject(root, "line", a->line);
    vigil_alert_format_time(a->started_at, when);
    cJSON_AddStringToObject(root, "started_at", when);
    vigil_alert_format_time(a->timestamp, when);
    cJSON_AddStringToObject(root, "timestamp", when);
    cJSON_AddNumberToObject(root, "pts", r3(a->pts));
    cJSON_AddNumberToObject(root, "frame", (double)a->frame);
    cJSON *objects = cJSON_AddArrayToObject(root, "objects");
    for (int i = 0; i < a->object_count; i++) {
        const vigil_alert_object *o = &a->objects[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "track_id", (double)o->track_id);
        cJSON_AddStringToObject(j, "label", o->label);
        cJSON *box = cJSON_AddArrayToObject(j, "box");
        for (int k = 0; k < 4; k++)
            cJSON_AddItemToArray(box, cJSON_CreateNumber(round(o->box[k] * 10) / 10));
        cJSON_AddNumberToObject(j, "confidence", r3(o->confidence));
        cJSON_AddItemToArray(objects, j);
    }
    cJSON *details = a->details ? cJSON_Parse(a->details) : NULL;
    cJSON_AddItemToObject(root, "details", details ? details : cJSON_CreateObject());
    if (a->snapshot && a->snapshot_size) {
        char *b64 = vigil_base64_encode(a->snapshot, a->snapshot_size);
        if (b64) {
            cJSON_AddStringToObject(root, "snapshot", b64);
            free(b64);
        }
    }
    return root;
}

vigil_status vigil_alert_to_json(const vigil_alert *alert, char **json, size_t *len,
                                 vigil_error *err) {
    if (!alert || !json)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "alert: nothing to write");
    cJSON *root = build(alert);
    char *text = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "alert %s: out of memory",
                               alert->alert_id);
    *json = text;
    if (len)
        *len = strlen(text);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_alert_copy(const vigil_alert *src, vigil_alert *dst, vigil_error *err) {
    *dst = *src;
    dst->objects = NULL;
    dst->details = NULL;
    dst->snapshot = NULL;
    if (src->object_count) {
        dst->objects = malloc((size_t)src->object_count * sizeof *dst->objects);
        if (!dst->objects)
            goto no_memory;
        memcpy(dst->objects, src->objects, (size_t)src->object_count * sizeof *src->objects);
    }
    if (src->details && !(dst->details = strdup(src->details)))
        goto no_memory;
    if (src->snapshot) {
        if (!(dst->snapshot = malloc(src->snapshot_size)))
            goto no_memory;
        memcpy(dst->snapshot, src->snapshot, src->snapshot_size);
    }
    return VIGIL_STATUS_OK;
no_memory:
    vigil_alert_release(dst);
    return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
}

void vigil_alert_release(vigil_alert *a) {
    free(a->objects);
    free(a->details);
    free(a->snapshot);
    a->objects = NULL;
    a->details = NULL;
    a->snapshot = NULL;
    a->object_count = 0;
    a->snapshot_size = 0;
}
