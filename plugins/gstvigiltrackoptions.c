/* vigil_tracker_options as vigiltrack properties (see gstvigiltrackoptions.h). All of
 * them can change while playing: the element hands the new options to the running
 * tracker (vigil_tracker_set_options), which keeps its tracks and ids. */
#include "gstvigiltrackoptions.h"

/* A match cost of 1 would pair boxes that do not overlap; the tracker refuses it. */
#define MAX_COST 0.999f

static GParamSpec *spec_float(const gchar *name, const gchar *blurb, gfloat max, gfloat value) {
    return g_param_spec_float(name, name, blurb, 0.0f, max, value,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                  GST_PARAM_MUTABLE_PLAYING);
}

static GParamSpec *spec_seconds(const gchar *name, const gchar *blurb, gdouble min, gdouble max,
                                gdouble value) {
    return g_param_spec_double(name, name, blurb, min, max, value,
                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                   GST_PARAM_MUTABLE_PLAYING);
}

static GParamSpec *spec_bool(const gchar *name, const gchar *blurb, gboolean value) {
    return g_param_spec_boolean(name, name, blurb, value,
                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                    GST_PARAM_MUTABLE_PLAYING);
}

void gst_vigil_track_options_install(GObjectClass *klass, guint first_id) {
    const vigil_tracker_options d = vigil_tracker_options_default();
    GParamSpec *specs[GST_VIGIL_TRACK_N_OPTIONS];
    /**
     * GstVigilTrack:high-threshold:
     *
     * Detections scoring at least this are paired first, with every followed or lost
     * track (ByteTrack's first stage), 0 to 1. Must not be below low-threshold.
     * Default: 0.6.
     */
    specs[GST_VIGIL_TRACK_OPTION_HIGH_THRESHOLD] = spec_float(
        "high-threshold", "Score of the detections paired first", 1.0f, d.high_threshold);
    /**
     * GstVigilTrack:low-threshold:
     *
     * Detections scoring from this up to high-threshold only continue followed tracks
     * (an occluded person often scores low); below it they are ignored. 0 to 1.
     * Default: 0.1.
     */
    specs[GST_VIGIL_TRACK_OPTION_LOW_THRESHOLD] =
        spec_float("low-threshold", "Lowest score that continues a track", 1.0f, d.low_threshold);
    /**
     * GstVigilTrack:new-track-threshold:
     *
     * An unpaired detection scoring at least this starts a track, 0 to 1. Default: 0.7.
     */
    specs[GST_VIGIL_TRACK_OPTION_NEW_TRACK_THRESHOLD] = spec_float(
        "new-track-threshold", "Lowest score that starts a track", 1.0f, d.new_track_threshold);
    /**
     * GstVigilTrack:match-cost-high:
     *
     * Highest cost (1 - IoU x score) paired in the first stage, 0 to 0.999. Default: 0.8.
     */
    specs[GST_VIGIL_TRACK_OPTION_MATCH_COST_HIGH] = spec_float(
        "match-cost-high", "Highest cost paired in the first stage", MAX_COST, d.match_cost_high);
    /**
     * GstVigilTrack:match-cost-low:
     *
     * Highest cost (1 - IoU) paired in the second stage, 0 to 0.999. Default: 0.5.
     */
    specs[GST_VIGIL_TRACK_OPTION_MATCH_COST_LOW] = spec_float(
        "match-cost-low", "Highest cost paired in the second stage", MAX_COST, d.match_cost_low);
    /**
     * GstVigilTrack:match-cost-tentative:
     *
     * Highest cost paired with a track seen once so far, 0 to 0.999. Default: 0.7.
     */
    specs[GST_VIGIL_TRACK_OPTION_MATCH_COST_TENTATIVE] =
        spec_float("match-cost-tentative", "Highest cost paired with unconfirmed tracks", MAX_COST,
                   d.match_cost_tentative);
    /**
     * GstVigilTrack:recovery-cost:
     *
     * With observation-recovery: highest 1 - IoU between a detection and a track's last
     * observed box, 0 to 0.999. Default: 0.7.
     */
    specs[GST_VIGIL_TRACK_OPTION_RECOVERY_COST] = spec_float(
        "recovery-cost", "Highest cost of observation recovery", MAX_COST, d.recovery_cost);
    /**
     * GstVigilTrack:recovery-seconds:
     *
     * With observation-recovery: only tracks unseen for at most this long, 0 to 3600 s.
     * Default: 0.5.
     */
    specs[GST_VIGIL_TRACK_OPTION_RECOVERY_SECONDS] =
        spec_seconds("recovery-seconds", "Observation recovery for tracks unseen this long (s)",
                     0.0, 3600.0, d.recovery_seconds);
    /**
     * GstVigilTrack:fuse-score:
     *
     * Pair on 1 - IoU x score rather than 1 - IoU in the first and third stages.
     * Default: true.
     */
    specs[GST_VIGIL_TRACK_OPTION_FUSE_SCORE] =
        spec_bool("fuse-score", "Weigh overlaps by the detection score", d.fuse_score);
    /**
     * GstVigilTrack:class-aware:
     *
     * Pair tracks only with detections of their class. Default: true.
     */
    specs[GST_VIGIL_TRACK_OPTION_CLASS_AWARE] =
        spec_bool("class-aware", "Pair only detections of the track's class", d.class_aware);
    /**
     * GstVigilTrack:confirm-hits:
     *
     * Sightings in a row before a track is confirmed and gets an id, 1 (at once) to
     * 1000. Default: 2.
     */
    specs[GST_VIGIL_TRACK_OPTION_CONFIRM_HITS] = g_param_spec_int(
        "confirm-hits", "confirm-hits", "Sightings in a row that confirm a track", 1, 1000,
        d.confirm_hits, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
    /**
     * GstVigilTrack:lost-seconds:
     *
     * How long a track that is no longer detected may be found again, keeping its id
     * (the lost-track buffer, in seconds of running time, not frames), 0 to 3600.
     * Default: 2.
     */
    specs[GST_VIGIL_TRACK_OPTION_LOST_SECONDS] = spec_seconds(
        "lost-seconds", "Seconds a lost track may be found again", 0.0, 3600.0, d.lost_seconds);
    /**
     * GstVigilTrack:stationary-seconds:
     *
     * Time an object stays in place before its track is stationary (kept for
     * stationary-lost-seconds when hidden), 0 (off) to 3600 s. Default: 2.
     */
    specs[GST_VIGIL_TRACK_OPTION_STATIONARY_SECONDS] = spec_seconds(
        "stationary-seconds", "Seconds in place that make a track stationary (0 = off)", 0.0,
        3600.0, d.stationary_seconds);
    /**
     * GstVigilTrack:stationary-lost-seconds:
     *
     * How long a hidden stationary track (a parked car behind a truck) keeps its id,
     * 0 to 86400 s. Default: 600.
     */
    specs[GST_VIGIL_TRACK_OPTION_STATIONARY_LOST_SECONDS] =
        spec_seconds("stationary-lost-seconds", "Seconds a lost stationary track is kept", 0.0,
                     86400.0, d.stationary_lost_seconds);
    /**
     * GstVigilTrack:observation-reupdate:
     *
     * OC-SORT's observation-centric re-update when a track is found again. Default: true.
     */
    specs[GST_VIGIL_TRACK_OPTION_OBSERVATION_REUPDATE] =
        spec_bool("observation-reupdate", "Re-run the filter along the gap when a track returns",
                  d.observation_reupdate);
    /**
     * GstVigilTrack:observation-recovery:
     *
     * OC-SORT's observation-centric recovery (pairs on the last observed box; see
     * docs/tracker.md for why it is off). Default: false.
     */
    specs[GST_VIGIL_TRACK_OPTION_OBSERVATION_RECOVERY] =
        spec_bool("observation-recovery", "Pair unseen tracks on their last observed box",
                  d.observation_recovery);
    /**
     * GstVigilTrack:cascade:
     *
     * DeepSORT's matching cascade: followed tracks are paired before lost ones.
     * Default: false.
     */
    specs[GST_VIGIL_TRACK_OPTION_CASCADE] =
        spec_bool("cascade", "Pair followed tracks before lost ones", d.cascade);
    /**
     * GstVigilTrack:lost-velocity-fit:
     *
     * A lost track moves on at the velocity fitted to its last second of observations.
     * Default: true.
     */
    specs[GST_VIGIL_TRACK_OPTION_LOST_VELOCITY_FIT] = spec_bool(
        "lost-velocity-fit", "Lost tracks move at their fitted velocity", d.lost_velocity_fit);
    /**
     * GstVigilTrack:reference-interval:
     *
     * The frame interval the filter's noise levels are given for, 0.001 to 10 s
     * (1/30 s reproduces ByteTrack's filter). Default: 0.0333.
     */
    specs[GST_VIGIL_TRACK_OPTION_REFERENCE_INTERVAL] =
        spec_seconds("reference-interval", "Frame interval of the noise levels (s)", 0.001, 10.0,
                     d.reference_interval);
    for (guint i = 0; i < GST_VIGIL_TRACK_N_OPTIONS; i++)
        g_object_class_install_property(klass, first_id + i, specs[i]);
}

void gst_vigil_track_options_set(vigil_tracker_options *o, GstVigilTrackOption option,
                                 const GValue *value) {
    switch (option) {
    case GST_VIGIL_TRACK_OPTION_HIGH_THRESHOLD:
        o->high_threshold = g_value_get_float(value);
        break;
    case GST_VIGIL_TRACK_OPTION_LOW_THRESHOLD:
        o->low_threshold = g_value_get_float(value);
        break;
    case GST_VIGIL_TRACK_OPTION_NEW_TRACK_THRESHOLD:
        o->new_track_threshold = g_value_get_float(value);
        break;
    case GST_VIGIL_TRACK_OPTION_MATCH_COST_HIGH:
        o->match_cost_high = g_value_get_float(value);
        break;
    case GST_VIGIL_TRACK_OPTION_MATCH_COST_LOW:
        o->match_cost_low = g_value_get_float(value);
        break;
    case GST_VIGIL_TRACK_OPTION_MATCH_COST_TENTATIVE:
        o->match_cost_tentative = g_value_get_float(value);
        break;
    case GST_VIGIL_TRACK_OPTION_RECOVERY_COST:
        o->recovery_cost = g_value_get_float(value);
        break;
    case GST_VIGIL_TRACK_OPTION_RECOVERY_SECONDS:
        o->recovery_seconds = g_value_get_double(value);
        break;
    case GST_VIGIL_TRACK_OPTION_FUSE_SCORE:
        o->fuse_score = g_value_get_boolean(value);
        break;
    case GST_VIGIL_TRACK_OPTION_CLASS_AWARE:
        o->class_aware = g_value_get_boolean(value);
        break;
    case GST_VIGIL_TRACK_OPTION_CONFIRM_HITS:
        o->confirm_hits = g_value_get_int(value);
        break;
    case GST_VIGIL_TRACK_OPTION_LOST_SECONDS:
        o->lost_seconds = g_value_get_double(value);
        break;
    case GST_VIGIL_TRACK_OPTION_STATIONARY_SECONDS:
        o->stationary_seconds = g_value_get_double(value);
        break;
    case GST_VIGIL_TRACK_OPTION_STATIONARY_LOST_SECONDS:
        o->stationary_lost_seconds = g_value_get_double(value);
        break;
    case GST_VIGIL_TRACK_OPTION_OBSERVATION_REUPDATE:
        o->observation_reupdate = g_value_get_boolean(value);
        break;
    case GST_VIGIL_TRACK_OPTION_OBSERVATION_RECOVERY:
        o->observation_recovery = g_value_get_boolean(value);
        break;
    case GST_VIGIL_TRACK_OPTION_CASCADE:
        o->cascade = g_value_get_boolean(value);
        break;
    case GST_VIGIL_TRACK_OPTION_LOST_VELOCITY_FIT:
        o->lost_velocity_fit = g_value_get_boolean(value);
        break;
    case GST_VIGIL_TRACK_OPTION_REFERENCE_INTERVAL:
        o->reference_interval = g_value_get_double(value);
        break;
    case GST_VIGIL_TRACK_N_OPTIONS:
        break;
    }
}

void gst_vigil_track_options_get(const vigil_tracker_options *o, GstVigilTrackOption option,
                                 GValue *value) {
    switch (option) {
    case GST_VIGIL_TRACK_OPTION_HIGH_THRESHOLD:
        g_value_set_float(value, o->high_threshold);
        break;
    case GST_VIGIL_TRACK_OPTION_LOW_THRESHOLD:
        g_value_set_float(value, o->low_threshold);
        break;
    case GST_VIGIL_TRACK_OPTION_NEW_TRACK_THRESHOLD:
        g_value_set_float(value, o->new_track_threshold);
        break;
    case GST_VIGIL_TRACK_OPTION_MATCH_COST_HIGH:
        g_value_set_float(value, o->match_cost_high);
        break;
    case GST_VIGIL_TRACK_OPTION_MATCH_COST_LOW:
        g_value_set_float(value, o->match_cost_low);
        break;
    case GST_VIGIL_TRACK_OPTION_MATCH_COST_TENTATIVE:
        g_value_set_float(value, o->match_cost_tentative);
        break;
    case GST_VIGIL_TRACK_OPTION_RECOVERY_COST:
        g_value_set_float(value, o->recovery_cost);
        break;
    case GST_VIGIL_TRACK_OPTION_RECOVERY_SECONDS:
        g_value_set_double(value, o->recovery_seconds);
        break;
    case GST_VIGIL_TRACK_OPTION_FUSE_SCORE:
        g_value_set_boolean(value, o->fuse_score);
        break;
    case GST_VIGIL_TRACK_OPTION_CLASS_AWARE:
        g_value_set_boolean(value, o->class_aware);
        break;
    case GST_VIGIL_TRACK_OPTION_CONFIRM_HITS:
        g_value_set_int(value, o->confirm_hits);
        break;
    case GST_VIGIL_TRACK_OPTION_LOST_SECONDS:
        g_value_set_double(value, o->lost_seconds);
        break;
    case GST_VIGIL_TRACK_OPTION_STATIONARY_SECONDS:
        g_value_set_double(value, o->stationary_seconds);
        break;
    case GST_VIGIL_TRACK_OPTION_STATIONARY_LOST_SECONDS:
        g_value_set_double(value, o->stationary_lost_seconds);
        break;
    case GST_VIGIL_TRACK_OPTION_OBSERVATION_REUPDATE:
        g_value_set_boolean(value, o->observation_reupdate);
        break;
    case GST_VIGIL_TRACK_OPTION_OBSERVATION_RECOVERY:
        g_value_set_boolean(value, o->observation_recovery);
        break;
    case GST_VIGIL_TRACK_OPTION_CASCADE:
        g_value_set_boolean(value, o->cascade);
        break;
    case GST_VIGIL_TRACK_OPTION_LOST_VELOCITY_FIT:
        g_value_set_boolean(value, o->lost_velocity_fit);
        break;
    case GST_VIGIL_TRACK_OPTION_REFERENCE_INTERVAL:
        g_value_set_double(value, o->reference_interval);
        break;
    case GST_VIGIL_TRACK_N_OPTIONS:
        break;
    }
}
