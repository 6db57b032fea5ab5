/* YUV to RGB conversion, BT.601 limited range as FFmpeg's swscale does by default for
 * untagged video: Y on 16..235, chroma on 16..240, each chroma sample shared by a 2x2
 * block of pixels (no chroma interpolation, like swscale's unscaled converters).
 * Coefficients are 16.16 fixed point: Y scale 255/219, chroma 255/224 times the
 * BT.601 matrix (Kr = 0.299, Kb = 0.114). */
#include "detect/detect_internal.h"

#define FIX_Y 76309   /* 1.164384 */
#define FIX_RV 104597 /* 1.596027 */
#define FIX_GU 25675  /* 0.391762 */
#define FIX_GV 53279  /* 0.812968 */
#define FIX_BU 132201 /* 2.017232 */
#define FIX_HALF 32768

static inline uint8_t fix_to_u8(int32_t v) {
    v += FIX_HALF;
    if (v < 0)
        return 0;
    v >>= 16;
    return v > 255 ? 255 : (uint8_t)v;
}

void vigil_yuv_row_to_rgb(const uint8_t *y, const uint8_t *u, const uint8_t *v, int uv_step,
                          int width, uint8_t *rgb) {
    for (int x = 0; x < width; x++) {
        int cx = (x >> 1) * uv_step;
        int32_t luma = ((int32_t)y[x] - 16) * FIX_Y;
        int32_t cb = (int32_t)u[cx] - 128, cr = (int32_t)v[cx] - 128;
        rgb[3 * x + 0] = fix_to_u8(luma + FIX_RV * cr);
        rgb[3 * x + 1] = fix_to_u8(luma - FIX_GU * cb - FIX_GV * cr);
        rgb[3 * x + 2] = fix_to_u8(luma + FIX_BU * cb);
    }
}
