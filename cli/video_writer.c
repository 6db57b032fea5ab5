/* Video encoding through libavformat/libavcodec; see video_writer.h. */
#include "video_writer.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

struct vigil_video_writer {
    AVFormatContext *format;
    AVCodecContext *codec;
    AVStream *stream;
    AVFrame *frame;
    AVPacket *packet;
    struct SwsContext *sws;
    int64_t next_pts;
    int header_written;
    char path[1024];
};

static vigil_status av_failure(vigil_error *err, const char *path, const char *what, int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    return vigil_error_set(err, VIGIL_STATUS_IO, "%s: %s: %s", path, what, text);
}

static void writer_free(vigil_video_writer *w) {
    if (!w)
        return;
    if (w->format && !(w->format->oformat->flags & AVFMT_NOFILE) && w->format->pb)
        avio_closep(&w->format->pb);
    avformat_free_context(w->format);
    avcodec_free_context(&w->codec);
    av_frame_free(&w->frame);
    av_packet_free(&w->packet);
    sws_freeContext(w->sws);
    av_free(w);
}

vigil_status vigil_video_writer_open(const char *path, int width, int height, double fps,
                                     const char *codec_name, vigil_video_writer **out,
                                     vigil_error *err) {
    *out = NULL;
    if (width <= 0 || height <= 0 || width % 2 || height % 2)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "%s: frame size %dx%d must be positive and even", path, width,
                               height);
    if (!(fps > 0))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "%s: bad frame rate %g", path,
                               fps);
    const AVCodec *codec = avcodec_find_encoder_by_name(codec_name ? codec_name : "mpeg4");
    if (!codec)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                               "%s: this FFmpeg has no encoder named '%s'", path,
                               codec_name ? codec_name : "mpeg4");
    vigil_video_writer *w = av_mallocz(sizeof *w);
    if (!w)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: out of memory", path);
    snprintf(w->path, sizeof w->path, "%s", path);
    int rc = avformat_alloc_output_context2(&w->format, NULL, NULL, path);
    vigil_status status = VIGIL_STATUS_OK;
    if (rc < 0 || !w->format) {
        status = vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                                 "%s: no container format for this file name (use .avi, .mp4 or "
                                 ".mkv)",
                                 path);
        goto fail;
    }
    w->stream = avformat_new_stream(w->format, NULL);
    w->codec = avcodec_alloc_context3(codec);
    w->frame = av_frame_alloc();
    w->packet = av_packet_alloc();
    if (!w->stream || !w->codec || !w->frame || !w->packet) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: out of memory", path);
        goto fail;
    }
    AVRational rate = av_d2q(fps, 100000);
    w->codec->width = width;
    w->codec->height = height;
    w->codec->time_base = av_inv_q(rate);
    w->codec->framerate = rate;
    w->codec->gop_size = 25;
    w->codec->thread_count = 1; /* the same bytes on every run */
    w->codec->pix_fmt = codec->id == AV_CODEC_ID_MJPEG ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P;
    if (codec->id == AV_CODEC_ID_MPEG4 || codec->id == AV_CODEC_ID_MJPEG) {
        /* Constant quantiser 3: near-transparent, so detectors see what was drawn. */
        w->codec->flags |= AV_CODEC_FLAG_QSCALE;
        w->codec->global_quality = FF_QP2LAMBDA * 3;
    } else if (codec->id == AV_CODEC_ID_H264) {
        av_opt_set(w->codec->priv_data, "crf", "18", 0);
        av_opt_set(w->codec->priv_data, "preset", "veryfast", 0);
    }
    w->codec->flags |= AV_CODEC_FLAG_BITEXACT;
    if (w->format->oformat->flags & AVFMT_GLOBALHEADER)
        w->codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(w->codec, codec, NULL)) < 0) {
        status = av_failure(err, path, "cannot open the encoder", rc);
        goto fail;
    }
    w->stream->time_base = w->codec->time_base;
    w->stream->avg_frame_rate = rate;
    if ((rc = avcodec_parameters_from_context(w->stream->codecpar, w->codec)) < 0) {
        status = av_failure(err, path, "encoder parameters", rc);
        goto fail;
    }
    w->frame->format = w->codec->pix_fmt;
    w->frame->width = width;
    w->frame->height = height;
    if ((rc = av_frame_get_buffer(w->frame, 0)) < 0) {
        status = av_failure(err, path, "frame buffer", rc);
        goto fail;
    }
    w->sws = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, w->codec->pix_fmt,
                            SWS_BICUBIC, NULL, NULL, NULL);
    if (!w->sws) {
        status = vigil_error_set(err, VIGIL_STATUS_BACKEND, "%s: no RGB to YUV converter", path);
        goto fail;
    }
    if (!(w->format->oformat->flags & AVFMT_NOFILE) &&
        (rc = avio_open(&w->format->pb, path, AVIO_FLAG_WRITE)) < 0) {
        status = av_failure(err, path, "cannot create the file", rc);
        goto fail;
    }
    /* No version strings or wall-clock times in the file, so a seed gives the same bytes. */
    w->format->flags |= AVFMT_FLAG_BITEXACT;
    if ((rc = avformat_write_header(w->format, NULL)) < 0) {
        status = av_failure(err, path, "cannot write the header", rc);
        goto fail;
    }
    w->header_written = 1;
    *out = w;
    return VIGIL_STATUS_OK;
fail:
    writer_free(w);
    return status;
}

/* Sends frame (NULL to drain) and writes every packet the encoder has ready. */
static vigil_status encode(vigil_video_writer *w, AVFrame *frame, vigil_error *err) {
    int rc = avcodec_send_frame(w->codec, frame);
    if (rc < 0)
        return av_failure(err, w->path, "encoding failed", rc);
    for (;;) {
        rc = avcodec_receive_packet(w->codec, w->packet);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return VIGIL_STATUS_OK;
        if (rc < 0)
            return av_failure(err, w->path, "encoding failed", rc);
        av_packet_rescale_ts(w->packet, w->codec->time_base, w->stream->time_base);
        w->packet->stream_index = w->stream->index;
        rc = av_interleaved_write_frame(w->format, w->packet);
        if (rc < 0)
            return av_failure(err, w->path, "write failed", rc);
    }
}

vigil_status vigil_video_writer_write(vigil_video_writer *w, const uint8_t *rgb, int stride,
                                      vigil_error *err) {
    int rc = av_frame_make_writable(w->frame);
    if (rc < 0)
        return av_failure(err, w->path, "frame buffer", rc);
    const uint8_t *src[1] = {rgb};
    const int src_stride[1] = {stride};
    sws_scale(w->sws, src, src_stride, 0, w->codec->height, w->frame->data, w->frame->linesize);
    w->frame->pts = w->next_pts++;
    return encode(w, w->frame, err);
}

vigil_status vigil_video_writer_close(vigil_video_writer *w, vigil_error *err) {
    if (!w)
        return VIGIL_STATUS_OK;
    vigil_status status = encode(w, NULL, err);
    if (w->header_written) {
        int rc = av_write_trailer(w->format);
        if (rc < 0 && status == VIGIL_STATUS_OK)
            status = av_failure(err, w->path, "cannot finish the file", rc);
    }
    writer_free(w);
    return status;
}
