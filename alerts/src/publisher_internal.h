/* A publisher is a table of operations behind vigil/publisher.h. */
#ifndef VIGIL_ALERTS_PUBLISHER_INTERNAL_H
#define VIGIL_ALERTS_PUBLISHER_INTERNAL_H

#include "vigil/publisher.h"

typedef struct publisher_ops {
    vigil_status (*publish)(vigil_publisher *p, const char *id, const char *key, const void *value,
                            size_t len, vigil_error *err);
    vigil_status (*flush)(vigil_publisher *p, int timeout_ms, vigil_error *err);
    void (*stats)(vigil_publisher *p, vigil_publisher_stats *stats);
    void (*destroy)(vigil_publisher *p);
} publisher_ops;

struct vigil_publisher {
    const publisher_ops *ops;
};

/* Secrets of a librdkafka configuration, and redaction of them in any text. */
typedef struct kafka_secrets {
    int count;
    char **values;
} kafka_secrets;

/* Copies text into out with every secret value replaced by "***". */
void kafka_secrets_redact(const kafka_secrets *s, const char *text, char *out, size_t cap);
void kafka_secrets_free(kafka_secrets *s);

#endif
