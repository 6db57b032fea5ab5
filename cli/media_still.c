/* Still images decoded without FFmpeg: JPEG through libjpeg-turbo, and binary PPM/PGM.
 * A JPEG that ends early is an error here (libjpeg would only warn and fill the rest
 * with gray), since detections on a half-gray picture would silently mislead. */
#include <ctype.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jerror.h>
#include <jpeglib.h>

#include "media_internal.h"

vigil_still_kind vigil_still_sniff(const uint8_t *data, size_t size) {
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return VIGIL_STILL_JPEG;
    if (size >= 2 && data[0] == 'P' && (data[1] == '6' || data[1] == '5'))
        return VIGIL_STILL_PNM;
    return VIGIL_STILL_NONE;
}

vigil_still_kind vigil_still_kind_of_name(const char *path) {
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return VIGIL_STILL_NONE;
    if (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".jpe"))
        return VIGIL_STILL_JPEG;
    if (!strcasecmp(dot, ".ppm") || !strcasecmp(dot, ".pgm") || !strcasecmp(dot, ".pnm"))
        return VIGIL_STILL_PNM;
    return VIGIL_STILL_NONE;
}

/* ---- JPEG ---- */

typedef struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    bool premature_end;
} jpeg_failure;

static void jpeg_fail(j_common_ptr cinfo) {
    longjmp(((jpeg_failure *)cinfo->err)->jump, 1);
}

/* Warnings are not printed; the one that means "the file ends early" is remembered. */
static void jpeg_note(j_common_ptr cinfo, int level) {
    jpeg_failure *f = (jpeg_failure *)cinfo->err;
    if (level < 0 && f->mgr.msg_code == JWRN_JPEG_EOF)
        f->premature_end = true;
}

static vigil_status decode_jpeg(const char *path, const uint8_t *data, size_t size,
                                uint8_t **rgb_out, int *width, int *height, vigil_error *err) {
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure = {0};
    /* volatile: assigned between setjmp and a possible longjmp. */
    uint8_t *volatile rgb = NULL;
    cinfo.err = jpeg_std_error(&failure.mgr);
    failure.mgr.error_exit = jpeg_fail;
    failure.mgr.emit_message = jpeg_note;
    if (setjmp(failure.jump)) {
        char message[JMSG_LENGTH_MAX];
        failure.mgr.format_message((j_common_ptr)&cinfo, message);
        jpeg_destroy_decompress(&cinfo);
        free(rgb);
        if (failure.premature_end)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "%s: truncated JPEG (the data ends early: %s)", path, message);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: unreadable JPEG: %s", path, message);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_width == 0 || cinfo.output_height == 0 || cinfo.output_components != 3) {
        jpeg_destroy_decompress(&cinfo);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: JPEG of %ux%u pixels, %d channels",
                               path, cinfo.output_width, cinfo.output_height,
                               cinfo.output_components);
    }
    size_t row_bytes = (size_t)cinfo.output_width * 3;
    rgb = malloc(row_bytes * cinfo.output_height);
    if (!rgb) {
        jpeg_destroy_decompress(&cinfo);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: no memory for %ux%u pixels", path,
                               cinfo.output_width, cinfo.output_height);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = rgb + row_bytes * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    if (failure.premature_end) {
        jpeg_destroy_decompress(&cinfo);
        free(rgb);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "%s: truncated JPEG (the data ends before the image does)", path);
    }
    *width = (int)cinfo.output_width;
    *height = (int)cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    *rgb_out = rgb;
    return VIGIL_STATUS_OK;
}

/* ---- PPM / PGM (binary) ---- */

/* Reads one header number, skipping white space and # comments. */
static bool pnm_number(const uint8_t *data, size_t size, size_t *pos, long *value) {
    size_t p = *pos;
    for (;;) {
        while (p < size && isspace(data[p]))
            p++;
        if (p < size && data[p] == '#') {
            while (p < size && data[p] != '\n')
                p++;
            continue;
        }
        break;
    }
    if (p >= size || !isdigit(data[p]))
        return false;
    long v = 0;
    while (p < size && isdigit(data[p]) && v < 1000000)
        v = v * 10 + (data[p++] - '0');
    *pos = p;
    *value = v;
    return true;
}

static vigil_status decode_pnm(const char *path, const uint8_t *data, size_t size,
                               uint8_t **rgb_out, int *width, int *height, vigil_error *err) {
    int channels = data[1] == '6' ? 3 : 1;
    size_t pos = 2;
    long w, h, maxval;
    if (!pnm_number(data, size, &pos, &w) || !pnm_number(data, size, &pos, &h) ||
        !pnm_number(data, size, &pos, &maxval) || pos >= size || !isspace(data[pos]))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: bad P%c header", path, data[1]);
    pos++; /* the single white space before the pixels */
    if (w <= 0 || h <= 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: zero-size image (%ldx%ld)", path, w,
                               h);
    if (w > 65535 || h > 65535)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "%s: image of %ldx%ld is too large",
                               path, w, h);
    if (maxval <= 0 || maxval > 255)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                               "%s: P%c with maxval %ld (only 8-bit, maxval 1..255, is read)", path,
                               data[1], maxval);
    size_t need = (size_t)w * h * channels;
    if (size - pos < need)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "%s: truncated image (%zu of %zu pixel bytes)", path, size - pos,
                               need);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    if (!rgb)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: no memory for %ldx%ld pixels",
                               path, w, h);
    const uint8_t *src = data + pos;
    for (size_t i = 0; i < (size_t)w * h; i++)
        for (int c = 0; c < 3; c++) {
            unsigned v = src[i * channels + (channels == 3 ? c : 0)];
            rgb[3 * i + c] = (uint8_t)(maxval == 255 ? v : (v * 255 + maxval / 2) / maxval);
        }
    *rgb_out = rgb;
    *width = (int)w;
    *height = (int)h;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_still_decode(const char *path, vigil_still_kind kind, const uint8_t *data,
                                size_t size, uint8_t **rgb, int *width, int *height,
                                vigil_error *err) {
    *rgb = NULL;
    if (kind == VIGIL_STILL_JPEG)
        return decode_jpeg(path, data, size, rgb, width, height, err);
    if (kind == VIGIL_STILL_PNM)
        return decode_pnm(path, data, size, rgb, width, height, err);
    return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "%s: not a JPEG or PPM image", path);
}
