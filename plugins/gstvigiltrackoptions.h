/*
 * gstvigiltrackoptions.h — every field of vigil_tracker_options as a GObject property
 * of vigiltrack.
 *
 * The element installs the options after its own properties (first_id on) and hands
 * set_property/get_property calls for ids in that range to these functions, which map
 * them to and from a vigil_tracker_options. Ranges and defaults come from the tracker
 * (vigil_tracker_options_default), so the two never disagree.
 */
#ifndef GST_VIGIL_TRACK_OPTIONS_H
#define GST_VIGIL_TRACK_OPTIONS_H

#include <gst/gst.h>

#include "vigil/tracker.h"

G_BEGIN_DECLS

typedef enum {
    GST_VIGIL_TRACK_OPTION_HIGH_THRESHOLD = 0,
    GST_VIGIL_TRACK_OPTION_LOW_THRESHOLD,
    GST_VIGIL_TRACK_OPTION_NEW_TRACK_THRESHOLD,
    GST_VIGIL_TRACK_OPTION_MATCH_COST_HIGH,
    GST_VIGIL_TRACK_OPTION_MATCH_COST_LOW,
    GST_VIGIL_TRACK_OPTION_MATCH_COST_TENTATIVE,
    GST_VIGIL_TRACK_OPTION_RECOVERY_COST,
    GST_VIGIL_TRACK_OPTION_RECOVERY_SECONDS,
    GST_VIGIL_TRACK_OPTION_FUSE_SCORE,
    GST_VIGIL_TRACK_OPTION_CLASS_AWARE,
    GST_VIGIL_TRACK_OPTION_CONFIRM_HITS,
    GST_VIGIL_TRACK_OPTION_LOST_SECONDS,
    GST_VIGIL_TRACK_OPTION_STATIONARY_SECONDS,
    GST_VIGIL_TRACK_OPTION_STATIONARY_LOST_SECONDS,
    GST_VIGIL_TRACK_OPTION_OBSERVATION_REUPDATE,
    GST_VIGIL_TRACK_OPTION_OBSERVATION_RECOVERY,
    GST_VIGIL_TRACK_OPTION_CASCADE,
    GST_VIGIL_TRACK_OPTION_LOST_VELOCITY_FIT,
    GST_VIGIL_TRACK_OPTION_REFERENCE_INTERVAL,
    GST_VIGIL_TRACK_N_OPTIONS
} GstVigilTrackOption;

/* Installs one property per option, with ids first_id + GstVigilTrackOption. */
void gst_vigil_track_options_install(GObjectClass *klass, guint first_id);

/* Copies value into the option's field. */
void gst_vigil_track_options_set(vigil_tracker_options *options, GstVigilTrackOption option,
                                 const GValue *value);

/* Copies the option's field into value. */
void gst_vigil_track_options_get(const vigil_tracker_options *options, GstVigilTrackOption option,
                                 GValue *value);

G_END_DECLS

#endif
