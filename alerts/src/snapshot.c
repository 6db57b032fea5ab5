/* JPEG snapshots with the alert's boxes drawn in, through libjpeg(-turbo). libjpeg's
 * default error handler exits the process, so errors longjmp back here instead. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "vigil/alert.h"

typedef struct jpeg_failure {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void on_error(j_common_ptr cinfo) {
    jpeg_failure *f = (jpeg_failure *)cinfo->err;
    f->base.format_message(cinfo, f->message);
    longjmp(f->jump, 1);
}

static void on_message(j_common_ptr cinfo) {
    (void)cinfo; /* warnings are not printed: libraries stay quiet */
}

static void draw_box(uint8_t *rgb, int w, int h, const float box[4], const uint8_t color[3]) {
    int x0 = (int)box[0], y0 = (int)box[1];
    int x1 = (int)(box[0] + box[2]), y1 = (int)(box[1] + box[3]);
    const int thick = w >= 640 ? 3 : 2;
    for (int y = y0; y <= y1; y++) {
        if (y < 0 || y >= h)
            continue;
        for (int x = x0; x <= x1; x++) {
            if (x < 0 || x >= w)
                continue;
            bool edge = y - y0 < thick || y1 - y < thick || x - x0 < thick || x1 - x < thick;
            if (edge)
                memcpy(rgb + ((size_t)y * w + x) * 3, color, 3);
        }
    }
}

vigil_status vigil_alert_snapshot(const vigil_alert_image *image, const vigil_alert_object *objects,
                                  int object_count, int quality, uint8_t **jpeg, size_t *size,
                                  vigil_error *err) {
    if (!image || !image->rgb || image->width <= 0 || image->height <= 0 ||
        image->stride < 3 * image->width)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "snapshot: no image");
    int w = image->width, h = image->height;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    if (!rgb)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "snapshot: out of memory");
    for (int y = 0; y < h; y++)
        memcpy(rgb + (size_t)y * w * 3, image->rgb + (size_t)y * image->stride, (size_t)w * 3);
    static const uint8_t palette[4][3] = {
        {255, 48, 48}, {255, 200, 0}, {0, 220, 255}, {80, 255, 80}};
    for (int i = 0; i < object_count; i++)
        draw_box(rgb, w, h, objects[i].box, palette[i % 4]);

    struct jpeg_compress_struct cinfo;
    jpeg_failure failure;
    unsigned char *buffer = NULL;
    unsigned long buffer_size = 0;
    cinfo.err = jpeg_std_error(&failure.base);
    failure.base.error_exit = on_error;
    failure.base.output_message = on_message;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        free(rgb);
        return vigil_error_set(err, VIGIL_STATUS_BACKEND, "snapshot: libjpeg: %s", failure.message);
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &buffer_size);
    cinfo.image_width = (JDIMENSION)w;
    cinfo.image_height = (JDIMENSION)h;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 80 : quality > 100 ? 100 : quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = rgb + (size_t)cinfo.next_scanline * w * 3;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(rgb);
    /* jpeg_mem_dest's buffer comes from malloc: hand it over as it is. */
    *jpeg = buffer;
    *size = buffer_size;
    return VIGIL_STATUS_OK;
}
