/* What every publisher shares: dispatch, alert serialisation, secret handling. */
#include <stdlib.h>
#include <string.h>

#include "publisher_internal.h"

vigil_status vigil_publisher_publish(vigil_publisher *p, const char *id, const char *key,
                                     const void *value, size_t len, vigil_error *err) {
    if (!p || !value)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "publisher: nothing to send");
    return p->ops->publish(p, id ? id : "", key ? key : "", value, len, err);
}

vigil_status vigil_publisher_publish_alert(vigil_publisher *p, const vigil_alert *alert,
                                           vigil_error *err) {
    char *json;
    size_t len;
    vigil_status st = vigil_alert_to_json(alert, &json, &len, err);
    if (st < 0)
        return st;
    st = vigil_publisher_publish(p, alert->alert_id, alert->camera_id, json, len, err);
    free(json);
    return st;
}

vigil_status vigil_publisher_flush(vigil_publisher *p, int timeout_ms, vigil_error *err) {
    return p->ops->flush(p, timeout_ms, err);
}

void vigil_publisher_get_stats(vigil_publisher *p, vigil_publisher_stats *stats) {
    memset(stats, 0, sizeof *stats);
    p->ops->stats(p, stats);
}

void vigil_publisher_free(vigil_publisher *p) {
    if (p)
        p->ops->destroy(p);
}

bool vigil_kafka_property_is_secret(const char *name) {
    static const char *const marks[] = {
        "password", "secret", "key", "token", "jaas", "credential", "sasl.oauthbearer.config"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(name, marks[i]))
            return true;
    return false;
}

void kafka_secrets_redact(const kafka_secrets *s, const char *text, char *out, size_t cap) {
    size_t o = 0;
    while (*text && o + 1 < cap) {
        size_t skip = 0;
        for (int i = 0; i < s->count && !skip; i++) {
            size_t n = strlen(s->values[i]);
            if (n && !strncmp(text, s->values[i], n))
                skip = n;
        }
        if (skip) {
            for (const char *r = "***"; *r && o + 1 < cap; r++)
                out[o++] = *r;
            text += skip;
        } else {
            out[o++] = *text++;
        }
    }
    out[o] = '\0';
}

void kafka_secrets_free(kafka_secrets *s) {
    for (int i = 0; i < s->count; i++)
        free(s->values[i]);
    free(s->values);
    s->values = NULL;
    s->count = 0;
}
