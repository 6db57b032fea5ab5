/*
 * vigil/alerts.h — the alerts part in one include: rules files, the per-frame rule
 * engine, anomaly scoring, alert records and their publishers.
 *
 *     vigil_rules *rules;                    // vigil/rules.h
 *     vigil_rules_load("plaza.json", &rules, &err);
 *     vigil_analytics *engine;               // vigil/analytics.h
 *     vigil_analytics_create(rules, &engine, &err);
 *     vigil_publisher *pub;                  // vigil/publisher.h
 *     vigil_publisher_kafka_create(&kafka_options, &pub, &err);
 *     per frame:
 *         vigil_analytics_update(engine, &frame, objects, n, &alerts, &count, &err);
 *         for each alert: vigil_publisher_publish_alert(pub, &alerts[i], &err);
 *     vigil_analytics_finish(...); publish the last ends;
 *     vigil_publisher_flush(pub, 10000, &err);
 *     vigil_publisher_free(pub); vigil_analytics_free(engine); vigil_rules_free(rules);
 */
#ifndef VIGIL_ALERTS_H
#define VIGIL_ALERTS_H

#include "vigil/alert.h"
#include "vigil/analytics.h"
#include "vigil/anomaly.h"
#include "vigil/publisher.h"
#include "vigil/rules.h"
#include "vigil/spool.h"

#endif
