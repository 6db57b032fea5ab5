/* Frames from an image or a video: still images through media_still.c, everything
 * else through libavformat + libavcodec, converted to RGB24 by swscale on request. */
#include "media.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "media_internal.h"

struct vigil_media {
    char *path;
    vigil_media_info info;
    int64_t next_index;
    int64_t corrupt, good;
    /* Still image: decoded at open. */
    uint8_t *still_rgb;
    bool still_done;
    /* Video. */
    AVFormatContext *format;
    AVCodecContext *codec;
    int stream;
    AVPacket *packet;
    AVFrame *frame;
    bool draining;
    int read_error; /* the AVERROR that ended reading, other than end of file */
    struct SwsContext *sws;
    uint8_t *rgb;
    int rgb_stride, rgb_width, rgb_height;
    int64_t rgb_index; /* frame index the rgb buffer holds, -1 for none */
};

void vigil_media_set_verbose(bool verbose) {
    av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
}

static const char *av_message(int code, char *buf, size_t size) {
    av_strerror(code, buf, size);
    return buf;
}

static bool is_url(const char *path) {
    const char *colon = strstr(path, "://");
    return colon && colon > path;
}

void vigil_media_close(vigil_media *m) {
    if (!m)
        return;
    free(m->path);
    free(m->still_rgb);
    sws_freeContext(m->sws);
    av_free(m->rgb);
    av_frame_free(&m->frame);
    av_packet_free(&m->packet);
    avcodec_free_context(&m->codec);
    avformat_close_input(&m->format);
    free(m);
}

/* Reads a whole (image) file; the size was checked by the caller. */
static vigil_status read_file(const char *path, size_t size, uint8_t **out, vigil_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    uint8_t *data = malloc(size ? size : 1);
    size_t got = data ? fread(data, 1, size, f) : 0;
    fclose(f);
    if (!data)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: no memory for %zu bytes", path,
                               size);
    if (got != size) {
        free(data);
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: read %zu of %zu bytes", path, got, size);
    }
    *out = data;
    return VIGIL_STATUS_OK;
}

/* Decodes a local file now if it is a still image we read ourselves (by its first
 * bytes); *handled stays false for anything else, which goes to libavformat. */
static vigil_status open_still(vigil_media *m, const char *path, const struct stat *st,
                               bool *handled, vigil_error *err) {
    *handled = false;
    uint8_t head[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    vigil_still_kind kind = vigil_still_sniff(head, n);
    vigil_still_kind named = vigil_still_kind_of_name(path);
    if (kind == VIGIL_STILL_NONE && named != VIGIL_STILL_NONE)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "%s: not a %s image (unknown format: the file does not start "
                               "like one)",
                               path, named == VIGIL_STILL_JPEG ? "JPEG" : "PPM/PGM");
    if (kind == VIGIL_STILL_NONE)
        return VIGIL_STATUS_OK;
    *handled = true;
    uint8_t *data = NULL;
    vigil_status s = read_file(path, (size_t)st->st_size, &data, err);
    if (s < 0)
        return s;
    int w = 0, h = 0;
    s = vigil_still_decode(path, kind, data, (size_t)st->st_size, &m->still_rgb, &w, &h, err);
    free(data);
    if (s < 0)
        return s;
    m->info = (vigil_media_info){.is_image = true,
                                 .width = w,
                                 .height = h,
                                 .frame_count = 1,
                                 .format = kind == VIGIL_STILL_JPEG ? "jpeg" : "ppm",
                                 .codec = kind == VIGIL_STILL_JPEG ? "libjpeg-turbo" : "ppm"};
    return VIGIL_STATUS_OK;
}

/* Plain messages for the usual mistakes with local files, before FFmpeg sees them. */
static vigil_status check_local_file(const char *path, struct stat *st, vigil_error *err) {
    if (stat(path, st) != 0)
        return vigil_error_set(err, errno == ENOENT ? VIGIL_STATUS_NOT_FOUND : VIGIL_STATUS_IO,
                               "%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
    if (S_ISDIR(st->st_mode))
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: is a directory", path);
    if (S_ISREG(st->st_mode) && st->st_size == 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: empty file (0 bytes)", path);
    return VIGIL_STATUS_OK;
}

/* The container format a local file's first bytes look like, or NULL: tells "damaged
 * AVI" from "not a video at all" when FFmpeg refuses a file. */
static const char *probe_format(const char *path) {
    if (is_url(path))
        return NULL;
    uint8_t buf[4096 + AVPROBE_PADDING_SIZE] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, 4096, f);
    fclose(f);
    AVProbeData probe = {.filename = path, .buf = buf, .buf_size = (int)n};
    int score = 0;
    const AVInputFormat *fmt = av_probe_input_format2(&probe, 1, &score);
    /* Above what a file name's extension alone earns: the content matched. */
    return fmt && score > AVPROBE_SCORE_EXTENSION ? fmt->long_name ? fmt->long_name : fmt->name
                                                  : NULL;
}

static vigil_status open_video(vigil_media *m, const char *path, vigil_error *err) {
    char msg[AV_ERROR_MAX_STRING_SIZE];
    AVDictionary *options = NULL;
    if (is_url(path)) {
        /* A dead camera should fail, not hang: 10 s socket timeouts. */
        av_dict_set(&options, "rw_timeout", "10000000", 0);
        if (!strncmp(path, "rtsp://", 7))
            av_dict_set(&options, "timeout", "10000000", 0);
    }
    int rc = avformat_open_input(&m->format, path, NULL, &options);
    av_dict_free(&options);
    if (rc < 0) {
        const char *probed = rc == AVERROR_INVALIDDATA ? probe_format(path) : NULL;
        if (probed)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "%s: damaged or truncated %s file (FFmpeg cannot read its "
                                   "header)",
                                   path, probed);
        if (rc == AVERROR_INVALIDDATA)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "%s: unknown format (neither an image nor a video FFmpeg "
                                   "reads)",
                                   path);
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot open: %s", path,
                               av_message(rc, msg, sizeof msg));
    }
    rc = avformat_find_stream_info(m->format, NULL);
    if (rc < 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: unreadable %s stream: %s", path,
                               m->format->iformat->name, av_message(rc, msg, sizeof msg));
    const AVCodec *decoder = NULL;
    m->stream = av_find_best_stream(m->format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (m->stream == AVERROR_DECODER_NOT_FOUND)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                               "%s: no decoder for its video codec in this FFmpeg", path);
    if (m->stream < 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: no video stream (format %s)", path,
                               m->format->iformat->name);
    AVStream *stream = m->format->streams[m->stream];
    m->codec = avcodec_alloc_context3(decoder);
    if (!m->codec)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: out of memory", path);
    rc = avcodec_parameters_to_context(m->codec, stream->codecpar);
    if (rc >= 0) {
        m->codec->thread_count = 0; /* FFmpeg picks */
        m->codec->pkt_timebase = stream->time_base;
        rc = avcodec_open2(m->codec, decoder, NULL);
    }
    if (rc < 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: cannot open the %s decoder: %s", path,
                               decoder->name, av_message(rc, msg, sizeof msg));
    if (stream->codecpar->width <= 0 || stream->codecpar->height <= 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: zero-size video (%dx%d)", path,
                               stream->codecpar->width, stream->codecpar->height);
    m->packet = av_packet_alloc();
    m->frame = av_frame_alloc();
    if (!m->packet || !m->frame)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: out of memory", path);
    AVRational rate = av_guess_frame_rate(m->format, stream, NULL);
    m->info = (vigil_media_info){
        .is_image = false,
        .width = stream->codecpar->width,
        .height = stream->codecpar->height,
        .fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0,
        .frame_count = stream->nb_frames > 0 ? stream->nb_frames : 0,
        .format = m->format->iformat->name,
        .codec = decoder->name,
    };
    /* Image demuxers (PNG, BMP, ...) give one frame: no count to check against. */
    if (m->format->iformat->flags & AVFMT_NOFILE || strstr(m->info.format, "_pipe") ||
        !strcmp(m->info.format, "image2"))
        m->info.is_image = true;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_media_open(const char *path, vigil_media **out, vigil_error *err) {
    if (!path || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "media: NULL argument");
    *out = NULL;
    vigil_media *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path))) {
        free(m);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: out of memory", path);
    }
    m->rgb_index = -1;
    vigil_status s = VIGIL_STATUS_OK;
    bool handled = false;
    if (!is_url(path)) {
        struct stat st;
        s = check_local_file(path, &st, err);
        if (s >= 0 && S_ISREG(st.st_mode))
            s = open_still(m, path, &st, &handled, err);
    }
    if (s >= 0 && !handled)
        s = open_video(m, path, err);
    if (s < 0) {
        vigil_media_close(m);
        return s;
    }
    *out = m;
    return VIGIL_STATUS_OK;
}

static bool frame_is_corrupt(const AVFrame *f) {
    return (f->flags & AV_FRAME_FLAG_CORRUPT) || f->decode_error_flags != 0;
}

static void fill_frame(vigil_media *m, vigil_media_frame *out) {
    AVStream *stream = m->format->streams[m->stream];
    int64_t ts = m->frame->best_effort_timestamp;
    double pts;
    if (ts == AV_NOPTS_VALUE)
        pts = m->info.fps > 0 ? (double)m->next_index / m->info.fps : 0.0;
    else {
        if (stream->start_time != AV_NOPTS_VALUE)
            ts -= stream->start_time;
        pts = (double)ts * av_q2d(stream->time_base);
    }
    *out = (vigil_media_frame){
        .index = m->next_index++, .pts = pts, .width = m->frame->width, .height = m->frame->height};
}

/* After the decoder is drained: END, or why the stream stopped early. */
static vigil_status end_of_video(vigil_media *m, vigil_error *err) {
    char msg[AV_ERROR_MAX_STRING_SIZE];
    if (m->read_error)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: read error after %lld frames: %s",
                               m->path, (long long)m->next_index,
                               av_message(m->read_error, msg, sizeof msg));
    /* Frames short of the declared count mean a cut file, unless as many frames were
     * seen corrupt: a damaged packet can also make the demuxer lose a frame. */
    if (!m->info.is_image && m->info.frame_count > 0 &&
        m->info.frame_count - m->next_index > m->corrupt)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "%s: truncated: the file declares %lld frames but ends after %lld",
                               m->path, (long long)m->info.frame_count, (long long)m->next_index);
    if (m->good == 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "%s: no frame could be decoded (%lld corrupt)", m->path,
                               (long long)m->corrupt);
    return vigil_error_set(err, VIGIL_STATUS_END, "%s: end of stream", m->path);
}

/* Stops a decoder that keeps failing while drained from looping for ever. */
#define MAX_DRAIN_ERRORS 64

static vigil_status next_video(vigil_media *m, vigil_media_frame *out, vigil_error *err) {
    char msg[AV_ERROR_MAX_STRING_SIZE];
    int drain_errors = 0;
    for (;;) {
        int rc = avcodec_receive_frame(m->codec, m->frame);
        if (rc == 0) {
            if (frame_is_corrupt(m->frame) || m->frame->width <= 0 || m->frame->height <= 0) {
                m->corrupt++;
                m->next_index++;
                continue;
            }
            m->good++;
            fill_frame(m, out);
            return VIGIL_STATUS_OK;
        }
        if (rc == AVERROR_EOF)
            return end_of_video(m, err);
        if (rc != AVERROR(EAGAIN)) {
            /* A frame the decoder failed on (frame threads report errors here). */
            m->corrupt++;
            m->next_index++;
            if (m->draining && ++drain_errors > MAX_DRAIN_ERRORS)
                return end_of_video(m, err);
            continue;
        }
        if (m->draining)
            return end_of_video(m, err);
        rc = av_read_frame(m->format, m->packet);
        if (rc < 0) {
            if (rc != AVERROR_EOF && !avio_feof(m->format->pb))
                m->read_error = rc;
            m->draining = true;
            avcodec_send_packet(m->codec, NULL);
            continue;
        }
        if (m->packet->stream_index == m->stream) {
            rc = avcodec_send_packet(m->codec, m->packet);
            if (rc == AVERROR(ENOMEM)) {
                av_packet_unref(m->packet);
                return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: decoder: %s", m->path,
                                       av_message(rc, msg, sizeof msg));
            }
            if (rc < 0) {
                /* A packet the decoder rejects is a frame lost: skipped, but counted in
                 * the index so that later frames keep their place in the stream. */
                m->corrupt++;
                m->next_index++;
            }
        }
        av_packet_unref(m->packet);
    }
}

vigil_status vigil_media_next(vigil_media *m, vigil_media_frame *frame, vigil_error *err) {
    if (!m || !frame)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "media: NULL argument");
    if (m->still_rgb) {
        if (m->still_done)
            return vigil_error_set(err, VIGIL_STATUS_END, "%s: end of image", m->path);
        m->still_done = true;
        *frame = (vigil_media_frame){
            .index = m->next_index++, .width = m->info.width, .height = m->info.height};
        return VIGIL_STATUS_OK;
    }
    return next_video(m, frame, err);
}

vigil_status vigil_media_rgb(vigil_media *m, vigil_media_frame *frame, vigil_error *err) {
    if (!m || !frame)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "media: NULL argument");
    if (m->still_rgb) {
        frame->rgb = m->still_rgb;
        frame->stride = 3 * m->info.width;
        return VIGIL_STATUS_OK;
    }
    if (frame->index != m->next_index - 1)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "%s: frame %lld is no longer the current frame", m->path,
                               (long long)frame->index);
    AVFrame *f = m->frame;
    if (m->rgb_index != frame->index) {
        if (!m->rgb || m->rgb_width != f->width || m->rgb_height != f->height) {
            av_free(m->rgb);
            /* Rows aligned for swscale's SIMD stores. */
            m->rgb_stride = FFALIGN(3 * f->width, 64);
            m->rgb = av_malloc((size_t)m->rgb_stride * f->height);
            m->rgb_width = f->width;
            m->rgb_height = f->height;
            if (!m->rgb)
                return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                                       "%s: no memory for a %dx%d frame", m->path, f->width,
                                       f->height);
        }
        m->sws = sws_getCachedContext(m->sws, f->width, f->height, f->format, f->width, f->height,
                                      AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
        if (!m->sws)
            return vigil_error_set(
                err, VIGIL_STATUS_UNSUPPORTED, "%s: cannot convert pixel format %s to RGB", m->path,
                av_get_pix_fmt_name(f->format) ? av_get_pix_fmt_name(f->format) : "?");
        uint8_t *dst[4] = {m->rgb};
        int dst_stride[4] = {m->rgb_stride};
        sws_scale(m->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
                  dst_stride);
        m->rgb_index = frame->index;
    }
    frame->rgb = m->rgb;
    frame->stride = m->rgb_stride;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_media_read(vigil_media *m, vigil_media_frame *frame, vigil_error *err) {
    vigil_status s = vigil_media_next(m, frame, err);
    return s < 0 ? s : vigil_media_rgb(m, frame, err);
}

vigil_image vigil_media_image(const vigil_media_frame *frame) {
    return (vigil_image){.format = VIGIL_PIXEL_RGB24,
                         .width = frame->width,
                         .height = frame->height,
                         .planes = {frame->rgb},
                         .strides = {frame->stride}};
}

const vigil_media_info *vigil_media_get_info(const vigil_media *m) {
    return m ? &m->info : NULL;
}

const char *vigil_media_path(const vigil_media *m) {
    return m ? m->path : NULL;
}

int64_t vigil_media_corrupt_frames(const vigil_media *m) {
    return m ? m->corrupt : 0;
}
