/*
 * vigil/alert.h — alert records: what an operator receives.
 *
 * An alert is one event in the life of an incident: `start` when a rule's condition
 * begins to hold, `update` while it goes on and something changed, `end` when it
 * stops, or `instant` for rules whose condition is a moment (a line crossing). Each
 * record serialises to the alert JSON of DESIGN.md (schema:
 * alerts/schema/alert.schema.json):
 *
 *     char *json;
 *     size_t len;
 *     if (vigil_alert_to_json(&alert, &json, &len, &err) < 0) ...
 *     produce(alert.camera_id, json, len);
 *     free(json);
 *
 * `alert_id` is derived from the camera, the rule, the subject, the incident's start
 * time, the event and its sequence number, so replaying the same input gives the same
 * ids and a consumer can drop duplicates by alert_id alone. `incident_id` is shared by
 * the events of one incident.
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/rules.h"
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vigil_alert_event {
    VIGIL_ALERT_EVENT_START = 0,
    VIGIL_ALERT_EVENT_UPDATE,
    VIGIL_ALERT_EVENT_END,
    VIGIL_ALERT_EVENT_INSTANT,
} vigil_alert_event;

#define VIGIL_ALERT_ID_SIZE 33 /* 32 hex digits and the terminator */
#define VIGIL_ALERT_LABEL_SIZE 32

typedef struct vigil_alert_object {
    int64_t track_id;
    char label[VIGIL_ALERT_LABEL_SIZE];
    float box[4]; /* x, y, w, h in frame pixels */
    float confidence;
} vigil_alert_object;

/* An RGB24 frame, rows top to bottom: for tamper statistics and snapshots. */
typedef struct vigil_alert_image {
    int width, height;
    int stride; /* bytes per row, >= 3 * width */
    const uint8_t *rgb;
} vigil_alert_image;

typedef struct vigil_alert {
    char alert_id[VIGIL_ALERT_ID_SIZE];
    char incident_id[VIGIL_ALERT_ID_SIZE];
    const char *camera_id;
    const char *rule; /* the rule's name */
    vigil_rule_type type;
    const char *zone; /* NULL when the rule has none */
    const char *line;
    vigil_alert_event event;
    int seq; /* 0 for start/instant, counts updates, last for end */
    vigil_severity severity;
    double score;      /* 0..1 */
    double started_at; /* seconds since the UNIX epoch, UTC */
    double timestamp;
    double pts; /* seconds in the stream */
    int64_t frame;
    int object_count;
    vigil_alert_object *objects;
    char *details;     /* a JSON object's text, NULL for none */
    uint8_t *snapshot; /* JPEG bytes or NULL */
    size_t snapshot_size;
} vigil_alert;

const char *vigil_alert_event_name(vigil_alert_event event);

/* Serialises one alert as compact JSON (malloc'd, NUL-terminated; *len excludes the NUL). */
vigil_status vigil_alert_to_json(const vigil_alert *alert, char **json, size_t *len,
                                 vigil_error *err);

/* Draws the boxes of objects on a copy of image and encodes it as JPEG (malloc'd). */
vigil_status vigil_alert_snapshot(const vigil_alert_image *image, const vigil_alert_object *objects,
                                  int object_count, int quality, uint8_t **jpeg, size_t *size,
                                  vigil_error *err);

/* Formats seconds since the UNIX epoch as RFC 3339 UTC with milliseconds
 * ("2026-11-29T08:15:02.250Z"); out needs 32 bytes. */
void vigil_alert_format_time(double seconds, char out[32]);

/* Deep copy and release, for callers that keep alerts past the engine's next update. */
vigil_status vigil_alert_copy(const vigil_alert *src, vigil_alert *dst, vigil_error *err);
void vigil_alert_release(vigil_alert *alert);

#ifdef __cplusplus
}
#endif
#endif
